"""The points ledger's tables: the entries (the one truth, append-only), the lots accruals create,
which lots each entry took points from, and the balance cached per programme and customer."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    text,
)

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime

ID_LENGTH = 128
PROGRAMME_LENGTH = 64
SOURCE_LENGTH = 255
KINDS = (
    "accrual",
    "activation",
    "redemption",
    "expiry",
    "reversal",
    "adjustment",
    "transfer",
    "debt",
    "repayment",
)

loyalty_entries = Table(
    "loyalty_entries",
    METADATA,
    # INTEGER on SQLite so the id is the rowid; BIGINT elsewhere: every order and expiry is a row.
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("programme", String(PROGRAMME_LENGTH), nullable=False),
    Column("customer_id", String(ID_LENGTH), nullable=False),
    Column("kind", String(16), nullable=False),
    # What caused it (``order:<id>:<rule>``, ``action:<id>``, ``adjustment:<id>``, ``lot:<id>:<n>``):
    # the unique key below makes a resent order, a retried call or a rerun night count once.
    Column("source", String(SOURCE_LENGTH), nullable=False),
    # The change to each part of the balance; the balance is their sum.
    Column("available", BigInteger, nullable=False),
    Column("pending", BigInteger, nullable=False),
    Column("debt", BigInteger, nullable=False),
    # Points a return could not take back under the ``block`` policy: written off, in plain sight.
    Column("shortfall", BigInteger, nullable=False, server_default=text("0")),
    # The lot this entry changed alone (activation, expiry). A lot's id is the id of the entry that
    # created it (an accrual, a positive adjustment, a transfer in); entries that take from lots
    # (redemptions, returns, repayments) list them in ``loyalty_lot_uses``.
    Column("lot_id", BigInteger),
    # The entry this one reverses (a redemption cancelled, an accrual returned).
    Column("reverses", BigInteger),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("actor", String(ID_LENGTH), nullable=False),
    Column("reason", String(SOURCE_LENGTH), nullable=False),
    UniqueConstraint("programme", "customer_id", "kind", "source"),
    CheckConstraint(f"kind IN ({', '.join(repr(kind) for kind in KINDS)})", name="kind"),
    Index("ix_loyalty_entries_customer_id_programme_id", "customer_id", "programme", "id"),
)

loyalty_lots = Table(
    "loyalty_lots",
    METADATA,
    # The id of the entry that created the lot.
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("programme", String(PROGRAMME_LENGTH), nullable=False),
    Column("customer_id", String(ID_LENGTH), nullable=False),
    Column("amount", BigInteger, nullable=False),
    # What is left: the amount less what redemptions, returns, repayments and expiries took.
    Column("remaining", BigInteger, nullable=False),
    # Points taken back by returns of the accrual so far (a partial return is proportional to it).
    Column("returned", BigInteger, nullable=False, server_default=text("0")),
    # Points expiries took so far: part of each expiry's source key (``lot:<id>:<expired before>``),
    # so a lot that expires, gets points back from a cancelled redemption and expires again, counts twice.
    Column("expired", BigInteger, nullable=False, server_default=text("0")),
    Column("active_at", UtcDateTime, nullable=False),
    Column("activated", Integer, nullable=False),
    Column("expires_at", UtcDateTime),
    # The sender's lot a transferred lot's points came from (a gift, a merge of two customers): a
    # return of the order that earned them follows a merge's lots to the surviving customer.
    Column("origin_id", BigInteger),
    CheckConstraint("remaining >= 0 AND remaining <= amount", name="remaining"),
    Index("ix_loyalty_lots_customer_id_programme", "customer_id", "programme"),
    # The nightly work finds its lots by these, and only lots with something left are indexed.
    Index(
        "ix_loyalty_lots_active_at",
        "active_at",
        sqlite_where=text("activated = 0"),
        postgresql_where=text("activated = 0"),
    ),
    Index(
        "ix_loyalty_lots_expires_at",
        "expires_at",
        sqlite_where=text("remaining > 0 AND expires_at IS NOT NULL"),
        postgresql_where=text("remaining > 0 AND expires_at IS NOT NULL"),
    ),
    Index(
        "ix_loyalty_lots_origin_id",
        "origin_id",
        sqlite_where=text("origin_id IS NOT NULL"),
        postgresql_where=text("origin_id IS NOT NULL"),
    ),
)

# Which lots an entry took points from (a redemption, a return, a repayment, a transfer out, a
# negative adjustment), so its reversal restores exactly those; restoring is a negative use.
loyalty_lot_uses = Table(
    "loyalty_lot_uses",
    METADATA,
    Column("entry_id", BigInteger, nullable=False),
    Column("lot_id", BigInteger, nullable=False),
    Column("points", BigInteger, nullable=False),
    PrimaryKeyConstraint("entry_id", "lot_id"),
    Index("ix_loyalty_lot_uses_lot_id", "lot_id"),
)

# The sums of the entries per programme and customer, updated in the entry's transaction; the row is
# also the lock every change of that balance takes first.
loyalty_balances = Table(
    "loyalty_balances",
    METADATA,
    Column("programme", String(PROGRAMME_LENGTH), nullable=False),
    Column("customer_id", String(ID_LENGTH), nullable=False),
    Column("available", BigInteger, nullable=False),
    Column("pending", BigInteger, nullable=False),
    Column("debt", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("programme", "customer_id"),
    CheckConstraint("available >= 0 AND pending >= 0 AND debt >= 0", name="not_negative"),
)
