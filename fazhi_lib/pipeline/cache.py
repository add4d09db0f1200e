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
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .. import tokens
from .. import version as fazhi_version
from . import stages

CACHE_DIRNAME = ".cache"
ENV_PREFIX = "FAZHI_"
# libraries whose version can change the rows of a report
ROW_LIBRARIES = ("jieba", "rjieba", "opencc", "cnloc")
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # fazhi_lib/
_SUFFIX = ".pkl"
SNAPSHOT_NAME = "snapshot.pickle"  # not *.pkl: entries are DIR/ab/<key>.pkl


def _dump(path: Path, obj) -> None:
    """Pickle `obj` to `path` through a temporary name (a killed build leaves no torn file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


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


@dataclass
class BuildCache:
    """Parsed-file results on disk, one pickle per file: `DIR/ab/abcdef….pkl`.

    Only trusted caches should be used: entries are Python pickles, written by fazhi itself.
    """

    directory: Path
    signature: str = ""
    hits: int = 0
    misses: int = 0
    stored: int = 0
    parsed: list[str] = field(default_factory=list)  # source files parsed, not found in the cache
    used: set[str] = field(default_factory=set)
    entries: dict[str, str] = field(default_factory=dict)  # source file -> sha256 of what this build holds

    def __post_init__(self) -> None:
        self.directory = Path(self.directory)
        if not self.signature:
            self.signature = build_signature()

    def key(self, source_file: str, sha256: str) -> str:
        return hashlib.sha256(f"{self.signature}\0{source_file}\0{sha256}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}{_SUFFIX}"

    def served(self, key: str, source_file: str, sha256: str) -> None:
        """Count a file whose rows come from the snapshot (a hit; its entry stays)."""
        self.used.add(key)
        self.entries[source_file] = sha256
        self.hits += 1

    def get(self, key: str, source_file: str = "", sha256: str = ""):
        """The stored result for `key`, or None (counted as a miss; `source_file` joins `parsed`)."""
        self.used.add(key)
        try:
            with open(self._path(key), "rb") as fh:
                result = pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
            result = None  # absent or unreadable (a half-written file of a killed build): parse again
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
        """Store `result` (written to a temporary name, then renamed: a killed build leaves no torn entry)."""
        _dump(self._path(key), result)
        self.used.add(key)
        if source_file:
            self.entries[source_file] = sha256
        self.stored += 1

    # ---- the snapshot: every held file's rows, stacked (assemble.stack), in one file
    def load_snapshot(self) -> dict | None:
        """`{"signature", "files": {source_file: sha256}, "frames": {table: DataFrame}}` of the last
        build with this signature, or None (none yet, another signature, torn or unreadable)."""
        try:
            with open(self.directory / SNAPSHOT_NAME, "rb") as fh:
                snap = pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
            return None
        if not isinstance(snap, dict) or snap.get("signature") != self.signature:
            return None
        return snap

    def save_snapshot(self, frames: dict) -> None:
        """Keep `frames` (the stacked rows of this build) for the files this build holds (`entries`)."""
        _dump(
            self.directory / SNAPSHOT_NAME, {"signature": self.signature, "files": dict(self.entries), "frames": frames}
        )

    def prune(self) -> int:
        """Delete the entries this build did not use (older versions, removed files); returns how many.
        The snapshot is not an entry: every build that changed something rewrites it."""
        removed = 0
        if not self.directory.is_dir():
            return 0
        for path in self.directory.glob(f"*/*{_SUFFIX}"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)
                removed += 1
        for path in self.directory.glob("*/*.tmp"):
            path.unlink(missing_ok=True)
        return removed

    def summary(self) -> str:
        return f"cache: {self.hits} reused, {self.misses} parsed"
