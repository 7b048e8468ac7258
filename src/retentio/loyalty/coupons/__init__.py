"""Coupons: readable codes with enough randomness that guessing is hopeless, pools generated in bulk,
the rules a code carries (``why_not``), uses reserved for a cart and counted exactly once, and
validation that refuses guessers. Other areas use ``retentio.loyalty``, the area's facade."""
