"""Where each customer stands: RFM, lifecycle, Hunt's ladder, bad customers (the built-in families,
their settings, full refresh, daily sweep and upkeep, and the log consumer that keeps them current),
and custom segments (the rule language, compiled to SQL; see ``segments.custom``).

This package is the area's facade: other areas import these names from ``retentio.segments``, never
its modules (``lint-imports`` checks it). ``customer_standing`` is its table, for set-based SQL
reads. The two refresh results are renamed here so they can sit side by side. Each name loads its
module on first use (``retentio.facade``): the built-in families' decisions use NumPy, which the
settings, the custom segments and the table do not need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.segments.config import DEFAULT_CONFIG, UNMATCHED_SEGMENT, Bounds, RfmRule, SegmentsConfig
    from retentio.segments.config_file import ConfigError, load_config
    from retentio.segments.consumer import SegmentsConsumer
    from retentio.segments.custom.errors import InvalidRule, SegmentExists, SegmentNotFound
    from retentio.segments.custom.evaluate import reevaluate_customers
    from retentio.segments.custom.model import Rule
    from retentio.segments.custom.parse import Definition, load_text, parse_definition, parse_rule
    from retentio.segments.custom.service import RefreshResult as CustomRefreshResult
    from retentio.segments.custom.service import (
        SegmentView,
        do_create_segment,
        do_refresh_segment,
        export_members,
        get_segment,
        list_segments,
        refresh_segments,
        segment_members,
        segment_sizes,
    )
    from retentio.segments.custom.store import any_segment
    from retentio.segments.moves_summary import NEW_TO_THE_BASE, lifecycle_moves
    from retentio.segments.reaction import do_refresh_customers
    from retentio.segments.refresh import RefreshResult as StandingRefreshResult
    from retentio.segments.refresh import do_refresh_standing, do_sweep, sweep_hook
    from retentio.segments.standing import get_standing, may_incentivize, not_to_incentivize
    from retentio.segments.tables import customer_standing
    from retentio.segments.upkeep import Schedule, start_upkeep, upkeep_kinds

__all__ = [
    "DEFAULT_CONFIG",
    "NEW_TO_THE_BASE",
    "UNMATCHED_SEGMENT",
    "Bounds",
    "ConfigError",
    "CustomRefreshResult",
    "Definition",
    "InvalidRule",
    "RfmRule",
    "Rule",
    "Schedule",
    "SegmentExists",
    "SegmentNotFound",
    "SegmentView",
    "SegmentsConfig",
    "SegmentsConsumer",
    "StandingRefreshResult",
    "any_segment",
    "customer_standing",
    "do_create_segment",
    "do_refresh_customers",
    "do_refresh_segment",
    "do_refresh_standing",
    "do_sweep",
    "export_members",
    "get_segment",
    "get_standing",
    "lifecycle_moves",
    "list_segments",
    "load_config",
    "load_text",
    "may_incentivize",
    "not_to_incentivize",
    "parse_definition",
    "parse_rule",
    "reevaluate_customers",
    "refresh_segments",
    "segment_members",
    "segment_sizes",
    "start_upkeep",
    "sweep_hook",
    "upkeep_kinds",
]

_EXPORTS = {
    "retentio.segments.config": [
        "DEFAULT_CONFIG",
        "UNMATCHED_SEGMENT",
        "Bounds",
        "RfmRule",
        "SegmentsConfig",
    ],
    "retentio.segments.config_file": ["ConfigError", "load_config"],
    "retentio.segments.consumer": ["SegmentsConsumer"],
    "retentio.segments.custom.errors": ["InvalidRule", "SegmentExists", "SegmentNotFound"],
    "retentio.segments.custom.evaluate": ["reevaluate_customers"],
    "retentio.segments.custom.model": ["Rule"],
    "retentio.segments.custom.parse": ["Definition", "load_text", "parse_definition", "parse_rule"],
    "retentio.segments.custom.service": [
        "RefreshResult as CustomRefreshResult",
        "SegmentView",
        "do_create_segment",
        "do_refresh_segment",
        "export_members",
        "get_segment",
        "list_segments",
        "refresh_segments",
        "segment_members",
        "segment_sizes",
    ],
    "retentio.segments.custom.store": ["any_segment"],
    "retentio.segments.moves_summary": ["NEW_TO_THE_BASE", "lifecycle_moves"],
    "retentio.segments.reaction": ["do_refresh_customers"],
    "retentio.segments.refresh": [
        "RefreshResult as StandingRefreshResult",
        "do_refresh_standing",
        "do_sweep",
        "sweep_hook",
    ],
    # may_incentivize and not_to_incentivize: every offer and reward honours them (docs/segments.md).
    "retentio.segments.standing": ["get_standing", "may_incentivize", "not_to_incentivize"],
    "retentio.segments.tables": ["customer_standing"],
    "retentio.segments.upkeep": ["Schedule", "start_upkeep", "upkeep_kinds"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
