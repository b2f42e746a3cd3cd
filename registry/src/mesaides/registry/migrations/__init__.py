"""Alembic migrations of the registry's schema, run by :func:`mesaides.registry.database.upgrade`."""
