"""`unroll forecast FILE.csv --column N --holdout 24`: one-step-ahead forecasts of a series by RNNs and a
fixed-window MLP, against the seasonal-naive forecast.

    unroll forecast airline-passengers.csv --column 1 --holdout 24 --plot forecast.png

FILE: CSV, one row per time step; --column: the 0-based column of the values (default: the last);
a first row that is not a number is a header. Scaling (log, then standardised) is fitted on the
training part only (everything before the holdout). Prints the test RMSE of each model
(see unroll.models.forecast).
"""
from __future__ import annotations

import csv
import os

import numpy as np

from .._extras import require
from ..errors import CommandError
from ..models.forecast import run_forecast
from ..nn import registry
from . import one_line_errors


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("forecast", help="forecast a series with RNNs vs the seasonal-naive forecast",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("data", metavar="FILE.csv")
    p.add_argument("--column", type=int, default=None, metavar="N", help="0-based column (default: the last)")
    p.add_argument("--holdout", type=int, default=24, metavar="N", help="test steps at the end (default 24)")
    p.add_argument("--window", type=int, default=12, metavar="K", help="past values each model reads (default 12)")
    p.add_argument("--season", type=int, default=12, metavar="S", help="seasonal-naive lag (default 12)")
    p.add_argument("--cell", choices=registry.names(), default="lstm")
    p.add_argument("--hidden", type=int, default=32, metavar="N")
    p.add_argument("--epochs", type=int, default=300, metavar="N")
    p.add_argument("--no-log", action="store_true", help="standardise without taking logs (values <= 0)")
    p.add_argument("--seed", type=int, default=0, metavar="S")
    p.add_argument("--plot", metavar="PNG")
    one_line_errors(p).set_defaults(func=run)


def read_column(path: str, column: int | None) -> np.ndarray:
    with open(path, newline="") as f:
        rows = [r for r in csv.reader(f) if r]
    if not rows:
        raise CommandError(f"{path}: expected CSV rows, got an empty file")
    index = len(rows[0]) - 1 if column is None else column
    values = []
    for number, row in enumerate(rows, 1):
        if not -len(row) <= index < len(row):
            raise CommandError(f"{path}:{number}: expected a column {index}, the row has {len(row)} columns")
        try:
            values.append(float(row[index]))
        except ValueError:
            if number == 1:
                continue  # a header
            raise CommandError(f"{path}:{number}: expected a number in column {index}, got {row[index]!r}") from None
    return np.array(values)


def run(args) -> int:
    if args.plot:
        require("matplotlib", "plot", "--plot")
    for name in ("holdout", "window", "season", "hidden", "epochs"):
        if getattr(args, name) < 1:
            raise CommandError(f"--{name}: expected an int >= 1, got {getattr(args, name)}")
    series = read_column(args.data, args.column)
    result = run_forecast(series, args.holdout, args.window, args.hidden, args.cell, args.epochs,
                          season=args.season, log=not args.no_log, seed=args.seed)
    print(f"{len(series)} values; the last {args.holdout} held out; window {args.window}, {args.cell} hidden {args.hidden}")
    for name, rmse in sorted(result.rmse.items(), key=lambda kv: kv[1]):
        print(f"{name:<20} test RMSE {rmse:10.3f}")
    if args.plot:
        from ..diagnostics.plots_text import plot_forecast
        print(f"plot: {plot_forecast(result, args.plot, title=os.path.basename(args.data))}")
    return 0
