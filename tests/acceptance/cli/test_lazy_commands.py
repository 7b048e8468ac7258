"""Commands load when they run: ``retentio --help`` imports no heavy library, and the help it lists
is each command's own."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from retentio.cli import app
from retentio.cli.app import COMMANDS

HEAVY = ("numpy", "polars", "scipy", "pandas", "fastapi", "uvicorn", "sqlalchemy", "retentio.sim")
PROBE = """
import sys
from retentio.cli import main
sys.argv = ["retentio", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("loaded:" + ",".join(name for name in {heavy!r} if name in sys.modules), file=sys.stderr)
"""


def loaded_after(*arguments: str) -> list[str]:
    probe = PROBE.format(heavy=HEAVY)
    result = subprocess.run(
        [sys.executable, "-c", probe, *arguments], capture_output=True, text=True, timeout=60, check=True
    )
    report = result.stderr.strip().splitlines()[-1].removeprefix("loaded:")
    return [name for name in report.split(",") if name]


def test_help_imports_no_heavy_library() -> None:
    assert loaded_after("--help") == []


def test_a_command_loads_only_what_it_uses() -> None:
    # when: a command's own help loads that command, and not the others' libraries
    loaded = loaded_after("stats", "--help")
    # then
    assert loaded == ["sqlalchemy"]


def test_the_listed_help_is_each_command_s_own() -> None:
    # given
    runner = CliRunner()
    for name, spec in COMMANDS.items():
        # when
        command = spec.load(name)
        # then
        assert command.help is not None, name
        assert " ".join(command.help.split()).startswith(spec.help), name
        assert runner.invoke(app, [name, "--help"]).exit_code == 0, name


def test_every_command_is_listed_in_the_root_help() -> None:
    # when
    result = CliRunner().invoke(app, ["--help"])
    # then
    assert result.exit_code == 0
    assert all(name in result.output for name in COMMANDS)
    listed = [
        line.split()[1] for line in result.output.splitlines() if line.startswith("│ ") and "  " in line
    ]
    assert [name for name in listed if name in COMMANDS] == list(COMMANDS)


def complete(*words: str) -> list[str]:
    """What bash completion offers after ``retentio WORDS`` (the last word is being typed)."""
    environment = {
        "COMP_WORDS": " ".join(("retentio", *words)),
        "COMP_CWORD": str(len(words)),
        "_RETENTIO_COMPLETE": "complete_bash",
    }
    result = CliRunner().invoke(app, [], env=environment, prog_name="retentio")
    return result.output.split()


def test_shell_completion_reaches_the_options_of_a_command_not_yet_loaded() -> None:
    # when / then
    assert "segments" in complete("se")
    assert {"create", "refresh", "show", "export"} <= set(complete("segments", ""))
    assert {"--db", "--customers", "--days", "--seed", "--json"} <= set(complete("demo", "--"))


def test_completion_is_installed_from_the_root_only() -> None:
    # when
    root_help = CliRunner().invoke(app, ["--help"]).output
    command_help = CliRunner().invoke(app, ["demo", "--help"]).output
    # then
    assert "--install-completion" in root_help
    assert "--install-completion" not in command_help
    assert "--install-completion" not in complete("demo", "--")
