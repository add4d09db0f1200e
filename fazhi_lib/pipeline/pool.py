"""Worker processes for `fazhi build --jobs N`: batches of files parsed by `worker.parse_batch` in a
process pool, each worker warmed up once (rules, division table, tokeniser dictionary: pure jieba's
own parallel mode would drop the domain dictionary).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

from ..errors import FazhiError
from .worker import parse_batch, warm_up

MAX_BATCH = 32  # files per task: big enough to hide the hand-over, small enough to balance the load


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def check_jobs(jobs) -> int:
    """`jobs` as a whole number ≥ 1 (0 or None: all cores), or a clear error."""
    if jobs is None or jobs == 0:
        return default_jobs()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
        raise FazhiError(f"`jobs` = {jobs!r} is not valid; choose a whole number of 1 or more (0: all cores).")
    return jobs


def batches(items: list, jobs: int) -> list[list]:
    """Consecutive batches, about 8 per worker (so a slow batch does not hold the others up)."""
    if not items:
        return []
    size = max(1, min(MAX_BATCH, len(items) // (max(jobs, 1) * 8) or 1))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _mp_context():
    # fork (Linux) starts a worker in milliseconds with everything the parent loaded; elsewhere the
    # platform's default (spawn) re-imports fazhi in each worker.
    if sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def run_pool(work: list[list[tuple[str, str]]], jobs: int, env: dict[str, str]) -> Iterator[list]:
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context(), initializer=warm_up, initargs=(env,)) as pool:
        yield from pool.map(parse_batch, work)  # the initializer has set the environment
