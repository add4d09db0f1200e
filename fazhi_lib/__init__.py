"""fazhi: tables, features and notebooks for 法治政府建设年度报告 (annual rule-of-law government reports).

The public surface; each name is documented in its module.
"""

__version__ = "0.1.0"

from .corpus import Corpus, FazhiError, build_corpus, load_corpus, parse_file, parse_text  # noqa: E402
from .clean import clean_page  # noqa: E402
from .load import LoadError, read_bytes, read_document  # noqa: E402
from .corpus import BuildSummary, require_reports, select, summarise  # noqa: E402
from .metadata import parse_issuer, parse_title  # noqa: E402
from .sections import PART_KINDS, SECTION_KINDS, classify_part, segment, split_sections  # noqa: E402
from . import tfidf, tokens, typology  # noqa: E402
from .tfidf import documents, fit_tfidf, near_duplicates, similarity, top_terms, topics  # noqa: E402
from .tokens import register_engine, tokenize, tokenize_many  # noqa: E402
from .typology import categorise_items, category_matrix, classify_text  # noqa: E402
from . import places  # noqa: E402
from .places import load_places_map, place_levels, places_report, plot_province_tiles, resolve_place  # noqa: E402
from . import reading, validation  # noqa: E402
from .kwic import kwic, kwic_html  # noqa: E402  (fazhi_lib.kwic is the function; the module stays importable)
from .reading import collocations, cooccurrence, dictionary_counts, group_texts, keyness  # noqa: E402
from . import indicator_views, indicators  # noqa: E402
from . import profile, report, scorecard  # noqa: E402  (fz.scorecard.scorecard(corpus): the report-quality scorecard)
from .indicators import (  # noqa: E402
    Mention, extract_indicators, extract_numbers, indicator_lexicon, indicator_panel, parse_numeral,
)

__all__ = [
    "Corpus", "FazhiError", "build_corpus", "load_corpus", "parse_file", "parse_text", "clean_page",
    "read_document", "read_bytes", "LoadError", "BuildSummary", "summarise", "select", "require_reports", "parse_issuer", "parse_title", "PART_KINDS", "SECTION_KINDS", "classify_part",
    "segment", "split_sections",
    "tfidf", "tokens", "typology", "documents", "fit_tfidf", "near_duplicates", "similarity", "top_terms",
    "topics", "register_engine", "tokenize", "tokenize_many", "categorise_items", "category_matrix",
    "classify_text",
    "places", "load_places_map", "place_levels", "places_report", "plot_province_tiles", "resolve_place",
    "reading", "validation", "kwic", "kwic_html", "collocations", "cooccurrence", "dictionary_counts",
    "group_texts", "keyness",
    "indicators", "indicator_views", "Mention", "extract_indicators", "extract_numbers", "indicator_lexicon",
    "indicator_panel", "parse_numeral",
    "scorecard", "profile", "report",
]
from . import codebook, crosstab, dfm, export, keyness_stats  # noqa: E402  (codebook, exports, KH Coder-style tables)

__all__ += ["codebook", "crosstab", "dfm", "export", "keyness_stats"]
