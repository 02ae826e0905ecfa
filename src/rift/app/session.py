"""What ``rift app`` does, without the page: controls, the edited scenario, runs, comparison.

The page (:mod:`rift.app.page`) only draws what this module computes, so everything here is
tested without a browser. A :class:`Session` holds the scenario being edited, the last batch
and a pinned batch; :class:`Edits` are the changes made with the page's controls, applied to
the scenario with :func:`rift.scenario.loading.with_changes` (the same checks as a file).
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from rift.errors import InputError
from rift.months import format_month
from rift.parameters import Parameter, registry
from rift.results import Results, load
from rift.scenario import Scenario, load_scenario
from rift.scenario.levers import LEVER_FORM, lever
from rift.scenario.loading import shipped_scenarios, with_changes

#: Runs of a batch unless the page says otherwise.
DEFAULT_RUNS = 200
#: Where the app writes its batches, saved scenarios and reports (under the working folder).
APP_OUTPUTS = Path("outputs") / "app"
#: The election keys the page offers (those still open from the present), with their choices.
ELECTION_CHOICES: dict[str, tuple[str, ...]] = {
    "winner_2030": ("left", "centre", "right"),
    "us_2028": ("republican", "democrat"),
    "midterms_2026": ("divided", "unified"),
}
#: Labels of the election keys.
ELECTION_LABELS = {
    "winner_2030": "Colombian president elected in 2030 (bloc)",
    "us_2028": "Party winning the 2028 US presidential election",
    "midterms_2026": "House after the 2026 US midterms",
}
#: The page's tabs and the figures each shows, by the stem :func:`rift.plots.figure_makers`
#: gives them; only the visible tab's figures are drawn.
PAGE_TABS: dict[str, tuple[str, ...]] = {
    "Armed control": ("fan_control_any", "horizon_control_any"),
    "Coca": ("fan_coca_ha", "horizon_coca_ha"),
    "Displacement": ("fan_displacement_cum",),
    "Cooperation": ("fan_cooperation_index",),
    "Events": ("events",),
    "Map": ("map_control",),
}
#: Every figure the page shows (the tabs' figures, in order).
PAGE_FIGURES = tuple(stem for stems in PAGE_TABS.values() for stem in stems)
#: What a whole-run lever left alone is: the actors choose the instrument.
ENDOGENOUS = "endogenous"
#: What an intervention's ``until`` lever is when the intervention has no end.
OPEN = "open"
#: The group of the levers that force an instrument in every month of the run.
INSTRUMENT_LEVERS = "instruments, all months"


@dataclass(frozen=True)
class Control:
    """One widget of the page, from a registry entry: its range makes bad values impossible.

    Attributes:
        name: The parameter's dotted name.
        label: What it is (the registry's description).
        unit: Its unit.
        kind: ``float``, ``int``, ``choice`` or ``bool``.
        low: The smallest valid value (numbers).
        high: The largest valid value (numbers).
        step: The slider's step (a power of ten with ``value`` on its grid; 1 for whole
            numbers).
        value: The value it starts at (the scenario's fixed value, else the default).
        choices: The valid values of a choice.
        tooltip: The unit, range, spread and source shown on hover.
    """

    name: str
    label: str
    unit: str
    kind: str
    low: float | None
    high: float | None
    step: float
    value: Any
    choices: tuple[str, ...]
    tooltip: str

    def coerce(self, value: Any) -> Any:
        """A widget's value as the parameter's: a number on the slider's grid, in range.

        A slider reports its start snapped to its grid (1.0 as 0.9999999999); a value within
        half a step of the start is the start, so moving nothing changes nothing.
        """
        if self.kind not in ("float", "int"):
            return value
        x = min(max(float(value), float(self.low)), float(self.high))  # type: ignore[arg-type]
        if self.kind == "int":
            return round(x)
        if isinstance(self.value, int | float) and abs(x - float(self.value)) < self.step / 2:
            return self.value
        digits = max(0, -math.floor(math.log10(self.step))) if self.step > 0 else 6
        return round(x, digits)


def _step(low: float, high: float, start: Any) -> float:
    """A power of ten near a hundredth of the range (0.01 for [0, 1]) with ``start`` on its grid.

    A slider snaps its value to ``low + k * step``: a start off the grid (510 on a grid of
    100) would move by itself, so the step shrinks until the start is on the grid.
    """
    span = high - low
    if span <= 0:
        return 1.0
    step = 10.0 ** math.floor(math.log10(span / 100.0))
    if isinstance(start, int | float):
        while step > span * 1e-6:
            k = (float(start) - low) / step
            if abs(k - round(k)) < 1e-6:
                break
            step /= 10.0
    return step


def source_text(param: Parameter) -> str:
    """The provenance of a parameter in one line: the seed quote, the reference, the reason."""
    parts = []
    for s in param.sources:
        if s.kind == "seed":
            parts.append(f'seed {s.text[:3]}: "{s.quote}"')
        elif s.kind == "reference":
            parts.append(f"reference.csv {s.text}" + (f" ({s.date})" if s.date else ""))
        else:
            parts.append(f"assumption: {s.text}")
    return "; ".join(parts)


def control(name: str, value: Any = None) -> Control:
    """The widget of one parameter or instrument.

    Args:
        name: A registry name.
        value: Where it starts (default: the registry's default, or the range's middle for an
            instrument, whose default is "endogenous").

    Raises:
        InputError: An unknown name.
    """
    p = registry().lookup(name)
    low = high = None
    step = 1.0
    if p.kind in ("float", "int"):
        low = float(p.low) if p.low is not None else None
        high = float(p.high) if p.high is not None else None
        if low is None or high is None:  # an open range: the slider spans the spread
            centre = float(p.default if p.default is not None else 0.0)
            low = centre - abs(centre) - 1.0 if low is None else low
            high = centre + abs(centre) + 1.0 if high is None else high
    start = value if value is not None else p.default
    if start is None:
        start = p.choices[0] if p.kind == "choice" else (low + high) / 2.0
    if p.kind == "float":
        step = _step(low, high, start)
    tip = [f"{p.description}", f"unit: {p.unit}; valid range {p.range_text()}"]
    if p.uncertainty:
        tip.append(f"sampled per run: {p.uncertainty_text()}")
    tip.append(f"source: {source_text(p)}")
    return Control(
        name=name,
        label=p.description,
        unit=p.unit,
        kind=p.kind,
        low=low,
        high=high,
        step=step,
        value=start,
        choices=tuple(p.choices),
        tooltip="\n".join(tip),
    )


def sampled_parameters(scenario: Scenario) -> list[str]:
    """The parameters a batch of ``scenario`` samples per run, in registry order.

    Its own ``uncertain`` block, and every parameter whose registry entry declares a spread
    when ``sampling.registry`` holds; instruments and fixed parameters are not sampled.
    """
    reg = registry()
    names = {n for n in scenario.uncertain if lever(n) is None}
    if scenario.sampling.registry:
        names |= {n for n, p in reg.items() if p.uncertainty}
    names -= set(scenario.parameters)
    return [n for n in reg if n in names and not reg[n].instrument]  # instruments: levers


def parameter_groups(names: Sequence[str]) -> dict[str, list[str]]:
    """Names grouped by their first part (``us``, ``col``, ``events``...), in order."""
    groups: dict[str, list[str]] = {}
    for n in names:
        groups.setdefault(n.split(".")[0], []).append(n)
    return groups


def instrument_controls() -> list[Control]:
    """The widgets of the instruments an intervention can force."""
    return [control(n) for n in registry().instruments()]


def horizon_months(scenario: Scenario) -> list[str]:
    """Every month of the scenario's horizon as ``YYYY-MM`` (the months an edit may name)."""
    return [format_month(m) for m in range(scenario.start_month, scenario.end_month + 1)]


def lever_names(scenario: Scenario) -> list[str]:
    """The levers the page offers for ``scenario`` (:mod:`rift.scenario.levers`).

    Every instrument, forced for the whole run (as ``parameters`` or ``uncertain`` force
    one), then for each of the scenario's interventions (``extends`` resolved, the parent's
    first) its ``at``, its ``until`` and each instrument it sets.
    """
    names = list(registry().instruments())
    for i, iv in enumerate(scenario.interventions):
        names += [f"interventions[{i}].at", f"interventions[{i}].until"]
        names += [f"interventions[{i}].set.{inst}" for inst in iv.set]
    return names


def lever_groups(scenario: Scenario) -> dict[str, list[str]]:
    """The levers by group: :data:`INSTRUMENT_LEVERS` (all months), then one per intervention."""
    groups: dict[str, list[str]] = {}
    for name in lever_names(scenario):
        lv = lever(name)
        groups.setdefault(
            INSTRUMENT_LEVERS if lv is None else f"interventions[{lv.index}]", []
        ).append(name)
    return groups


def _sampled_text(scenario: Scenario, name: str) -> str | None:
    d = scenario.uncertain.get(name)
    if d is None:
        return None
    args = d.model_dump(mode="json", exclude_none=True)
    return ", ".join(f"{k} {v}" for k, v in args.items())


def lever_control(scenario: Scenario, name: str) -> Control:
    """The widget of one lever of ``scenario``, its range from the registry or the horizon.

    An instrument starts at the scenario's fixed value, else :data:`ENDOGENOUS` for a choice
    (the first of its choices) or the middle of its range (a slider left there forces
    nothing). A part of an intervention starts at the intervention's written (nominal) value;
    its months are the horizon's (an ``at`` on or before the ``until``, an ``until`` on or
    after the ``at``; :data:`OPEN` for an intervention without an end). The tooltip says
    whether the scenario samples it per run (``uncertain``), which moving it replaces.

    Raises:
        InputError: A name that is not one of :func:`lever_names`.
    """
    if name not in lever_names(scenario):
        raise InputError(
            f"'{name}' is not a lever of {scenario.name}",
            key="levers",
            expected=f"an instrument or {LEVER_FORM} of the scenario's interventions",
        )
    lv = lever(name)
    sampled = _sampled_text(scenario, name)
    note = f"sampled per run: {sampled} (moving it fixes it)" if sampled else None
    if lv is None:
        fixed = scenario.parameters.get(name)
        ctl = control(name, fixed)
        tip = [f"forced for the whole run ({ENDOGENOUS} until moved)", ctl.tooltip]
        if fixed is None and ctl.kind == "choice":
            ctl = replace(ctl, choices=(ENDOGENOUS, *ctl.choices), value=ENDOGENOUS)
        return replace(ctl, tooltip="\n".join([*tip, *([note] if note else [])]))
    iv = scenario.interventions[lv.index]
    what = f"interventions[{lv.index}]" + (f" ({iv.label})" if iv.label else "")
    where = f"source: the scenario's {what}, {scenario.source or scenario.name}"
    if lv.part == "set":
        ctl = control(str(lv.instrument), iv.set[lv.instrument])
        tip = [f"the value {what} forces", ctl.tooltip, *([note] if note else [])]
        return replace(ctl, name=name, label=f"{what}: {lv.instrument}", tooltip="\n".join(tip))
    months = horizon_months(scenario)
    if lv.part == "at":
        last = iv.until or months[-1]
        choices = tuple(m for m in months if m <= last)
        value = iv.at or months[0]
        label = f"{what}: first month"
    else:
        choices = tuple(m for m in months if m >= (iv.at or months[0]))
        choices = choices if iv.until else (OPEN, *choices)
        value = iv.until or OPEN
        label = f"{what}: last month"
    tip = [label, "unit: month; valid range: the horizon "
           f"{scenario.start}..{scenario.end}", *([note] if note else []), where]  # fmt: skip
    return Control(
        name=name,
        label=label,
        unit="month",
        kind="choice",
        low=None,
        high=None,
        step=1.0,
        value=value,
        choices=choices,
        tooltip="\n".join(tip),
    )


def lever_edits_from(values: Mapping[str, Any], base: Scenario) -> dict[str, Any]:
    """The lever values that differ from where their controls started, checked.

    Raises:
        InputError: A name that is not a lever of ``base``, or a value outside its range.
    """
    out: dict[str, Any] = {}
    for name, value in values.items():
        ctl = lever_control(base, name)
        value = ctl.coerce(value)
        if value == ctl.value:
            continue
        if ctl.kind == "choice" and value not in ctl.choices:
            raise InputError(
                f"{value!r} is not a choice of {name}",
                key=name,
                expected=f"one of: {', '.join(map(str, ctl.choices))}",
            )
        lv = lever(name)
        inst = name if lv is None else lv.instrument
        out[name] = registry()[inst].validate(value) if inst is not None else value
    return out


@dataclass
class Edits:
    """The changes made on the page, on top of the chosen scenario.

    Attributes:
        parameters: Fixed parameter values by name (each replaces the parameter's spread).
        interventions: Interventions added (``at``, ``set``, optional ``until``), after the
            scenario's own.
        election: Election keys fixed (``winner_2030``, ``us_2028``, ``midterms_2026``).
        levers: Levers fixed by name (:func:`lever_names`): an instrument forced for the whole
            run, or a part of one of the scenario's interventions (``interventions[0].at``);
            each replaces the lever's spread when the scenario samples it.
        runs: Runs of the batch.
        end: The last month (default: the scenario's).
        name: The edited scenario's name (default: ``<scenario>_app`` when anything changed).
    """

    parameters: dict[str, Any] = field(default_factory=dict)
    interventions: list[dict[str, Any]] = field(default_factory=list)
    election: dict[str, str] = field(default_factory=dict)
    levers: dict[str, Any] = field(default_factory=dict)
    runs: int = DEFAULT_RUNS
    end: str | None = None
    name: str | None = None

    @property
    def changes_model(self) -> bool:
        """Whether the edits change what a run does (not only how many runs or how long)."""
        return bool(self.parameters or self.interventions or self.election or self.levers)


def apply_edits(base: Scenario, edits: Edits) -> Scenario:
    """The scenario the page runs: ``base`` with the edits, validated like a file.

    Raises:
        InputError: An edit the scenario checks reject (e.g. an intervention after ``end``).
    """
    keys: dict[str, Any] = {}
    whole = {n: v for n, v in edits.levers.items() if lever(n) is None}  # instruments
    parts = {n: v for n, v in edits.levers.items() if lever(n) is not None}
    if edits.interventions or parts:
        own = [i.model_dump(mode="json", exclude_none=True) for i in base.interventions]
        for name, value in parts.items():
            lv = lever(name)
            assert lv is not None
            if lv.index >= len(own):
                raise InputError(
                    f"{base.name} has {len(own)} intervention(s): no interventions[{lv.index}]",
                    key=name,
                    expected="a lever of one of the scenario's interventions",
                )
            if lv.part == "set":
                own[lv.index]["set"][lv.instrument] = value
            elif value == OPEN:
                own[lv.index].pop(lv.part, None)
            else:
                own[lv.index][lv.part] = value
        keys["interventions"] = [*own, *edits.interventions]
    if parts:  # a fixed lever is no longer sampled
        uncertain = base.canonical()["uncertain"]
        keys["uncertain"] = {k: v for k, v in uncertain.items() if k not in parts}
    if edits.election:
        keys["election"] = {
            **base.election.model_dump(mode="json", exclude_none=True),
            **edits.election,
        }
    if edits.end is not None and edits.end != base.end:
        keys["end"] = edits.end
    name = edits.name or (f"{base.name}_app" if edits.changes_model else None)
    if name is not None and name != base.name:
        keys["name"] = name
    return with_changes(
        base,
        runs=edits.runs if edits.runs != base.runs else None,
        parameters={**edits.parameters, **whole} or None,
        keys=keys or None,
    )


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def scenario_document(scenario: Scenario) -> dict[str, Any]:
    """The scenario as the keys of a file (what ``Save scenario`` writes).

    The calibration rift sets is left out (a file cannot name it), and so are empty keys.
    """
    data = _without_none(scenario.canonical())
    data.pop("calibration", None)
    empty = [k for k, v in data.items() if v in ({}, [], "")]
    for k in empty:
        data.pop(k)
    return data


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario file's text (see :func:`scenario_document`)."""
    header = f"# Written by `rift app` from {scenario.source or 'the page'}.\n"
    body = yaml.safe_dump(
        scenario_document(scenario), sort_keys=False, allow_unicode=True, width=100
    )
    return header + body


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write the scenario file and read it back as ``rift validate`` does.

    Args:
        scenario: The scenario to save.
        path: The ``.yaml`` file to write (its folder is created).

    Returns:
        The path written.

    Raises:
        InputError: A path that is not a ``.yaml`` file, or a file that does not validate
            (which would be a bug: the written scenario is the one that was checked).
    """
    from rift.atomic import atomic_write_text

    out = Path(path)
    if out.suffix not in (".yaml", ".yml"):
        raise InputError(f"got {out.name!r}", file=str(out), expected="a .yaml file name")
    if out.is_dir():
        raise InputError("is a folder", file=str(out), expected="a .yaml file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, scenario_yaml(scenario))
    load_scenario(out)
    return out


def choose_scenario(ref: str | Path | None) -> Scenario:
    """The scenario the page starts with: a shipped name, a file, or ``baseline``.

    Raises:
        InputError: An unknown name or a file that does not validate.
    """
    return load_scenario(ref if ref else "baseline")


def shipped_names() -> list[str]:
    """The shipped scenarios the page lists (the archived ``from_2025`` ones included)."""
    return sorted(shipped_scenarios())


def figure_png(fig: Any) -> bytes:
    """A matplotlib figure as PNG bytes (closed afterwards)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=90)
    finally:
        plt.close(fig)
    return buf.getvalue()


def figure_html(stem: str, png: bytes, title: str = "") -> str:
    """An ``<img>`` of a figure with its stem and the digest of its bytes as data attributes."""
    digest = hashlib.sha256(png).hexdigest()[:16]
    data = base64.b64encode(png).decode("ascii")
    alt = title or stem
    return (
        f'<img data-figure="{stem}" data-digest="{digest}" alt="{alt}" '
        f'style="max-width:100%" src="data:image/png;base64,{data}">'
    )


class Session:
    """The state behind one browser page: the scenario, the last batch, the pinned batch.

    Args:
        scenario: The scenario chosen first.
        out_root: Where batches, scenarios and reports go (default ``outputs/app``).
        executor: ``process`` (a warm pool kept for the next Run) or ``serial``.
        workers: Worker processes (default: all CPUs).
    """

    def __init__(
        self,
        scenario: Scenario,
        out_root: str | Path = APP_OUTPUTS,
        executor: str = "process",
        workers: int | None = None,
    ) -> None:
        self.base = scenario
        self.out_root = Path(out_root)
        self.executor = executor
        self.workers = workers
        self.current: Results | None = None
        self.pinned: Results | None = None
        self.last_seconds: float | None = None
        #: Figures drawn so far (not found in the cache), for the benchmark and the tests.
        self.draws = 0
        self._drawn: dict[tuple[tuple[str, ...], str], bytes] = {}
        self._drawing = threading.Lock()  # pyplot is not thread-safe: one figure at a time

    def choose(self, ref: str | Path) -> Scenario:
        """Switch to another scenario (a shipped name or a file); the batches are kept.

        Raises:
            InputError: No name given, an unknown name, or a file that does not validate.
        """
        if not str(ref).strip():
            raise InputError(
                "no scenario given", key="scenario", expected="a shipped name or a file path"
            )
        self.base = choose_scenario(ref)
        return self.base

    def scenario(self, edits: Edits) -> Scenario:
        """The edited scenario (see :func:`apply_edits`)."""
        return apply_edits(self.base, edits)

    def _out(self, kind: str, name: str, suffix: str = "") -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = self.out_root / kind / f"{name}-{stamp}"
        path = base.with_name(base.name + suffix)
        k = 2
        while path.exists():
            path = base.with_name(f"{base.name}-{k}{suffix}")
            k += 1
        return path

    def run(self, edits: Edits, progress: Callable[[int, int], None] | None = None) -> Results:
        """Run the edited scenario as a batch into the store and make it the current one.

        Args:
            edits: The page's changes.
            progress: Called as ``progress(done, total)`` after each run.

        Returns:
            The stored batch.
        """
        from rift.experiment import run_scenario

        scenario = self.scenario(edits)
        t0 = time.perf_counter()
        stored = run_scenario(
            scenario,
            executor=self.executor,
            workers=self.workers,
            out=self._out("batches", scenario.name),
            quiet=True,
            command="rift app",
            warm=self.executor == "process",
            progress=progress,
        )
        self.last_seconds = time.perf_counter() - t0
        self.current = load(stored.path)
        return self.current

    def pin(self) -> Results:
        """Pin the current batch: the next runs are compared with it.

        Raises:
            InputError: Nothing was run yet.
        """
        if self.current is None:
            raise InputError("nothing to pin yet", expected="press Run first")
        self.pinned = self.current
        return self.pinned

    def pin_folder(self, folder: str | Path) -> Results:
        """Pin a saved batch (a result folder of ``rift run`` or of the app).

        Raises:
            InputError: Not a result folder.
        """
        self.pinned = load(folder)
        return self.pinned

    def unpin(self) -> None:
        """Compare with nothing."""
        self.pinned = None

    def batches(self) -> list[Results]:
        """The batches shown: the pinned one (the reference) and the current one."""
        shown = [r for r in (self.pinned, self.current) if r is not None]
        if len(shown) == 2 and shown[0].path.resolve() == shown[1].path.resolve():
            return shown[1:]
        return shown

    def comparison(self) -> Any:
        """The paired comparison of the current batch with the pinned one, or None."""
        from rift.analysis.compare import compare

        shown = self.batches()
        return compare(shown) if len(shown) == 2 else None

    def difference_tables(self) -> dict[str, Any]:
        """The comparison's outcome and event tables (DataFrames), empty without a pin."""
        from rift.analysis.tables import event_table, outcome_table

        comp = self.comparison()
        if comp is None:
            return {}
        return {"outcomes": outcome_table(comp), "events": event_table(comp), "note": comp.note}

    def figure(self, stem: str) -> bytes | None:
        """One figure of the shown batches as PNG bytes, drawn once for the same batches.

        The figures are cached by the shown batches' folders and the stem, so showing a tab
        again (or the same batches after Unpin and Pin folder) draws nothing; the figures of
        other batches are dropped when a new set of batches is drawn.

        Returns:
            The PNG, or None without a batch or for a figure that does not apply.
        """
        from rift.plots import figure_makers

        with self._drawing:
            shown = self.batches()
            if not shown:
                return None
            key = (tuple(str(r.path.resolve()) for r in shown), stem)
            if key not in self._drawn:
                makers = figure_makers(shown)
                if stem not in makers:
                    return None
                self._drawn = {k: v for k, v in self._drawn.items() if k[0] == key[0]}
                self._drawn[key] = figure_png(makers[stem]())
                self.draws += 1
            return self._drawn[key]

    def figures(self, stems: Sequence[str] = PAGE_FIGURES) -> dict[str, bytes]:
        """The page's figures of the shown batches as PNG bytes, by stem (those that apply).

        Each is drawn once for the same batches (see :meth:`figure`).
        """
        out = {}
        for stem in stems:
            png = self.figure(stem)
            if png is not None:
                out[stem] = png
        return out

    def save(self, edits: Edits, path: str | Path | None = None) -> Path:
        """Write the edited scenario as a file that ``rift validate`` accepts."""
        scenario = self.scenario(edits)
        target = path or self._out("scenarios", scenario.name, ".yaml")
        return save_scenario(scenario, target)

    def report(self) -> Path:
        """Write the HTML report of the shown batches (compared when one is pinned).

        Raises:
            InputError: Nothing was run yet.
        """
        from rift.report import write_report

        shown = self.batches()
        if not shown:
            raise InputError("no batch to report yet", expected="press Run first")
        folder = self._out("reports", "-vs-".join(r.name for r in shown))
        return write_report(shown, folder, self.comparison())


def edits_from(values: Mapping[str, Any], base: Scenario) -> dict[str, Any]:
    """The parameter values that differ from where their controls started."""
    out = {}
    for name, value in values.items():
        ctl = control(name, base.parameters.get(name))
        value = ctl.coerce(value)
        if value != ctl.value:
            out[name] = registry()[name].validate(value)
    return out
