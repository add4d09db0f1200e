# fazhi: `make all` sets up and runs the main job, `make test` sets up and runs the tests.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
RAW    ?= data/raw
OUT    ?= data/processed
JOBS   ?=

.DEFAULT_GOAL := help
.PHONY: strip help setup all build reports test test-fast bench bench-report bench-collect lint codebook clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@

setup: $(VENV)/.installed ## create .venv, install fazhi, register the `fazhi` Jupyter kernel, strip notebook outputs on commit
	@$(PY) -m ipykernel install --user --name fazhi --display-name "Python (fazhi)" >/dev/null && \
		echo "Jupyter kernel 'fazhi' registered: choose \"Python (fazhi)\" in any JupyterLab"
	@# .gitattributes sends notebooks/*.ipynb through the nbstripout filter; the command is relative to the
	@# clone's top folder (git runs filters there), so every clone or worktree uses its own .venv, and a
	@# worktree without one passes notebooks through as they are (make test then refuses notebooks with outputs).
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git config filter.nbstripout.clean 'if [ -x $(PY) ]; then $(PY) -m nbstripout --keep-id; else cat; fi' && \
		git config filter.nbstripout.smudge cat && \
		git config diff.ipynb.textconv "sh -c 'if [ -x $(PY) ]; then exec $(PY) -m nbstripout --keep-id -t \"\$$1\"; else exec cat \"\$$1\"; fi' textconv" && \
		echo "git strips notebook outputs on commit (nbstripout filter set in this clone's .git/config)"; fi

strip: setup ## remove the outputs of notebooks/*.ipynb saved from JupyterLab (make test checks they are stripped)
	@# through stdin, as git's filter does, so the files are byte for byte what a commit stores
	@for f in notebooks/*.ipynb; do $(PY) -m nbstripout --keep-id < "$$f" > "$$f.tmp" && mv "$$f.tmp" "$$f"; done


all: setup build reports ## set up, build the tables from data/raw and render every notebook into reports/

build: setup ## build the corpus tables: data/raw -> data/processed
	$(VENV)/bin/fazhi build $(RAW) --out $(OUT) $(if $(JOBS),--jobs $(JOBS),)

REPORTS ?= reports
ONLY    ?=
reports: setup ## render every notebook into reports/ (+ index.html); rebuilds stale tables first; ONLY="01 04"
	@if [ ! -f $(OUT)/manifest.json ] || [ -n "$$(find $(RAW) -newer $(OUT)/manifest.json -print -quit)" ]; then \
		echo "tables missing or older than $(RAW): building first"; $(MAKE) --no-print-directory build; fi
	$(VENV)/bin/fazhi report --data $(OUT) --out $(REPORTS) $(if $(JOBS),--jobs $(JOBS),) $(if $(ONLY),--only $(ONLY),)

test: setup lint ## set up, lint, and run the whole test suite (notebooks and docstring examples included)
	$(PY) -m pytest -q

test-fast: setup ## run the tests without the notebook renders
	$(PY) -m pytest -q -m "not notebook"

bench: setup ## run the performance benchmark (about 10 min) and print its table (BENCH_ARGS="--n 2000" for a shorter run)
	$(PY) bench/run_bench.py $(BENCH_ARGS)

bench-report: setup ## per-report CPU ms of every build step and their ratio to bare jieba.lcut, in one run (about 1 min)
	$(PY) bench/per_report.py $(BENCH_ARGS)

bench-collect: setup ## fazhi collect on 500 pages from local slow servers (about 2.5 min): time, requests per host per second
	$(PY) bench/collect_bench.py $(BENCH_ARGS)

codebook: setup ## regenerate docs/data-dictionary.md from fazhi_lib/rules/codebook.yaml
	$(PY) -c "import sys; from fazhi_lib.codebook import main; sys.exit(main(['--readme', 'docs/data-dictionary.md']))"

lint: setup ## ruff check (the rules selected in pyproject.toml) and ruff format --check
	$(PY) -m ruff check fazhi_lib tests bench
	$(PY) -m ruff format --check fazhi_lib tests bench

clean: ## remove generated tables and reports (keeps .venv)
	rm -rf $(OUT) reports
