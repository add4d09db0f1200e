"""The notebook runner (fazhi_lib/report.py, `fazhi report`).

Fast tests check the configuration, the parameter checks and the index without a kernel; the tests marked
`notebook` execute notebooks: tiny ones written here (failure isolation, kernel reuse), and once the real
ones, all of them, into a temporary folder with one deliberately broken parameter.
"""

import json
import re

import nbformat
import pytest
from conftest import ROOT
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from fazhi_lib import FazhiError, webfont
from fazhi_lib import report as rp
from fazhi_lib.cli import main

NOTEBOOKS = ROOT / "notebooks"


# ------------------------------------------------------------------ configuration and parameters
def test_every_registered_notebook_exists_and_every_notebook_is_registered():
    specs = rp.read_specs(NOTEBOOKS / "reports.yaml")
    registered = [s.notebook for s in specs]
    assert sorted(registered) == sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert {"01_corpus_statistics.ipynb", "04_report_profile.ipynb"} <= set(registered)
    profile = next(s for s in specs if s.notebook == "04_report_profile.ipynb")
    assert (profile.per_report, profile.out) == ("report_id", "profiles")


def test_every_parameter_in_reports_yaml_is_declared_by_its_notebook():
    specs = rp.read_specs(NOTEBOOKS / "reports.yaml")
    declared = {s.notebook: rp.declared_parameters(NOTEBOOKS / s.notebook) for s in specs}
    for s in specs:
        assert next(iter(declared[s.notebook])) == "processed_dir", s.notebook
    rp.resolve_parameters(specs, declared)  # raises on a typo


def _specs_and_declared():
    specs = [
        rp.NotebookSpec("01_corpus_statistics.ipynb", {"top_n": 15}),
        rp.NotebookSpec("04_report_profile.ipynb", {}, "report_id", "profiles"),
    ]
    declared = {s.notebook: rp.declared_parameters(NOTEBOOKS / s.notebook) for s in specs}
    return specs, declared


def test_declared_parameters_of_the_statistics_notebook():
    assert list(rp.declared_parameters(NOTEBOOKS / "01_corpus_statistics.ipynb")) == [
        "processed_dir",
        "years",
        "levels",
        "keyword",
        "window",
        "top_n",
        "lang",
    ]
    assert rp.notebook_parameters(NOTEBOOKS / "04_report_profile.ipynb")["report_id"] == ""


def test_a_typo_is_an_error_naming_the_valid_names():
    specs, declared = _specs_and_declared()
    with pytest.raises(
        FazhiError,
        match=r"`yeras` = '\[2023\]' is not a parameter of the chosen notebooks; "
        r"choose one of: keyword, lang, levels, report_id, top_n, window, years\.",
    ):
        rp.resolve_parameters(specs, declared, cli_params=[("yeras", "[2023]")])
    with pytest.raises(
        FazhiError,
        match=r"`keyword` is not a parameter of 04_report_profile.ipynb; "
        r"choose one of: report_id, top_n, lang\.",
    ):
        rp.resolve_parameters(specs, declared, cli_params=[("04:keyword", "x")])
    with pytest.raises(FazhiError, match=r"`notebook` = '09' is not valid; choose one of: 01_corpus_statistics"):
        rp.resolve_parameters(specs, declared, cli_params=[("09:top_n", "3")])
    with pytest.raises(FazhiError, match=r"`processed_dir` is set by --data"):
        rp.resolve_parameters(specs, declared, cli_params=[("processed_dir", "/x")])


def test_a_typo_in_reports_yaml_is_an_error_too():
    specs, declared = _specs_and_declared()
    specs[0].parameters["keywrod"] = "枫桥经验"
    with pytest.raises(
        FazhiError,
        match=r"`keywrod` = '枫桥经验' in reports.yaml is not a parameter of "
        r"01_corpus_statistics.ipynb; choose one of: years, levels, keyword",
    ):
        rp.resolve_parameters(specs, declared)


def test_values_are_read_as_yaml_and_applied_where_declared():
    specs, declared = _specs_and_declared()
    params = rp.resolve_parameters(
        specs,
        declared,
        cli_params=[
            ("years", "[2023, 2024]"),
            ("top_n", "5"),
            ("04_report_profile:top_n", "3"),
            ("keyword", "2024-03-01"),
            ("report_id", "012345678901"),
            ("levels", "township"),
        ],
    )
    first, prof = params["01_corpus_statistics.ipynb"], params["04_report_profile.ipynb"]
    assert first["years"] == [2023, 2024] and first["top_n"] == 5 and first["levels"] == ["township"]
    assert first["keyword"] == "2024-03-01"  # a string parameter keeps the text typed (YAML would read a date)
    # one value for a list parameter becomes a one-item list
    assert prof == {"top_n": 3, "report_id": "012345678901"}  # a hex-looking id stays a string
    with pytest.raises(FazhiError, match="is not valid YAML"):
        rp.resolve_parameters(specs, declared, cli_params=[("years", "[2023")])


def test_choice_of_notebooks():
    specs, _ = _specs_and_declared()
    assert [s.notebook for s in rp.select_notebooks(specs, ["04"])] == ["04_report_profile.ipynb"]
    assert [s.notebook for s in rp.select_notebooks(specs, ["04_report_profile.ipynb", "01_corpus_statistics"])] == [
        "01_corpus_statistics.ipynb",
        "04_report_profile.ipynb",
    ]
    with pytest.raises(FazhiError, match=r"`notebook` = '0' is not valid; choose one of"):
        rp.select_notebooks(specs, ["0"])


def test_config_errors(tmp_path):
    bad = tmp_path / "reports.yaml"
    bad.write_text("notebooks:\n  a.ipynb:\n    parameter: {x: 1}\n", encoding="utf-8")
    with pytest.raises(FazhiError, match=r"`a.ipynb: key` = 'parameter' is not valid; choose one of: parameters"):
        rp.read_specs(bad)
    bad.write_text("notebooks: [a.ipynb\n", encoding="utf-8")
    with pytest.raises(FazhiError, match="is not valid YAML"):
        rp.read_specs(bad)


def test_cli_rejects_a_typo_before_running_anything(processed_dir, tmp_path, capsys):
    code = main(
        [
            "report",
            "--data",
            str(processed_dir),
            "--out",
            str(tmp_path / "out"),
            "--only",
            "01",
            "-p",
            "yeras",
            "[2023]",
        ]
    )
    assert code == 2
    assert "`yeras` = '[2023]' is not a parameter of 01_corpus_statistics.ipynb" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_missing_tables_are_a_clear_error(tmp_path, capsys):
    assert main(["report", "--data", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "run `fazhi build" in capsys.readouterr().err


def test_list_shows_declared_parameters(capsys):
    assert main(["report", "--list"]) == 0
    out = capsys.readouterr().out
    assert "04_report_profile.ipynb  (one rendering per report → profiles/, by `report_id`)" in out
    assert 'keyword = "枫桥经验"' in out


# ------------------------------------------------------------------ the index
def _result(tmp_path, stem, ok=True, group="analysis", label="", notebook=None, params=None):
    html = tmp_path / f"{stem}.html"
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text("<html></html>", encoding="utf-8")
    return rp.RenderResult(
        notebook or f"{stem.split('/')[0]}.ipynb",
        html.with_suffix(".ipynb"),
        html,
        {"processed_dir": "/x", **(params or {})},
        ok,
        "" if ok else "ValueError: boom",
        stem=stem,
        label=label,
        group=group,
        rendered_at="2025-01-01T00:00:00+00:00",
        input_fingerprint="abc",
    )


def test_index_lists_outputs_parameters_fingerprint_versions(tmp_path, processed_dir):
    results = [
        _result(tmp_path, "01_a", params={"years": [2023]}),
        _result(tmp_path, "02_b", ok=False),
        _result(
            tmp_path,
            "profiles/r1",
            group="profile",
            label="塘栖镇 2024",
            notebook="04_p.ipynb",
            params={"report_id": "r1"},
        ),
    ]
    rp.write_index(results, tmp_path, processed_dir)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    manifest = json.loads((processed_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["input_fingerprint"] and manifest["input_fingerprint"] in page
    for text in (
        'href="01_a.html"',
        'href="profiles/r1.html"',
        "塘栖镇 2024",
        "<code>years</code>",
        "[2023]",
        "ValueError: boom",
        "pandas",
        "papermill",
        "python",
    ):
        assert text in page, text
    assert "processed_dir" not in page.split("<h2>")[1]  # injected, not a parameter the reader chose
    info = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert [o["stem"] for o in info["outputs"]] == ["01_a", "02_b", "profiles/r1"]
    assert info["packages"]["pandas"]


@pytest.mark.parametrize("n_profiles", [3, 40])
def test_a_long_list_of_profiles_on_the_index_is_sortable(tmp_path, processed_dir, n_profiles):
    import lxml.html

    results = [
        _result(
            tmp_path,
            f"profiles/r{i:02d}",
            group="profile",
            label=f"某镇 {2000 + i}",
            notebook="04_p.ipynb",
            params={"report_id": f"r{i:02d}"},
        )
        for i in range(n_profiles)
    ]
    rp.write_index(results, tmp_path, processed_dir)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    doc = lxml.html.document_fromstring(page)
    boxes = doc.xpath("//*[@data-fazhi-sortable]")
    assert len(boxes) == (1 if n_profiles > 15 else 0)
    assert page.count(rp.table_assets()) == (1 if n_profiles > 15 else 0)
    rows = doc.xpath("//h2[2]/following-sibling::*//tbody/tr")
    assert [r.xpath("td[2]")[0].text_content() for r in rows] == [f"r{i:02d}" for i in range(n_profiles)]


def test_partial_runs_keep_other_entries_and_full_runs_drop_stale_files(tmp_path, processed_dir):
    rp.write_index([_result(tmp_path, "01_a"), _result(tmp_path, "02_old")], tmp_path, processed_dir)
    rp.write_index([_result(tmp_path, "01_a")], tmp_path, processed_dir, replace_all=False)
    stems = [o["stem"] for o in json.loads((tmp_path / "index.json").read_text())["outputs"]]
    assert stems == ["01_a", "02_old"]
    rp.write_index([_result(tmp_path, "01_a")], tmp_path, processed_dir, replace_all=True)
    stems = [o["stem"] for o in json.loads((tmp_path / "index.json").read_text())["outputs"]]
    assert stems == ["01_a"] and not (tmp_path / "02_old.html").exists()


# ------------------------------------------------------------------ running tiny notebooks
def _notebook(path, params_src, body_src):
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Tiny " + path.stem),
            new_code_cell(params_src, metadata={"tags": ["parameters"]}),
            new_code_cell(body_src),
        ]
    )
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    for i, c in enumerate(nb.cells):
        c["id"] = f"c{i}"
    nbformat.write(nb, str(path))


@pytest.fixture()
def tiny_notebooks(tmp_path):
    d = tmp_path / "nb"
    d.mkdir()
    _notebook(d / "a_ok.ipynb", 'processed_dir = ""\nn = 2', "print('中文输出', n * 21)")
    _notebook(
        d / "b_fails.ipynb",
        'processed_dir = ""\nlimit = 1',
        "doubled = 2 * limit\nif doubled < 3:\n    raise ValueError(f'limit {limit} is too small')\nprint('never')",
    )
    # run once per report in one kernel: nothing may survive from the previous report
    _notebook(
        d / "p_each.ipynb",
        'processed_dir = ""\nreport_id = ""',
        "assert 'leftover' not in globals(), 'state leaked'\nleftover = report_id\nimport os\nprint(report_id, os.getcwd())",
    )
    (d / "reports.yaml").write_text(
        "notebooks:\n  a_ok.ipynb:\n    parameters: {n: 3}\n  b_fails.ipynb:\n    parameters: {}\n"
        "  p_each.ipynb:\n    parameters: {}\n    per_report: report_id\n    out: each\n",
        encoding="utf-8",
    )
    return d


@pytest.mark.notebook
def test_a_failing_notebook_is_named_and_the_others_render(tiny_notebooks, processed_dir, tmp_path, corpus):
    out = tmp_path / "out"
    lines = []
    results = rp.render_all(processed_dir, out_dir=out, notebook_dir=tiny_notebooks, progress=lines.append, workers=2)
    by = {r.stem: r for r in results}
    assert by["b_fails"].ok is False
    # the failing statement, not just the cell's first line
    assert (
        by["b_fails"].error == "ValueError: limit 1 is too small (at `raise ValueError(f'limit {limit} is too small')`)"
    )
    assert by["a_ok"].ok and "中文输出 63" in (out / "a_ok.html").read_text(encoding="utf-8")
    ids = sorted(corpus.reports["report_id"])
    assert sorted(s.removeprefix("each/") for s in by if s.startswith("each/")) == ids
    assert all(by[f"each/{i}"].ok for i in ids), [by[f"each/{i}"].error for i in ids]
    page = (out / "each" / f"{ids[0]}.html").read_text(encoding="utf-8")
    # the kernel runs in the notebooks' folder, shown without the path of the machine around it
    assert f"…/{tiny_notebooks.name}" in page and str(tiny_notebooks) not in page
    assert 'href="../index.html"' in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "ValueError: limit 1 is too small (at `raise ValueError(" in index and "b_fails.ipynb" in index
    assert all(f'href="each/{i}.html"' in index for i in ids)
    assert any("FAILED" in line and "b_fails" in line for line in lines)
    assert lines[0].startswith("Rendering 7 notebooks (2 analyses, 5 report profiles)")


@pytest.mark.notebook
def test_cli_exit_status_and_one_report(tiny_notebooks, processed_dir, tmp_path, corpus, capsys):
    rid = sorted(corpus.reports["report_id"])[2]
    args = [
        "report",
        "--data",
        str(processed_dir),
        "--out",
        str(tmp_path / "o"),
        "--notebooks",
        str(tiny_notebooks),
        "--jobs",
        "1",
    ]
    assert main(args + ["--only", "a", "p_each", "-p", "report_id", rid]) == 0
    assert [p.stem for p in (tmp_path / "o" / "each").glob("*.html")] == [rid]
    page = (tmp_path / "o" / "each" / f"{rid}.html").read_text(encoding="utf-8")
    index = (tmp_path / "o" / "index.html").read_text(encoding="utf-8")
    assert page.count('font-family: "fazhi-cjk"') == 1 and index.count('font-family: "fazhi-cjk"') == 1
    assert main(args + ["--only", "p_each", "-p", "report_id", rid, "--no-embed-font"]) == 0
    plain = (tmp_path / "o" / "each" / f"{rid}.html").read_text(encoding="utf-8")
    assert "@font-face" not in plain and "@font-face" not in (tmp_path / "o" / "index.html").read_text("utf-8")
    assert webfont.with_font(plain) == page  # the option leaves out the font and changes nothing else
    assert main(args + ["--only", "b", "-p", "limit", "0"]) == 1
    err = capsys.readouterr().err
    assert "FAILED b_fails.ipynb: ValueError: limit 0 is too small (at `raise ValueError(" in err
    index = (tmp_path / "o" / "index.html").read_text(encoding="utf-8")  # the earlier outputs are still listed
    assert 'href="a_ok.html"' in index and f'href="each/{rid}.html"' in index and "b_fails.html" in index


# ------------------------------------------------------------------ the real notebooks, all of them
@pytest.mark.notebook
@pytest.mark.slow
def test_render_every_notebook_with_one_broken_parameter(processed_dir, tmp_path, corpus, capsys):
    """Every registered notebook renders into a temporary folder; a bad `window` value (a whole number, as
    its default, so it passes the checks before rendering) breaks the statistics notebook (named, with its
    error), the others still render, the exit status is non-zero."""
    out = tmp_path / "reports"
    code = main(["report", "--data", str(processed_dir), "--out", str(out), "-p", "01_corpus_statistics:window", "-5"])
    captured = capsys.readouterr()
    assert code == 1
    assert ("FAILED 01_corpus_statistics.ipynb: FazhiError: `window` = -5 is not valid") in captured.err
    index = (out / "index.html").read_text(encoding="utf-8")
    specs = rp.read_specs(NOTEBOOKS / "reports.yaml")
    for s in specs:
        if s.per_report:
            continue
        stem = s.notebook.removesuffix(".ipynb")
        assert f'href="{stem}.html"' in index, stem
        page = (out / f"{stem}.html").read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+src=\"https?://", page), stem  # nothing fetched from the network
        if stem != "01_corpus_statistics":
            assert "Traceback" not in page, stem
    failed = json.loads((out / "index.json").read_text(encoding="utf-8"))["outputs"]
    assert [o["notebook"] for o in failed if not o["ok"]] == ["01_corpus_statistics.ipynb"]
    for rid, issuer in zip(corpus.reports["report_id"], corpus.reports["issuer"]):
        assert f'href="profiles/{rid}.html"' in index and issuer in index
        page = (out / "profiles" / f"{rid}.html").read_text(encoding="utf-8")
        assert issuer in page and "data:image/png;base64" in page
    assert "塘栖镇 2024" in index and "输入指纹" in index


@pytest.mark.notebook
def test_the_same_inputs_render_the_same_tables(processed_dir, tmp_path):
    def outputs(folder):
        rp.render_all(
            processed_dir,
            out_dir=folder,
            notebook_dir=NOTEBOOKS,
            only=["04"],
            overrides={"report_id": "d71281716205"},
            progress=None,
        )
        nb = nbformat.read(str(folder / "profiles" / "d71281716205.ipynb"), as_version=4)
        return [
            o.get("data", {}).get("text/html") or o.get("text") or o.get("data", {}).get("text/plain")
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.outputs
        ], (folder / "profiles" / "d71281716205.html").read_bytes()

    (first, page), (second, again) = outputs(tmp_path / "a"), outputs(tmp_path / "b")
    assert first == second and any("塘栖镇" in str(o) for o in first)
    assert page == again  # the page itself, byte for byte: no random table or cell id, the same font subset
    assert page.count(b'@font-face { font-family: "fazhi-cjk"') == 1
