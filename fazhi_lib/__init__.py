"""fazhi: tables, features and notebooks for 法治政府建设年度报告 (annual rule-of-law government reports).

The public surface; each name is documented in its module. Modules are reachable as attributes too
(`fz.scorecard.scorecard(corpus)`: the report-quality scorecard), except `fz.kwic` and `fz.collect`,
which are the functions (the modules stay importable as `fazhi_lib.kwic`, `fazhi_lib.collect`).

Every name is imported on first use (PEP 562), so that `import fazhi_lib` — and `fazhi build`, which
imports it — loads only what is used: `fz.kwic` imports `fazhi_lib.kwic`, `fz.scorecard` the
scorecard module, and so on. `dir(fz)` and `from fazhi_lib import *` list every public name.
"""

from __future__ import annotations

import importlib
import sys
import types

from .version import __version__

# public name → the submodule that defines it ("" : the name is the submodule itself)
_FROM = {
    "clean_page": "clean",
    "collect": "collect",  # the function; the module stays importable as fazhi_lib.collect
    **dict.fromkeys(["BuildSummary", "Corpus", "load_corpus", "require_reports", "select", "summarise"], "corpus"),
    "FazhiError": "errors",
    "evaluate_metadata": "evaluate",
    **dict.fromkeys(
        [
            "Mention",
            "extract_indicators",
            "extract_numbers",
            "indicator_lexicon",
            "indicator_panel",
            "parse_numeral",
        ],
        "indicators",
    ),
    **dict.fromkeys(["kwic", "kwic_html"], "kwic"),  # fz.kwic is the function
    **dict.fromkeys(["LoadError", "read_bytes", "read_document"], "load"),
    **dict.fromkeys(["md", "md_code"], "markup"),
    **dict.fromkeys(["parse_issuer", "parse_title"], "metadata"),
    **dict.fromkeys(["build_corpus", "parse_file", "parse_text"], "pipeline"),
    **dict.fromkeys(
        ["load_places_map", "place_levels", "places_report", "plot_province_tiles", "resolve_place"], "places"
    ),
    **dict.fromkeys(["collocations", "cooccurrence", "dictionary_counts", "group_texts", "keyness"], "reading"),
    **dict.fromkeys(["PART_KINDS", "SECTION_KINDS", "classify_part", "segment", "split_sections"], "sections"),
    **dict.fromkeys(["documents", "fit_tfidf", "near_duplicates", "similarity", "top_terms", "topics"], "tfidf"),
    **dict.fromkeys(["register_engine", "tokenize", "tokenize_many"], "tokens"),
    **dict.fromkeys(["categorise_items", "category_matrix", "classify_text"], "typology"),
}
_MODULES = [
    "codebook",
    "crosstab",
    "dfm",
    "export",
    "indicator_views",
    "indicators",
    "keyness_stats",
    "places",
    "profile",
    "provenance",
    "reading",
    "report",
    "scorecard",
    "tfidf",
    "tokens",
    "typology",
    "validation",
]
_SHADOWED = {name for name, module in _FROM.items() if name == module}  # kwic, collect: the functions

__all__ = ["__version__", *_FROM, *_MODULES]


def __getattr__(name: str):
    if name in _FROM:
        value = getattr(importlib.import_module(f".{_FROM[name]}", __name__), name)
    elif name in _MODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # found once: later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """The package module: importing the submodule `fazhi_lib.kwic` (or `.collect`) leaves `fz.kwic`
    the function (the import system would otherwise set the package's attribute to the module)."""

    def __setattr__(self, name: str, value) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
