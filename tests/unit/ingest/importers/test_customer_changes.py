"""What a customer row changes on a stored customer: compared as the service would store it."""

from datetime import UTC, datetime

from retentio.customers.models import CustomerRecord, CustomerUpsert
from retentio.ingest.importers.customer_upserts import changes_to

AT = datetime(2026, 1, 1, tzinfo=UTC)


def _stored(**attributes: object) -> CustomerRecord:
    return CustomerRecord(
        customer_id="c-1", email="a@example.com", phone=None, first_name=None, last_name=None,
        birthday=None, timezone=None, locale=None, push_tokens=[], telegram_id=None, viber_id=None,
        attributes=attributes, consents={}, merged_into=None, created_at=AT, updated_at=AT,
    )  # fmt: skip


def test_removing_a_key_that_is_not_there_changes_nothing() -> None:
    assert changes_to(_stored(tier="gold"), CustomerUpsert(attributes={"colour": None})) is None


def test_a_changed_attribute_is_sent_as_the_change_alone() -> None:
    change = changes_to(_stored(tier="gold", city="Omsk"), CustomerUpsert(attributes={"tier": "silver"}))
    assert change is not None
    assert change.attributes == {"tier": "silver"}
