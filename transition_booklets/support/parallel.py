"""Worker processes that start with everything this process has prepared.

Forked workers inherit the loaded school, the compiled theme and the warm caches, so
nothing is prepared twice. What a worker needs is handed to it through the pool's
initializer (:func:`fork_pool`'s ``initargs``, which a forked process receives as they are,
without pickling), never planted in a module global before the fork. Typst's threads do not survive a fork, so a process that has
already typeset a booklet (a long-lived preview, a test run) must not fork workers that
typeset; see :func:`can_fork`.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def cores() -> int:
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether forked workers are possible here and safe (no Typst compiler in this process yet)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    booklet = sys.modules.get("transition_booklets.booklet.typeset")
    return booklet is None or not booklet.typst_started()


@contextlib.contextmanager
def fork_pool(
    jobs: int, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[ProcessPoolExecutor]:
    """``jobs`` forked worker processes, for a ``with`` block (check :func:`can_fork` first).

    Each worker first runs ``initializer(*initargs)``; with the fork start method the
    arguments reach the worker as objects in its copy of this process's memory.

    While the pool runs, everything this process holds is frozen out of the garbage collector,
    so the workers' collections do not write to (and so copy) the memory they share with it.
    """
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=initializer, initargs=initargs) as pool:
            yield pool
    finally:
        gc.unfreeze()


def one_typst_thread() -> None:
    """In a worker process: Typst typesets on one thread.

    The workers already keep every core busy; Typst's own helper threads would only compete
    with the other workers (measured: about a tenth more processor time per booklet). Typst
    reads this setting when it starts its threads, at the worker's first booklet.
    """
    os.environ.setdefault("RAYON_NUM_THREADS", "1")
