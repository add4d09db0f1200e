"""Output folders: fazhi replaces only a folder it wrote, and only the files it wrote.

`fazhi build RAW --out DIR` writes its tables into a fresh temporary folder beside DIR and then swaps
it in. Before anything is written, `check_output_dir` refuses (with one sentence) an `--out` that

- is a file, or is, contains or lies inside an input folder (`--out data` would hold `data/raw`);
- already exists and holds anything fazhi did not write: a folder is recognised as fazhi's by its
  `manifest.json` (which lists the files the build wrote); a new or empty folder is fine.

`replace_dir` does the swap under a lock (`.DIR.lock` beside DIR: two builds never write one folder)
and recovers the one moment a killed build could leave behind, between its two renames: the next
run finds the last complete folder under `.DIR.old` and puts it back. A build stages the part files
of the tables it writes beside DIR (`.DIR.staging-<pid>`, see `pipeline/stream.py`); a killed build's
staging folder is removed by the next build on DIR when it holds only part files.

>>> check_output_dir("data", inputs=["data/raw"])                      # doctest: +SKIP
Traceback (most recent call last):
FazhiError: `--out` = 'data' contains the input folder 'data/raw': ...
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import FazhiError

MANIFEST = "manifest.json"
# what a build writes besides the files its manifest lists (carried over or rewritten by the build)
OWN_EXTRAS = frozenset({".cache", "dataset", "datapackage.json"})
# a manifest written before manifests listed their files: the file kinds a build wrote then
_OLD_BUILD_SUFFIXES = (".parquet", ".csv")


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def written_by_fazhi(out_dir: Path) -> set[str] | None:
    """The names in `out_dir` that a fazhi build wrote, from its manifest; None if no fazhi manifest."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or "fazhi_version" not in manifest:
        return None
    files = manifest.get("files")
    if isinstance(files, list):
        return {MANIFEST, *map(str, files)}
    return {MANIFEST, *(p.name for p in out_dir.iterdir() if p.name.endswith(_OLD_BUILD_SUFFIXES))}


def foreign_entries(out_dir: Path) -> list[str]:
    """Entries of an existing `out_dir` that fazhi did not write (empty: safe to replace)."""
    if not out_dir.is_dir():
        return []
    names = sorted(p.name for p in out_dir.iterdir())
    ours = written_by_fazhi(out_dir)
    if ours is None:  # no manifest: only a cache a build left before its first save is ours
        ours = {".cache"} if (out_dir / ".cache").is_dir() else set()
    foreign = []
    for n in names:
        if n in ours or n in OWN_EXTRAS:
            continue
        if any(f.startswith(f"{n}/") for f in ours) and (out_dir / n).is_dir() and not (out_dir / n).is_symlink():
            # a folder of part files (OUT/texts/part-00000.parquet): ours if the manifest lists all it holds
            inside = [p for p in (out_dir / n).rglob("*") if not p.is_dir() or p.is_symlink()]
            stray = [p.relative_to(out_dir).as_posix() for p in inside]
            stray = [f for f in stray if f not in ours]
            foreign += stray
            continue
        foreign.append(n)
    return foreign


def check_output_dir(
    out_dir: str | Path,
    *,
    inputs: Iterable[str | Path] = (),
    option: str = "--out",
    input_name: str = "input folder",
    own_only: bool = True,
) -> Path:
    """`out_dir` as a Path if fazhi may write it; otherwise a FazhiError saying why, in one sentence.

    `own_only=False` checks only the relation to the inputs (a cache folder has no manifest)."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise FazhiError(f"`{option}` = '{out}' is a file, not a folder; give a folder for the output.")
    real = out.resolve()
    for given in inputs:
        src = Path(given).resolve()
        if real == src:
            raise FazhiError(
                f"`{option}` = '{out}' is the {input_name}: writing there would replace it; "
                "choose another folder, such as data/processed."
            )
        if _inside(src, real):
            raise FazhiError(
                f"`{option}` = '{out}' contains the {input_name} '{given}': replacing it would "
                "delete that folder; choose a folder beside it, such as data/processed."
            )
        if _inside(real, src):
            raise FazhiError(
                f"`{option}` = '{out}' lies inside the {input_name} '{given}': its files would be "
                "read as input next time; choose a folder outside it."
            )
    foreign = foreign_entries(out) if own_only else []
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise FazhiError(
            f"`{option}` = '{out}' already holds files fazhi did not write ({shown}); fazhi only "
            "replaces a folder it wrote: choose a new or empty folder, or move those files."
        )
    return out


_HELD: dict[str, FileLock] = {}


def _sibling(out: Path, tag: str) -> Path:
    return out.with_name(f".{out.name}.{tag}")


@contextmanager
def output_lock(out_dir: str | Path):
    """Hold `.OUT.lock` beside the output folder; a second build on the same folder is refused."""
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not os.access(out.parent, os.W_OK):  # (filelock would keep retrying and look like another build)
        raise FazhiError(
            f"cannot write in '{out.parent}' (read-only or not a real folder); choose another output folder."
        )
    path = str(_sibling(out, "lock").resolve())
    lock = _HELD.setdefault(path, FileLock(path, timeout=0))  # one lock object a path: re-entrant
    try:
        lock.acquire()
    except Timeout:
        raise FazhiError(
            f"another fazhi build is writing '{out}' now; wait until it finishes "
            "(the lock is released when that process ends)."
        ) from None
    try:
        yield
    finally:
        lock.release()


def recover(out_dir: str | Path) -> None:
    """Undo what a build killed mid-swap left behind (call under `output_lock`).

    `.OUT.old` is the last complete folder: put back if OUT is missing, else removed (it holds only
    what a build wrote: it was OUT when that build checked it). `.OUT.tmp-*` are unfinished writes.
    """
    out = Path(out_dir)
    old = _sibling(out, "old")
    if old.is_dir():
        if not out.exists():
            os.replace(old, out)
        elif written_by_fazhi(old) is not None and not foreign_entries(old):
            shutil.rmtree(old)
    for tmp in out.parent.glob(f".{out.name}.tmp-*"):
        if tmp.is_dir() and not foreign_entries(tmp):
            shutil.rmtree(tmp)
    for staging in out.parent.glob(f".{out.name}.staging-*"):  # part files a killed build staged
        if staging.name != f".{out.name}.staging-{os.getpid()}" and _only_part_files(staging):
            shutil.rmtree(staging)


_PART_FILE = re.compile(r"(part-[0-9a-f]{16}|\.writing-\d+)\.(parquet|csv)")


def _only_part_files(folder: Path) -> bool:
    """Whether `folder` holds nothing but table folders of part files (what a build stages)."""
    if not folder.is_dir() or folder.is_symlink():
        return False
    for table in folder.iterdir():
        if not table.is_dir() or table.is_symlink():
            return False
        if not all(f.is_file() and not f.is_symlink() and _PART_FILE.fullmatch(f.name) for f in table.iterdir()):
            return False
    return True


def replace_dir(
    out_dir: str | Path,
    write: Callable[[Path], None],
    *,
    inputs: Iterable[str | Path] = (),
    keep: Iterable[str] = (".cache",),
) -> Path:
    """Write a new `out_dir` with `write(tmp)` and swap it in; the old folder's `keep` entries move over.

    Refuses (FazhiError) what `check_output_dir` refuses; holds the output lock throughout.
    """
    out = Path(out_dir)
    with output_lock(out):
        recover(out)
        check_output_dir(out, inputs=inputs)
        tmp = _sibling(out, f"tmp-{os.getpid()}")
        tmp.mkdir()
        try:
            write(tmp)
            for name in keep:
                if (out / name).exists() and not (tmp / name).exists():
                    os.replace(out / name, tmp / name)
            old = _sibling(out, "old")
            if out.exists():
                os.replace(out, old)
            os.replace(tmp, out)  # (a build killed between the two renames: `recover` puts `old` back)
        except BaseException:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
            raise
        if old.exists():
            shutil.rmtree(old)
    return out
