"""Commands loaded when chosen: ``bwsim validate`` imports the validation code, not scipy or numba.

Each command module imports what it needs (numpy, pandas, scipy, numba, the
calibration code, ...) at its top. Importing them all before parsing the
arguments cost every command 2-4 s of start-up. :class:`LazyGroup` knows only
where each command lives and imports that module when the command runs or its
own ``--help`` is asked for. The command list of ``bwsim --help`` is made from
the source files (the functions' docstrings, a sub-application's ``help=``),
read with :mod:`ast` instead of imported, so it says exactly what the commands
say about themselves.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import importlib.util
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

try:  # typer >= 0.2x carries its own copy of click
    from typer._click.core import Command, Context
    from typer._click.exceptions import UsageError
except ImportError:  # pragma: no cover (older typer: click itself)
    # the same classes under their older home; mypy sees two declarations of one name
    from click import Command, Context, UsageError  # type: ignore[assignment]

from simulator.cli.language import (
    LocalContext,
    chosen_language,
    current_language,
    help_texts,
    localize,
    reworded,
    speaking,
)
from simulator.messages import translate


@dataclass(frozen=True)
class LazyCommand:
    """Where a command is: ``module``'s ``attribute``, a command function or a :class:`typer.Typer` (a group)."""

    module: str
    attribute: str


COMMANDS: dict[str, LazyCommand] = {}
"""The commands of ``bwsim``, in the order ``--help`` lists them (filled by :mod:`simulator.cli.main`)."""


@cache
def _source_help(command: LazyCommand) -> str:
    """The help text a command gives itself, read from its module's source without importing it."""
    spec = importlib.util.find_spec(command.module)
    if spec is None or spec.origin is None:
        return ""
    with open(spec.origin, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), spec.origin)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == command.attribute:
            return ast.get_docstring(node) or ""
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == command.attribute for t in node.targets)
            and isinstance(node.value, ast.Call)
        ):
            for keyword in node.value.keywords:
                if keyword.arg == "help" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return ""


def _load(name: str, command: LazyCommand) -> Command:
    """Import the command's module and build its click command (a group for a sub-application)."""
    target = getattr(importlib.import_module(command.module), command.attribute)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer(add_completion=False)
    single.command(name)(target)
    return typer.main.get_command(single)


class LazyGroup(TyperGroup):
    """The ``bwsim`` group: commands of :data:`COMMANDS` imported on first use.

    Its help, its commands' and click's usage errors are in the language the arguments ask for
    (:mod:`simulator.cli.language`; Dutch by default).
    """

    _listing = False
    context_class = LocalContext

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        language = chosen_language(args)
        with speaking(language):
            localize(self, language)
            return super().main(args, *rest, **options)

    def make_context(self, info_name: str | None, args: list[str], parent: Context | None = None, **extra: Any) -> Any:
        make = super().make_context
        return reworded(lambda: make(info_name, args, parent, **extra), current_language())

    def invoke(self, ctx: Context) -> Any:
        invoke = super().invoke
        return reworded(lambda: invoke(ctx), current_language())

    def list_commands(self, ctx: Context) -> list[str]:
        return [*super().list_commands(ctx), *(name for name in COMMANDS if name not in self.commands)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # the list of commands in --help: their own words, nothing imported
            return TyperCommand(cmd_name, help=translate(_source_help(COMMANDS[cmd_name]), current_language()))
        command = localize(_load(cmd_name, COMMANDS[cmd_name]), current_language(), ctx)
        self.add_command(command, cmd_name)
        return command

    def resolve_command(self, ctx: Context, args: list[str]) -> tuple[str | None, Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except UsageError as error:  # typer suggests among loaded commands only: suggest among all
            matches = difflib.get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if self.suggest_commands and matches and "Did you mean" not in error.message:
                error.message = f"{error.message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"
            raise

    def format_help(self, ctx: Context, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def all_help_texts(group: Command) -> list[str]:
    """Every help text ``bwsim`` can show (``group`` is its click group), every command imported: the
    message ids the Dutch catalog must translate (``tests/core/test_messages.py``)."""
    texts = help_texts(group)
    for name, command in COMMANDS.items():
        texts += [_source_help(command), *help_texts(_load(name, command))]
    return list(dict.fromkeys(text for text in texts if text))
