"""The one error type fazhi raises for a researcher's mistakes, and its phrasing."""

from __future__ import annotations


class FazhiError(ValueError):
    """An error whose message is one plain sentence meant for the researcher."""


def invalid(name: str, value, choices) -> FazhiError:
    """`part_kind` = 'problem' is not valid; choose one of: achievements, problems, …

    >>> str(invalid("part_kind", "problem", ["problems", "plan"]))
    "`part_kind` = 'problem' is not valid; choose one of: problems, plan."
    """
    return FazhiError(f"`{name}` = {value!r} is not valid; choose one of: {', '.join(map(str, choices))}.")
