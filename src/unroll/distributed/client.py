"""Connecting to Dask: a LocalCluster on this machine by default, or an existing scheduler.

    with connect() as client:                              # LocalCluster, 2 worker processes
        ...
    with connect("tcp://10.0.0.5:8786") as client:         # a cluster started elsewhere
        ...

Dask (`dask.distributed`) is the optional extra `unroll[distributed]`; it is imported here, when a
client is asked for, so the rest of unroll never needs it. Workers must be able to import unroll
(the same version, installed in their environment) and, for file inputs, read the same paths.
"""
from __future__ import annotations

import contextlib
import logging

from .._extras import require
from ..errors import InvalidValueError

__all__ = ["connect", "maybe_connect", "add_scheduler_arguments", "LOCAL", "NONE"]

LOCAL, NONE = "local", "none"  # --scheduler values: start a LocalCluster; no Dask at all


def _dask():
    require("distributed", extra="distributed", why="unroll.distributed")
    import distributed
    return distributed


@contextlib.contextmanager
def connect(scheduler: str | None = LOCAL, workers: int = 2, threads_per_worker: int = 1, processes: bool = True,
            quiet: bool = True, timeout: float = 20.0):
    """Yield a `distributed.Client`, closed on exit.

    scheduler: "local" or None (start a LocalCluster of `workers` worker processes, each with
    `threads_per_worker` threads, no dashboard; it is shut down on exit), or the address of a
    running scheduler ("tcp://host:8786"; on exit only this client disconnects, the cluster stays).
    processes: local workers as processes (True: real parallelism for NumPy-and-Python code, and a
    worker can die without taking this process with it) or threads. quiet: silence Dask's logs
    below ERROR. timeout: seconds to wait for a scheduler at an address.
    """
    distributed = _dask()
    if scheduler is None or scheduler == LOCAL:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise InvalidValueError(f"workers: expected an int >= 1, got {workers!r}")
        client = distributed.Client(n_workers=workers, threads_per_worker=threads_per_worker, processes=processes,
                                    dashboard_address=None, silence_logs=logging.ERROR if quiet else logging.WARNING)
    elif isinstance(scheduler, str) and scheduler != NONE:
        try:
            client = distributed.Client(scheduler, timeout=f"{timeout}s")
        except OSError as err:  # a wrong address: name it instead of a Dask traceback
            raise InvalidValueError(f"scheduler: expected the address of a running Dask scheduler "
                                    f"(tcp://host:port) or 'local', could not connect to {scheduler!r}: {err}") from None
    else:
        raise InvalidValueError(f"scheduler: expected 'local' or a scheduler address (tcp://host:port), got {scheduler!r}")
    try:
        yield client
    finally:
        client.close()


def maybe_connect(scheduler: str | None, workers: int = 2):
    """`connect(scheduler, workers)`, or a context yielding None for scheduler None / "none" (run
    in this process: no Dask needed). For commands whose default is to run here."""
    if scheduler is None or scheduler == NONE:
        return contextlib.nullcontext(None)
    return connect(scheduler, workers)


def add_scheduler_arguments(parser, default: str | None) -> None:
    """The CLI's --scheduler and --workers flags (default: `default`, "local" or None = in process)."""
    here = "in this process" if default is None else "a LocalCluster"
    parser.add_argument("--scheduler", default=default, metavar="ADDRESS",
                        help=f"run configurations as Dask tasks: 'local' (a LocalCluster of --workers processes), "
                             f"a scheduler address tcp://host:8786, or 'none' (in this process); default: {here}")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
