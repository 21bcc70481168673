"""Output paths that must never replace what a command reads: its input files or a database.

Every command that writes (``--out``) asks :func:`check_outputs` before it
runs and again just before it moves its files into place. A target is refused
when it is the same file as one of the command's inputs (compared with
:func:`os.path.samefile`, so links and ``..`` do not fool it) or when it is a
SQLite database (recognised by its header bytes, whoever made it).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from simulator.errors import InputError, Problem
from simulator.messages import msg

InputFiles = Mapping[str, str] | Mapping[Path, str] | Mapping[str | Path, str]
"""Files a command reads, each with what it is (none may be overwritten by an output)."""

SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""

SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
"""Suffixes of the files SQLite keeps beside a database while it is in use."""


def is_sqlite_file(path: str | Path) -> bool:
    """True when ``path`` is a regular file that starts with the SQLite header."""
    try:
        if not Path(path).is_file():
            return False
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when ``a`` and ``b`` name the same file (an existing one by inode, else by resolved path)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        pass
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError):
        return False


def database_files(path: str | Path) -> dict[Path, str]:
    """A SQLite database and the files SQLite keeps beside it, each with what it is (for messages)."""
    path = Path(path)
    files: dict[Path, str] = {path: msg("the workshop database")}
    companion = msg("a file of the workshop database")
    files.update({Path(f"{path}{suffix}"): companion for suffix in SQLITE_COMPANIONS})
    return files


def output_problems(
    targets: Iterable[str | Path], inputs: InputFiles | None = None, option: str = "--out"
) -> list[Problem]:
    """Why each target may not be written: it is an input (``inputs`` maps path -> what it is) or a database."""
    problems = []
    for target in targets:
        clash = next(((path, role) for path, role in (inputs or {}).items() if same_file(target, path)), None)
        if clash is not None:
            problems.append(
                Problem(
                    str(target),
                    option,
                    msg("would overwrite {what} {path}", what=clash[1], path=str(clash[0])),
                    msg("write to a new file; bwsim never replaces a file it reads"),
                )
            )
        elif is_sqlite_file(target):
            problems.append(
                Problem(
                    str(target),
                    option,
                    msg("is a SQLite database; writing here would replace it"),
                    msg("choose another file name"),
                )
            )
    return problems


def check_outputs(targets: Iterable[str | Path], inputs: InputFiles | None = None, option: str = "--out") -> None:
    """Refuse (:class:`InputError`, every clash at once) targets that would replace an input or a database.

    Parameters
    ----------
    targets : paths
        The files the command is about to write.
    inputs : mapping, optional
        Every file the command reads, each with what it is ("the model", "the
        scenario", ...), as said in the message.
    option : str
        The option that named the targets, for the message.
    """
    problems = output_problems(targets, inputs, option)
    if problems:
        raise InputError(problems)
