"""Tables owned by the customers area: profiles, consents and kind preferences, identities, the
aggregates, and what the models predict of each customer (written by ``retentio models fit``, read
by custom segments)."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime, json_type

ID_LENGTH = 128

customers = Table(
    "customers",
    METADATA,
    Column("customer_id", String(ID_LENGTH), primary_key=True),
    Column("email", String(320), index=True),
    Column("phone", String(32), index=True),
    Column("first_name", String(200)),
    Column("last_name", String(200)),
    Column("birthday", Date),
    Column("timezone", String(64)),
    Column("locale", String(16)),
    # The live push devices' addresses (``push_devices``), kept for the segment rules' ``has_push``
    # and the API's record; written only by ``customers.devices``.
    Column("push_tokens", json_type(), nullable=False, default=list),
    Column("telegram_id", String(64)),
    Column("viber_id", String(64)),
    Column("attributes", json_type(), nullable=False, default=dict),
    # A merged-away record points at the survivor; events for it are routed there.
    Column("merged_into", String(ID_LENGTH), ForeignKey("customers.customer_id")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

consent_changes = Table(
    "consent_changes",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(ID_LENGTH), ForeignKey("customers.customer_id"), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("source", String(200), nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index("ix_consent_changes_customer_channel", "customer_id", "channel", "changed_at"),
)

# Kind preferences (COM-8's preference page): a customer may stop one kind of message (marketing,
# trigger) on a channel while keeping the channel's consent. Only ever subtracts from consent; see
# customers/preferences.py for why this is a table of its own.
kind_preferences = Table(
    "kind_preferences",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(ID_LENGTH), ForeignKey("customers.customer_id"), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("wanted", Boolean, nullable=False),
    Column("source", String(200), nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index("ix_kind_preferences_customer_channel", "customer_id", "channel", "kind", "changed_at"),
)

identities = Table(
    "identities",
    METADATA,
    # An anonymous visitor id known to belong to a customer (CDP-4).
    Column("anonymous_id", String(ID_LENGTH), primary_key=True),
    Column("customer_id", String(ID_LENGTH), ForeignKey("customers.customer_id"), nullable=False),
    Column("identified_at", UtcDateTime, nullable=False),
)

# A customer's app installs and browsers that take push: an FCM or RuStore token, or a web push
# subscription (its endpoint in ``token``, its keys beside). A token is one device's: registering it
# for another customer moves the device. A dead token is kept, removed, with the provider's words.
push_devices = Table(
    "push_devices",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(ID_LENGTH), ForeignKey("customers.customer_id"), nullable=False),
    Column("platform", String(16), nullable=False),  # fcm, rustore, web
    Column("token", Text, nullable=False),
    Column("p256dh", String(255)),
    Column("auth", String(255)),
    Column("app_id", String(255)),
    Column("device_ref", String(255)),  # the app's own id of the device, if it gives one
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("removed_at", UtcDateTime),
    Column("removed_reason", Text),
    UniqueConstraint("platform", "token"),
    Index("ix_push_devices_customer_id", "customer_id"),
)

customer_profiles = Table(
    "customer_profiles",
    METADATA,
    Column(
        "customer_id",
        String(ID_LENGTH),
        ForeignKey("customers.customer_id"),
        primary_key=True,
    ),
    Column("orders", Integer, nullable=False, default=0),
    Column("revenue_minor", BigInteger, nullable=False, default=0),
    Column("currency", String(3)),
    Column("first_order_at", UtcDateTime),
    Column("last_order_at", UtcDateTime),
    Column("previous_order_at", UtcDateTime),
    Column("cancellations", Integer, nullable=False, default=0),
    Column("returns", Integer, nullable=False, default=0),
    Column("returned_minor", BigInteger, nullable=False, default=0),
    Column("coupon_orders", Integer, nullable=False, default=0),
    Column("events", Integer, nullable=False, default=0),
    Column("last_event_at", UtcDateTime),
    Column("last_content_at", UtcDateTime),
    Column("last_browse_at", UtcDateTime),
    Column("last_cart_at", UtcDateTime),
    Column("channel_activity", json_type(), nullable=False, default=dict),
    Column("hour_histogram", json_type(), nullable=False, default=list),
    Column("category_counts", json_type(), nullable=False, default=dict),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_customer_profiles_last_order_at", "last_order_at"),
)


# What the CLV models predict per customer: analytics rewrites it whole (``retentio models fit``);
# custom segments read it in their prediction conditions.
customer_predictions = Table(
    "customer_predictions",
    METADATA,
    Column("customer_id", String(ID_LENGTH), ForeignKey("customers.customer_id"), primary_key=True),
    Column("p_alive", Float),
    # A fixed horizon, so that a segment rule can name the figure; the CLI prints any other horizon.
    Column("expected_purchases_90d", Float),
    Column("predicted_clv", Float),  # an estimate in the store's currency, not a ledger amount
    Column("computed_at", UtcDateTime, nullable=False),
)
