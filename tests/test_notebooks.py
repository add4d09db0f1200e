"""Notebooks run under papermill (with non-default parameters) and are committed without outputs."""

import json

import pytest
from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_and_parameterised(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert not any(c.get("outputs") for c in code), (
        "strip outputs before committing: make strip (make setup has git do it on commit)"
    )
    assert not any(c.get("execution_count") for c in code)
    assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in code)
    # not a rendered copy saved over the source: no papermill/execution metadata, no injected parameters
    assert "papermill" not in nb["metadata"]
    for c in nb["cells"]:
        meta = c.get("metadata", {})
        assert "papermill" not in meta and "execution" not in meta, c.get("id")
        assert "injected-parameters" not in meta.get("tags", []), c.get("id")
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"


@pytest.mark.notebook
def test_statistics_runs_with_non_default_parameters(processed_dir, tmp_path):
    import papermill

    out = tmp_path / "statistics.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "01_corpus_statistics.ipynb"),
        str(out),
        parameters={
            "processed_dir": str(processed_dir),
            "levels": ["township"],
            "years": [2023],
            "keyword": "法律顾问",
            "window": 5,
            "top_n": 5,
            "lang": "en",
        },
        kernel_name="python3",
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
    )
    nb = json.loads(out.read_text(encoding="utf-8"))
    text = "".join(
        "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/markdown", ""))
        for c in nb["cells"]
        for o in c.get("outputs", [])
    )
    assert "2 reports selected, from 2 issuers; report years [2023]" in text
    assert "**法律顾问** occurs" in text and "of 2 reports" in text
    assert "2 of 2 reports were published before 1 April of the following year, 0 late, 0 unknown" in text


@pytest.mark.notebook
def test_runner_renders_html_and_index(processed_dir, tmp_path):
    from fazhi_lib.report import render_all

    results = render_all(
        processed_dir,
        out_dir=tmp_path,
        only=["01_corpus_statistics.ipynb"],
        notebook_dir=ROOT / "notebooks",
        progress=None,
    )
    assert [r.ok for r in results] == [True], [r.error for r in results]
    html = (tmp_path / "01_corpus_statistics.html").read_text(encoding="utf-8")
    assert "data:image/png;base64" in html and "湖塘街道" in html
    assert "01_corpus_statistics.html" in (tmp_path / "index.html").read_text(encoding="utf-8")


def _git(cwd, *args):
    import subprocess

    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_committed_notebooks_are_what_the_strip_filter_writes():
    """The clean filter leaves a committed notebook unchanged (else every clone shows it as modified)."""
    import subprocess
    import sys

    for path in NOTEBOOKS:
        raw = path.read_bytes()
        out = subprocess.run(
            [sys.executable, "-m", "nbstripout", "--keep-id"], input=raw, capture_output=True, check=True
        ).stdout
        assert out == raw, f"{path.name}: run make strip"


def test_git_strips_outputs_on_commit(tmp_path):
    """What `make setup` configures: .gitattributes + the nbstripout filter; a notebook saved with outputs
    is staged without them, and the file in the working folder keeps its outputs."""
    import shutil
    import sys

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    attributes = (ROOT / ".gitattributes").read_text(encoding="utf-8")
    assert "notebooks/*.ipynb filter=nbstripout" in attributes
    repo = tmp_path / "clone"
    (repo / "notebooks").mkdir(parents=True)
    (repo / ".gitattributes").write_text(attributes, encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "config", "filter.nbstripout.clean", f'"{sys.executable}" -m nbstripout --keep-id')
    _git(repo, "config", "filter.nbstripout.smudge", "cat")
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["execution_count"] = 3
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["共 5 份报告\n"]}]
    saved = repo / "notebooks" / "a.ipynb"
    saved.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    _git(repo, "add", "notebooks/a.ipynb")
    staged = json.loads(_git(repo, "show", ":notebooks/a.ipynb"))
    cells = [c for c in staged["cells"] if c["cell_type"] == "code"]
    assert not any(c.get("outputs") for c in cells) and not any(c.get("execution_count") for c in cells)
    assert "共 5 份报告" in saved.read_text(encoding="utf-8")
