"""Migration 0009 adds the on-site inbox and the way down removes it."""

from sqlalchemy import Engine, inspect

from retentio.db.migrate import current_revision, downgrade, head_revision, upgrade


def test_the_onsite_inbox_comes_and_goes_with_its_migration(engine: Engine) -> None:
    downgrade(engine, "0008")
    assert "onsite_messages" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    assert {index["name"] for index in inspect(engine).get_indexes("onsite_messages")} == {
        "ix_onsite_messages_customer_id_created_at"
    }
