"""The `unroll` command's error policy: a user's mistake (unroll's own validation, a bad file, a bad
argument) is one line and exit code 2; a bug in unroll keeps its traceback."""
import ast
import pathlib

import pytest

from unroll import cli
from unroll.errors import CommandError, InvalidValueError


def run_with(monkeypatch, error):
    def func(args):
        raise error
    parser = cli.build_parser()
    args = parser.parse_args(["gradcheck"])
    args.func = func
    monkeypatch.setattr(cli, "build_parser", lambda: type("P", (), {"parse_args": lambda self, argv: args})())
    return cli.main(["gradcheck"])


@pytest.mark.parametrize("error", [InvalidValueError("lengths: expected (3,), got (2,)"),
                                   CommandError("--cells: expected ..."), FileNotFoundError("no such file: x.txt")])
def test_user_errors_are_one_line_and_exit_2(monkeypatch, capsys, error):
    assert run_with(monkeypatch, error) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("unroll gradcheck: error: ")


@pytest.mark.parametrize("bug", [ValueError("operands could not be broadcast"), TypeError("'<' not supported"),
                                 KeyError("weight")])
def test_bugs_keep_their_traceback(monkeypatch, bug):
    with pytest.raises(type(bug)):
        run_with(monkeypatch, bug)


def test_every_command_module_is_a_subcommand_and_none_imports_cli():
    names = cli.command_names()
    assert names[:4] == ["demo", "train", "sample", "eval"] and {"gradcheck", "lab", "esn"} <= set(names)
    for path in pathlib.Path(cli.commands.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        assert not any(m == "cli" or m.endswith(".cli") for m in imported), f"{path.name} imports cli (a cycle)"
