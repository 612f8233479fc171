"""unroll's own exception types.

Every check of user input in unroll raises one of these. They subclass the built-in ValueError and
TypeError, so `except ValueError` keeps working, and they let the `unroll` command tell a user's
mistake (one line, exit code 2) from a bug in unroll (a traceback).
"""
from __future__ import annotations

__all__ = ["UnrollError", "InvalidValueError", "InvalidTypeError", "CommandError"]


class UnrollError(Exception):
    """Base of unroll's own errors: bad input, named with what was expected and what came."""


class InvalidValueError(UnrollError, ValueError):
    """A value of the right type but wrong: a shape, a length, a range, an option, NaN."""


class InvalidTypeError(UnrollError, TypeError):
    """An argument of the wrong type or dtype."""


class CommandError(UnrollError):
    """A user-facing failure of an `unroll` subcommand: printed as one line, exit code 2."""
