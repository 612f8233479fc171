"""Optional extras: check for one before any work starts, with a message naming the pip extra.

    require("matplotlib", extra="plot", why="--plot")    # at the top of a command, before training

Imports stay lazy (the module is imported where it is used); this only asks whether it can be.
"""
from __future__ import annotations

import importlib.util

from .errors import CommandError

__all__ = ["require", "MissingExtraError"]


class MissingExtraError(CommandError, ImportError):
    """An optional dependency is not installed; the message says which extra installs it."""


def require(module: str, extra: str, why: str = "this") -> None:
    """Raise MissingExtraError now if `module` cannot be imported (pip install 'unroll[extra]')."""
    if importlib.util.find_spec(module) is None:
        raise MissingExtraError(f"{why} needs {module}, which is not installed: "
                                f"pip install 'unroll[{extra}]' (or pip install {module})")
