"""Customers: records and their write and read paths, per-channel consent and kind preferences,
identity (visitors become customers), the push devices of each, the running profile of each customer
(the fold ingest applies) and its storage, the customers area's part of a merge, and a quick summary
of the base.

This package is the area's facade: other areas import these names from ``retentio.customers``, never
its modules (``lint-imports`` checks it). ``customers``, ``customer_profiles`` and
``customer_predictions`` are its tables, for set-based SQL reads. Each name loads its module on first
use (``retentio.facade``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.customers.consent import (
        ConsentInForce,
        changes_that_differ,
        consent_history,
        consents_in_force,
        load_consent_timelines,
        record_consent_changes,
    )
    from retentio.customers.contacts import Contacts, load_contacts
    from retentio.customers.devices import (
        APP_PLATFORMS,
        NotAPushToken,
        PushDevice,
        do_register_push_device,
        do_unregister_push_device,
        live_push_devices,
        remove_push_devices,
    )
    from retentio.customers.identity import claim_anonymous_histories, link_visitors, resolve_subjects
    from retentio.customers.merge import MergeRefused, lock_for_merge, merge_records
    from retentio.customers.models import (
        Channel,
        ConsentChange,
        CustomerRecord,
        CustomerUpsert,
        PushDeviceRegistration,
    )
    from retentio.customers.preferences import (
        OPTIONAL_KINDS,
        load_preference_timelines,
        opt_outs_in_force,
        preference_changes_that_differ,
        record_preference_changes,
    )
    from retentio.customers.profile import ProfileDraft, add_activity, add_contribution, set_order_dates
    from retentio.customers.service import (
        AttributesTooLarge,
        InvalidCustomerChange,
        check_attributes_size,
        check_customer_change,
        do_upsert_customer,
        do_upsert_customers,
        get_customer,
        get_profile,
        merge_attributes,
    )
    from retentio.customers.store import (
        canonical_ids,
        forget_profiles,
        known_identities,
        load_profiles,
        save_profiles,
    )
    from retentio.customers.summary import BaseSummary, base_summary
    from retentio.customers.tables import customer_predictions, customer_profiles, customers

__all__ = [
    "APP_PLATFORMS",
    "OPTIONAL_KINDS",
    "AttributesTooLarge",
    "BaseSummary",
    "Channel",
    "ConsentChange",
    "ConsentInForce",
    "Contacts",
    "CustomerRecord",
    "CustomerUpsert",
    "InvalidCustomerChange",
    "MergeRefused",
    "NotAPushToken",
    "ProfileDraft",
    "PushDevice",
    "PushDeviceRegistration",
    "add_activity",
    "add_contribution",
    "base_summary",
    "canonical_ids",
    "changes_that_differ",
    "check_attributes_size",
    "check_customer_change",
    "claim_anonymous_histories",
    "consent_history",
    "consents_in_force",
    "customer_predictions",
    "customer_profiles",
    "customers",
    "do_register_push_device",
    "do_unregister_push_device",
    "do_upsert_customer",
    "do_upsert_customers",
    "forget_profiles",
    "get_customer",
    "get_profile",
    "known_identities",
    "link_visitors",
    "live_push_devices",
    "load_consent_timelines",
    "load_contacts",
    "load_preference_timelines",
    "load_profiles",
    "lock_for_merge",
    "merge_attributes",
    "merge_records",
    "opt_outs_in_force",
    "preference_changes_that_differ",
    "record_consent_changes",
    "record_preference_changes",
    "remove_push_devices",
    "resolve_subjects",
    "save_profiles",
    "set_order_dates",
]

_EXPORTS = {
    "retentio.customers.contacts": ["load_contacts", "Contacts"],
    "retentio.customers.consent": [
        "record_consent_changes",
        "load_consent_timelines",
        "consents_in_force",
        "changes_that_differ",
        "ConsentInForce",
        "consent_history",
    ],
    "retentio.customers.devices": [
        "APP_PLATFORMS",
        "NotAPushToken",
        "PushDevice",
        "do_register_push_device",
        "do_unregister_push_device",
        "live_push_devices",
        "remove_push_devices",
    ],
    "retentio.customers.identity": ["claim_anonymous_histories", "link_visitors", "resolve_subjects"],
    "retentio.customers.merge": ["MergeRefused", "lock_for_merge", "merge_records"],
    "retentio.customers.models": [
        "Channel",
        "ConsentChange",
        "CustomerRecord",
        "CustomerUpsert",
        "PushDeviceRegistration",
    ],
    "retentio.customers.preferences": [
        "OPTIONAL_KINDS",
        "load_preference_timelines",
        "opt_outs_in_force",
        "preference_changes_that_differ",
        "record_preference_changes",
    ],
    "retentio.customers.profile": ["ProfileDraft", "add_activity", "add_contribution", "set_order_dates"],
    "retentio.customers.service": [
        "AttributesTooLarge",
        "InvalidCustomerChange",
        "check_attributes_size",
        "check_customer_change",
        "do_upsert_customer",
        "do_upsert_customers",
        "get_customer",
        "get_profile",
        "merge_attributes",
    ],
    "retentio.customers.store": [
        "canonical_ids",
        "forget_profiles",
        "known_identities",
        "load_profiles",
        "save_profiles",
    ],
    "retentio.customers.summary": ["BaseSummary", "base_summary"],
    "retentio.customers.tables": ["customer_predictions", "customer_profiles", "customers"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
