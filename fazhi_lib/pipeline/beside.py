"""One corpus stage run in a process of its own, beside the main process's next stage.

After the files are parsed, a build with worker processes has a core to spare: the main process runs
the corpus stages one after the other while the other core waits. The indicator panel and the
scorecard read only what assembly left (the parts on disk, the `reports` table, the last build's
tables) and not each other's output, so the panel can be computed in a forked copy of the main
process while the main process computes the scorecard (`Beside`). The child runs the same function
on the same inputs: the same table. Should the child fail or die, the main process computes the stage
itself, as a build without workers does.

Only on platforms that fork (Linux): elsewhere a new process would have to import fazhi and read the
inputs again, which costs what it saves.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time

MIN_REPORTS = 1_000  # fewer reports: the stage takes well under a second, run in the main process


def can_fork() -> bool:
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


class Beside:
    """`run()` started in a forked child at once; `result()` waits for what it returned.

    `wall` (seconds the child worked) and `cpu` (its CPU seconds, user + system) are known after
    `result()`; `failed` says why the child gave nothing (then `result()` runs `run` here)."""

    def __init__(self, run):
        from .pool import _watch_parent

        self.run, self.failed, self.wall, self.cpu = run, None, 0.0, 0.0
        ctx = multiprocessing.get_context("fork")
        self._conn, child_end = ctx.Pipe(duplex=False)
        self._before = _children_cpu()
        self._process = ctx.Process(target=_child, args=(run, child_end, _watch_parent), daemon=True)
        self._process.start()
        child_end.close()

    def result(self):
        try:
            status, value, wall = self._conn.recv()
        except (EOFError, OSError):  # the child died (killed, out of memory): no message
            status, value, wall = "died", None, 0.0
        finally:
            self._conn.close()
            self._process.join()
        self.cpu, self.wall = _children_cpu() - self._before, wall
        if status == "done":
            return value
        self.failed = value if status == "failed" else f"the process died ({self._process.exitcode})"
        clock = time.perf_counter()
        try:
            return self.run()  # here, as without workers (an exception reaches the caller as there)
        finally:
            self.wall += time.perf_counter() - clock


def _child(run, conn, watch_parent) -> None:
    import os

    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
    clock = time.perf_counter()
    try:
        value = run()
    except Exception as exc:  # noqa: BLE001 - the parent runs the stage itself and reports its error
        conn.send(("failed", f"{type(exc).__name__}: {exc}", time.perf_counter() - clock))
    else:
        conn.send(("done", value, time.perf_counter() - clock))
    conn.close()


def _children_cpu() -> float:
    import resource  # (POSIX: Beside runs only where processes fork)

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
