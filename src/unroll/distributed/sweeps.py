"""Sweeps: many independent configurations (seeds, cells, clipping rules) run as Dask tasks.

    with connect() as client:
        results = map_tasks(train_one, jobs, client, desc="runs")   # [train_one(job) for job in jobs]

`map_tasks` is the one place the commands (`unroll lab --scheduler`, `unroll esn search`) turn a
list of jobs into tasks: `Client.map` submits them, a tqdm bar advances as each completes
(`as_completed`), and the results come back in the jobs' order, so the table printed afterwards
is the same as the one of a run in this process (client None runs the same jobs here, in order).
A job and its function must be picklable (module-level functions and plain data).
"""
from __future__ import annotations

from tqdm import tqdm

__all__ = ["map_tasks", "task_mapper"]


def map_tasks(fn, jobs, client=None, *, desc: str | None = None, progress: bool = True, retries: int = 1,
              bar=None) -> list:
    """[fn(job) for job in jobs], as Dask tasks on `client` (None: here, in order); results in
    the order of `jobs`. retries: Dask retries of a task that raises (a task on a worker that
    dies is rescheduled by the scheduler anyway). bar: a tqdm bar to advance instead of a new one
    (desc, progress). The first job to fail for good raises here and cancels the rest."""
    jobs = list(jobs)
    if bar is None:
        with tqdm(total=len(jobs), desc=desc, disable=not progress, unit="task", dynamic_ncols=True) as own:
            return map_tasks(fn, jobs, client, retries=retries, bar=own)
    if client is None:
        results = []
        for job in jobs:
            results.append(fn(job))
            bar.update(1)
        return results
    from distributed import as_completed
    futures = client.map(fn, jobs, pure=False, retries=retries)
    where = {future.key: k for k, future in enumerate(futures)}
    results = [None] * len(jobs)
    try:
        for future, result in as_completed(futures, with_results=True):
            results[where[future.key]] = result
            bar.update(1)
    finally:
        client.cancel(futures)  # a no-op for finished futures; stops the rest after an error
    return results


def task_mapper(client, desc: str | None = None, progress: bool = True):
    """A `map(fn, jobs) -> list` bound to a client (None: in process), for code that takes a mapper."""
    return lambda fn, jobs: map_tasks(fn, jobs, client, desc=desc, progress=progress)
