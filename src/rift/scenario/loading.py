"""Load a scenario: read (bounded YAML) → extend → override → validate → normalise.

Each stage has one job: :class:`~.document.Document` reads the file, :func:`_with_parents`
overlays the scenarios it ``extends``, :func:`~.overrides.apply_overrides` applies ``--set``,
the schema checks structure, and :func:`~.checks.check_scenario` the rest and writes months
and parameter values in one canonical form (so that the hash of a scenario does not depend on
how its file spells them).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rift.calibration import calibration_id, calibration_years, load_calibration
from rift.errors import InputError, did_you_mean
from rift.scenario.checks import check_scenario, check_values, pydantic_error
from rift.scenario.document import Document, _short, path_problem
from rift.scenario.overrides import apply_overrides
from rift.scenario.present import EXPECTED as PRESENT_EXPECTED
from rift.scenario.present import PACKAGED, expected_start, read_present_manifest
from rift.scenario.schema import NAME_RULE, SCENARIO_KEYS, Scenario

#: Longest chain of ``extends``.
MAX_EXTENDS = 20


def shipped_dir() -> Path:
    """Folder of the scenarios shipped with the package (``scenarios/`` of the project)."""
    path = Path(str(resources.files("rift").joinpath("scenarios")))
    if path.is_dir():
        return path
    return Path(__file__).resolve().parents[3] / "scenarios"


#: The shipped folder of the 2025 variants (from the January-2025 state, extending the archived
#: forecast ``forecast_2025_12``); their names are ``from_2025/<name>``.
ARCHIVE = "from_2025"


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario files by name: those from the present, then ``from_2025/<name>``."""
    folder = shipped_dir()
    if not folder.is_dir():
        return {}
    found = {p.stem: p for p in sorted(folder.glob("*.yaml"))}
    found.update({f"{ARCHIVE}/{p.stem}": p for p in sorted((folder / ARCHIVE).glob("*.yaml"))})
    return found


def find_scenario(ref: str | Path) -> Path:
    """A scenario file by path, or a shipped scenario by name.

    Raises:
        InputError: Neither a file nor a shipped name (with the closest shipped name).
    """
    path = Path(ref)
    try:
        os.stat(path)
        return path
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:
        if not isinstance(exc, OSError) or exc.errno != errno.ENOTDIR:
            problem = path_problem(exc) if isinstance(exc, OSError) else "not a valid path"
            raise InputError(
                problem, file=_short(str(ref)), expected="a scenario YAML file"
            ) from None
    shipped = shipped_scenarios()
    if path.suffix == "" and str(ref) in shipped:
        return shipped[str(ref)]
    raise InputError(
        "file not found, and no shipped scenario has that name",
        file=str(ref),
        expected=f"a YAML file, or a shipped name: {', '.join(shipped)}",
        hint=did_you_mean(path.stem, shipped),
    )


def _resolve_extends(ref: Any, doc: Document) -> Path:
    expected = "a shipped scenario name or a path relative to this file"
    if not isinstance(ref, str) or not ref.strip():
        raise InputError(
            f"got {ref!r}", file=doc.file, key=doc.key(("extends",)), expected=expected
        )
    base = doc.path.parent if doc.path is not None else Path.cwd()
    try:
        candidate = (base / ref).expanduser()
    except RuntimeError:  # a ~user that does not exist
        candidate = base / ref
    candidates = [candidate.with_suffix(".yaml")] if not candidate.suffix else []
    for path in [*candidates, candidate]:
        try:
            mode = os.stat(path).st_mode
        except (OSError, ValueError) as exc:
            if isinstance(exc, OSError) and exc.errno in (errno.ENOENT, errno.ENOTDIR):
                continue
            problem = path_problem(exc) if isinstance(exc, OSError) else "not a valid path"
            raise InputError(
                f"cannot extend '{_short(ref)}': {problem}",
                file=doc.file,
                key=doc.key(("extends",)),
                expected=expected,
            ) from None
        if stat.S_ISREG(mode):
            return path
        if path is candidate:
            raise InputError(
                f"cannot extend '{_short(ref)}': not a regular file",
                file=doc.file,
                key=doc.key(("extends",)),
                expected=expected,
            )
    shipped = shipped_scenarios()
    if ref in shipped:
        return shipped[ref]
    raise InputError(
        f"cannot find the scenario '{_short(ref)}' to extend",
        file=doc.file,
        key=doc.key(("extends",)),
        expected=expected,
        hint=did_you_mean(ref, shipped),
    )


def _resolve_from(ref: Any, doc: Document) -> str:
    """The absolute path of a ``from:`` folder, relative to the file that names it.

    Raises:
        InputError: Not a path.
    """
    if not isinstance(ref, str) or not ref.strip():
        raise InputError(
            f"got {ref!r}", file=doc.file, key=doc.key(("from",)), expected=PRESENT_EXPECTED
        )
    if ref == PACKAGED:  # the shipped ensemble (a folder of that name: ./present)
        return ref
    base = doc.path.parent if doc.path is not None else Path.cwd()
    try:
        path = (base / Path(ref).expanduser()).absolute()
    except (RuntimeError, ValueError):
        raise InputError(
            f"got {_short(ref)!r}", file=doc.file, key=doc.key(("from",)),
            expected=PRESENT_EXPECTED,
        ) from None  # fmt: skip
    return str(path)


def _present_start(data: dict[str, Any], doc: Document) -> dict[str, Any]:
    """``start: present`` is ``from: present``: the runs start from the shipped ensemble.

    Raises:
        InputError: ``start: present`` together with a ``from:`` folder.
    """
    if data.get("start") != PACKAGED:
        return data
    if data.get("from") not in (None, PACKAGED):
        raise InputError(
            "'start: present' and a 'from:' folder name two presents",
            file=doc.file,
            key=doc.key(("start",)),
            expected="one of them: 'start: present' (the shipped ensemble) or 'from: FOLDER'",
        )
    data = {k: v for k, v in data.items() if k != "start"}
    data["from"] = PACKAGED
    return data


def _check_parent(parent: Document) -> None:
    """A file named by ``extends`` must hold scenario keys only (none of it is quoted)."""
    known = {*SCENARIO_KEYS, "extends", "calibration", "source"}
    for key in parent.data:
        if key not in known:
            line = parent.lines.get((key,))
            where = f"line {line}" if line else "its keys"
            raise InputError(
                f"not a scenario file ({where} holds a key that is not a scenario key)",
                file=parent.file,
                expected="a scenario YAML file to extend (keys such as name, start, end, "
                "parameters)",
            )


def _overlay(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Child keys over parent keys; mappings merge; interventions and shocks accumulate."""
    out = dict(parent)
    for key, value in child.items():
        if key in ("interventions", "shocks") and isinstance(value, list):
            inherited = parent.get(key)
            out[key] = (list(inherited) if isinstance(inherited, list) else []) + value
        elif isinstance(value, dict) and isinstance(parent.get(key), dict):
            out[key] = _overlay(parent[key], value)
        else:
            out[key] = value
    return out


def _calibrated(data: dict[str, Any], doc: Document) -> dict[str, Any]:
    """``uncertain: calibrated`` (or a ``calibrated: true`` entry): the default, kept readable.

    The calibrated posterior is sampled unless ``sampling: {calibrated: false}``; older files
    say so with ``uncertain: calibrated``, which is accepted and changes nothing.
    """
    unc = data.get("uncertain")
    if isinstance(unc, str) and unc.strip() == "calibrated":
        data["uncertain"] = {}
    elif isinstance(unc, dict) and "calibrated" in unc:
        unc = dict(unc)
        if unc.pop("calibrated") is not True:
            raise InputError(
                "got a value other than true",
                file=doc.file,
                key=doc.key(("uncertain", "calibrated")),
                expected="'sampling: {calibrated: false}' to leave the calibration out",
            )
        data["uncertain"] = unc
    elif isinstance(unc, str):
        raise InputError(
            f"got {unc!r}",
            file=doc.file,
            key=doc.key(("uncertain",)),
            expected="a mapping of parameter names to distributions",
        )
    return data


def _with_parents(doc: Document, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The document's data overlaid on the scenarios it extends (recursively)."""
    here = doc.path.resolve() if doc.path is not None else None
    if here is not None and here in chain:
        cycle = " -> ".join(p.name for p in (*chain, here))
        raise InputError(
            f"'extends' forms a cycle ({cycle})",
            file=doc.file,
            key=doc.key(("extends",)),
            expected="a chain of scenarios without cycles",
        )
    if len(chain) >= MAX_EXTENDS:
        raise InputError(
            f"'extends' chains more than {MAX_EXTENDS} files",
            file=doc.file,
            key=doc.key(("extends",)),
            expected="a shorter chain",
        )
    for key in ("calibration", "source"):
        if key in doc.data:
            raise InputError(
                f"unknown key '{key}'",
                file=doc.file,
                key=doc.key((key,)),
                expected="'sampling: {calibrated: true}' (the default) to sample the calibration"
                if key == "calibration"
                else "scenario keys only",
            )
    data = _present_start(_calibrated(dict(doc.data), doc), doc)
    if "from" in data:  # relative to the file that says it, as ``extends`` is
        data["from"] = _resolve_from(data["from"], doc)
    if "extends" not in data:
        return data
    ref = data.pop("extends")
    parent = Document.read(_resolve_extends(ref, doc), echo=False)
    _check_parent(parent)
    inherited = _with_parents(parent, (*chain, here) if here is not None else chain)
    inherited.pop("name", None)  # a scenario names itself
    if "from" in data and "start" not in data:
        # a parent's start is the month of its own initial state, not of this present's
        inherited.pop("start", None)
    return _overlay(inherited, data)


def _with_calibration(scenario: Scenario) -> Scenario:
    """The scenario naming the packaged calibration it samples (None if it samples none)."""
    through = scenario.sampling.calibrated_through
    record = load_calibration(through) if scenario.sampling.calibrated else None
    if through is not None and scenario.sampling.calibrated and record is None:
        years = ", ".join(map(str, calibration_years())) or "none"
        raise InputError(
            f"no packaged calibration was fitted on the data through {through}",
            file=scenario.source,
            key="sampling.calibrated_through",
            expected=f"one of the packaged years ({years}), "
            f"or `rift calibrate --through {through}`",
        )
    return scenario.model_copy(
        update={"calibration": None if record is None else calibration_id(record)}
    )


def build(doc: Document, overrides: Sequence[str] = ()) -> Scenario:
    """The validated scenario of a document (after ``extends`` and ``--set``)."""
    data = _present_start(apply_overrides(_with_parents(doc), overrides, doc), doc)
    if data.get("from") is not None:
        # the present's month is the scenario's start unless the file gives one (checked)
        present = read_present_manifest(data["from"], doc.file)
        data.setdefault("start", expected_start(present))
    check_values(data, doc)
    if "name" not in data or data["name"] is None:
        raise InputError(
            "the required key 'name' is missing",
            file=doc.file,
            key="name",
            expected=NAME_RULE,
        )
    data["source"] = doc.file
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise pydantic_error(exc, doc) from None
    return _with_calibration(check_scenario(scenario, doc))


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read, extend, override (``--set``) and validate a scenario file.

    Args:
        path: The scenario YAML file, or the name of a shipped scenario.
        overrides: ``key=value`` strings from the command line.

    Returns:
        The validated, frozen scenario.

    Raises:
        InputError: With the file, key path and what was expected.
    """
    return build(Document.read(find_scenario(path)), overrides)


def scenario_from_dict(
    data: Mapping[str, Any], file: str = "<scenario>", overrides: Sequence[str] = ()
) -> Scenario:
    """Validate a scenario given as a mapping (the Python API's form of a file).

    ``extends`` resolves shipped names and paths relative to the working folder.
    """
    if not isinstance(data, Mapping):
        raise InputError(
            f"got a {type(data).__name__}", file=file, expected="a mapping of scenario keys"
        )
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise InputError(f"the key {bad[0]!r} is not text", file=file, expected="text keys")
    return build(Document(dict(data), file), overrides)


def with_changes(
    scenario: Scenario,
    *,
    runs: int | None = None,
    seed: int | None = None,
    parameters: dict[str, Any] | None = None,
    keys: Mapping[str, Any] | None = None,
) -> Scenario:
    """``scenario`` with a few keys changed, checked again like a file.

    A fixed parameter replaces an uncertain one of the same name (as ``--set``); the
    calibrated posterior stays sampled.

    Args:
        scenario: The scenario to change.
        runs: Replace the number of runs.
        seed: Replace the root seed.
        parameters: Fix parameters (added to the fixed ones).
        keys: Replace other top-level keys as a file writes them (``name``, ``end``,
            ``election``, ``interventions``, ...).

    Raises:
        InputError: The changed scenario does not validate.
    """
    if runs is None and seed is None and not parameters and not keys:
        return scenario
    data = {k: v for k, v in scenario.canonical().items() if k != "calibration"}
    data.update(keys or {})
    if scenario.calibration:
        data["uncertain"] = {**data["uncertain"], "calibrated": True}
    if runs is not None:
        data["runs"] = runs
    if seed is not None:
        data["seed"] = seed
    if parameters:
        data["parameters"] = {**data["parameters"], **parameters}
        data["uncertain"] = {k: v for k, v in data["uncertain"].items() if k not in parameters}
    return scenario_from_dict(data, scenario.source or "<scenario>")
