"""What runs on a Dask worker: the plugin that loads the rules once per worker, and the task
computing one partition with them (kept apart so that the core imports ``distributed`` only
when it computes on Dask)."""

from __future__ import annotations

import ctypes
import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distributed import WorkerPlugin

from mesaides.core.periods import Period
from mesaides.core.populations.compute import Summary, compute_partition
from mesaides.core.populations.sources import RuleSource, load_rules_from

if TYPE_CHECKING:
    from mesaides.core.api import Engine


class LoadRules(WorkerPlugin):
    """A Dask worker plugin: each worker loads the rules of ``source`` once, at its start (a
    candidate's wheel unpacked into the worker's own folder), and its tasks share them."""

    idempotent = True
    """Registered again under the same name (another run), it is not loaded again."""

    def __init__(self, source: RuleSource):
        self.source = source
        self.engine: Engine | None = None

    def setup(self, worker: Any) -> None:
        from mesaides.core.api import Engine

        logging.getLogger("distributed.worker").addFilter(_InputErrors())
        unpack = Path(tempfile.mkdtemp(prefix="mesaides-candidate-", dir=getattr(worker, "local_directory", None)))
        self.engine = Engine(load_rules_from(self.source, unpack))

    def teardown(self, worker: Any) -> None:
        self.engine = None


class _InputErrors(logging.Filter):
    """Leaves out the worker's log of a task stopped by a bad population file: the client
    says it plainly (file, column, problem), the worker's traceback would only repeat it."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = str(record.msg)
        return not (
            text.startswith("Compute Failed") and any("PopulationFileError(" in str(a) for a in record.args or ())
        )


def partition_task(
    plugin_name: str, folder: str, out: str, aides: Sequence[str], period: str, months: int, ignored: Sequence[str]
) -> Summary:
    """One partition, on a worker: the engine its :class:`LoadRules` plugin loaded."""
    from distributed import get_worker

    plugin = get_worker().plugins[plugin_name]
    engine = plugin.engine  # type: ignore[attr-defined]
    if engine is None:
        raise RuntimeError("the worker's rules are not loaded")
    try:
        return compute_partition(engine, Path(folder), Path(out), aides, Period.parse(period), months, ignored)
    finally:
        _give_back_freed_memory()


def _give_back_freed_memory() -> None:
    """Return the memory freed by a partition's computation to the system (glibc keeps it
    otherwise, and a worker computing hundreds of partitions grows until Dask pauses it)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to do
        return
    libc.malloc_trim(0)
