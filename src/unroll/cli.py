"""The `unroll` command. Each subcommand lives in `unroll.commands.<name>` and exposes
`add_parser(subparsers)`, which registers its arguments and sets `func(args) -> int`; every module of
that package is a subcommand, so adding one is adding its file.

Bad arguments or unusable data end in one clear line on stderr and exit code 2: argparse's errors,
unroll's own validation errors (`unroll.errors`), and files that cannot be read or written. Anything
else is a bug and keeps its traceback.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from . import commands
from .errors import CommandError, UnrollError

# The subcommands, in the order `unroll --help` lists them: the main job first, then the rest by name.
FIRST = ("demo", "train", "sample", "eval")


def command_names() -> list[str]:
    found = {m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_")}
    return [n for n in FIRST if n in found] + sorted(found - set(FIRST))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="unroll", description="Recurrent networks by hand in NumPy.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in command_names():
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
