"""Render the analysis notebooks with papermill into `reports/` as executed .ipynb and HTML.

Default parameters live in `notebooks/reports.yaml`; `processed_dir` is always injected as an
absolute path. A failing notebook is reported with its failing cell's error; the others still render.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEFAULT_NOTEBOOK_DIR = Path("notebooks")
DEFAULT_CONFIG = DEFAULT_NOTEBOOK_DIR / "reports.yaml"
KERNEL = "python3"  # ipykernel's own kernelspec: runs in the interpreter fazhi runs in (venv or conda)


@dataclass
class RenderResult:
    notebook: str
    ipynb: Path | None
    html: Path | None
    parameters: dict
    ok: bool
    error: str = ""
    extra: dict = field(default_factory=dict)


def read_config(path: str | Path = DEFAULT_CONFIG) -> dict[str, dict]:
    """Notebook file name → default parameters, in the order of the YAML file."""
    path = Path(path)
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = {}
    for name, spec in (data.get("notebooks") or {}).items():
        out[name] = dict((spec or {}).get("parameters") or {})
    return out


def notebook_parameters(path: str | Path) -> dict:
    """The parameters a notebook declares in its `parameters` cell (name → default value)."""
    import papermill

    return {name: spec["default"] for name, spec in papermill.inspect_notebook(str(path)).items()}


def to_html(ipynb: Path, html_path: Path) -> Path:
    """A self-contained HTML copy (figures embedded as data URIs)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(ipynb), as_version=4)
    exporter = HTMLExporter(template_name="lab", embed_images=True)
    body, _ = exporter.from_notebook_node(nb)
    html_path.write_text(body, encoding="utf-8")
    return html_path


def _failing_cell_error(exc: Exception) -> str:
    name = getattr(exc, "ename", type(exc).__name__)
    value = getattr(exc, "evalue", str(exc))
    return f"{name}: {value}"


def render_notebook(notebook: Path, out_dir: Path, parameters: dict, *, stem: str | None = None,
                    kernel: str = KERNEL) -> RenderResult:
    import papermill

    out_dir.mkdir(parents=True, exist_ok=True)
    stem = stem or notebook.stem
    ipynb, html_path = out_dir / f"{stem}.ipynb", out_dir / f"{stem}.html"
    try:
        papermill.execute_notebook(
            str(notebook), str(ipynb), parameters=parameters, kernel_name=kernel,
            cwd=str(notebook.parent), progress_bar=False, log_output=False,
        )
        ok, error = True, ""
    except Exception as exc:  # papermill.PapermillExecutionError and kernel failures
        ok, error = False, _failing_cell_error(exc)
    if ipynb.exists():
        try:
            to_html(ipynb, html_path)
        except Exception as exc:  # pragma: no cover - nbconvert failure
            error = (error + "; " if error else "") + f"HTML export failed: {exc}"
            html_path = None
    else:
        html_path = None
    return RenderResult(notebook.name, ipynb if ipynb.exists() else None, html_path, parameters, ok, error)


def render_all(data_dir: str | Path = "data/processed", *, out_dir: str | Path = "reports",
               notebook_dir: str | Path = DEFAULT_NOTEBOOK_DIR, config: str | Path | None = None,
               only: list[str] | None = None, overrides: dict | None = None, progress=print) -> list[RenderResult]:
    notebook_dir = Path(notebook_dir)
    config = Path(config) if config else notebook_dir / "reports.yaml"
    defaults = read_config(config)
    names = list(defaults) or sorted(p.name for p in notebook_dir.glob("*.ipynb"))
    if only:
        unknown = [n for n in only if n not in names and f"{n}.ipynb" not in names]
        if unknown:
            from .corpus import invalid

            raise invalid("notebook", unknown[0], names)
        names = [n for n in names if n in only or n.removesuffix(".ipynb") in only]
    data_dir = Path(data_dir).resolve()
    out_dir = Path(out_dir)
    results = []
    for i, name in enumerate(names, 1):
        params = {"processed_dir": str(data_dir), **defaults.get(name, {}), **(overrides or {})}
        if progress:
            progress(f"[{i}/{len(names)}] {name}")
        results.append(render_notebook(notebook_dir / name, out_dir, params))
        if progress and not results[-1].ok:
            progress(f"    FAILED {name}: {results[-1].error}")
    write_index(results, out_dir, data_dir)
    return results


def write_index(results: list[RenderResult], out_dir: Path, data_dir: Path) -> Path:
    manifest = {}
    mpath = Path(data_dir) / "manifest.json"
    if mpath.exists():
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    rows = []
    for r in results:
        link = f'<a href="{html.escape(r.html.name)}">{html.escape(r.notebook)}</a>' if r.html else html.escape(r.notebook)
        status = "ok" if r.ok else f"FAILED: {html.escape(r.error)}"
        params = html.escape(json.dumps({k: v for k, v in r.parameters.items() if k != "processed_dir"}, ensure_ascii=False))
        rows.append(f"<tr><td>{link}</td><td><code>{params}</code></td><td>{status}</td></tr>")
    page = f"""<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>fazhi reports</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{border:1px solid #ccc;padding:4px 8px}}table{{border-collapse:collapse}}</style>
</head><body><h1>fazhi reports</h1>
<p>Input fingerprint: <code>{html.escape(str(manifest.get('input_fingerprint', 'unknown')))}</code>;
fazhi {html.escape(str(manifest.get('fazhi_version', '')))}.</p>
<table><tr><th>notebook</th><th>parameters</th><th>status</th></tr>{''.join(rows)}</table></body></html>"""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
