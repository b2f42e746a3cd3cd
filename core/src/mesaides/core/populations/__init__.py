"""Whole populations as Parquet datasets: generating them, computing aides on them with Dask,
comparing two rule sets on them (``mesaides population``, ``core/docs/populations.md``)."""
