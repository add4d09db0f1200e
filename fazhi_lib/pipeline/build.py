"""`build_corpus`: a folder of report files → the corpus tables.

The files are listed, those the build cache holds are taken from it, the others parsed one by one
(`worker.parse_file`) in this process, in worker processes (`pool.py`) or on a Dask cluster
(`on_dask.py`); the results are stacked and assembled into sorted tables (`assemble.py`), and the
corpus stages run on them (`stages.CORPUS_STAGES`). The tables are the same whatever runs the parsing.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from .. import tokens, version
from ..corpus import Corpus, input_fingerprint
from ..errors import FazhiError
from ..load import skip_reason, walk_input_folder
from ..provenance import add_provenance
from . import stages as _stages
from .assemble import FILE_COLUMN, assemble, combine, stack
from .cache import BuildCache, build_signature, fazhi_env
from .pool import batches, check_jobs, run_pool
from .worker import FileResult, escaped_name, log_only, parse_batch, readable_name

STACK_CHUNK = 500  # per-file results stacked into frames at a time during a build
# A rebuild with --jobs 0 (the default: fazhi chooses) parses up to this many new or changed files,
# each of at most IN_PROCESS_MAX_BYTES, in its own process rather than starting worker processes:
# at 10,000 reports, 100 new files took 1.5 s in the main process and 2.4 s with 2 workers, each of
# which loads the rules, division table and tokeniser again, in a child of a main process that then
# holds the last build's rows (docs/performance.md). The trade-off: a file that exhausts memory there
# ends the build (nothing is replaced) instead of becoming an `error` row; `--jobs N` always uses workers.
IN_PROCESS_MAX_FILES = 100
IN_PROCESS_MAX_BYTES = 1_000_000


def list_input_files(raw_dir: str | Path) -> list[Path]:
    return input_folder(raw_dir)[0]


def input_folder(raw_dir: str | Path):
    """(files, unreadable folders) under `raw_dir`: `load.walk_input_folder`, once the folder is checked."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FazhiError(
            f"The input folder {str(raw_dir)!r} does not exist; give the folder that holds the report files."
        )
    return walk_input_folder(raw_dir)


def build_corpus(
    raw_dir: str | Path = "data/raw",
    *,
    jobs: int = 1,
    progress: bool = False,
    cache=None,
    dask: str | None = None,
    urls: str | Path | None = None,
) -> Corpus:
    """Parse every file under `raw_dir` into the corpus tables. Unreadable files are logged, never dropped.

    `jobs`: worker processes (0: all cores); `cache`: a `cache.BuildCache` or its folder, so files
    parsed by an earlier build are not parsed again; `dask`: a scheduler address or "local" to parse
    on a Dask cluster (`on_dask.py`). The tables are the same whatever runs the parsing.
    `urls`: a sheet of file, url (see `provenance.py`) giving source addresses no collect manifest gives.
    """
    raw_dir = Path(raw_dir)
    files, unreadable = input_folder(raw_dir)
    results: list[FileResult] = []
    skipped = [log_only(f"{readable_name(u.folder)}/", None, "error", u.reason) for u in unreadable]  # a row a folder
    todo = []
    names = source_names(files, raw_dir)
    for f in files:
        source_file = names[f]
        reason = skip_reason(source_file)  # the rule parse_file applies, so both log the same reason
        if reason:
            skipped.append(log_only(source_file, None, "skipped", reason))
        else:
            todo.append(f)
    if cache is not None and not isinstance(cache, BuildCache):
        cache = BuildCache(cache)
    clock = time.perf_counter()
    timings = {}  # seconds per phase, for `fazhi build --timings` and bench/run_bench.py
    snapshot = cache.load_snapshot() if cache is not None else None
    served_files = snapshot["files"] if snapshot else None  # source file -> sha256 the snapshot holds
    stacked, pending = [], []

    def sink(result: FileResult) -> None:  # stack every STACK_CHUNK results: bounded memory
        pending.append(result)
        if len(pending) >= STACK_CHUNK:
            stacked.append(stack(pending))
            pending.clear()

    results = parse_files(
        todo,
        raw_dir,
        jobs=jobs,
        progress=progress,
        cache=cache,
        dask=dask,
        snapshot_files=served_files,
        sink=sink,
        names=names,
    )
    timings["files"], clock = time.perf_counter() - clock, time.perf_counter()
    if cache is not None:
        cache.save_stat()
    served = {r for r in results if isinstance(r, str)}  # rows held by the snapshot
    parts = [{name: df[df[FILE_COLUMN].isin(served)] for name, df in snapshot["frames"].items()}] if served else []
    parts += [*stacked, stack(pending + skipped)]
    stacked = pending = None
    results = skipped = snapshot = None  # the rows now live in the frames: let the per-file copies go
    frames = combine(parts)
    parts = None
    if cache is not None and (cache.misses or cache.entries != served_files):
        cache.save_snapshot(frames)  # (an unchanged corpus keeps the snapshot it was served from)
    corpus = assemble(frames)
    frames = None
    corpus.tables.update(add_provenance(corpus.tables, raw_dir, urls=urls))  # source_url, retrieved_at
    timings["assemble"], clock = time.perf_counter() - clock, time.perf_counter()
    for stage in _stages.CORPUS_STAGES:
        try:
            corpus.tables.update(stage(corpus.tables) or {})
        except Exception as exc:
            print(f"warning: corpus stage {stage.__name__} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        timings[f"stage {stage.__name__}"], clock = time.perf_counter() - clock, time.perf_counter()
    corpus.timings = timings
    reports = corpus.reports
    corpus.manifest = {
        "fazhi_version": version.__version__,
        "input_fingerprint": input_fingerprint(reports) if not reports.empty else "",
        "n_files": len(files) + len(unreadable),  # an unreadable folder is one parse-log row
        "signature": cache.signature if cache is not None else build_signature(),
        "tables": {name: len(df) for name, df in sorted(corpus.tables.items())},
        "token_engine": tokens.get_engine().signature,
    }
    return corpus


def source_names(files: list[Path], root: Path) -> dict[Path, str]:
    """The name the tables give each file: its path relative to `root`; a name that is not valid
    UTF-8 made readable (`worker.readable_name`), or escaped (\\xNN) if its readable form is
    another file's name."""
    prefix = f"{root}{os.sep}" if str(root) not in ("", ".") else ""
    real = {f: _relative(f, root, prefix) for f in files}
    names = {f: readable_name(r) for f, r in real.items()}
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    for f, name in names.items():
        if name != real[f] and counts[name] > 1:
            names[f] = escaped_name(real[f])
    return names


def _relative(path: Path, root: Path, prefix: str) -> str:
    """`path.relative_to(root).as_posix()`, by cutting the string where that is the same (the paths
    `walk_input_folder` lists under `root`): a rebuild names every file of the corpus."""
    text = str(path)
    if prefix and text.startswith(prefix) and os.sep == "/" and "/./" not in text and "//" not in text:
        return text[len(prefix) :]
    return path.relative_to(root).as_posix()


def parse_files(
    files: Iterable[Path],
    root: Path,
    *,
    jobs: int = 1,
    progress: bool = False,
    cache: BuildCache | None = None,
    dask: str | None = None,
    snapshot_files: dict[str, str] | None = None,
    sink=None,
    names: dict[Path, str] | None = None,
    few_in_process: bool = False,
) -> list:
    """`FileResult`s of `files` (under `root`), in the order of `files`.

    A file whose relative name and sha256 are in `snapshot_files` (the cache's snapshot, whose rows
    the caller holds) is neither read nor parsed: its place holds its relative name (a `str`).
    `few_in_process` (a rebuild): with `jobs` 0 or None (fazhi chooses), a few small files to parse
    (`few_and_small`) are parsed in this process rather than in worker processes.
    With `sink`, each `FileResult` is handed to `sink(result)` as soon as it is ready (in no fixed
    order) and its place holds None, so a large corpus is never held as per-file dicts all at once."""
    root = Path(root)
    files = list(files)
    chosen = jobs is None or (jobs == 0 and not isinstance(jobs, bool))  # 0: fazhi chooses
    jobs = check_jobs(jobs)
    names = names if names is not None else source_names(files, root)
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
        source_file = names[path]
        try:
            digest = digests[i] = cache.file_digest(path)
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
    if dask:  # absolute paths for the workers, symbolic links kept (not resolved): what local mode reads
        tasks = [(os.path.abspath(files[i]), os.path.abspath(root), names[files[i]]) for i in todo]
    else:
        tasks = [(str(files[i]), str(root), names[files[i]]) for i in todo]
    index_batches = batches(todo, jobs)
    task_batches = batches(tasks, jobs)
    bar = _progress_bar(len(todo), progress, "parsing")
    if dask:
        from .on_dask import parse_on_dask  # here: distributed is slow to import and seldom used

        outputs = parse_on_dask(task_batches, dask, jobs=jobs, env=env)  # (batch number, results)
    elif jobs > 1 and len(todo) > 1 and not (few_in_process and chosen and few_and_small([files[i] for i in todo])):
        outputs = run_pool(task_batches, min(jobs, len(task_batches)), env)  # (batch number, results)
    else:
        outputs = enumerate(parse_batch(b) for b in task_batches)
    for b, batch_results in outputs:
        for i, result in zip(index_batches[b], batch_results):
            if cache is not None and i in keys and _same_bytes(result, keys[i], cache, names[files[i]]):
                cache.put(keys[i], result, result.source_file, digests[i])
            deliver(i, result)
        if bar is not None:
            bar.update(len(batch_results))
    if bar is not None:
        bar.close()
    return results


def few_and_small(paths: list[Path]) -> bool:
    """Whether `paths` are few enough and small enough to parse in this process (a rebuild's new
    files: see IN_PROCESS_MAX_FILES)."""
    if len(paths) > IN_PROCESS_MAX_FILES:
        return False
    try:
        return all(os.stat(p).st_size <= IN_PROCESS_MAX_BYTES for p in paths)
    except OSError:  # gone or unreadable: the workers log it as for any other build
        return False


def _same_bytes(result, key: str, cache: BuildCache, source_file: str) -> bool:
    """Store a result only under the key of the bytes it was parsed from (a file edited during the
    build is parsed again next time instead of being cached under its old content)."""
    digest = (result.report or {}).get("sha256")
    if not digest:
        return result.log.get("status") == "error"  # unreadable content: cached as such
    return cache.key(source_file, digest) == key


def _progress_bar(total: int, enabled: bool, desc: str):
    if not enabled or total == 0:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        return None
    return tqdm(total=total, desc=desc, unit="file", file=sys.stderr)
