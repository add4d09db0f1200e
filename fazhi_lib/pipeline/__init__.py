"""The build: a folder of report files → the corpus tables (`build_corpus`).

    build.py     build_corpus: list the files, take what the cache holds, parse the rest, assemble, corpus stages
    worker.py    one file → its rows (parse_file, parse_text = parse.parse_page + report stages); batches
    pool.py      worker processes (--jobs)           on_dask.py   a Dask cluster (--dask)
    cache.py     parsed files kept between builds    assemble.py  rows → sorted tables, copies found
    stages.py    the registry of report and corpus stages   result.py    FileResult: one file's rows

Every import here points down the list (build → runners → worker → stages), never back up.
"""

from .build import build_corpus
from .worker import FileResult, parse_file, parse_text

__all__ = ["FileResult", "build_corpus", "parse_file", "parse_text"]
