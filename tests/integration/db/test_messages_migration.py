"""Migration 0009 adds messaging's tables and the way down removes them."""

from sqlalchemy import Engine, inspect

from retentio.db.migrate import current_revision, downgrade, head_revision, upgrade

TABLES = {"messages", "message_templates", "suppressions", "messaging_secrets", "onsite_messages"}


def test_messaging_s_tables_come_and_go_with_their_migration(engine: Engine) -> None:
    downgrade(engine, "0008")
    assert not TABLES & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    assert {index["name"] for index in inspect(engine).get_indexes("onsite_messages")} == {
        "ix_onsite_messages_customer_id_created_at"
    }
