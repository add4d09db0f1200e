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
- `.pdf`: the text layer read by layout (pdfplumber: font sizes and positions): the title and headings
  on lines of their own, running headers, footers and page numbers dropped, paragraphs joined across
  line and page breaks, two headings set side by side kept apart; pypdf reads the text layer when
  pdfplumber fails. A PDF without a text layer (a scan) is an error: fazhi does not guess text from images.
- `.docx`: Word's tracked changes read as accepted (insertions kept, deletions left out); a package
  that would inflate to far more than a report is refused from its ZIP directory, before inflating.
- A text file with a few undecodable bytes (cut mid-character, a few corrupt bytes) is read with each
  bad run replaced by U+FFFD and a warning counting the bytes.

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
from itertools import pairwise
from pathlib import Path, PurePosixPath

from .convert import simplify, to_simplified

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
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "hz": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "cp950": "big5hkscs",
    "utf_8": "utf-8",
    "utf-8": "utf-8",
    "ascii": "utf-8",
    "utf_16": "utf-16",
    "utf_16_le": "utf-16-le",
    "utf_16_be": "utf-16-be",
    "utf_32": "utf-32",
    "utf_32_le": "utf-32-le",
    "utf_32_be": "utf-32-be",
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
# A .docx is a ZIP package: its size on disk says little about what it inflates to. Checked from the ZIP
# directory before anything is inflated: all members together at most MAX_UNZIPPED_BYTES (FAZHI_MAX_UNZIPPED_BYTES;
# a report with photos inflates to a few tens of MB), and no member over 1 MB packed more than MAX_ZIP_RATIO
# times (Word's XML packs 5–20 times, photos about once; a "zip bomb" packs a thousand times and more).
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ZIP_MEMBERS = 10_000
_HTML_SNIFF = re.compile(
    rb"^\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)\b",
    re.IGNORECASE | re.DOTALL,
)
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
    if isinstance(relative_path, str) and _plain_name(relative_path):
        return None  # (the common case, without building a path: a rebuild asks this of every file)
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
    if name.lower() in _SYSTEM_FILES:
        return "a Windows system file; skipped"
    if name.endswith("~"):
        return "an editor backup file (…~); skipped"
    if name == "collect_manifest.csv":
        return "the manifest of `fazhi collect` (read for the reports' source addresses); skipped"
    return None


_SYSTEM_FILES = ("thumbs.db", "desktop.ini", "ehthumbs.db")


def _plain_name(relative_path: str) -> bool:
    """Whether `skip_reason` surely finds nothing in this '/'-separated name: no part of it starts
    with '.', none is __MACOSX, it holds no ~ or backslash, and its file name is not a system file's
    or the collect manifest. (False: `skip_reason` looks at it part by part.)"""
    if relative_path.startswith(".") or "/." in relative_path or "~" in relative_path or "\\" in relative_path:
        return False
    if "__MACOSX" in relative_path or not relative_path or relative_path.endswith("/"):
        return False
    name = relative_path.rsplit("/", 1)[-1]
    return name != "collect_manifest.csv" and name.lower() not in _SYSTEM_FILES


@dataclass(frozen=True)
class UnreadableFolder:
    """A folder under the input folder that could not be listed: its files cannot be counted or read."""

    folder: str  # relative to the input folder, '/'-separated ('.' for the input folder itself)
    reason: str  # one sentence for the parse log


def _is_file(entry: os.DirEntry) -> bool:
    """`Path(entry.path).is_file()` (a link followed), from the listing where it can tell."""
    try:
        return entry.is_file()
    except OSError:  # a link that loops, say: Path.is_file decides which errors mean 'not a file'
        return Path(entry.path).is_file()


def walk_input_folder(raw_dir: str | Path) -> tuple[list[Path], list[UnreadableFolder]]:
    """Every file under `raw_dir` (sorted by relative path), and the folders that could not be listed
    (no read permission, a vanished network share), so that each can be logged instead of its reports
    silently missing. Symbolic links to folders are not followed (as `Path.rglob` does not).

    >>> files, unreadable = walk_input_folder("data/raw")
    >>> len(files), unreadable
    (5, [])
    """
    raw_dir = Path(raw_dir)
    files: list[Path] = []
    unreadable: list[UnreadableFolder] = []

    def failed(exc: OSError) -> None:
        where = Path(exc.filename or raw_dir)
        try:
            folder = where.relative_to(raw_dir).as_posix()
        except ValueError:
            folder = where.as_posix()
        why = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or type(exc).__name__).lower()
        unreadable.append(
            UnreadableFolder(
                folder,
                f"the folder could not be read ({why}): the reports in it are not "
                "in the corpus; give read access (chmod -R u+rX) and build again",
            )
        )

    # os.walk's walk (its errors, links to folders not followed), with each entry's file type from the
    # listing itself (os.scandir) rather than a stat() a file, and the sort key built from the names
    # met on the way: 0.07 → 0.03 s CPU at 4,000 files (a rebuild lists every file)
    found: list[tuple[str, Path]] = []
    folders: list[tuple[str, str]] = [(os.fspath(raw_dir), "")]
    while folders:
        top, rel = folders.pop()
        try:
            listing = os.scandir(top)
        except OSError as exc:
            failed(exc)
            continue
        here: list[tuple[str, Path]] = []
        subfolders: list[tuple[str, str]] = []
        with listing:
            try:
                for entry in listing:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    if is_dir:
                        try:
                            link = entry.is_symlink()
                        except OSError:
                            link = False
                        if not link:
                            subfolders.append((entry.path, f"{rel}{entry.name}/"))
                    elif _is_file(entry):
                        here.append((f"{rel}{entry.name}", Path(entry.path)))
            except OSError as exc:  # the listing broke off: as os.walk, nothing of this folder is kept
                failed(exc)
                continue
        found += here
        folders += reversed(subfolders)
    found.sort(key=lambda item: item[0])
    files = [path for _, path in found]
    unreadable.sort(key=lambda u: u.folder)
    return files, unreadable


# ---------------------------------------------------------------- bytes → text
@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    source: str  # 'byte-order mark', 'valid UTF-8', 'declared in the page', 'charset-normalizer',
    # or 'all but a few bytes valid' (a damaged file, see MAX_REPLACED_BYTES)
    n_replaced: int = 0  # bytes that could not be decoded and became U+FFFD (a damaged file read anyway)


# A file with at most this many undecodable bytes (and at most this share of its bytes) is read with each
# bad run replaced by U+FFFD and a warning, rather than rejected: a UTF-8 file cut mid-character, a UTF-16
# file missing its last byte, a few corrupt bytes. More than that is the wrong encoding, or binary data.
MAX_REPLACED_BYTES = 16
MAX_REPLACED_SHARE = 0.001


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
    damaged = _decode_damaged(data, declared=declared)
    if damaged is not None:
        return damaged
    raise LoadError(
        "the file is not text in any encoding fazhi knows (UTF-8, UTF-16, GB18030/GBK, Big5): "
        "binary data, or a damaged file"
    )


def _decode_replacing(data: bytes, codec: str, limit: int) -> tuple[str, int] | None:
    """`data` decoded with each undecodable run of bytes replaced by U+FFFD: (text, bytes replaced), or
    None when more than `limit` bytes are bad."""
    parts: list[str] = []
    bad = pos = 0
    while True:
        try:
            parts.append(data[pos:].decode(codec))
            return "".join(parts), bad
        except UnicodeDecodeError as exc:
            parts.append(data[pos : pos + exc.start].decode(codec))
            parts.append("\ufffd")
            bad += exc.end - exc.start
            pos += exc.end
            if bad > limit:
                return None
        except LookupError:
            return None


def _decode_damaged(data: bytes, *, declared: str | None = None) -> Decoded | None:
    """The last try of `detect_decode`: an encoding that reads all but a few bytes (see
    MAX_REPLACED_BYTES) and gives real Chinese text; None when there is none."""
    limit = min(MAX_REPLACED_BYTES, max(4, int(MAX_REPLACED_SHARE * len(data))))
    tries: list[tuple[str, bytes, str]] = []  # (codec, bytes to decode, source)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            if codec in ("utf-16", "utf-32"):  # the byte order the mark says, the mark itself dropped
                little = bom[:2] == b"\xff\xfe"
                codec = f"{codec}-{'le' if little else 'be'}"
            tries.append((codec, data[len(bom) :], "byte-order mark"))
            break
    if declared:
        tries.append((_codec(declared), data, "declared in the page"))
    tries += [
        (codec, data, "all but a few bytes valid")
        for codec in ("utf-8", "gb18030", "big5hkscs", "utf-16-le", "utf-16-be")
    ]
    found = []
    for n, (codec, body, source) in enumerate(tries):
        decoded = _decode_replacing(body, codec, limit)
        if decoded is None:
            continue
        text, bad = decoded
        if source != "byte-order mark" and codec != "utf-8" and common_share(text) < 0.5:
            continue
        found.append((bad, n, Decoded(text.lstrip("\ufeff"), codec, source, n_replaced=bad)))
    return min(found, key=lambda f: f[:2])[2] if found else None


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


# a Chinese report title (湖南省人民政府关于2024年度法治政府建设情况的报告) on one of a page's first lines
_REPORT_TITLE_LINE = re.compile(r"(?:法治|依法行政|法制)[\u4e00-\u9fff\d（）()、〔〕]{0,30}(?:报告|情况|总结)")


def _chinese_report_title(text: str) -> str | None:
    """The first of a page's opening lines that is a Chinese report title, read with the right encoding
    (its characters common ones), or None; in simplified or traditional characters (關於…報告)."""
    lines = [ln.strip() for ln in text[:3000].splitlines() if ln.strip()][:8]
    lines += [a + b for a, b in zip(lines, lines[1:]) if len(b) <= 24]  # a title printed over two lines
    for line in lines:
        n_cjk = len(re.findall(r"[\u4e00-\u9fff]", line))
        if n_cjk < 8 or n_cjk < 0.6 * len(line) or common_share(line) < 0.9:
            continue
        joined = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", line)  # stray spaces: 法治 政府
        if _REPORT_TITLE_LINE.search(joined) or _REPORT_TITLE_LINE.search(simplify(joined)):
            return line
    return None


def check_text(text: str, *, what: str = "text") -> str | None:
    """Raise `LoadError` when decoded text is empty, binary junk or has almost no Chinese.

    A page mostly in another language that opens with a Chinese report title (a research database's
    entry, an English summary under the title) is kept: the warning returned says so.

    >>> check_text("湖南省人民政府关于2024年度法治政府建设情况的报告\\n" + "English summary of the report. " * 20)[:38]
    'the text is mostly in another language'
    """
    if not text.strip():
        raise LoadError(f"the {what} contains only whitespace")
    sample = text[:200_000]
    n_control = _count_control(sample)
    if n_control > max(2, 0.01 * len(sample)):
        raise LoadError(f"the file is binary data, not text ({n_control:,} control characters)")
    share = _cjk_share(text)[1]
    if share < MIN_CJK_SHARE and _chinese_report_title(text):
        return (
            f"the {what} is mostly in another language ({share:.0%} Chinese characters) under a Chinese report "
            "title: read as a report whose text is not the report's own"
        )
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
        raise LoadError(
            f"the file is {size / 2**20:,.0f} MB, more than fazhi reads ({limit / 2**20:,.0f} MB; "
            "set FAZHI_MAX_BYTES to raise the limit)"
        )
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
        raise LoadError(
            f"the file is {what}, whatever its extension '{suffix}' says; fazhi reads text, HTML, .docx and PDF"
        )
    if kind in ("txt", "html") and expected in ("docx", "pdf"):
        raise LoadError(
            f"the file is not a real {suffix} file (its first bytes are not a {expected.upper()} header): "
            "probably an error page or an unfinished download saved under that name"
        )
    if kind != expected and not (kind == "txt" and expected == "html"):
        notes.append(f"the file is {kind.upper()}, not what its extension '{suffix}' says; read as {kind.upper()}")
    meta: dict = {}
    warnings: list[str] = []
    encoding: str | None = None
    encoding_source = ""
    if kind == "pdf":
        text, meta, w = read_pdf(data)
        warnings.extend(w)
        if meta.get("layout_reader"):
            notes.append(f"PDF read by {meta.pop('layout_reader')}: titles and page furniture told apart by text alone")
        encoding_source = "PDF text layer"
    elif kind == "docx":
        text, meta, w = read_docx(data)
        warnings.extend(w)
        if meta.get("tracked_changes"):
            notes.append(meta["tracked_changes"])
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
    foreign = check_text(
        text, what={"pdf": "PDF's text", "docx": "document", "html": "page's main text"}.get(kind, "file")
    )
    if foreign:
        warnings.append(foreign)
    n_replaced = decoded.n_replaced if kind in ("txt", "html") else 0
    if n_replaced:
        warnings.append(
            f"{n_replaced} byte{'s' if n_replaced != 1 else ''} could not be decoded as {encoding} and "
            f"{'were' if n_replaced != 1 else 'was'} replaced by �: the file is damaged (cut short, or a "
            "few corrupt bytes); the rest was read"
        )
    if "\ufffd" in text and not n_replaced:  # (with replaced bytes, their warning says it)
        n_bad = text.count("\ufffd")
        if n_bad > 1:
            warnings.append(
                f"{n_bad} characters in the file itself are unreadable (�): it was saved with a broken encoding"
            )
    if any(c in text for c in _LINE_BREAK_CHARS):  # translate() looks up every character: only when needed
        text = text.translate(_LINE_BREAKS)
    conv = to_simplified(text)
    original = None
    if conv.converted_from:
        original = text
        text = conv.text
        notes.append(
            f"written in traditional characters; {conv.n_changed:,} characters converted to simplified "
            "(OpenCC t2s, same length: offsets index the original text too)"
        )
    return LoadedDocument(
        path=path,
        text=text,
        encoding=encoding,
        format=kind,
        sha256=digest,
        n_bytes=len(data),
        meta=meta,
        warnings=tuple(warnings),
        notes=tuple(notes),
        encoding_source=encoding_source,
        converted_from=conv.converted_from,
        original_text=original,
    )


# ---------------------------------------------------------------- HTML
_DROP_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "select",
    "option",
    "button",
    "input",
    "textarea",
    "nav",
    "aside",
    "footer",
    "map",
    "audio",
    "video",
    "head",
    "link",
    "meta",
}
_BLOCK_TAGS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "ul",
    "caption",
    "html",
}
_CELL_TAGS = {"td", "th"}
# class/id words of page furniture that can sit inside the main block: 分享到, 打印本页, footers
_FURNITURE = re.compile(
    r"(?:^|[\s_\-])(footer|foot|copyright|share|bdshare|bdsharebuttonbox|nav|navbar|menu)(?:$|[\s_\-])", re.IGNORECASE
)
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
        if any(
            _PROSE.search(line) and "。" in line for k in kids if k is not best and counts[k] for line in _html_lines(k)
        ):
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
        if name in ("ArticleTitle", "PubDate", "ContentSource", "SiteName", "ColumnName", "og:title") and m.get(
            "content"
        ):
            meta[name] = m.get("content").strip()
    if page_title:
        meta["title"] = page_title
    body = doc.find("body")
    if body is None:
        body = doc
    if not _CJK.search(body.text_content()) and len(_CJK.findall(html[:200_000])) > 50:
        raise LoadError(
            "the page's markup could not be read (nested more than 2,000 levels deep, or broken): "
            "open it in a browser and save it again"
        )
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
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "ideographTraditional",
        "japaneseCounting",
        "chineseLegalSimplified",
        "taiwaneseCounting",
        "ideographDigital",
    ):
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


def check_zip_package(data: bytes) -> None:
    """Raise `LoadError` when a ZIP package (.docx) would inflate to far more than a report: checked from
    the sizes its directory declares (ZipInfo.file_size), before anything is inflated. Python's zipfile
    never inflates a member beyond its declared size, so the check holds for a package that lies."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise LoadError(f"the .docx file is damaged or is not a Word document ({type(exc).__name__}: {exc})") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise LoadError(
            f"the .docx package holds {len(members):,} parts, far more than a Word document "
            f"(at most {MAX_ZIP_MEMBERS:,}): a damaged or crafted file; open it in Word and save it again"
        )
    total = sum(m.file_size for m in members)
    limit = _limit("FAZHI_MAX_UNZIPPED_BYTES", MAX_UNZIPPED_BYTES)
    if total > limit:
        raise LoadError(
            f"the .docx file inflates to {total / 2**20:,.0f} MB ({len(data) / 2**20:,.1f} MB packed), more "
            f"than fazhi reads ({limit / 2**20:,.0f} MB; set FAZHI_MAX_UNZIPPED_BYTES to raise the limit)"
        )
    for m in members:
        if m.file_size > 2**20 and m.file_size > MAX_ZIP_RATIO * max(m.compress_size, 1):
            raise LoadError(
                f"the .docx part {m.filename} inflates {m.file_size / max(m.compress_size, 1):,.0f} times "
                f"(to {m.file_size / 2**20:,.0f} MB), far more than Word's files do (at most about "
                f"{MAX_ZIP_RATIO} times): a compression bomb, not a report"
            )


class _TrackedText:
    """A paragraph's text as Word shows it with every tracked change accepted: runs inside an insertion
    (w:ins, w:moveTo) read, runs inside a deletion (w:del, w:moveFrom; their text is w:delText) left out.
    python-docx's `Paragraph.text` reads only the runs directly in the paragraph and its hyperlinks,
    so it drops inserted text (and the text of fields and content controls)."""

    # elements that hold runs as the paragraph's own inline content
    _HOLDERS = (
        "w:ins",
        "w:moveTo",
        "w:hyperlink",
        "w:smartTag",
        "w:fldSimple",
        "w:sdt",
        "w:sdtContent",
        "w:customXml",
        "w:dir",
        "w:bdo",
    )
    _DELETED = ("w:del", "w:moveFrom")

    def __init__(self):
        from docx.oxml.ns import qn

        self.run = qn("w:r")
        self.holders = {qn(t) for t in self._HOLDERS}
        self.insertions = {qn("w:ins"), qn("w:moveTo")}
        self.deleted = {qn(t) for t in self._DELETED}
        self.row_deleted = f"./{qn('w:trPr')}/{qn('w:del')}"
        self.n_inserted = self.n_deleted = 0

    def __call__(self, p) -> str:
        out: list[str] = []
        stack = [iter(p)]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                continue
            if child.tag == self.run:
                out.append(child.text)  # CT_R.text: w:t, w:tab, w:br … (never w:delText)
            elif child.tag in self.holders:
                self.n_inserted += child.tag in self.insertions
                stack.append(iter(child))
            elif child.tag in self.deleted:
                self.n_deleted += 1
        return "".join(out)

    def row_is_deleted(self, tr) -> bool:
        """A table row deleted with changes tracked."""
        if tr.find(self.row_deleted) is not None:
            self.n_deleted += 1
            return True
        return False


def read_docx(data: bytes) -> tuple[str, dict, list[str]]:
    """A Word document → (text, properties, warnings): paragraphs and table rows in document order."""
    import zipfile

    check_zip_package(data)
    try:
        import docx
        from docx.table import Table

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(f"the .docx file is damaged or is not a Word document ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # noqa: BLE001 - lxml and zip errors of a damaged package, whatever they are
        raise LoadError(f"the .docx file is damaged ({type(exc).__name__}: {exc})") from None
    numbering = _Numbering(document)
    text_of = _TrackedText()
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                if text_of.row_is_deleted(row._tr):
                    continue
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell is returned once per grid column
                        continue
                    seen.add(id(cell._tc))
                    texts = (text_of(p._p).strip() for p in cell.paragraphs)
                    cells.append(" ".join(t for t in texts if t))
                line = " ".join(c for c in cells if c)
                if line:
                    lines.append(line)
        else:
            text = text_of(block._p)
            marker = numbering.marker(block)
            lines.append(marker + text if text.strip() else text)
    props = document.core_properties
    meta = {k: v for k, v in (("title", props.title), ("author", props.author)) if v}
    if text_of.n_inserted or text_of.n_deleted:
        meta["tracked_changes"] = (
            f"Word tracked changes read as accepted: {text_of.n_inserted} insertion"
            f"{'s' if text_of.n_inserted != 1 else ''} kept, {text_of.n_deleted} deletion"
            f"{'s' if text_of.n_deleted != 1 else ''} left out"
        )
    warnings = []
    if numbering.unrendered:
        warnings.append(
            f"{numbering.unrendered} paragraphs use a Word numbering style fazhi cannot write out; "
            "their numbers are missing from the text"
        )
    return "\n".join(lines), meta, warnings


# ---------------------------------------------------------------- PDF
# a page number line:  - 3 -   — 3 —   第3页   3 / 12   第 3 页 共 12 页
_PAGE_NUMBER = re.compile(r"^[\s\-—–·]*(第\s*)?\d{1,4}\s*(页)?\s*([/／]\s*\d{1,4}|共\s*\d{1,4}\s*页)?[\s\-—–·]*$")
_SENTENCE_END = re.compile(r"[。！？!?；;：:]$")
_HEADING_START = re.compile(
    r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[.．、](?!\d))"
)


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


# ---------------------------------------------------------------- PDF by layout (pdfplumber)
@dataclass
class _PdfLine:
    """One line of a PDF page: its text and where it sits (PDF points, top-down)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # the font size most of its characters have
    page: int


HEADER_BAND = 0.12  # running headers sit in the top 12% of a page, footers in the bottom 12%
LARGER = 1.15  # a line set this much larger than the body text is a title or heading: a line of its own
COLUMN_GAP = 3.0  # a gap of this many character widths inside a line separates two columns


def _page_lines(chars: list[dict], page_no: int) -> list[_PdfLine]:
    """A page's characters → lines: characters whose vertical middles lie within half a character of
    each other share a line; within it, a gap wider than COLUMN_GAP characters starts another line
    (two sub-headings side by side), a gap of a quarter character is a space."""
    chars = [c for c in chars if c.get("upright", True) and c["text"] and not c["text"].isspace()]
    chars.sort(key=lambda c: ((c["top"] + c["bottom"]) / 2, c["x0"]))
    rows: list[list[dict]] = []
    for c in chars:
        mid = (c["top"] + c["bottom"]) / 2
        if rows:
            last = rows[-1]
            last_mid = sum((d["top"] + d["bottom"]) / 2 for d in last) / len(last)
            if abs(mid - last_mid) <= 0.5 * max(c["size"], last[0]["size"]):
                last.append(c)
                continue
        rows.append([c])
    lines: list[_PdfLine] = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        segment: list[dict] = []
        for c in row:
            if segment and c["x0"] - segment[-1]["x1"] > COLUMN_GAP * c["size"]:
                lines.append(_pdf_line(segment, page_no))
                segment = []
            segment.append(c)
        if segment:
            lines.append(_pdf_line(segment, page_no))
    return lines


def _pdf_line(chars: list[dict], page_no: int) -> _PdfLine:
    from collections import Counter

    parts = [chars[0]["text"]]
    for prev, c in pairwise(chars):
        if c["x0"] - prev["x1"] > 0.25 * c["size"]:
            parts.append(" ")
        parts.append(c["text"])
    size = Counter(round(c["size"], 1) for c in chars).most_common(1)[0][0]
    return _PdfLine(
        "".join(parts).strip(),
        chars[0]["x0"],
        chars[-1]["x1"],
        min(c["top"] for c in chars),
        max(c["bottom"] for c in chars),
        size,
        page_no,
    )


def _furniture(pages: list[list[_PdfLine]], heights: list[float]) -> set[tuple[int, int]]:
    """(page, index) of the lines that are page furniture: a bare page number, or a line in the top or
    bottom band of the page whose text (digits aside) recurs in that band on half the pages or more."""
    from collections import Counter

    def key(line):
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))

    def in_band(line, height):
        return line.top < HEADER_BAND * height or line.bottom > (1 - HEADER_BAND) * height

    seen = Counter()
    for lines, height in zip(pages, heights):
        seen.update({key(line) for line in lines if in_band(line, height)})
    enough = max(2, 0.5 * len(pages))
    out = set()
    for p, (lines, height) in enumerate(zip(pages, heights)):
        for i, line in enumerate(lines):
            if _PAGE_NUMBER.match(line.text) or (in_band(line, height) and seen[key(line)] >= enough):
                out.add((p, i))
    return out


def _layout_paragraphs(lines: list[_PdfLine]) -> list[str]:
    """Body lines (furniture out, in reading order) → paragraphs. A line larger than the body text
    (a title, a heading) stands alone, joined only with the next line of its size (a wrapped title).
    A body line continues on the next when it runs to the right margin, the next is neither indented
    nor a heading nor in another size, and nothing but line spacing lies between them (a page break
    counts as line spacing); in a document that does not indent its paragraphs, a line ending a
    sentence (。！？；：) also ends the paragraph."""
    from collections import Counter

    if not lines:
        return []
    weights = Counter()
    for line in lines:
        weights[line.size] += len(line.text)
    body = weights.most_common(1)[0][0]
    body_lines = [line for line in lines if abs(line.size - body) < 0.5] or lines
    xs0 = sorted(line.x0 for line in body_lines)
    xs1 = sorted(line.x1 for line in body_lines)
    left, right = xs0[int(0.1 * (len(xs0) - 1))], xs1[int(0.9 * (len(xs1) - 1))]
    indented = sum(1.5 * body <= line.x0 - left <= 2.6 * body for line in body_lines)
    indent_style = indented >= max(2, 0.05 * len(body_lines))

    def large(line):
        return line.size >= LARGER * body

    out: list[str] = []
    prev = None
    for line in lines:
        joined = False
        if prev is not None and abs(line.size - prev.size) < 0.5:
            near = line.page != prev.page or line.top - prev.bottom < 0.9 * line.size
            if large(line):
                joined = near and line.page == prev.page
            elif near and not _HEADING_START.match(line.text):
                full = prev.x1 >= right - 1.5 * body and prev.x0 < right - 6 * body
                flush = line.x0 < left + 0.8 * body
                joined = full and flush and (indent_style or not _SENTENCE_END.search(prev.text))
        if joined:
            out[-1] += line.text
        else:
            out.append(line.text)
        prev = line
    return out


def _read_pdf_layout(data: bytes) -> tuple[list[str], list[int], int]:
    """A PDF by layout (pdfplumber): (paragraph lines, pages without text, number of pages)."""
    import pdfplumber

    pages, heights, empty = [], [], []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for n, page in enumerate(pdf.pages, start=1):
            lines = _page_lines(page.chars, n)
            if not lines:
                empty.append(n)
            pages.append(lines)
            heights.append(float(page.height))
    drop = _furniture(pages, heights)
    body = [line for p, lines in enumerate(pages) for i, line in enumerate(lines) if (p, i) not in drop]
    return _layout_paragraphs(body), empty, len(pages)


def read_pdf(data: bytes) -> tuple[str, dict, list[str]]:
    """A PDF → (text, properties, warnings) from its text layer; a PDF without one raises LoadError.

    Read by layout (pdfplumber on pdfminer.six: font sizes and positions): the title and headings
    on lines of their own, running headers, footers and page numbers out, paragraphs joined across
    line and page breaks. If pdfplumber fails on the file, pypdf reads the text layer instead.
    """
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
            raise LoadError(
                f"the PDF has {len(pages):,} pages, far more than an annual report: probably a collection "
                f"of documents; split it (or set FAZHI_MAX_PDF_PAGES above {max_pages})"
            )
    except LoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises assorted errors on broken files (PdfReadError, KeyError …)
        raise LoadError(f"the PDF is damaged and could not be read ({type(exc).__name__}: {exc})") from None
    meta = {}
    try:
        info = reader.metadata or {}
        meta = {k: str(info[k]) for k in ("/Title", "/Author", "/CreationDate") if info.get(k)}
    except Exception:  # noqa: BLE001 - the PDF's own metadata is a nicety; a broken one is ignored
        meta = {}
    try:
        paragraphs, empty, n_pages = _read_pdf_layout(data)
    except Exception as exc:  # noqa: BLE001 - pdfminer's assorted errors on odd files: pypdf reads it instead
        meta["layout_reader"] = f"pypdf (pdfplumber failed: {type(exc).__name__})"
    else:
        if not paragraphs:
            raise LoadError(
                f"the PDF has no text layer ({n_pages} page{'s' if n_pages != 1 else ''}: scanned images?); "
                "fazhi does not guess text from images: run OCR first (e.g. ocrmypdf) and add the OCR'd PDF"
            )
        warnings = []
        if empty:
            warnings.append(f"PDF pages without a text layer (scanned?), not read: {_ranges(empty)} of {n_pages}")
        return "\n".join(paragraphs), meta, warnings
    return _read_pdf_pypdf(pages, meta)


def _read_pdf_pypdf(pages: list, meta: dict) -> tuple[str, dict, list[str]]:
    """The fallback: pypdf's text of each page, furniture and page numbers dropped by their text alone,
    wrapped lines joined by their width (`rejoin_wrapped_lines`)."""
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
