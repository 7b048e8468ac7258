"""Checkout: the one call a shop makes from its cart (which coupons and automatic promotions apply,
the discount per line, what points may pay and will earn, what gift cards may pay, and why each
offered code does not apply), and the reservation that holds a coupon use, points and a gift card
amount for that cart until the order commits it or a cancellation or timeout releases it.

Owns the table ``checkout_reservations``; spends through the coupons, the ledger and the gift cards
of this area, never through their tables. Other areas use ``retentio.loyalty``, the area's facade."""
