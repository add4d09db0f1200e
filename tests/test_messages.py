"""The parser's messages on a Chinese page (messages.py, rules/messages.yaml): every message three built
corpora produce has a Chinese translation; templates with their values, several messages in a cell,
unknown messages kept, English unchanged; every warning written in the source has a catalogue entry."""

import ast
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from messy import html_page, raw_text, scanned_pdf_bytes
from table_bytes import make_varied

import fazhi_lib as fz
from fazhi_lib import load, messages, meta_reader, profile, vocab

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT.parent / "shared" / "devset" / "reports"
CJK = re.compile(r"[\u4e00-\u9fff]")


def distinct_messages(corpus) -> set[str]:
    """Every whole message of the parse log and of `reports.warnings`: each cell translated piece by piece
    is checked through `translate`, so here a cell is split the way translate splits it."""
    cells = [*corpus.parse_log["messages"].dropna(), *corpus.reports["warnings"].dropna()]
    return {c for c in cells if c}


def untranslated(cells: set[str]) -> list[str]:
    """The messages of `cells` a Chinese page would show in English: the "；"-joined pieces of the
    translation with no Chinese character outside the values the message quotes from the report."""
    out = []
    for cell in sorted(cells):
        zh = messages.translate(cell, "zh")
        if zh == cell and not CJK.search(cell):
            out.append(cell)
            continue
        for piece in zh.split(messages.ZH_SEPARATOR):
            if piece in cell.split(messages.SEPARATOR) or not CJK.search(piece):  # left as it was
                out.append(piece)
    return sorted(set(out))


def hostile_folder(folder: Path) -> Path:
    """Files a researcher's download folder holds besides reports: each gives a skip reason, a refusal or
    a warning of load.py (a cut download, a scan, Word's lock file, a page saved as .pdf, …)."""
    from test_load_damaged import _tracked_docx

    text = raw_text("000")
    (folder / "__MACOSX").mkdir(parents=True)
    (folder / "__MACOSX" / "._a.txt").write_bytes(b"\x00\x05")
    (folder / ".cache").mkdir()
    (folder / ".cache" / "a.txt").write_text(text, encoding="utf-8")
    for name in ("~$report.docx", ".~lock.report.docx#", ".hidden.txt", "Thumbs.db", "report.txt~"):
        (folder / name).write_bytes(b"x")
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "noext").write_bytes(b"x")
    (folder / "blank.txt").write_bytes(b" \n\t\n")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "cut.txt").write_bytes(raw_text("003").encode("utf-8")[:-1])  # (not 000: tracked.docx is 000)
    (folder / "scan.pdf").write_bytes(scanned_pdf_bytes(1))
    (folder / "saved_page.pdf").write_text(html_page("001"), encoding="utf-8")
    (folder / "page_as_text.txt").write_text(html_page("002"), encoding="utf-8")
    (folder / "tracked.docx").write_bytes(_tracked_docx())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("data.csv", "a,b\n1,2\n")
    (folder / "archive.pdf").write_bytes(buf.getvalue())
    (folder / "not_word.docx").write_bytes(buf.getvalue())
    (folder / "english.txt").write_text(
        "湖南省人民政府关于2024年度法治政府建设情况的报告\n" + "An English summary of the report. " * 40,
        encoding="utf-8",
    )
    (folder / "latin.txt").write_text("An English page about nothing. " * 40, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built_messages(corpus, tmp_path_factory) -> dict[str, set[str]]:
    """corpus name → its distinct message cells: the embedded reports, the varied corpus of
    tests/table_bytes.py, the hostile folder above, and the devset when present."""
    tmp = tmp_path_factory.mktemp("messages")
    out = {"embedded": distinct_messages(corpus)}
    out["varied"] = distinct_messages(fz.build_corpus(make_varied(tmp / "varied")))
    out["hostile"] = distinct_messages(fz.build_corpus(hostile_folder(tmp / "hostile")))
    if DEVSET.is_dir():
        out["devset"] = distinct_messages(fz.build_corpus(DEVSET))
    return out


# ------------------------------------------------------------------ coverage: every message built
@pytest.mark.slow
@pytest.mark.parametrize("name", ["embedded", "varied", "hostile", "devset"])
def test_every_message_of_a_built_corpus_is_translated(built_messages, name):
    if name not in built_messages:
        pytest.skip(f"{DEVSET} is absent (the shared development set of real reports)")
    cells = built_messages[name]
    assert cells, f"the {name} corpus gave no message at all: the test would prove nothing"
    missing = untranslated(cells)
    assert not missing, f"{len(missing)} message(s) of the {name} corpus have no entry in rules/messages.yaml:\n" + (
        "\n".join(missing)
    )


@pytest.mark.slow
def test_the_hostile_folder_reaches_the_load_messages(built_messages):
    joined = "\n".join(built_messages["hostile"])
    for start in (
        "macOS archive metadata",
        "inside the hidden folder",
        "a Word lock file",
        "a LibreOffice lock file",
        "a hidden file",
        "a Windows system file",
        "an editor backup file",
        "unsupported file type '.doc': an old Word",
        "unsupported file type '(none)'",
        "the file is empty",
        "the file contains only whitespace",
        "could not be decoded as utf-8",
        "the PDF has no text layer",
        "the file is not a real .pdf file",
        "the file is HTML, not what its extension '.txt' says",
        "Word tracked changes read as accepted",
        "the file is a ZIP archive",
        "the .docx file is damaged or is not a Word document",
        "is mostly in another language",
        "has almost no Chinese characters",
    ):
        assert start in joined, start


# ------------------------------------------------------------------ templates, values, cells
@pytest.mark.parametrize(
    "message, zh",
    [
        (
            "heading numbers skip: expected 2 before '3.培育基层法治力量'",
            "标题序号不连续：在“3.培育基层法治力量”之前应有第 2 项",
        ),
        (
            "report year 2021 taken from the body statement (no year in a title)",
            "报告年度 2021 取自正文的表述（标题中没有年份）",
        ),
        (
            "issuer not named: the first sentence says '我局' (level department kept)",
            "没有写出发布机关：第一句中写作“我局”（保留层级“部门”）",
        ),
        (
            "part heading '(一)总体情况' names no part; taken as plan",
            "部分标题“(一)总体情况”没有指明是哪一部分；按“下一年度工作打算”处理",
        ),
        (
            "3 bytes could not be decoded as gb18030 and were replaced by �: the file is damaged (cut short, "
            "or a few corrupt bytes); the rest was read",
            "3 个字节无法按 gb18030 解码，已替换为 �：文件已损坏（被截断，或有少量损坏的字节）；其余部分已读入",
        ),
        ("the PDF's text contains only whitespace", "PDF 的文本只有空白字符"),
        (
            "duplicate: the same report text as a/<b>x</b>.txt (this copy: txt, big5hkscs, traditional characters); "
            "counted once",
            "重复：与 a/<b>x</b>.txt 的报告文本相同（本份：txt, big5hkscs，繁体字）；只计一次",
        ),
        ("report printed twice; second copy dropped", "报告重复印了两遍；已删去第二遍"),
    ],
)
def test_a_template_fills_in_its_values(message, zh):
    assert messages.translate(message) == zh


def test_several_messages_in_one_cell_each_translated_unknown_kept_whole():
    cell = (
        "no title found on the page; report printed twice; second copy dropped; "
        "a warning added tomorrow; with a semicolon; no issuer found"
    )
    assert messages.translate(cell) == (
        "页面上没有找到标题；报告重复印了两遍；已删去第二遍；a warning added tomorrow；with a semicolon；没有找到发布机关"
    )


def test_a_message_holding_the_separator_is_not_split_and_one_quoting_it_is():
    # a line of the report that holds "; " stays inside its message …
    line = "unrecognised line before the report body kept in the preamble: 甲; 乙"
    assert messages.translate(line) == "正文前未能识别的一行保留在开头部分：甲; 乙"
    # … but a known message after it is not swallowed by the line's `.*`
    assert messages.translate(line + "; no issuer found").endswith("甲; 乙；没有找到发布机关")
    assert messages.translate("unrecognised line before the report body kept in the preamble: 甲; no issuer found") == (
        "正文前未能识别的一行保留在开头部分：甲；没有找到发布机关"
    )


def test_unknown_value_of_a_term_leaves_the_message_in_english():
    msg = "report year 2024 taken from the footnote (no year in a title)"
    assert messages.translate(msg) == msg
    assert messages.translate_one(msg) is None


@pytest.mark.parametrize("cell", ["no title found on the page", "", None, float("nan"), "anything; at all"])
def test_english_is_the_identity(cell):
    out = messages.translate(cell, "en")
    assert out is cell or (out != out and cell != cell)


def test_lang_is_checked():
    with pytest.raises(fz.FazhiError, match="`lang` = 'fr' is not valid"):
        messages.translate("no issuer found", "fr")


def test_values_stay_escaped_in_the_rendered_table():
    log = pd.DataFrame(
        {
            "source_file": ["<b>x</b>.txt"],
            "status": ["duplicate"],
            "messages": ["duplicate: the same file as <script>alert(1)</script>.txt; counted once"],
        }
    )
    html = vocab.view(log, "zh").to_html()
    assert "重复：与 &lt;script&gt;alert(1)&lt;/script&gt;.txt 是同一个文件；只计一次" in html
    assert "<script>" not in html and "<b>" not in html
    assert "duplicate: the same file" in vocab.view(log, "en").to_html()


def test_localise_translates_the_message_columns_only_and_keeps_the_input():
    df = pd.DataFrame(
        {"messages": ["no issuer found"], "warnings": ["no title found on the page"], "title": ["no issuer found"]}
    )
    out = messages.localise(df)
    assert out.to_dict("records") == [
        {"messages": "没有找到发布机关", "warnings": "页面上没有找到标题", "title": "no issuer found"}
    ]
    assert df["messages"].iloc[0] == "no issuer found"
    assert messages.localise(df, "en").equals(df)


def test_the_profile_shows_the_warnings_in_the_page_language(corpus):
    warned = corpus.reports[corpus.reports["warnings"].fillna("") != ""]
    assert not warned.empty, "the embedded corpus has a report with warnings"
    rid, stored = warned["report_id"].iloc[0], warned["warnings"].iloc[0]
    zh = profile.metadata_table(corpus, rid, "zh").set_index("field")["value"]["warnings"]
    en = profile.metadata_table(corpus, rid, "en").set_index("field")["value"]["warnings"]
    assert en == stored and zh == messages.translate(stored) and zh != stored and CJK.search(zh)


# ------------------------------------------------------------------ the catalogue itself
def test_entries_have_unique_ids_and_templates_use_only_their_groups():
    entries = messages.catalogue()
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids)) and len(ids) >= 60
    for e in entries:
        assert CJK.search(e.zh), e.id
        for group in e.terms:
            assert group in e.pattern.groupindex, (e.id, group)


def test_part_kinds_and_levels_in_messages_read_as_vocab_labels_them():
    from fazhi_lib.rules import load_rules
    from fazhi_lib.sections import SECTION_KINDS

    rules = load_rules("messages")
    assert set(SECTION_KINDS) <= set(rules["part"])
    for kind in ("part", "level"):
        assert rules[kind] == {code: vocab.label(kind, code) for code in rules[kind]}, kind
    assert messages.LANGS == vocab.LANGS


def test_the_terms_cover_the_words_the_source_puts_in_a_message():
    by_id = {e.id: e for e in messages.catalogue()}
    assert set(load.UNSUPPORTED_HINTS.values()) <= set(by_id["unsupported_with_hint"].terms["hint"])
    for entry in ("issuer_completed", "issuer_partly_named", "issuer_not_named"):
        assert set(meta_reader._SOURCE_WORD.values()) <= set(by_id[entry].terms["source"])


# ------------------------------------------------------------------ every warning of the source has an entry
# where the parser writes messages that reach parse_log.messages / reports.warnings
PRODUCERS = (
    "load.py",
    "clean.py",
    "sections.py",
    "parse.py",
    "meta_reader.py",
    "pipeline/worker.py",
    "pipeline/assemble.py",
)
COLLECTORS = {"warnings", "messages", "notes"}  # lists a message is appended to
CALLS = {"LoadError", "UnreadableFolder", "log_only"}  # a message passed to one of these
ASSIGNED = {"msg", "also", "note", "message"}  # a message built in a variable first
RETURNING = {"skip_reason", "check_text", "not_a_report"}  # functions that return a message
META_KEYS = {"tracked_changes", "layout_reader"}  # load.py: a message kept in the document's metadata first


def _strings(node) -> list:
    """The string and f-string literals of an expression (an f-string is one template: not entered)."""
    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return [node]
    if isinstance(node, ast.Subscript):  # meta["tracked_changes"]: the key is no message
        return _strings(node.value)
    return [s for child in ast.iter_child_nodes(node) for s in _strings(child)]


def message_templates(source: str) -> list[list[str]]:
    """The literal parts of each message template of a module: for `f"report year {year} taken from …"`,
    ['report year ', ' taken from …']."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if (
                isinstance(f, ast.Attribute)
                and f.attr in ("append", "extend")
                and getattr(f.value, "id", "") in COLLECTORS
            ):
                found += [s for a in node.args for s in _strings(a)]
            elif getattr(f, "id", None) in CALLS:  # log_only(source_file, report_id, status, message)
                args = node.args[3:] if f.id == "log_only" else node.args
                found += [s for a in args for s in _strings(a)]
        elif isinstance(node, ast.Assign):
            names = {getattr(t, "id", None) for t in node.targets}
            keys = {
                t.slice.value
                for t in node.targets
                if isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant)
            }
            if names & ASSIGNED or keys & META_KEYS:
                found += _strings(node.value)
        elif isinstance(node, ast.FunctionDef) and node.name in RETURNING:
            found += [s for r in ast.walk(node) if isinstance(r, ast.Return) and r.value for s in _strings(r.value)]
    out = []
    for s in found:
        parts = (
            [v.value for v in s.values if isinstance(v, ast.Constant)] if isinstance(s, ast.JoinedStr) else [s.value]
        )
        out.append([p for p in parts if isinstance(p, str)])
    return out


def without_templates_in_catalogue(templates: list[list[str]]) -> list[str]:
    """The templates no catalogue entry holds every literal part of (of 10+ characters; of a template
    with none that long, every part of 5+ characters)."""
    patterns = [re.sub(r"\\(.)", r"\1", e.pattern.pattern) for e in messages.catalogue()]
    missing = []
    for parts in templates:
        long = [p.strip() for p in parts if len(p.strip()) >= 10] or [p.strip() for p in parts if len(p.strip()) >= 5]
        if long and not any(all(p in pattern for p in long) for pattern in patterns):
            missing.append(" … ".join(long))
    return missing


def test_the_source_scan_finds_the_templates_and_a_new_one():
    templates = [t for f in PRODUCERS for t in message_templates((ROOT / "fazhi_lib" / f).read_text(encoding="utf-8"))]
    flat = ["".join(parts) for parts in templates]
    assert len(templates) >= 60
    for known in (
        "no title found on the page",
        "the PDF is password-protected; save an unprotected copy",
        "no issuer found",
    ):
        assert known in flat
    assert ["issuer '", "' taken from the body text (no title or publisher names it)"] in templates
    new = "def f():\n    warnings.append(f'the report names {n} unknown courts of appeal')\n"
    assert without_templates_in_catalogue(message_templates(new)) == ["the report names … unknown courts of appeal"]


def test_every_warning_template_of_the_source_has_a_catalogue_entry():
    missing = {}
    for f in PRODUCERS:
        templates = message_templates((ROOT / "fazhi_lib" / f).read_text(encoding="utf-8"))
        missing |= {m: f for m in without_templates_in_catalogue(templates)}
    assert not missing, "messages written in the source without an entry in rules/messages.yaml:\n" + "\n".join(
        f"{f}: {m}" for m, f in missing.items()
    )
