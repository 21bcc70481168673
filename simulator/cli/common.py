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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar

import typer

from simulator.errors import InputError, NumericalError, Problem, SimulatorError, error_text
from simulator.io.output_paths import InputFiles, check_outputs
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
        except MemoryError:  # the budget (simulator/budget.py) should refuse such a run first: a last resort
            if State.debug:
                traceback.print_exc()
            typer.echo(
                "bwsim: "
                + translate(
                    msg(
                        "out of memory: the run needs more memory than this machine has "
                        "(use a larger dt, a shorter horizon or fewer samples)"
                    ),
                    language,
                ),
                err=True,
            )
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def atomic_directory(target: Path, owned: Iterable[str] = (), inputs: InputFiles | None = None) -> Iterator[Path]:
    """Yield a fresh staging folder; on success its files replace those in ``target`` together.

    Parameters
    ----------
    target : Path
        The folder written (created when missing).
    owned : names
        Files of one run in ``target`` (``results.csv``, ``manifest.json``,
        ``ensemble.csv``): those this run does not write are removed, so the
        folder never mixes two runs.
    inputs : mapping, optional
        Files the command read (path -> what it is): none of them is replaced.

    Every target is checked before anything moves (a folder where a file
    goes, an input, a SQLite database: :class:`InputError`); a failure while
    moving puts the earlier files back. On any error nothing in ``target`` is
    created or changed.
    """
    target = Path(target)
    parent = target.parent if target.parent != Path("") else Path(".")
    if target.exists() and not target.is_dir():
        raise InputError(
            Problem(
                str(target),
                "",
                msg("is a file, not a folder"),
                msg("give a folder for the output files; it is created when missing"),
            )
        )
    staging = _make_staging(parent, target)
    try:
        yield staging
        _commit(staging, target, owned, inputs)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _make_staging(parent: Path, target: Path) -> Path:
    blocker = next((p for p in (parent, *parent.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise InputError(
            Problem(
                str(target),
                "",
                msg("{blocker} is a file, not a folder", blocker=str(blocker)),
                msg("choose a path whose folders are folders"),
            )
        )
    try:
        parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".bwsim-", dir=parent))
    except OSError as exc:
        raise unwritable_path_error(target, exc) from None


def _commit(staging: Path, target: Path, owned: Iterable[str], inputs: InputFiles | None) -> None:
    """Move the staged files into ``target`` and remove ``owned`` files not staged: all of it or nothing."""
    names = sorted(item.name for item in staging.iterdir())
    stale = [n for n in owned if n not in names and os.path.lexists(target / n)]
    touched = [target / n for n in (*names, *stale)]
    check_outputs(touched, inputs)
    problems = [
        Problem(
            str(path),
            "",
            msg("is a folder where bwsim writes a file"),
            msg("remove or rename that folder, or choose another output path"),
        )
        for path in touched
        if path.is_dir() and not path.is_symlink()
    ]
    problems += [
        Problem(str(path), "", msg("is not a regular file"), msg("choose another output path"))
        for path in touched
        if path.exists() and not path.is_dir() and not path.is_file()
    ]
    if problems:
        raise InputError(problems)
    created = not target.exists()
    try:
        target.mkdir(parents=True, exist_ok=True)
        backup = Path(tempfile.mkdtemp(prefix=".bwsim-old-", dir=target))
    except OSError as exc:
        if created and target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        raise unwritable_path_error(target, exc) from None
    old: list[str] = []
    new: list[str] = []
    try:
        for name in (*names, *stale):
            if os.path.lexists(target / name):
                os.replace(target / name, backup / name)
                old.append(name)
        for name in names:
            os.replace(staging / name, target / name)
            new.append(name)
    except OSError as exc:
        for name in new:
            os.replace(target / name, staging / name)
        for name in old:
            os.replace(backup / name, target / name)
        shutil.rmtree(backup, ignore_errors=True)
        if created:
            shutil.rmtree(target, ignore_errors=True)
        raise unwritable_path_error(target, exc) from None
    shutil.rmtree(backup, ignore_errors=True)


@contextlib.contextmanager
def atomic_file(target: Path, inputs: InputFiles | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; it replaces ``target`` on success.

    ``inputs`` (path -> what it is) are the command's input files, which are never replaced.
    """
    target = Path(target)
    if target.is_dir():
        raise InputError(
            Problem(
                str(target),
                "",
                msg("is a folder, not a file"),
                msg("give the path of a file, e.g. one inside this folder"),
            )
        )
    with atomic_directory(target.parent if str(target.parent) else Path("."), inputs=inputs) as staging:
        yield staging / target.name


def unwritable_path_error(path: Path, exc: OSError) -> InputError:
    """An :class:`InputError` for an output path that cannot be written."""
    reason = exc.strerror or (exc.args[0] if len(exc.args) == 1 else str(exc))
    return InputError(
        Problem(
            str(path), "", msg("cannot write here: {reason}", reason=reason), msg("choose a folder you can write to")
        )
    )


def echo_warnings(warnings: list[str], language: str = "nl") -> None:
    """Print each warning to stderr as ``bwsim: warning: ...`` in ``language`` (the run goes on)."""
    for warning in warnings:
        warn(warning, language)


def is_terminal() -> bool:
    """True when standard error is an interactive terminal (progress bars only then)."""
    return sys.stderr.isatty()
