"""Worker processes for `fazhi build --jobs N`: batches of files parsed by `worker.parse_task` in
worker processes that fazhi starts and watches itself, each warmed up once (rules, division table,
tokeniser dictionary: pure jieba's own parallel mode would drop the domain dictionary).

A build survives its workers: each worker sends every file's result as soon as it is parsed, so when
one dies (killed by the out-of-memory killer, a crash in a C library) the parent knows which file
it was on. That file is tried once more, alone, in a fresh worker; if that worker dies too, the file
becomes an `error` row ("the worker parsing this file died: out of memory?") and the build goes on.
Every wait has a timeout: a file that takes longer than `FILE_TIMEOUT` seconds is stopped and logged.
Workers end with the build, and on their own when the main process dies (they watch their parent).

A batch can also be *finished* in the worker that parses it (`run_pool_finishing`): the worker parses
every file of the batch, sends a small marker per file (so the parent still knows which file it is on),
then calls the batch's finisher on the results (a build: stack them and write them as one part,
`stream.finish_batch`) and sends what it returns. The parent then never receives, nor stacks, the
rows. If that worker dies (or the finisher fails), the batch is parsed again as a plain batch — the
files before the one it died on too, since their rows died with it — and the file it died on is tried
alone, as above: the tables are the same, the cost is time.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from multiprocessing.connection import wait
from typing import NamedTuple

from ..errors import FazhiError
from .worker import log_only, parse_task, task_source_file, warm_up

MAX_BATCH = 32  # files per task: big enough to hide the hand-over, small enough to balance the load
FILE_TIMEOUT = 900.0  # seconds one file may take in a worker before it is stopped and logged
POLL = 0.5  # seconds between checks of the workers (every wait has this timeout)


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


def peak_memory_mb() -> float:
    """The peak resident memory of this process so far, MB (0 where the platform does not say)."""
    try:
        import resource
    except ImportError:  # pragma: no cover (Windows)
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def _mp_context():
    # fork (Linux) starts a worker in milliseconds with everything the parent loaded; elsewhere the
    # platform's default (spawn) re-imports fazhi in each worker.
    if sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _watch_parent(parent_pid: int) -> None:
    """End this worker as soon as the process that started it is gone (no orphans)."""
    while True:
        time.sleep(POLL)
        if os.getppid() != parent_pid:
            os._exit(1)


def _worker_main(conn, env: dict[str, str], parent_pid: int, parent_end) -> None:
    """A worker: warm up, then parse the files of each job it receives, sending each result at once."""
    if parent_end is not None:
        parent_end.close()  # fork: the parent's end of this pipe; closed, the pipe ends with the parent
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle: it stops us
    warm_up(env)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            if isinstance(job, tuple):  # ("finish", tasks, finisher, spec): parsed, then finished here
                _, tasks, finisher, spec = job
                results = []
                for task in tasks:
                    results.append(parse_task(task))
                    conn.send(_Parsed(results[-1].source_file))
                try:
                    conn.send(("done", finisher(spec, results)))
                except Exception as exc:  # noqa: BLE001 - the parent parses the batch again, plainly
                    conn.send(("failed", f"{type(exc).__name__}: {exc}"))
                del results
                continue
            for task in job:
                conn.send(parse_task(task))
        except (BrokenPipeError, OSError):
            return


class _Parsed(NamedTuple):
    """The marker a worker finishing its batch sends for each file parsed."""

    source_file: str


def _signal_name(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


class _Worker:
    __slots__ = ("process", "conn", "job", "done", "since")

    def __init__(self, ctx, env: dict[str, str]):
        parent_end, child_end = ctx.Pipe()
        fork = ctx.get_start_method() == "fork"
        self.process = ctx.Process(
            target=_worker_main, args=(child_end, env, os.getpid(), parent_end if fork else None), daemon=True
        )
        self.process.start()
        child_end.close()
        self.conn, self.job, self.done, self.since = parent_end, None, 0, 0.0

    def give(self, job) -> None:
        self.job, self.done, self.since = job, 0, time.monotonic()
        b, _, tasks, _, finisher = job
        self.conn.send(tasks if finisher is None else ("finish", tasks, *finisher))

    def stop(self, *, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except OSError:
                kill = True
        if kill and self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        if self.process.is_alive():  # pragma: no cover - a worker that ignores its stop
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()


def run_pool(
    work: list[list[tuple]], jobs: int, env: dict[str, str], *, file_timeout: float = FILE_TIMEOUT
) -> Iterator[tuple[int, list]]:
    """(batch number, results) for each batch of tasks in `work`, as the batches complete.

    A job is (batch number, positions in the batch, tasks, try, finisher): a file whose worker died is
    tried again alone (try 1) in a fresh worker; a second death, or a file over `file_timeout`, makes it
    an `error` row."""
    for b, results, _ in run_pool_finishing(work, jobs, env, file_timeout=file_timeout):
        yield b, results


def run_pool_finishing(
    work: list[list[tuple]],
    jobs: int,
    env: dict[str, str],
    *,
    finish: dict[int, tuple] | None = None,
    file_timeout: float = FILE_TIMEOUT,
) -> Iterator[tuple[int, list, object]]:
    """(batch number, results, finished) for each batch of tasks in `work`, as the batches complete.

    `finish`: batch number → (finisher, spec), a module-level function and its first argument: the
    worker parsing that batch calls `finisher(spec, results)` itself and `finished` is what it returns,
    `results` being markers (`.source_file` only). A batch not finished so (none asked, or its worker
    died) comes with its results and `finished` None. Batches to finish are given out first."""
    ctx = _mp_context()
    finish = dict(finish or {})
    results = [[None] * len(batch) for batch in work]
    missing = [len(batch) for batch in work]
    outputs: dict[int, object] = {}
    queue: deque = deque(
        (b, list(range(len(batch))), list(batch), 0, finish.get(b))
        for b, batch in sorted(enumerate(work), key=lambda x: x[0] not in finish)
        if batch
    )
    workers: list[_Worker] = []
    finished: list[int] = []

    def record(b: int, position: int, result) -> None:
        results[b][position] = result
        missing[b] -= 1
        if missing[b] == 0 and b not in finish:
            finished.append(b)

    def lost(w: _Worker, why: str, *, timed_out: bool = False) -> None:
        """`w` died (or was stopped) on the file at `w.done` of its job."""
        b, positions, tasks, attempt, finisher = w.job
        k = w.done
        if finisher is not None:  # the rows of the files it parsed died with it: the batch, plainly
            finish.pop(b, None)
            for p in positions[:k]:
                results[b][p] = None
                missing[b] += 1
            if k == len(tasks):  # died finishing: every file once more
                queue.appendleft((b, positions, tasks, 0, None))
                w.job = None
                workers.remove(w)
                w.stop(kill=True)
                return
            if k:
                queue.appendleft((b, positions[:k], tasks[:k], 0, None))
        if k + 1 < len(tasks):  # the files after it, in another worker
            queue.appendleft((b, positions[k + 1 :], tasks[k + 1 :], 0, None))
        if attempt == 0 and not timed_out:
            queue.appendleft((b, [positions[k]], [tasks[k]], 1, None))  # once more, alone, in a fresh worker
        else:
            message = (
                f"parsing this file took more than {why}; the worker was stopped and the file not parsed"
                if timed_out
                else f"the worker parsing this file died: out of memory? ({why}, in a fresh worker too); "
                "the file was not parsed"
            )
            record(b, positions[k], log_only(task_source_file(tasks[k]), None, "error", message))
        w.job = None
        workers.remove(w)
        w.stop(kill=True)

    def give(w: _Worker) -> None:
        try:
            w.give(queue.popleft())
        except OSError:  # the worker died while idle: counted against the job's first file (retried)
            w.process.join(timeout=1)
            lost(w, _signal_name(w.process.exitcode))

    try:
        while queue or any(w.job for w in workers):
            for w in list(workers):  # idle workers take the next job
                if w.job is None and queue:
                    give(w)
            while queue and len(workers) < jobs:
                workers.append(_Worker(ctx, env))
                give(workers[-1])
            busy = [w for w in workers if w.job is not None]
            wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=POLL)
            for w in busy:
                try:
                    while w.job is not None and w.conn.poll():
                        b, positions, tasks, _, finisher = w.job
                        message = w.conn.recv()
                        if w.done == len(tasks):  # a finished batch: ("done", output) or ("failed", why)
                            w.job = None
                            if message[0] == "done":
                                outputs[b] = message[1]
                                finished.append(b)
                            else:  # the finisher failed: the batch is parsed again, plainly
                                finish.pop(b, None)
                                for p in positions:
                                    results[b][p] = None
                                    missing[b] += 1
                                queue.appendleft((b, positions, tasks, 0, None))
                            break
                        record(b, positions[w.done], message)
                        w.done += 1
                        w.since = time.monotonic()
                        if w.done == len(tasks) and finisher is None:
                            w.job = None
                except (EOFError, OSError):
                    pass  # the worker is gone: its sentinel says so below
                if w.job is None:
                    continue
                if not w.process.is_alive():
                    w.process.join(timeout=1)
                    lost(w, _signal_name(w.process.exitcode))
                elif time.monotonic() - w.since > file_timeout:
                    lost(w, f"{file_timeout:g} s", timed_out=True)
            while finished:
                b = finished.pop(0)
                yield b, results[b], outputs.pop(b, None)
                results[b] = None
    finally:
        for w in workers:
            w.stop(kill=w.job is not None)
