"""The long-term-dependency lab: train cells on the synthetic tasks with one budget and compare.

- `models`: the cells with the literature's initialisers (rnn, ornn, irnn, lstm, clstm, gru) and a
  one-layer model with a linear read-out;
- `tasks`: adding, copy, temporal order, sine -> square, with baselines and scores;
- `train`: a small task-specific loop (fresh batches, Adam, norm clipping, fixed test set);
- `report`: the comparison table and figures of `unroll lab TASK`;
- `explode`: exploding gradients with and without clipping (`unroll lab explode`).
"""
from .explode import run_explode, train_clipped
from .models import CELLS, LabModel, build_recurrent
from .report import format_table, run_lab
from .tasks import TASKS, Task, get_task, loss_and_grad
from .train import LabConfig, LabResult, evaluate, flow_on, train_cell

__all__ = [
    "CELLS", "LabModel", "build_recurrent", "TASKS", "Task", "get_task", "loss_and_grad",
    "LabConfig", "LabResult", "train_cell", "evaluate", "flow_on", "run_lab", "format_table",
    "run_explode", "train_clipped",
]
