"""The rule files a researcher can read and extend (YAML/TSV/TXT beside this file).

>>> load_rules("parts")["kinds"][0]["kind"]
'other'

To use an edited copy without touching the installed package, set the environment variable
`FAZHI_RULES_DIR` to a folder holding files with the same names; files found there win.
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

import yaml

RULES_DIR = Path(__file__).resolve().parent


def rule_path(filename: str) -> Path:
    """The file to read for `filename`: the user's override folder first, then the package's own."""
    override = os.environ.get("FAZHI_RULES_DIR")
    if override and (Path(override) / filename).exists():
        return Path(override) / filename
    return RULES_DIR / filename


@functools.lru_cache(maxsize=None)
def _load_yaml(path: str, mtime: float) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


_RECHECK_SECONDS = 1.0  # how often load_rules looks at a rule file's mtime again (edits in a notebook session)
_checked: dict[tuple[str, str | None], tuple[float, dict]] = {}  # (name, FAZHI_RULES_DIR) -> (monotonic, rules)


def load_rules(name: str) -> dict:
    """Parsed `<name>.yaml` (cached until the file changes; a change is noticed within a second)."""
    key = (name, os.environ.get("FAZHI_RULES_DIR"))
    hit = _checked.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < _RECHECK_SECONDS:
        return hit[1]  # hot path: parsing calls this many times per report; a stat() each time was 9 ms/report
    path = rule_path(f"{name}.yaml")
    if not path.exists():
        available = sorted(p.stem for p in RULES_DIR.glob("*.yaml"))
        raise ValueError(f"`rules` = {name!r} is not valid; choose one of: {', '.join(available)}.")
    rules = _load_yaml(str(path), path.stat().st_mtime)
    _checked[key] = (now, rules)
    return rules
