"""The command line's own words in the reader's language: help texts, click's headings and usage errors.

Every command prints in its ``--lang`` (Dutch by default), and so do ``bwsim --help``, a command's
``--help`` and click's usage errors (a missing argument, an unknown option, a value of the wrong
kind). Click parses ``--help`` and refuses bad arguments before any command has read its
``--lang``, so the language is read from the arguments first (:func:`chosen_language`: the last
``--lang``; ``bwsim --lang en --help`` too, the top-level option of :mod:`simulator.cli.main`).

The texts are message ids of the Dutch catalog (``simulator/locale``): a command's help is its
docstring or ``help=`` text, each option's its ``help=``; typer's headings and click's errors are
the :func:`~simulator.messages.msg` templates below. :func:`localize` puts the translations into a
freshly built command before it is shown (:mod:`simulator.cli.lazy` builds each command for one
invocation), :func:`click_words` sets typer's headings for the length of one invocation, and
:func:`translated_error` rewrites click's English error text. Nothing here imports a command.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from simulator.messages import LANGUAGES, SOURCE_LANGUAGE, msg, translate

try:  # typer >= 0.2x carries its own copy of click
    from typer._click.core import Command, Context
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
    from typer._click.formatting import HelpFormatter
except ImportError:  # pragma: no cover (older typer: click itself)
    from click import Command, Context, HelpFormatter, UsageError  # type: ignore[assignment]
    from click.exceptions import NoArgsIsHelpError  # type: ignore[assignment]

DEFAULT_LANGUAGE = "nl"

_current = [DEFAULT_LANGUAGE]
"""The language of the invocation running now (set by :func:`speaking`)."""


def chosen_language(args: Sequence[str]) -> str:
    """The language the arguments ask for: the value of the last ``--lang`` (``--lang en``, ``--lang=en``).

    Dutch when there is none or it is no language bwsim speaks (click then refuses that value, in Dutch).
    Arguments after ``--`` are not options.
    """
    language = DEFAULT_LANGUAGE
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = arg[len("--lang=") :] if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        if value is not None:
            language = value if value in LANGUAGES else DEFAULT_LANGUAGE
    return language


def current_language() -> str:
    """The language of the running invocation."""
    return _current[-1]


TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": msg("Arguments"),
    "OPTIONS_PANEL_TITLE": msg("Options"),
    "COMMANDS_PANEL_TITLE": msg("Commands"),
    "ERRORS_PANEL_TITLE": msg("Error"),
    "ABORTED_TEXT": msg("Aborted."),
    "REQUIRED_LONG_STRING": msg("[required]"),
    "DEFAULT_STRING": msg("[default: {{}}]"),
    "RICH_HELP": msg("Try [blue]'{{command_path}} {{help_option}}'[/] for help."),
}
"""typer's headings and notes in its help and error panels (``typer.rich_utils``), by their names there."""

USAGE = msg("Usage: ")


_originals: list[dict[str, Any] | None] = []
"""Per :func:`speaking` block: typer's own words once they were replaced, to be put back."""


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """Within the block :func:`current_language` is ``language`` (and typer's headings, once shown)."""
    _current.append(language)
    _originals.append(None)
    try:
        yield
    finally:
        _current.pop()
        words = _originals.pop()
        rich_utils = sys.modules.get("typer.rich_utils")
        for name, value in (words or {}).items():
            setattr(rich_utils, name, value)


def _use_typer_words() -> None:
    """typer's headings in the current language, within a :func:`speaking` block; only when typer's panels
    are being drawn (``rich_utils`` is imported then: importing it for every command would load rich)."""
    rich_utils = sys.modules.get("typer.rich_utils")
    if rich_utils is None or not _originals:
        return
    words = _originals[-1]
    if words is None:
        words = _originals[-1] = {name: getattr(rich_utils, name) for name in TYPER_WORDS if hasattr(rich_utils, name)}
    for name in words:
        setattr(rich_utils, name, translate(TYPER_WORDS[name], current_language()))


class LocalFormatter(HelpFormatter):
    """click's formatter with its ``Usage:`` in the invocation's language.

    typer draws a help or error panel after the usage line, so its headings are set here too.
    """

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        _use_typer_words()
        super().write_usage(prog, args, translate(USAGE, current_language()) if prefix is None else prefix)


class LocalContext(Context):
    """A context whose help and usage lines use :class:`LocalFormatter`."""

    formatter_class = LocalFormatter


def _translated(text: str | None, language: str) -> str | None:
    return text if not text else translate(text, language)


def localize(command: Command, language: str, parent: Context | None = None) -> Command:
    """``command`` (and its subcommands) with help texts in ``language``, usage lines too; changed in place.

    Only for a command built for this invocation (:mod:`simulator.cli.lazy` builds each one per call).
    """
    command.context_class = LocalContext
    ctx = LocalContext(command, parent=parent, **command.context_settings)
    option = command.get_help_option(ctx)  # made now, so that "Show this message and exit." is translated too
    command.help = _translated(command.help, language)
    command.short_help = _translated(command.short_help, language)
    for param in [*command.params, *([option] if option is not None else [])]:
        if getattr(param, "help", None):
            param.help = translate(param.help, language)  # type: ignore[attr-defined]
    for sub in getattr(command, "commands", {}).values():
        localize(sub, language, ctx)
    return command


def help_texts(command: Command, parent: Context | None = None) -> list[str]:
    """Every help text ``command`` shows (its own, its options', its subcommands'), in English: the
    message ids of :func:`localize` (``tests/core/test_messages.py`` checks each has a translation)."""
    ctx = Context(command, parent=parent, **command.context_settings)
    option = command.get_help_option(ctx)
    texts = [command.help or "", command.short_help or ""]
    texts += [getattr(param, "help", None) or "" for param in [*command.params, *([option] if option else [])]]
    for sub in getattr(command, "commands", {}).values():
        texts += help_texts(sub, ctx)
    return [text for text in texts if text]


_REASONS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"(?:Value error, )?(?P<value>.*) is not one of (?P<choices>.*)\.", re.S),
        lambda m: msg("{value} is not one of {choices}.", value=m["value"], choices=m["choices"]),
    ),
    (re.compile(r"Input should be a valid integer.*", re.S), lambda m: msg("a whole number is expected")),
    (re.compile(r"Input should be a valid number.*", re.S), lambda m: msg("a number is expected")),
    (re.compile(r"Input should be a valid boolean.*", re.S), lambda m: msg("true or false is expected")),
]
"""Why a value was refused (typer's and pydantic's words after "Invalid value for ...: ")."""


def _reason(text: str) -> str:
    for pattern, message in _REASONS:
        match = pattern.fullmatch(text)
        if match:
            return message(match)
    return text


_ERRORS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Missing argument (?P<name>.+)\.", re.S), lambda m: msg("Missing argument {name}.", name=m["name"])),
    (re.compile(r"Missing option (?P<name>.+)\.", re.S), lambda m: msg("Missing option {name}.", name=m["name"])),
    (re.compile(r"Missing command\."), lambda m: msg("Missing command.")),
    (
        re.compile(r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.*)\)", re.S),
        lambda m: msg("No such option: {name} (possible options: {options})", name=m["name"], options=m["options"]),
    ),
    (re.compile(r"No such option: (?P<name>.+)", re.S), lambda m: msg("No such option: {name}", name=m["name"])),
    (
        re.compile(r"No such command (?P<name>'.*')\. Did you mean (?P<matches>.*)\?", re.S),
        lambda m: msg("No such command {name}. Did you mean {matches}?", name=m["name"], matches=m["matches"]),
    ),
    (re.compile(r"No such command (?P<name>'.*')\.", re.S), lambda m: msg("No such command {name}.", name=m["name"])),
    (
        re.compile(r"Option (?P<name>'.*') requires an argument\.", re.S),
        lambda m: msg("Option {name} requires a value.", name=m["name"]),
    ),
    (
        re.compile(r"Option (?P<name>'.*') requires (?P<count>\d+) arguments\.", re.S),
        lambda m: msg("Option {name} requires {count} values.", name=m["name"], count=m["count"]),
    ),
    (
        re.compile(r"Option (?P<name>'.*') does not take a value\.", re.S),
        lambda m: msg("Option {name} does not take a value.", name=m["name"]),
    ),
    (
        re.compile(r"Got unexpected extra arguments? \((?P<args>.*)\)", re.S),
        lambda m: msg("Unexpected extra argument(s): {args}", args=m["args"]),
    ),
    (
        re.compile(r"Invalid value for (?P<name>.+?): (?P<reason>.*)", re.S),
        lambda m: msg("Invalid value for {name}: {reason}", name=m["name"], reason=_reason(m["reason"])),
    ),
]
"""click's and typer's usage errors, as they word them, and the message each becomes."""


def translated_error(error: UsageError, language: str) -> UsageError:
    """``error`` worded in ``language`` (the same context, exit status 2); an unknown wording stays as it is."""
    if isinstance(error, NoArgsIsHelpError) or language == SOURCE_LANGUAGE:  # the help itself; or click's own words
        return error
    text = error.format_message()
    for pattern, message in _ERRORS:
        match = pattern.fullmatch(text)
        if match:
            local = UsageError(translate(message(match), language), error.ctx)
            local.exit_code = error.exit_code
            return local
    return error


def reworded(call: Callable[[], Any], language: str) -> Any:
    """``call()``, its usage errors re-raised in ``language``."""
    try:
        return call()
    except UsageError as error:
        local = translated_error(error, language)
        if local is error:
            raise
        with contextlib.suppress(ImportError):  # typer draws the error in a panel: its heading too
            from typer import rich_utils  # noqa: F401

            _use_typer_words()
        raise local from None
