"""Preloaded in the local cluster's worker processes: they leave Ctrl-C to the command.

A terminal sends Ctrl-C to the whole process group, workers included; the command stops the
computation and closes the cluster, which stops its workers. A worker handling it too would
only die first, printing a traceback.
"""

from __future__ import annotations

import signal
from typing import Any


def dask_setup(worker: Any) -> None:
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the process's main thread: the worker does not run in a process of its own
        pass
