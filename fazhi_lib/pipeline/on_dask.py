"""Scale-out: the per-file work of a build on a Dask distributed cluster.

    fazhi build data/raw --dask local                 # a LocalCluster, one worker per core (--jobs)
    fazhi build /shared/raw --dask tcp://10.0.0.5:8786 --partition-by-year

Only the per-file work (read, clean, metadata, sections, report stages, tokens) runs on the
workers (`worker.parse_batch`); the cache lookups, the assembly into sorted tables and the corpus
stages run in the client, so the tables are the same, byte for byte, as a single-process build.

On a remote cluster the workers read the files themselves: the input folder must be visible to them
at the same absolute path (a shared file system, as on an HPC cluster), and they must have the
same fazhi (the client checks each worker's build signature before sending work).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from ..errors import FazhiError
from .cache import build_signature
from .worker import log_only, parse_batch, task_source_file, warm_up

BATCH_TIMEOUT = 3600.0  # seconds the client waits for the next batch before it gives up, with a message


def _worker_signature(env: dict[str, str]) -> str:
    """Run on every worker before any work: load the dictionary once, report the signature."""
    warm_up(env)
    return build_signature()


def _one_by_one(client, tasks: list[tuple], env: dict[str, str]) -> list:
    """The files of a batch whose worker died, each as its own task (the scheduler retries a task
    whose worker dies a few times): a file that still kills its worker is an `error` row."""
    futures = client.map(parse_batch, [[t] for t in tasks], env=env, pure=False)
    out = []
    for task, future in zip(tasks, futures):
        try:
            out.append(future.result(timeout=BATCH_TIMEOUT)[0])
        except Exception as exc:  # noqa: BLE001 - KilledWorker, or a lost cluster
            out.append(
                log_only(
                    task_source_file(task),
                    None,
                    "error",
                    f"the worker parsing this file died: out of memory? (Dask: {type(exc).__name__}); "
                    "the file was not parsed",
                )
            )
        future.release()
    return out


def connect(address: str, *, jobs: int):
    """(client, cluster): a new LocalCluster of `jobs` single-threaded worker processes for
    `"local"`, else a client of the scheduler at `address` (cluster None)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - both are dependencies of fazhi
        raise FazhiError("`--dask` needs the packages dask and distributed: pip install dask distributed.") from None
    if address == "local":
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
        )
        return Client(cluster), cluster
    try:
        return Client(address, timeout="20s"), None
    except (OSError, TimeoutError) as exc:
        raise FazhiError(
            f"Cannot reach the Dask scheduler at {address!r} ({exc}); start one with `dask scheduler` "
            "and workers with `dask worker ADDRESS`, or use `--dask local`."
        ) from None


def parse_on_dask(
    task_batches: list[list[tuple[str, str]]], address: str, *, jobs: int, env: dict[str, str]
) -> Iterator[tuple[int, list]]:
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
            raise FazhiError(
                f"The Dask workers cannot run fazhi ({type(exc).__name__}: {exc}); "
                "install the same fazhi on every worker."
            ) from None
        if not signatures:
            raise FazhiError(f"The Dask cluster at {address!r} has no workers; start some with `dask worker`.")
        stale = sorted(w for w, s in signatures.items() if s != expected)
        if stale:
            raise FazhiError(
                f"Dask workers {', '.join(stale)} run a different fazhi (code, rules or libraries) "
                "than this client; install the same version on every worker."
            )
        futures = client.map(parse_batch, task_batches, env=env, pure=False)
        number = {f.key: b for b, f in enumerate(futures)}
        try:
            for future in as_completed(futures, timeout=BATCH_TIMEOUT):
                b = number[future.key]
                try:
                    results = future.result()
                except Exception:  # noqa: BLE001 - a worker died on the batch (KilledWorker): file by file
                    results = _one_by_one(client, task_batches[b], env)
                yield b, results
                future.release()
        except TimeoutError:
            raise FazhiError(
                f"The Dask cluster at {address!r} returned no parsed batch for {BATCH_TIMEOUT:g} s; "
                "check that its workers are alive (`dask worker`) and build again."
            ) from None
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
