"""``/v1/segments``: custom segments — create (with a rule), list, read, members, size over time."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

from fastapi import HTTPException, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from retentio.api.deps import ClockDep, EngineDep, ReaderDep, SettingsDep
from retentio.api.schemas import NO_NUL
from retentio.clock import Instant
from retentio.db.json_values import refuse_nul
from retentio.segments import (
    CustomRefreshResult,
    Definition,
    InvalidRule,
    Rule,
    SegmentExists,
    SegmentNotFound,
    SegmentView,
    do_create_segment,
    do_refresh_segment,
    get_segment,
    list_segments,
    parse_rule,
    segment_members,
    segment_sizes,
)

SegmentName = Annotated[
    str, Path(min_length=1, max_length=64, pattern=NO_NUL, description="The segment's name.")
]


class SegmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64, examples=["coffee_lovers_lapsing"])
    description: str = Field("", max_length=2000)
    rule: dict[str, Any] = Field(description="A rule in the language of docs/custom-segments.md.")
    refresh: bool = Field(True, description="Compute the members right away.")

    @field_validator("description")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class SegmentPublic(BaseModel):
    name: str
    description: str
    rule: dict[str, Any]
    size: int
    created_at: datetime
    updated_at: datetime
    refreshed_at: datetime | None

    @classmethod
    def of(cls, view: SegmentView) -> SegmentPublic:
        return cls(**{name: getattr(view, name) for name in cls.model_fields})


class SegmentList(BaseModel):
    segments: list[SegmentPublic]


class RefreshPublic(BaseModel):
    name: str
    size: int
    entered: int
    exited: int

    @classmethod
    def of(cls, result: CustomRefreshResult) -> RefreshPublic:
        return cls(name=result.name, size=result.size, entered=result.entered, exited=result.exited)


class MemberPublic(BaseModel):
    customer_id: str
    entered_at: datetime


class MembersPage(BaseModel):
    members: list[MemberPublic]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class SizePointPublic(BaseModel):
    at: datetime
    source: str = Field(description="`refresh` (one point per refresh) or `ingest` (one per UTC day).")
    size: int
    entered: int
    exited: int


class SizeHistory(BaseModel):
    name: str
    points: list[SizePointPublic]


def post_segment(
    body: SegmentCreate, engine: EngineDep, clock: ClockDep, settings: SettingsDep
) -> SegmentPublic:
    """Create a custom segment from a rule. A rule that is not valid is refused (422) with each wrong
    part named by its path (`rule.all[1].event.window`); nothing is stored then."""
    definition = Definition(_parse(body.rule), body.description)
    now = clock.now()
    try:
        with engine.begin() as connection:
            do_create_segment(connection, body.name, definition, now)
            if body.refresh:
                do_refresh_segment(connection, body.name, now, settings.default_currency)
            view = get_segment(connection, body.name)
    except InvalidRule as error:
        raise _unprocessable(error) from None
    except SegmentExists as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    assert view is not None
    return SegmentPublic.of(view)


def get_segments(reader: ReaderDep) -> SegmentList:
    with reader.connect() as connection:
        return SegmentList(segments=[SegmentPublic.of(view) for view in list_segments(connection)])


def get_segment_record(name: SegmentName, reader: ReaderDep) -> SegmentPublic:
    with reader.connect() as connection:
        view = get_segment(connection, name)
    if view is None:
        raise _not_found(name)
    return SegmentPublic.of(view)


def post_segment_refresh(
    name: SegmentName, engine: EngineDep, clock: ClockDep, settings: SettingsDep
) -> RefreshPublic:
    """Recompute the members now (time-based conditions move only here or on a schedule)."""
    try:
        with engine.begin() as connection:
            return RefreshPublic.of(
                do_refresh_segment(connection, name, clock.now(), settings.default_currency)
            )
    except SegmentNotFound:
        raise _not_found(name) from None


def get_segment_members(
    name: SegmentName,
    reader: ReaderDep,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> MembersPage:
    """Members in customer id order, a page at a time."""
    after = _decode_cursor(cursor) if cursor else None
    try:
        with reader.connect() as connection:
            page = segment_members(connection, name, after, limit + 1)
    except SegmentNotFound:
        raise _not_found(name) from None
    members = [MemberPublic(customer_id=m.customer_id, entered_at=m.entered_at) for m in page[:limit]]
    more = len(page) > limit
    return MembersPage(members=members, next_cursor=_encode_cursor(members[-1].customer_id) if more else None)


def get_segment_sizes(
    name: SegmentName, reader: ReaderDep, since: Annotated[Instant | None, Query()] = None
) -> SizeHistory:
    """The size over time: a point per refresh, and a point per day for moves as events arrive."""
    try:
        with reader.connect() as connection:
            points = segment_sizes(connection, name, since)
    except SegmentNotFound:
        raise _not_found(name) from None
    return SizeHistory(
        name=name,
        points=[
            SizePointPublic(at=p.at, source=p.source, size=p.size, entered=p.entered, exited=p.exited)
            for p in points
        ],
    )


def _parse(raw: dict[str, Any]) -> Rule:
    try:
        return parse_rule(raw)
    except InvalidRule as error:
        raise _unprocessable(error) from None


def _unprocessable(error: InvalidRule) -> HTTPException:
    detail = [{"field": item.path, "message": item.message} for item in error.errors]
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)


def _unprocessable_text(field: str, message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [{"field": field, "message": message}])


def _not_found(name: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"no segment named {name!r}")


def _encode_cursor(customer_id: str) -> str:
    return base64.urlsafe_b64encode(customer_id.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _unprocessable_text("cursor", "not a cursor this API gave out") from None
