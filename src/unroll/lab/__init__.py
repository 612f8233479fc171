"""The long-term-dependency lab: train cells on the synthetic tasks with one budget and compare.

- `models`: the cells with the literature's initialisers (rnn, ornn, irnn, lstm, clstm, gru) and a
  one-layer model with a linear read-out (`LabModel`, a `Sequential`);
- `tasks`: adding, copy, temporal order, sine -> square, with baselines and scores;
- `train`: the tasks as objectives of `unroll.training.Trainer` (fresh batches, fixed test set),
  and `train_cell` (Adam, norm clipping, gradient flow before and after);
- `report`: the comparison table and figures of `unroll lab TASK`;
- `explode`: exploding gradients with and without clipping (`unroll lab explode`).
"""
from .explode import ExplodeConfig, run_explode, train_clipped
from .models import CELLS, LabModel, build_recurrent
from .report import format_table, run_lab
from .tasks import TASKS, Task, get_task, loss_and_grad
from .train import FixedBatches, LabConfig, LabResult, TaskBatches, TaskObjective, flow_on, train_cell

__all__ = [
    "CELLS", "LabModel", "build_recurrent", "TASKS", "Task", "get_task", "loss_and_grad",
    "TaskObjective", "TaskBatches", "FixedBatches", "LabConfig", "LabResult", "train_cell", "flow_on",
    "run_lab", "format_table", "ExplodeConfig", "run_explode", "train_clipped",
]
