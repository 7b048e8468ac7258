"""``/v1/coupon-pools`` and ``/v1/coupons/validate``: create a pool with its codes, read its figures,
export its codes as CSV, and check a code against a cart (rate-limited against guessing)."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import HTTPException, Path, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from retentio.api.deps import ClockDep, EngineDep, ReaderDep
from retentio.api.schemas import NO_NUL
from retentio.clock import Instant
from retentio.loyalty import (
    Cart,
    CartLine,
    CouponCustomer,
    CouponError,
    CouponRules,
    Discount,
    PoolDefinition,
    PoolNotFound,
    PoolStats,
    Stacking,
    do_create_pool,
    do_generate_codes,
    do_validate,
    export_csv,
    get_pool,
    pool_codes,
    pool_stats,
)

PoolId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The pool's id.")]
Text = Annotated[str, Field(min_length=1, max_length=128, pattern=NO_NUL)]
Money = Annotated[
    Decimal, Field(ge=0, le=Decimal("1e12"), allow_inf_nan=False, max_digits=16, decimal_places=4)
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["RUB"])]


class PoolCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=NO_NUL, examples=["spring-2027"])
    count: int = Field(ge=0, le=10_000_000, description="Codes to generate now (0: none yet).")
    prefix: str = Field("", max_length=12, description="A–Z and 2–9 only (no 0, O, 1, I).")
    code_length: int = Field(12, ge=10, le=32, description="Random characters, 5 bits each.")
    currency: Currency
    percent_off: Decimal | None = Field(None, gt=0, le=100, allow_inf_nan=False, decimal_places=2)
    amount_off: Money | None = None
    free_shipping: bool = False
    uses_per_code: int | None = Field(1, ge=1, le=2**31 - 1, description="1: single-use; null: unlimited.")
    uses_per_customer: int | None = Field(None, ge=1, le=2**31 - 1)
    valid_from: Instant | None = None
    valid_until: Instant | None = None
    minimum_order: Money | None = None
    skus: list[Text] = Field([], max_length=10_000)
    categories: list[Text] = Field([], max_length=10_000)
    segments: list[Text] = Field([], max_length=1_000)
    exclusive: bool = False
    stack_group: str = Field("default", min_length=1, max_length=64, pattern=NO_NUL)
    automatic: bool = Field(
        False,
        description="An automatic promotion: no codes (count 0); checkout applies it to every cart it fits.",
    )

    def definition(self) -> PoolDefinition:
        # An automatic promotion has no codes: unless given, it has no per-code limit either.
        unset = self.automatic and "uses_per_code" not in self.model_fields_set
        rules = CouponRules(
            currency=self.currency,
            discount=Discount(self.percent_off, self.amount_off, self.free_shipping),
            uses_per_code=None if unset else self.uses_per_code,
            uses_per_customer=self.uses_per_customer,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            minimum_order=self.minimum_order,
            skus=frozenset(self.skus),
            categories=frozenset(self.categories),
            segments=frozenset(self.segments),
            stacking=Stacking(self.exclusive, self.stack_group),
        )
        return PoolDefinition(self.name, rules, self.prefix, self.code_length, self.automatic)


class PoolPublic(BaseModel):
    id: int
    name: str
    prefix: str
    currency: str
    codes: int
    personal_codes: int
    codes_used: int
    uses_reserved: int
    uses_committed: int
    uses_released: int
    created_at: datetime

    @classmethod
    def of(cls, stats: PoolStats, prefix: str, currency: str, created_at: datetime) -> PoolPublic:
        return cls(
            id=stats.pool_id,
            name=stats.name,
            prefix=prefix,
            currency=currency,
            codes=stats.codes,
            personal_codes=stats.personal_codes,
            codes_used=stats.codes_used,
            uses_reserved=stats.uses_reserved,
            uses_committed=stats.uses_committed,
            uses_released=stats.uses_released,
            created_at=created_at,
        )


class LineBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Text
    quantity: int = Field(ge=1, le=1_000_000)
    unit_price: Money
    category: Text | None = None


class CartBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    currency: Currency
    lines: list[LineBody] = Field(min_length=1, max_length=1_000)

    def cart(self) -> Cart:
        return Cart(
            self.currency,
            tuple(CartLine(li.sku, li.quantity, li.unit_price, li.category) for li in self.lines),
        )


class ValidateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=100)
    customer_id: Text | None = None
    segments: list[Text] = Field([], max_length=1_000, description="The customer's segments, as plain data.")
    cart: CartBody


class ValidationPublic(BaseModel):
    applies: bool
    outcome: str = Field(
        description="`applies`, a rule (`expired`, `used_up`, `below_minimum_order`, …), `unknown_code`, "
        "`invalid_code` or `too_many_attempts`."
    )
    message: str


def post_pool(body: PoolCreate, engine: EngineDep, clock: ClockDep) -> PoolPublic:
    """Create a pool and generate its codes in one transaction; a wrong field is a 422 naming it and
    nothing is stored."""
    now = clock.now()
    try:
        with engine.begin() as connection:
            pool = do_create_pool(connection, body.definition(), now)
            if body.count:
                do_generate_codes(connection, pool, body.count)
            stats = pool_stats(connection, pool)
    except CouponError as error:
        raise _unprocessable(error) from None
    return PoolPublic.of(stats, pool.prefix, pool.rules.currency, pool.created_at)


def get_pool_stats(pool_id: PoolId, reader: ReaderDep) -> PoolPublic:
    """The pool's figures: codes, personal codes, codes used, uses reserved, committed, released."""
    try:
        with reader.connect() as connection:
            pool = get_pool(connection, pool_id)
            stats = pool_stats(connection, pool)
    except PoolNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, error.message) from None
    return PoolPublic.of(stats, pool.prefix, pool.rules.currency, pool.created_at)


def get_pool_codes(pool_id: PoolId, reader: ReaderDep) -> Response:
    """Every code of the pool as CSV (`code,customer_id,uses`), as printed for customers."""
    out = io.StringIO()
    try:
        with reader.connect() as connection:
            export_csv(pool_codes(connection, get_pool(connection, pool_id)), out)
    except PoolNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, error.message) from None
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="coupon-pool-{pool_id}.csv"'},
    )


def post_validate(
    body: ValidateBody, request: Request, engine: EngineDep, clock: ClockDep
) -> ValidationPublic:
    """Does the code apply to this cart and customer? The answer names the rule when it does not.
    Unknown codes count against the customer and the caller's address; past the limit every check
    from them is refused (`too_many_attempts`) for the rest of the hour, and an alert event is logged."""
    customer = CouponCustomer(body.customer_id, frozenset(body.segments))
    address = request.client.host if request.client else None
    with engine.begin() as connection:
        result = do_validate(connection, body.code, body.cart.cart(), customer, address, clock.now())
    return ValidationPublic(applies=result.applies, outcome=result.outcome, message=result.message)


def _unprocessable(error: CouponError) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT, [{"field": error.field, "message": error.message}]
    )
