"""Scale-out: the per-file stages on a Dask distributed cluster, and the tables as Parquet datasets
partitioned by `report_year` for corpora too big to read whole.

    fazhi build data/raw --dask local                 # a LocalCluster, one worker per core (--jobs)
    fazhi build /shared/raw --dask tcp://10.0.0.5:8786 --partition-by-year

Only the per-file work (read, clean, metadata, sections, report stages, tokens) runs on the
workers; the cache lookups, the assembly into sorted tables and the corpus stages run in the
client, so the tables are the same, byte for byte, as a single-process build.

On a remote cluster the workers read the files themselves: the input folder must be visible to them
at the same absolute path (a shared file system, as on an HPC cluster), and they must have the
same fazhi (the client checks each worker's build signature before sending work).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .cache import build_signature
from .parallel import parse_batch, warm_up

DATASET_DIRNAME = "dataset"
PARTITION_COLUMN = "report_year"


def _error(message: str):
    from .corpus import FazhiError

    return FazhiError(message)


def _worker_signature(env: dict[str, str]) -> str:
    """Run on every worker before any work: load the dictionary once, report the signature."""
    warm_up(env)
    return build_signature()


def connect(address: str, *, jobs: int):
    """(client, cluster): a new LocalCluster of `jobs` single-threaded worker processes for
    `"local"`, else a client of the scheduler at `address` (cluster None)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - both are dependencies of fazhi
        raise _error("`--dask` needs the packages dask and distributed: pip install dask distributed.") from None
    if address == "local":
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        return Client(cluster), cluster
    try:
        return Client(address, timeout="20s"), None
    except (OSError, TimeoutError) as exc:
        raise _error(
            f"Cannot reach the Dask scheduler at {address!r} ({exc}); start one with `dask scheduler` "
            "and workers with `dask worker ADDRESS`, or use `--dask local`."
        ) from None


def parse_on_dask(task_batches: list[list[tuple[str, str]]], address: str, *, jobs: int,
                  env: dict[str, str]) -> Iterator[tuple[int, list]]:
    """(batch number, results) for each batch of `(path, root)` tasks, as the workers finish them."""
    if not task_batches:
        return
    from distributed import as_completed

    client, cluster = connect(address, jobs=jobs)
    try:
        expected = build_signature()
        try:
            signatures = client.run(_worker_signature, env)
        except Exception as exc:  # noqa: BLE001 - any failure here means the workers cannot run fazhi
            raise _error(f"The Dask workers cannot run fazhi ({type(exc).__name__}: {exc}); "
                         "install the same fazhi on every worker.") from None
        if not signatures:
            raise _error(f"The Dask cluster at {address!r} has no workers; start some with `dask worker`.")
        stale = sorted(w for w, s in signatures.items() if s != expected)
        if stale:
            raise _error(f"Dask workers {', '.join(stale)} run a different fazhi (code, rules or libraries) "
                         "than this client; install the same version on every worker.")
        futures = client.map(parse_batch, task_batches, env=env, pure=False)
        number = {f.key: b for b, f in enumerate(futures)}
        for future in as_completed(futures):
            yield number[future.key], future.result()
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------- partitioned Parquet datasets
def _with_year(name: str, df: pd.DataFrame, years: pd.DataFrame) -> pd.DataFrame | None:
    if name == "parse_log" or "report_id" not in df.columns:
        return None
    if PARTITION_COLUMN in df.columns:
        return df
    return df.merge(years, on="report_id", how="left", sort=False)


def write_partitioned(corpus, out_dir: str | Path) -> Path:
    """Write every table of `corpus` under `OUT/dataset/`: tables with a report_id as Parquet datasets
    partitioned by report_year (`dataset/parts/report_year=2024/part-0.parquet`), the others as one
    file each (`dataset/parse_log.parquet`). Read them with `read_partitioned`."""
    import shutil

    import pyarrow as pa
    import pyarrow.dataset as ds

    root = Path(out_dir) / DATASET_DIRNAME
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    reports = corpus.reports
    years = reports[["report_id", PARTITION_COLUMN]] if not reports.empty else None
    partitioning = ds.partitioning(pa.schema([(PARTITION_COLUMN, pa.int64())]), flavor="hive")
    for name, df in sorted(corpus.tables.items()):
        table = _with_year(name, df, years) if years is not None else None
        if table is None:
            df.to_parquet(root / f"{name}.parquet", index=False)
            continue
        table = table.copy()
        table[PARTITION_COLUMN] = table[PARTITION_COLUMN].astype("Int64")
        ds.write_dataset(pa.Table.from_pandas(table, preserve_index=False), root / name, format="parquet",
                         partitioning=partitioning, basename_template="part-{i}.parquet",
                         existing_data_behavior="overwrite_or_ignore", use_threads=False)
    return root


def read_partitioned(out_dir: str | Path, name: str, *, years=None) -> pd.DataFrame:
    """One table from `OUT/dataset/`, optionally only some report years (only those files are read).

    >>> read_partitioned("data/processed", "parts", years=[2023, 2024])     # doctest: +SKIP
    """
    import pyarrow.dataset as ds

    root = Path(out_dir) / DATASET_DIRNAME
    single = root / f"{name}.parquet"
    if single.exists():
        return pd.read_parquet(single)
    if not (root / name).is_dir():
        available = sorted(p.stem for p in root.glob("*")) if root.is_dir() else []
        if not available:
            raise _error(f"No partitioned tables in {str(root)!r}; build with `fazhi build --partition-by-year`.")
        raise _error(f"`name` = {name!r} is not valid; choose one of: {', '.join(available)}.")
    dataset = ds.dataset(root / name, format="parquet", partitioning="hive")
    expr = None
    if years is not None:
        wanted = [int(y) for y in ([years] if isinstance(years, (int, str)) else years)]
        expr = ds.field(PARTITION_COLUMN).isin(wanted)
    table = dataset.to_table(filter=expr)
    df = table.to_pandas()
    if PARTITION_COLUMN in df.columns:
        df[PARTITION_COLUMN] = df[PARTITION_COLUMN].astype("Int64")
    return df
