"""Subcommands of the `unroll` command, one module each (see unroll.cli)."""


def one_line_errors(parser):
    """Make argparse report a bad argument as one line, `unroll <command>: error: ...`, exit code 2
    (instead of the usage text first), like every other error of the command."""
    def error(message):
        parser.exit(2, f"{parser.prog}: error: {message}\n")
    parser.error = error
    return parser
