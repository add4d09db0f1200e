"""`build_into`: a folder of report files → the corpus tables as part files (`fazhi_lib/parts.py`),
written batch by batch, so that memory stays flat and a rebuild's cost follows what changed.

A build here (what `fazhi build` runs):

1. lists the files and takes each one's sha256 (from the cache's stat index when its size, mtime and
   inode are unchanged);
2. parses the files the last build did not hold (or takes them from the cache's entries), in batches
   of `CHUNK` files: each batch is written at once as one part of every per-file table (staged beside
   the output folder) and its per-report scorecard measures kept; only the `reports` and `parse_log`
   rows of every file stay in memory (small), with the cache's snapshot of them for the files not
   parsed. With worker processes, a batch is parsed, stacked and written (cache entries included) by
   the one worker that parses it whole (`finish_batch`), so this process receives only what it keeps;
   the last batch is parsed in small jobs over every worker and written here, so the workers end
   together (`_parse_finishing`);
3. finds the copies of one report over every file (`assemble.find_duplicates`; the copies found in
   an issuer and year are kept in the cache, texts are read from the parts only for the issuers and
   years that gained, changed or lost a file);
4. keeps the parts of the last build whose files are all unchanged and still counted, rewrites the
   parts that lost a file (removed, edited, now a duplicate), and parses again (from the cache) files
   that are counted now but whose rows no part holds (a copy whose original was removed);
5. runs the corpus stages from what changed: the indicator panel from the `indicators` parts, the
   scorecard's per-report measures kept from the last build for unchanged reports and computed per
   batch for the others, its similarity columns (which compare each report with the whole corpus,
   TF-IDF weights included) afresh from the problems parts. With worker processes (and at least
   `beside.MIN_REPORTS` reports), the panel is computed in a forked process while this one computes
   the scorecard (`pipeline/beside.py`): neither reads the other's output.

The tables read back (`load_corpus`) are those of `build_corpus` on the same files, in the same
order, with the same values (tests/test_append.py).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import tokens, version
from ..corpus import Corpus, input_fingerprint
from ..load import skip_reason
from ..parts import WHOLE_TABLES, Part, PartSet, group_by_file, read_layout, sort_keys, write_part
from ..provenance import add_provenance
from . import stages as _stages
from .assemble import (
    FILE_COLUMN,
    assemble,
    combine,
    find_duplicates,
    near_copy_candidates,
    settled_groups,
    stack,
    text_key,
)
from .assemble import stacked_reports as _stacked_reports
from .cache import ROWS_SNAPSHOT_NAME, BuildCache, build_signature
from .pool import peak_memory_mb
from .worker import FileResult, log_only, parse_file, readable_name

CHUNK = 500  # files a part holds (a batch written at once)
MAX_SMALL_PARTS = 16  # more parts of fewer than CHUNK // 4 files than this: merged into parts of CHUNK files
SMALL = ("reports", "parse_log")


def staging_dir(out: Path) -> Path:
    return out.with_name(f".{out.name}.staging-{os.getpid()}")


@dataclass
class Batch:
    """One batch of files written as one part (`write_batch`): what the build keeps of it."""

    part: Part | None  # None: no file of the batch gave a report
    small: dict[str, pd.DataFrame]  # its reports and parse_log rows (stacked, `_file` column)
    keys: dict[str, str]  # source_file → text_key of its text (files giving a report)
    lengths: dict[str, int]  # source_file → length of its text
    measures: pd.DataFrame | None  # the scorecard's per-report measures (`_file` column)
    columns: dict[str, list[str]]  # table → the keys its rows are sorted by
    cached: list[tuple[str, str, str, str | None]] = field(default_factory=list)  # (file, key, sha256, error)


def write_batch(results: list[FileResult], staging: Path, *, csv: bool) -> Batch:
    """A batch's results stacked, the indicators tidied, its per-report measures computed and its
    rows written as one part into `staging` (in the main process, or in the worker that parsed the
    batch: `finish_batch`). The part is the same whichever process writes it."""
    from ..indicators import indicators_frame
    from ..scorecard import report_measures

    results = sorted(results, key=lambda r: r.source_file)
    frames = stack(results)
    small = {name: frames.pop(name) for name in SMALL}
    keys, lengths, columns = {}, {}, {}
    for r in results:
        if r.report is not None:
            text = (r.tables.get("texts") or [{"text": ""}])[0]["text"]
            keys[r.source_file], lengths[r.source_file] = text_key(text), len(text)
    frames = combine([frames]) if frames else {}
    if "indicators" in frames:  # the corpus stage's tidying, row by row: done here, per part
        frames["indicators"] = indicators_frame(frames["indicators"])
    files = [r.source_file for r in results if r.report is not None]
    reports = combine([{"reports": small["reports"]}])["reports"]
    measures = None
    if len(reports):
        reports["report_year"] = reports["report_year"].astype("Int64")
        # one file per report_id (files with the same bytes share it, and their rows): measured once
        first = set(reports.drop_duplicates("report_id")[FILE_COLUMN])
        reports = reports[reports[FILE_COLUMN].isin(first)]
        tables = {n: df[df[FILE_COLUMN].isin(first)].drop(columns=FILE_COLUMN) for n, df in frames.items()}
        ordered = reports.sort_values("report_id", kind="stable")
        measures = report_measures({**tables, "reports": ordered.drop(columns=FILE_COLUMN)})
        measures[FILE_COLUMN] = ordered[FILE_COLUMN].to_numpy()
    if not files:
        return Batch(None, small, keys, lengths, measures, columns)
    sha = dict(zip(small["reports"][FILE_COLUMN], small["reports"]["sha256"]))
    out, file_of = {}, {}
    for name, df in frames.items():
        table_keys = sort_keys(name, df.columns)
        grouped = group_by_file(df, FILE_COLUMN, files, table_keys)
        file_of[name] = grouped[FILE_COLUMN].to_numpy()
        out[name] = grouped.drop(columns=FILE_COLUMN)
        columns[name] = table_keys
    pairs = [[f, sha.get(f) if isinstance(sha.get(f), str) else ""] for f in files]
    return Batch(write_part(out, pairs, file_of, staging, csv=csv), small, keys, lengths, measures, columns)


def finish_batch(spec: dict, results: list[FileResult]) -> Batch:
    """In the worker that parsed a whole batch (`pool.run_pool_finishing`): each file's cache entry
    (as `BuildCache.put` writes it, only under the bytes it was parsed from), then `write_batch`.

    `spec`: staging (folder), csv, and with a cache its signature and, per source_file, (entry path,
    key, sha256 of the bytes listed)."""
    from .cache import _write_atomic, encode_entry

    cached = []
    entries = spec.get("entries") or {}
    failed = None
    for r in results:
        if r.source_file not in entries:
            continue
        path, key, digest = entries[r.source_file]
        parsed = (r.report or {}).get("sha256")
        if (parsed != digest) if parsed else r.log.get("status") != "error":
            continue  # edited while the build read it: not stored (the next build parses it again)
        if "signature" not in spec:  # a cache that cannot be written: counted, as `put` counts it
            cached.append((r.source_file, key, digest, "the build cache cannot be written"))
        elif failed is None:
            try:
                _write_atomic(Path(path), encode_entry(spec["signature"], r))
            except (OSError, ValueError, TypeError) as exc:
                failed = exc.strerror if isinstance(exc, OSError) and exc.strerror else f"{type(exc).__name__}: {exc}"
            cached.append((r.source_file, key, digest, failed))
        else:  # one failed write: the others are not tried (as `put` stops once the cache is unwritable)
            cached.append((r.source_file, key, digest, failed))
    batch = write_batch(results, Path(spec["staging"]), csv=spec["csv"])
    batch.cached = cached
    return batch


class _Batches:
    """Results of parsing, in batches of files fixed in advance (the same batches whatever order the
    workers finish in): each complete batch is written as one part, then let go — by this process
    (`flush`), or by the worker that parsed it (`written`)."""

    def __init__(self, names: list[str], staging: Path, *, csv: bool, chunk: int, keep_small: bool):
        self.batch_of = {n: i // chunk for i, n in enumerate(names)}
        self.size: dict[int, int] = {}
        for b in self.batch_of.values():
            self.size[b] = self.size.get(b, 0) + 1
        self.pending: dict[int, list[FileResult]] = {}
        self.staging, self.csv, self.keep_small = staging, csv, keep_small
        self.parts: dict[int, Part] = {}
        self.small: list[dict[str, pd.DataFrame]] = []
        self.keys: dict[str, str] = {}
        self.lengths: dict[str, int] = {}
        self.measures: list[pd.DataFrame] = []
        self.columns: dict[str, list[str]] = {}

    def __call__(self, result: FileResult) -> None:
        b = self.batch_of[result.source_file]
        self.pending.setdefault(b, []).append(result)
        if len(self.pending[b]) == self.size[b]:
            self.flush(b, self.pending.pop(b))

    def flush(self, b: int, results: list[FileResult]) -> None:
        self.written(b, write_batch(results, self.staging, csv=self.csv))

    def written(self, b: int, batch: Batch) -> None:
        """Keep what the build needs of batch `b`, written as a part (here or by a worker)."""
        if self.keep_small:
            self.small.append(batch.small)
        self.keys.update(batch.keys)
        self.lengths.update(batch.lengths)
        if batch.measures is not None:
            self.measures.append(batch.measures)
        for name, keys in batch.columns.items():
            self.columns.setdefault(name, keys)
        if batch.part is not None:
            self.parts[b] = batch.part


def _parse(paths, raw_dir, names, *, jobs, progress, cache, dask, sink, rebuild: bool = False) -> None:
    from .build import parse_files

    if not dask and _parse_finishing(
        paths, raw_dir, names, jobs=jobs, progress=progress, cache=cache, sink=sink, rebuild=rebuild
    ):
        return

    parse_files(
        paths,
        raw_dir,
        jobs=jobs,
        progress=progress,
        cache=cache,
        dask=dask,
        sink=sink,
        names=names,
        few_in_process=rebuild,  # a few new files of a rebuild: no worker start-up (build.IN_PROCESS_MAX_FILES)
    )


def _parse_finishing(paths, raw_dir, names, *, jobs, progress, cache, sink: _Batches, rebuild: bool) -> bool:
    """Parse `paths` in worker processes, each complete batch of files that needs parsing whole being
    parsed and written as a part by ONE worker (`finish_batch`), so that this process neither
    receives nor stacks their rows; the last such batch, batches with files from the cache and the
    rest are parsed in small jobs and written here (which keeps the workers' loads even at the end).
    False (nothing done) where `build.parse_files` would not start workers, or the files make one
    batch (written here in any case): the caller parses as before."""
    from .build import _progress_bar, _same_bytes, few_and_small
    from .cache import fazhi_env
    from .pool import batches, check_jobs, run_pool_finishing

    chosen = jobs is None or (jobs == 0 and not isinstance(jobs, bool))
    n_jobs = check_jobs(jobs)
    if n_jobs < 2 or len(sink.size) < 2 or (rebuild and chosen and few_and_small(paths)):
        return False  # (one batch: it would be written here anyway)
    todo, entries = {}, {}  # todo: batch → its paths to parse
    for path in paths:
        name = names[path]
        if cache is not None:
            try:
                digest = cache.file_digest(path)
            except OSError:  # unreadable: parse_file writes the reason into the parse log
                digest = None
            if digest is not None:
                key = cache.key(name, digest)
                result = cache.get(key, name, digest)
                if result is not None:  # into its batch now: a batch complete from the cache is written
                    sink(result)  # and let go at once (held back, a build served from the cache held them all)
                    continue
                entries[name] = (str(cache._path(key)), key, digest)
        todo.setdefault(sink.batch_of[name], []).append(path)
    whole = [b for b, ps in sorted(todo.items()) if len(ps) == sink.size[b]]
    to_finish = set(whole)
    rest = sum(len(ps) for b, ps in todo.items() if b not in to_finish)
    if whole and rest < max(sink.size.values()) // 2:  # too little in small jobs for the workers to end together
        to_finish.discard(whole[-1])
    work, finish, batch_of_work = [], {}, []
    spec = {"staging": str(sink.staging), "csv": sink.csv}
    if cache is not None and cache.writable:
        spec["signature"] = cache.signature
    for b, ps in sorted(todo.items()):
        tasks = [(str(p), str(raw_dir), names[p]) for p in ps]
        if b in to_finish:
            finish[len(work)] = (
                finish_batch,
                {**spec, "entries": {names[p]: entries[names[p]] for p in ps if names[p] in entries}},
            )
            work.append(tasks)
            batch_of_work.append(b)
        else:
            for chunk in batches(tasks, n_jobs):
                work.append(chunk)
                batch_of_work.append(b)
    bar = _progress_bar(sum(len(ps) for ps in todo.values()), progress, "parsing")
    for w, results, batch in run_pool_finishing(work, min(n_jobs, len(work)), fazhi_env(), finish=finish):
        if batch is not None:
            for source_file, key, digest, error in batch.cached:
                cache.put_by_worker(key, source_file, digest, error)
            sink.written(batch_of_work[w], batch)
        else:
            for result in results:
                if cache is not None and result.source_file in entries:
                    _, key, _ = entries[result.source_file]
                    if _same_bytes(result, key, cache, result.source_file):
                        cache.put(key, result, result.source_file, entries[result.source_file][2])
                sink(result)
        if bar is not None:
            bar.update(len(results))
    if bar is not None:
        bar.close()
    return True


def _rewrite(part: Part, keep: list[str], folder: Path, *, csv: bool, tables) -> Part:
    """`part` without the files not in `keep`, written into `folder`: the same bytes as writing the
    kept rows' frames (`write_part`), but each table filtered as Arrow, with no pandas round trip,
    when that gives the same table `Table.from_pandas` would (`_same_as_from_pandas`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    kept = set(keep)
    wanted = [i for i, (f, _) in enumerate(part.files) if f in kept]
    keep_file = np.zeros(len(part.files), dtype=bool)
    keep_file[wanted] = True
    files = [part.files[i] for i in wanted]
    frames, file_of = {}, {}
    for name in tables:
        counts = part.rows.get(name)
        if counts is None or not part.path(name).is_file():
            continue
        table = pq.read_table(part.path(name), use_threads=False)  # (threads: a third more CPU, for 0.1 s)
        mask = np.repeat(keep_file, counts)
        arrow = table.filter(pa.array(mask)).combine_chunks()
        frames[name] = arrow if _same_as_from_pandas(arrow) else arrow.to_pandas()
        file_of[name] = np.repeat([part.files[i][0] for i in wanted], [counts[i] for i in wanted]).astype(object)
    return write_part(frames, files, file_of, folder, csv=csv)


# pandas dtypes (in the Parquet file's pandas metadata) whose columns come back from to_pandas() and
# Table.from_pandas as the same Arrow type whatever rows they hold
_STABLE_DTYPES = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64"}
_STABLE_DTYPES |= {"bool", "Int8", "Int16", "Int32", "Int64", "boolean", "Float32", "Float64", "str"}


def _same_as_from_pandas(table) -> bool:
    """Whether `Table.from_pandas(table.to_pandas(), preserve_index=False)` is `table` (schema and
    pandas metadata included), `table` being rows of a table `write_table` wrote. Object columns are
    typed by their values: a text column is still text when some value is one, and no other kind of
    object column is trusted (a column of nothing but missing values would become type null)."""
    import json

    import pyarrow as pa

    meta = (table.schema.metadata or {}).get(b"pandas")
    if meta is None:
        return False
    meta = json.loads(meta)
    columns = {c.get("field_name"): c for c in meta.get("columns", [])}
    if meta.get("index_columns") or set(columns) != set(table.column_names):
        return False
    for name, column_type, column in zip(table.column_names, table.schema.types, table.columns):
        dtype = columns[name].get("numpy_type")
        text = pa.types.is_string(column_type) or pa.types.is_large_string(column_type)
        if dtype in _STABLE_DTYPES or (dtype == "object" and pa.types.is_null(column_type)):
            continue
        if dtype == "object" and text and column.null_count < len(column):
            continue
        return False
    return True


def _compact(parts: list[Part], folder: Path, *, csv: bool, tables) -> Part:
    """Every part as one (files and rows in the order of `parts`)."""
    import pyarrow.parquet as pq

    from ..parts import stack_arrow

    files = [f for p in parts for f in p.files]
    frames, file_of = {}, {}
    for name in tables:
        pieces = [pq.read_table(p.path(name)) for p in parts if p.path(name).is_file()]
        if not pieces:
            continue
        frames[name] = stack_arrow(pieces).to_pandas()
        file_of[name] = np.concatenate(
            [np.repeat([f for f, _ in p.files], p.rows.get(name, [0] * len(p.files))).astype(object) for p in parts]
        )
        del pieces
    return write_part(frames, files, file_of, folder, csv=csv)


def _merge_small(parts: list[Part], folder: Path, *, csv: bool, tables, chunk: int) -> list[Part]:
    """`parts` with the small ones (fewer than `chunk` // 4 files) merged into parts of about `chunk`
    files, when there are more than MAX_SMALL_PARTS of them; the others as they are."""
    small = [p for p in parts if len(p.files) < max(1, chunk // 4)]
    if len(small) <= MAX_SMALL_PARTS:
        return parts
    out = [p for p in parts if len(p.files) >= max(1, chunk // 4)]
    group: list[Part] = []
    for p in small:
        group.append(p)
        if sum(len(q.files) for q in group) >= chunk:
            out.append(_compact(group, folder, csv=csv, tables=tables))
            group = []
    if group:
        out.append(_compact(group, folder, csv=csv, tables=tables))
    return out


class _Texts(dict):
    """source_file → text, fetched on first use (from the parts, or the cache, or the file)."""

    def __init__(self, fetch):
        super().__init__()
        self.fetch = fetch

    def __missing__(self, name):
        self.update(self.fetch({name}))
        return dict.__getitem__(self, name)


def build_into(
    raw_dir: str | Path,
    out: str | Path,
    *,
    jobs: int = 1,
    progress: bool = False,
    cache: BuildCache | None = None,
    dask: str | None = None,
    urls: str | Path | None = None,
    csv: bool = True,
    compact: bool = False,
    chunk: int = CHUNK,
) -> Corpus:
    """Build the corpus of `raw_dir` for the output folder `out` (see the module doc). The returned
    `Corpus` holds the whole tables in memory and the per-file tables as parts (`corpus.store`), staged
    beside `out`: `Corpus.save(out)` links them into place (`cleanup_staging` removes the staging)."""
    from .build import input_folder, source_names

    raw_dir, out = Path(raw_dir), Path(out)
    clock, cpu = time.perf_counter(), time.process_time()
    timings: dict[str, float] = {}
    cpu_timings: dict[str, float] = {}

    peak_mb: dict[str, float] = {}

    def lap(name: str) -> None:  # wall-clock and CPU seconds of this process, per phase; its peak memory
        nonlocal clock, cpu
        timings[name], cpu_timings[name] = time.perf_counter() - clock, time.process_time() - cpu
        clock, cpu = time.perf_counter(), time.process_time()
        peak_mb[name] = peak_memory_mb()

    files, unreadable = input_folder(raw_dir)
    names = source_names(files, raw_dir)
    skipped = [log_only(f"{readable_name(u.folder)}/", None, "error", u.reason) for u in unreadable]
    todo = []
    for f in files:
        reason = skip_reason(names[f])
        if reason:
            skipped.append(log_only(names[f], None, "skipped", reason))
        else:
            todo.append(f)
    if cache is not None and not isinstance(cache, BuildCache):
        cache = BuildCache(cache)
    signature = cache.signature if cache is not None else build_signature()
    staging = staging_dir(out)
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    prev = read_layout(out) if cache is not None else None
    if prev is not None and prev.signature != signature:
        prev = None
    snap = cache.load_snapshot(ROWS_SNAPSHOT_NAME) if cache is not None else None
    snap_files = snap["files"] if snap else {}
    extra = (snap or {}).get("extra") or {}
    shares = {(a, b): float(s) for a, b, s in extra.get("shares", [])}
    old_shares = dict(shares)
    old_keys = snap["frames"].get("keys") if snap else None

    digests: dict[Path, str] = {}
    if cache is not None:
        for f in todo:
            try:
                digests[f] = cache.file_digest(f)
            except OSError:
                pass
    served = [f for f in todo if f in digests and snap_files.get(names[f]) == digests[f]]
    served_names = {names[f] for f in served}
    for f in served:
        cache.served(cache.key(names[f], digests[f]), names[f], digests[f])
    to_parse = [f for f in todo if names[f] not in served_names]
    lap("listing and hashing")

    first = _Batches([names[f] for f in to_parse], staging, csv=csv, chunk=chunk, keep_small=True)
    _parse(
        to_parse,
        raw_dir,
        names,
        jobs=jobs,
        progress=progress,
        cache=cache,
        dask=dask,
        sink=first,
        rebuild=prev is not None,
    )
    lap("files")

    # ---- every file's reports and parse_log rows; copies of one report
    held = []
    if snap and served_names:
        held.append({n: df[df[FILE_COLUMN].isin(served_names)] for n, df in snap["frames"].items() if n in SMALL})
    frames = combine([*held, *first.small, stack(skipped)])
    first.small = []
    text_keys, lengths = dict(first.keys), dict(first.lengths)
    if old_keys is not None and len(old_keys):
        for f, k, n in zip(old_keys[FILE_COLUMN], old_keys["text_key"], old_keys["text_len"]):
            if f in served_names:
                text_keys[f], lengths[f] = k, int(n)
    records = _stacked_reports(frames["reports"])
    digest_of = {names[f]: d for f, d in digests.items()}
    prev_where = {}  # source_file → the last build's part holding it (same bytes)
    for p in prev.parts if prev is not None else ():
        for f, s in p.files:
            if f in served_names and digest_of.get(f) == s:
                prev_where[f] = p
    staged_where = {f: p for p in first.parts.values() for f, _ in p.files}

    def fetch(wanted: set[str]) -> dict[str, str]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        got: dict[str, str] = {}
        by_part: dict[int, tuple[Part, list[str]]] = {}
        for f in wanted:
            p = staged_where.get(f) or prev_where.get(f)
            if p is not None:
                by_part.setdefault(id(p), (p, []))[1].append(f)
        for p, fs in by_part.values():
            counts = p.rows.get("texts", [])
            starts = np.concatenate([[0], np.cumsum(counts)]).astype(int).tolist()
            pos = {f: i for i, (f, _) in enumerate(p.files)}
            rows = {f: starts[pos[f]] for f in fs if counts[pos[f]]}
            if rows:  # only the rows wanted become Python strings (a rebuild wants few of a part)
                column = pq.read_table(p.path("texts"), columns=["text"]).column("text")
                got.update(zip(rows, column.take(pa.array(list(rows.values()), type=pa.int64())).to_pylist()))
            got.update((f, "") for f in fs if f not in rows)
        for f in wanted - set(got):  # held by no part (a duplicate last time): the cache, else the file
            path = next(p for p in todo if names[p] == f)
            result = None
            if cache is not None and path in digests:
                result = cache.get(cache.key(f, digests[path]), f, digests[path])
            if result is None:
                result = parse_file(path, root=raw_dir, source_file=f)
            got[f] = ((result.tables or {}).get("texts") or [{"text": ""}])[0]["text"]
        return got

    # the groups of one issuer and year whose files are all as in the last build were compared then:
    # their copies are in `shares`, their texts are not read
    last_reports = snap["frames"].get("reports") if snap else None
    last_records = _stacked_reports(last_reports) if last_reports is not None and len(last_reports) else []
    settled = settled_groups(records, last_records, served_names)
    text_of = _Texts(fetch)
    text_of.update(fetch(near_copy_candidates(records, settled=settled)))
    duplicates = find_duplicates(
        records, text_of=text_of, text_keys=text_keys, lengths=lengths, shares=shares, settled=settled
    )
    text_of = None
    live = {r.source_file for r in records if r.source_file not in duplicates}

    # ---- the parts: kept, rewritten, or made for files no part holds
    tables = set(first.columns) | (set(prev.keys) if prev is not None else set())
    parts: list[Part] = []
    for p in prev.parts if prev is not None else ():
        keep = [f for f, _ in p.files if f in live and prev_where.get(f) is p]
        if len(keep) == len(p.files):
            parts.append(p)
        elif keep:
            parts.append(_rewrite(p, keep, staging, csv=csv, tables=tables))
    for b in sorted(first.parts):
        p = first.parts[b]
        keep = [f for f, _ in p.files if f in live]
        if len(keep) == len(p.files):
            parts.append(p)
        elif keep:
            parts.append(_rewrite(p, keep, staging, csv=csv, tables=tables))
    placed = {f for p in parts for f, _ in p.files}
    missing = [f for f in todo if names[f] in live and names[f] not in placed]
    second = _Batches([names[f] for f in missing], staging, csv=csv, chunk=chunk, keep_small=False)
    if missing:
        _parse(
            missing,
            raw_dir,
            names,
            jobs=jobs,
            progress=False,
            cache=cache,
            dask=dask,
            sink=second,
            rebuild=prev is not None,
        )
        parts += [second.parts[b] for b in sorted(second.parts)]
        tables |= set(second.columns)
    if compact:  # (asked for: every table as one part)
        parts = [_compact(parts, staging, csv=csv, tables=tables)] if parts else []
    else:  # many rebuilds leave many small parts: merged, a batch's worth at a time (big parts stay)
        parts = _merge_small(parts, staging, csv=csv, tables=tables, chunk=chunk)
    keys = {}
    for name in sorted(tables):
        cols = next((c for b in (first, second) for n, c in b.columns.items() if n == name), None)
        keys[name] = cols if cols is not None else prev.keys[name]
    store = PartSet(parts, keys, signature)
    whole = _empty_tables(frames, store)
    corpus = assemble(frames, duplicates=duplicates)
    corpus.tables.update(whole)
    corpus.store = store
    corpus.tables.update(add_provenance(corpus.tables, raw_dir, urls=urls))
    lap("assemble")

    # ---- corpus stages
    measures = [m for m in (*first.measures, *second.measures) if len(m)]
    last = {}  # the last build's whole tables that the stages update from
    if prev is not None:
        for name in ("scorecard", "indicator_panel", "reports"):
            if (out / f"{name}.parquet").is_file():
                last[name] = pd.read_parquet(out / f"{name}.parquet")
    panel_stage, scorecard_stage = _stages.indicator_panel_stage, _stages.scorecard_stage
    beside = _panel_beside(corpus, jobs, dask, lambda: _run_stage(panel_stage, corpus, measures, last, prev_where))
    for stage in _stages.CORPUS_STAGES:
        if beside is not None and stage is panel_stage:
            continue  # computed beside the scorecard, in a process of its own; its tables are put in below
        if beside is not None and stage is not scorecard_stage:  # a stage of one's own may read the panel
            _join_beside(beside, corpus, lap, cpu_timings)
            beside = None
        try:
            corpus.tables.update(_run_stage(stage, corpus, measures, last, prev_where, cache) or {})
        except Exception as exc:
            print(f"warning: corpus stage {stage.__name__} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        lap(f"stage {stage.__name__}")
    if beside is not None:
        _join_beside(beside, corpus, lap, cpu_timings)

    # ---- what the next rebuild starts from
    if cache is not None:
        cache.save_stat()
        key_frame = pd.DataFrame(
            {
                FILE_COLUMN: pd.Series(list(text_keys), dtype="object"),
                "text_key": pd.Series(list(text_keys.values()), dtype="object"),
                "text_len": pd.Series([lengths[f] for f in text_keys], dtype="int64"),
            }
        )
        if cache.misses or cache.entries != snap_files or shares != old_shares:
            cache.save_snapshot(
                {"reports": frames["reports"], "parse_log": frames["parse_log"], "keys": key_frame},
                name=ROWS_SNAPSHOT_NAME,
                extra={"shares": sorted([a, b, s] for (a, b), s in shares.items())},
            )
    corpus.timings, corpus.cpu_timings, corpus.peak_mb = timings, cpu_timings, peak_mb
    reports = corpus.reports
    corpus.manifest = {
        "fazhi_version": version.__version__,
        "input_fingerprint": input_fingerprint(reports) if not reports.empty else "",
        "n_files": len(files) + len(unreadable),
        "signature": signature,
        "tables": {name: len(df) for name, df in sorted(corpus.tables.items())},
        "token_engine": tokens.get_engine().signature,
    }
    return corpus


def _panel_beside(corpus: Corpus, jobs, dask, run):
    """The indicator panel started in a forked process (`beside.Beside`), to be computed while this
    process computes the scorecard; None where the build runs without worker processes, on a
    platform that does not fork, or for fewer than `beside.MIN_REPORTS` reports."""
    from . import beside
    from .pool import check_jobs

    stages = _stages.CORPUS_STAGES
    if dask or _stages.indicator_panel_stage not in stages or _stages.scorecard_stage not in stages:
        return None
    if check_jobs(jobs) < 2 or not beside.can_fork() or len(corpus.reports) < beside.MIN_REPORTS:
        return None
    return beside.Beside(run)


def _join_beside(side, corpus: Corpus, lap, cpu_timings: dict) -> None:
    """The panel's tables into `corpus`, as the stage loop puts them. Its phase in the timings: the
    seconds this process waited for it (wall clock), and the CPU seconds of the process that computed
    it (`corpus.beside`: its own seconds, CPU seconds, peak memory in MB, and why it failed, if it did)."""
    stage = _stages.indicator_panel_stage
    name = f"stage {stage.__name__}"
    try:
        corpus.tables.update(side.result() or {})
    except Exception as exc:
        print(f"warning: corpus stage {stage.__name__} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    lap(name)
    cpu_timings[name] += side.cpu
    corpus.beside = {name: (side.wall, side.cpu, side.peak_mb, side.failed)}


def _stage_columns() -> dict[str, list[str]]:
    """The columns of the per-file tables the parse and the report stages write, so that a corpus where
    no file gives a row of one (excerpts with no problems part: no categories) still has the table."""
    from ..indicators import INDICATOR_COLUMNS
    from ..part_tokens import TOKEN_COLUMNS
    from ..typology import CATEGORY_COLUMNS

    return {
        "page_meta": ["report_id", "label", "value"],
        "indicators": INDICATOR_COLUMNS,
        "tokens": TOKEN_COLUMNS,
        "problem_item_categories": CATEGORY_COLUMNS,
    }


def _empty_tables(frames, store: PartSet) -> dict[str, pd.DataFrame]:
    """The per-file tables no part holds a row of, as the build from memory gives them (empty)."""
    from .assemble import _CORE_COLUMNS, _frame

    out = {}
    for name, columns in {**_CORE_COLUMNS, **_stage_columns()}.items():
        if name in SMALL or store.rows(name):
            continue
        out[name] = _frame([], columns)
    for name in list(store.keys):
        if not store.rows(name):
            store.keys.pop(name)
    return out


def _cell_keys(reports: pd.DataFrame) -> pd.DataFrame:
    """report_id and the key of its indicator-panel cells (`_cell_key`: issuer, else the file; its
    place as `labels.issuer_places` gives it, which other reports of the short name can change, so a
    report added can move an older one's cells; report_year)."""
    from ..labels import issuer_bodies

    bodies = issuer_bodies(reports)
    key = _cell_key(bodies["issuer"], bodies, reports["report_year"])
    return pd.DataFrame({"report_id": reports["report_id"].tolist(), "key": key})


_KEY_SEP = "\x1f"  # between the fields of a panel cell's key (`_cell_key`): a unit separator, in no name


def _cell_key(issuer: pd.Series, places: pd.DataFrame, years: pd.Series) -> list[str]:
    """One string per row for (issuer, province, prefecture, county, year), the same for the reports
    and for the panel's rows (a place field missing, or a panel of an older fazhi without them: '')."""
    from ..labels import PLACE_FIELDS

    sep = _KEY_SEP
    key = issuer.astype(str).to_numpy(dtype=object)
    for f in PLACE_FIELDS:
        column = places[f] if f in places.columns else pd.Series("", index=places.index)
        key = key + sep + column.fillna("").astype(str).to_numpy(dtype=object)
    year = pd.Series(pd.array(pd.to_numeric(years), dtype="Int64")).astype("string").fillna("")
    return (key + sep + year.to_numpy(dtype=object)).tolist()


def _panel(stage, store: PartSet, reports: pd.DataFrame, last: dict) -> dict:
    """The indicator panel: its cells (issuer × year × indicator) are each a function of the mentions
    of the reports of one issuer and year, so only the cells of an issuer and year that gained or lost
    a report are computed again (from those reports' `indicators` rows); the others are the last
    build's rows. Without a last build: every cell. The parts are read one at a time (`_panel_of`)."""
    from ..indicators import _PANEL_INPUTS, PANEL_COLUMNS, PANEL_KEYS, _panel_dtypes, _panel_of, panel_rows
    from ..parts import read_part

    # the columns the panel reads, in the order of the parts (the panel sorts by report and mention)
    wanted = list(dict.fromkeys([*_PANEL_INPUTS, "kind", "value", *store.keys.get("indicators", [])]))
    if "indicators" not in store.keys:
        return {"indicator_panel": stage({"indicators": None, "reports": reports})["indicator_panel"]}

    def frames(parts):
        def read():
            for p in parts:
                got = read_part(p, "indicators", wanted, panel_rows)
                if got is not None:
                    yield got[0].to_pandas()

        return read

    if (
        "indicator_panel" not in last
        or "reports" not in last
        or not set(reports.columns) >= {"issuer", "report_year"}
        or not set(last["indicator_panel"].columns) >= set(PANEL_COLUMNS)  # (a panel of an older fazhi)
    ):
        return {"indicator_panel": _panel_of(frames(store.parts), reports)}
    now, before = _cell_keys(reports), _cell_keys(last["reports"])
    pairs_now, pairs_before = set(zip(now["report_id"], now["key"])), set(zip(before["report_id"], before["key"]))
    touched = {key for _, key in pairs_now ^ pairs_before}
    ids = set(now.loc[now["key"].isin(touched), "report_id"]) if touched else set()
    files = set(reports.loc[reports["report_id"].isin(ids), "source_file"])
    fresh = _panel_of(frames([p for p in store.parts if any(f in files for f, _ in p.files)]), reports, only=ids)
    old = last["indicator_panel"]
    # (keys made only for the rows of an issuer named in a touched key: a rebuild touches few of them)
    names = {k.split(_KEY_SEP, 1)[0] for k in touched}
    maybe = np.flatnonzero(np.fromiter((v in names for v in old["issuer"].tolist()), dtype=bool, count=len(old)))
    cand = old.iloc[maybe]
    gone = maybe[[k in touched for k in _cell_key(cand["issuer"], cand, cand["report_year"])]]
    old = old.drop(index=old.index[gone]) if len(gone) else old
    panel = pd.concat([old, fresh], ignore_index=True) if len(old) else fresh
    panel = _panel_dtypes(panel[list(fresh.columns)])
    return {"indicator_panel": panel.sort_values(PANEL_KEYS, kind="stable", na_position="last").reset_index(drop=True)}


def _run_stage(stage, corpus: Corpus, measures, last: dict, prev_where, cache: BuildCache | None = None) -> dict:
    from ..indicators import indicator_panel_stage
    from ..scorecard import REPORT_MEASURE_COLUMNS, report_measures, scorecard_stage, scorecard_with_similarity

    store = corpus.store
    kept_card = last.get("scorecard")
    if stage is indicator_panel_stage:
        return _panel(stage, store, corpus.reports, last)
    if stage is scorecard_stage:
        reports = corpus.reports
        if reports.empty:
            return stage(corpus.tables)
        ids = set(reports["report_id"].tolist())
        pieces = []
        for m in measures:  # a report_id is a digest of the file's bytes: the same id, the same measures
            # (a set lookup per row: Series.isin(ids) converts the whole set on every call, one per batch,
            # which made this loop grow with the square of the corpus)
            pieces.append(m[_among(m["report_id"], ids)].drop(columns=FILE_COLUMN))
        have = set().union(*(p["report_id"].tolist() for p in pieces)) if pieces else set()
        if kept_card is not None:
            files = reports["source_file"].tolist()
            kept_ids = {rid for rid, f in zip(reports["report_id"].tolist(), files) if f in prev_where}
            kept = kept_card[_among(kept_card["report_id"], kept_ids - have)][REPORT_MEASURE_COLUMNS]
            pieces.append(kept)
            have |= set(kept["report_id"].tolist())
        if ids - have:  # never expected: measured from the tables read back
            sub = corpus.materialise().filter(report_ids=sorted(ids - have))
            pieces.append(report_measures(sub.tables))
        measures_all = pd.concat([p for p in pieces if len(p)], ignore_index=True)
        measures_all = measures_all[_among(measures_all["report_id"], ids)].drop_duplicates("report_id")
        measures_all = measures_all.sort_values("report_id", kind="stable").reset_index(drop=True)
        parts = _problem_parts(store, cache)
        return {"scorecard": scorecard_with_similarity(measures_all, reports, parts)}
    out = stage(corpus.materialise().tables) or {}
    for name in out:
        if name in store.keys:  # a per-file table replaced: written whole from now on
            store.keys.pop(name)
    return out


def _among(values: pd.Series, wanted: set) -> np.ndarray:
    """`values.isin(wanted)` as a numpy mask, by a set lookup per value (pandas' isin on Arrow strings
    goes through a Python list of the set on every call)."""
    return np.fromiter((v in wanted for v in values.tolist()), dtype=bool, count=len(values))


_PROBLEM_ROWS = "problems-1"  # the cache's name for `_problem_parts`' rows (a new name if they change)
_PROBLEM_COLUMNS = ["report_id", "part_order", "kind", "heading", "text"]


def _problem_parts(store: PartSet, cache: BuildCache | None) -> pd.DataFrame:
    """The problems parts of `store`, as `store.read("parts", columns=_PROBLEM_COLUMNS,
    filter_kind=_problems, sort=False)` gives them (the similarity measures sort them by report and
    part themselves), each part's rows taken from the cache when an earlier build kept them: a part's
    file never changes under its digest, so a rebuild reads only the parts it wrote (reading every
    part's texts to keep a tenth of them took a third of the scorecard's time at 10,000 reports)."""

    from ..parts import read_part, stack_arrow

    wanted = list(dict.fromkeys([*_PROBLEM_COLUMNS, *store.keys.get("parts", ["report_id"])]))
    kept = cache.part_rows(_PROBLEM_ROWS) if cache is not None else {}
    pieces = []
    for p in store.parts:
        table = cache.load_part_rows(kept[p.digest]) if p.digest in kept else None
        if table is None:
            read = read_part(p, "parts", wanted, _problems)
            if read is None:
                continue
            table = read[0]
            if cache is not None and p.digest:
                cache.save_part_rows(_PROBLEM_ROWS, p.digest, table)
        pieces.append(table)
    if cache is not None:
        cache.prune_part_rows(_PROBLEM_ROWS, {p.digest for p in store.parts})
    if not pieces:
        return pd.DataFrame(columns=_PROBLEM_COLUMNS)
    df = stack_arrow(pieces).to_pandas()  # (as `parts.read_table` stacks them)
    return df[[c for c in _PROBLEM_COLUMNS if c in df.columns]]


def _problems(table) -> np.ndarray:
    """Rows of an Arrow `parts` table whose kind is problems."""
    import pyarrow.compute as pc

    return pc.fill_null(pc.equal(table.column("kind"), "problems"), False).to_numpy(zero_copy_only=False)


def cleanup_staging(out: str | Path) -> None:
    staging = staging_dir(Path(out))
    if staging.exists():
        shutil.rmtree(staging, ignore_errors=True)


__all__ = ["CHUNK", "MAX_SMALL_PARTS", "WHOLE_TABLES", "build_into", "cleanup_staging"]
