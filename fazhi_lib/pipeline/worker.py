"""The per-file work of a build, the same in every process that runs it: one file → its rows of
every table (`parse_file`), as a `FileResult`; a batch of files (`parse_batch`) for a worker process
or a Dask worker, after `warm_up`.

This module sits below both runners (`pool.py`, `on_dask.py`): they call it, it calls neither.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from .. import tokens
from ..convert import as_printed, simplify
from ..load import LoadError, read_document, skip_reason
from ..meta_reader import opening_reports_a_year
from ..parse import MANDATED_PARTS, parse_page
from . import stages as _stages
from .cache import ENV_PREFIX
from .result import FileResult


def parse_text(
    text: str, *, source_file: str = "", sha256: str = "", fmt: str = "txt", encoding: str = ""
) -> FileResult:
    """Parse one decoded report page (`parse_page`), then run the report stages
    (`stages.REPORT_STAGES`) on it. Never raises on odd content: problems become messages."""
    page = parse_page(text, source_file=source_file, sha256=sha256, fmt=fmt, encoding=encoding)
    doc, tables, warnings, notes = page.document, page.tables, page.warnings, page.notes
    report_id, report = doc.report_id, doc.report
    for stage in _stages.REPORT_STAGES:
        try:
            out = stage(doc)
        except Exception as exc:  # a stage's bug must not lose the report
            warnings.append(f"stage {stage.__name__} failed: {type(exc).__name__}: {exc}")
            continue
        for name, rows in (out or {}).items():
            if name == "report_updates":
                report.update(rows)
            else:
                tables.setdefault(name, []).extend(rows)
    report["status"] = "warning" if warnings else "ok"
    report["warnings"] = "; ".join(warnings)
    log = {
        "source_file": source_file,
        "report_id": report_id,
        "status": report["status"],
        "messages": "; ".join(warnings + notes),
    }
    return FileResult(source_file, report, tables, log)


def readable_name(name: str) -> str:
    """A file name as the tables show it: the name itself when it is valid Unicode. A name whose bytes
    are not UTF-8 (Python keeps them as surrogate escapes, e.g. after unzipping a GBK archive) is shown
    part by part: a part that is valid GB18030 (GBK's superset) read as such, else with its bad bytes
    as \\xNN. The file itself is still opened by its real name.

    >>> readable_name(os.fsdecode(b"\\xb1\\xa8\\xb8\\xe6.txt"))
    '报告.txt'
    >>> readable_name(os.fsdecode(b"a\\xff.txt"))
    'a\\\\xff.txt'
    """
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    parts = []
    for part in name.split("/"):
        raw = os.fsencode(part)
        try:
            parts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                parts.append(raw.decode("gb18030"))
            except UnicodeDecodeError:
                parts.append(raw.decode("utf-8", "backslashreplace"))
    return "/".join(parts)


def escaped_name(name: str) -> str:
    """A name with its non-UTF-8 bytes as \\xNN (the fallback when two readable names would clash)."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _no_surrogates(text):
    """`text` with any surrogate escape (a byte of a non-UTF-8 file name in a message) as \\xNN."""
    if not isinstance(text, str):
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def task_source_file(task: tuple) -> str:
    """The source_file of a task `(path, root[, source_file])`: given, or the path relative to root."""
    if len(task) > 2 and task[2]:
        return task[2]
    path, root = Path(task[0]), task[1]
    return readable_name(path.relative_to(root).as_posix() if root else path.name)


def parse_task(task: tuple) -> FileResult:
    """Parse one task `(path, root[, source_file])` of a batch."""
    return parse_file(task[0], root=task[1], source_file=task[2] if len(task) > 2 else None)


def parse_file(path: str | Path, *, root: str | Path | None = None, source_file: str | None = None) -> FileResult:
    """Parse one input file. A file that is skipped, cannot be read or is not an annual report becomes a
    `skipped` or `error` row of the parse log with its reason; nothing raises.

    `source_file`: the name the tables give the file (default: its path relative to `root`, made
    readable when it is not valid UTF-8, see `readable_name`)."""
    path = Path(path)
    real = path.relative_to(root).as_posix() if root else path.name
    source_file = source_file or readable_name(real)
    result = _parse_file(path, source_file)
    if source_file != real:  # a name that is not valid UTF-8: say how it is shown
        note = f"the file name is not valid UTF-8 (bytes {os.fsencode(real)!r}); shown here as {source_file}"
        result.log["messages"] = "; ".join(m for m in (result.log["messages"], note) if m)
    for row in (result.log, result.report or {}):
        for k, v in row.items():
            if isinstance(v, str):
                row[k] = _no_surrogates(v)
    return result


def _parse_file(path: Path, source_file: str) -> FileResult:
    reason = skip_reason(source_file)
    if reason:
        return log_only(source_file, None, "skipped", reason)
    try:
        loaded = read_document(path)
    except (LoadError, OSError) as exc:
        digest = ""
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            pass
        message = str(exc) if isinstance(exc, LoadError) else f"the file could not be read ({exc.strerror or exc})"
        return log_only(source_file, digest[:12] or None, "error", message)
    try:
        result = parse_text(
            loaded.text, source_file=source_file, sha256=loaded.sha256, fmt=loaded.format, encoding=loaded.encoding
        )
    except Exception as exc:  # noqa: BLE001 - a bug on odd content must not stop the build or lose the file
        return log_only(
            source_file,
            loaded.sha256[:12],
            "error",
            f"could not be parsed ({type(exc).__name__}: {exc}); this is a fazhi bug: please report it with the file",
        )
    report = result.report
    report["converted_from"] = loaded.converted_from
    if loaded.original_text is not None and report.get("title"):  # the title as printed (traditional)
        report["title"] = as_printed(report["title"], loaded.text, loaded.original_text)
    reason = not_a_report(result)
    if reason:
        return log_only(source_file, report["report_id"], "error", reason)
    if loaded.warnings:
        report["warnings"] = "; ".join([*loaded.warnings, *([report["warnings"]] if report["warnings"] else [])])
        report["status"] = result.log["status"] = "warning"
    result.log["messages"] = "; ".join(m for m in (*loaded.warnings, *loaded.notes, result.log["messages"]) if m)
    return result


def log_only(source_file: str, report_id: str | None, status: str, message: str) -> FileResult:
    """The result of a file that gives no report: its parse-log row only."""
    return FileResult(
        source_file,
        None,
        {},
        {"source_file": source_file, "report_id": report_id, "status": status, "messages": message},
    )


# (依法全面)履行政府职能: the first task of the 法治政府建设实施纲要, the first part of many reports' excerpts
_REPORT_WORDS = re.compile(r"法治|依法行政|法制|履行政府职能")


def not_a_report(result: FileResult) -> str | None:
    """Why a parsed page is not an annual rule-of-law report (a news item, an error page), or None.

    A report has two of the mandated parts (achievements, problems, duty, plan); or one of them and a
    title naming a rule-of-law report or 法治/依法行政/履行政府职能 near its start (in simplified characters); or such a title and 1,000+
    characters (a report whose parts could not be recognised is kept, with warnings).
    """
    r = result.report
    text = result.tables["texts"][0]["text"] if result.tables.get("texts") else ""
    found = {k for k in (r.get("part_kinds") or "").split(",") if k in MANDATED_PARTS}
    titled = bool(r.get("title"))
    if len(found) >= 2 or (found and (titled or _REPORT_WORDS.search(text[:500]))) or (titled and len(text) >= 1000):
        return None
    if found and _REPORT_WORDS.search(simplify(text[:500])):  # (履行政府職能 on a traditional page)
        return None
    if opening_reports_a_year(r, text):  # only the opening survived (meta_reader.py)
        return None
    snippet = " ".join(text.split())[:30]
    if not text.strip():
        return "not an annual report: no text is left once the page's menus, metadata and links are removed"
    return (
        f"not an annual rule-of-law report (no title naming one, {'only the ' + ', '.join(sorted(found)) + ' part' if found else 'no achievements/problems/plan parts'}; "
        f"{len(text):,} characters beginning '{snippet}'): a news item, an error page or another document; not counted"
    )


def _apply_env(env: dict[str, str]) -> None:
    """Make this process see the caller's `FAZHI_*` variables (and no stale ones)."""
    for name in [k for k in os.environ if k.startswith(ENV_PREFIX) and k not in env]:
        del os.environ[name]
    os.environ.update(env)


def warm_up(env: dict[str, str] | None = None) -> None:
    """Load what every parse needs once per process: environment, rules, tokeniser dictionary."""
    if env is not None:
        _apply_env(env)
    tokens.get_engine().cut("法治政府")  # builds the engine with the domain dictionary


def parse_batch(batch: list[tuple], env: dict[str, str] | None = None) -> list[FileResult]:
    """Parse `[(path, root[, source_file]), …]` in this process (a worker's task); results in order."""
    if env is not None:
        _apply_env(env)
    return [parse_task(task) for task in batch]
