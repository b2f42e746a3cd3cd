"""Databases for tests of the registry and of the distributions built on it (the web simulator):
a throwaway PostgreSQL server (``postgres``) and the pytest plugin (``pytest_plugin``) that runs
the tests using a database on it with ``--database=postgresql``."""
