"""The demo catalogue: products with prices, margins, premium variants, complements and
consumption periods (CDP-2), plus the column view the simulator draws from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from retentio.sim.config import SimConfig
from retentio.sim.vocabulary import CATEGORIES, CategorySpec

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
MAX_COMPLEMENTS = 3


@dataclass(frozen=True, slots=True)
class SimProduct:
    sku: str
    name: str
    category: str
    brand: str
    price: Decimal
    margin: Decimal  # share of the price the store keeps, 0..1
    premium_variant_of: str | None
    complements: tuple[str, ...]
    consumption_days: int | None  # days one unit lasts; None for durable goods


@dataclass(frozen=True)
class CatalogueColumns:
    """The catalogue as arrays indexed by product position, for vectorised picks."""

    category: IntArray
    price_kopecks: IntArray
    consumption_days: IntArray  # 0 for durable goods
    premium_of: IntArray  # position of a base product's premium variant, -1 if none
    complements: IntArray  # (products, MAX_COMPLEMENTS), padded with -1
    complement_count: IntArray
    base_by_category: IntArray  # positions of base products grouped by category ...
    category_start: IntArray  # ... each category's group starts here
    category_size: IntArray
    category_weight: FloatArray


def build_products(config: SimConfig, rng: np.random.Generator) -> list[SimProduct]:
    """A few hundred products over the categories, then premium variants and complements."""
    base_count = max(len(CATEGORIES), round(config.products * (1 - config.premium_share)))
    weights = np.array([spec.weight for spec in CATEGORIES])
    per_category = np.maximum(3, np.round(base_count * weights / weights.sum())).astype(int)
    drafts: list[SimProduct] = []
    for spec, count in zip(CATEGORIES, per_category.tolist(), strict=True):
        drafts.extend(_base_products(spec, count, rng))
    drafts.extend(_premium_variants(drafts, config.products - len(drafts), rng))
    return _with_complements(drafts, rng)


def _base_products(spec: CategorySpec, count: int, rng: np.random.Generator) -> list[SimProduct]:
    prices = spec.median_rub * rng.lognormal(0.0, 0.45, size=count)
    products = []
    for number in range(count):
        noun, days = spec.nouns[number % len(spec.nouns)]
        brand = spec.brands[int(rng.integers(len(spec.brands)))]
        series = number // len(spec.nouns)
        name = f"{noun} «{brand}»" + (f", серия {series + 1}" if series else "")
        margin = min(0.8, max(0.05, spec.margin + float(rng.normal(0.0, 0.05))))
        products.append(
            SimProduct(
                sku=f"{spec.code}-{number + 1:04d}",
                name=name,
                category=spec.name,
                brand=brand,
                price=_shelf_price(float(prices[number])),
                margin=Decimal(f"{margin:.2f}"),
                premium_variant_of=None,
                complements=(),
                consumption_days=None if days is None else _spread_days(days, rng),
            )
        )
    return products


def _premium_variants(
    bases: list[SimProduct],
    count: int,
    rng: np.random.Generator,
) -> list[SimProduct]:
    chosen = rng.choice(len(bases), size=min(max(count, 0), len(bases)), replace=False)
    variants = []
    for position in sorted(chosen.tolist()):
        base = bases[position]
        uplift = float(rng.uniform(1.6, 2.4))
        variants.append(
            SimProduct(
                sku=f"{base.sku}-PRO",
                name=f"{base.name} Premium",
                category=base.category,
                brand=base.brand,
                price=_shelf_price(float(base.price) * uplift),
                # Premium lines carry a better margin: that is why upselling them pays.
                margin=min(Decimal("0.9"), base.margin + Decimal("0.10")),
                premium_variant_of=base.sku,
                complements=(),
                consumption_days=base.consumption_days,
            )
        )
    return variants


def _with_complements(products: list[SimProduct], rng: np.random.Generator) -> list[SimProduct]:
    code_of = {spec.name: spec.code for spec in CATEGORIES}
    complement_codes = {spec.code: spec.complements for spec in CATEGORIES}
    bases_by_code: dict[str, list[str]] = {}
    for product in products:
        if product.premium_variant_of is None:
            bases_by_code.setdefault(product.sku.split("-")[0], []).append(product.sku)
    result = []
    for product in products:
        pool = [
            sku
            for code in complement_codes[code_of[product.category]]
            for sku in bases_by_code.get(code, [])
            if sku != product.sku and sku != product.premium_variant_of
        ]
        size = min(len(pool), int(rng.integers(1, MAX_COMPLEMENTS + 1)))
        picks = rng.choice(len(pool), size=size, replace=False).tolist() if size else []
        result.append(_replace_complements(product, tuple(pool[i] for i in picks)))
    return result


def _replace_complements(product: SimProduct, complements: tuple[str, ...]) -> SimProduct:
    return SimProduct(
        sku=product.sku,
        name=product.name,
        category=product.category,
        brand=product.brand,
        price=product.price,
        margin=product.margin,
        premium_variant_of=product.premium_variant_of,
        complements=complements,
        consumption_days=product.consumption_days,
    )


def _shelf_price(rubles: float) -> Decimal:
    """Round to a shelf price ending in 9 (849, 1 299) the way Russian shops price."""
    return Decimal(max(99, round(rubles / 10) * 10 - 1)).quantize(Decimal("0.01"))


def _spread_days(days: int, rng: np.random.Generator) -> int:
    return max(7, round(days * float(rng.uniform(0.75, 1.35))))


def catalogue_columns(products: list[SimProduct]) -> CatalogueColumns:
    """Index the catalogue by position so picks, prices and upsells are array lookups."""
    position = {product.sku: index for index, product in enumerate(products)}
    category_index = {spec.name: index for index, spec in enumerate(CATEGORIES)}
    category = np.array([category_index[p.category] for p in products], dtype=np.int64)
    premium_of = np.full(len(products), -1, dtype=np.int64)
    complements = np.full((len(products), MAX_COMPLEMENTS), -1, dtype=np.int64)
    for index, product in enumerate(products):
        if product.premium_variant_of is not None:
            premium_of[position[product.premium_variant_of]] = index
        for slot, sku in enumerate(product.complements):
            complements[index, slot] = position[sku]
    is_base = np.array([p.premium_variant_of is None for p in products])
    base_positions = np.flatnonzero(is_base)
    base_by_category = base_positions[np.argsort(category[base_positions], kind="stable")]
    sizes = np.bincount(category[base_positions], minlength=len(CATEGORIES)).astype(np.int64)
    return CatalogueColumns(
        category=category,
        price_kopecks=np.array([int(p.price * 100) for p in products], dtype=np.int64),
        consumption_days=np.array([p.consumption_days or 0 for p in products], dtype=np.int64),
        premium_of=premium_of,
        complements=complements,
        complement_count=(complements >= 0).sum(axis=1).astype(np.int64),
        base_by_category=base_by_category.astype(np.int64),
        category_start=(np.cumsum(sizes) - sizes).astype(np.int64),
        category_size=sizes,
        category_weight=np.array([spec.weight for spec in CATEGORIES], dtype=np.float64),
    )
