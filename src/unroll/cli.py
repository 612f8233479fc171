"""The `unroll` command. Each subcommand lives in `unroll.commands.<name>` and exposes
`add_parser(subparsers)`, which registers its arguments and sets `func(args) -> int`.

Bad arguments or unusable data end in one clear line on stderr and exit code 2: argparse's errors,
unroll's own validation errors (`unroll.errors`), and files that cannot be read or written. Anything
else is a bug and keeps its traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from .errors import CommandError, UnrollError

# One entry per subcommand module; add yours here.
COMMANDS = [
    "demo",
    "train",
    "sample",
    "eval",
    "gradcheck",
    "esn",
    "lab",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="unroll", description="Recurrent networks by hand in NumPy.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"unroll.commands.{name}").add_parser(subparsers)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (UnrollError, OSError) as err:  # CommandError is an UnrollError
        print(f"unroll {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
