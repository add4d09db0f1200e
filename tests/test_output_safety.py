"""What fazhi renders and deletes when its inputs are hostile (issue 15): markup in a report's title or
file name stays text in the shared HTML; a stale or crafted reports/index.json, a report_id or an
`--out` of the wrong kind never makes `fazhi report` delete or write outside its own folder."""

import json
import shutil

import lxml.html
import nbformat
import pandas as pd
import pytest
from conftest import RAW, ROOT
from nbformat.v4 import new_code_cell, new_notebook, new_output

import fazhi_lib as fz
from fazhi_lib import FazhiError, profile
from fazhi_lib import report as rp
from fazhi_lib.cli import main
from fazhi_lib.kwic import kwic_html
from fazhi_lib.vocab import view

XSS_NAME = "<img src=x onerror=alert(1)>.txt"
XSS_TITLE = "<script>alert('title')</script>某县2024年法治政府建设年度报告[点此](javascript:alert(2))"


def _live_markup(page: str, baseline: str) -> list[str]:
    """Elements and attributes in `page` that could run code and are not in `baseline` (the same page
    rendered from harmless strings: nbconvert's template has scripts and handlers of its own)."""

    def found(text):
        doc = lxml.html.document_fromstring(text)
        out = [f"<script>{(el.text or '')[:40]}" for el in doc.iter("script")]
        out += [
            f"{el.tag} {name}"
            for el in doc.iter()
            if isinstance(el.tag, str)
            for name in el.attrib
            if name.lower().startswith("on")
        ]
        out += [
            f"a href={el.get('href')}"
            for el in doc.iter("a")
            if (el.get("href") or "").lower().startswith("javascript")
        ]
        out += [f"img src={el.get('src')}" for el in doc.iter("img") if el.get("src") == "x"]
        return out

    before = found(baseline)
    return [m for m in found(page) if m not in before or found(page).count(m) > before.count(m)]


@pytest.fixture(scope="module")
def hostile_corpus(tmp_path_factory):
    """One embedded report saved under a file name that is an HTML tag; its title then set to markup
    (the cleaner would not take such a line for a title, but a page's <title> or a crafted table can)."""
    raw = tmp_path_factory.mktemp("raw")
    shutil.copy(min(RAW.glob("*.txt")), raw / XSS_NAME)
    corpus = fz.build_corpus(raw)
    assert corpus.reports["source_file"].tolist() == [XSS_NAME]
    return corpus


def _html_of_outputs(tmp_path, markdowns: list[str], name: str) -> str:
    nb = new_notebook(
        cells=[
            new_code_cell(
                "display(...)", outputs=[new_output("display_data", data={"text/markdown": m}) for m in markdowns]
            )
        ]
    )
    nb.cells[0]["id"] = "c0"
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, str(path))
    return rp._HtmlWriter().write(path, tmp_path / f"{name}.html").read_text(encoding="utf-8")


def _table_script() -> str:
    return lxml.html.fragment_fromstring(rp.table_assets(), create_parent="div").find("script").text.strip()


def _html_of_html_outputs(tmp_path, htmls: list[str], name: str) -> str:
    nb = new_notebook(
        cells=[
            new_code_cell("display(...)", outputs=[new_output("display_data", data={"text/html": h}) for h in htmls])
        ]
    )
    nb.cells[0]["id"] = "c0"
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, str(path))
    return rp._HtmlWriter().write(path, tmp_path / f"{name}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("n_rows", [3, 40])  # a plain table and a long, sortable one
def test_a_table_of_hostile_cells_and_column_names_shows_them_as_text(tmp_path, n_rows):
    bad = "<img src=x onerror=alert(1)>"
    hostile = pd.DataFrame({bad: [bad] * n_rows, "issuer": ["<script>alert(1)</script>"] * n_rows})
    harmless = pd.DataFrame({"x": ["img"] * n_rows, "issuer": ["某县"] * n_rows})
    page = _html_of_html_outputs(tmp_path, [view(hostile).to_html()], "hostile")
    baseline = _html_of_html_outputs(tmp_path, [view(harmless).to_html()], "plain")
    assert _live_markup(page, baseline) == []
    doc = lxml.html.document_fromstring(page)
    assert [th.text_content() for th in doc.iter("th")] == [bad, "发布机关"]
    assert [td.text_content() for td in doc.iter("td")].count(bad) == n_rows  # every row, as text
    assert bool(doc.xpath("//*[@data-fazhi-sortable]")) == (n_rows > 15)


def test_profile_of_a_report_with_script_in_title_and_file_name_has_no_live_markup(hostile_corpus, tmp_path):
    corpus = hostile_corpus
    rid = corpus.reports["report_id"].iloc[0]
    corpus.reports.loc[:, "title"] = XSS_TITLE
    heading = profile.heading_markdown(corpus, rid)
    page = _html_of_outputs(tmp_path, [heading], "hostile")
    corpus.reports.loc[:, ["title", "source_file"]] = ["某县2024年法治政府建设年度报告", "a.txt"]
    baseline = _html_of_outputs(tmp_path, [profile.heading_markdown(corpus, rid)], "plain")
    assert _live_markup(page, baseline) == []
    text = lxml.html.document_fromstring(page).text_content()
    assert "<script>alert('title')</script>某县2024年" in text  # shown as the text it is
    assert XSS_NAME in text and "[点此](javascript:alert(2))" in text


def test_markdown_a_notebook_forgot_to_escape_is_still_shown_as_text(tmp_path):
    page = _html_of_outputs(
        tmp_path, [("**<img src=x onerror=alert(1)>** <script>alert(1)</script> [go](javascript:alert(3))")], "raw"
    )
    baseline = _html_of_outputs(tmp_path, ["**plain** text [go](https://example.org)"], "plain")
    assert _live_markup(page, baseline) == []
    assert "<img src=x onerror=alert(1)>" in lxml.html.document_fromstring(page).text_content()


def test_profile_without_a_title_says_so_instead_of_nan(hostile_corpus):
    corpus = hostile_corpus
    rid = corpus.reports["report_id"].iloc[0]
    corpus.reports.loc[:, "title"] = float("nan")
    heading = profile.heading_markdown(corpus, rid)
    assert "nan" not in heading.lower() and "**（页面上没有标题）**" in heading
    assert "**(no title on the page)**" in profile.heading_markdown(corpus, rid, "en")


def test_kwic_table_shows_report_text_as_text():
    table = pd.DataFrame(
        [
            {
                "report_id": "r",
                "issuer": "<b onmouseover=alert(1)>某县</b>",
                "report_year": 2024,
                "part": "problems",
                "start": 0,
                "left": "<script>alert(1)</script>",
                "match": "审查",
                "right": "<img src=x onerror=alert(1)>",
            }
        ]
    )
    page = f"<html><body>{kwic_html(table).to_html()}</body></html>"
    assert _live_markup(page, "<html><body></body></html>") == []
    assert "<script>alert(1)</script>" in lxml.html.document_fromstring(page).text_content()


def test_index_page_escapes_labels_errors_and_parameters(tmp_path, processed_dir):
    r = rp.RenderResult(
        "04_report_profile.ipynb",
        None,
        tmp_path / "profiles/x.html",
        {"report_id": "<script>alert(1)</script>"},
        False,
        "<img src=x onerror=alert(1)>",
        stem="profiles/x",
        label="<script>alert(2)</script> 2024",
        group="profile",
    )
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles/x.html").write_text("x")
    page = rp.write_index([r], tmp_path, processed_dir).read_text(encoding="utf-8")
    assert _live_markup(page, rp.index_html({**json.loads((tmp_path / "index.json").read_text()), "outputs": []})) == []


# ------------------------------------------------------------------ fazhi report: what it deletes and writes
def _planted(tmp_path):
    """A researcher's files beside the reports folder, that a crafted index.json names."""
    paper = tmp_path / "paper"
    paper.mkdir()
    (paper / "draft.html").write_text("my draft", encoding="utf-8")
    (paper / "notes.ipynb").write_text("{}", encoding="utf-8")
    return paper


@pytest.mark.parametrize("how", ["relative", "absolute", "symlink"])
def test_a_crafted_index_json_deletes_nothing_outside_the_reports_folder(tmp_path, processed_dir, how, capsys):
    paper = _planted(tmp_path)
    out = tmp_path / "reports"
    out.mkdir()
    if how == "relative":
        html, ipynb = "../paper/draft.html", "../paper/notes.ipynb"
    elif how == "absolute":
        html, ipynb = str(paper / "draft.html"), str(paper / "notes.ipynb")
    else:  # a link inside the folder that points out of it
        (out / "old.html").symlink_to(paper / "draft.html")
        html, ipynb = "old.html", None
    (out / "index.json").write_text(
        json.dumps(
            {
                "outputs": [
                    {
                        "notebook": "09_gone.ipynb",
                        "stem": "gone",
                        "html": html,
                        "ipynb": ipynb,
                        "ok": True,
                        "parameters": {},
                    }
                ]
            }
        )
    )
    rp.write_index([], out, processed_dir, replace_all=True)  # a full run: stale entries' files are removed
    assert (paper / "draft.html").read_text(encoding="utf-8") == "my draft"
    assert (paper / "notes.ipynb").exists()
    assert "outside the reports folder" in capsys.readouterr().err
    assert json.loads((out / "index.json").read_text())["outputs"] == []


def test_a_stale_index_json_still_removes_its_own_old_outputs(tmp_path, processed_dir):
    out = tmp_path / "reports"
    (out / "profiles").mkdir(parents=True)
    for name in ("profiles/old.html", "profiles/old.ipynb", "keep.txt"):
        (out / name).write_text("x")
    (out / "index.json").write_text(
        json.dumps(
            {
                "outputs": [
                    {
                        "notebook": "04.ipynb",
                        "stem": "profiles/old",
                        "html": "profiles/old.html",
                        "ipynb": "profiles/old.ipynb",
                        "ok": True,
                        "parameters": {},
                    }
                ]
            }
        )
    )
    rp.write_index([], out, processed_dir, replace_all=True)
    assert not (out / "profiles/old.html").exists() and not (out / "profiles/old.ipynb").exists()
    assert (out / "keep.txt").exists()  # never named by index.json: not fazhi's to delete


def test_an_index_entry_naming_a_file_of_another_kind_is_not_deleted(tmp_path, processed_dir, capsys):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "data.parquet").write_text("x")
    (out / "index.json").write_text(
        json.dumps(
            {"outputs": [{"notebook": "a.ipynb", "stem": "a", "html": "data.parquet", "ok": True, "parameters": {}}]}
        )
    )
    rp.write_index([], out, processed_dir, replace_all=True)
    assert (out / "data.parquet").exists() and "not a .html file" in capsys.readouterr().err


def test_a_report_id_that_is_a_path_writes_nothing_outside(tmp_path, processed_dir):
    specs = [rp.NotebookSpec("04_report_profile.ipynb", {}, "report_id", "profiles")]
    bad = tmp_path / "data"
    shutil.copytree(processed_dir, bad)
    reports = pd.read_parquet(bad / "reports.parquet")
    reports.loc[0, "report_id"] = "../../escaped"
    reports.to_parquet(bad / "reports.parquet")
    jobs, _ = rp.plan_jobs(specs, {"04_report_profile.ipynb": {}}, bad)
    assert any(j.stem == "profiles/../../escaped" for j in jobs)
    with pytest.raises(FazhiError, match="would lie outside the reports folder"):
        rp.render_all(bad, out_dir=tmp_path / "reports", notebook_dir=ROOT / "notebooks", only=["04"], progress=None)
    assert not (tmp_path / "escaped.html").exists() and not (tmp_path / "reports").exists()


@pytest.mark.parametrize(
    "case", ["data itself", "holds data", "inside data", "notebooks", "inside notebooks", "not ours", "a file"]
)
def test_report_out_refuses_folders_that_are_not_its_own(tmp_path, processed_dir, case, capsys):
    data = tmp_path / "project" / "data" / "processed"
    shutil.copytree(processed_dir, data)
    notebooks = tmp_path / "project" / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    (tmp_path / "project" / "paper.tex").write_text("draft")
    out = {
        "data itself": data,
        "holds data": tmp_path / "project",
        "inside data": data / "reports",
        "notebooks": notebooks,
        "inside notebooks": notebooks / "out",
        "not ours": tmp_path / "project" / "paper.tex",
        "a file": tmp_path / "project" / "paper.tex",
    }[case]
    if case == "not ours":
        out = tmp_path / "thesis"
        out.mkdir()
        (out / "chapter1.html").write_text("mine")
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    code = main(["report", "--data", str(data), "--out", str(out), "--notebooks", str(notebooks), "--only", "01"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: `--out` = ") and err.count("\n") == 1 and "Traceback" not in err
    expected = {
        "data itself": "is the tables folder",
        "holds data": "contains the tables folder",
        "inside data": "lies inside the tables folder",
        "notebooks": "is the notebooks folder",
        "inside notebooks": "lies inside the notebooks folder",
        "not ours": "did not write",
        "a file": "is a file, not a folder",
    }[case]
    assert expected in err
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before


def test_report_out_accepts_a_new_or_empty_folder_and_its_own(tmp_path, processed_dir):
    for out in (tmp_path / "new", tmp_path / "empty"):
        if out.name == "empty":
            out.mkdir()
        rp.check_out_dir(out, data_dir=processed_dir, notebook_dir=ROOT / "notebooks")
        rp.claim_out_dir(out)
        (out / "01.html").write_text("x")
        rp.check_out_dir(out, data_dir=processed_dir, notebook_dir=ROOT / "notebooks")  # marked as its own


@pytest.mark.parametrize(
    "raw, expected",
    [("审查 #x", "审查 #x"), ("#1 问题", "#1 问题"), ("'审查 #x'", "审查 #x"), ("合法性审查", "合法性审查")],
)
def test_p_value_with_a_hash_is_kept_whole_for_a_text_parameter(raw, expected):
    specs = [rp.NotebookSpec("05_explore.ipynb", {})]
    declared = {"05_explore.ipynb": rp.declared_parameters(ROOT / "notebooks" / "05_explore.ipynb")}
    params = rp.resolve_parameters(specs, declared, cli_params=[("pattern", raw)])
    assert params["05_explore.ipynb"]["pattern"] == expected


def test_p_value_with_a_yaml_comment_for_a_list_parameter_is_an_error():
    specs = [rp.NotebookSpec("01_corpus_statistics.ipynb", {})]
    declared = {"01_corpus_statistics.ipynb": rp.declared_parameters(ROOT / "notebooks" / "01_corpus_statistics.ipynb")}
    with pytest.raises(FazhiError, match=r"holds ' #', which YAML reads as the start of a comment; quote"):
        rp.resolve_parameters(specs, declared, cli_params=[("years", "[2023, 2024] #x")])
    # levels are checked against the known levels now: a free list parameter shows that quoting keeps ' #1'
    specs = [rp.NotebookSpec("03_indicator_trends.ipynb", {})]
    declared = {"03_indicator_trends.ipynb": rp.declared_parameters(ROOT / "notebooks" / "03_indicator_trends.ipynb")}
    assert rp.resolve_parameters(specs, declared, cli_params=[("indicators", "['a #1']")])["03_indicator_trends.ipynb"][
        "indicators"
    ] == ["a #1"]


@pytest.mark.notebook
def test_rendered_profile_page_of_a_hostile_report_has_no_live_markup(hostile_corpus, tmp_path):
    """The real profile notebook, executed and exported, for the report with markup in its title and name."""
    corpus = hostile_corpus
    corpus.reports.loc[:, "title"] = XSS_TITLE
    corpus.reports.loc[:, "source_file"] = XSS_NAME
    data = tmp_path / "processed"
    corpus.save(data)
    results = rp.render_all(
        data, out_dir=tmp_path / "reports", notebook_dir=ROOT / "notebooks", only=["04"], progress=None
    )
    assert [r.ok for r in results] == [True], results[0].error
    page = results[0].html.read_text(encoding="utf-8")
    doc = lxml.html.document_fromstring(page)
    template_scripts = len(
        list(lxml.html.document_fromstring(_html_of_outputs(tmp_path, ["x"], "plain")).iter("script"))
    )
    # the one script a page may add: fazhi's own long-table script, once, when the page has a long table
    ours = [el for el in doc.iter("script") if (el.text or "").strip() == _table_script()]
    assert len(ours) == (1 if doc.xpath("//*[@data-fazhi-sortable]") else 0)
    assert len(list(doc.iter("script"))) == template_scripts + len(ours)
    assert [
        el.tag for el in doc.iter() if isinstance(el.tag, str) and any(a.lower().startswith("on") for a in el.attrib)
    ] == []
    assert not [el for el in doc.iter("a") if (el.get("href") or "").lower().startswith("javascript")]
    text = doc.text_content()
    assert "<script>alert('title')</script>" in text and XSS_NAME in text
