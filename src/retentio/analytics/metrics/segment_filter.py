"""``--segment NAME``: the customers a report is restricted to (their current membership).

A name is a custom segment's (through the custom segments facade) or ``family:value`` for a built-in
family kept in ``customer_standing``: ``rfm:Champions``, ``lifecycle:loyal``, ``ladder:ready_to_buy``,
``bad:true``. Custom segment names cannot hold ``:``, so the two never collide.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from retentio.analytics.metrics.standing import FAMILY_COLUMNS, family_members
from retentio.segments import get_segment, segment_members

_PAGE = 50_000
FAMILIES = tuple(FAMILY_COLUMNS)


class UnknownSegment(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class SegmentSelection:
    name: str
    kind: str  # "custom" or the family ("rfm", "lifecycle", "ladder", "bad")
    customer_ids: frozenset[str]


def resolve_segment(connection: Connection, name: str) -> SegmentSelection:
    family, separator, value = name.partition(":")
    if separator:
        if family not in FAMILIES or not value:
            families = ", ".join(FAMILIES)
            raise UnknownSegment(f"{name!r}: a built-in segment is family:value, family one of {families}")
        members = family_members(connection, family, value)
        if members is None:
            raise UnknownSegment(f"the {family} segments are not computed in this store yet")
        return SegmentSelection(name, family, members)
    if get_segment(connection, name) is None:
        raise UnknownSegment(f"no custom segment named {name!r} (a built-in one reads rfm:Champions)")
    return SegmentSelection(name, "custom", _custom_members(connection, name))


def _custom_members(connection: Connection, name: str) -> frozenset[str]:
    members: set[str] = set()
    after: str | None = None
    while page := segment_members(connection, name, after, _PAGE):
        members.update(member.customer_id for member in page)
        after = page[-1].customer_id
    return frozenset(members)
