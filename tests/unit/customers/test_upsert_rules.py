"""The pure rules of a customer upsert: attributes merge key by key, consents record only changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from retentio.customers.consent import ConsentTimeline, changes_that_differ
from retentio.customers.service import merge_attributes

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def consent(customer_id: str, channel: str, granted: bool, at: datetime) -> dict[str, Any]:
    return {"customer_id": customer_id, "channel": channel, "granted": granted, "changed_at": at}


def test_attributes_merge_key_by_key_and_null_removes_a_key() -> None:
    # given
    stored = {"tier": "gold", "city": "Kazan", "kids": 2}
    # when
    merged = merge_attributes(stored, {"tier": "silver", "city": None, "pets": ["cat"], "absent": None})
    # then
    assert merged == {"tier": "silver", "kids": 2, "pets": ["cat"]}
    assert stored == {"tier": "gold", "city": "Kazan", "kids": 2}


def test_a_nested_attribute_is_replaced_whole() -> None:
    assert merge_attributes(
        {"address": {"city": "Kazan", "zip": "420000"}}, {"address": {"city": "Omsk"}}
    ) == {"address": {"city": "Omsk"}}


def test_a_consent_equal_to_the_one_in_force_is_not_recorded() -> None:
    # given
    timelines: ConsentTimeline = {("c1", "email"): [(T0, True)]}
    proposed = [consent("c1", "email", True, T0 + timedelta(days=1))]
    # when
    kept = changes_that_differ(timelines, proposed)
    # then
    assert kept == []
    assert timelines[("c1", "email")] == [(T0, True)]


def test_a_changed_consent_is_recorded_and_the_next_proposal_is_compared_with_it() -> None:
    # given
    timelines: ConsentTimeline = {("c1", "email"): [(T0, True)]}
    withdrawn = consent("c1", "email", False, T0 + timedelta(days=1))
    repeated = consent("c1", "email", False, T0 + timedelta(days=2))
    # when
    kept = changes_that_differ(timelines, [withdrawn, repeated])
    # then
    assert kept == [withdrawn]


def test_the_first_consent_of_a_channel_is_recorded_even_an_opt_out() -> None:
    # given
    timelines: ConsentTimeline = {("c1", "email"): [(T0, True)]}
    proposed = [consent("c1", "sms", False, T0), consent("c2", "email", True, T0)]
    # when
    kept = changes_that_differ(timelines, proposed)
    # then
    assert kept == proposed


def test_a_backdated_consent_is_compared_with_the_one_in_force_at_its_time() -> None:
    # given: opted in at T0, out at T0+10d
    timelines: ConsentTimeline = {("c1", "email"): [(T0, True), (T0 + timedelta(days=10), False)]}
    same_as_then = consent("c1", "email", True, T0 + timedelta(days=5))
    differs_from_then = consent("c1", "email", False, T0 + timedelta(days=5))
    # when
    kept_same = changes_that_differ(timelines, [same_as_then])
    kept_different = changes_that_differ(timelines, [differs_from_then])
    # then: the second is a real change at its time (though not the current consent); sent again,
    # it is not recorded twice
    assert kept_same == []
    assert kept_different == [differs_from_then]
    assert changes_that_differ(timelines, [differs_from_then]) == []
