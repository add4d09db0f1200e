"""The build cache: a file parsed once is not parsed (or tokenised) again while nothing that shapes
its rows has changed.

Each parsed file's result (its rows of every table, tokens included) is stored under a key made of

- the file's path relative to the input folder and the sha256 of its bytes, and
- the build *signature*: fazhi's version, a digest of the package's code and rule files, the rule
  override folder and places map named by `FAZHI_*` environment variables (their contents), the
  registered report stages, the tokenising engine's signature, the versions of the libraries that
  decide rows (jieba, rjieba, OpenCC, cnloc) and Python's.

So editing a report, a rule file or the code re-parses what it must and nothing else; a cache entry
can never be used by a build it does not match. `hits`, `misses` and `parsed` count what happened:

>>> cache = BuildCache("data/processed/.cache")                       # doctest: +SKIP
>>> corpus = build_corpus("data/raw", cache=cache)                     # doctest: +SKIP
>>> cache.hits, cache.misses, cache.parsed                             # doctest: +SKIP
(5, 0, [])

`fazhi build` keeps its cache in `OUT/.cache/` (carried over when the tables are rewritten, removed
by `make clean`) or in `--cache DIR`; `--no-cache` switches it off.

The cache holds data, never code: nothing in it is unpickled or evaluated, so a cache that came with a
shared `data/processed` (or a planted file) can at worst hold wrong rows, never run anything.

    DIR/ab/<key>.json          one parsed file: a header line {"format", "signature", "sha256"} and
                               a JSON body (its rows of every table) whose sha256 the header gives
    DIR/snapshot.json          the last build: {"format", "signature", "files", "tables"}: for each
                               table the sha256 of its Arrow IPC file
    DIR/snapshot/<sha256>.arrow  the stacked rows of one table (`assemble.stack`), named by their digest
    DIR/part-rows/<what>/<part digest>-<sha256>.arrow  rows a corpus stage reads from one part file of
                               the output folder (the scorecard: its problems parts), named by the
                               part's digest (its files' bytes) and their own

The signature is compared before anything else of an entry or snapshot is read, the checksum before
its rows are decoded: a damaged entry (a flipped bit, a torn write) is reported as a warning and the
file parsed again, so it never changes a table. A cache that cannot be written (a read-only folder, a
full disk) is a warning too: the build goes on without storing what it parsed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .. import tokens
from .. import version as fazhi_version
from . import stages
from .result import FileResult

CACHE_DIRNAME = ".cache"
ENV_PREFIX = "FAZHI_"
# libraries whose version can change the rows of a report
ROW_LIBRARIES = ("jieba", "rjieba", "opencc", "cnloc")
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # fazhi_lib/
_SUFFIX = ".json"
ENTRY_FORMAT = "fazhi-cache-entry 1"
SNAPSHOT_FORMAT = "fazhi-cache-snapshot 1"
SNAPSHOT_NAME = "snapshot.json"
ROWS_SNAPSHOT_NAME = "snapshot-rows.json"  # a build into parts: reports and parse_log rows only
SNAPSHOT_DIR = "snapshot"  # DIR/snapshot/<sha256>.arrow: one table of the snapshot each
STAT_NAME = "stat.json"  # path, size, mtime, inode → sha256 of the files the last build read
STAT_FORMAT = "fazhi-stat 1"
PART_ROWS_DIR = "part-rows"  # DIR/part-rows/<what>/<part digest>-<sha256>.arrow (`BuildCache.part_rows`)
_TMP = ".tmp"


class DamagedEntry(Exception):
    """A cache file whose bytes are not what fazhi wrote (checksum, format or content)."""


def _tmp_name(path: Path) -> Path:
    return path.with_name(f"{path.name}.{os.getpid()}{_TMP}")


def _write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary name (a killed build leaves no torn file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _to_json(obj) -> bytes:
    # surrogatepass: a lone surrogate (a file name that is not UTF-8) survives the round trip
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode("utf-8", "surrogatepass")


def _from_json(data: bytes):
    return json.loads(data.decode("utf-8", "surrogatepass"))


def encode_entry(signature: str, result) -> bytes:
    """A `FileResult` as the bytes of a cache entry: header line + JSON body (plain data only)."""
    body = _to_json(
        {"source_file": result.source_file, "report": result.report, "tables": result.tables, "log": result.log}
    )
    header = _to_json({"format": ENTRY_FORMAT, "signature": signature, "sha256": _sha256(body)})
    return header + b"\n" + body


def decode_entry(data: bytes, signature: str, source_file: str = ""):
    """The `FileResult` in the bytes of a cache entry; None when it was written under another
    signature; `DamagedEntry` when its bytes are not what fazhi wrote."""
    head, sep, body = data.partition(b"\n")
    try:
        header = _from_json(head)
    except ValueError:
        raise DamagedEntry("its header is not readable") from None
    if not sep or not isinstance(header, dict) or header.get("format") != ENTRY_FORMAT:
        raise DamagedEntry("its header is not one fazhi writes")
    if header.get("signature") != signature:
        return None  # another fazhi, rules or libraries: not for this build (checked before the body)
    if header.get("sha256") != _sha256(body):
        raise DamagedEntry("its checksum does not match its content")
    try:
        obj = _from_json(body)
        result = FileResult(obj["source_file"], obj["report"], obj["tables"], obj["log"])
    except (ValueError, KeyError, TypeError):
        raise DamagedEntry("its content is not readable") from None
    if source_file and result.source_file != source_file:
        raise DamagedEntry(f"it holds another file ({result.source_file})")
    return result


def encode_table(df) -> bytes:
    """A frame as the bytes of an Arrow IPC file (its pandas dtypes and index in the schema metadata)."""
    import pyarrow as pa

    table = pa.Table.from_pandas(df, preserve_index=None)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression="lz4")) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def decode_table(data: bytes):
    import pyarrow as pa

    return pa.ipc.open_file(pa.BufferReader(data)).read_all().to_pandas(self_destruct=True)  # frees as it goes


def _digest_tree(root: Path, h) -> None:
    """Feed every file under `root` (relative name + bytes, sorted; caches of bytecode skipped)."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if "__pycache__" in rel or rel.endswith((".pyc", ".pyo")):
            continue
        h.update(rel.encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())


def fazhi_env() -> dict[str, str]:
    """The `FAZHI_*` environment variables (rules override folder, places map): they shape rows,
    so they are part of the signature and are handed to worker processes and Dask workers."""
    return {k: v for k, v in sorted(os.environ.items()) if k.startswith(ENV_PREFIX)}


def _lib_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def build_signature() -> str:
    """A digest of everything besides a file's own bytes that decides its rows (see module doc)."""
    h = hashlib.sha256()
    h.update(f"fazhi {fazhi_version.__version__}\npython {sys.version_info[:2]}\n".encode())
    for lib in ROW_LIBRARIES:
        h.update(f"{lib} {_lib_version(lib)}\n".encode())
    _digest_tree(PACKAGE_DIR, h)  # the code and the packaged rule files
    for name, value in fazhi_env().items():
        h.update(f"env {name}={value}\n".encode())
        path = Path(value)
        if path.is_file():
            h.update(hashlib.sha256(path.read_bytes()).digest())
        elif path.is_dir():
            _digest_tree(path, h)
    for stage in stages.REPORT_STAGES:
        h.update(f"stage {stage.__module__}.{stage.__qualname__}\n".encode())
    h.update(f"tokens {tokens.get_engine().signature}\n".encode())
    return h.hexdigest()


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


@dataclass
class BuildCache:
    """Parsed-file results on disk, one JSON entry per file (`DIR/ab/abcdef….json`), and the
    snapshot of the last build's stacked rows (Arrow). Data only: see the module doc.

    `warnings` collects what went wrong with the cache (damaged entries, failed writes); each is also
    printed to stderr as it happens. A cache problem never stops a build or changes a table.
    """

    directory: Path
    signature: str = ""
    hits: int = 0
    misses: int = 0
    stored: int = 0
    parsed: list[str] = field(default_factory=list)  # source files parsed, not found in the cache
    damaged: list[str] = field(default_factory=list)  # source files whose entry was damaged
    warnings: list[str] = field(default_factory=list)
    writable: bool = True  # False once a write failed: the rest of the build stores nothing
    used: set[str] = field(default_factory=set)
    entries: dict[str, str] = field(default_factory=dict)  # source file -> sha256 of what this build holds
    hashed: int = 0  # files whose sha256 was computed (not taken from the stat index)
    _stat_old: dict | None = None
    _stat_new: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.directory = Path(self.directory)
        if not self.signature:
            self.signature = build_signature()

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        print(f"warning: {message}", file=sys.stderr)

    def _write_failed(self, what: str, exc: Exception) -> None:
        if self.writable:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else f"{type(exc).__name__}: {exc}"
            self._warn(
                f"could not write {what} to the build cache {str(self.directory)!r} ({reason}); the build goes "
                "on without storing parsed files, so the next build parses them again"
            )
        self.writable = False

    def key(self, source_file: str, sha256: str) -> str:
        return hashlib.sha256(f"{self.signature}\0{source_file}\0{sha256}".encode("utf-8", "surrogatepass")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}{_SUFFIX}"

    def served(self, key: str, source_file: str, sha256: str) -> None:
        """Count a file whose rows come from the snapshot (a hit; its entry stays)."""
        self.used.add(key)
        self.entries[source_file] = sha256
        self.hits += 1

    def get(self, key: str, source_file: str = "", sha256: str = ""):
        """The stored result for `key`, or None (counted as a miss; `source_file` joins `parsed`).
        A damaged entry is a warning and a miss: the file is parsed again."""
        self.used.add(key)
        result = None
        try:
            data = self._path(key).read_bytes()
        except OSError:
            data = None  # absent or unreadable: parse again
        if data is not None:
            try:
                result = decode_entry(data, self.signature, source_file)
            except DamagedEntry as exc:
                self.damaged.append(source_file)
                self._warn(
                    f"the build cache's entry for {source_file or key} is damaged ({exc}); the file is parsed again"
                )
        if result is None:
            self.misses += 1
            if source_file:
                self.parsed.append(source_file)
        else:
            self.hits += 1
            if source_file and sha256:
                self.entries[source_file] = sha256
        return result

    def put(self, key: str, result, source_file: str = "", sha256: str = "") -> None:
        """Store `result` (written to a temporary name, then renamed: a killed build leaves no torn
        entry). A failed write is a warning (once), never an error."""
        self.used.add(key)
        if not self.writable:
            return
        try:
            _write_atomic(self._path(key), encode_entry(self.signature, result))
        except (OSError, ValueError, TypeError) as exc:
            self._write_failed("a parsed file", exc)
            return
        if source_file:
            self.entries[source_file] = sha256
        self.stored += 1

    def put_by_worker(self, key: str, source_file: str = "", sha256: str = "", error: str | None = None) -> None:
        """Count an entry that a worker process wrote itself (`encode_entry` at `self._path(key)`, as
        `put` does), or, with `error`, could not write."""
        self.used.add(key)
        if error is not None:
            self._write_failed("a parsed file", OSError(0, error))
            return
        if source_file:
            self.entries[source_file] = sha256
        self.stored += 1

    # ---- rows a corpus stage reads from the parts: kept by part digest, so a rebuild reads new parts only
    def part_rows(self, what: str) -> dict[str, Path]:
        """part digest → the file of the rows kept under `what` for that part (see `save_part_rows`)."""
        folder = self.directory / PART_ROWS_DIR / what
        try:
            names = os.listdir(folder)
        except OSError:
            return {}
        found = {}
        for name in names:
            digest, _, rest = name.partition("-")
            if rest.endswith(".arrow") and len(digest) == 64 and len(rest) == 64 + len(".arrow"):
                found[digest] = folder / name
        return found

    def load_part_rows(self, path: Path):
        """The Arrow table kept at `path` (`part_rows`), or None when it is damaged (a warning)."""
        import pyarrow as pa

        try:
            data = path.read_bytes()
            if _sha256(data) != path.name[65:129]:
                raise DamagedEntry("it does not match its checksum")
            return pa.ipc.open_file(pa.BufferReader(data)).read_all()
        except (OSError, ValueError, DamagedEntry, pa.ArrowException) as exc:
            self._warn(f"the build cache's {path.name} is damaged ({exc}); its part is read again")
            return None

    def save_part_rows(self, what: str, digest: str, table) -> None:
        """Keep `table` (Arrow; rows of the part with this digest) under `what`."""
        import pyarrow as pa

        if not self.writable:
            return
        try:
            sink = pa.BufferOutputStream()
            with pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
            data = sink.getvalue().to_pybytes()
            _write_atomic(self.directory / PART_ROWS_DIR / what / f"{digest}-{_sha256(data)}.arrow", data)
        except (OSError, ValueError, TypeError, pa.ArrowException) as exc:
            self._write_failed("rows of a part", exc)

    def prune_part_rows(self, what: str, keep: set[str]) -> None:
        """Delete the rows kept under `what` for parts whose digest is not in `keep` (gone from the output)."""
        for digest, path in self.part_rows(what).items():
            if digest not in keep:
                path.unlink(missing_ok=True)

    # ---- the stat index: a file whose size, mtime and inode are unchanged is not read again
    def file_digest(self, path: str | Path) -> str:
        """The sha256 of the file at `path`: from the stat index when its size, modification time
        (ns) and inode are those of the last build (a touched file is hashed again), else computed."""
        st = os.stat(path)
        key = os.path.abspath(path)
        sig = [st.st_size, st.st_mtime_ns, st.st_ino]
        known = self._stat_new.get(key)
        if known is None:
            if self._stat_old is None:
                self._stat_old = self._load_stat()
            known = self._stat_old.get(key)
        if isinstance(known, list) and len(known) == 4 and known[:3] == sig and isinstance(known[3], str):
            self._stat_new[key] = known
            return known[3]
        digest = file_sha256(path)
        self.hashed += 1
        self._stat_new[key] = [*sig, digest]
        return digest

    def _load_stat(self) -> dict:
        try:
            head = _from_json((self.directory / STAT_NAME).read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(head, dict) or head.get("format") != STAT_FORMAT or not isinstance(head.get("files"), dict):
            return {}
        return head["files"]

    def save_stat(self) -> None:
        """Keep the stat index of the files this build read (a failed write: one warning)."""
        if not self.writable or not self._stat_new:
            return
        try:
            _write_atomic(self.directory / STAT_NAME, _to_json({"format": STAT_FORMAT, "files": self._stat_new}))
        except (OSError, ValueError, TypeError) as exc:
            self._write_failed("the stat index", exc)

    # ---- the snapshot: every held file's rows, stacked (assemble.stack), one Arrow file a table
    def load_snapshot(self, name: str = SNAPSHOT_NAME) -> dict | None:
        """`{"signature", "files": {source_file: sha256}, "frames": {table: DataFrame}}` of the last
        build with this signature, or None (none yet, another signature, damaged: a warning)."""
        try:
            head = _from_json((self.directory / name).read_bytes())
        except OSError:
            return None
        except ValueError:
            self._warn(f"the build cache's {name} is damaged (not readable); every file is looked up on its own")
            return None
        if not isinstance(head, dict) or head.get("format") != SNAPSHOT_FORMAT:
            return None
        if head.get("signature") != self.signature:
            return None  # another fazhi, rules or libraries: the tables are not read at all
        frames = {}
        try:
            files, tables = dict(head["files"]), dict(head["tables"])
            for name, digest in sorted(tables.items()):
                data = (self.directory / SNAPSHOT_DIR / f"{digest}.arrow").read_bytes()
                if _sha256(data) != digest:
                    raise DamagedEntry(f"its table {name} does not match its checksum")
                frames[name] = decode_table(data)
        except (OSError, KeyError, TypeError, ValueError, DamagedEntry) as exc:
            reason = exc if isinstance(exc, DamagedEntry) else f"{type(exc).__name__}: {exc}"
            self._warn(f"the build cache's snapshot is damaged ({reason}); every file is looked up on its own")
            return None
        return {"signature": self.signature, "files": files, "frames": frames, "extra": head.get("extra")}

    def save_snapshot(self, frames: dict, name: str = SNAPSHOT_NAME, extra=None) -> None:
        head_name = name
        """Keep `frames` (the stacked rows of this build) for the files this build holds (`entries`).
        The tables are written first, under their digest; snapshot.json, renamed into place last,
        names them; the tables no snapshot names any more are removed."""
        if not self.writable:
            return
        folder = self.directory / SNAPSHOT_DIR
        try:
            tables = {}
            for name, df in frames.items():
                data = encode_table(df)
                digest = tables[name] = _sha256(data)
                path = folder / f"{digest}.arrow"
                if not path.is_file():
                    _write_atomic(path, data)
            head = {"format": SNAPSHOT_FORMAT, "signature": self.signature, "files": dict(self.entries)}
            if extra is not None:
                head["extra"] = extra
            _write_atomic(self.directory / head_name, _to_json({**head, "tables": tables}))
        except (OSError, ValueError, TypeError) as exc:
            self._write_failed("the snapshot", exc)
            return
        named = set(tables.values())
        for other in (SNAPSHOT_NAME, ROWS_SNAPSHOT_NAME):  # the other snapshot's tables stay
            if other != head_name:
                try:
                    named |= set(dict(_from_json((self.directory / other).read_bytes()).get("tables", {})).values())
                except (OSError, ValueError, TypeError, AttributeError):
                    pass
        for path in folder.glob("*.arrow"):  # fazhi's own names: 64 hex digits
            if path.stem not in named and len(path.stem) == 64:
                path.unlink(missing_ok=True)
        self.clean_temp()

    def clean_temp(self) -> int:
        """Delete the temporary files of builds that were killed mid-write (`NAME.<pid>.tmp`, the
        process gone); returns how many."""
        removed = 0
        for path in [*self.directory.glob(f"*{_TMP}"), *self.directory.glob(f"*/*{_TMP}")]:
            pid = path.name[: -len(_TMP)].rsplit(".", 1)[-1]
            if pid.isdigit() and int(pid) != os.getpid() and not _pid_running(int(pid)):
                try:
                    path.unlink()
                    removed += 1
                except OSError:
                    pass
        return removed

    def prune(self) -> int:
        """Delete the entries this build did not use (older versions, removed files); returns how many.
        The snapshot is not an entry: every build that changed something rewrites it. Only files
        fazhi names this way are touched."""
        removed = 0
        if not self.directory.is_dir():
            return 0
        try:
            for path in self.directory.glob(f"??/*{_SUFFIX}"):
                if path.stem not in self.used and len(path.stem) == 64:
                    path.unlink(missing_ok=True)
                    removed += 1
        except OSError as exc:
            self._warn(f"could not tidy the build cache {str(self.directory)!r} ({exc.strerror or exc})")
        self.clean_temp()
        return removed

    def summary(self) -> str:
        return f"cache: {self.hits} reused, {self.misses} parsed" + (
            f" ({len(self.damaged)} damaged entr{'ies' if len(self.damaged) != 1 else 'y'} parsed again)"
            if self.damaged
            else ""
        )
