"""A document–feature matrix for R (quanteda) and Python (scipy): counts of each token per report
(or per part), written as Matrix Market with its vocabulary and document variables.

>>> m = document_feature_matrix(load_corpus("data/processed"), by="report")   # doctest: +SKIP
>>> write_dfm(m, "export/dfm")                                                 # doctest: +SKIP

Files: `dfm.mtx` (documents × features, integer counts, Matrix Market coordinate format),
`features.txt` (one feature per line, UTF-8, the matrix's column order), `docvars.csv` (one row per
document in the matrix's row order: doc_id, report_id, part_order, kind, issuer, report_year, level,
province, region). Read them back:

    # R
    m <- Matrix::readMM("dfm/dfm.mtx")
    dv <- read.csv("dfm/docvars.csv", fileEncoding = "UTF-8", colClasses = c(report_id = "character"))
    dimnames(m) <- list(dv$doc_id, readLines("dfm/features.txt", encoding = "UTF-8"))
    x <- quanteda::as.dfm(m); quanteda::docvars(x) <- dv

    # Python
    scipy.io.mmread("dfm/dfm.mtx").tocsr()

Tokens are the build's `tokens` table filtered like `fz.tokenize` (default stopwords, no numbers,
at least two characters; pass `stopwords=…`, `min_len=…`, `keep_numbers=…`), so the matrix counts what
the other reading tools count.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import FazhiError, invalid

DFM_FILES = ("dfm.mtx", "features.txt", "docvars.csv")
BY = ("report", "part")
DOCVAR_COLUMNS = ["doc_id", "report_id", "part_order", "kind", "issuer", "report_year", "level", "province", "region"]


@dataclass
class Dfm:
    """Counts (scipy CSR, documents × features), the features and one row of docvars per document."""

    matrix: object
    features: list[str]
    docvars: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Dense documents × features table (small matrices only)."""
        return pd.DataFrame(self.matrix.toarray(), index=self.docvars["doc_id"], columns=self.features)


def document_feature_matrix(
    corpus, *, by: str = "report", part: str | None = None, min_count: int = 1, **token_options
) -> Dfm:
    """Counts of every token per report (all parts joined) or per part; features sorted by total count
    (then alphabetically), those with fewer than `min_count` occurrences in all documents dropped;
    documents sorted by report year, issuer, report id (and part order)."""
    from scipy import sparse

    from .part_tokens import part_tokens

    if by not in BY:
        raise invalid("by", by, BY)
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise FazhiError(f"`min_count` = {min_count!r} is not valid; give a whole number of 1 or more.")
    toks = part_tokens(corpus, kind=part, **token_options)
    meta_cols = [c for c in ("issuer", "report_year", "level", "province", "region") if c in corpus.reports.columns]
    meta = corpus.reports[["report_id", *meta_cols]]
    if by == "report":
        grouped = toks.groupby("report_id", sort=False)["tokens"].agg(lambda s: [t for lst in s for t in lst])
        docs = pd.DataFrame({"report_id": grouped.index, "tokens": grouped.values})
        docs["part_order"], docs["kind"] = -1, part or "all"
    else:
        docs = toks
    docs = docs.merge(meta, on="report_id", how="inner")
    sort = ["report_year", "issuer", "report_id", "part_order"]
    docs = docs.sort_values([c for c in sort if c in docs.columns], na_position="last", kind="stable")
    docs = docs.reset_index(drop=True)
    counts = [Counter(t) for t in docs["tokens"]]
    total: Counter = Counter()
    for c in counts:
        total.update(c)
    features = sorted((f for f, n in total.items() if n >= min_count), key=lambda f: (-total[f], f))
    index = {f: j for j, f in enumerate(features)}
    rows, cols, vals = [], [], []
    for i, c in enumerate(counts):
        for f, n in c.items():
            j = index.get(f)
            if j is not None:
                rows.append(i)
                cols.append(j)
                vals.append(n)
    matrix = sparse.csr_matrix((np.array(vals, dtype=np.int64), (rows, cols)), shape=(len(docs), len(features)))
    docs["doc_id"] = docs["report_id"] if by == "report" else docs["report_id"] + "#" + docs["part_order"].astype(str)
    docvars = docs.reindex(columns=DOCVAR_COLUMNS)
    return Dfm(matrix, features, docvars)


def write_dfm(dfm: Dfm, out_dir: str | Path) -> Path:
    """Write `dfm.mtx`, `features.txt` and `docvars.csv` into `out_dir` (see the module docstring)."""
    from scipy import io as spio

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    bad = [f for f in dfm.features if "\n" in f or "\r" in f]
    if bad:
        raise FazhiError(f"The feature {bad[0]!r} holds a line break; features.txt needs one feature per line.")

    def atomic(name, write):
        tmp = out_dir / f".{name}.tmp-{os.getpid()}"
        write(tmp)
        os.replace(tmp, out_dir / name)

    def write_mtx(tmp):
        with open(tmp, "wb") as fh:
            spio.mmwrite(
                fh,
                dfm.matrix.tocoo(),
                field="integer",
                comment=" fazhi document-feature matrix: rows = docvars.csv, columns = features.txt",
            )

    atomic("dfm.mtx", write_mtx)
    atomic("features.txt", lambda tmp: Path(tmp).write_text("".join(f + "\n" for f in dfm.features), encoding="utf-8"))
    atomic("docvars.csv", lambda tmp: dfm.docvars.to_csv(tmp, index=False, encoding="utf-8"))
    return out_dir


def read_dfm(out_dir: str | Path) -> Dfm:
    """Read back what `write_dfm` wrote (for tests and Python users)."""
    from scipy import io as spio

    out_dir = Path(out_dir)
    matrix = spio.mmread(str(out_dir / "dfm.mtx")).tocsr()
    features = (out_dir / "features.txt").read_text(encoding="utf-8").split("\n")[:-1]
    docvars = pd.read_csv(
        out_dir / "docvars.csv",
        encoding="utf-8",
        dtype={"doc_id": str, "report_id": str},
        keep_default_na=False,
        na_values=[""],
    )
    return Dfm(matrix, features, docvars)
