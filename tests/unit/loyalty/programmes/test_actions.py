"""Points for actions: once ever, once a calendar year in the programme's zone, or each time by id."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retentio.loyalty import ActionDone, ActionPoints, Programme, points_for_action

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def test_registration_is_rewarded_once_ever(club: Programme) -> None:
    first = points_for_action(club, ActionDone("registration", NOW), [])
    again = points_for_action(club, ActionDone("registration", NOW), [NOW])
    assert first == ActionPoints("registration", 100, "club:registration")
    assert again == ActionPoints("registration", 0, None, "already_rewarded")


def test_a_birthday_is_rewarded_once_a_calendar_year_in_the_programme_s_zone(club: Programme) -> None:
    # 31 December 21:30 UTC is already 1 January in Moscow: a new year there
    last_year = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    new_year_in_moscow = datetime(2026, 12, 31, 21, 30, tzinfo=UTC)
    assert points_for_action(club, ActionDone("birthday", new_year_in_moscow), [last_year]) == ActionPoints(
        "birthday", 200, "club:birthday:2027"
    )
    same_year = datetime(2026, 3, 1, tzinfo=UTC)
    assert points_for_action(club, ActionDone("birthday", last_year), [same_year]).refused == (
        "already_rewarded_this_year"
    )


def test_reviews_are_rewarded_each_time_keyed_by_the_review(club: Programme) -> None:
    rewarded = points_for_action(club, ActionDone("review", NOW, "review-77"), [NOW, NOW])
    assert rewarded == ActionPoints("review", 20, "club:review:review-77")
    with pytest.raises(ValueError, match="review is rewarded each time: give its occurrence_id"):
        points_for_action(club, ActionDone("review", NOW), [])


def test_an_action_the_programme_does_not_reward_earns_nothing(club: Programme) -> None:
    assert points_for_action(club, ActionDone("referral", NOW, "friend-1"), []).refused == "not_rewarded"
