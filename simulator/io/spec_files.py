"""Read model and scenario files into validated specs, or explain what is wrong.

Each reader collects every problem it can find (schema first, then references
and structure, see :mod:`simulator.network`) and raises one :class:`InputError`
naming the file, the place, the line and the fix.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from simulator import spec as specs
from simulator.checked import CheckedModel, check, in_file
from simulator.dimensions import RAW_KEYS, expand_model_data, origin_path, unique
from simulator.errors import InputError, Problem
from simulator.io.yaml_file import YamlDocument, parse_yaml, read_yaml
from simulator.messages import Text, msg
from simulator.network import check_scenario, theme_problems

SpecT = TypeVar("SpecT", bound=BaseModel)


def _known_keys() -> set[str]:
    keys: set[str] = set()
    for obj in vars(specs).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel:
            for name, field in obj.model_fields.items():
                keys.add(field.alias or name)
    return keys


_KNOWN_KEYS = _known_keys() | set(RAW_KEYS) - {"expansion"}


def did_you_mean(word: str, choices: list[str] | set[str]) -> str:
    """A "did you mean 'x'?" hint, or "" when nothing is close."""
    close = difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=0.6)
    return msg("did you mean '{name}'?", name=close[0]) if close else ""


PYDANTIC_MESSAGES = {
    "float_type": msg("Input should be a valid number"),
    "float_parsing": msg("Input should be a valid number, unable to parse string as a number"),
    "int_type": msg("Input should be a valid integer"),
    "int_parsing": msg("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": msg("Input should be a valid integer, got a number with a fractional part"),
    "bool_type": msg("Input should be a valid boolean"),
    "bool_parsing": msg("Input should be a valid boolean, unable to interpret input"),
    "string_type": msg("Input should be a valid string"),
    "dict_type": msg("Input should be a valid dictionary"),
    "list_type": msg("Input should be a valid list"),
}
"""pydantic's own messages that are translated (used only where pydantic's text is exactly this)."""


def _pydantic_text(error: ErrorDetails) -> str:
    """pydantic's message, as a translatable message where it is one we know."""
    known = PYDANTIC_MESSAGES.get(error["type"])
    if known is not None and str(known) == error["msg"]:
        return known
    expected = (error.get("ctx") or {}).get("expected")
    if error["type"] in ("literal_error", "enum") and expected and error["msg"] == f"Input should be {expected}":
        return msg("Input should be {expected}", expected=expected)
    return error["msg"]


def _problem_from_error(doc: YamlDocument, error: ErrorDetails, expansion: object = None) -> Problem:
    loc: tuple[Hashable, ...] = tuple(
        part
        for part in error["loc"]
        if not (
            isinstance(part, str)
            and (
                part.startswith(("function-", "float", "GrowthBaseline", "SeriesBaseline", "json-or-python", "shape-"))
                or part in specs.DISTRIBUTION_TAGS
                or part in specs.BASELINE_TAGS
            )
        )
    )
    loc = origin_path(expansion, loc)  # an expanded model's place in the file it came from
    kind, text = error["type"], _pydantic_text(error)
    if kind == "extra_forbidden":
        key = loc[-1] if loc else "?"
        return doc.problem(
            loc,
            msg("unknown key '{key}'", key=key),
            did_you_mean(str(key), _KNOWN_KEYS - {key}) or msg("remove it, or check the spelling"),
        )
    if kind == "missing":
        return doc.problem(loc, msg("missing key '{key}'", key=loc[-1]), msg("add it"))
    raised = (error.get("ctx") or {}).get("error")
    if isinstance(raised, ValueError) and raised.args and isinstance(raised.args[0], Text):
        text = raised.args[0]  # our own message, translatable
    elif text.startswith("Value error, "):
        text = text[len("Value error, ") :]
    if kind == "string_pattern_mismatch":
        return doc.problem(
            loc,
            msg("{value} is not a valid id", value=repr(error.get("input"))),
            msg("use lower-case letters, digits and _, starting with a letter"),
        )
    if kind in ("literal_error", "enum"):
        expected = (error.get("ctx") or {}).get("expected")
        return doc.problem(
            loc,
            msg("{value} is not allowed", value=repr(error.get("input"))),
            msg("use {expected}", expected=expected) if expected else text.replace("Input should be", "use"),
        )
    if kind.startswith(("float", "int", "bool", "string", "dict", "list", "model")):
        text = msg("{message} (got {value})", message=text, value=repr(error.get("input")))
    return doc.problem(loc, text)


def spec_from_document(doc: YamlDocument, spec_class: type[SpecT]) -> SpecT:
    """Validate a parsed document against ``spec_class``.

    Raises
    ------
    InputError
        With one problem per schema error, each with its place and line; or, when
        no key of the document is one of ``spec_class``, one problem saying the
        file is not a bwsim model (or scenario), without quoting its content.
    """
    if not isinstance(doc.data, dict):
        raise InputError(
            doc.problem(
                (),
                msg("expected a mapping of keys, got {kind}", kind=type(doc.data).__name__),
                msg("a model or scenario file starts with 'name:'"),
            )
        )
    known = {field.alias or name for name, field in spec_class.model_fields.items()}
    if doc.data and not known & {str(key) for key in doc.data}:  # never quote a foreign file's content
        needed = sorted(field.alias or name for name, field in spec_class.model_fields.items() if field.is_required())
        keys = ", ".join(needed)
        if spec_class is specs.ModelSpec:
            raise InputError(
                doc.problem(
                    (),
                    msg("this is not a bwsim model file: none of its keys is one of a model"),
                    msg("a model file is a YAML mapping with the keys {keys}", keys=keys),
                )
            )
        raise InputError(
            doc.problem(
                (),
                msg("this is not a bwsim scenario file: none of its keys is one of a scenario"),
                msg("a scenario file is a YAML mapping with the keys {keys}", keys=keys),
            )
        )
    data, context = doc.data, None
    if spec_class is specs.ModelSpec:  # dimensions (places and groups): the flat model they stand for
        if "expansion" in data:
            raise InputError(
                doc.problem(
                    ("expansion",),
                    msg("unknown key '{key}'", key="expansion"),
                    msg("'expansion' is written by bwsim when it expands dimensions; remove it"),
                )
            )
        base = Path(doc.file).parent if doc.file else None
        try:
            data = expand_model_data(data, base)
        except InputError as exc:
            raise InputError([doc.locate(p) for p in exc.problems]) from None
        context = {"base": base}
    try:
        return spec_class.model_validate(data, context=context)
    except ValidationError as exc:
        expansion = data.get("expansion") if isinstance(data, dict) else None
        raise InputError(unique([_problem_from_error(doc, err, expansion) for err in exc.errors()])) from None


@dataclass(frozen=True)
class ModelFile:
    """A model read from a file. ``sha256`` is of the bytes as read; ``checked`` is the
    model as :func:`simulator.checked.check` found it on its own horizon (without problems)."""

    spec: specs.ModelSpec
    path: str
    sha256: str
    document: YamlDocument
    checked: CheckedModel


@dataclass(frozen=True)
class ScenarioFile:
    """A scenario read from a file, with the model it names."""

    spec: specs.ScenarioSpec
    path: str
    sha256: str
    document: YamlDocument
    model: ModelFile


def is_scenario_document(doc: YamlDocument) -> bool:
    """True when the document looks like a scenario: it names a model, or has a
    scenario's keys and no nodes (so a scenario that forgot ``model:`` is told so)."""
    if not isinstance(doc.data, dict):
        return False
    scenario_keys = {"interventions", "overrides", "uncertainty"}
    return "model" in doc.data or ("nodes" not in doc.data and bool(scenario_keys & set(doc.data)))


def model_from_document(doc: YamlDocument, raw: bytes, path: str) -> ModelFile:
    """Validate a parsed model document, structure, references and themes included.

    A file's themes must be those of :mod:`simulator.themes` (a model built in
    code, e.g. in tests, may use its own; :func:`~simulator.checked.check`
    does not look at themes).
    """
    model = spec_from_document(doc, specs.ModelSpec)
    sound = check(model, doc=doc)
    problems = in_file(theme_problems(model, None), model, doc) + list(sound.problems)
    if problems:
        raise InputError(problems)
    return ModelFile(model, path, hashlib.sha256(raw).hexdigest(), doc, sound)


def load_model(path: str | Path) -> ModelFile:
    """Read and validate a model file.

    Raises
    ------
    InputError
        Every problem found in the file.
    """
    doc, raw = read_yaml(path)
    return model_from_document(doc, raw, str(path))


def load_model_text(text: str, name: str) -> ModelFile:
    """Validate a model given as text (e.g. an upload); ``name`` is used in messages."""
    doc = parse_yaml(text, name)
    return model_from_document(doc, text.encode("utf-8"), name)


def model_beside(scenario_path: str, model: str) -> Path:
    """The model file a scenario names, relative to the scenario file, as people would write it.

    ``scenarios/../models/x.yaml`` becomes ``models/x.yaml`` (relative to the working
    directory when the file lies below it, absolute otherwise), following symbolic
    links as the operating system would.
    """
    joined = Path(scenario_path).parent / model
    if not joined.exists():
        return joined
    resolved = joined.resolve()
    if joined.is_absolute():
        return resolved
    try:
        return resolved.relative_to(Path.cwd().resolve())
    except ValueError:
        return resolved


def scenario_from_document(
    doc: YamlDocument,
    raw: bytes,
    path: str,
    model: ModelFile | None = None,
    known: dict[Path, ModelFile] | None = None,
) -> ScenarioFile:
    """Validate a parsed scenario document against its model.

    ``model`` is read from the scenario's ``model:`` path (relative to the
    scenario file) unless given. ``known``, models already read by the same
    command by their resolved path, is used instead of reading the file again
    (``bwsim validate`` of a model and four scenarios reads the model once); a
    model read here is added to it.
    """
    scenario = spec_from_document(doc, specs.ScenarioSpec)
    if model is None:
        model_path = model_beside(path, scenario.model)
        if not model_path.exists():  # a folder or device is refused by type when read
            raise InputError(
                doc.problem(
                    ("model",),
                    msg(
                        "model file '{model}' not found (looked at {path})", model=scenario.model, path=str(model_path)
                    ),
                    msg("the path is relative to the scenario file"),
                )
            )
        key = model_path.resolve()
        model = known[key] if known is not None and key in known else load_model(model_path)
        if known is not None:
            known[key] = model
    problems = check_scenario(scenario, model.spec, doc)
    if problems:
        raise InputError(problems)
    if scenario.time is not None:  # what its time block leaves out is the model's (checked above)
        time = specs.ScenarioTime.model_validate(scenario.time_on(model.spec).model_dump())
        scenario = scenario.model_copy(update={"time": time})
    return ScenarioFile(scenario, path, hashlib.sha256(raw).hexdigest(), doc, model)


def load_scenario(path: str | Path, model: ModelFile | None = None) -> ScenarioFile:
    """Read and validate a scenario file and the model it names.

    Raises
    ------
    InputError
        Every problem found in the scenario (or its model).
    """
    doc, raw = read_yaml(path)
    return scenario_from_document(doc, raw, str(path), model)


def load_scenario_text(text: str, name: str, model: ModelFile) -> ScenarioFile:
    """Validate a scenario given as text (an upload) against an already loaded model."""
    doc = parse_yaml(text, name)
    return scenario_from_document(doc, text.encode("utf-8"), name, model)
