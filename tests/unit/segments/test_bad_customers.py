"""The bad-customer checklist: weights, threshold and one explanation per check that fires."""

from retentio.segments.bad_customers import assess
from retentio.segments.config import BadCustomerConfig
from retentio.segments.inputs import DAY, CustomerInputs, Signals

CONFIG = BadCustomerConfig()
T0 = 1_700_000_000


def test_a_good_customer_scores_zero() -> None:
    result = assess(CustomerInputs("c", orders=5), T0, CONFIG, 14)
    assert (result.score, result.flagged, result.reasons) == (0, False, ())


def test_returns_and_cancellations_are_explained() -> None:
    # given 5 counted orders, 4 of them returned, and 3 more that were cancelled
    inputs = CustomerInputs("c", orders=5, returns=4, cancellations=3)
    # when
    result = assess(inputs, T0, CONFIG, 14)
    # then
    assert result.reasons == ("returned 4 of 5 orders",)
    assert result.score == 30
    assert not result.flagged


def test_enough_signs_flag_the_customer() -> None:
    inputs = CustomerInputs(
        "c", orders=4, returns=2, signals=Signals(coupon_codes=6, discounted_orders=4, margin_minor=-12345)
    )
    result = assess(inputs, T0, CONFIG, 14)
    assert result.flagged
    assert result.score == 30 + 25 + 15 + 20
    assert result.reasons == (
        "returned 2 of 4 orders",
        "negative margin -123.45 over 4 order(s)",
        "bought with a discount 4 of 4 times",
        "used 6 different coupon codes",
    )


def test_an_unpaid_order_counts_once_the_payment_term_is_over() -> None:
    inputs = CustomerInputs(
        "c", orders=1, signals=Signals(unpaid_orders=1, unpaid_oldest_at=T0, unpaid_newest_at=T0)
    )
    before = assess(inputs, T0 + 13 * DAY, CONFIG, 14)
    after = assess(inputs, T0 + 14 * DAY, CONFIG, 14)
    assert (before.score, before.next_change_at) == (0, T0 + 14 * DAY)
    assert after.reasons == ("1 order(s) not paid within 14 days",)
    assert after.next_change_at is None


def test_complaints_and_negative_feedback_add_up() -> None:
    inputs = CustomerInputs("c", signals=Signals(complaints=1, negative_feedback=1))
    assert assess(inputs, T0, CONFIG, 14).reasons == ("1 spam complaint(s), 1 negative review(s) or NPS",)


def test_the_score_is_capped_and_the_threshold_configurable() -> None:
    inputs = CustomerInputs(
        "c",
        orders=4,
        returns=4,
        cancellations=4,
        signals=Signals(complaints=5, coupon_codes=9, discounted_orders=4, margin_minor=-1, late_payments=2),
    )
    assert assess(inputs, T0, CONFIG, 14).score == 100
    lenient = BadCustomerConfig(threshold=101)
    assert not assess(inputs, T0, lenient, 14).flagged
