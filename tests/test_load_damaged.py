"""Damaged and hostile input files (issue 15, load.py): a few bad bytes are replaced and counted, not a
rejected report; a .docx that inflates to hundreds of MB is refused from its ZIP directory before any
inflating; Word's tracked changes read as accepted; an unreadable folder is one `error` row."""

import io
import os
import time
import zipfile

import pytest
from messy import docx_bytes, raw_text, report_parts

import fazhi_lib as fz
from fazhi_lib import load
from fazhi_lib.clean import clean_page
from fazhi_lib.load import LoadError, read_bytes

TEXT = raw_text("000")


def _cut_mid_character(data: bytes) -> bytes:
    """The bytes cut inside the last multibyte UTF-8 character (as an interrupted download leaves them)."""
    i = len(data) - 1
    while not (0x80 <= data[i] < 0xC0 and data[i - 1] >= 0xE0):
        i -= 1
    return data[:i]


@pytest.mark.parametrize(
    "name, data, encoding, n_bad, n_marks",
    [
        ("UTF-8 cut mid-character", _cut_mid_character(TEXT.encode("utf-8")), "utf-8", 1, 1),
        ("UTF-8, two corrupt bytes inside", TEXT[:1000].encode() + b"\xff\xfe" + TEXT[1000:].encode(), "utf-8", 2, 2),
        ("UTF-16 (Notepad's Unicode) missing its last byte", TEXT.encode("utf-16")[:-1], "utf-16-le", 1, 1),
        ("UTF-16-BE without a mark, missing its last byte", TEXT.encode("utf-16-be")[:-1], "utf-16-be", 1, 1),
        ("GB18030 cut mid-character", TEXT.encode("gb18030")[:-1], "gb18030", 1, 1),
    ],
)
def test_a_few_bad_bytes_are_replaced_counted_and_warned(name, data, encoding, n_bad, n_marks):
    doc = read_bytes(data, path="report.txt")
    assert doc.encoding == encoding, name
    warning = (
        f"{n_bad} byte{'s' if n_bad > 1 else ''} could not be decoded as {encoding} and "
        f"{'were' if n_bad > 1 else 'was'} replaced by �: the file is damaged (cut short, or a "
        "few corrupt bytes); the rest was read"
    )
    assert doc.warnings == (warning,)
    assert doc.text.count("\ufffd") == n_marks
    # everything but the damaged character is the report's text
    clean = clean_page(doc.text).text.replace("\ufffd", "")
    assert len(clean) >= len(clean_page(TEXT).text) - 2


def test_a_damaged_file_is_parsed_with_status_warning(tmp_path):
    (tmp_path / "cut.txt").write_bytes(_cut_mid_character(TEXT.encode("utf-8")))
    log = fz.build_corpus(tmp_path).parse_log
    assert log["status"].tolist() == ["warning"]
    assert "1 byte could not be decoded as utf-8" in log["messages"].iloc[0]


@pytest.mark.parametrize("damage", [b"\xff" * 40, bytes(range(128, 256)) * 2])
def test_many_bad_bytes_are_still_an_error(damage):
    data = TEXT.encode()[:3000] + damage + TEXT.encode()[3000:]
    with pytest.raises(LoadError, match="not text in any encoding fazhi knows"):
        read_bytes(data, path="report.txt")


# ---------------------------------------------------------------- .docx: what it inflates to
def _bomb(member_size: int) -> bytes:
    """A Word package whose document part is padded with `member_size` bytes of spaces."""
    good = zipfile.ZipFile(io.BytesIO(docx_bytes("000")))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in good.infolist():
            z.writestr(info.filename, good.read(info.filename))
        with z.open("word/padding.xml", "w", force_zip64=True) as f:
            chunk = b" " * 2**20
            for _ in range(member_size // len(chunk)):
                f.write(chunk)
    return buf.getvalue()


def test_a_docx_that_inflates_to_hundreds_of_mb_is_refused_before_inflating():
    data = _bomb(300 * 2**20)
    assert len(data) < 2 * 2**20  # small on disk
    t0 = time.perf_counter()
    with pytest.raises(
        LoadError, match=r"the .docx file inflates to 30\d MB \(0.\d MB packed\), more than fazhi reads"
    ):
        read_bytes(data, path="bomb.docx")
    assert time.perf_counter() - t0 < 1.0  # refused from the ZIP directory, nothing inflated


def test_a_docx_part_packed_a_thousand_times_is_refused(monkeypatch):
    with pytest.raises(LoadError, match=r"the .docx part word/padding.xml inflates [\d,]+ times .* a compression bomb"):
        read_bytes(_bomb(20 * 2**20), path="bomb.docx")
    monkeypatch.setattr(load, "MAX_ZIP_RATIO", 10**6)  # the ratio guard alone was what refused it
    read_bytes(_bomb(20 * 2**20), path="bomb.docx")


def test_the_unzipped_limit_is_set_by_an_environment_variable(monkeypatch):
    monkeypatch.setenv("FAZHI_MAX_UNZIPPED_BYTES", "1000")
    with pytest.raises(LoadError, match="set FAZHI_MAX_UNZIPPED_BYTES to raise the limit"):
        read_bytes(docx_bytes("000"), path="report.docx")


# ---------------------------------------------------------------- .docx: tracked changes
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _tracked_docx() -> bytes:
    """The report's paragraphs, with a sentence inserted and a sentence deleted under tracked changes,
    an inserted run inside a hyperlink and a deleted table row."""
    import docx
    from docx.oxml import parse_xml

    _, title, body = report_parts("000")
    document = docx.Document()
    document.add_paragraph(title)
    for line in body[:6]:
        document.add_paragraph(line)
    p = document.add_paragraph("全年审查规范性文件")
    p._p.append(
        parse_xml(
            f'<w:ins {W} w:id="1" w:author="审核人" w:date="2024-03-01T00:00:00Z">'
            "<w:r><w:t>四十三件，</w:t></w:r></w:ins>"
        )
    )
    p._p.append(
        parse_xml(
            f'<w:del {W} w:id="2" w:author="审核人" w:date="2024-03-01T00:00:00Z">'
            "<w:r><w:delText>已删除的旧数字十二件，</w:delText></w:r></w:del>"
        )
    )
    p._p.append(parse_xml(f"<w:r {W}><w:t>纠正问题五个。</w:t></w:r>"))
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "行政复议", "十二件"
    table.cell(1, 0).text, table.cell(1, 1).text = "撤回的一行", "九件"
    table.rows[1]._tr.get_or_add_trPr().append(parse_xml(f'<w:del {W} w:id="3" w:author="a"/>'))
    cell_p = table.cell(0, 1).paragraphs[0]._p
    cell_p.append(parse_xml(f'<w:ins {W} w:id="4" w:author="a"><w:r><w:t>（含调解）</w:t></w:r></w:ins>'))
    for line in body[6:]:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_word_tracked_changes_read_as_accepted():
    doc = read_bytes(_tracked_docx(), path="tracked.docx")
    assert "全年审查规范性文件四十三件，纠正问题五个。" in doc.text.split("\n")
    assert "已删除的旧数字" not in doc.text
    assert "行政复议 十二件（含调解）" in doc.text.split("\n")
    assert "撤回的一行" not in doc.text
    assert "Word tracked changes read as accepted: 2 insertions kept, 2 deletions left out" in doc.notes


# ---------------------------------------------------------------- folders that cannot be read
def _unreadable(tmp_path, monkeypatch, folder):
    """chmod 000 on `folder`; as root (who reads it anyway) the walk is made to fail the same way."""
    folder.chmod(0)
    if os.geteuid() == 0:
        real = os.scandir

        def scandir(path="."):
            if os.path.abspath(path) == str(folder):
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_subfolder_is_one_error_row(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    (raw / "2024" / "locked").mkdir(parents=True)
    (raw / "a.txt").write_text(TEXT, encoding="utf-8")
    (raw / "2024" / "locked" / "b.txt").write_text(TEXT, encoding="utf-8")
    try:
        _unreadable(tmp_path, monkeypatch, raw / "2024" / "locked")
        files, unreadable = load.walk_input_folder(raw)
        assert [f.relative_to(raw).as_posix() for f in files] == ["a.txt"]
        assert [u.folder for u in unreadable] == ["2024/locked"]
        corpus = fz.build_corpus(raw)
    finally:
        (raw / "2024" / "locked").chmod(0o755)
    log = corpus.parse_log.set_index("source_file")
    assert log.loc["2024/locked/", "status"] == "error"
    assert log.loc["2024/locked/", "messages"].startswith("the folder could not be read (permission denied)")
    assert log.loc["a.txt", "status"] in ("ok", "warning")
    assert corpus.manifest["n_files"] == len(log) == 2
    assert fz.summarise(corpus.parse_log).rejected == 1
