"""Read a user's input file safely: regular files only, and never more than a bounded size.

A path a user gives may name a device (``/dev/zero`` never ends), a FIFO (reading
waits forever for a writer), a socket or a directory. These are refused by
their type, from ``stat``, before the file is opened for reading; a regular file
is read up to its size limit (a file that grows while it is read, or a
``/proc`` file that reports size 0, still stops at the limit).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from simulator.errors import InputError, Problem
from simulator.messages import msg

_KINDS = (
    (stat.S_ISDIR, msg("is a directory, not a file")),
    (stat.S_ISCHR, msg("is a device, not a file")),
    (stat.S_ISBLK, msg("is a device, not a file")),
    (stat.S_ISFIFO, msg("is a named pipe (FIFO), not a file")),
    (stat.S_ISSOCK, msg("is a socket, not a file")),
)


def too_large(name: str, max_bytes: int, what: str = msg("file")) -> InputError:
    """The error for a file above ``max_bytes`` (bytes), naming the limit."""
    return InputError(
        Problem(
            name,
            "",
            msg("the {what} is larger than the limit of {mb:g} MB", what=what, mb=max_bytes / 1_000_000),
            msg("split it, or check that this is the right file"),
        )
    )


def read_input_bytes(path: str | Path, max_bytes: int, what: str = msg("file")) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    Parameters
    ----------
    path : str or Path
        The file, as the user wrote it (used in messages).
    max_bytes : int
        Largest size read, in bytes.
    what : str
        What the file is, for the messages (``msg("model or scenario file")``, ...).

    Raises
    ------
    InputError
        Missing, unreadable, not a regular file (folder, device, FIFO, socket),
        or larger than ``max_bytes``.
    """
    name = str(path)
    try:
        mode = os.stat(path).st_mode  # follows symbolic links, as opening would
    except FileNotFoundError:
        raise InputError(Problem(name, "", msg("file not found"), msg("check the path"))) from None
    except OSError as exc:
        raise InputError(
            Problem(name, "", msg("cannot read the file: {reason}", reason=exc.strerror or str(exc)))
        ) from None
    hint = msg("give the path of a {what}", what=what)
    for is_kind, message in _KINDS:
        if is_kind(mode):
            raise InputError(Problem(name, "", message, hint))
    if not stat.S_ISREG(mode):
        raise InputError(Problem(name, "", msg("is not a regular file"), hint))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # if it was swapped for a FIFO since: never wait
    try:
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise InputError(Problem(name, "", msg("is not a regular file"), hint))
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(
            Problem(name, "", msg("cannot read the file: {reason}", reason=exc.strerror or str(exc)))
        ) from None
    if len(raw) > max_bytes:
        raise too_large(name, max_bytes, what)
    return raw
