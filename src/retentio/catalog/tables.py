"""Tables owned by the catalogue: products and their relations (CDP-2)."""

from sqlalchemy import BigInteger, Column, Integer, Numeric, String, Table

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime, json_type

products = Table(
    "products",
    METADATA,
    Column("sku", String(128), primary_key=True),
    Column("name", String(500), nullable=False),
    Column("category", String(200), index=True),
    Column("brand", String(200)),
    Column("price_minor", BigInteger),
    Column("currency", String(3)),
    # Share of the price kept as margin, 0..1; exact decimal, never float.
    Column("margin", Numeric(6, 4, asdecimal=True)),
    Column("premium_variant_of", String(128), index=True),
    Column("complements", json_type(), nullable=False, default=list),
    Column("consumption_days", Integer),
    Column("attributes", json_type(), nullable=False, default=dict),
    Column("updated_at", UtcDateTime, nullable=False),
)
