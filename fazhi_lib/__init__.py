"""fazhi: tables, features and notebooks for 法治政府建设年度报告 (annual rule-of-law government reports).

The public surface; each name is documented in its module.
"""

__version__ = "0.1.0"

from .corpus import Corpus, FazhiError, build_corpus, load_corpus, parse_file, parse_text  # noqa: E402
from .clean import clean_page  # noqa: E402
from .load import read_document  # noqa: E402
from .metadata import parse_issuer, parse_title  # noqa: E402
from .sections import PART_KINDS, SECTION_KINDS, classify_part, segment, split_sections  # noqa: E402

__all__ = [
    "Corpus", "FazhiError", "build_corpus", "load_corpus", "parse_file", "parse_text", "clean_page",
    "read_document", "parse_issuer", "parse_title", "PART_KINDS", "SECTION_KINDS", "classify_part",
    "segment", "split_sections",
]
