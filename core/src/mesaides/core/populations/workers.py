"""What runs on a Dask worker: the plugin that loads the rules once per worker, and the task
computing one partition with them (kept apart so that the core imports ``distributed`` only
when it computes on Dask)."""

from __future__ import annotations

import ctypes
import functools
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
        stop_profiling(worker)
        keep_arrays_on_the_heap()
        unpack = Path(tempfile.mkdtemp(prefix="mesaides-candidate-", dir=getattr(worker, "local_directory", None)))
        self.engine = Engine(load_rules_from(self.source, unpack))

    def teardown(self, worker: Any) -> None:
        self.engine = None


M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameters (``<malloc.h>``)."""
HEAP_ARRAYS_UP_TO = 2**30
"""Arrays up to 1 GiB come from the heap (a part's arrays are a few megabytes at most)."""
TRIM_HEAP_ABOVE = 2**31 - 1
"""The heap is not given back on its own (see :func:`_give_back_freed_memory`)."""


def keep_arrays_on_the_heap() -> bool:
    """Have glibc take the engine's arrays from the heap and keep freed memory there for the
    next ones; False where the C library is not glibc.

    Why: the engine makes many temporary arrays of a part's size; above glibc's mmap threshold
    each is mapped afresh, and every page of it faults on its first write. Dask starts its
    workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which also freezes that threshold at 128 KiB:
    the engine computed about three times slower (a partition of 20,000 households in 3.0 s
    instead of 1.1 s); glibc's own growing threshold, which the local cluster used to restore,
    still left a tenth of a worker's time in page faults. Measured on 2 cores (2026-12-05), a
    million households with every aide (93): 23.2 s instead of 26.3 s; with the 16 aides of
    issue 13, 10.3 s instead of 11.5 s. Set here, at run time, it holds on every worker that
    loads the rules, those started by hand (``dask worker``) included.
    """
    libc = _glibc()
    if libc is None:
        return False
    return bool(libc.mallopt(M_MMAP_THRESHOLD, HEAP_ARRAYS_UP_TO) and libc.mallopt(M_TRIM_THRESHOLD, TRIM_HEAP_ABOVE))


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    """The process's C library when it is glibc (loaded once), else None."""
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


PROFILER_CALLBACKS = ("profile", "profile-cycle")
"""The worker's periodic callbacks of Dask's statistical profiler: one samples the stack of
the running task every 10 ms, the other stores the samples of each second in the worker's
history (1,000 seconds of it) for the dashboard."""


def stop_profiling(worker: Any) -> None:
    """Stop Dask's profiler on ``worker`` and drop what it kept.

    Why: the engine's deep and varied call stacks (a formula calling others, for 93 aides) make
    each second's profile a few megabytes, and the worker keeps the last 1,000 seconds of them:
    a worker grew by about 10 MB per partition computed (a million households: 1 GB a worker,
    ten million would pass 2 GB), and the sampling took about a quarter of the worker's processor
    time (0.76 s of 2.85 s a partition, measured on a busy machine). The local cluster's workers start without it (``distributed.worker.profile.enabled``);
    this stops it on workers started by hand (``dask worker``), which load this plugin too.
    """
    for name in PROFILER_CALLBACKS:
        callback = worker.periodic_callbacks.pop(name, None)
        if callback is not None:
            callback.stop()
    for kept in ("profile_history", "profile_keys_history"):
        history = getattr(worker, kept, None)
        if history is not None:
            history.clear()


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

    worker = get_worker()
    plugin = worker.plugins[plugin_name]
    engine = plugin.engine  # type: ignore[attr-defined]
    if engine is None:
        raise RuntimeError("the worker's rules are not loaded")
    try:
        return compute_partition(engine, Path(folder), Path(out), aides, Period.parse(period), months, ignored)
    finally:
        _give_back_freed_memory(worker)


TRIM_ABOVE = 0.75
"""The share of a worker's memory limit above which a task gives freed memory back."""


def _give_back_freed_memory(worker: Any) -> None:
    """Return the memory freed by a partition's computation to the system when ``worker``
    holds more than :data:`TRIM_ABOVE` of its memory limit (always, without a limit).

    Not after every partition: glibc keeps the freed memory for the next partition's arrays
    (a worker holds about 1.4 GB computing every aide on 50,000 households), and giving it back
    each time cost a sixth of a partition's processor time in page faults (measured: 0.32 s of
    system time a partition of 20,000 households instead of 0.10 s; 4.8 s of 24 s a worker for
    a million households in partitions of 50,000). Dask pauses a worker at 80 % of its limit.
    """
    limit = worker.memory_manager.memory_limit
    if limit and worker.monitor.get_process_memory() < TRIM_ABOVE * limit:
        return
    libc = _glibc()
    if libc is not None:  # elsewhere, nothing to do
        libc.malloc_trim(0)
