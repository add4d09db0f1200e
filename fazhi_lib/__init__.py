"""fazhi: tables, features and notebooks for 法治政府建设年度报告 (annual rule-of-law government reports).

The public surface; each name is documented in its module. Modules are reachable as attributes too
(`fz.scorecard.scorecard(corpus)`: the report-quality scorecard), except `fz.kwic`, which is the
function (the module stays importable as `fazhi_lib.kwic`).
"""

from . import (
    indicator_views,
    indicators,
    places,
    profile,
    provenance,
    reading,
    report,
    scorecard,
    tfidf,
    tokens,
    typology,
    validation,
)
from .clean import clean_page
from .collect import collect  # fazhi_lib.collect is the function; the module stays importable
from .corpus import BuildSummary, Corpus, load_corpus, require_reports, select, summarise
from .errors import FazhiError
from .evaluate import evaluate_metadata
from .indicators import (
    Mention,
    extract_indicators,
    extract_numbers,
    indicator_lexicon,
    indicator_panel,
    parse_numeral,
)
from .kwic import kwic, kwic_html
from .load import LoadError, read_bytes, read_document
from .markup import md, md_code
from .metadata import parse_issuer, parse_title
from .pipeline import build_corpus, parse_file, parse_text
from .places import load_places_map, place_levels, places_report, plot_province_tiles, resolve_place
from .reading import collocations, cooccurrence, dictionary_counts, group_texts, keyness
from .sections import PART_KINDS, SECTION_KINDS, classify_part, segment, split_sections
from .tfidf import documents, fit_tfidf, near_duplicates, similarity, top_terms, topics
from .tokens import register_engine, tokenize, tokenize_many
from .typology import categorise_items, category_matrix, classify_text
from .version import __version__

__all__ = [
    "__version__",
    "Corpus",
    "FazhiError",
    "build_corpus",
    "load_corpus",
    "parse_file",
    "parse_text",
    "clean_page",
    "read_document",
    "read_bytes",
    "LoadError",
    "BuildSummary",
    "summarise",
    "select",
    "require_reports",
    "parse_issuer",
    "parse_title",
    "PART_KINDS",
    "SECTION_KINDS",
    "classify_part",
    "segment",
    "split_sections",
    "tfidf",
    "tokens",
    "typology",
    "documents",
    "fit_tfidf",
    "near_duplicates",
    "similarity",
    "top_terms",
    "topics",
    "register_engine",
    "tokenize",
    "tokenize_many",
    "categorise_items",
    "category_matrix",
    "classify_text",
    "evaluate_metadata",
    "places",
    "load_places_map",
    "place_levels",
    "places_report",
    "plot_province_tiles",
    "resolve_place",
    "reading",
    "validation",
    "kwic",
    "kwic_html",
    "collocations",
    "cooccurrence",
    "dictionary_counts",
    "group_texts",
    "keyness",
    "indicators",
    "indicator_views",
    "Mention",
    "extract_indicators",
    "extract_numbers",
    "indicator_lexicon",
    "indicator_panel",
    "parse_numeral",
    "scorecard",
    "profile",
    "report",
    "md",
    "md_code",
    "provenance",
    "collect",
]
from . import codebook, crosstab, dfm, export, keyness_stats  # noqa: E402  (codebook, exports, KH Coder-style tables)

__all__ += ["codebook", "crosstab", "dfm", "export", "keyness_stats"]
