"""The whole declared schema: importing this module registers every area's tables on METADATA."""

from retentio.api import tables as _api_tables  # noqa: F401
from retentio.catalog import tables as _catalog_tables  # noqa: F401
from retentio.customers import tables as _customer_tables  # noqa: F401
from retentio.db.metadata import METADATA
from retentio.events import tables as _event_tables  # noqa: F401
from retentio.loyalty.checkout import tables as _checkout_tables  # noqa: F401
from retentio.loyalty.club import tables as _club_tables  # noqa: F401
from retentio.loyalty.coupons import tables as _coupon_tables  # noqa: F401
from retentio.loyalty.earning import tables as _loyalty_earning_tables  # noqa: F401
from retentio.loyalty.gift_cards import tables as _gift_card_tables  # noqa: F401
from retentio.loyalty.ledger import tables as _loyalty_ledger_tables  # noqa: F401
from retentio.loyalty.referrals import tables as _referral_tables  # noqa: F401
from retentio.messaging import tables as _messaging_tables  # noqa: F401
from retentio.offers.occasions import tables as _occasion_tables  # noqa: F401
from retentio.offers.policy import tables as _offer_policy_tables  # noqa: F401
from retentio.offers.recs import tables as _recommendation_tables  # noqa: F401
from retentio.orders import tables as _order_tables  # noqa: F401
from retentio.schedule import tables as _schedule_tables  # noqa: F401
from retentio.segments import tables as _segment_tables  # noqa: F401
from retentio.segments.custom import tables as _custom_segment_tables  # noqa: F401

__all__ = ["METADATA"]
