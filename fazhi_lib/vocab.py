"""One table of labels for what fazhi's tables hold as codes, in Chinese (default) and English.

Levels, parts, regions, timeliness, column names, indicator codes and problem categories: tables and
figures of the rendered pages call `label` / `relabel`, so a code reads the same everywhere
(`township` is 乡镇 in a table, on an axis and in a sentence).

>>> label("level", "township"), label("level", "township", "en")
('乡镇', 'township')
>>> label("part", "problems")
'存在的不足和原因'
>>> label("indicator", "legality_reviews"), label("indicator", "legality_reviews", "en")
('合法性审查', 'legality reviews')
>>> label("level", "not-a-level")          # an unknown code is shown as it is
'not-a-level'
>>> import pandas as pd
>>> relabel(pd.DataFrame({"level": ["county"], "report_year": [2024]})).to_dict("records")
[{'层级': '县（市、区）', '报告年度': 2024}]
"""

from __future__ import annotations

import functools
import hashlib

import pandas as pd

from .errors import invalid
from .messages import LANGS, MESSAGE_COLUMNS, translate
from .messages import check_lang as _check_lang

# LANGS (languages of labels, sentences and rendered prose, `fazhi report --lang`) is defined in messages.py,
# which this module uses to show the parser's messages (messages.py cannot import vocab: no import circle)


def check_lang(lang: str) -> None:
    """The one check of a `lang` argument.

    >>> check_lang("fr")
    Traceback (most recent call last):
    ...
    fazhi_lib.errors.FazhiError: `lang` = 'fr' is not valid; choose one of: zh, en.
    """
    _check_lang(lang)


# kind → code → (Chinese, English)
_FIXED: dict[str, dict[str, tuple[str, str]]] = {
    "level": {
        "township": ("乡镇", "township"),
        "subdistrict": ("街道", "subdistrict"),
        "county": ("县（市、区）", "county"),
        "city": ("设区的市", "city"),
        "province": ("省级", "province"),
        "department": ("部门", "department"),
        "unknown": ("未识别", "unknown"),
        "(unknown)": ("（未知）", "(unknown)"),
    },
    "part": {
        "achievements": ("主要举措和成效", "achievements"),
        "problems": ("存在的不足和原因", "problems"),
        "duty": ("主要负责人履行第一责任人职责", "duty of the principal leader"),
        "plan": ("下一年度工作打算", "plans for next year"),
        "other": ("其他", "other"),
        "preamble": ("开头", "preamble"),
        "closing": ("结尾", "closing"),
        "whole report": ("全文", "whole report"),
    },
    "region": {
        "east": ("东部", "east"),
        "central": ("中部", "central"),
        "west": ("西部", "west"),
        "northeast": ("东北", "northeast"),
        "national": ("全国", "national"),
        "(unknown)": ("（未定位）", "(unknown)"),
    },
    "timeliness": {
        "on_time": ("按时", "on time"),
        "late": ("逾期", "late"),
        "unknown": ("不明", "unknown"),
    },
    "status": {  # parse_log.status, reports.status
        "ok": ("正常", "ok"),
        "warning": ("有提示", "warning"),
        "error": ("未解析", "error"),
        "duplicate": ("重复", "duplicate"),
        "skipped": ("跳过", "skipped"),
    },
    "direction": {  # indicator_views.reported_changes
        "上升 up": ("上升", "up"),
        "下降 down": ("下降", "down"),
    },
    "key_for": {  # reading.keyness: the group a term is key for
        "a": ("A 组", "group A"),
        "b": ("B 组", "group B"),
    },
    "boolean": {  # True / False cells (`relabel` of a boolean column)
        "True": ("是", "yes"),
        "False": ("否", "no"),
    },
    "field": {  # profile.metadata_table
        "title": ("标题", "title"),
        "issuer": ("发布机关", "issuer"),
        "issuer (as named)": ("发布机关（原文）", "issuer (as named)"),
        "level": ("层级", "level"),
        "province": ("省份", "province"),
        "prefecture": ("地级市", "prefecture"),
        "county": ("县（市、区）", "county"),
        "region": ("地区", "region"),
        "report year": ("报告年度", "report year"),
        "published": ("发布日期", "published"),
        "written": ("成文日期", "written"),
        "publisher": ("发布者", "publisher"),
        "index number": ("索引号", "index number"),
        "source file": ("来源文件", "source file"),
        "source address": ("来源网址", "source address"),
        "retrieved": ("获取时间", "retrieved"),
        "characters": ("字数", "characters"),
        "parse status": ("解析状态", "parse status"),
        "warnings": ("解析提示", "warnings"),
        "cite as": ("引用格式", "cite as"),
    },
    "measure": {  # scorecard.MEASURES labels, as profile.scorecard_table shows them
        "completeness": ("完整性（法定部分占比）", "completeness"),
        "days before 1 April": ("早于 4 月 1 日的天数", "days before 1 April"),
        "timeliness": ("时效", "timeliness"),
        "numbers / 1,000 chars": ("每千字数字数", "numbers / 1,000 chars"),
        "hard information": ("硬信息句占比", "hard information"),
        "problems / achievements": ("问题部分 / 成效部分", "problems / achievements"),
        "items with facts": ("含具体事实的问题占比", "items with facts"),
        "templating": ("模板化（与他机关最高相似度）", "templating"),
        "stickiness": ("粘滞度（与本机关上年相似度）", "stickiness"),
        # reading.keyness: keyness_stats.label(measure, correction)
        "g2 (Williams' correction)": ("G²（Williams 校正）", "G² (Williams' correction)"),
        "g2": ("G²", "G²"),
        "chi2 (Yates' correction when an expected count < 5)": (
            "χ²（期望频数 < 5 时 Yates 校正）",
            "χ² (Yates' correction when an expected count < 5)",
        ),
        "chi2": ("χ²", "χ²"),
        "pmi": ("PMI", "PMI"),
        "exact (Fisher; odds ratio)": ("Fisher 精确检验（优势比）", "exact (Fisher; odds ratio)"),
    },
    "column": {
        "report_id": ("报告编号", "report id"),
        "issuer": ("发布机关", "issuer"),
        "report_year": ("报告年度", "report year"),
        "level": ("层级", "level"),
        "region": ("地区", "region"),
        "province": ("省份", "province"),
        "part": ("部分", "part"),
        "kind": ("部分", "part"),
        "reports": ("报告数", "reports"),
        "count": ("次数", "count"),
        "term": ("词语", "term"),
        "characters": ("字数", "characters"),
        "indicator": ("指标", "indicator"),
        "value": ("数值", "value"),
        "unit": ("单位", "unit"),
        "sentence": ("原句", "sentence"),
        "category": ("类别", "category"),
        "timeliness": ("时效", "timeliness"),
        "measure": ("指标", "measure"),
        "median": ("中位数", "median"),
        "min": ("最小值", "min"),
        "max": ("最大值", "max"),
        "total": ("合计", "total"),
        "field": ("项目", "field"),
        "this report": ("本报告", "this report"),
        "corpus median": ("语料中位数", "corpus median"),
        "rank": ("排名", "rank"),
        "part_order": ("序号", "order"),
        "heading": ("标题", "heading"),
        "share": ("占比", "share"),
        "sub_headings": ("下级标题数", "sub-headings"),
        "item_order": ("序号", "order"),
        "categories": ("类别", "categories"),
        "label": ("指标名称", "label"),
        "raw": ("原文", "as written"),
        "is_value": ("取此值", "is the value"),
        "disagree": ("数值不一致", "values disagree"),
        "values": ("各处数值", "values"),
        "n_mentions": ("提及次数", "mentions"),
        "section_kind": ("所在部分", "part"),
        "citation": ("引用", "citation"),
        "changed": ("变化对象", "what changed"),
        "direction": ("方向", "direction"),
        "report": ("报告", "report"),
        "left": ("前文", "left"),
        "match": ("命中", "match"),
        "right": ("后文", "right"),
        "similarity": ("相似度", "similarity"),
        "shared": ("共有词语", "shared terms"),
        "topic": ("主题", "topic"),
        "weight": ("关联强度", "weight"),
        "term_a": ("词语甲", "term A"),
        "term_b": ("词语乙", "term B"),
        "category_label": ("类别", "category"),
        "group": ("组", "group"),
        "n_units": ("报告数", "reports"),
        "adjusted_residual": ("调整残差", "adjusted residual"),
        "collocation": ("搭配", "collocation"),
        "pmi": ("PMI", "PMI"),
        "g2": ("G²", "G²"),
        "p_value": ("p 值", "p-value"),
        "n_chars": ("字数", "characters"),
        "per_1000": ("每千字", "per 1,000 chars"),
        "n_numbers": ("数字个数", "numbers"),
        "status": ("解析状态", "status"),
        "messages": ("提示", "messages"),
        "source_file": ("来源文件", "source file"),
        "a": ("文档甲", "document A"),
        "b": ("文档乙", "document B"),
        "label_a": ("条目甲", "point A"),
        "text_a": ("条目甲原文", "text A"),
        "label_b": ("条目乙", "point B"),
        "text_b": ("条目乙原文", "text B"),
        "rule": ("规则编号（问题类型规则文件中的 id）", "rule (id in rules/typology.yaml)"),
        "matched": ("匹配文本", "matched"),
        "coded": ("编码者标签数", "coded"),
        "rules": ("规则标签数", "rules"),
        "agreed": ("一致", "agreed"),
        "precision": ("精确率", "precision"),
        "recall": ("召回率", "recall"),
        "f1": ("F1", "F1"),
        "precision_held_out": ("精确率（留出）", "precision (held out)"),
        "recall_held_out": ("召回率（留出）", "recall (held out)"),
        "pattern": ("检索式", "pattern"),
        "count_a": ("A 组次数", "count in A"),
        "count_b": ("B 组次数", "count in B"),
        "per_10k_a": ("A 组每万词", "per 10,000 in A"),
        "per_10k_b": ("B 组每万词", "per 10,000 in B"),
        "chi2": ("χ²", "χ²"),
        "odds_ratio": ("优势比", "odds ratio"),
        "log_ratio": ("对数比", "log ratio"),
        "key_for": ("关键于", "key for"),
        "n": ("词数", "n"),
        "per_10k_chars": ("每万字", "per 10,000 chars"),
        "matched_terms": ("命中词语", "matched terms"),
        "sample_id": ("样本编号", "sample id"),
        "text": ("原文", "text"),
        "stratum": ("分层", "stratum"),
        "units": ("报告数", "reports"),
        "start": ("起始位置", "start"),
        "end": ("结束位置", "end"),
        "mention_no": ("提及序号", "mention no."),
        "coder": ("编码者", "coder"),
        "n_items": ("条目数", "items"),
        "n_coders": ("编码者数", "coders"),
        "tp": ("真阳性", "TP"),
        "fp": ("假阳性", "FP"),
        "fn": ("假阴性", "FN"),
        "tn": ("真阴性", "TN"),
        "kappa": ("κ", "κ"),
        "alpha": ("α", "α"),
        "row": ("行", "row"),
        "column": ("列", "column"),
        "reason": ("原因", "reason"),
        "context": ("上下文", "context"),
        "document": ("文档", "document"),
        "name": ("名称", "name"),
        "code": ("代码", "code"),
        "description": ("说明", "description"),
        "warnings": ("解析提示", "warnings"),
        "title": ("标题", "title"),
    },
}
_VALUE_COLUMNS = {"level": "level", "part": "part", "kind": "part", "region": "region", "timeliness": "timeliness"}
_VALUE_COLUMNS |= {"indicator": "indicator", "category": "category", "field": "field", "measure": "measure"}
_VALUE_COLUMNS |= {"section_kind": "part", "status": "status", "direction": "direction", "key_for": "key_for"}
_VALUE_COLUMNS |= {"stratum": "category"}
# Columns that hold text as written (a report's words, a file name): shown as they are, never relabelled; a
# check for English codes on a Chinese page skips them. The parser's messages (`messages`, `warnings`) are not
# among them: they are shown in the page's language (`messages.translate`, rules/messages.yaml).
RAW_TEXT_COLUMNS = ("sentence", "text", "heading", "left", "match", "right", "matched", "raw")
RAW_TEXT_COLUMNS += ("text_a", "text_b", "context", "citation", "title", "source_file", "reason")


@functools.cache
def _from_rules() -> dict[str, dict[str, tuple[str, str]]]:
    """Indicator codes and problem categories: their Chinese labels are in the rules files."""
    from .rules import load_rules

    out: dict[str, dict[str, tuple[str, str]]] = {"indicator": {}, "category": {}}
    for kind, rules, key in (("indicator", "indicators", "indicators"), ("category", "typology", "categories")):
        data = load_rules(rules)
        entries = data.get(key, []) if isinstance(data, dict) else []
        for entry in entries:
            if isinstance(entry, dict) and entry.get("code"):
                code = str(entry["code"])
                out[kind][code] = (str(entry.get("label") or code), code.replace("_", " "))
    out["category"]["(all)"] = ("（全部）", "(all)")  # validation.ALL: every category pooled
    return out


def table(kind: str) -> dict[str, tuple[str, str]]:
    """code → (Chinese, English) for one kind of code."""
    if kind in _FIXED:
        return _FIXED[kind]
    rules = _from_rules()
    if kind in rules:
        return rules[kind]
    raise invalid("kind", kind, [*_FIXED, *rules])


def label(kind: str, code, lang: str = "zh") -> str:
    """The label of `code` (a level, part, region, timeliness, column, indicator or category) in `lang`;
    an unknown code, or a missing one, is returned as text unchanged."""
    if lang not in LANGS:
        raise invalid("lang", lang, LANGS)
    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return "–"
    pair = table(kind).get(str(code))
    return str(code) if pair is None else pair[LANGS.index(lang)]


def kinds() -> list[str]:
    """Every kind of code the table labels (levels, parts, regions, …, indicators, categories)."""
    return [*_FIXED, *_from_rules()]


def kind_of(column: str) -> str | None:
    """The kind of code a column holds (`level` → 'level', `kind` → 'part'), None for other columns.

    >>> kind_of("level"), kind_of("section_kind"), kind_of("report_year")
    ('level', 'part', None)
    """
    return _VALUE_COLUMNS.get(column)


def labels(values, kind: str | None, lang: str = "zh") -> list:
    """`label(kind, v, lang)` for each text value (others, and every value when `kind` is None, unchanged):
    the headers of a wide table whose columns are levels, categories, …

    >>> labels(["township", "county", 2024], "level")
    ['乡镇', '县（市、区）', 2024]
    """
    check_lang(lang)
    return [label(kind, v, lang) if kind and isinstance(v, str) else v for v in values]


def relabel(df: pd.DataFrame, lang: str = "zh", *, columns: bool = True) -> pd.DataFrame:
    """A copy of `df` with the codes of known columns (level, part, region, timeliness, indicator,
    category) as labels, the parser's messages (`messages`, `warnings`: `messages.translate`) in `lang`
    and, with `columns=True`, the known column names translated."""
    out = df.copy()
    for col in MESSAGE_COLUMNS:  # the parser's messages, stored in English: in `lang` (rules/messages.yaml)
        if lang != "en" and col in out.columns and (out[col].dtype == object or pd.api.types.is_string_dtype(out[col])):
            out[col] = [translate(v, lang) for v in out[col]]
    for col, kind in _VALUE_COLUMNS.items():
        if col in out.columns and (out[col].dtype == object or pd.api.types.is_string_dtype(out[col])):
            out[col] = [label(kind, v, lang) if isinstance(v, str) else v for v in out[col]]
    for col in out.columns:  # True / False as 是 / 否 (yes / no)
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = [label("boolean", str(bool(v)), lang) if pd.notna(v) else v for v in out[col]]
    if columns:
        out = out.rename(columns={c: label("column", c, lang) for c in out.columns if isinstance(c, str)})
    return out


INTERACTIVE_ROWS = 15  # a table longer than this is shown whole, sortable and searchable (`view`)
SCROLL_ROWS = INTERACTIVE_ROWS  # its former name


class Interactive:
    """A long table shown whole (every row is in the page, none is cut) in a box that scrolls, marked
    `data-fazhi-sortable`: in a page written by `fazhi report` a small script inlined once per page
    (`fazhi_lib/static/tables.js`, no file fetched) makes its columns sortable by a click on their name and
    its rows searchable from a box above it. Where no script runs (JupyterLab, JavaScript off) it is the
    same table, scrolling."""

    def __init__(self, styler, n_rows: int, *, height: str = "32em"):
        self.styler, self.n_rows, self.height = styler, n_rows, height

    def _repr_html_(self) -> str:
        return (
            f'<div class="fazhi-scroll" data-fazhi-sortable style="max-height:{self.height};overflow:auto" '
            f'data-rows="{self.n_rows}">{self.styler.to_html()}</div>'
        )

    def to_html(self) -> str:
        return self._repr_html_()

    def __repr__(self) -> str:  # the executed notebook's text/plain: no memory address, the same every run
        return f"<table of {self.n_rows} rows, shown whole: sortable and searchable in the rendered page>"


Scrolling = Interactive  # its former name


def _clipped(v, clip: int | None):
    if clip and isinstance(v, str) and len(v) > clip:
        return v[: clip - 1] + "…"
    return v


def view(
    df: pd.DataFrame,
    lang: str = "zh",
    *,
    precision: int = 3,
    clip: int | None = None,
    scroll_rows: int | None = INTERACTIVE_ROWS,
):
    """`relabel(df)` for display on a page: no row numbers, every value HTML-escaped (a report's text
    shows as text, its line breaks as line breaks, never as a literal `\\n`), numbers with at most
    `precision` decimals, texts longer than `clip` characters shortened with "…". A table of more than
    `scroll_rows` rows is shown whole, sortable and searchable (`Interactive`), not cut; a shorter one
    is a plain table. Column names are escaped too (a group's name can come from the reports).

    >>> html = view(pd.DataFrame({"sentence": ["第一行\\n第二行<b>"]})).to_html()
    >>> "white-space: pre-line" in html, "第一行\\n第二行&lt;b&gt;" in html, "\\\\n" in html
    (True, True, False)
    >>> isinstance(view(pd.DataFrame({"value": range(20)})), Interactive)
    True
    """

    def number(v):
        if isinstance(v, float) and v == v and v.is_integer():
            return f"{int(v)}"
        return f"{v:.{precision}f}".rstrip("0").rstrip(".") if isinstance(v, float) else v

    out = relabel(df, lang)
    if clip:
        for c in out.columns:
            if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
                out[c] = [_clipped(v, clip) for v in out[c]]
    floats = [c for c in out.columns if pd.api.types.is_float_dtype(out[c])]
    styler = (
        out.style.set_uuid(content_uid(out))
        .hide(axis="index")
        .set_table_styles([{"selector": "td", "props": [("white-space", "pre-line")]}])
        .format(escape="html", na_rep="–")
        .format(number, subset=floats, na_rep="–")
        .format_index(escape="html", axis=1)
    )
    return interactive_if_long(styler, len(out), scroll_rows)


def content_uid(df: pd.DataFrame) -> str:
    """A table id from the content, for `Styler.set_uuid` (Styler's default is random): the same inputs
    render the same page, byte for byte."""
    return hashlib.sha1(df.to_json(force_ascii=False, default_handler=str).encode("utf-8")).hexdigest()[:8]


def interactive_if_long(styler, n_rows: int, rows: int | None = INTERACTIVE_ROWS):
    """`Interactive(styler)` for a table of more than `rows` rows (None: never), `styler` itself otherwise."""
    return Interactive(styler, n_rows) if rows is not None and n_rows > rows else styler
