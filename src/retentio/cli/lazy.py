"""Commands loaded when they run: ``retentio --help`` and every command import only what they use.

Each area's commands pull in heavy libraries (Polars, SciPy, FastAPI, the simulator); importing all
of them took a second on every start. The root group knows each command by name and one line of help,
and imports the command's module only when that command is the one being run (or its own ``--help``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True, slots=True)
class LazyCommand:
    """``target`` is ``"module:attribute"``: a ``typer.Typer`` (a group) or a command function."""

    target: str
    help: str

    def load(self, name: str) -> Any:
        module_name, attribute = self.target.split(":")
        found = getattr(importlib.import_module(module_name), attribute)
        if isinstance(found, typer.Typer):
            return typer.main.get_group(found)
        single = typer.Typer(add_completion=False)  # completion is installed from the root only
        single.command(name)(found)
        return typer.main.get_command(single)


def _as_loaded(command: Any) -> Any:
    return command


class LazyGroup(TyperGroup):
    """A group whose ``lazy`` commands are imported on first use; ``with_commands`` makes one, and
    ``prepare`` (when given) adjusts each command once loaded (the root lends its options)."""

    lazy: ClassVar[dict[str, LazyCommand]] = {}
    prepare: ClassVar[Callable[[Any], Any]] = staticmethod(_as_loaded)

    @classmethod
    def with_commands(
        cls, lazy: dict[str, LazyCommand], prepare: Callable[[Any], Any] = _as_loaded
    ) -> type[LazyGroup]:
        return type("RetentioGroup", (cls,), {"lazy": dict(lazy), "prepare": staticmethod(prepare)})

    def list_commands(self, ctx: Any) -> list[str]:
        loaded = super().list_commands(ctx)
        return [*loaded, *(name for name in self.lazy if name not in loaded)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """For listing help, a stand-in with the one-line help; ``resolve_command`` loads the real one."""
        spec = self.lazy.get(cmd_name)
        if spec is None:
            return super().get_command(ctx, cmd_name)
        return TyperCommand(cmd_name, help=spec.help, short_help=spec.help)

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name in self.lazy:
            command = self.loaded(name)
        return name, command, rest

    def loaded(self, name: str) -> Any:
        command = self.commands.get(name)
        if command is None:
            command = self.commands[name] = type(self).prepare(self.lazy[name].load(name))
        return command
