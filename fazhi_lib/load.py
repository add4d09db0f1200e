"""Files → decoded text, with the encoding and format recorded.

>>> doc = read_document("data/raw/000_032c39149d571eae.txt")
>>> doc.encoding, doc.format, doc.text[:5]
('utf-8', 'txt', '信息索引号')
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED_SUFFIXES = (".txt",)

# Tried in order when a file has no byte-order mark. GB18030 is a superset of GBK and GB2312.
FALLBACK_ENCODINGS = ("utf-8", "gb18030")


@dataclass(frozen=True)
class LoadedDocument:
    """A file read from disk: its decoded text plus what was needed to decode it."""

    path: Path
    text: str
    encoding: str
    format: str
    sha256: str
    n_bytes: int
    meta: dict = field(default_factory=dict)  # metadata a format reader found (e.g. an HTML table)
    warnings: tuple[str, ...] = ()


class LoadError(ValueError):
    """A file that cannot be turned into text; the message is written to `parse_log`."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode report bytes; returns (text, encoding name).

    >>> decode_bytes("塘栖镇".encode("gb18030"))
    ('塘栖镇', 'gb18030')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for encoding in FALLBACK_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise LoadError(
        "the file is neither UTF-8 nor GB18030/GBK text; re-save it as UTF-8 or check it is a report"
    )


def read_document(path: str | Path) -> LoadedDocument:
    """Read one input file. Raises `LoadError` with a plain-language reason when it cannot."""
    path = Path(path)
    suffix = path.suffix.lower()
    data = path.read_bytes()
    digest = sha256_bytes(data)
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(
            f"unsupported file type '{suffix or '(none)'}'; supported: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    if not data.strip():
        raise LoadError("the file is empty")
    text, encoding = decode_bytes(data)
    if not text.strip():
        raise LoadError("the file contains only whitespace")
    return LoadedDocument(
        path=path, text=text, encoding=encoding, format=suffix.lstrip("."), sha256=digest, n_bytes=len(data)
    )
