"""Problem typology: which kinds of shortcoming does each point of the problems part admit?

The categories and their keyword rules live in `rules/typology.yaml` (11 categories from the
glossary: staffing, awareness, enforcement, legality_review, decision_making, oversight,
legal_education, legal_advisors, digital, unevenness, disputes). A rule codes what an item is about,
not every word it mentions: it pairs a topic word with a shortcoming cue in the same clause (no
，,；;。 between them), or (`reads: heading`) finds a topic word in the item's heading, which in a
problems part names what is wrong. An item gets every category one of whose rules matches; each
(item, category) row records the first rule that fired and the text it matched, with offsets into
the clean report text.

>>> [(m.category, m.rule, m.matched) for m in classify_text("二是法制专业人员配备不足。")]
[('staffing', 'staff_short', '人员配备不足')]

`fazhi build` runs `categorise_problem_items` on every report (a REPORT_STAGE) and writes the table
`problem_item_categories` (report_id, item_order, category, category_label, rule, matched, start, end).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from .errors import FazhiError
from .labels import report_labels
from .rules import load_rules, rule_path
from .tokens import to_simplified

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
_RULE_KEYS = {"id", "pattern", "example", "not", "not_clause", "reads"}
RULE_TARGETS = ("text", "heading")  # what a rule reads: the item's text, or only its heading
# A clause ends at a comma, semicolon, full stop, question or exclamation mark, or a line break.
_CLAUSE_STOP = re.compile(r"[，,；;。！？!?\n]")


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    pattern: re.Pattern
    veto: re.Pattern | None
    example: str
    # words a text must hold for `pattern` to match (one of each group), from `required_words`
    needs: tuple[tuple[str, ...], ...] = field(default=(), compare=False, repr=False)
    # a veto read on the whole clause that holds the match (not only the matched text)
    clause_veto: re.Pattern | None = None
    reads: str = "text"  # "heading": the pattern reads the item's heading, `veto` the whole heading

    def may_match(self, text: str) -> bool:
        """False when `text` lacks a word every match needs: a few `in` tests instead of a search."""
        for words in self.needs:  # plain loops: all(any(...)) costs three times as much here
            for word in words:
                if word in text:
                    break
            else:
                return False
        return True


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
        raise FazhiError(f"{where}: the pattern {pattern!r} is not a valid regular expression ({exc}).") from None


# ------------------------------------------------------------ words a pattern needs (a pre-filter)
# Most rules pair a topic word with a word of lack; a point of the problems part names few of them, so
# testing the words with `in` first skips most searches (a search costs 1-25 µs, an `in` test 0.05 µs).
try:  # the parser of the standard `re` module (Python >= 3.11), `sre_parse` before
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _sre
    import sre_parse as _sre_parse

_MAX_WORDS = 32  # alternatives kept in one set of needed words (each costs an `in` test)


def _fixed_strings(items) -> set[str] | None:
    """Every string a parsed piece can match, when they are few and literal: '(法律|法学)' → {法律, 法学}."""
    out = {""}
    for op, av in items:
        if op is _sre.LITERAL:
            alts = {chr(av)}
        elif op is _sre.IN and all(o is _sre.LITERAL for o, _ in av):
            alts = {chr(a) for _, a in av}
        elif op is _sre.SUBPATTERN and not av[1] and not av[2]:  # a group without inline flags
            alts = _fixed_strings(av[3])
        elif op is _sre.BRANCH:
            alts = set()
            for branch in av[1]:
                sub = _fixed_strings(branch)
                if sub is None:
                    return None
                alts |= sub
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] == 0 and av[1] == 1:  # 式?
            sub = _fixed_strings(av[2])
            alts = None if sub is None else sub | {""}
        else:
            return None
        if alts is None or len(out) * len(alts) > _MAX_WORDS:
            return None
        out = {a + b for a in out for b in alts}
    return out


def _needs(items) -> list[frozenset[str]]:
    """Sets of words such that a match holds one word of every set (a necessary condition only)."""
    needs: list[frozenset[str]] = []
    run = {""}  # the strings the current stretch of literal pieces can be

    def close_run():
        nonlocal run
        if "" not in run:  # a word holding another word of the set adds nothing: 依法行政 ⊃ 依法
            needs.append(frozenset(w for w in run if not any(o != w and o in w for o in run)))
        run = {""}

    for op, av in items:
        fixed = _fixed_strings([(op, av)])
        if fixed is not None and len(run) * len(fixed) <= _MAX_WORDS:
            run = {a + b for a in run for b in fixed}
            continue
        close_run()
        if fixed is not None:
            run = fixed
        elif op is _sre.SUBPATTERN and not av[1] and not av[2]:
            needs.extend(_needs(av[3]))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            needs.extend(_needs(av[2]))
        elif op is _sre.BRANCH:  # each branch needs its own words: any of them will do
            firsts = [_needs(branch) for branch in av[1]]
            if all(firsts):
                needs.append(frozenset().union(*(f[0] for f in firsts)))
        # anything else (classes, lookarounds, anchors, references) needs no word
    close_run()
    return needs


def required_words(pattern: re.Pattern) -> tuple[frozenset[str], ...]:
    """Sets of words a text must hold (one of each set) for `pattern` to match it; () when unknown.

    >>> [sorted(words) for words in required_words(re.compile("(法治|法律)意识[^。]{0,8}?(不强|淡薄)"))]
    [['不强', '淡薄'], ['法律意识', '法治意识']]
    """
    if pattern.flags & re.IGNORECASE or not isinstance(pattern.pattern, str):
        return ()  # case-folded literals match more than themselves
    try:
        needs = _needs(_sre_parse.parse(pattern.pattern, pattern.flags))
    except (re.error, AttributeError, TypeError, ValueError):  # pragma: no cover - a parser change
        return ()  # no pre-filter: the same matches, found by searching
    return tuple(sorted(needs, key=lambda words: (len(words), sorted(words))))


def parse_typology(data: dict, *, source: str = "typology.yaml") -> tuple[Category, ...]:
    """Check and compile the typology file's content (clear errors naming the faulty rule)."""
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise FazhiError(f"{source}: expected a top-level `categories:` list.")
    categories, seen_codes, seen_rules = [], set(), set()
    for i, cat in enumerate(data["categories"], 1):
        code = (cat or {}).get("code")
        if not code or not cat.get("label"):
            raise FazhiError(f"{source}: category {i} needs a `code` and a `label`.")
        if code in seen_codes:
            raise FazhiError(f"{source}: category code {code!r} appears twice.")
        seen_codes.add(code)
        rules = []
        for spec in cat.get("rules") or []:
            rid = (spec or {}).get("id")
            where = f"{source}: rule {rid!r} of {code!r}"
            if not rid or not spec.get("pattern"):
                raise FazhiError(f"{source}: every rule of {code!r} needs an `id` and a `pattern`.")
            unknown = set(spec) - _RULE_KEYS
            if unknown:
                raise FazhiError(
                    f"{where}: key {min(unknown)!r} is not valid; choose one of: {', '.join(sorted(_RULE_KEYS))}."
                )
            if rid in seen_rules:
                raise FazhiError(f"{source}: rule id {rid!r} appears twice; rule ids are unique in the file.")
            seen_rules.add(rid)
            veto = _compile(spec["not"], where) if spec.get("not") else None
            clause_veto = _compile(spec["not_clause"], where) if spec.get("not_clause") else None
            reads = spec.get("reads", "text")
            if reads not in RULE_TARGETS:
                raise FazhiError(
                    f"{where}: `reads` = {reads!r} is not valid; choose one of: {', '.join(RULE_TARGETS)}."
                )
            pattern = _compile(spec["pattern"], where)
            rules.append(
                Rule(
                    rid,
                    code,
                    pattern,
                    veto,
                    spec.get("example", ""),
                    tuple(tuple(sorted(words)) for words in required_words(pattern)),
                    clause_veto,
                    reads,
                )
            )
        if not rules:
            raise FazhiError(f"{source}: category {code!r} has no rules.")
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


def classify_text(
    text: str, *, heading: str | None = None, categories: Iterable[Category] | None = None
) -> list[Match]:
    """The categories of one text: one Match per category that fired (first rule in file order).

    `heading`: the item's heading (the `heading` column of `problem_items`); rules with
    `reads: heading` read it, and only when it occurs in `text` (their offsets point into `text`).
    Matching runs on the simplified-character form of `text`; when conversion keeps the length (it
    does for ordinary traditional text) the match offsets and `matched` refer to the original text.

    >>> [(m.category, m.rule) for m in classify_text("(三)信访工作方面\\n稳控工作压力大。", heading="信访工作方面")]
    [('disputes', 'disputes_heading')]
    >>> classify_text("一是信访、调解等工作由一人承担。")
    []
    """
    if not isinstance(text, str) or not text:
        return []
    simple = to_simplified(text)
    same_length = len(simple) == len(text)
    head_at, head = -1, ""
    if isinstance(heading, str) and heading.strip():
        head = to_simplified(heading)
        head_at = simple.find(head)
    out = []
    for cat in load_typology() if categories is None else categories:
        for rule in cat.rules:
            if rule.reads == "heading":
                if head_at < 0 or not rule.may_match(head):
                    continue
                m = _first_match(rule, head, whole=True)
                offset = head_at
            else:
                if not rule.may_match(simple):
                    continue
                m = _first_match(rule, simple)
                offset = 0
            if m is None:
                continue
            start, end = offset + m.start(), offset + m.end()
            matched = text[start:end] if same_length else m.group(0)
            out.append(Match(cat.code, cat.label, rule.id, matched, start, end))
            break
    return out


def _clause(text: str, start: int, end: int) -> str:
    """The clause of `text` holding text[start:end]: from the clause stop before it to the one after.

    >>> _clause("一是甲,二是乙丙;三是丁", 7, 8)
    '二是乙丙'
    """
    stops = [m.start() for m in _CLAUSE_STOP.finditer(text, 0, start)]
    lo = stops[-1] + 1 if stops else 0
    after = _CLAUSE_STOP.search(text, end)
    return text[lo : after.start() if after else len(text)]


def _first_match(rule: Rule, text: str, *, whole: bool = False) -> re.Match | None:
    """The first match of `rule` that no veto rejects (`whole`: `not` reads all of `text`)."""
    for m in rule.pattern.finditer(text):
        if rule.veto is not None and rule.veto.search(text if whole else m.group(0)):
            if whole:
                return None
            continue
        if rule.clause_veto is not None and rule.clause_veto.search(_clause(text, m.start(), m.end())):
            continue
        return m
    return None


def _item_rows(report_id, item_order, text, start, categories, heading=None) -> list[dict]:
    """The `problem_item_categories` rows of one item, in category order (`start`: item offset or None)."""
    return [
        {
            "report_id": report_id,
            "item_order": int(item_order),
            "category": m.category,
            "category_label": m.category_label,
            "rule": m.rule,
            "matched": m.matched,
            "start": None if start is None else start + m.start,
            "end": None if start is None else start + m.end,
        }
        for m in classify_text(text, heading=heading, categories=categories)
    ]


def _offset(value) -> int | None:
    if type(value) is int:  # (a parsed report's offsets: pd.isna costs more than the rest of this)
        return value
    return None if value is None or pd.isna(value) else int(value)


def categorise_items(items: pd.DataFrame, *, categories: tuple[Category, ...] | None = None) -> pd.DataFrame:
    """`problem_items` rows → `problem_item_categories` rows (sorted by report, item, category order).

    `start`/`end` are offsets into the clean report text (item start + match offset). The items'
    `heading` column, when present, feeds the rules that read headings. `categories`: another
    typology (`parse_typology` of an edited file) instead of `rules/typology.yaml`.
    """
    missing = [c for c in ("report_id", "item_order", "text") if c not in items.columns]
    if missing:
        raise FazhiError(f"`items` has no column {missing[0]!r}; pass the `problem_items` table.")
    categories = load_typology() if categories is None else tuple(categories)
    order = {c.code: i for i, c in enumerate(categories)}
    rows = []
    for row in items.itertuples(index=False):
        base = _offset(getattr(row, "start", None))
        heading = getattr(row, "heading", None)
        rows.extend(_item_rows(row.report_id, row.item_order, row.text, base, categories, heading))
    out = pd.DataFrame(rows, columns=CATEGORY_COLUMNS)
    if out.empty:
        return out
    out["start"] = out["start"].astype("Int64")
    out["end"] = out["end"].astype("Int64")
    out["_k"] = out["category"].map(order)
    out = out.sort_values(["report_id", "item_order", "_k"], kind="stable").drop(columns="_k")
    return out.reset_index(drop=True)


def categorise_problem_items(doc) -> dict[str, list[dict]]:
    """REPORT_STAGE of `fazhi build`: the categories of this report's problem items.

    Plain rows, the same as `categorise_items` on a frame of `doc.problem_items` (missing offsets
    None), built without pandas: a report's items all carry its report_id, and each item's rows
    come in category order, so a stable sort by item_order gives that function's order.
    """
    categories = load_typology()
    rows = []
    for item in doc.problem_items:
        base = _offset(item.get("start"))
        rows.extend(
            _item_rows(
                item.get("report_id"),
                item.get("item_order"),
                item.get("text"),
                base,
                categories,
                item.get("heading"),
            )
        )
    rows.sort(key=lambda r: r["item_order"])
    return {"problem_item_categories": rows}


def item_categories(corpus) -> pd.DataFrame:
    """The `problem_item_categories` table of a corpus: the built one, or computed now if the corpus
    was built before the typology stage existed."""
    table = corpus.tables.get("problem_item_categories")
    if table is not None and set(CATEGORY_COLUMNS[:6]) <= set(table.columns):
        return table
    return categorise_items(corpus.problem_items)


def category_matrix(corpus, *, categories: pd.DataFrame | None = None, labels: str = "label") -> pd.DataFrame:
    """Category × report: how many problem items of each report fall in each category.

    Rows: every category of the typology in file order, by Chinese label (zeros kept); columns: reports
    with a problems part, labelled `issuer report_year` (`labels="report_id"` for ids).
    """
    cats = item_categories(corpus) if categories is None else categories
    reports = corpus.reports
    if not reports.empty:
        reports = reports.sort_values(["report_year", "issuer", "report_id"], na_position="last", kind="stable")
    with_items = sorted(set(corpus.problem_items.get("report_id", pd.Series(dtype=str))))
    names = (
        report_labels(reports)
        if labels == "label"
        else pd.Series(reports["report_id"].values, index=reports["report_id"])
    )
    columns = [names[r] for r in names.index if r in with_items]
    typology = load_typology()
    counts = cats.groupby(["category", "report_id"]).size() if not cats.empty else pd.Series(dtype=int)
    data = {names[r]: [int(counts.get((c.code, r), 0)) for c in typology] for r in names.index if r in with_items}
    return pd.DataFrame(data, index=pd.Index([c.label for c in typology], name="category"), columns=columns)


def uncategorised_items(corpus, *, categories: pd.DataFrame | None = None) -> pd.DataFrame:
    """Problem items that no rule matched (candidates for new rules)."""
    cats = item_categories(corpus) if categories is None else categories
    items = corpus.problem_items
    if items.empty:
        return items
    hit = set(zip(cats["report_id"], cats["item_order"].astype(int))) if not cats.empty else set()
    mask = [(r, int(o)) not in hit for r, o in zip(items["report_id"], items["item_order"])]
    return items.loc[mask].reset_index(drop=True)


def plot_category_matrix(matrix: pd.DataFrame, *, title: str = "", lang: str = "zh"):
    """Heatmap of `category_matrix` (categories × reports, counts of items; the colour bar named in
    `lang`). Returns the Figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from .plotting import setup_chinese_font
    from .vocab import check_lang

    check_lang(lang)
    setup_chinese_font()
    fig, ax = plt.subplots(figsize=(max(5.0, 0.9 * matrix.shape[1] + 3), 0.4 * matrix.shape[0] + 1.5))
    sns.heatmap(
        matrix,
        annot=matrix.shape[1] <= 25,
        fmt="d",
        cmap="Reds",
        cbar_kws={"label": "问题条数" if lang == "zh" else "items"},
        linewidths=0.5,
        linecolor="white",
        ax=ax,
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------ a hand-coded reference
REFERENCE_COLUMNS = ["source", "report", "item_order", "coded", "heading", "text", "note"]


def read_reference(path) -> pd.DataFrame:
    """A hand-coded reference of problem items: a UTF-8 TSV with the columns of REFERENCE_COLUMNS.

    One row per item: `source` (`embedded` for an item of a real report, `constructed` for one written
    to test the rules), `report` and `item_order` naming it, `coded` (the categories a person gave it,
    `;`-separated codes, `无` for none), its `heading` and `text` (line breaks written `\\n`, tabs `\\t`),
    and a `note`. The project's reference is `tests/gold/problem_items_coded.tsv`.
    """
    from pathlib import Path

    path = Path(path)
    if not path.is_file():
        raise FazhiError(f"The reference {str(path)!r} does not exist; give a TSV of hand-coded items.")
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, quoting=3, encoding="utf-8")
    missing = [c for c in REFERENCE_COLUMNS if c not in table.columns]
    if missing:
        raise FazhiError(f"{path}: no column {missing[0]!r}; the columns are {', '.join(REFERENCE_COLUMNS)}.")
    for col in ("heading", "text", "note"):
        table[col] = table[col].map(_unescape)
    table["item_order"] = table["item_order"].astype(int)
    return table[REFERENCE_COLUMNS]


_ESCAPES = re.compile(r"\\([\\nt])")


def _unescape(value: str) -> str:
    r"""'a\\nb' → 'a' + line break + 'b'; '\\\\' → one backslash.

    >>> _unescape(r"(一)标题\n正文") == "(一)标题" + chr(10) + "正文"
    True
    """
    return _ESCAPES.sub(lambda m: {"n": "\n", "t": "\t", "\\": "\\"}[m.group(1)], value)
