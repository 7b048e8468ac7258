"""The store: engine setup (SQLite, PostgreSQL), the shared metadata, column types, migrations."""
