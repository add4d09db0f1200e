"""The rule files a researcher can read and extend (YAML/TSV/TXT beside this file).

>>> load_rules("parts")["kinds"][0]["kind"]
'other'

To use an edited copy without touching the installed package, set the environment variable
`FAZHI_RULES_DIR` to a folder holding files with the same names; files found there win. This module
is the only reader of that variable (`rule_folders`, `rule_path`, `load_rules`).

What is compiled from a rule file (regexes, lookup tables) is kept by `compiled`, once per loaded
version of the file: an edited file is compiled again, an unchanged one never.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import yaml

RULES_DIR = Path(__file__).resolve().parent
RULES_ENV = "FAZHI_RULES_DIR"
T = TypeVar("T")


def override_dir() -> Path | None:
    """The folder named by `FAZHI_RULES_DIR`, or None when the variable is unset or empty."""
    override = os.environ.get(RULES_ENV)
    return Path(override) if override else None


def rule_folders() -> list[Path]:
    """The folders rule files are read from, the package's own first, then the override folder."""
    override = override_dir()
    return [RULES_DIR] if override is None else [RULES_DIR, override]


def rule_path(filename: str) -> Path:
    """The file to read for `filename`: the user's override folder first, then the package's own."""
    override = override_dir()
    if override is not None and (override / filename).exists():
        return override / filename
    return RULES_DIR / filename


# libyaml's safe loader when PyYAML was built with it: the same safe constructor (plain data only) on a
# scanner and parser written in C, ten times as fast as the pure-Python one (0.25 → 0.03 s CPU for the
# packaged rule files, which every build process reads once); tests/test_rules_loader.py checks they agree.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _load_yaml(path: str, mtime: float) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_SAFE_LOADER)  # noqa: S506 (a safe loader: plain data only)


_RECHECK_SECONDS = 1.0  # how often load_rules looks at a rule file's mtime again (edits in a notebook session)
_checked: dict[tuple[str, str | None], tuple[float, dict]] = {}  # (name, FAZHI_RULES_DIR) -> (monotonic, rules)


def load_rules(name: str) -> dict:
    """Parsed `<name>.yaml` (cached until the file changes; a change is noticed within a second)."""
    key = (name, os.environ.get(RULES_ENV))
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


_COMPILED: dict[tuple, tuple[tuple[dict, ...], object]] = {}  # (build, n) -> (the rule dicts, build(*them))


def compiled(build: Callable[..., T], *rules: dict) -> T:
    """`build(*rules)`, computed once for these rule dicts (as `load_rules` returns them) and kept
    until one of them is replaced (the file was edited, another `FAZHI_RULES_DIR`); `build` must be a
    module-level function. The dicts are held, so an id is never mistaken for another's.

    >>> compiled(len, load_rules("parts")) is compiled(len, load_rules("parts"))
    True
    """
    key = (build, len(rules))
    hit = _COMPILED.get(key)
    if hit is None or len(hit[0]) != len(rules) or any(a is not b for a, b in zip(hit[0], rules)):
        hit = _COMPILED[key] = (rules, build(*rules))
    return hit[1]  # type: ignore[return-value]
