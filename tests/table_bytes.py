"""Two fixed corpora whose tables must come out byte for byte the same after a change that means to
keep every table, column and value (a refactor): the embedded reports (`data/raw`) and a varied one
(synthetic reports from bench/synthetic.py plus saved web pages, GBK and Big5 text, Word and PDF
attachments, a copy in another format, a truncated copy, a news item, an error page and junk).

`test_table_bytes.py` builds both and compares, table by table, the sha256 of the CSV bytes
`corpus.write_table` writes and the column dtypes, with `tests/fixtures/table_digests.json`: of the
tables `build_corpus` gives, and (`*-readback`) of the tables `load_corpus` reads back from the folder
`fazhi build` wrote (issue 22: the part-file layout reads back the values of the one-file layout).
That file was written by the build of the commit before the refactor (d4c772d). After a change
that means to change the tables, write it again and say so in the commit:

    .venv/bin/python tests/table_bytes.py --write

Only names that old and new fazhi share are used here (`build_corpus`, `corpus.write_table`), so the
same script writes the reference from an older checkout (`PYTHONPATH=OLD_CHECKOUT python tests/table_bytes.py`).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "table_digests.json"
N_SYNTHETIC = 12
CORPORA = ("embedded", "varied", "embedded-readback", "varied-readback")


def make_varied(folder: Path) -> Path:
    """The varied corpus in `folder/raw`, the same bytes every time (the PDF's date and id fixed)."""
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT / "tests"))
    import messy
    import opencc
    from synthetic import write_corpus

    raw = write_corpus(N_SYNTHETIC, folder=folder, raw_dir=ROOT / "data" / "raw")
    for p in sorted((ROOT / "data" / "raw").glob("*.txt")):
        shutil.copy(p, raw / p.name)
    sub = raw / "2023" / "web"
    sub.mkdir(parents=True)
    (sub / "000_page.html").write_text(messy.html_page("000"), encoding="utf-8")
    (sub / "001_old_site.htm").write_bytes(messy.html_page("001", charset="gbk", layout="table").encode("gb18030"))
    (raw / "2023" / "002_gbk.txt").write_bytes(messy.raw_text("002").encode("gb18030"))
    (raw / "2023" / "003_big5.txt").write_bytes(
        opencc.OpenCC("s2tw").convert(messy.raw_text("003")).encode("big5", "replace")
    )
    (raw / "2023" / "004_attachment.docx").write_bytes(_fixed_dates(messy.docx_bytes("004", numbered_parts=True)))
    pdf = re.sub(rb"/CreationDate \(D:[^)]*\)", b"/CreationDate (D:20250101000000Z)", messy.pdf_bytes("001"))
    pdf = re.sub(rb"/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"/ID [<%s><%s>]" % (b"0" * 32, b"0" * 32), pdf)
    (raw / "2023" / "001_attachment.pdf").write_bytes(pdf)
    (raw / "2023" / "002_truncated.txt").write_text(messy.truncated("002"), encoding="utf-8")
    (raw / "news.txt").write_text(messy.NEWS_ITEM, encoding="utf-8")
    (raw / "404.html").write_text(messy.ERROR_PAGE, encoding="utf-8")
    (raw / "junk.bin").write_bytes(messy.random_bytes())
    (raw / "empty.txt").write_bytes(b"")
    return raw


def _fixed_dates(docx: bytes) -> bytes:
    """The Word file with every zip member dated 2025-01-01 (python-docx stamps the time of saving)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0)), src.read(info))
    return out.getvalue()


def table_digests(raw: Path) -> dict[str, dict[str, str]]:
    """table name → {"csv": sha256 of its CSV bytes, "dtypes": its columns and dtypes}."""
    import fazhi_lib

    return _digests(fazhi_lib.build_corpus(raw).tables)


def _digests(tables: dict) -> dict[str, dict[str, str]]:
    from fazhi_lib.corpus import write_table

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, df in sorted(tables.items()):
            write_table(df, Path(tmp) / name)
            data = (Path(tmp) / f"{name}.csv").read_bytes()
            out[name] = {
                "csv": hashlib.sha256(data).hexdigest(),
                "dtypes": ", ".join(f"{c}:{t}" for c, t in df.dtypes.astype(str).items()),
            }
    return out


def readback_digests(raw: Path) -> dict[str, dict[str, str]]:
    """The tables as a user reads them: `fazhi build RAW --out OUT --no-cache`, then `load_corpus(OUT)`
    (whatever the folder's layout: one file a table, or part files), digested as `table_digests` does."""
    import contextlib
    import io
    import os

    from fazhi_lib.cli import main as fazhi
    from fazhi_lib.corpus import load_corpus

    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # no data/places_map.csv here, as for build_corpus
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                code = fazhi(["build", str(raw), "--out", str(Path(tmp) / "out"), "--no-cache", "--quiet"])
        finally:
            os.chdir(here)
        assert code == 0, f"fazhi build exited {code}"
        return _digests(load_corpus(Path(tmp) / "out").tables)


def corpus_digests(which: str, tmp: Path) -> dict[str, dict[str, str]]:
    digests = readback_digests if which.endswith("-readback") else table_digests
    if which.startswith("embedded"):
        return digests(ROOT / "data" / "raw")
    return digests(make_varied(tmp))


def main(argv: list[str]) -> int:
    result = {}
    for which in CORPORA:
        with tempfile.TemporaryDirectory(prefix="fazhi-table-bytes-") as tmp:
            result[which] = corpus_digests(which, Path(tmp))
    text = json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if "--write" in argv:
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        FIXTURE.write_text(text, encoding="utf-8")
        print(f"wrote {FIXTURE}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
