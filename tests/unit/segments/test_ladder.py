"""Hunt's ladder: the highest step whose signal is still fresh, and the playbook of each step."""

from retentio.segments.config import LadderConfig
from retentio.segments.inputs import DAY, CustomerInputs
from retentio.segments.ladder import LADDER_STAGES, PLAYBOOK, decide_ladder

CONFIG = LadderConfig()
T0 = 1_700_000_000


def test_nothing_seen_is_unaware() -> None:
    assert decide_ladder(CustomerInputs("c"), T0, CONFIG).stage == "unaware"


def test_reading_content_is_aware_of_the_problem_for_sixty_days() -> None:
    inputs = CustomerInputs("c", last_content_at=T0)
    decision = decide_ladder(inputs, T0 + DAY, CONFIG)
    assert (decision.stage, decision.next_change_at) == ("problem_aware", T0 + 60 * DAY)
    assert decide_ladder(inputs, T0 + 60 * DAY, CONFIG).stage == "unaware"


def test_product_views_mean_the_solution_is_known() -> None:
    inputs = CustomerInputs("c", last_content_at=T0, last_browse_at=T0)
    assert decide_ladder(inputs, T0 + DAY, CONFIG).stage == "solution_aware"
    assert decide_ladder(inputs, T0 + 30 * DAY, CONFIG).stage == "problem_aware"


def test_an_open_cart_is_ready_to_buy_but_a_cart_that_became_an_order_is_not() -> None:
    open_cart = CustomerInputs("c", last_cart_at=T0)
    assert decide_ladder(open_cart, T0 + DAY, CONFIG).stage == "ready_to_buy"
    assert decide_ladder(open_cart, T0 + 14 * DAY, CONFIG).stage == "unaware"
    ordered = CustomerInputs("c", orders=1, last_order_at=T0 - 400 * DAY, last_cart_at=T0 - 400 * DAY)
    assert decide_ladder(ordered, T0, CONFIG).stage == "solution_aware"


def test_buyers_climb_to_ready_and_repeat_buyers_to_loyal() -> None:
    once = CustomerInputs("c", orders=1, last_order_at=T0)
    twice = CustomerInputs("c", orders=2, last_order_at=T0)
    assert decide_ladder(once, T0 + DAY, CONFIG).stage == "ready_to_buy"
    assert decide_ladder(twice, T0 + DAY, CONFIG).stage == "loyal"
    # a lapsed buyer still knows the solution
    assert decide_ladder(twice, T0 + 180 * DAY, CONFIG).stage == "solution_aware"


def test_every_step_has_content_and_an_offer() -> None:
    assert set(PLAYBOOK) == set(LADDER_STAGES)
    assert all(playbook.content and playbook.offer for playbook in PLAYBOOK.values())
