"""Files → parsed results, as fast as the machine allows: the build cache first, then the files it
does not hold, in worker processes (`jobs`) or on a Dask cluster (`dask`).

`build_corpus` calls `parse_files`; the results are the same objects whatever runs them, and
`assemble` sorts every table, so the tables are byte-identical with 1, 2 or N workers and on Dask.

Each worker process loads the rules, the division table and the tokeniser's dictionary once (pure
jieba's own parallel mode would drop the domain dictionary), then parses batches of files.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .cache import ENV_PREFIX, BuildCache, fazhi_env, file_sha256

MAX_BATCH = 32  # files per task: big enough to hide the hand-over, small enough to balance the load


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def check_jobs(jobs) -> int:
    """`jobs` as a whole number ≥ 1 (0 or None: all cores), or a clear error."""
    from .corpus import FazhiError

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


def _apply_env(env: dict[str, str]) -> None:
    """Make this process see the caller's `FAZHI_*` variables (and no stale ones)."""
    for name in [k for k in os.environ if k.startswith(ENV_PREFIX) and k not in env]:
        del os.environ[name]
    os.environ.update(env)


def warm_up(env: dict[str, str] | None = None) -> None:
    """Load what every parse needs once per process: environment, rules, tokeniser dictionary."""
    from . import tokens

    if env is not None:
        _apply_env(env)
    tokens.get_engine().cut("法治政府")  # builds the engine with the domain dictionary


def parse_batch(batch: list[tuple[str, str]], env: dict[str, str] | None = None) -> list:
    """Parse `[(path, root), …]` in this process (a worker's task); results in the same order."""
    from .corpus import parse_file

    if env is not None:
        _apply_env(env)
    return [parse_file(path, root=root) for path, root in batch]


def _mp_context():
    # fork (Linux) starts a worker in milliseconds with everything the parent loaded; elsewhere the
    # platform's default (spawn) re-imports fazhi in each worker.
    if sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _run_pool(work: list[list[tuple[str, str]]], jobs: int, env: dict[str, str]) -> Iterator[list]:
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context(), initializer=warm_up,
                             initargs=(env,)) as pool:
        yield from pool.map(parse_batch, work)  # the initializer has set the environment


def parse_files(files: Iterable[Path], root: Path, *, jobs: int = 1, progress: bool = False,
                cache: BuildCache | None = None, dask: str | None = None,
                snapshot_files: dict[str, str] | None = None, sink=None) -> list:
    """`FileResult`s of `files` (under `root`), in the order of `files`.

    A file whose relative name and sha256 are in `snapshot_files` (the cache's snapshot, whose rows
    the caller holds) is neither read nor parsed: its place holds its relative name (a `str`).
    With `sink`, each `FileResult` is handed to `sink(result)` as soon as it is ready (in no fixed
    order) and its place holds None, so a large corpus is never held as per-file dicts all at once."""
    root = Path(root)
    files = list(files)
    jobs = check_jobs(jobs)
    results: list = [None] * len(files)
    todo: list[int] = []
    keys: dict[int, str] = {}
    digests: dict[int, str] = {}

    def deliver(i: int, result) -> None:
        if sink is not None:
            sink(result)
        else:
            results[i] = result
    for i, path in enumerate(files):
        if cache is None:
            todo.append(i)
            continue
        source_file = path.relative_to(root).as_posix()
        try:
            digest = digests[i] = file_sha256(path)
        except OSError:  # unreadable: parse_file writes the reason into the parse log
            todo.append(i)
            continue
        keys[i] = cache.key(source_file, digest)
        if snapshot_files and snapshot_files.get(source_file) == digest:
            cache.served(keys[i], source_file, digest)
            results[i] = source_file
            continue
        found = cache.get(keys[i], source_file, digest)
        if found is None:
            todo.append(i)
        else:
            deliver(i, found)
    env = fazhi_env()
    if dask:
        tasks = [(str(files[i].resolve()), str(root.resolve())) for i in todo]
    else:
        tasks = [(str(files[i]), str(root)) for i in todo]
    index_batches = batches(todo, jobs)
    task_batches = batches(tasks, jobs)
    bar = _progress_bar(len(todo), progress, "parsing")
    if dask:
        from .distributed import parse_on_dask

        outputs = parse_on_dask(task_batches, dask, jobs=jobs, env=env)  # (batch number, results)
    elif jobs > 1 and len(todo) > 1:
        outputs = enumerate(_run_pool(task_batches, min(jobs, len(task_batches)), env))
    else:
        outputs = enumerate(parse_batch(b) for b in task_batches)
    for b, batch_results in outputs:
        for i, result in zip(index_batches[b], batch_results):
            if cache is not None and i in keys and _same_bytes(result, keys[i], cache, files[i], root):
                cache.put(keys[i], result, result.source_file, digests[i])
            deliver(i, result)
        if bar is not None:
            bar.update(len(batch_results))
    if bar is not None:
        bar.close()
    return results


def _same_bytes(result, key: str, cache: BuildCache, path: Path, root: Path) -> bool:
    """Store a result only under the key of the bytes it was parsed from (a file edited during the
    build is parsed again next time instead of being cached under its old content)."""
    digest = (result.report or {}).get("sha256")
    if not digest:
        return result.log.get("status") == "error"  # unreadable content: cached as such
    return cache.key(path.relative_to(root).as_posix(), digest) == key


def _progress_bar(total: int, enabled: bool, desc: str):
    if not enabled or total == 0:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        return None
    return tqdm(total=total, desc=desc, unit="file", file=sys.stderr)
