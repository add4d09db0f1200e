"""Files → decoded text, with the format, the encoding and how it was found recorded.

Researchers' folders hold report pages saved as text or HTML, Word and PDF attachments, in UTF-8,
UTF-16, GBK/GB18030 or Big5, sometimes in traditional characters. `read_document` turns each into one
text that the cleaner reads line by line; a file it cannot read raises `LoadError` with a reason in
plain language (written to `parse_log`), never a traceback.

>>> doc = read_document("data/raw/000_032c39149d571eae.txt")
>>> doc.encoding, doc.format, doc.text[:5]
('utf-8', 'txt', '信息索引号')

What each format gives (the text `raw_start`/`raw_end` offsets index):

- `.txt`: the decoded file. Encoding: a byte-order mark, else strict UTF-8, else charset-normalizer
  (GB2312/GBK are read as their superset GB18030, Big5 as Big5-HKSCS).
- `.html`/`.htm`: the page's main text block (lxml; navigation, scripts, footers and sidebars out),
  preceded by the page's metadata lines (信息索引号, 发布机构, 发布时间 …) and its title, which the
  cleaner reads and then drops. Encoding: byte-order mark, the page's declared charset, else detected.
- `.docx`: paragraphs and table rows in document order (python-docx), Word's automatic numbering
  written out (一、 (一) 1.) so headings keep their numbers.
- `.pdf`: the text layer (pypdf), page numbers and running headers dropped, lines that a paragraph
  was wrapped into joined again. A PDF without a text layer (a scan) is an error: fazhi does not
  guess text from images.

Traditional characters are converted to simplified (`convert.to_simplified`): `text` is simplified,
`original_text` is the text as read, of the same length, so offsets index both.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .convert import to_simplified

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".docx", ".pdf")

# Kept for callers of the first version: tried in order when a file has no byte-order mark.
FALLBACK_ENCODINGS = ("utf-8", "gb18030")

# Files a researcher collects that are not readable reports, with what to do about them.
UNSUPPORTED_HINTS = {
    ".doc": "an old Word .doc file; open it in Word or LibreOffice and save it as .docx",
    ".wps": "a WPS document; save it as .docx",
    ".rtf": "an RTF document; save it as .docx",
    ".odt": "an OpenDocument text; save it as .docx",
    ".mht": "a web archive; open it in a browser and save it as HTML",
    ".mhtml": "a web archive; open it in a browser and save it as HTML",
    ".xls": "a spreadsheet, not a report",
    ".xlsx": "a spreadsheet, not a report",
    ".csv": "a table, not a report",
    ".zip": "an archive; unpack it into the folder",
    ".rar": "an archive; unpack it into the folder",
    ".7z": "an archive; unpack it into the folder",
    ".jpg": "an image; a scanned report needs OCR first (e.g. ocrmypdf) to become a PDF with a text layer",
    ".jpeg": "an image; a scanned report needs OCR first (e.g. ocrmypdf) to become a PDF with a text layer",
    ".png": "an image; a scanned report needs OCR first (e.g. ocrmypdf) to become a PDF with a text layer",
    ".tif": "an image; a scanned report needs OCR first (e.g. ocrmypdf) to become a PDF with a text layer",
    ".tiff": "an image; a scanned report needs OCR first (e.g. ocrmypdf) to become a PDF with a text layer",
    ".crdownload": "an unfinished browser download; download it again",
    ".part": "an unfinished download; download it again",
    ".download": "an unfinished download; download it again",
    ".tmp": "a temporary file",
}

# A file's first bytes tell its real format whatever its extension says.
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),  # .docx, .xlsx, .zip
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # .doc, .xls, password-protected .docx
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"Rar!", "archive"),
    (b"7z\xbc\xaf\x27\x1c", "archive"),
)
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Encodings charset-normalizer may name → the codec that reads them completely.
_CODEC = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "hz": "gb18030", "cp936": "gb18030",
    "big5": "big5hkscs", "big5hkscs": "big5hkscs", "cp950": "big5hkscs",
    "utf_8": "utf-8", "utf-8": "utf-8", "ascii": "utf-8",
    "utf_16": "utf-16", "utf_16_le": "utf-16-le", "utf_16_be": "utf-16-be",
    "utf_32": "utf-32", "utf_32_le": "utf-32-le", "utf_32_be": "utf-32-be",
}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
# Line breaks other than \n that Python's splitlines() honours (form feed between pages of a PDF
# exported to text, Unicode line/paragraph separators): each becomes one \n, so lines are what the
# cleaner sees and every offset stays where it was.
_LINE_BREAK_CHARS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAKS = {ord(c): "\n" for c in _LINE_BREAK_CHARS}
# Counting _CJK and _CONTROL matches without a list of them (findall) over the whole text:
# _CJK's characters are the UTF-16 code units with high byte 0x34–0x9F or 0xF9–0xFA (a character outside
# the BMP gives surrogates, 0xD8–0xDF), except U+4DC0–U+4DFF (Yijing hexagrams, high byte 0x4D too);
_NOT_CJK_HIGH_BYTES = bytes(b for b in range(256) if not (0x34 <= b <= 0x9F or 0xF9 <= b <= 0xFA))
_HEXAGRAMS = re.compile(r"[\u4dc0-\u4dff]")
# _CONTROL's characters are single UTF-8 bytes that no multibyte sequence contains.
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if not (b <= 0x08 or 0x0E <= b <= 0x1B or b == 0x7F))
MIN_CJK_SHARE = 0.2  # a Chinese report: at least this share of its non-space characters are Chinese
# Limits that keep one odd file from taking the machine: an annual report has 3,000–50,000 characters
# and fewer than 100 pages. Raise them with the environment variables FAZHI_MAX_CHARS, FAZHI_MAX_BYTES
# and FAZHI_MAX_PDF_PAGES (a text of 1,000,000 characters parses in about 4 s).
MAX_CHARS = 1_000_000
MAX_BYTES = 256 * 1024 * 1024
MAX_PDF_PAGES = 500
_HTML_SNIFF = re.compile(rb"^\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)\b", re.IGNORECASE | re.DOTALL)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class LoadedDocument:
    """A file read from disk: its text plus what was needed to read it."""

    path: Path
    text: str  # simplified characters; what the cleaner reads and raw offsets index
    encoding: str | None  # the text encoding read (None for .docx/.pdf, whose text is not encoded bytes)
    format: str  # txt, html, docx, pdf: the format read (from the content, whatever the extension)
    sha256: str
    n_bytes: int
    meta: dict = field(default_factory=dict)  # metadata a format reader found (e.g. PDF/Word properties)
    warnings: tuple[str, ...] = ()  # problems worth a look: they make the report's status 'warning'
    notes: tuple[str, ...] = ()  # what was done (encoding detected, conversion): written to parse_log
    encoding_source: str = ""  # how the encoding was found: byte-order mark, valid UTF-8, declared, detected
    converted_from: str | None = None  # 'traditional' when the text was converted to simplified
    original_text: str | None = None  # the text before conversion (same length as `text`), else None


class LoadError(ValueError):
    """A file that cannot be turned into text; the message is written to `parse_log`."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- which files to read
def skip_reason(relative_path: str | Path) -> str | None:
    """Why a file found in the input folder is not a report file to read, or None.

    >>> skip_reason("2024/~$塘栖镇报告.docx")
    'a Word lock file (~$…) left by an open document; skipped'
    >>> skip_reason("__MACOSX/._a.txt") is not None, skip_reason("a.txt") is None
    (True, True)
    """
    parts = PurePosixPath(Path(relative_path).as_posix()).parts
    name = parts[-1] if parts else ""
    for folder in parts[:-1]:
        if folder == "__MACOSX":
            return "macOS archive metadata (__MACOSX folder); skipped"
        if folder.startswith("."):
            return f"inside the hidden folder {folder}; skipped"
    if name.startswith("~$"):
        return "a Word lock file (~$…) left by an open document; skipped"
    if name.startswith(".~lock."):
        return "a LibreOffice lock file; skipped"
    if name.startswith("."):
        return "a hidden file; skipped"
    if name.lower() in ("thumbs.db", "desktop.ini", "ehthumbs.db"):
        return "a Windows system file; skipped"
    if name.endswith("~"):
        return "an editor backup file (…~); skipped"
    if name == "collect_manifest.csv":
        return "the manifest of `fazhi collect` (read for the reports' source addresses); skipped"
    return None


# ---------------------------------------------------------------- bytes → text
@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    source: str  # 'byte-order mark', 'valid UTF-8', 'declared in the page', 'charset-normalizer'


def _codec(name: str) -> str:
    key = name.lower().replace("-", "_")
    return _CODEC.get(key, _CODEC.get(name.lower(), name.lower()))


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _count_cjk(text: str) -> int:
    """len(_CJK.findall(text)), without building the list."""
    high = text.encode("utf-16-be", "surrogatepass")[0::2]
    n = len(high.translate(None, _NOT_CJK_HIGH_BYTES))
    if b"\x4d" in high:
        n -= len(_HEXAGRAMS.findall(text))
    return n


def _count_control(text: str) -> int:
    """len(_CONTROL.findall(text)), without building the list."""
    return len(text.encode("utf-8", "surrogatepass").translate(None, _NOT_CONTROL_BYTES))


def _cjk_share(text: str) -> tuple[int, float]:
    sample = text[:200_000]
    n_cjk = _count_cjk(sample)
    n = len(sample) - sample.count(" ") - sample.count("\n") - sample.count("\t") - sample.count("\r")
    return n_cjk, (n_cjk / n if n else 0.0)


def detect_decode(data: bytes, *, declared: str | None = None) -> Decoded:
    """Decode report bytes, saying how the encoding was found. Raises `LoadError` on binary data.

    >>> d = detect_decode("塘栖镇法治政府建设年度报告".encode("gbk"))
    >>> d.text, d.encoding, d.source
    ('塘栖镇法治政府建设年度报告', 'gb18030', 'charset-normalizer')
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _try(data, codec)
            if text is not None:
                return Decoded(text.lstrip("\ufeff"), codec, "byte-order mark")
    if declared:
        codec = _codec(declared)
        text = _try(data, codec)
        if text is not None:
            return Decoded(text, codec, "declared in the page")
    if b"\x00" not in data:
        text = _try(data, "utf-8")
        if text is not None:
            return Decoded(text, "utf-8", "valid UTF-8")
    # charset-normalizer's guess, checked against the two Chinese multibyte encodings: on a short
    # file it can take GBK bytes for Big5; the decoding whose characters are common Chinese ones wins
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    candidates: list[tuple[str, str]] = []
    if best is not None and (text := _try(data, _codec(best.encoding))) is not None:
        candidates.append((_codec(best.encoding), text))
    if b"\x00" not in data:
        for codec in ("gb18030", "big5hkscs"):
            if all(c != codec for c, _ in candidates) and (text := _try(data, codec)) is not None:
                candidates.append((codec, text))
    scored = [(common_share(text), -n, codec, text) for n, (codec, text) in enumerate(candidates)]
    if scored:
        score, _, codec, text = max(scored)
        if score >= 0.5 or (codec.startswith("utf") and best is not None):
            return Decoded(text, codec, "charset-normalizer")
    raise LoadError(
        "the file is not text in any encoding fazhi knows (UTF-8, UTF-16, GB18030/GBK, Big5): "
        "binary data, or a damaged file"
    )


def _is_common(ch: str) -> bool:
    """In the 3,755 common characters of GB2312 (level 1) or the 5,401 of Big5 (level 1)."""
    try:
        if 0xB0 <= ch.encode("gb2312")[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        b = ch.encode("big5")
        return 0xA440 <= (b[0] << 8 | b[1]) <= 0xC67E
    except (UnicodeEncodeError, IndexError):
        return False


def common_share(text: str) -> float:
    """Share of the Chinese characters (in a sample) that are common ones: near 1 for real Chinese text
    in simplified or traditional characters, low for bytes decoded with the wrong encoding.

    >>> common_share("塘栖镇"), common_share("攽ゝ淜")
    (1.0, 0.0)
    """
    chars = re.findall(r"[\u3040-\u30ff\u3400-\u9fff\ue000-\uf8ff\uac00-\ud7af]", text[:50_000])
    if not chars:
        return 0.0
    return sum(map(_is_common, chars)) / len(chars)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode report bytes; returns (text, encoding name).

    >>> decode_bytes("塘栖镇".encode("gb18030"))
    ('塘栖镇', 'gb18030')
    """
    d = detect_decode(data)
    return d.text, d.encoding


def check_text(text: str, *, what: str = "text") -> None:
    """Raise `LoadError` when decoded text is empty, binary junk or has almost no Chinese."""
    if not text.strip():
        raise LoadError(f"the {what} contains only whitespace")
    sample = text[:200_000]
    n_control = _count_control(sample)
    if n_control > max(2, 0.01 * len(sample)):
        raise LoadError(f"the file is binary data, not text ({n_control:,} control characters)")
    share = _cjk_share(text)[1]
    if share < MIN_CJK_SHARE:
        raise LoadError(
            f"the {what} has almost no Chinese characters ({share:.0%} of its characters): "
            "it is not a Chinese report, or its encoding was not recognised"
        )


def sniff_format(data: bytes, suffix: str) -> str:
    """The format the bytes are in: 'pdf', 'docx', 'html', 'txt', or a kind fazhi does not read."""
    head = data[:8]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind == "zip":
                return "docx" if b"word/" in data[:1_000_000] or suffix == ".docx" else "zip"
            return kind
    if _HTML_SNIFF.match(data[:2048].lstrip(b"\xef\xbb\xbf")):
        return "html"
    for bom, codec in _BOMS:  # UTF-16 HTML
        if data.startswith(bom) and codec.startswith("utf-16"):
            head_text = _try(data[:4096] if len(data) > 4096 else data, codec) or ""
            if re.match(r"^\ufeff?\s*<(!doctype\s+html|html|head|body)\b", head_text, re.IGNORECASE):
                return "html"
    return "txt"


# ---------------------------------------------------------------- read one file
def read_document(path: str | Path) -> LoadedDocument:
    """Read one input file. Raises `LoadError` with a plain-language reason when it cannot."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = UNSUPPORTED_HINTS.get(suffix)
        supported = ", ".join(SUPPORTED_SUFFIXES)
        if hint:
            raise LoadError(f"unsupported file type '{suffix}': {hint} (fazhi reads {supported})")
        raise LoadError(f"unsupported file type '{suffix or '(none)'}'; fazhi reads {supported}")
    limit = _limit("FAZHI_MAX_BYTES", MAX_BYTES)
    size = path.stat().st_size
    if size > limit:
        raise LoadError(f"the file is {size / 2**20:,.0f} MB, more than fazhi reads ({limit / 2**20:,.0f} MB; "
                        "set FAZHI_MAX_BYTES to raise the limit)")
    data = path.read_bytes()
    return read_bytes(data, path=path)


def _limit(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def read_bytes(data: bytes, *, path: str | Path = "document.txt") -> LoadedDocument:
    """`read_document` on bytes already read; `path` gives the name and the extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    digest = sha256_bytes(data)
    if not data:
        raise LoadError("the file is empty (0 bytes)")
    if not data.strip():
        raise LoadError("the file contains only whitespace")
    kind = sniff_format(data, suffix)
    notes: list[str] = []
    expected = {".txt": "txt", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}.get(suffix)
    if kind in ("zip", "ole", "image", "archive"):
        what = {
            "zip": "a ZIP archive (not a Word document)",
            "ole": "an old-format Office file (.doc/.xls) or a password-protected Word file",
            "image": "an image",
            "archive": "an archive",
        }[kind]
        raise LoadError(f"the file is {what}, whatever its extension '{suffix}' says; fazhi reads text, HTML, .docx and PDF")
    if kind in ("txt", "html") and expected in ("docx", "pdf"):
        raise LoadError(f"the file is not a real {suffix} file (its first bytes are not a {expected.upper()} header): "
                        "probably an error page or an unfinished download saved under that name")
    if kind != expected and not (kind == "txt" and expected == "html"):
        notes.append(f"the file is {kind.upper()}, not what its extension '{suffix}' says; read as {kind.upper()}")
    meta: dict = {}
    warnings: list[str] = []
    encoding: str | None = None
    encoding_source = ""
    if kind == "pdf":
        text, meta, w = read_pdf(data)
        warnings.extend(w)
        encoding_source = "PDF text layer"
    elif kind == "docx":
        text, meta, w = read_docx(data)
        warnings.extend(w)
        encoding_source = "Word XML"
    elif kind == "html":
        decoded = detect_decode(data, declared=_declared_charset(data))
        encoding, encoding_source = decoded.encoding, decoded.source
        text, meta = html_to_text(decoded.text)
    else:
        decoded = detect_decode(data)
        encoding, encoding_source = decoded.encoding, decoded.source
        text = decoded.text
    if encoding_source in ("charset-normalizer", "declared in the page") and encoding not in ("utf-8", None):
        notes.append(f"text encoding {encoding} ({encoding_source})")
    max_chars = _limit("FAZHI_MAX_CHARS", MAX_CHARS)
    if len(text) > max_chars:
        raise LoadError(
            f"the text has {len(text):,} characters, far more than an annual report (3,000–50,000): probably many "
            f"documents or a data dump in one file; split it into one file per report (or set FAZHI_MAX_CHARS "
            f"above {max_chars:,})"
        )
    check_text(text, what={"pdf": "PDF's text", "docx": "document", "html": "page's main text"}.get(kind, "file"))
    if "\ufffd" in text:
        n_bad = text.count("\ufffd")
        if n_bad > 1:
            warnings.append(f"{n_bad} characters in the file itself are unreadable (�): it was saved with a broken encoding")
    if any(c in text for c in _LINE_BREAK_CHARS):  # translate() looks up every character: only when needed
        text = text.translate(_LINE_BREAKS)
    conv = to_simplified(text)
    original = None
    if conv.converted_from:
        original = text
        text = conv.text
        notes.append(f"written in traditional characters; {conv.n_changed:,} characters converted to simplified "
                     "(OpenCC t2s, same length: offsets index the original text too)")
    return LoadedDocument(
        path=path, text=text, encoding=encoding, format=kind, sha256=digest, n_bytes=len(data), meta=meta,
        warnings=tuple(warnings), notes=tuple(notes), encoding_source=encoding_source,
        converted_from=conv.converted_from, original_text=original,
    )


# ---------------------------------------------------------------- HTML
_DROP_TAGS = {
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "select", "option",
    "button", "input", "textarea", "nav", "aside", "footer", "map", "audio", "video", "head", "link", "meta",
}
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "ol", "p", "pre", "section", "summary", "table", "tbody", "thead", "tfoot", "tr", "ul", "caption", "html",
}
_CELL_TAGS = {"td", "th"}
# class/id words of page furniture that can sit inside the main block: 分享到, 打印本页, footers
_FURNITURE = re.compile(r"(?:^|[\s_\-])(footer|foot|copyright|share|bdshare|bdsharebuttonbox|nav|navbar|menu)(?:$|[\s_\-])", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_WS_RUN = re.compile(r"[ \t\r\n\f\v]+")
_PROSE = re.compile(r"[^\n]{60,}")
_TITLE_SPLIT = re.compile(r"\s*[_|｜—–-]{1,2}\s*")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def _declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii", "ignore") if m else None


def _is_furniture(el) -> bool:
    if el.tag in _DROP_TAGS:
        return True
    if el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or ""):
        return True
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    return bool(names.strip()) and bool(_FURNITURE.search(names))


def _html_lines(root, *, stop=None) -> list[str]:
    """Text lines of an element in document order: blocks and <br> break lines, table cells are
    separated by a space, whitespace inside text collapses (except in <pre>). Iterative, so a deeply
    nested page cannot overflow the stack. The element `stop`, if met, becomes the line '\\x00'."""
    out: list[str] = []
    stack: list[tuple] = [(root, False, False)]
    while stack:
        el, closing, pre = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else None
        if closing:
            if tag in _BLOCK_TAGS or tag in _CELL_TAGS:
                out.append("\n" if tag in _BLOCK_TAGS else " ")
            if el is not root and el.tail:
                out.append(el.tail if pre else _WS_RUN.sub(" ", el.tail))
            continue
        if el is stop:
            out.append("\n\x00\n")
            if el.tail:
                out.append(_WS_RUN.sub(" ", el.tail))
            continue
        if tag is None:  # comment or processing instruction: only its tail is text
            if el is not root and el.tail:
                out.append(el.tail if pre else _WS_RUN.sub(" ", el.tail))
            continue
        if tag == "br" or tag in _BLOCK_TAGS:
            out.append("\n")
        in_pre = pre or tag == "pre"
        if el.text:
            out.append(el.text if in_pre else _WS_RUN.sub(" ", el.text))
        stack.append((el, True, pre))
        for child in reversed(list(el)):
            stack.append((child, False, in_pre))
    return [line.strip() for line in "".join(out).split("\n") if line.strip()]


def _main_block(body):
    """The element holding the page's main text: from <body>, go down into the child that holds at
    least 80% of the Chinese characters while its siblings hold no prose (a line of 60+ characters)."""
    counts: dict = {}
    for el in reversed(list(body.iter())):
        if not isinstance(el.tag, str):
            counts[el] = 0
            continue
        n = len(_CJK.findall(el.text or ""))
        for child in el:
            n += counts.get(child, 0) + len(_CJK.findall(child.tail or ""))
        counts[el] = n
    node = body
    while True:
        kids = [k for k in node if isinstance(k.tag, str)]
        if not kids or not counts.get(node):
            return node
        best = max(kids, key=lambda k: counts.get(k, 0))
        if counts[best] < 0.8 * counts[node]:
            return node
        loose = [node.text or ""] + [k.tail or "" for k in kids]
        if any(_PROSE.search(t.strip()) and "。" in t for t in loose):
            return node
        if any(_PROSE.search(line) and "。" in line for k in kids if k is not best and counts[k] for line in _html_lines(k)):
            return node
        node = best


def _meta_lines(lines: list[str]) -> list[str]:
    """Lines of the page's metadata table (label: value), with a lone label's value line."""
    from .clean import _meta_parser
    from .rules import load_rules

    parser = _meta_parser(load_rules("cruft"))
    keep: list[str] = []
    i = 0
    while i < len(lines):
        pairs = parser.parse(lines[i])
        if pairs is not None:
            keep.append(lines[i])
            if len(pairs) == 1 and not pairs[0][1] and i + 1 < len(lines) and parser.parse(lines[i + 1]) is None:
                keep.append(lines[i + 1])
                i += 1
        i += 1
    return keep


def html_to_text(html: str) -> tuple[str, dict]:
    """A saved web page → (text for the cleaner, page metadata).

    The text is the page's metadata lines, its title and then the main text block, one paragraph a
    line. Menus, scripts, sidebars, footers and hidden elements are left out.
    """
    import lxml.html
    from lxml.etree import ParserError

    from .clean import looks_like_title

    html = _XML_DECL.sub("", html, count=1)
    try:
        # huge_tree: a saved page with images inlined as data: URLs has attributes of many megabytes
        doc = lxml.html.document_fromstring(html, parser=lxml.html.HTMLParser(huge_tree=True))
    except (ParserError, ValueError) as exc:
        raise LoadError(f"the page could not be read as HTML ({exc})") from None
    meta: dict = {}
    page_title = " ".join(doc.findtext(".//title") or "" for _ in [0]).strip()
    for m in doc.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip()
        if name in ("ArticleTitle", "PubDate", "ContentSource", "SiteName", "ColumnName", "og:title") and m.get("content"):
            meta[name] = m.get("content").strip()
    if page_title:
        meta["title"] = page_title
    body = doc.find("body")
    if body is None:
        body = doc
    if not _CJK.search(body.text_content()) and len(_CJK.findall(html[:200_000])) > 50:
        raise LoadError("the page's markup could not be read (nested more than 2,000 levels deep, or broken): "
                        "open it in a browser and save it again")
    furniture = [el for el in body.iter() if not isinstance(el.tag, str) or _is_furniture(el)]
    for el in furniture:
        if el.getparent() is not None:
            el.drop_tree()
    main = _main_block(body)
    main_lines = _html_lines(main)
    outside = _html_lines(body, stop=main) if main is not body else []
    if "\x00" in outside:
        cut = outside.index("\x00")
        before, after = outside[:cut], outside[cut + 1 :]
    else:
        before, after = outside, []
    head = _meta_lines(before) + _meta_lines(after)
    if meta.get("PubDate") and not any(re.match(r"(发布|生成|发文|公开)(时间|日期)", h) for h in head):
        head.append(f"发布时间: {meta['PubDate']}")
    # the title: a line above the main block naming the report, else the page's own title
    title = None
    if not any(looks_like_title(line) for line in main_lines[:5]):
        from .clean import _compiled_cruft
        from .rules import load_rules

        cruft = _compiled_cruft(load_rules("cruft"))
        candidates = [line for line in before if looks_like_title(line) and not any(rx.match(line) for _, rx in cruft)]
        named = " ".join(meta.get(name, "") for name in ("ArticleTitle", "og:title", "title"))
        candidates.sort(key=lambda line: line not in named)  # the line the page's own title names first
        for name in ("ArticleTitle", "og:title", "title"):
            if meta.get(name):
                candidates += [p for p in _TITLE_SPLIT.split(meta[name]) if looks_like_title(p)]
        title = candidates[0] if candidates else None
    lines = head + ([title] if title else []) + main_lines
    return "\n".join(lines) + ("\n" if lines else ""), meta


# ---------------------------------------------------------------- Word (.docx)
_CN_DIGIT = "〇一二三四五六七八九"


def _cn_count(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (Word's chineseCounting)."""
    if n < 10:
        return _CN_DIGIT[n]
    if n < 20:
        return "十" + (_CN_DIGIT[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGIT[n // 10] + "十" + (_CN_DIGIT[n % 10] if n % 10 else "")
    return str(n)


def _format_number(n: int, fmt: str) -> str | None:
    if fmt in ("decimal", "decimalZero", "decimalFullWidth", "decimalHalfWidth"):
        return str(n)
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "japaneseCounting",
               "chineseLegalSimplified", "taiwaneseCounting", "ideographDigital"):
        return _cn_count(n)
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "none":
        return ""
    return None


class _Numbering:
    """Word's automatic list numbering (numbering.xml): the marker each numbered paragraph shows."""

    def __init__(self, document):
        from docx.oxml.ns import qn

        self.qn = qn
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # (numId, ilvl) → (fmt, lvlText, start)
        self.abstract_of: dict[str, str] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.unrendered = 0
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in an.findall(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    text.get(qn("w:val")) if text is not None else "",
                    int(start.get(qn("w:val"))) if start is not None else 1,
                )
            abstract[an.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is None:
                continue
            aid = ref.get(qn("w:val"))
            self.abstract_of[num.get(qn("w:numId"))] = aid
            for ilvl, spec in abstract.get(aid, {}).items():
                self.levels[(num.get(qn("w:numId")), ilvl)] = spec

    def marker(self, paragraph) -> str:
        qn = self.qn
        ppr = paragraph._p.pPr
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        if numpr is None:
            return ""
        num_id_el, ilvl_el = numpr.find(qn("w:numId")), numpr.find(qn("w:ilvl"))
        if num_id_el is None:
            return ""
        num_id = num_id_el.get(qn("w:val"))
        ilvl = int(ilvl_el.get(qn("w:val"))) if ilvl_el is not None else 0
        spec = self.levels.get((num_id, ilvl))
        if num_id == "0" or spec is None:
            return ""
        counters = self.counters.setdefault(self.abstract_of.get(num_id, num_id), {})
        counters[ilvl] = counters.get(ilvl, self.levels[(num_id, ilvl)][2] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        text = spec[1]
        for level in range(ilvl + 1):
            lspec = self.levels.get((num_id, level))
            if lspec is None:
                continue
            value = counters.get(level, lspec[2])
            shown = _format_number(value, lspec[0])
            if shown is None:
                self.unrendered += 1
                return ""
            text = text.replace(f"%{level + 1}", shown)
        return text


def read_docx(data: bytes) -> tuple[str, dict, list[str]]:
    """A Word document → (text, properties, warnings): paragraphs and table rows in document order."""
    import zipfile

    try:
        import docx
        from docx.table import Table

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(f"the .docx file is damaged or is not a Word document ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # noqa: BLE001 - lxml and zip errors of a damaged package, whatever they are
        raise LoadError(f"the .docx file is damaged ({type(exc).__name__}: {exc})") from None
    numbering = _Numbering(document)
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell is returned once per grid column
                        continue
                    seen.add(id(cell._tc))
                    cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
                line = " ".join(c for c in cells if c)
                if line:
                    lines.append(line)
        else:
            text = block.text
            marker = numbering.marker(block)
            lines.append(marker + text if text.strip() else text)
    props = document.core_properties
    meta = {k: v for k, v in (("title", props.title), ("author", props.author)) if v}
    warnings = []
    if numbering.unrendered:
        warnings.append(f"{numbering.unrendered} paragraphs use a Word numbering style fazhi cannot write out; "
                        "their numbers are missing from the text")
    return "\n".join(lines), meta, warnings


# ---------------------------------------------------------------- PDF
# a page number line:  - 3 -   — 3 —   第3页   3 / 12   第 3 页 共 12 页
_PAGE_NUMBER = re.compile(r"^[\s\-—–·]*(第\s*)?\d{1,4}\s*(页)?\s*([/／]\s*\d{1,4}|共\s*\d{1,4}\s*页)?[\s\-—–·]*$")
_SENTENCE_END = re.compile(r"[。！？!?；;：:]$")
_HEADING_START = re.compile(r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[.．、](?!\d))")


def _width(line: str) -> float:
    return sum(0.5 if unicodedata.east_asian_width(c) in ("Na", "H") else 1.0 for c in line)


def rejoin_wrapped_lines(lines: list[str]) -> list[str]:
    """Join the lines a paragraph was wrapped into. A line continues on the next one when it does not
    end a sentence (。！？；：) and is at least 60% as wide as a full line, or is a bare heading marker
    ('1.' left alone by a wrap at its space); never when the next line opens a heading.

    >>> rejoin_wrapped_lines(["一、主要成效", "全年审查合同四十三份，发现问题", "十二个。", "全年接待群众二百余人次，调处纠纷",
    ...                       "十件。", "二、存在的不足", "1.", "力量薄弱。"])
    ['一、主要成效', '全年审查合同四十三份，发现问题十二个。', '全年接待群众二百余人次，调处纠纷十件。', '二、存在的不足', '1.力量薄弱。']
    """
    widths = sorted(_width(line) for line in lines if line)
    if not widths:
        return []
    full = widths[int(0.9 * (len(widths) - 1))]  # the width of a full line
    out: list[str] = []
    continues = False
    for line in lines:
        if continues and out and not _HEADING_START.match(line):
            out[-1] += line
        else:
            out.append(line)
        bare_marker = bool(_HEADING_START.match(line)) and _HEADING_START.sub("", line).strip() == ""
        continues = bare_marker or (full >= 10 and _width(line) >= 0.6 * full and not _SENTENCE_END.search(line))
    return out


def read_pdf(data: bytes) -> tuple[str, dict, list[str]]:
    """A PDF → (text, properties, warnings) from its text layer; a PDF without one raises LoadError."""
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf logs repairs of sloppy files; we report our own
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("the PDF is password-protected; save an unprotected copy")
        pages = list(reader.pages)
        max_pages = _limit("FAZHI_MAX_PDF_PAGES", MAX_PDF_PAGES)
        if len(pages) > max_pages:
            raise LoadError(f"the PDF has {len(pages):,} pages, far more than an annual report: probably a collection "
                            f"of documents; split it (or set FAZHI_MAX_PDF_PAGES above {max_pages})")
    except LoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises assorted errors on broken files (PdfReadError, KeyError …)
        raise LoadError(f"the PDF is damaged and could not be read ({type(exc).__name__}: {exc})") from None
    page_lines: list[list[str]] = []
    empty, failed = [], []
    for n, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception:  # noqa: BLE001 - one broken page must not lose the others
            failed.append(n)
            text = ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines and n not in failed:
            empty.append(n)
        page_lines.append(lines)
    if not any(page_lines):
        raise LoadError(
            f"the PDF has no text layer ({len(pages)} page{'s' if len(pages) != 1 else ''}: scanned images?); "
            "fazhi does not guess text from images: run OCR first (e.g. ocrmypdf) and add the OCR'd PDF"
        )
    # running headers/footers: the same first or last line on most pages
    repeated = set()
    if len(page_lines) >= 3:
        from collections import Counter

        ends = Counter()
        for lines in page_lines:
            if lines:
                ends.update({lines[0], lines[-1]})
        repeated = {line for line, k in ends.items() if k >= 0.6 * len(page_lines) and len(line) <= 40}
    body: list[str] = []
    for lines in page_lines:
        body.extend(line for line in lines if not _PAGE_NUMBER.match(line) and line not in repeated)
    warnings = []
    if empty:
        warnings.append(f"PDF pages without a text layer (scanned?), not read: {_ranges(empty)} of {len(pages)}")
    if failed:
        warnings.append(f"PDF pages that could not be read: {_ranges(failed)} of {len(pages)}")
    meta = {}
    try:
        info = reader.metadata or {}
        meta = {k: str(info[k]) for k in ("/Title", "/Author", "/CreationDate") if info.get(k)}
    except Exception:  # noqa: BLE001 - the PDF's own metadata is a nicety; a broken one is ignored
        meta = {}
    return "\n".join(rejoin_wrapped_lines(body)), meta, warnings


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 7] → '1–3, 7'."""
    out, start, prev = [], None, None
    for n in numbers + [None]:
        if start is None:
            start = prev = n
        elif n is not None and n == prev + 1:
            prev = n
        else:
            out.append(f"{start}" if start == prev else f"{start}–{prev}")
            start = prev = n
    return ", ".join(out)
