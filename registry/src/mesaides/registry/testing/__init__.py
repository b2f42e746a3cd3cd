"""Test helpers for the registry and the distributions built on it (the web simulator): a
throwaway PostgreSQL server and the pytest plugin that runs the database tests on it."""
