"""Subcommands of the `unroll` command, one module each (see unroll.cli)."""
