"""The checkout's one decision: ``calculate(request, facts, now)``, a pure function from the cart and
the facts read for it to the answer. Nothing here reads or writes the database.

**Stacking, best for the customer within the rules.** The offers — the offered codes and the
automatic promotions — that pass every rule but stacking (``why_not``) form the combinations the
rules allow: an *exclusive* offer alone, or every non-exclusive offer of one *stack group*
together. The combination that takes the most off the cart wins; on a tie, the one with free
shipping, then the one with fewer offers, then the one with the lowest pool ids, so the same cart
always gets the same answer. Offered codes left out are refused as ``not_stackable``.

**Order within a combination**: percentages first (largest first), each on what its lines still
cost, then fixed amounts (largest first): of the orders possible, the one that takes the most off.
A percentage is rounded down to a minor unit on the lines it covers; every amount is shared out
over its lines in proportion to what they still cost (``shares``), so line discounts add up exactly.

**Points** pay after the discounts, at most what ``max_redeemable`` allows (the programme's share,
or the tier's, the minimum balance and order), shared out over the lines the same way. **Points
earned** are ``points_for_order`` on what each line still costs after discounts and points, with
the tier's multiplier. **Gift cards** pay what is left, in the order offered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from retentio.loyalty.checkout.errors import CheckoutError
from retentio.loyalty.checkout.model import (
    Applied,
    Calculation,
    CheckoutRequest,
    Facts,
    GiftCardUse,
    LineAnswer,
    PointsAnswer,
    Refused,
    TierAnswer,
)
from retentio.loyalty.checkout.shares import share_out
from retentio.loyalty.coupons.rules import (
    MESSAGES,
    Cart,
    CartLine,
    Coupon,
    CouponRules,
    CustomerFacts,
    Reason,
    eligible_lines,
    why_not,
)
from retentio.loyalty.programmes.earning import EarningLine, points_for_order
from retentio.loyalty.programmes.redemption import max_redeemable
from retentio.loyalty.tiers.definition import Level
from retentio.types.money import from_minor, is_currency, minor_digits, to_minor

MAX_LINES = 1_000
MAX_CODES = 20
MAX_POINTS = 10**12

POINTS_REFUSALS = {
    "no_points": "the customer has no points to pay with",
    "order_below_minimum": "the order is below the programme's minimum for paying with points",
    "balance_below_minimum": "the balance is below the programme's minimum for paying with points",
    "order_too_small_for_a_point": "the order is too small for even one point to pay part of it",
}


@dataclass(frozen=True, slots=True)
class _Offer:
    kind: Literal["coupon", "promotion"]
    index: int  # in the request's codes; -1 for a promotion
    pool_id: int
    code: str | None
    name: str | None
    typed: str
    rules: CouponRules

    @property
    def order(self) -> tuple[int, int, str]:
        return (self.pool_id, self.index, self.code or "")


def calculate(request: CheckoutRequest, facts: Facts, now: datetime) -> Calculation:
    """The answer for ``request`` given ``facts``; ``CheckoutError`` naming the field and the rule
    for input that cannot be answered (a negative price, more points than the balance or the cap)."""
    check_request(request, facts)
    currency = request.currency
    lines = tuple(CartLine(line.sku, line.quantity, line.price, line.category) for line in request.lines)
    cart = Cart(currency, lines)
    totals = [to_minor(line.total, currency) for line in lines]
    offers, refused = _candidates(request, facts, cart, now)
    chosen = _best(offers, lines, totals, currency)
    refused += [
        Refused(
            "coupon", offer.index, offer.typed, Reason.NOT_STACKABLE.value, MESSAGES[Reason.NOT_STACKABLE]
        )
        for offer in offers
        if offer.kind == "coupon" and offer not in chosen
    ]
    applied, discounts = _apply(chosen, lines, totals, currency)
    after = [total - discount for total, discount in zip(totals, discounts, strict=True)]
    points_minor, points = _points(request, facts, sum(after))
    points_parts = share_out(points_minor, after)
    to_pay = [amount - part for amount, part in zip(after, points_parts, strict=True)]
    points = _with_earned(points, request, facts, discounts, points_parts, now)
    uses, card_refusals = _gift_cards(request, facts, sum(to_pay), now)

    def money(minor: int) -> Decimal:
        return from_minor(minor, currency)

    return Calculation(
        programme=facts.programme.id if facts.programme else None,
        currency=currency,
        lines=tuple(
            LineAnswer(
                line.sku,
                line.category,
                line.quantity,
                line.unit_price,
                money(total),
                money(discount),
                money(part),
                money(left),
            )
            for line, total, discount, part, left in zip(
                lines, totals, discounts, points_parts, to_pay, strict=True
            )
        ),
        applied=applied,
        refused=tuple(sorted(refused + card_refusals, key=lambda r: (r.kind, r.index))),
        subtotal=money(sum(totals)),
        discount=money(sum(discounts)),
        points=points,
        gift_cards=uses,
        to_pay=money(sum(to_pay) - sum(to_minor(use.amount, currency) for use in uses)),
        free_shipping=any(offer.free_shipping for offer in applied),
        tier=_tier(facts.tier),
    )


def check_request(request: CheckoutRequest, facts: Facts) -> None:
    """Refuse what cannot be answered, naming the field (the API's body: ``cart.lines[0].price``)."""
    currency = request.currency
    if not is_currency(currency):
        raise CheckoutError("cart.currency", "unknown_currency", f"{currency!r} is not an ISO 4217 code")
    programme = facts.programme
    if programme is not None and programme.currency != currency:
        raise CheckoutError(
            "cart.currency",
            "wrong_currency",
            f"the cart is in {currency}; programme {programme.id!r} counts in {programme.currency}",
        )
    if not 1 <= len(request.lines) <= MAX_LINES:
        raise CheckoutError("cart.lines", "lines", f"a cart has 1 to {MAX_LINES} lines")
    digits = minor_digits(currency)
    for number, line in enumerate(request.lines):
        if line.quantity < 1:
            raise CheckoutError(f"cart.lines[{number}].quantity", "positive", "a quantity is at least 1")
        _check_money(f"cart.lines[{number}].price", line.price, digits, currency, allow_zero=True)
    if len(request.codes) > MAX_CODES or len(request.gift_cards) > MAX_CODES:
        raise CheckoutError(
            "codes", "too_many", f"at most {MAX_CODES} coupon codes and {MAX_CODES} gift cards"
        )
    for number, offer in enumerate(request.gift_cards):
        if offer.amount is not None:
            _check_money(f"gift_cards[{number}].amount", offer.amount, digits, currency, allow_zero=False)
    if isinstance(request.points, bool) or not 0 <= request.points <= MAX_POINTS:
        raise CheckoutError("points", "not_negative", "points are a whole number, 0 or more")
    if request.points and request.customer_id is None:
        raise CheckoutError("points", "customer_required", "an anonymous cart cannot pay with points")
    if request.points and programme is None:
        raise CheckoutError("points", "no_programme", "no loyalty programme runs in this currency")


def _check_money(field: str, amount: Decimal, digits: int, currency: str, allow_zero: bool) -> None:
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero) or amount > Decimal("1e12"):
        bound = "0 or more" if allow_zero else "over 0"
        raise CheckoutError(field, "not_negative" if amount < 0 else "amount", f"an amount is {bound}")
    if amount != amount.quantize(Decimal(1).scaleb(-digits)):
        raise CheckoutError(
            field, "decimal_places", f"{currency} amounts have at most {digits} decimal places"
        )


def _candidates(
    request: CheckoutRequest, facts: Facts, cart: Cart, now: datetime
) -> tuple[list[_Offer], list[Refused]]:
    """The offers passing every rule but stacking, and the offered codes that do not."""
    offers: list[_Offer] = []
    refused: list[Refused] = []
    seen: set[str] = set()
    segments = request.segments | facts.memberships
    for index, offered in enumerate(facts.coupons):
        coupon = offered.coupon
        if coupon is None:
            reason = offered.problem or "unknown_code"
            refused.append(Refused("coupon", index, offered.typed, reason, offered.problem_message))
            continue
        if coupon.code in seen:
            refused.append(Refused("coupon", index, offered.typed, "duplicate", "the code is offered twice"))
            continue
        seen.add(coupon.code)
        customer = CustomerFacts(request.customer_id, segments, offered.uses_of_pool)
        reason_found = why_not(coupon, cart, customer, now)
        if reason_found is not None:
            refused.append(
                Refused("coupon", index, offered.typed, reason_found.value, MESSAGES[reason_found])
            )
            continue
        offers.append(_Offer("coupon", index, coupon.pool_id, coupon.code, None, offered.typed, coupon.rules))
    for promotion in facts.promotions:
        automatic = Coupon(code="", pool_id=promotion.pool_id, rules=promotion.rules)
        if why_not(automatic, cart, CustomerFacts(request.customer_id, segments), now) is None:
            offers.append(
                _Offer("promotion", -1, promotion.pool_id, None, promotion.name, "", promotion.rules)
            )
    return offers, refused


def _best(
    offers: Sequence[_Offer], lines: Sequence[CartLine], totals: Sequence[int], currency: str
) -> list[_Offer]:
    """The combination the stacking rules allow that is best for the customer (module docstring)."""
    options = [[offer] for offer in offers if offer.rules.stacking.exclusive]
    groups = sorted({offer.rules.stacking.group for offer in offers if not offer.rules.stacking.exclusive})
    options += [
        [o for o in offers if not o.rules.stacking.exclusive and o.rules.stacking.group == group]
        for group in groups
    ]
    if not options:
        return []

    def rank(option: list[_Offer]) -> tuple[int, bool, int, list[tuple[int, int, str]]]:
        _, discounts = _take(option, lines, totals, currency)
        shipping = any(offer.rules.discount.free_shipping for offer in option)
        return (-sum(discounts), not shipping, len(option), sorted(offer.order for offer in option))

    return min(options, key=rank)


def _apply(
    offers: Sequence[_Offer], lines: Sequence[CartLine], totals: Sequence[int], currency: str
) -> tuple[tuple[Applied, ...], list[int]]:
    """Each offer's discount per line, and the discount per line of them all."""
    taken, discounts = _take(offers, lines, totals, currency)
    applied = tuple(
        Applied(
            offer.kind,
            offer.pool_id,
            offer.typed if offer.kind == "coupon" else None,
            offer.name,
            from_minor(sum(parts), currency),
            offer.rules.discount.free_shipping,
            tuple(from_minor(part, currency) for part in parts),
        )
        for offer, parts in taken
    )
    return applied, discounts


def _take(
    offers: Sequence[_Offer], lines: Sequence[CartLine], totals: Sequence[int], currency: str
) -> tuple[list[tuple[_Offer, list[int]]], list[int]]:
    """In minor units: each offer with what it takes off each line, in the order that takes the
    most off; and the discount per line."""
    left = list(totals)
    taken: list[tuple[_Offer, list[int]]] = []
    for offer in sorted(offers, key=_application_order):
        covered = {id(line) for line in eligible_lines(offer.rules, lines)}
        weights = [amount if id(line) in covered else 0 for line, amount in zip(lines, left, strict=True)]
        base = sum(weights)
        discount = offer.rules.discount
        if discount.percent is not None:
            amount = int(base * discount.percent / 100)  # Decimal, exact: rounded down to a minor unit
        elif discount.amount is not None:
            amount = min(to_minor(discount.amount, currency), base)
        else:
            amount = 0
        parts = share_out(amount, weights)
        left = [value - part for value, part in zip(left, parts, strict=True)]
        taken.append((offer, parts))
    return taken, [total - value for total, value in zip(totals, left, strict=True)]


def _application_order(offer: _Offer) -> tuple[int, Decimal, tuple[int, int, str]]:
    discount = offer.rules.discount
    if discount.percent is not None:
        return (0, -discount.percent, offer.order)
    if discount.amount is not None:
        return (1, -discount.amount, offer.order)
    return (2, Decimal(0), offer.order)


def _points(request: CheckoutRequest, facts: Facts, after_minor: int) -> tuple[int, PointsAnswer]:
    """(what the points pay in minor units, the answer so far); refuses more than allowed."""
    programme = facts.programme
    currency = request.currency
    if programme is None or request.customer_id is None:
        return 0, PointsAnswer(facts.balance, 0, "no_points", 0, from_minor(0, currency), 0)
    redeemable = max_redeemable(programme, facts.balance, from_minor(after_minor, currency), facts.tier)
    wanted = request.points
    if wanted > facts.balance:
        raise CheckoutError("points", "balance", f"{wanted} points asked, only {facts.balance} available")
    if wanted and redeemable.refused is not None:
        raise CheckoutError("points", redeemable.refused, POINTS_REFUSALS[redeemable.refused])
    if wanted > redeemable.points:
        share = _share(facts)
        raise CheckoutError(
            "points",
            "max_share",
            f"at most {redeemable.points} points may pay this order (points pay at most {share}% of it)",
        )
    value = wanted * programme.point_value_minor
    answer = PointsAnswer(
        facts.balance, redeemable.points, redeemable.refused, wanted, from_minor(value, currency), 0
    )
    return value, answer


def _share(facts: Facts) -> Decimal:
    assert facts.programme is not None
    tier_share = facts.tier.max_redeem_share_percent if facts.tier is not None else None
    return tier_share or facts.programme.redemption.max_share_percent


def _with_earned(
    points: PointsAnswer,
    request: CheckoutRequest,
    facts: Facts,
    discounts: Sequence[int],
    points_parts: Sequence[int],
    now: datetime,
) -> PointsAnswer:
    programme = facts.programme
    if programme is None:
        return points
    currency = request.currency
    earning = [
        EarningLine(line.sku, line.quantity, line.price, line.category, from_minor(discount + part, currency))
        for line, discount, part in zip(request.lines, discounts, points_parts, strict=True)
    ]
    earned = points_for_order(programme, earning, facts.tier, now).points
    return PointsAnswer(points.balance, points.most, points.refused, points.used, points.value, earned)


def _gift_cards(
    request: CheckoutRequest, facts: Facts, left_minor: int, now: datetime
) -> tuple[tuple[GiftCardUse, ...], list[Refused]]:
    currency = request.currency
    uses: list[GiftCardUse] = []
    refused: list[Refused] = []
    seen: set[str] = set()
    for index, offered in enumerate(facts.gift_cards):
        card = offered.card

        def refuse(reason: str, message: str) -> None:
            refused.append(Refused("gift_card", index, offered.typed, reason, message))  # noqa: B023

        if card is None:
            refuse("unknown_gift_card", offered.problem_message or "no such gift card")
        elif card.code in seen:
            refuse("duplicate", "the gift card is offered twice")
        elif card.currency != currency:
            refuse("wrong_currency", f"the card holds {card.currency}; the cart is in {currency}")
        elif card.expires_at is not None and now >= card.expires_at:
            refuse("expired", "the gift card has expired")
        elif card.available <= 0:
            refuse("no_balance", "nothing is left on the card")
        elif offered.amount is not None and offered.amount > card.available:
            refuse(
                "insufficient_balance", f"the card holds {card.available} {currency}; {offered.amount} asked"
            )
        else:
            seen.add(card.code)
            wanted = to_minor(offered.amount if offered.amount is not None else card.available, currency)
            paying = min(wanted, left_minor)
            left_minor -= paying
            uses.append(GiftCardUse(card.code, card.available, from_minor(paying, currency)))
    return tuple(uses), refused


def _tier(level: Level | None) -> TierAnswer | None:
    if level is None:
        return None
    return TierAnswer(
        level.id, level.title, level.multiplier, level.max_redeem_share_percent, level.privileges
    )
