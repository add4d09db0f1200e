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
POLL = 0.5  # seconds between looks at the child while waiting for it
STALL_SECONDS = 60.0  # a child alive that has used no CPU time this long is stopped (computed here instead)


def can_fork() -> bool:
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


class Beside:
    """`run()` started in a forked child at once; `result()` waits for what it returned.

    `wall` (seconds the child worked), `cpu` (its CPU seconds, user + system) and `peak_mb` (its peak
    resident memory, the pages it shares with the main process included) are known after `result()`;
    `failed` says why the child gave nothing (then `result()` runs `run` here)."""

    def __init__(self, run):
        from .pool import _watch_parent

        self.run, self.failed, self.wall, self.cpu, self.peak_mb = run, None, 0.0, 0.0, 0.0
        ctx = multiprocessing.get_context("fork")
        self._conn, child_end = ctx.Pipe(duplex=False)
        self._before = _children_cpu()
        self._process = ctx.Process(target=_child, args=(run, child_end, _watch_parent), daemon=True)
        self._process.start()
        child_end.close()

    def result(self):
        status, value, wall = "died", None, 0.0
        try:
            if self._wait():
                status, value, wall, self.peak_mb = self._conn.recv()
            else:  # no CPU spent for STALL_SECONDS: stuck (a lock held by another thread when it forked)
                status = "stalled"
                self._process.kill()
        except (EOFError, OSError):  # the child died (killed, out of memory): no message
            pass
        finally:
            self._conn.close()
            self._process.join()
        self.cpu, self.wall = _children_cpu() - self._before, wall
        if status == "done":
            return value
        if status == "stalled":
            self.failed = f"the process spent no CPU time for {STALL_SECONDS:g} s and was stopped"
        else:
            self.failed = value if status == "failed" else f"the process died ({self._process.exitcode})"
        clock = time.perf_counter()
        try:
            return self.run()  # here, as without workers (an exception reaches the caller as there)
        finally:
            self.wall += time.perf_counter() - clock

    def _wait(self) -> bool:
        """Whether the child sent its message (or ended: `recv` then says how); False when it is alive
        but has used no CPU time for STALL_SECONDS (every wait here has a timeout, as in pool.py)."""
        last, since = None, time.monotonic()
        while not self._conn.poll(POLL):
            if not self._process.is_alive():
                return True
            used = _cpu_of(self._process.pid)
            if used != last or used is None:
                last, since = used, time.monotonic()
            elif time.monotonic() - since > STALL_SECONDS:
                return False
        return True


def _cpu_of(pid: int) -> int | None:
    """The CPU clock ticks (user + system) process `pid` has used so far, or None where /proc cannot
    tell (then the wait never gives up on it)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    except (OSError, IndexError, ValueError):
        return None


def _child(run, conn, watch_parent) -> None:
    import os

    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
    from .pool import peak_memory_mb

    clock = time.perf_counter()
    try:
        value = run()
    except Exception as exc:  # noqa: BLE001 - the parent runs the stage itself and reports its error
        conn.send(("failed", f"{type(exc).__name__}: {exc}", time.perf_counter() - clock, peak_memory_mb()))
    else:
        conn.send(("done", value, time.perf_counter() - clock, peak_memory_mb()))
    conn.close()


def _children_cpu() -> float:
    import resource  # (POSIX: Beside runs only where processes fork)

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
