"""Joins the ``/calculate`` requests that arrive together into one engine run.

The engine computes a whole population with one evaluation per formula and period, so most of
its cost for one household is fixed: forty households cost little more than one
(:meth:`mesaides.core.Engine.calculate_many`). While a run computes, the requests that arrive
wait in a queue; the next run takes all of them. A lone request is computed at once, so that
joining costs nothing when the server is quiet, and under load the runs grow with the load
instead of the queue.

A run computes in the batcher's own thread, never on the event loop: while it computes, the
process keeps reading requests and answering pages (the engine's numpy work releases the
interpreter's lock, and Python hands the lock over between threads every few milliseconds).
One thread per process: the runs follow each other, so a second thread would only make two
runs share the processor.

Pages first: a person waiting for a results page is served before API clients. While a page of
this process computes (:meth:`CalculationBatcher.page`), the batcher starts no new run (for at
most :data:`MAX_DEFERRAL` seconds per run, so that the API is never starved); the page then
shares the processor with at most the run already under way.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from mesaides.core import Engine

MAX_JOINED = 64
"""At most this many requests per run, so that none waits behind a very long one."""
MAX_DEFERRAL = 0.2
"""Seconds a run may wait for the pages being computed to finish."""
DEFERRAL_STEP = 0.002


class CalculationBatcher:
    """One per server process: ``await batcher.calculate(situation)``."""

    def __init__(self, engine: Engine, max_joined: int = MAX_JOINED):
        self.engine = engine
        self.max_joined = max_joined
        self._waiting: list[tuple[Any, asyncio.Future]] = []
        self._running: asyncio.Task | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mesaides-calculate")
        self._pages = 0
        self._pages_lock = threading.Lock()

    @contextmanager
    def page(self) -> Iterator[None]:
        """Around a page's computation (in any thread): no new run starts meanwhile."""
        with self._pages_lock:
            self._pages += 1
        try:
            yield
        finally:
            with self._pages_lock:
                self._pages -= 1

    def close(self) -> None:
        """Stop the batcher's thread once the current run, if any, is over."""
        self._thread.shutdown(wait=False, cancel_futures=True)

    async def calculate(self, situation: Any) -> dict[str, Any]:
        """The situation with its ``null`` values filled, as :meth:`Engine.calculate` gives it.

        :raises SituationError, ComputationError, PeriodError: this situation's own error.
        """
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._waiting.append((situation, future))
        if self._running is None:
            self._running = loop.create_task(self._drain())
        outcome = await future
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def _drain(self) -> None:
        try:
            while self._waiting:
                # One turn of the event loop: requests already read join this run.
                await asyncio.sleep(0)
                deadline = time.monotonic() + MAX_DEFERRAL
                while self._pages and time.monotonic() < deadline:
                    await asyncio.sleep(DEFERRAL_STEP)
                batch = self._waiting[: self.max_joined]
                del self._waiting[: self.max_joined]
                situations = [situation for situation, _ in batch]
                try:
                    outcomes = await asyncio.get_running_loop().run_in_executor(
                        self._thread, self.engine.calculate_many, situations
                    )
                except Exception as exc:  # a bug in a formula or the engine: answer, do not hang
                    outcomes = [exc] * len(batch)
                for (_, future), outcome in zip(batch, outcomes):
                    if not future.done():
                        future.set_result(outcome)
        finally:
            self._running = None
