"""Problem typology: which kinds of shortcoming does each point of the problems part admit?

The categories and their keyword rules live in `rules/typology.yaml` (11 categories from the
glossary: staffing, awareness, enforcement, legality_review, decision_making, oversight,
legal_education, legal_advisors, digital, unevenness, disputes). An item gets every category one of
whose rules matches; each (item, category) row records the first rule that fired and the text it
matched, with offsets into the clean report text.

>>> [(m.category, m.rule, m.matched) for m in classify_text("二是法制专业人员配备不足。")]
[('staffing', 'staff_short', '人员配备不足')]

`fazhi build` runs `categorise_problem_items` on every report (a REPORT_STAGE) and writes the table
`problem_item_categories` (report_id, item_order, category, category_label, rule, matched, start, end).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from .rules import load_rules, rule_path

CATEGORY_COLUMNS = [
    "report_id",
    "item_order",
    "category",
    "category_label",
    "rule",
    "matched",
    "start",
    "end",
]
_RULE_KEYS = {"id", "pattern", "example", "not"}


def _error(message: str) -> ValueError:
    # imported late: corpus imports the build stages, which import this module
    from .corpus import FazhiError

    return FazhiError(message)


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    pattern: re.Pattern
    veto: re.Pattern | None
    example: str


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    description: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Match:
    category: str
    category_label: str
    rule: str
    matched: str
    start: int  # offset of the match in the text classified
    end: int


def _compile(pattern: str, where: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise _error(
            f"{where}: the pattern {pattern!r} is not a valid regular expression ({exc})."
        ) from None


def parse_typology(data: dict, *, source: str = "typology.yaml") -> tuple[Category, ...]:
    """Check and compile the typology file's content (clear errors naming the faulty rule)."""
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise _error(f"{source}: expected a top-level `categories:` list.")
    categories, seen_codes, seen_rules = [], set(), set()
    for i, cat in enumerate(data["categories"], 1):
        code = (cat or {}).get("code")
        if not code or not cat.get("label"):
            raise _error(f"{source}: category {i} needs a `code` and a `label`.")
        if code in seen_codes:
            raise _error(f"{source}: category code {code!r} appears twice.")
        seen_codes.add(code)
        rules = []
        for spec in cat.get("rules") or []:
            rid = (spec or {}).get("id")
            where = f"{source}: rule {rid!r} of {code!r}"
            if not rid or not spec.get("pattern"):
                raise _error(f"{source}: every rule of {code!r} needs an `id` and a `pattern`.")
            unknown = set(spec) - _RULE_KEYS
            if unknown:
                raise _error(
                    f"{where}: key {min(unknown)!r} is not valid; choose one of: "
                    f"{', '.join(sorted(_RULE_KEYS))}."
                )
            if rid in seen_rules:
                raise _error(
                    f"{source}: rule id {rid!r} appears twice; rule ids are unique in the file."
                )
            seen_rules.add(rid)
            veto = _compile(spec["not"], where) if spec.get("not") else None
            rules.append(
                Rule(rid, code, _compile(spec["pattern"], where), veto, spec.get("example", ""))
            )
        if not rules:
            raise _error(f"{source}: category {code!r} has no rules.")
        categories.append(Category(code, cat["label"], cat.get("description", ""), tuple(rules)))
    return tuple(categories)


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> tuple[Category, ...]:
    return parse_typology(load_rules("typology"), source=path)


def load_typology() -> tuple[Category, ...]:
    """The categories of `rules/typology.yaml` (or its `FAZHI_RULES_DIR` override), in file order."""
    path = rule_path("typology.yaml")
    return _load(str(path), path.stat().st_mtime)


def category_labels() -> dict[str, str]:
    """code → Chinese label, in file order.

    >>> category_labels()["legality_review"]
    '合法性审查'
    """
    return {c.code: c.label for c in load_typology()}


def classify_text(text: str, *, categories: Iterable[Category] | None = None) -> list[Match]:
    """The categories of one text: one Match per category that fired (first rule in file order).

    Matching runs on the simplified-character form of `text`; when conversion keeps the length (it
    does for ordinary traditional text) the match offsets and `matched` refer to the original text.
    """
    if not isinstance(text, str) or not text:
        return []
    from .tokens import to_simplified

    simple = to_simplified(text)
    same_length = len(simple) == len(text)
    out = []
    for cat in load_typology() if categories is None else categories:
        for rule in cat.rules:
            m = next(
                (
                    m
                    for m in rule.pattern.finditer(simple)
                    if not (rule.veto and rule.veto.search(m.group(0)))
                ),
                None,
            )
            if m is None:
                continue
            matched = text[m.start() : m.end()] if same_length else m.group(0)
            out.append(Match(cat.code, cat.label, rule.id, matched, m.start(), m.end()))
            break
    return out


def categorise_items(items: pd.DataFrame) -> pd.DataFrame:
    """`problem_items` rows → `problem_item_categories` rows (sorted by report, item, category order).

    `start`/`end` are offsets into the clean report text (item start + match offset).
    """
    missing = [c for c in ("report_id", "item_order", "text") if c not in items.columns]
    if missing:
        raise _error(f"`items` has no column {missing[0]!r}; pass the `problem_items` table.")
    order = {c.code: i for i, c in enumerate(load_typology())}
    rows = []
    for row in items.itertuples(index=False):
        base = getattr(row, "start", None)
        base = int(base) if base is not None and not pd.isna(base) else None
        for m in classify_text(row.text):
            rows.append(
                {
                    "report_id": row.report_id,
                    "item_order": int(row.item_order),
                    "category": m.category,
                    "category_label": m.category_label,
                    "rule": m.rule,
                    "matched": m.matched,
                    "start": None if base is None else base + m.start,
                    "end": None if base is None else base + m.end,
                }
            )
    out = pd.DataFrame(rows, columns=CATEGORY_COLUMNS)
    if out.empty:
        return out
    out["start"] = out["start"].astype("Int64")
    out["end"] = out["end"].astype("Int64")
    out["_k"] = out["category"].map(order)
    out = out.sort_values(["report_id", "item_order", "_k"], kind="stable").drop(columns="_k")
    return out.reset_index(drop=True)


def categorise_problem_items(doc) -> dict[str, list[dict]]:
    """REPORT_STAGE of `fazhi build`: the categories of this report's problem items."""
    items = pd.DataFrame(doc.problem_items, columns=["report_id", "item_order", "text", "start"])
    if items.empty:
        return {"problem_item_categories": []}
    rows = categorise_items(items).astype(object).where(lambda d: d.notna(), None)
    return {"problem_item_categories": rows.to_dict("records")}


def item_categories(corpus) -> pd.DataFrame:
    """The `problem_item_categories` table of a corpus: the built one, or computed now if the corpus
    was built before the typology stage existed."""
    table = corpus.tables.get("problem_item_categories")
    if table is not None and set(CATEGORY_COLUMNS[:6]) <= set(table.columns):
        return table
    return categorise_items(corpus.problem_items)


def category_matrix(
    corpus, *, categories: pd.DataFrame | None = None, labels: str = "label"
) -> pd.DataFrame:
    """Category × report: how many problem items of each report fall in each category.

    Rows: every category of the typology in file order, by Chinese label (zeros kept); columns: reports
    with a problems part, labelled `issuer report_year` (`labels="report_id"` for ids).
    """
    from .tfidf import report_labels

    cats = item_categories(corpus) if categories is None else categories
    reports = corpus.reports
    if not reports.empty:
        reports = reports.sort_values(
            ["report_year", "issuer", "report_id"], na_position="last", kind="stable"
        )
    with_items = sorted(set(corpus.problem_items.get("report_id", pd.Series(dtype=str))))
    names = (
        report_labels(reports)
        if labels == "label"
        else pd.Series(reports["report_id"].values, index=reports["report_id"])
    )
    columns = [names[r] for r in names.index if r in with_items]
    typology = load_typology()
    counts = (
        cats.groupby(["category", "report_id"]).size() if not cats.empty else pd.Series(dtype=int)
    )
    data = {
        names[r]: [int(counts.get((c.code, r), 0)) for c in typology]
        for r in names.index
        if r in with_items
    }
    return pd.DataFrame(
        data, index=pd.Index([c.label for c in typology], name="category"), columns=columns
    )


def uncategorised_items(corpus, *, categories: pd.DataFrame | None = None) -> pd.DataFrame:
    """Problem items that no rule matched (candidates for new rules)."""
    cats = item_categories(corpus) if categories is None else categories
    items = corpus.problem_items
    if items.empty:
        return items
    hit = set(zip(cats["report_id"], cats["item_order"].astype(int))) if not cats.empty else set()
    mask = [(r, int(o)) not in hit for r, o in zip(items["report_id"], items["item_order"])]
    return items.loc[mask].reset_index(drop=True)


def plot_category_matrix(matrix: pd.DataFrame, *, title: str = ""):
    """Heatmap of `category_matrix` (categories × reports, counts of items). Returns the Figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from .plotting import setup_chinese_font

    setup_chinese_font()
    fig, ax = plt.subplots(
        figsize=(max(5.0, 0.9 * matrix.shape[1] + 3), 0.4 * matrix.shape[0] + 1.5)
    )
    sns.heatmap(
        matrix,
        annot=matrix.shape[1] <= 25,
        fmt="d",
        cmap="Reds",
        cbar_kws={"label": "items"},
        linewidths=0.5,
        linecolor="white",
        ax=ax,
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    fig.tight_layout()
    return fig
