"""Alembic environment of the web simulator's tables (run programmatically by ``db.upgrade``)."""

from __future__ import annotations

from alembic import context

from mesaides.web.db import VERSION_TABLE, metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
    # Only our tables: the registry's live in the same database.
    include_name=lambda name, type_, _parent: type_ != "table" or (name is not None and name.startswith("web_")),
)
with context.begin_transaction():
    context.run_migrations()
