"""Notebooks run under papermill (with non-default parameters) and are committed without outputs."""

import json
from pathlib import Path

import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_and_parameterised(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert not any(c.get("outputs") for c in code), "strip outputs before committing"
    assert not any(c.get("execution_count") for c in code)
    assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in code)


@pytest.mark.notebook
def test_overview_runs_with_non_default_parameters(processed_dir, tmp_path):
    import papermill

    out = tmp_path / "overview.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "01_corpus_overview.ipynb"), str(out),
        parameters={"processed_dir": str(processed_dir), "levels": ["township"], "years": [2023]},
        kernel_name="python3", cwd=str(ROOT / "notebooks"), progress_bar=False,
    )
    nb = json.loads(out.read_text(encoding="utf-8"))
    text = "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert "2 reports selected, from 2 issuers; report years [2023]" in text


@pytest.mark.notebook
def test_runner_renders_html_and_index(processed_dir, tmp_path):
    from fazhi_lib.report import render_all

    results = render_all(processed_dir, out_dir=tmp_path, only=["01_corpus_overview.ipynb"],
                         notebook_dir=ROOT / "notebooks", progress=None)
    assert [r.ok for r in results] == [True]
    html = (tmp_path / "01_corpus_overview.html").read_text(encoding="utf-8")
    assert "data:image/png;base64" in html and "湖塘街道" in html
    assert "01_corpus_overview.html" in (tmp_path / "index.html").read_text(encoding="utf-8")
