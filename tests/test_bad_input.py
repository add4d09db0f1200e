"""A researcher's messy folder, built here from the five embedded reports, through one build:
every file is in parse_log with what was done with it, the counts add up, and no report is counted
twice in any table. Then a build killed midway leaves the previous tables readable."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import opencc
import pandas as pd
import pytest
from messy import (
    ERROR_PAGE,
    NEWS_ITEM,
    RAW,
    REPORTS,
    docx_bytes,
    html_page,
    pdf_bytes,
    random_bytes,
    raw_bytes,
    raw_text,
    scanned_pdf_bytes,
    truncated,
)

import fazhi_lib as fz
from fazhi_lib import cli
from fazhi_lib.corpus import require_reports, select, summarise

ROOT = Path(__file__).resolve().parents[1]


def _big5_traditional(prefix: str) -> bytes:
    text = raw_text(prefix).replace("\xa0", " ").replace("•", "·")
    return opencc.OpenCC("s2tw").convert(text).encode("big5")


# file → (bytes, status, a phrase its parse_log message must contain)
MESSY = {
    "000 塘栖镇 2024年度报告.txt": (
        lambda: raw_bytes("000"),
        "ok",
        "also saved as 000 繁體.txt, 下载/000 saved page.html, 塘栖镇 的副本.txt",
    ),
    "塘栖镇 的副本.txt": (
        lambda: raw_bytes("000"),
        "duplicate",
        "duplicate: the same file as 000 塘栖镇 2024年度报告.txt; counted once",
    ),
    "下载/000 saved page.html": (
        lambda: html_page("000").encode("utf-8"),
        "duplicate",
        "the same report text as 000 塘栖镇 2024年度报告.txt (this copy: html, utf-8)",
    ),
    "000 繁體.txt": (
        lambda: _big5_traditional("000"),
        "duplicate",
        "another copy of the report in 000 塘栖镇 2024年度报告.txt (same issuer 塘栖镇 and year 2024; 99% of this copy's sentences are in it; this copy: txt, big5hkscs, traditional characters)",
    ),
    "001 湖塘街道.txt": (lambda: raw_text("001").encode("utf-8-sig"), "warning", "the body says it reports on 2023"),
    "001 utf16.txt": (
        lambda: raw_text("001").encode("utf-16"),
        "duplicate",
        "the same report text as 001 湖塘街道.txt (this copy: txt, utf-16)",
    ),
    "001 gb18030.txt": (
        lambda: raw_text("001").encode("gb18030"),
        "duplicate",
        "the same report text as 001 湖塘街道.txt (this copy: txt, gb18030)",
    ),
    "001 truncated.txt": (
        lambda: truncated("001").encode("utf-8"),
        "duplicate",
        "a shorter copy of the report in 001 湖塘街道.txt (same issuer 湖塘街道 and year 2024",
    ),
    # a warning: 云龙镇 numbers its chapters (一)(二)(四), and a heading gap is a report warning (issue 18)
    "网页/002 云龙镇.htm": (
        lambda: html_page("002", charset="gb2312").encode("gb18030"),
        "warning",
        "text encoding gb18030 (declared in the page)",
    ),
    "word/003 澧浦镇.docx": (lambda: docx_bytes("003", numbered_parts=True), "ok", ""),
    "pdf/004 上社镇.pdf": (lambda: pdf_bytes("004"), "warning", "no title found on the page"),
    "empty.txt": (lambda: b"", "error", "the file is empty (0 bytes)"),
    "blank.txt": (lambda: "\r\n \u3000\n".encode("utf-8"), "error", "the file contains only whitespace"),
    "random.txt": (lambda: random_bytes(), "error", "the file is not text in any encoding fazhi knows"),
    "scan 扫描件.pdf": (lambda: scanned_pdf_bytes(), "error", "the PDF has no text layer (2 pages: scanned images?)"),
    "404.html": (lambda: ERROR_PAGE.encode("utf-8"), "error", "not an annual rule-of-law report"),
    "news 新闻.txt": (
        lambda: NEWS_ITEM.encode("utf-8"),
        "error",
        "a news item, an error page or another document; not counted",
    ),
    "old report.doc": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "error", "an old Word .doc file"),
    "attachment.pdf": (lambda: ERROR_PAGE.encode("utf-8"), "error", "not a real .pdf file"),
    ".DS_Store": (lambda: b"\x00\x00\x00\x01Bud1", "skipped", "skipped"),
    "word/~$003 澧浦镇.docx": (lambda: b"\x05junk", "skipped", "skipped"),
    "__MACOSX/网页/._002 云龙镇.htm": (lambda: b"\x00\x05\x16\x07", "skipped", "skipped"),
}
PARSED = {
    "000 塘栖镇 2024年度报告.txt": "000",
    "001 湖塘街道.txt": "001",
    "网页/002 云龙镇.htm": "002",
    "word/003 澧浦镇.docx": "003",
    "pdf/004 上社镇.pdf": "004",
}


def make_messy_folder(root: Path) -> Path:
    for name, (data, _, _) in MESSY.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data())
    return root


@pytest.fixture(scope="module")
def messy_dir(tmp_path_factory) -> Path:
    return make_messy_folder(tmp_path_factory.mktemp("messy") / "我的 报告")


@pytest.fixture(scope="module")
def messy(messy_dir):
    return fz.build_corpus(messy_dir)


@pytest.fixture(scope="module")
def originals():
    return fz.build_corpus(RAW)


# ---------------------------------------------------------------- parse_log, file by file
def test_every_file_is_in_the_parse_log_once(messy, messy_dir):
    on_disk = sorted(p.relative_to(messy_dir).as_posix() for p in messy_dir.rglob("*") if p.is_file())
    assert sorted(messy.parse_log["source_file"]) == on_disk == sorted(MESSY)


@pytest.mark.parametrize("name", sorted(MESSY))
def test_parse_log_says_what_was_done(messy, name):
    _, status, phrase = MESSY[name]
    row = messy.parse_log.set_index("source_file").loc[name]
    assert row["status"] == status, row["messages"]
    assert phrase in row["messages"]


def test_summary_counts_add_up(messy):
    # 3 with warnings: 湖塘街道 (year), 上社镇 (no title) and 云龙镇 (a heading gap, a report warning since issue 18)
    s = summarise(messy.parse_log)
    assert (s.read, s.parsed, s.with_warnings, s.rejected, s.duplicates, s.skipped) == (22, 5, 3, 8, 6, 3)
    assert s.balanced and s.read == messy.manifest["n_files"]
    assert s.line() == "22 read, 5 parsed, 3 with warnings, 8 rejected, 6 duplicates, 3 skipped"


# ---------------------------------------------------------------- tables
def test_each_report_is_counted_once_in_every_table(messy):
    assert sorted(messy.reports["source_file"]) == sorted(PARSED)
    assert sorted(messy.reports["issuer"]) == sorted(["塘栖镇", "湖塘街道", "云龙镇", "澧浦镇", "上社镇"])
    kept = set(messy.reports["report_id"])
    for name, df in messy.tables.items():
        if "report_id" in df.columns and name != "parse_log":
            assert set(df["report_id"].dropna()) <= kept, name
    assert len(messy.texts) == 5
    assert messy.part_texts("problems")["issuer"].is_unique


def test_duplicates_and_rejected_files_have_no_rows(messy, messy_dir):
    log = messy.parse_log.set_index("source_file")
    kept_files = set(messy.reports["sha256"])
    for name in log.index[~log["status"].isin(["ok", "warning"])]:
        digest = hashlib.sha256((messy_dir / name).read_bytes()).hexdigest()
        if digest in kept_files:  # a byte-identical copy has the kept file's id, and no rows of its own
            assert log.loc[name, "status"] == "duplicate"
            continue
        rid = digest[:12]
        for table, df in messy.tables.items():
            if "report_id" in df.columns and table != "parse_log":
                assert rid not in set(df["report_id"]), (name, table)


@pytest.mark.parametrize("name", sorted(PARSED))
def test_tables_match_the_original_report(messy, originals, name):
    """Each kept copy, whatever its format and encoding, gives the original page's rows."""
    prefix = PARSED[name]
    got = messy.reports.set_index("source_file").loc[name]
    want = originals.reports.set_index("source_file").loc[REPORTS[prefix].name]
    for column in ("issuer", "issuer_full", "level", "report_year", "part_kinds", "missing_parts", "n_problem_items"):
        assert got[column] == want[column], column

    def items(c, rid):
        return c.problem_items[c.problem_items["report_id"] == rid]

    def squeeze(s):
        return ["".join(t.split()) for t in s]

    assert squeeze(items(messy, got["report_id"])["text"]) == squeeze(items(originals, want["report_id"])["text"])

    def text(c, rid):
        return c.texts.set_index("report_id").loc[rid, "text"]

    if (
        got["format"] == "pdf"
    ):  # a PDF keeps the words; where a sentence ended a wrapped line, the line break may differ
        assert "".join(text(messy, got["report_id"]).split()) == "".join(text(originals, want["report_id"]).split())
    else:
        assert text(messy, got["report_id"]) == text(originals, want["report_id"])


def test_formats_encodings_and_page_metadata_are_recorded(messy):
    r = messy.reports.set_index("source_file")
    assert r.loc["001 湖塘街道.txt", "encoding"] == "utf-8-sig"
    assert (r.loc["网页/002 云龙镇.htm", "format"], r.loc["网页/002 云龙镇.htm", "encoding"]) == ("html", "gb18030")
    assert (r.loc["网页/002 云龙镇.htm", "publish_date"], r.loc["网页/002 云龙镇.htm", "index_no"]) == (
        "2024-02-22",
        "002971679/2024-116407",
    )
    assert (r.loc["word/003 澧浦镇.docx", "format"], r.loc["pdf/004 上社镇.pdf", "format"]) == ("docx", "pdf")
    assert r["converted_from"].isna().all()


# ---------------------------------------------------------------- single bad reports that stay in
def test_truncated_report_is_kept_with_a_warning(tmp_path):
    (tmp_path / "002 cut.txt").write_text(truncated("002"), encoding="utf-8")
    c = fz.build_corpus(tmp_path)
    assert c.parse_log["status"].tolist() == ["warning"]
    assert "no problems part found" in c.parse_log["messages"].iloc[0]
    assert (
        c.reports["part_kinds"].iloc[0] == "achievements"
        and c.reports["missing_parts"].iloc[0] == "problems,duty,plan,other"
    )


def test_report_whose_parts_have_no_numbers(tmp_path):
    text = raw_text("003")
    for marker in ("一、主要举措与成效", "二、存在的不足", "三、2024年度主要工作"):
        text = text.replace(marker, marker[2:])
    (tmp_path / "unnumbered.txt").write_text(text, encoding="utf-8")
    c = fz.build_corpus(tmp_path)
    assert c.reports["part_kinds"].iloc[0] == "achievements,problems,plan"
    assert c.parts[c.parts["kind"] == "problems"]["heading"].tolist() == ["存在的不足"]
    assert len(c.problem_items) == 2


def test_very_large_file_is_rejected_quickly_and_the_build_goes_on(tmp_path):
    line = "某某村第{}号矛盾纠纷调解记录，涉及金额若干万元，已调解完毕。\n"
    (tmp_path / "台账 dump.txt").write_text(
        raw_text("003") + "".join(line.format(i) for i in range(1_000_000)), encoding="utf-8"
    )
    (tmp_path / "003.txt").write_bytes(raw_bytes("003"))
    size = (tmp_path / "台账 dump.txt").stat().st_size
    assert size > 60_000_000
    t0 = time.perf_counter()
    c = fz.build_corpus(tmp_path)
    assert time.perf_counter() - t0 < 30  # unbounded, the 60 MB file took 80 s and 3 GB
    log = c.parse_log.set_index("source_file")
    assert log.loc["台账 dump.txt", "status"] == "error"
    assert "far more than an annual report" in log.loc["台账 dump.txt", "messages"]
    assert log.loc["003.txt", "status"] == "ok"


def test_large_saved_page_with_inline_images(tmp_path):
    import base64

    image = base64.b64encode(random_bytes(15_000_000, seed=1)).decode()
    page = html_page("003").replace(
        "<div class='content' id='zoom'>", f"<div class='content' id='zoom'><img src='data:image/png;base64,{image}'>"
    )
    (tmp_path / "003 with images.html").write_text(page, encoding="utf-8")
    t0 = time.perf_counter()
    c = fz.build_corpus(tmp_path)
    assert time.perf_counter() - t0 < 30  # measured 1.4 s on an idle machine
    assert c.reports["issuer"].tolist() == ["澧浦镇"] and c.reports["n_problem_items"].tolist() == [2]


# ---------------------------------------------------------------- the command line
def test_cli_summary_line_and_strict(messy_dir, tmp_path, capsys):
    out = tmp_path / "out"
    args = [str(messy_dir), "--out", str(out), "--jobs", "1", "--cache", str(tmp_path / "cache"), "--quiet"]
    assert cli.main(["build", *args]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("22 read, 5 parsed, 3 with warnings, 8 rejected, 6 duplicates, 3 skipped -> ")
    assert any(line.split()[:2] == ["error", "empty.txt:"] for line in printed)
    assert any("duplicate" in line and "001 truncated.txt" in line for line in printed)
    assert cli.main(["build", *args, "--strict"]) == 1
    assert fz.load_corpus(out).reports["source_file"].tolist() == sorted(PARSED)


def test_cli_strict_passes_on_a_clean_folder(tmp_path, capsys):
    assert (
        cli.main(["build", str(RAW), "--out", str(tmp_path / "o"), "--jobs", "1", "--no-cache", "--quiet", "--strict"])
        == 0
    )
    assert capsys.readouterr().out.startswith("5 read, 5 parsed, 3 with warnings, 0 rejected, 0 duplicates, 0 skipped")


# ---------------------------------------------------------------- one clear sentence
def test_empty_selection_and_empty_corpus_name_the_choices(originals, tmp_path):
    with pytest.raises(
        fz.FazhiError, match=r"^`years` = \[1999\] selects no report; choose among: 2023, 2024, 2025\.$"
    ):
        select(originals, years=[1999])
    with pytest.raises(fz.FazhiError, match=r"^`levels` = 'town' is not valid; choose one of: township, subdistrict"):
        select(originals, levels="town")
    assert len(select(originals, years=[], levels=None).reports) == 5  # empty filters select everything
    with pytest.raises(fz.FazhiError, match="needs at least 2 reports; the selection has 1"):
        require_reports(originals.filter(levels="subdistrict"), at_least=2, what="the similarity heatmap")
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "empty.txt").write_bytes(b"")
    with pytest.raises(fz.FazhiError, match=r"^The corpus has no reports: of 1 files, 1 were rejected"):
        require_reports(fz.build_corpus(tmp_path / "raw"))
    (tmp_path / "none").mkdir()
    with pytest.raises(fz.FazhiError, match="no input files were found"):
        require_reports(fz.build_corpus(tmp_path / "none"))


# ---------------------------------------------------------------- interrupted builds
_SLOW_WRITE = """
import sys, time
from pathlib import Path
from fazhi_lib import cli, corpus

marker = Path(sys.argv[1])
real = corpus.write_table
def slow(*args, **kwargs):
    real(*args, **kwargs)
    marker.touch()          # a table of the new build is written, the others are not: now kill me
    time.sleep(120)
corpus.write_table = slow
sys.exit(cli.main(["build", sys.argv[2], "--out", sys.argv[3], "--jobs", "1", "--no-cache", "--quiet"]))
"""


def _snapshot(out: Path) -> dict[str, pd.DataFrame]:
    c = fz.load_corpus(out)
    return {name: c.tables[name] for name in ("reports", "parse_log", "problem_items")}


def test_build_killed_while_writing_leaves_the_previous_tables(tmp_path):
    new_input = tmp_path / "new"
    new_input.mkdir()
    (new_input / "003.txt").write_bytes(raw_bytes("003"))
    out = tmp_path / "processed"
    assert cli.main(["build", str(RAW), "--out", str(out), "--jobs", "1", "--no-cache", "--quiet"]) == 0
    before = _snapshot(out)
    marker = tmp_path / "writing"
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITE, str(marker), str(new_input), str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the build never started writing"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    after = _snapshot(out)  # the previous build's tables, complete
    for name, df in before.items():
        pd.testing.assert_frame_equal(after[name], df)
    assert sorted(p.name for p in out.glob("*.parquet")) == sorted(
        p.name for p in out.glob("*.parquet") if p.stat().st_size
    )
    # the half-written folder is beside the tables, never read as them; the next build replaces the tables
    # (the part files a build stages beside them, `.processed.staging-<pid>`, or the new folder)
    assert any(p.name.startswith((".processed.tmp-", ".processed.staging-")) for p in tmp_path.iterdir())
    assert cli.main(["build", str(new_input), "--out", str(out), "--jobs", "1", "--no-cache", "--quiet"]) == 0
    assert fz.load_corpus(out).reports["source_file"].tolist() == ["003.txt"]
    assert not any(p.name.startswith(".processed.staging-") for p in tmp_path.iterdir())  # removed


def test_build_killed_at_any_moment_leaves_readable_tables(tmp_path):
    """A real `fazhi build` killed at a few moments: the tables are the old ones or the new ones, never half."""
    out = tmp_path / "processed"
    assert cli.main(["build", str(RAW), "--out", str(out), "--jobs", "1", "--no-cache", "--quiet"]) == 0
    before = _snapshot(out)
    for delay in (1.0, 2.5):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fazhi_lib.cli",
                "build",
                str(RAW),
                "--out",
                str(out),
                "--jobs",
                "1",
                "--no-cache",
                "--quiet",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        after = _snapshot(out)
        for name, df in before.items():
            pd.testing.assert_frame_equal(after[name], df)
