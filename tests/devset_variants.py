"""The development set's pages rewritten as other real pages write them (GLOSSARY.md, "Real pages"):
each family turns a page's text (or bytes) into a variant whose metadata a reader would read the same.
`tests/test_devset_variants.py` checks that fazhi does; run as a script, it prints how every family
scores against the hand labels beside the originals' scores:

    .venv/bin/python tests/devset_variants.py [../shared/devset]
"""

from __future__ import annotations

import random
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

DEVSET = Path(__file__).resolve().parents[1].parent / "shared" / "devset"

_FULL_WIDTH = str.maketrans("0123456789-/.", "０１２３４５６７８９－／．")
_SYLLABLES = ["yīng", "fā", "shè", "lǐng", "xué", "xí", "zhì", "guó", "rùn", "biāo", "chéng", "huì"]


def _opencc(config: str) -> Callable[[str], str]:
    import opencc

    converter = opencc.OpenCC(config)
    return converter.convert


def _glossed(text: str, rng: random.Random) -> str:
    """A pinyin gloss after about one character in 25 (應(yīng)急: a mirror's injected glosses)."""
    out = []
    for ch in text:
        out.append(ch)
        if "\u4e00" <= ch <= "\u9fff" and rng.random() < 0.04:
            out.append(f"({rng.choice(_SYLLABLES)})")
    return "".join(out)


_SPAM = ["澳门新葡京官网", "威尼斯人娱乐场", "bet365体育在线", "皇冠足球比分", "澳门赌场"]


def _spammed(text: str, rng: random.Random) -> str:
    """Gambling spam a mirror injects: a line of it on top and one inside the page."""
    lines = text.split("\n")
    lines.insert(rng.randrange(1, max(2, len(lines))), f"{rng.choice(_SPAM)} {rng.choice(_SPAM)}")
    return f"{rng.choice(_SPAM)}\n" + "\n".join(lines)


_TITLE_LINE = re.compile(r"(法治政府|依法行政|法治建设)[^。，,]{0,16}(报告|情况)")


def _with_title_line(text: str, change: Callable[[str], str]) -> str:
    """`text` with its report title line (the first of its first 15 lines that names the report, short
    and no sentence) replaced by `change(line)`; unchanged without one."""
    lines = text.split("\n")
    for i, line in enumerate(lines[:15]):
        if _TITLE_LINE.search(line) and len(line.strip()) < 80 and "。" not in line:
            lines[i] = change(line)
            break
    return "\n".join(lines)


def _title_split(text: str, rng: random.Random) -> str:
    """The title line printed over two lines, broken right after its 法治政府建设/依法行政."""

    def split(line: str) -> str:
        m = re.search(r"法治政府建设|依法行政", line)
        return line[: m.end()] + "\n" + line[m.end() :] if m else line

    return _with_title_line(text, split)


def _untitled(text: str, rng: random.Random) -> str:
    """The page without its title line (a copy that starts at the body): what the page loses, not a
    variant to read the same; the table shows what fazhi still finds."""
    return _with_title_line(text, lambda line: "")


def _title_spaced(text: str, rng: random.Random) -> str:
    """Stray spaces at about one place in seven between the characters of the title line (a PDF
    export's justified title): a harsh variant, names split too (济南市市 中区)."""
    cjk_gap = re.compile(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])")
    return _with_title_line(text, lambda line: cjk_gap.sub(lambda m: " " if rng.random() < 0.15 else "", line))


def _clock_header(text: str, rng: random.Random) -> str:
    """A page header with the site's clock (stale: any year) and a breadcrumb on top of the page."""
    clock = f"{rng.randrange(2016, 2026)}年{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日 星期{rng.choice('一二三四五六日')}"
    return f"{clock}\n您当前的位置:首页 > 政务公开 > 法治政府建设\n" + text


def _banner_repeated(text: str, rng: random.Random) -> str:
    """The page's first two lines (a site banner) printed again two thirds of the way down."""
    lines = text.split("\n")
    banner = [line for line in lines[:6] if line.strip()][:2]
    at = max(1, len(lines) * 2 // 3)
    return "\n".join(lines[:at] + banner + lines[at:])


def _meta_glued(text: str, rng: random.Random) -> str:
    """Page metadata glued to the end of the title line after spaces (来源:本站 浏览次数:N 字号:[大 中 小])."""
    return _with_title_line(
        text, lambda line: f"{line.rstrip()}  来源:本站  浏览次数:{rng.randrange(100, 9999)}  字号:[大 中 小]"
    )


_DATE_LINE = re.compile(
    r"^\s*(发布时间|发布日期|日期|时间)\s*[:：]\s*((?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)\s*$"
)


def _date_glued(text: str, rng: random.Random) -> str:
    """The page's own publication-date line moved onto the end of the title line (…报告  发布时间:2023-03-01)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = _DATE_LINE.match(line)
        if m:
            rest, glued = "\n".join(lines[:i] + lines[i + 1 :]), f"  {m.group(1)}:{m.group(2)}"
            return _with_title_line(rest, lambda title, glued=glued: title.rstrip() + glued)
    return text


def _indents_as_question_marks(text: str, rng: random.Random) -> str:
    """Every paragraph indented with 　　 as an encoding without 　 prints it: ?? (a Big5 gateway's copy)."""
    return "\n".join("??" + line.strip() if line.strip() else line for line in text.split("\n"))


_META_LINE = re.compile(
    r"^\s*(发布时间|发布日期|成文日期|发文日期|索引号|信息索引号|发布机构|发文机关|来源|信息来源|文号|发文字号)\s*[:：]\s*(\S.*?)\s*$"
)


def _meta_as_table_rows(text: str, rng: random.Random) -> str:
    """The page's metadata lines (发布日期: 2023-03-01) as a copied table prints them: | 发布日期 | 2023-03-01 |."""
    return "\n".join(
        (f"| {m.group(1)} | {m.group(2)} |" if (m := _META_LINE.match(line)) else line) for line in text.split("\n")
    )


_DIGIT = re.compile(r"[0-9０-９]")


def _digits_masked(text: str, rng: random.Random) -> str:
    """Every digit of the page printed as *, but on lines naming the report (报告): ****年, 〔****〕*号, as a
    tender site's copy masks numbers in the body while its title keeps the year."""
    return "\n".join(line if "报告" in line else _DIGIT.sub("*", line) for line in text.split("\n"))


_PLACE_HEAD = re.compile(r"^(\s*(?:中共)?)([\u4e00-\u9fff]{1,10}?(?:自治区|自治州|自治县|省|市|州|盟|县|区|旗))(?=\S)")
_BRANDS = ["威廉希尔中文", "bt365备用网站", "皇冠体育投注", "澳门新葡京"]


def _title_place_swapped(text: str, rng: random.Random) -> str:
    """The division name that opens the title line replaced by a gambling brand, after which the rest of
    the name follows a space, an @, a dash or nothing (威廉希尔中文 沙园街道…, 皇冠体育投注@木渎镇…: a hijacked
    copy); information lost where the title alone named the place."""
    brand = rng.choice(_BRANDS) + rng.choice([" ", "@", "-", ""])
    return _with_title_line(text, lambda line: _PLACE_HEAD.sub(lambda m: m.group(1) + brand, line, 1))


# family → text → variant (None: the bytes in GB18030)
FAMILIES: dict[str, Callable[[str, random.Random], str] | None] = {
    "traditional (s2t)": lambda t, r: _opencc("s2t")(t),
    "traditional (s2hk)": lambda t, r: _opencc("s2hk")(t),
    "traditional (s2tw)": lambda t, r: _opencc("s2tw")(t),
    "full-width digits and date signs": lambda t, r: t.translate(_FULL_WIDTH),
    "pinyin glosses": _glossed,
    "title split inside its phrase": _title_split,
    "gambling spam lines": _spammed,
    "page clock and breadcrumb on top": _clock_header,
    "site banner repeated further down": _banner_repeated,
    "page metadata glued to the title": _meta_glued,
    "publication date glued to the title": _date_glued,
    "indents printed as ??": _indents_as_question_marks,
    "metadata lines as table rows": _meta_as_table_rows,
    "CRLF line breaks": lambda t, r: t.replace("\n", "\r\n"),
    "GB18030 bytes": None,
    "ideographic spaces": lambda t, r: t.replace(" ", "\u3000"),
    "indented lines": lambda t, r: "\n".join("\u3000\u3000" + ln if ln.strip() else ln for ln in t.split("\n")),
    "no line breaks (one line)": lambda t, r: re.sub(r"\s*\n\s*", " ", t),
    "stray spaces in the title": _title_spaced,
    "no title line (information lost)": _untitled,
    "digits masked in the body": _digits_masked,
    "a name removed (习近平)": lambda t, r: t.replace("习近平", ""),
    "title's place swapped for a gambling brand": _title_place_swapped,
}


def write_family(family: str, reports: Path, out: Path) -> Path:
    """The variant of every page of `reports` in `out` (same file names); returns `out`."""
    out.mkdir(parents=True, exist_ok=True)
    make = FAMILIES[family]
    for path in sorted(reports.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if make is None:
            (out / path.name).write_bytes(text.encode("gb18030", errors="replace"))
        else:
            (out / path.name).write_text(make(text, random.Random(path.name)), encoding="utf-8")
    return out


def main(argv: list[str]) -> int:
    import fazhi_lib as fz
    from fazhi_lib.evaluate import evaluate_metadata

    devset = Path(argv[0]) if argv else DEVSET
    labels = devset / "labels.tsv"
    if not labels.is_file():
        print(f"no development set at {devset}", file=sys.stderr)
        return 2
    rows = {"originals": evaluate_metadata(fz.build_corpus(devset / "reports"), labels)}
    with tempfile.TemporaryDirectory() as tmp:
        for family in FAMILIES:
            folder = write_family(family, devset / "reports", Path(tmp) / re.sub(r"\W+", "_", family))
            rows[family] = evaluate_metadata(fz.build_corpus(folder), labels)
    fields = ["accepted", "issuer", "level", "report_year", "publish_date", "province", "prefecture", "county"]
    print("| pages | " + " | ".join(fields) + " |")
    print("|---" * (len(fields) + 1) + "|")
    for name, ev in rows.items():
        table = ev.scores.set_index("field")
        cells = [f"{int(table.loc[f, 'right'])}/{int(table.loc[f, 'scored'])}" for f in fields]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
