"""The membership club (LOY-5): terms bought with an order of the club product or earned by buying
(or granted by the tiers, through ``do_join_club``), the membership they add up to, renewal reminders
and lapses after the grace period, and the flag offers read (``is_club_member``). See
docs/referrals-and-club.md.

Other areas reach it through the loyalty facade (``retentio.loyalty``)."""
