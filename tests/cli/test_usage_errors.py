"""Usage errors are one line on stderr with exit status 2; every usage line names its arguments plainly.

Typer's own display of a usage error is a usage line, a hint and the message on three or
four lines (with Rich markup on, a boxed panel); Typer 0.29 also writes a required
argument as ``{SPEC}`` in the usage line. Both are checked on every command of the tree.
"""

from __future__ import annotations

import re

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from innometrics.cli.main import app

runner = CliRunner()


def _tree(cmd, path=()):
    yield path, cmd
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from _tree(sub, (*path, name))


COMMANDS = list(_tree(get_command(app)))
PATHS = [list(path) for path, _ in COMMANDS]
LEAVES = [list(path) for path, cmd in COMMANDS if not getattr(cmd, "commands", None)]
GROUPS = [list(path) for path, cmd in COMMANDS if getattr(cmd, "commands", None)]


def _one_error_line(result, path: list[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert "Traceback" not in result.output and "╭" not in result.stderr and "Usage:" not in result.stderr
    prefix = " ".join(["innometrics", *path]) + ": error: "
    assert lines[0].startswith(prefix) and lines[0].endswith(" (try --help)"), lines[0]
    return lines[0][len(prefix):]


def test_the_tree_has_every_command_group():
    assert {" ".join(p) for p in GROUPS} >= {"", "index", "rank", "panel", "records", "institutions", "views",
                                             "achievements"}
    assert len(LEAVES) >= 20


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "innometrics")
def test_unknown_option_is_one_line(path):
    result = runner.invoke(app, [*path, "--frobnicate"])
    assert _one_error_line(result, path).startswith("No such option: --frobnicate")


@pytest.mark.parametrize("path", [p for p in GROUPS], ids=lambda p: " ".join(p) or "innometrics")
def test_unknown_command_is_one_line(path):
    result = runner.invoke(app, [*path, "frobnicate"])
    assert _one_error_line(result, path).startswith("No such command 'frobnicate'")


@pytest.mark.parametrize("path", [p for p, cmd in COMMANDS if any(
    getattr(prm, "required", False) and prm.param_type_name == "argument" for prm in cmd.params)],
    ids=lambda p: " ".join(p))
def test_missing_argument_is_one_line(path):
    result = runner.invoke(app, path)
    assert _one_error_line(result, path).startswith("Missing argument '")


@pytest.mark.parametrize(("args", "message"), [
    (["index", "strengths", "x.toml", "--unit", "GBR", "--top", "zero", "--out", "o"], "Invalid value for '--top'"),
    (["index", "strengths", "x.toml", "--unit", "GBR", "--top", "0", "--out", "o"], "Invalid value for '--top'"),
    (["index", "leave-out", "no such spec.toml", "--out", "o"], "Invalid value for 'SPEC'"),
    (["rank", "build", "spec.toml", "--out"], "Option '--out' requires an argument"),
    (["index", "sensitivity", "spec.toml", "--runs", "many", "--out", "o"], "Invalid value for '--runs'"),
    (["trends", "p.csv", "--out", "o", "--report", "--no-report", "--scale", "ten"], "Invalid value for '--scale'"),
])
def test_bad_option_value_is_one_line(args, message):
    result = runner.invoke(app, args)
    assert _one_error_line(result, args[:2] if args[0] != "trends" else args[:1]).startswith(message)


def test_no_arguments_still_shows_the_help():
    for path in (["rank"], ["institutions"]):
        result = runner.invoke(app, path)
        assert "Usage: innometrics " + " ".join(path) in result.output and "Commands:" in result.output


USAGE = re.compile(r"^Usage: (innometrics(?: [a-z-]+)*) (.*)$", re.MULTILINE)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "innometrics")
def test_help_usage_line_names_arguments_without_braces(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    match = USAGE.search(result.output)
    assert match and match.group(1) == " ".join(["innometrics", *path]), result.output
    pieces = match.group(2).split()
    assert not [p for p in pieces if "{" in p or "}" in p], match.group(0)
    cmd = dict(COMMANDS)[tuple(path)]
    arguments = [prm for prm in cmd.params if prm.param_type_name == "argument"]
    expected = [(a.metavar or a.name.upper()) if a.required else f"[{a.metavar or a.name.upper()}]" for a in arguments]
    assert [p for p in pieces if p not in ("[OPTIONS]", "COMMAND", "[ARGS]...")] == expected, match.group(0)
    assert all(re.fullmatch(r"\[?[A-Z][A-Z0-9_]*\]?(\.\.\.)?", p) for p in expected), expected
    # the Arguments section lists the same names as the usage line
    for name in expected:
        assert re.search(rf"^  {re.escape(name.strip('[]'))} ", result.output, re.MULTILINE), result.output
