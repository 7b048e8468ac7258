"""Referrals (LOY-4): each customer's personal code and link, the friends attributed to it (by a
``referral`` event or an ``order_placed`` carrying ``referral_code``), the refusals of the fraud rules
with their reasons, and the rewards of both sides once the friend's first paid order outlives its
return window. See docs/referrals-and-club.md.

Other areas reach it through the loyalty facade (``retentio.loyalty``)."""
