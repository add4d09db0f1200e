"""`FileResult`: one file's rows of every table and its parse-log row (plain data: what the cache
stores as JSON and worker processes send back)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FileResult:
    source_file: str
    report: dict | None
    tables: dict[str, list[dict]]
    log: dict
