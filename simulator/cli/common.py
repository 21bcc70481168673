"""What every command shares: error reporting, exit codes, atomic file output."""

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
from typing import Any, TypeVar

import typer

from simulator.errors import InputError, NumericalError, SimulatorError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """Global options (set by the app callback)."""

    debug: bool = False


def fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    """Print ``message`` to stderr and exit with ``code``."""
    typer.echo(f"bwsim: {message}", err=True)
    raise typer.Exit(code)


def reports_errors(command: F) -> F:
    """Turn simulator errors into a message and exit status 2 (traceback only with --debug)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (InputError, NumericalError) as exc:
            if State.debug:
                traceback.print_exc()
            label = "invalid input" if isinstance(exc, InputError) else "numerical problem"
            text = str(exc) if "\n" not in str(exc) else "\n" + str(exc)
            typer.echo(f"bwsim: {label}: {text}", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except SimulatorError as exc:
            if State.debug:
                traceback.print_exc()
            typer.echo(f"bwsim: {exc}", err=True)
            raise typer.Exit(EXIT_FAILED) from None
        except MemoryError:  # the budget (simulator/budget.py) should refuse such a run first: a last resort
            if State.debug:
                traceback.print_exc()
            typer.echo("bwsim: out of memory: the run needs more memory than this machine has "
                       "(use a larger dt, a shorter horizon or fewer samples)", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a fresh staging folder; on success its files are moved into ``target``.

    On any error nothing in ``target`` is created or changed.
    """
    target = Path(target)
    parent = target.parent if target.parent != Path("") else Path(".")
    if target.exists() and not target.is_dir():
        raise unwritable_path_error(target, NotADirectoryError("it is a file, not a folder"))
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

    return InputError(Problem(str(path), "", f"cannot write here: {exc.strerror or exc}",
                              "choose a folder you can write to"))


def echo_warnings(warnings: list[str]) -> None:
    """Print each warning to stderr as ``bwsim: warning: ...`` (the run goes on)."""
    for warning in warnings:
        typer.echo(f"bwsim: warning: {warning}", err=True)


def is_terminal() -> bool:
    """True when standard error is an interactive terminal (progress bars only then)."""
    return sys.stderr.isatty()
