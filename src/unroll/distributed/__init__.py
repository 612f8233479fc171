"""Scale-out on Dask (the optional extra `unroll[distributed]`; see docs/distributed.md).

- `connect`: a Client on a LocalCluster (default) or an existing scheduler.
- `DataParallel`: the Trainer's gradient strategy that splits each batch over workers.
- `fit_esn`, `fit_esn_files`, `run_reservoir`, `predict_esn`: ridge readouts from X^T X and Y^T X
  accumulated per partition of many series, and reservoirs run over them, on workers.
- `map_tasks`, `esn_search`: configurations as Dask tasks with a progress bar (sweeps).

Dask is imported only when a client is made or used, so `import unroll.distributed` works without it.
"""
from .client import connect
from .data_parallel import DataParallel, batch_rows, split_batch, split_rows
from .reservoir import fit_esn, fit_esn_files, predict_esn, run_reservoir
from .sweeps import map_tasks

__all__ = ["connect", "DataParallel", "split_rows", "split_batch", "batch_rows", "fit_esn", "fit_esn_files",
           "run_reservoir", "predict_esn", "map_tasks"]
