"""The moments an offer becomes due, as derived events in the log that journeys act on: products
running out (``replenishment_due``, OFF-5, with each product's repurchase interval), carts and
views not followed by an order, birthdays and first-order anniversaries, and subscription periods
ending (``offer_due`` with its ``occasion``, OFF-6..OFF-8). See docs/offer-occasions.md.

Other areas reach it through the offers facade (``retentio.offers``)."""
