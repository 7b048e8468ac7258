"""Tiers (LOY-3): levels reached by spend or orders over a qualification window, kept until a review
and a grace period say otherwise. Pure decisions; the loyalty facade exports them."""
