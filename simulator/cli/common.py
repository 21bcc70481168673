"""What every command shares: the --lang option, error reporting, exit codes, atomic file output.

Everything a command prints for people is in its ``--lang`` (Dutch by default):
messages are :func:`simulator.messages.msg` texts, translated here with
:func:`say` and, for errors and warnings, by :func:`reports_errors` and :func:`warn`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar

import typer

from simulator.errors import InputError, NumericalError, SimulatorError, error_text
from simulator.messages import msg, translate

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

Lang = Literal["nl", "en"]
"""The type of every command's ``--lang``: typer refuses any other value up front (exit 2)."""


def language_option() -> Any:
    """The ``--lang`` option every command has: Dutch by default, English on request."""
    return typer.Option("nl", "--lang", help="Language of what is printed: nl (default) or en.")


def say(text: object, language: str) -> None:
    """Print ``text`` (a :func:`~simulator.messages.msg` or plain text) in ``language`` to stdout."""
    typer.echo(translate(text, language))


def warn(text: object, language: str) -> None:
    """Print a warning in ``language`` to stderr: ``bwsim: warning: ...``."""
    typer.echo("bwsim: " + translate(msg("warning: {text}", text=text), language), err=True)

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """Global options (set by the app callback)."""

    debug: bool = False


class Refused(Exception):
    """A command refuses its options: :func:`reports_errors` prints the message in the command's language."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT):
        super().__init__(message)
        self.message, self.code = message, code


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Stop the command: ``message`` (a :func:`~simulator.messages.msg`) goes to stderr, exit status ``code``.

    Only inside a command decorated with :func:`reports_errors`, which prints it.
    """
    raise Refused(message, code)


def reports_errors(command: F) -> F:
    """Turn simulator errors into a message in the command's ``--lang`` and exit status 2.

    Tracebacks only with --debug.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        language = kwargs.get("language") or "nl"
        try:
            return command(*args, **kwargs)
        except Refused as exc:
            typer.echo(f"bwsim: {translate(exc.message, language)}", err=True)
            raise typer.Exit(exc.code) from None
        except (InputError, NumericalError) as exc:
            if State.debug:
                traceback.print_exc()
            label = msg("invalid input") if isinstance(exc, InputError) else msg("numerical problem")
            text = error_text(exc, language)
            text = text if "\n" not in text else "\n" + text
            typer.echo(f"bwsim: {translate(label, language)}: {text}", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except SimulatorError as exc:
            if State.debug:
                traceback.print_exc()
            typer.echo(f"bwsim: {error_text(exc, language)}", err=True)
            raise typer.Exit(EXIT_FAILED) from None

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a fresh staging folder; on success its files are moved into ``target``.

    On any error nothing in ``target`` is created or changed.
    """
    target = Path(target)
    parent = target.parent if target.parent != Path("") else Path(".")
    if target.exists() and not target.is_dir():
        raise unwritable_path_error(target, NotADirectoryError(msg("it is a file, not a folder")))
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".bwsim-", dir=parent))
    except OSError as exc:
        raise unwritable_path_error(target, exc) from None
    try:
        yield staging
        target.mkdir(parents=True, exist_ok=True)
        for item in staging.iterdir():
            os.replace(item, target / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; it replaces ``target`` on success."""
    target = Path(target)
    with atomic_directory(target.parent if str(target.parent) else Path(".")) as staging:
        yield staging / target.name


def unwritable_path_error(path: Path, exc: OSError) -> InputError:
    """An :class:`InputError` for an output path that cannot be written."""
    from simulator.errors import Problem

    reason = exc.strerror or (exc.args[0] if len(exc.args) == 1 else str(exc))
    return InputError(Problem(str(path), "", msg("cannot write here: {reason}", reason=reason),
                              msg("choose a folder you can write to")))


def is_terminal() -> bool:
    """True when standard error is an interactive terminal (progress bars only then)."""
    return sys.stderr.isatty()
