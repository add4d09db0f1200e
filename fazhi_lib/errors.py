"""The one error class fazhi raises for the researcher, and its one phrasing for a bad value.

>>> raise invalid("part_kind", "problem", ["achievements", "problems", "duty", "plan", "other"])
Traceback (most recent call last):
...
fazhi_lib.errors.FazhiError: `part_kind` = 'problem' is not valid; choose one of: achievements, problems, duty, plan, other.
"""

from __future__ import annotations


class FazhiError(ValueError):
    """An error whose message is one plain sentence meant for the researcher."""


def invalid(name: str, value, choices) -> FazhiError:
    """The error for `name` = `value` when it must be one of `choices` (see the module example)."""
    return FazhiError(f"`{name}` = {value!r} is not valid; choose one of: {', '.join(map(str, choices))}.")
