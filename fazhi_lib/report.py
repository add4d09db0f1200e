"""Render the analysis notebooks with papermill into `reports/`: executed .ipynb, self-contained HTML, index.

>>> results = render_all("data/processed", out_dir="reports")                  # doctest: +SKIP
[1/8] 01_corpus_statistics.ipynb … ok (6.1 s)
…
>>> [r.ok for r in results]                                                    # doctest: +SKIP

What it does, in order:
1. reads `notebooks/reports.yaml` (notebook file → default parameters; `per_report: report_id` fans a
   notebook out, one rendering per report, into the sub-folder named by `out:`);
2. checks every parameter, from the YAML file and from the command line (`-p NAME VALUE`, values read as
   YAML; `-p NOTEBOOK:NAME VALUE` for one notebook only), against the names the notebook declares in its
   `parameters` cell, so a typo is an error naming the valid names, not a value silently ignored;
3. executes each notebook in a kernel running *this* interpreter (`sys.executable`, under the kernel
   name `python3`), so it works the same in a fresh venv and in a conda env whatever kernelspecs the
   machine has; the fanned-out renderings of one notebook share one kernel, reset between reports;
4. writes `NAME.ipynb` and a self-contained `NAME.html` (figures embedded, no scripts from the network);
5. writes `index.html` (and `index.json`): every output with its parameters, status, time, the input
   fingerprint (hash of the raw files, from the tables' `manifest.json`), and the package versions.

A failing notebook is recorded with its failing cell's error and still rendered (the traceback shows in
its HTML); the others run; the command exits non-zero.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import functools
import html
import importlib.util
import json
import logging
import os
import platform
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from .errors import FazhiError, invalid
from .markup import safe_markdown
from .vocab import INTERACTIVE_ROWS, LANGS
from .webfont import with_font

DEFAULT_NOTEBOOK_DIR = Path("notebooks")
DEFAULT_CONFIG = DEFAULT_NOTEBOOK_DIR / "reports.yaml"
KERNEL = "python3"  # the name recorded in the outputs; the process is this interpreter (see ThisPythonKernelSpecs)
RESERVED = ("processed_dir",)  # injected by the runner from --data
CONFIG_KEYS = ("parameters", "per_report", "out", "title")
INDEX_JSON = "index.json"
RESTART_EVERY = 100  # a shared kernel is restarted after this many renderings (bounded memory)
CELL_TIMEOUT = 600  # seconds one cell may run
PACKAGES = (
    "fazhi",
    "pandas",
    "numpy",
    "pyarrow",
    "scikit-learn",
    "scipy",
    "matplotlib",
    "seaborn",
    "zhplot",
    "jieba",
    "rjieba",
    "opencc",
    "papermill",
    "nbclient",
    "nbconvert",
    "ipykernel",
    "jupyter_client",
    "pyyaml",
)
# Run in a shared kernel before each rendering after the first: a clean namespace, no figures left open.
_RESET = "get_ipython().run_line_magic('reset', '-f')\nimport matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt"


# ------------------------------------------------------------------ records
@dataclass
class NotebookSpec:
    """One entry of reports.yaml."""

    notebook: str
    parameters: dict = field(default_factory=dict)
    per_report: str | None = None  # parameter that takes each report_id (fan-out), or None
    out: str = ""  # sub-folder of the output folder
    title: str = ""


@dataclass
class Job:
    notebook: str
    stem: str  # output path without suffix, relative to the output folder: "01_x" or "profiles/d712…"
    parameters: dict
    label: str = ""
    group: str = "analysis"  # "analysis" or "profile"
    sort_key: tuple = ()  # profiles: (report_year, issuer, report_id)


@dataclass
class RenderResult:
    notebook: str
    ipynb: Path | None
    html: Path | None
    parameters: dict
    ok: bool
    error: str = ""
    stem: str = ""
    label: str = ""
    group: str = "analysis"
    title: str = ""
    seconds: float = 0.0
    rendered_at: str = ""
    input_fingerprint: str = ""
    sort_key: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)


# ------------------------------------------------------------------ configuration
def read_specs(path: str | Path = DEFAULT_CONFIG) -> list[NotebookSpec]:
    """The notebooks of reports.yaml, in file order. A missing file gives an empty list."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise FazhiError(f"{path} is not valid YAML: {exc}") from None
    entries = data.get("notebooks") if isinstance(data, dict) else None
    if entries is None:
        raise FazhiError(f"{path} has no `notebooks:` mapping; see docs/notebooks-and-reports.md.")
    specs = []
    for name, spec in entries.items():
        spec = spec or {}
        if not isinstance(spec, dict):
            raise FazhiError(f"{path}: the entry of {name} must be a mapping with `parameters:`.")
        for key in spec:
            if key not in CONFIG_KEYS:
                raise invalid(f"{name}: key", key, CONFIG_KEYS)
        params = spec.get("parameters") or {}
        if not isinstance(params, dict):
            raise FazhiError(f"{path}: `parameters` of {name} must be a mapping of name: value.")
        specs.append(
            NotebookSpec(
                str(name),
                dict(params),
                spec.get("per_report"),
                str(spec.get("out") or ""),
                str(spec.get("title") or ""),
            )
        )
    return specs


def read_config(path: str | Path = DEFAULT_CONFIG) -> dict[str, dict]:
    """Notebook file name → default parameters, in the order of the YAML file."""
    return {s.notebook: dict(s.parameters) for s in read_specs(path)}


def declared_parameters(path: str | Path) -> dict[str, str]:
    """The parameters a notebook declares in its `parameters` cell: name → default as written.

    Read with `papermill.inspect_notebook`; lines papermill's line parser skips (e.g. a string
    holding '=') are read from the same cell with Python's own parser.
    """
    import nbformat
    import papermill

    path = Path(path)
    logger = logging.getLogger("papermill")
    level = logger.level
    logger.setLevel(logging.ERROR)  # "Unable to parse line …": handled below
    try:
        found = {name: spec["default"] for name, spec in papermill.inspect_notebook(str(path)).items()}
    finally:
        logger.setLevel(level)
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                break
            ordered = {}
            for node in tree.body:
                targets = (
                    node.targets
                    if isinstance(node, ast.Assign)
                    else [node.target]
                    if isinstance(node, ast.AnnAssign) and node.value is not None
                    else []
                )
                for t in targets:
                    if isinstance(t, ast.Name):
                        ordered[t.id] = found.get(t.id) or ast.get_source_segment(cell.source, node.value)
            found = {**ordered, **{k: v for k, v in found.items() if k not in ordered}}
            break
    return found


def notebook_parameters(path: str | Path) -> dict:
    """Name → default value (evaluated when it is a literal, else the text as written)."""
    out = {}
    for name, text in declared_parameters(path).items():
        try:
            out[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError):
            out[name] = text
    return out


def _yaml_value(raw: str, default_text: str | None):
    """A command-line value read as YAML; kept as the text typed when the parameter's default is a string."""
    try:
        default = ast.literal_eval(default_text) if default_text else None
    except (ValueError, SyntaxError, TypeError):
        default = None
    quoted = raw.strip()[:1] in ("'", '"')
    if isinstance(default, str) and not quoted:
        # the text as typed: -p report_id 012345678901 stays a string, and -p pattern '审查 #x' keeps its
        # ' #x', which YAML would read as a comment and drop
        return raw
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise FazhiError(f"`-p` value {raw!r} is not valid YAML ({exc.__class__.__name__}); quote it.") from None
    if _comment_outside_quotes(raw):
        raise FazhiError(
            f"`-p` value {raw!r} holds ' #', which YAML reads as the start of a comment; "
            f"quote the value to keep it: -p NAME \"'{raw}'\"."
        )
    return _plain(value)


def _comment_outside_quotes(raw: str) -> bool:
    """True when YAML would read part of `raw` as a comment: a '#' at the start or after a space,
    outside quotes ('[审查 #1]' drops ' #1]'; "['审查 #1']" keeps it)."""
    quote = None
    for i, ch in enumerate(raw):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or raw[i - 1].isspace()):
            return True
    return False


def _plain(value):
    """YAML dates and timestamps as ISO text (papermill writes parameters as Python literals)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# ------------------------------------------------------------------ parameter values
# Parameters whose values fazhi knows: checked before anything renders (a typo fails in a second, not after a
# 24-second render). Others are checked against their default's type only.
def _known_choices() -> dict[str, tuple]:
    from .metadata import LEVELS
    from .sections import PART_KINDS

    return {"part_kind": PART_KINDS, "levels": LEVELS, "lang": LANGS}


_TYPE_WORDS = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "a text",
    list: "a list such as [2023, 2024]",
    dict: "a mapping such as {a: 1}",
}


def _kind(value) -> type | None:
    for t in (bool, int, float, str, list, dict):
        if isinstance(value, t):
            return t
    return None


def check_value(notebook: str, name: str, value, default_text: str | None):
    """`value` for parameter `name` of `notebook`, checked against the type of its default (a whole number
    for 3, a list for [], …) and, for the parameters fazhi knows (part_kind, levels, years, lang), against
    their valid values; returns the value (a single value given for a list parameter becomes a one-item
    list) or raises `FazhiError` with one sentence."""
    try:
        default = ast.literal_eval(default_text) if default_text else None
    except (ValueError, SyntaxError, TypeError):
        return value  # the default is an expression: nothing to compare with
    want, got = _kind(default), _kind(value)
    if want is None or value is None:
        return value
    if want is list and got is not list and got is not dict:
        value, got = [value], list
    ok = got is want or (want is float and got is int)
    if not ok:
        raise FazhiError(
            f"`{name}` = {value!r} is not valid for {notebook}: it must be {_TYPE_WORDS[want]}, "
            f"like its default {default_text}."
        )
    choices = _known_choices().get(name)
    if choices:
        for v in value if isinstance(value, list) else [value]:
            if v not in choices:
                raise invalid(name, v, choices)
    if name == "years":
        for v in value:
            if isinstance(v, bool) or not isinstance(v, int) or not 1949 <= v <= 2100:
                raise FazhiError(f"`years` = {value!r} is not valid: give report years such as [2023, 2024].")
    return value


def check_selection(params: dict[str, dict], data_dir: Path) -> None:
    """`years` and `levels` that select no report of the tables: one sentence naming what the tables hold,
    before anything renders (not nine pages of empty tables)."""
    import pandas as pd

    reports = pd.read_parquet(Path(data_dir) / "reports.parquet", columns=["report_year", "level"])
    if reports.empty:
        return  # an empty corpus: the notebooks render and say so
    held_years = sorted({int(y) for y in reports["report_year"].dropna()})
    held_levels = sorted(set(reports["level"].dropna()))
    for nb, p in params.items():
        years, levels = p.get("years") or [], p.get("levels") or []
        if isinstance(years, list) and years and not set(years) & set(held_years):
            raise FazhiError(
                f"`years` = {years!r} selects no report ({nb}); the tables hold report years "
                f"{', '.join(map(str, held_years)) or '(none)'}."
            )
        if isinstance(levels, list) and levels and not set(levels) & set(held_levels):
            raise FazhiError(
                f"`levels` = {levels!r} selects no report ({nb}); the tables hold levels {', '.join(held_levels)}."
            )
        if years and levels and not ((reports["report_year"].isin(years)) & reports["level"].isin(levels)).any():
            raise FazhiError(f"`years` = {years!r} with `levels` = {levels!r} selects no report ({nb}).")


def _translator():
    """papermill's Python translator writing strings as Python literals with their Chinese intact
    (`keyword = '枫桥经验'`, not `"\\u67ab…"`); registered for the Python kernels of this run."""
    from papermill.translators import PythonTranslator, papermill_translators

    class ReadableTranslator(PythonTranslator):
        @classmethod
        def translate_str(cls, val):
            return repr(val)  # printable non-ASCII stays as it is; quotes, backslashes, controls escaped

        @classmethod
        def translate_escaped_str(cls, str_val):
            return repr(str(str_val))

    papermill_translators.register("python", ReadableTranslator)
    papermill_translators.register(KERNEL, ReadableTranslator)
    return ReadableTranslator


def list_notebooks(notebook_dir: str | Path = DEFAULT_NOTEBOOK_DIR, config: str | Path | None = None) -> str:
    """The registered notebooks, their declared parameters with defaults, and the values reports.yaml sets."""
    notebook_dir = Path(notebook_dir)
    specs = read_specs(Path(config) if config else notebook_dir / "reports.yaml")
    lines = []
    for s in specs:
        path = notebook_dir / s.notebook
        fan = f"  (one rendering per report → {s.out or '.'}/, by `{s.per_report}`)" if s.per_report else ""
        lines.append(f"{s.notebook}{fan}")
        if not path.exists():
            lines.append("    (file not found)")
            continue
        for name, default in declared_parameters(path).items():
            set_to = (
                f"   reports.yaml: {json.dumps(s.parameters[name], ensure_ascii=False)}" if name in s.parameters else ""
            )
            lines.append(f"    {name} = {default}{set_to}")
    return "\n".join(lines)


def select_notebooks(specs: list[NotebookSpec], only: Iterable[str] | None) -> list[NotebookSpec]:
    """The specs named by `only` (file name, stem, or a unique prefix such as '01'), in config order."""
    if not only:
        return list(specs)
    names = [s.notebook for s in specs]
    chosen = set()
    for wanted in only:
        hits = [n for n in names if n == wanted or n.removesuffix(".ipynb") == wanted.removesuffix(".ipynb")]
        if not hits:
            hits = [n for n in names if n.startswith(wanted)]
        if len(hits) != 1:
            raise invalid("notebook", wanted, names)
        chosen.add(hits[0])
    return [s for s in specs if s.notebook in chosen]


def _find_spec(specs: list[NotebookSpec], scope: str) -> NotebookSpec | None:
    for s in specs:
        if scope in (s.notebook, s.notebook.removesuffix(".ipynb")):
            return s
    hits = [s for s in specs if s.notebook.startswith(scope)]
    return hits[0] if len(hits) == 1 else None


def resolve_parameters(
    specs: list[NotebookSpec],
    declared: dict[str, dict[str, str]],
    *,
    overrides: dict | None = None,
    cli_params: list[tuple[str, str]] | None = None,
) -> dict[str, dict]:
    """Notebook → parameters (YAML defaults, then overrides), every name checked against `declared`.

    `overrides`: name → value (Python values) or 'NOTEBOOK:name' → value; `cli_params`: (name, text)
    pairs from `-p`, the text read as YAML. A name no chosen notebook declares is an error.
    """
    per_nb = {s.notebook: dict(s.parameters) for s in specs}
    for s in specs:
        valid = [n for n in declared[s.notebook] if n not in RESERVED]
        for name in s.parameters:
            if name not in valid:
                raise FazhiError(
                    f"`{name}` = {s.parameters[name]!r} in reports.yaml is not a parameter of "
                    f"{s.notebook}; choose one of: {', '.join(valid) or '(none)'}."
                )
    items = [(k, v, False) for k, v in (overrides or {}).items()] + [(k, v, True) for k, v in (cli_params or [])]
    for key, value, from_cli in items:
        scope, _, name = key.rpartition(":")
        if name in RESERVED:
            raise FazhiError(f"`{name}` is set by --data (the folder of tables), not with -p.")
        if scope:
            spec = _find_spec(specs, scope)
            if spec is None:
                raise invalid("notebook", scope, [s.notebook for s in specs])
            targets = [spec]
            valid = [n for n in declared[spec.notebook] if n not in RESERVED]
            if name not in valid:
                raise FazhiError(f"`{name}` is not a parameter of {spec.notebook}; choose one of: {', '.join(valid)}.")
        else:
            targets = [s for s in specs if name in declared[s.notebook]]
            if not targets:
                valid = sorted({n for s in specs for n in declared[s.notebook] if n not in RESERVED})
                where = specs[0].notebook if len(specs) == 1 else "the chosen notebooks"
                raise FazhiError(
                    f"`{name}` = {value!r} is not a parameter of {where}; choose one of: {', '.join(valid)}."
                )
        for spec in targets:
            per_nb[spec.notebook][name] = _yaml_value(value, declared[spec.notebook].get(name)) if from_cli else value
    for s in specs:
        for name, value in per_nb[s.notebook].items():
            if name in RESERVED:
                continue
            if name == s.per_report and isinstance(value, list) and all(isinstance(v, str) for v in value):
                continue  # several reports to fan out over
            per_nb[s.notebook][name] = check_value(s.notebook, name, value, declared[s.notebook].get(name))
    return per_nb


# ------------------------------------------------------------------ the kernel
def _this_python_kernel_manager(kernel: str = KERNEL):
    """An AsyncKernelManager for `kernel`; "python3" means ipykernel in this very interpreter."""
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
    from jupyter_client.manager import AsyncKernelManager

    if kernel != KERNEL:
        try:
            KernelSpecManager().get_kernel_spec(kernel)
        except NoSuchKernel:
            raise invalid("kernel", kernel, [KERNEL, *sorted(KernelSpecManager().find_kernel_specs())]) from None
        return AsyncKernelManager(kernel_name=kernel)
    if importlib.util.find_spec("ipykernel") is None:
        raise FazhiError(f"ipykernel is not installed in {sys.executable}; run `pip install ipykernel`.")

    class ThisPythonKernelSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name="Python 3 (ipykernel)",
                language="python",
                metadata={},
            )

    return AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=ThisPythonKernelSpecs())


class _Kernel:
    """One running kernel (cwd = the notebooks folder), reused by the renderings of one notebook."""

    def __init__(self, cwd: Path, kernel: str = KERNEL):
        self.cwd, self.kernel, self.km, self.uses = cwd, kernel, None, 0
        # the kernel's own stderr (startup warnings, crashes), open as long as the kernel lives
        self.log = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115

    def get(self):
        from jupyter_core.utils import run_sync

        if self.km is not None and self.uses >= RESTART_EVERY:
            self.close()
        if self.km is None:
            self.km = _this_python_kernel_manager(self.kernel)
            env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONIOENCODING": "utf-8"}
            env.pop("MPLBACKEND", None)
            run_sync(self.km.start_kernel)(cwd=str(self.cwd), env=env, stderr=self.log)
            self.uses = 0
        elif self.uses:
            run_sync(self._reset)()
        self.uses += 1
        return self.km

    async def _reset(self):
        kc = self.km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            await kc.execute_interactive(_RESET, store_history=False, timeout=60)
        finally:
            kc.stop_channels()

    def stderr_tail(self, n: int = 600) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-n:]

    def close(self):
        from jupyter_core.utils import run_sync

        if self.km is not None:
            with contextlib.suppress(Exception):
                run_sync(self.km.shutdown_kernel)(now=True)
            self.km = None


def _engine():
    """A papermill engine that runs in a kernel manager it is given and closes its client after."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class SharedKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            client = PapermillNotebookClient(
                nb_man,
                km=kwargs["km"],
                kernel_name=kernel_name,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                log=logging.getLogger("papermill"),
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    papermill_engines.register("fazhi", SharedKernelEngine)
    return "fazhi"


# ------------------------------------------------------------------ HTML
# One stylesheet for every page fazhi report writes (the index and each notebook), about 3 KB inlined into
# each page so a page sent alone still reads well; it replaces JupyterLab's 270 KB of theme CSS, which made
# 79 % of a profile page. `fazhi-cjk` is the page's own subset of the shipped CJK font (webfont.py), after
# the readers' CJK fonts and before the generic ones: boxes for Chinese text only where no font has it.
STYLESHEET = """
:root { --ink: #1f2328; --muted: #667; --line: #d8dde3; --accent: #1a5fb4; --soft: #f4f6f8; }
body { font-family: "Noto Sans SC", "Source Han Sans SC", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei",
       "WenQuanYi Micro Hei", fazhi-cjk, system-ui, sans-serif; color: var(--ink); margin: 0 auto;
       max-width: 1040px; padding: 0 1.2em 3em; line-height: 1.7; font-size: 16px; }
h1 { font-size: 1.6em; line-height: 1.35; margin: 1.2em 0 .6em; }
h2 { font-size: 1.25em; margin: 2.2em 0 .6em; padding-bottom: .2em; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.08em; margin: 1.6em 0 .4em; }
a { color: var(--accent); } .anchor-link { display: none; }
code, pre { font-family: ui-monospace, "Noto Sans Mono CJK SC", Menlo, Consolas, fazhi-cjk, monospace; font-size: 13px; }
pre { white-space: pre-wrap; word-break: break-word; margin: .4em 0; }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: .6em 0 1em; font-size: 13.5px; }
.jp-RenderedHTMLCommon table, table.dataframe { display: block; max-width: 100%; overflow-x: auto; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--soft); border-bottom: 2px solid var(--line); }
tbody tr:hover { background: #fafbfc; }
.jp-InputPrompt, .jp-OutputPrompt, .jp-Collapser { display: none; }
.jp-CodeCell .jp-InputArea { background: var(--soft); border-left: 3px solid var(--line); padding: .3em .8em;
                             margin: .8em 0 .3em; overflow-x: auto; }
.highlight pre { margin: 0; }
.jp-RenderedText pre { background: #fafafa; padding: .3em .6em; }
[data-mime-type="application/vnd.jupyter.stderr"] pre { background: #fff6e5; color: #6b4a00; }
.jp-OutputArea-output.jp-RenderedMarkdown p { margin: .5em 0; }
.fazhi-nav { font-size: 13px; padding: 6px 12px; background: var(--soft); border-bottom: 1px solid var(--line);
             margin: 0 -1.2em; }
.fazhi-toc { font-size: 14px; background: var(--soft); padding: .4em 1em .4em 2em; margin: 1em 0; border-radius: 4px; }
.fazhi-toc ol { margin: .2em 0; padding-left: 1em; } .fazhi-toc b { margin-left: -1em; }
.fazhi-params { color: var(--muted); font-size: 13px; }
small, .muted { color: var(--muted); }
.bad { color: #b00020; font-weight: bold; }
.failbox { border: 2px solid #b00020; background: #fff4f4; padding: .5em 1em; margin: 1em 0; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; font-size: 14px; }
dt { font-weight: bold; }
"""

SORTABLE = "data-fazhi-sortable"  # the mark `vocab.view` puts around a long table
# … as an attribute of a tag (a cell's text is escaped: it cannot open a tag)
_SORTABLE_TAG = re.compile(r"<[a-z]+\s[^<>]*\b" + SORTABLE + r"[\s=>]")
_STATIC = Path(__file__).parent / "static"


@functools.cache
def table_assets() -> str:
    """The stylesheet and script that make long tables sortable and searchable (`fazhi_lib/static/
    tables.css`, `tables.js`, about 5 KB), inlined once into a page that has one: nothing is fetched, and
    a page without a long table (most profiles) carries none of it."""
    css = (_STATIC / "tables.css").read_text(encoding="utf-8")
    js = (_STATIC / "tables.js").read_text(encoding="utf-8")
    # without its indentation and line comments (a quarter of its bytes; no string in it spans lines)
    js = "\n".join(line.strip() for line in js.splitlines() if line.strip() and not line.strip().startswith("//"))
    return f"<style>{css}</style>\n<script>\n{js}\n</script>\n"


def with_table_assets(page: str) -> str:
    """`page` with `table_assets()` before its closing </body> when it marks a long table (once per
    page, however many long tables it holds); unchanged otherwise."""
    end = page.rfind("</body>")
    if end < 0 or not _SORTABLE_TAG.search(page):
        return page
    return page[:end] + table_assets() + page[end:]


_OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block header -%}
<!DOCTYPE html>
<html lang="{{ resources.fazhi_lang }}">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{{ resources.fazhi_title }}</title>
<style>{{ resources.fazhi_css }}</style>
{%- if resources.fazhi_show_code %}{% for css in resources.inlining.css -%}<style>{{ css }}</style>{% endfor %}{% endif %}
</head>
{%- endblock header -%}
{%- block data_markdown scoped -%}
<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-OutputArea-output {{ extra_class }}" data-mime-type="text/markdown">
{{ output.data['text/markdown'] | fazhi_safe_markdown }}
</div>
{%- endblock data_markdown -%}
{%- block body_header -%}
<body class="jp-Notebook">
<div class="fazhi-nav"><a href="{{ resources.fazhi_index }}">{{ resources.fazhi_back }}</a>{{ resources.fazhi_note }}</div>
<main>
<!--fazhi-toc-->
{%- endblock body_header -%}
"""

_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)<a class="anchor-link"', re.S)
_TAGS = re.compile(r"<[^>]+>")
_UI = {
    "zh": {"back": "← 全部报告（索引）", "toc": "目录", "failed": " · 本页渲染失败：", "params": "参数："},
    "en": {
        "back": "← all reports (index)",
        "toc": "Contents",
        "failed": " · this rendering FAILED: ",
        "params": "parameters: ",
    },
}


def _toc(body: str, title: str) -> str:
    """A table of contents from the page's h2/h3 headings (their ids are nbconvert's anchors)."""
    items = []
    for level, anchor, text in _HEADING.findall(body):
        label = _TAGS.sub("", text).strip()
        indent = "&emsp;" if level == "3" else ""
        items.append(f'<li>{indent}<a href="#{anchor}">{label}</a></li>')
    if len(items) < 2:
        return ""
    return f'<nav class="fazhi-toc"><b>{html.escape(title)}</b><ol>{"".join(items)}</ol></nav>'


class _HtmlWriter:
    """One nbconvert exporter for the whole run (loading the template once).

    `show_code=False` (the default of `fazhi report`): the pages show the questions, figures, tables and
    sentences, not the Python that made them (the executed .ipynb beside each page keeps the code).
    `embed_font=True` (the default): the page carries the CJK glyphs its text uses (webfont.py)."""

    def __init__(self, *, show_code: bool = False, lang: str = "zh", embed_font: bool = True):
        from jinja2 import DictLoader
        from nbconvert import HTMLExporter

        self.show_code, self.lang, self.embed_font = show_code, lang if lang in _UI else "zh", embed_font
        self.exporter = HTMLExporter(
            template_name="lab",
            extra_loaders=[DictLoader({"fazhi_offline.html.j2": _OFFLINE_TEMPLATE})],
            template_file="fazhi_offline.html.j2",
            embed_images=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            exclude_input=not show_code,
            # Markdown a notebook displays carries report strings: raw HTML in it is shown as text
            filters={"fazhi_safe_markdown": safe_markdown},
        )

    def write(
        self,
        ipynb: Path,
        html_path: Path,
        *,
        index_href: str = "index.html",
        note: str = "",
        failed: bool = False,
        lock=None,
    ) -> Path:
        """OUT/STEM.html from the executed notebook; `lock` (shared by the threads of a run) is held while
        nbconvert exports, not while the font is subset (other renderings go on meanwhile)."""
        import nbformat

        nb = nbformat.read(str(ipynb), as_version=4)
        nb.cells = [c for c in nb.cells if _in_language(c, self.lang)]
        ui = _UI[self.lang]
        resources = {
            "fazhi_index": index_href,
            "fazhi_back": ui["back"],
            "fazhi_note": html.escape((ui["failed"] if failed else "") + note),
            "fazhi_css": STYLESHEET,
            "fazhi_lang": "zh-CN" if self.lang == "zh" else "en",
            "fazhi_title": html.escape(_nb_title(nb) or Path(html_path).stem),
            "fazhi_show_code": self.show_code,
        }
        with lock or contextlib.nullcontext():
            body, _ = self.exporter.from_notebook_node(nb, resources=resources)
        body = body.replace("<!--fazhi-toc-->", _toc(body, ui["toc"]), 1)
        body = with_table_assets(body)
        if self.embed_font:
            body = with_font(body)  # after the table script: its labels (显示 … 行) are in the subset
        html_path.write_text(body, encoding="utf-8")
        return html_path


def _in_language(cell, lang: str) -> bool:
    """False for a cell tagged for another language (`lang-zh`, `lang-en`): a notebook carries its prose in
    both languages and the page shows one."""
    tags = [t for t in cell.get("metadata", {}).get("tags", []) if t.startswith("lang-")]
    return not tags or f"lang-{lang}" in tags


def _nb_title(nb) -> str:
    """The first Markdown heading the notebook shows (a cell, or Markdown it displays)."""
    for cell in nb.cells:
        sources = [cell.source] if cell.cell_type == "markdown" else []
        if cell.cell_type == "code":
            sources = ["".join(o.get("data", {}).get("text/markdown", "")) for o in cell.get("outputs", [])]
        for src in sources:
            for line in src.splitlines():
                if line.startswith("# "):
                    return _TAGS.sub("", line[2:]).replace("\\", "").strip()
    return ""


def to_html(ipynb: Path, html_path: Path) -> Path:
    """A self-contained HTML copy of an executed notebook (figures embedded, nothing fetched)."""
    return _HtmlWriter().write(Path(ipynb), Path(html_path))


# ------------------------------------------------------------------ running
def _failing_cell_error(exc: Exception) -> str:
    name = getattr(exc, "ename", None) or type(exc).__name__
    value = getattr(exc, "evalue", None)
    if value is None:
        value = str(exc)
    line = _failing_line(getattr(exc, "traceback", None) or [])
    if not line:
        source = (getattr(exc, "source", None) or "").strip()
        line = next((t.strip() for t in source.splitlines() if t.strip() and not t.lstrip().startswith("#")), "")
    if len(line) > 80:
        line = line[:79] + "…"
    where = f" (at `{line}`)" if line else ""
    return f"{name}: {value}{where}".strip()


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_ARROW = re.compile(r"^-*> *\d+ (.*)$")


def _failing_line(traceback: list[str]) -> str:
    """The notebook statement that raised: the arrow line of the last `Cell In[n]` frame."""
    found = ""
    for frame in traceback:
        text = _ANSI.sub("", str(frame))
        if "Cell In[" not in text:
            continue
        for line in text.splitlines():
            m = _ARROW.match(line.strip())
            if m:
                found = m.group(1).strip()
    return found


def _title(notebook: Path, lang: str = "zh") -> str:
    """The first markdown heading of a notebook (in `lang` when its cells are tagged by language)."""
    import nbformat

    try:
        nb = nbformat.read(str(notebook), as_version=4)
    except Exception:  # noqa: BLE001 - an unreadable notebook fails when it runs, with its reason
        return ""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and _in_language(cell, lang):
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def _relative(path: Path, start: Path) -> str:
    """`path` relative to `start` (posix), or as given when there is no relative path (another drive)."""
    try:
        return Path(os.path.relpath(Path(path).resolve(), Path(start).resolve())).as_posix()
    except ValueError:
        return str(path)


def _shown_path(path: Path, start: Path) -> str:
    """`path` as shown on a shared page: relative to `start` when it lies beside it (../data/processed),
    else its last two parts (…/data/processed), never an absolute path."""
    rel = _relative(path, start)
    if not Path(rel).is_absolute() and not rel.startswith("../.."):
        return rel
    return "…/" + "/".join(Path(path).resolve().parts[-2:])


def _scrub_paths(ipynb: Path, notebook: Path, out_dir: Path) -> None:
    """No absolute path of the author's machine in an executed notebook that is shared: papermill's
    input/output paths become file names, and the project, environment and home folders in outputs (a
    traceback, a warning) become `…`. The cell papermill inserts gets a fixed id instead of its random one."""
    text = ipynb.read_text(encoding="utf-8")
    nb = json.loads(text)
    for cell in nb.get("cells", []):
        # nbconvert writes cell ids into the page: a fixed one keeps the same inputs rendering the same bytes
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []) and "id" in cell:
            cell["id"] = "injected-parameters"
    meta = nb.get("metadata", {}).get("papermill")
    if isinstance(meta, dict):
        meta["input_path"] = notebook.name
        meta["output_path"] = ipynb.name
        meta.pop("cwd", None)
    text = json.dumps(nb, ensure_ascii=False, indent=1) + "\n"
    roots = {str(out_dir), str(notebook.parent.parent), sys.prefix, sys.base_prefix, str(Path.home())}
    for root in sorted((r for r in roots if len(Path(r).parts) >= 3), key=len, reverse=True):
        for form in {root, json.dumps(root)[1:-1]}:
            text = text.replace(form, "…")
    ipynb.write_text(text, encoding="utf-8")


def render_notebook(
    notebook: Path,
    out_dir: Path,
    parameters: dict,
    *,
    stem: str | None = None,
    kernel: str = KERNEL,
    _kernel: _Kernel | None = None,
    _html: _HtmlWriter | None = None,
    _html_lock=None,
    timeout: int | None = CELL_TIMEOUT,
) -> RenderResult:
    """Execute one notebook with `parameters` into OUT/STEM.ipynb and OUT/STEM.html."""
    import papermill

    notebook = Path(notebook).resolve()
    out_dir = Path(out_dir).resolve()  # absolute: papermill may run in several threads at once
    stem = stem or notebook.stem
    ipynb, html_path = out_dir / f"{stem}.ipynb", out_dir / f"{stem}.html"
    ipynb.parent.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    t0 = time.perf_counter()
    own = _kernel is None
    kern = _kernel or _Kernel(notebook.parent.resolve(), kernel)
    ok, error = True, ""
    try:
        km = kern.get()  # started in the notebook's folder: relative paths in the notebook work
        papermill.execute_notebook(
            str(notebook),
            str(ipynb),
            parameters=parameters,
            kernel_name=kernel,
            engine_name=_engine(),
            km=km,
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
        )
    except Exception as exc:  # noqa: BLE001 - a cell error, a dead kernel, a timeout: recorded, others run
        ok, error = False, _failing_cell_error(exc)
        if not hasattr(exc, "ename"):
            tail = kern.stderr_tail().strip()
            if tail:
                error += f" | kernel: {tail.splitlines()[-1]}"
            kern.close()  # start afresh after a kernel failure
    finally:
        if own:
            kern.close()
    html_out = None
    if ipynb.exists():
        with contextlib.suppress(OSError, ValueError):
            _scrub_paths(ipynb, notebook, out_dir)
        try:
            depth = stem.count("/")
            (_html or _HtmlWriter()).write(
                ipynb,
                html_path,
                index_href="../" * depth + "index.html",
                note="" if ok else error,
                failed=not ok,
                lock=_html_lock,
            )
            html_out = html_path
        except Exception as exc:  # noqa: BLE001 - nbconvert failure, recorded
            error = (error + "; " if error else "") + f"HTML export failed: {exc}"
            ok = False
    return RenderResult(
        notebook.name,
        ipynb if ipynb.exists() else None,
        html_out,
        parameters,
        ok,
        error,
        stem=stem,
        seconds=round(time.perf_counter() - t0, 2),
        rendered_at=started,
    )


def _report_list(data_dir: Path, ids) -> list[dict]:
    """report_id, issuer, report_year, level of the reports to fan out over (sorted by year, issuer, id)."""
    import pandas as pd

    path = data_dir / "reports.parquet"
    if not path.exists():
        raise FazhiError(f"No corpus tables in {str(data_dir)!r}; run `fazhi build RAW_DIR --out {data_dir}` first.")
    reports = pd.read_parquet(path, columns=["report_id", "issuer", "report_year", "level"])
    reports = reports.sort_values(["report_year", "issuer", "report_id"], na_position="last", kind="stable")
    if ids is not None:
        wanted = [ids] if isinstance(ids, str) else list(ids)
        known = set(reports["report_id"])
        for rid in wanted:
            if rid not in known:
                raise invalid("report_id", rid, sorted(known)[:12] + (["…"] if len(known) > 12 else []))
        reports = reports[reports["report_id"].isin(wanted)]
    out = []
    for r in reports.to_dict("records"):
        year = "?" if pd.isna(r["report_year"]) else int(r["report_year"])
        out.append(
            {
                "report_id": r["report_id"],
                "label": f"{r['issuer'] or r['report_id']} {year}",
                "level": r["level"],
                "issuer": r["issuer"],
                "report_year": None if year == "?" else year,
            }
        )
    return out


def _previous_seconds(out_dir: Path) -> dict[str, float]:
    """Seconds each output took last time (index.json), to start the longest renderings first."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        info = json.loads((Path(out_dir) / INDEX_JSON).read_text(encoding="utf-8"))
        return {e["stem"]: float(e.get("seconds") or 0) for e in info["outputs"]}
    return {}


def _units(jobs: list[Job], workers: int, seconds: dict[str, float] | None = None) -> list[list[tuple[int, Job]]]:
    """Jobs grouped into runs that share a kernel: an analysis alone; a fanned-out notebook's reports in
    up to `workers` consecutive runs. With several workers the longest runs (by last time's seconds)
    start first."""
    units, fan = [], {}
    for i, job in enumerate(jobs):
        if job.group == "profile":
            fan.setdefault(job.notebook, []).append((i, job))
        else:
            units.append([(i, job)])
    for series in fan.values():
        n = max(1, min(workers, len(series)))
        size = -(-len(series) // n)
        units += [series[k : k + size] for k in range(0, len(series), size)]
    if workers == 1:
        return sorted(units, key=lambda u: u[0][0])
    seconds = seconds or {}

    def cost(unit):
        return sum(seconds.get(j.stem, 15.0 if j.group == "analysis" else 4.0) for _, j in unit)

    return sorted(units, key=lambda u: (-cost(u), u[0][0]))


def plan_jobs(specs: list[NotebookSpec], params: dict[str, dict], data_dir: Path) -> tuple[list[Job], dict]:
    """The renderings to do, in order; and, per fanned-out notebook, whether all reports are covered."""
    jobs, complete = [], {}
    for s in specs:
        p = params[s.notebook]
        if s.per_report:
            chosen = p.get(s.per_report) or None
            for rep in _report_list(data_dir, chosen):
                sub = f"{s.out}/" if s.out else ""
                jobs.append(
                    Job(
                        s.notebook,
                        f"{sub}{rep['report_id']}",
                        {**p, s.per_report: rep["report_id"]},
                        rep["label"],
                        "profile",
                        (rep["report_year"] or 9999, rep["issuer"] or "", rep["report_id"]),
                    )
                )
            complete[s.notebook] = chosen is None
        else:
            jobs.append(Job(s.notebook, Path(s.notebook).stem, p, s.title, "analysis"))
    return jobs, complete


def render_all(
    data_dir: str | Path = "data/processed",
    *,
    out_dir: str | Path = "reports",
    notebook_dir: str | Path = DEFAULT_NOTEBOOK_DIR,
    config: str | Path | None = None,
    only: list[str] | None = None,
    overrides: dict | None = None,
    cli_params: list[tuple[str, str]] | None = None,
    kernel: str = KERNEL,
    timeout: int | None = CELL_TIMEOUT,
    workers: int = 1,
    progress: Callable | None = print,
    show_code: bool = False,
    lang: str | None = None,
    embed_font: bool = True,
) -> list[RenderResult]:
    """Render the notebooks of `config` (default NOTEBOOK_DIR/reports.yaml) from the tables in `data_dir`.

    `workers` > 1 renders that many notebooks at once (one kernel each; a fanned-out notebook is split
    into that many runs of consecutive reports). Outputs do not depend on it. `embed_font=False` writes
    pages without their subset of the CJK font (webfont.py): smaller, for thousands of profiles, but
    Chinese text then needs a CJK font on the reader's machine.

    Parameter and selection errors raise `FazhiError` before anything runs; a notebook that fails
    while running is recorded in its result (and the index) and the others still run.
    """
    notebook_dir = Path(notebook_dir)
    config = Path(config) if config else notebook_dir / "reports.yaml"
    if not notebook_dir.is_dir():
        raise FazhiError(
            f"No notebooks folder at {str(notebook_dir)!r}; run fazhi report from the project folder, "
            "or give --notebooks DIR."
        )
    specs = read_specs(config)
    if not specs:
        specs = [NotebookSpec(p.name) for p in sorted(notebook_dir.glob("*.ipynb"))]
    if not specs:
        raise FazhiError(f"No notebooks in {str(notebook_dir)!r} (no reports.yaml and no .ipynb file).")
    if lang is not None and lang not in LANGS:
        raise invalid("--lang", lang, LANGS)
    chosen = select_notebooks(specs, only)
    data_dir = Path(data_dir).resolve()
    out_dir = Path(out_dir)
    if not (data_dir / "reports.parquet").exists():
        raise FazhiError(f"No corpus tables in {str(data_dir)!r}; run `fazhi build RAW_DIR --out {data_dir}` first.")

    missing = [s for s in chosen if not (notebook_dir / s.notebook).exists()]
    runnable = [s for s in chosen if s not in missing]
    declared = {s.notebook: declared_parameters(notebook_dir / s.notebook) for s in runnable}
    if lang is not None:
        overrides = {
            **{f"{s.notebook}:lang": lang for s in runnable if "lang" in declared[s.notebook]},
            **(overrides or {}),
        }
    params = resolve_parameters(runnable, declared, overrides=overrides, cli_params=cli_params)
    check_selection(params, data_dir)
    _translator()
    for s in runnable:
        if s.per_report and s.per_report not in declared[s.notebook]:
            raise FazhiError(
                f"`per_report` = {s.per_report!r} is not a parameter of {s.notebook}; "
                f"choose one of: {', '.join(declared[s.notebook])}."
            )
        if "processed_dir" in declared[s.notebook]:
            # relative to the notebooks folder (the kernel's working folder): no absolute path in shared files
            where = _relative(data_dir, notebook_dir)
            params[s.notebook] = {"processed_dir": where, **params[s.notebook]}
    jobs, complete = plan_jobs(runnable, params, data_dir)
    check_out_dir(out_dir, data_dir=data_dir, notebook_dir=notebook_dir)
    for job in jobs:
        _inside(out_dir, f"{job.stem}.html", what=f"the output of {job.notebook} ({job.stem!r})")
    claim_out_dir(out_dir)
    manifest = read_manifest(data_dir)
    fingerprint = str(manifest.get("input_fingerprint", ""))

    say = _Say(progress)
    n_prof = sum(j.group == "profile" for j in jobs)
    say(
        f"Rendering {len(jobs)} notebook{'s' if len(jobs) != 1 else ''} ({len(jobs) - n_prof} analyses, "
        f"{n_prof} report profiles) from {data_dir} into {out_dir}/"
    )
    results: list[RenderResult] = []
    for s in missing:
        results.append(
            RenderResult(
                s.notebook,
                None,
                None,
                s.parameters,
                False,
                f"notebook file not found: {notebook_dir / s.notebook}",
                stem=Path(s.notebook).stem,
            )
        )
        say(f"  FAILED {s.notebook}: {results[-1].error}")
    page_lang = lang or next((p.get("lang") for p in params.values() if p.get("lang")), "zh")
    titles = {s.notebook: s.title or _title(notebook_dir / s.notebook, page_lang) for s in runnable}
    units = _units(jobs, workers, _previous_seconds(out_dir))
    workers = max(1, min(workers, len(units)))
    writer = _HtmlWriter(show_code=show_code, lang=page_lang, embed_font=embed_font)
    lock = threading.Lock()
    done: dict[int, RenderResult] = {}
    width = len(str(len(jobs)))
    nb_dir = notebook_dir.resolve()
    out_abs = out_dir.resolve()

    def name(job: Job) -> str:
        return f"{job.notebook}{' · ' + job.label if job.group == 'profile' else ''}"

    def run_unit(unit: list[tuple[int, Job]]) -> None:
        kern = _Kernel(nb_dir, kernel)
        try:
            for i, job in unit:
                if workers == 1:
                    say(f"[{i + 1:>{width}}/{len(jobs)}] {name(job)} … ", end="", flush=True)
                r = render_notebook(
                    nb_dir / job.notebook,
                    out_abs,
                    job.parameters,
                    stem=job.stem,
                    kernel=kernel,
                    _kernel=kern,
                    _html=writer,
                    _html_lock=lock,
                    timeout=timeout,
                )
                r.label, r.group, r.title, r.input_fingerprint = job.label, job.group, titles[job.notebook], fingerprint
                r.sort_key = list(job.sort_key)
                r.ipynb = out_dir / Path(r.ipynb).relative_to(out_abs) if r.ipynb else None
                r.html = out_dir / Path(r.html).relative_to(out_abs) if r.html else None
                status = f"ok ({r.seconds:.1f} s)" if r.ok else f"FAILED ({r.seconds:.1f} s)\n      {r.error}"
                with lock:
                    done[i] = r
                    if workers == 1:
                        say(status)
                    else:
                        say(f"[{len(done):>{width}}/{len(jobs)}] {name(job)} … {status}")
        finally:
            kern.close()

    logger = logging.getLogger("papermill")
    level = logger.level
    logger.setLevel(logging.ERROR)  # parameters are checked above; papermill's INFO lines are noise here
    try:
        if workers == 1:
            for unit in units:
                run_unit(unit)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for future in [pool.submit(run_unit, u) for u in units]:
                    future.result()
    finally:
        logger.setLevel(level)
    results += [done[i] for i in sorted(done)]
    failed = sum(not r.ok for r in results)
    full_run = not only and set(complete.values()) <= {True}
    write_index(
        results,
        out_dir,
        data_dir,
        kernel=kernel,
        replace_all=full_run,
        replace_notebooks={n for n, c in complete.items() if c},
        lang=page_lang,
        embed_font=embed_font,
    )
    say(f"{len(results) - failed} of {len(results)} rendered into {out_dir}/ — open {out_dir / 'index.html'}")
    return results


class _Say:
    """Progress lines: `print` gets them as they come (a job's line ends when it finishes); any other
    callable gets whole lines."""

    def __init__(self, progress: Callable | None):
        self.progress, self.buffer = progress, ""

    def __call__(self, text: str, end: str = "\n", flush: bool = False) -> None:
        if self.progress is None:
            return
        if self.progress is print:
            print(text, end=end, flush=True)
            return
        self.buffer += text + end
        while "\n" in self.buffer:
            line, self.buffer = self.buffer.split("\n", 1)
            self.progress(line)


# ------------------------------------------------------------------ the output folder
def _is_report_folder(path: Path) -> bool:
    """A folder `fazhi report` wrote: it holds an index.json of fazhi's (a mapping with `outputs`)."""
    try:
        info = json.loads((path / INDEX_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(info, dict) and isinstance(info.get("outputs"), list)


def check_out_dir(out_dir: str | Path, *, data_dir: str | Path, notebook_dir: str | Path) -> None:
    """Refuse, with one sentence, an output folder fazhi report must not write into: a file; the tables
    folder or the notebooks folder, a folder inside one of them or holding one; an existing folder with
    files in it that fazhi report did not write (it knows its own by their index.json)."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise FazhiError(
            f"`--out` = {str(out_dir)!r} is a file, not a folder; give a folder for the reports (default reports)."
        )
    here = out.resolve()
    for name, other in (("the tables folder (--data)", data_dir), ("the notebooks folder", notebook_dir)):
        there = Path(other).resolve()
        if here == there or here.is_relative_to(there) or there.is_relative_to(here):
            how = "is" if here == there else "lies inside" if here.is_relative_to(there) else "contains"
            raise FazhiError(
                f"`--out` = {str(out_dir)!r} {how} {name} {str(other)!r}; fazhi report writes into a "
                "folder of its own only: choose another folder (default reports)."
            )
    if out.is_dir() and any(out.iterdir()) and not _is_report_folder(out):
        raise FazhiError(
            f"`--out` = {str(out_dir)!r} already holds files that fazhi report did not write (no "
            f"{INDEX_JSON} of its own); choose an empty or new folder, or the reports folder of an "
            "earlier `fazhi report`."
        )


def claim_out_dir(out_dir: str | Path) -> None:
    """Create the output folder and mark it as fazhi report's (an index.json with no outputs yet), so a
    run stopped halfway leaves a folder the next run recognises."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not (out / INDEX_JSON).exists():
        (out / INDEX_JSON).write_text(json.dumps({"outputs": []}), encoding="utf-8")


def _inside(out_dir: Path, relative, *, what: str) -> Path:
    """OUT/relative, which must lie inside OUT (a path from index.json or a report_id from the tables
    could say '../x' or '/x'); otherwise `FazhiError`."""
    out = Path(out_dir).resolve()
    target = (out / str(relative)).resolve()
    if not target.is_relative_to(out) or target == out:
        raise FazhiError(f"{what} would lie outside the reports folder {str(out_dir)!r} ({str(relative)!r}); refused.")
    return target


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


# ------------------------------------------------------------------ the index
def read_manifest(data_dir: Path) -> dict:
    path = Path(data_dir) / "manifest.json"
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str]:
    """Installed versions of the packages that shape the outputs (absent ones left out)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def _entry(r: RenderResult, out_dir: Path) -> dict:
    d = asdict(r)
    for key in ("ipynb", "html"):
        d[key] = Path(d[key]).relative_to(out_dir).as_posix() if d[key] else None
    d["parameters"] = {k: v for k, v in r.parameters.items() if k not in RESERVED}
    return d


def write_index(
    results: list[RenderResult],
    out_dir: Path,
    data_dir: Path,
    *,
    kernel: str = KERNEL,
    replace_all: bool = True,
    replace_notebooks: set[str] | None = None,
    lang: str = "zh",
    embed_font: bool = True,
) -> Path:
    """index.json and index.html listing every rendered output.

    A partial run (`--only`, one profile) keeps the earlier entries of outputs it did not touch; a full
    run lists only its own outputs and removes the files of outputs no longer produced (a renamed
    notebook, a report taken out of the corpus).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(data_dir)
    new = [_entry(r, out_dir) for r in results]
    new_stems = {e["stem"] for e in new}
    previous = []
    jpath = out_dir / INDEX_JSON
    if jpath.exists():
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            previous = json.loads(jpath.read_text(encoding="utf-8"))["outputs"]
    if not isinstance(previous, list):
        previous = []
    kept = []
    for e in previous:
        if not isinstance(e, dict) or e.get("stem") in new_stems:
            continue
        if not (
            isinstance(e.get("stem"), str)
            and isinstance(e.get("notebook"), str)
            and isinstance(e.get("parameters", {}), dict)
        ):
            _warn(f"{INDEX_JSON} has an entry fazhi report did not write ({str(e)[:60]!r}); dropped")
            continue
        paths = {}
        for key, suffix in (("ipynb", ".ipynb"), ("html", ".html")):
            if e.get(key):
                # index.json is a file on disk: a stale or edited one may name any path. Only a file of
                # fazhi's kind inside the reports folder is touched; anything else is left alone.
                try:
                    target = _inside(out_dir, e[key], what=f"{INDEX_JSON} entry {e.get('stem')!r}")
                    if target.suffix != suffix:
                        raise FazhiError(
                            f"{INDEX_JSON} entry {e.get('stem')!r} names {str(e[key])!r}, not a {suffix} file"
                        )
                except FazhiError as exc:
                    _warn(f"{exc}; the entry is dropped and nothing it names is deleted")
                    paths = None
                    break
                paths[key] = target
        if paths is None:
            continue
        stale = replace_all or e.get("notebook") in (replace_notebooks or set())
        if stale:
            for target in paths.values():
                with contextlib.suppress(OSError):
                    target.unlink()
            continue
        if paths.get("html") and paths["html"].exists():
            kept.append({"parameters": {}, "ok": False, "error": "", **e})
    entries = kept + new
    order = {e["notebook"]: i for i, e in enumerate(new)}
    entries.sort(
        key=lambda e: (
            e.get("group") != "analysis",
            order.get(e["notebook"], len(order)),
            e.get("notebook", ""),
            [str(k) for k in e.get("sort_key") or []],
            e.get("stem", ""),
        )
    )
    info = {
        "rendered_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "data_dir": _shown_path(data_dir, out_dir),  # no path of the author's machine in shared files
        "input_fingerprint": manifest.get("input_fingerprint", ""),
        "manifest": {k: manifest.get(k) for k in ("fazhi_version", "n_files", "token_engine") if k in manifest},
        "n_reports": (manifest.get("tables") or {}).get("reports"),
        "kernel": f"{kernel} (ipykernel in the Python that ran fazhi report)" if kernel == KERNEL else kernel,
        "platform": platform.platform(),
        "packages": package_versions(),
        "lang": lang,
        "outputs": entries,
    }
    jpath.write_text(json.dumps(info, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    path = out_dir / "index.html"
    page = index_html(info)
    path.write_text(with_font(page) if embed_font else page, encoding="utf-8")
    return path


def when(iso: str) -> str:
    """An ISO time as `2025-01-01 08:00 (UTC+08:00)`: date, time and its zone, for the pages people read."""
    try:
        t = dt.datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    if t.tzinfo is None:
        return t.strftime("%Y-%m-%d %H:%M") + " (local time)"
    offset = t.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{t:%Y-%m-%d %H:%M} (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"


_INDEX_UI = {
    "zh": {
        "title": "法治政府建设年度报告 · 分析报告",
        "intro": "每一页都是独立的网页：图表已嵌入，不从网络加载任何内容，整个文件夹可以打包发给合作者。"
        "分析页回答关于整个语料的问题；单篇概况页逐篇介绍每份报告。",
        "rendered": "生成时间",
        "reports": "份报告",
        "analyses": "分析",
        "profiles": "单篇报告概况",
        "profiles_note": "每份报告一页：基本信息、结构、评分、数字、问题。",
        "page": "页面",
        "question": "问题",
        "params": "参数",
        "status": "状态",
        "ok": "完成",
        "failed": "失败",
        "defaults": "默认",
        "report": "报告",
        "report_id": "报告编号",
        "files": "文件",
        "n_failed": "个页面渲染失败",
        "details": "技术信息（复现用）",
        "data": "输入数据",
        "fingerprint": "输入指纹",
        "fp_note": "原始文件名称与内容的 SHA-256（来自 manifest.json）；同一原始文件夹得到同一指纹",
        "built": "建表程序",
        "kernel": "内核",
        "packages": "软件包",
        "platform": "平台",
        "other_input": "由其他输入数据生成",
        "regen": "重新生成：<code>make reports</code> 或 <code>fazhi report --data DIR</code>（英文版加 <code>--lang en</code>，显示代码加 <code>--show-code</code>）。",
    },
    "en": {
        "title": "Annual rule-of-law government reports · analyses",
        "intro": "Every page is self-contained: figures are embedded and nothing is fetched from the network, so "
        "the folder can be zipped and sent to co-authors. The analyses answer questions about the whole corpus; "
        "the profiles describe one report each.",
        "rendered": "rendered",
        "reports": "reports",
        "analyses": "Analyses",
        "profiles": "Report profiles",
        "profiles_note": "One page per report: metadata, structure, scorecard, numbers, problems.",
        "page": "page",
        "question": "question",
        "params": "parameters",
        "status": "status",
        "ok": "ok",
        "failed": "FAILED",
        "defaults": "defaults",
        "report": "report",
        "report_id": "report_id",
        "files": "files",
        "n_failed": "rendering(s) failed",
        "details": "Technical details (for reproduction)",
        "data": "input data",
        "fingerprint": "input fingerprint",
        "fp_note": "SHA-256 over the raw files' names and contents, from manifest.json; the same raw folder gives "
        "the same fingerprint",
        "built": "tables built by",
        "kernel": "kernel",
        "packages": "packages",
        "platform": "platform",
        "other_input": "rendered from other input data",
        "regen": "Regenerate with <code>make reports</code> or <code>fazhi report --data DIR</code> "
        "(<code>--lang zh</code> for Chinese, <code>--show-code</code> to keep the code).",
    },
}


def _params_html(params: dict, defaults: str = "defaults") -> str:
    if not params:
        return f"<span class=muted>{html.escape(defaults)}</span>"
    return "<br>".join(
        f"<code>{html.escape(k)}</code> = <code>{html.escape(json.dumps(v, ensure_ascii=False))}</code>"
        for k, v in params.items()
    )


def index_html(info: dict) -> str:
    """The index page: what was rendered, from which data, with what (Chinese unless info['lang'] is 'en')."""
    e = html.escape
    t = _INDEX_UI.get(info.get("lang") or "zh", _INDEX_UI["zh"])
    outputs = info["outputs"]
    fp = info.get("input_fingerprint") or "unknown (no manifest.json in the data folder)"
    failed = [o for o in outputs if not o["ok"]]
    analyses = [o for o in outputs if o.get("group") != "profile"]
    profiles = [o for o in outputs if o.get("group") == "profile"]

    def links(o):
        parts = []
        if o.get("html"):
            parts.append(f'<a href="{e(o["html"])}">HTML</a>')
        if o.get("ipynb"):
            parts.append(f'<a href="{e(o["ipynb"])}">ipynb</a>')
        return " · ".join(parts) or "–"

    def status(o):
        return t["ok"] if o["ok"] else f"<span class=bad>{t['failed']}</span><br><small>{e(o['error'])}</small>"

    def stale(o):
        if (
            o.get("input_fingerprint")
            and info.get("input_fingerprint")
            and o["input_fingerprint"] != info["input_fingerprint"]
        ):
            return (
                f' <span class=bad title="{t["other_input"]}">({t["other_input"]} {e(o["input_fingerprint"])})</span>'
            )
        return ""

    rows = []
    for o in analyses:
        title = o.get("title") or o["notebook"]
        name = f'<a href="{e(o["html"])}">{e(title)}</a>' if o.get("html") else e(title)
        rows.append(
            f"<tr><td>{name}<br><small>{e(o['notebook'])}</small></td>"
            f'<td>{_params_html(o["parameters"], t["defaults"])}</td><td style="white-space:nowrap">{status(o)}</td>'
            f"<td>{e(when(o.get('rendered_at') or ''))}{stale(o)}<br><small>{o.get('seconds', 0):.1f} s</small></td>"
            f"<td>{links(o)}</td></tr>"
        )
    prow = []
    for o in profiles:
        name = (
            f'<a href="{e(o["html"])}">{e(o.get("label") or o["stem"])}</a>'
            if o.get("html")
            else e(o.get("label") or "")
        )
        other = {k: v for k, v in o["parameters"].items() if k != "report_id"}
        prow.append(
            f"<tr><td>{name}</td><td><code>{e(str(o['parameters'].get('report_id', '')))}</code></td>"
            f"<td>{_params_html(other, t['defaults']) if other else ''}</td><td>{status(o)}</td>"
            f"<td>{e(when(o.get('rendered_at') or ''))}{stale(o)}</td><td>{links(o)}</td></tr>"
        )
    pkgs = ", ".join(f"{e(k)}&nbsp;{e(v)}" for k, v in info["packages"].items())
    man = info.get("manifest") or {}
    fail_box = ""
    if failed:
        items = "".join(
            f"<li><b>{e(o.get('label') or o['notebook'])}</b> ({e(o['notebook'])}): {e(o['error'])}</li>"
            for o in failed
        )
        fail_box = f'<div class="failbox"><b>{len(failed)} {t["n_failed"]}</b><ul>{items}</ul></div>'
    profile_block = ""
    if profiles:
        profile_block = (
            f"<h2>{t['profiles']} ({len(profiles)})</h2><p>{t['profiles_note']} "
            f"<small>(<code>{e(profiles[0]['notebook'])}</code>)</small></p>"
            f"<table><thead><tr><th>{t['report']}</th><th>{t['report_id']}</th><th>{t['params']}</th>"
            f"<th>{t['status']}</th><th>{t['rendered']}</th><th>{t['files']}</th></tr></thead>"
            f"<tbody>{''.join(prow)}</tbody></table>"
        )
        if len(profiles) > INTERACTIVE_ROWS:  # thousands of profiles: sortable, searchable, in a scrolling box
            profile_block = profile_block.replace(
                "<table>", f'<div class="fazhi-scroll" {SORTABLE} style="max-height:40em;overflow:auto"><table>', 1
            ).replace("</table>", "</table></div>", 1)
    n_rep = f" — {info['n_reports']} {t['reports']}" if info.get("n_reports") is not None else ""
    page = f"""<!doctype html>
<html lang="{"en" if t is _INDEX_UI["en"] else "zh-CN"}"><head><meta charset="utf-8"><title>{t["title"]}</title>
<style>{STYLESHEET}</style></head><body>
<h1>{t["title"]}</h1>
<p>{t["intro"]}</p>
<p class=muted>{t["rendered"]}: {e(when(info["rendered_at"]))}{n_rep}</p>
{fail_box}
<h2>{t["analyses"]} ({len(analyses)})</h2>
<table><tr><th>{t["question"]}</th><th>{t["params"]}</th><th>{t["status"]}</th><th>{t["rendered"]}</th><th>{t["files"]}</th></tr>{"".join(rows)}</table>
{profile_block}
<details><summary>{t["details"]}</summary>
<dl>
<dt>{t["data"]}</dt><dd><code>{e(info["data_dir"])}</code></dd>
<dt>{t["fingerprint"]}</dt><dd><code>{e(str(fp))}</code> <small>({t["fp_note"]})</small></dd>
<dt>{t["built"]}</dt><dd>fazhi {e(str(man.get("fazhi_version", "?")))}{f"; token engine {e(str(man['token_engine']))}" if man.get("token_engine") else ""}</dd>
<dt>{t["kernel"]}</dt><dd><code>{e(info["kernel"])}</code></dd>
<dt>{t["packages"]}</dt><dd>{pkgs}</dd>
<dt>{t["platform"]}</dt><dd>{e(info["platform"])}</dd>
</dl></details>
<p><small>{t["regen"]}</small></p>
</body></html>
"""
    return with_table_assets(page)
