"""The Solara page of ``rift app``: controls on the left, figures and tables on the right.

Everything it computes comes from :mod:`rift.app.session`; this module only lays out widgets
and turns every error into a message (an :class:`~rift.errors.InputError` as it is, anything
else as one line naming the error, never a traceback).
"""

from __future__ import annotations

import html
import re
import traceback
from typing import Any

import solara
import solara.lab

from rift.app import session as S  # noqa: N812
from rift.errors import InputError

#: What ``rift app`` was started with (set by :func:`rift.app.server.serve` before serving).
CONFIG: dict[str, Any] = {"scenario": None, "out": S.APP_OUTPUTS, "workers": None, "runs": 200}


def _message(exc: BaseException) -> str:
    if isinstance(exc, InputError):
        return exc.message()
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})" if frame else ""
    return f"failed: {type(exc).__name__}: {exc}{where}"


def _heading(text: str, level: int = 4) -> None:
    """A heading (not ``solara.Markdown``: it loads KaTeX, which solara-assets lacks)."""
    solara.HTML(tag=f"h{level}", unsafe_innerHTML=html.escape(text))


def _end_choices(scenario: S.Scenario) -> list[str]:
    """June and December of each year of the horizon, and its last month."""
    months = S.horizon_months(scenario)[6:]
    picks = [m for m in months if m.endswith(("-06", "-12"))]
    return picks if scenario.end in picks else [*picks, scenario.end]


@solara.component
def ParameterControl(
    ctl: S.Control, value: Any, on_value: Any, state: str | None = None, css: str = "param"
) -> None:
    """One parameter's (or lever's) widget, its range from the registry, its source on hover.

    ``state``: shown instead of the value for a lever left alone (endogenous or sampled).
    ``css``: the prefix of its class (``param-us-intel_sharing``; ``lever-`` for a lever).
    """
    safe = re.sub(r"[^A-Za-z0-9_-]", "-", ctl.name)
    with (
        solara.Tooltip(ctl.tooltip),
        solara.Column(classes=[f"{css}-{safe}", f"rift-{css}"], gap="0px"),
    ):
        if ctl.kind == "choice":
            solara.Select(ctl.name, values=list(ctl.choices), value=value, on_value=on_value)
        elif ctl.kind == "bool":
            solara.Checkbox(label=ctl.name, value=bool(value), on_value=on_value)
        elif ctl.kind == "int":
            solara.SliderInt(
                ctl.name,
                value=int(value),
                min=int(ctl.low),
                max=int(ctl.high),
                on_value=on_value,
            )
        else:
            solara.SliderFloat(
                ctl.name,
                value=float(value),
                min=ctl.low,
                max=ctl.high,
                step=ctl.step,
                on_value=on_value,
            )
        solara.Text(f"{ctl.name} = {state or f'{value} {ctl.unit}'}", classes=["param-value"])


@solara.component
def Page() -> None:
    """The whole app."""
    sess = solara.use_memo(
        lambda: S.Session(
            S.choose_scenario(CONFIG["scenario"]), CONFIG["out"], workers=CONFIG["workers"]
        ),
        [],
    )
    base, set_base = solara.use_state(sess.base)
    values, set_values = solara.use_state({})
    group, set_group = solara.use_state("us")
    added, set_added = solara.use_state([])
    election, set_election = solara.use_state({})
    levers, set_levers = solara.use_state({})
    tab, set_tab = solara.use_state(0)
    tab_ref = solara.use_ref(0)  # the visible tab, read by the Run task's thread
    runs, set_runs = solara.use_state(int(CONFIG["runs"]))
    end, set_end = solara.use_state(base.end)
    file_ref, set_file_ref = solara.use_state("")
    pin_ref, set_pin_ref = solara.use_state("")
    save_ref, set_save_ref = solara.use_state("")
    message, set_message = solara.use_state(("info", f"{base.name}: press Run"))
    shown, set_shown = solara.use_state({"figures": {}, "tables": {}, "names": []})

    def edits() -> S.Edits:
        return S.Edits(
            parameters=S.edits_from(values, base),
            interventions=list(added),
            election=dict(election),
            levers=S.lever_edits_from(levers, base),
            runs=runs,
            end=end,
        )

    def visible_figures() -> dict[str, bytes]:  # only the visible tab's, drawn once each
        return sess.figures(list(S.PAGE_TABS.values())[tab_ref.current])

    def refresh() -> None:
        set_shown(
            {
                "figures": visible_figures(),
                "tables": sess.difference_tables(),
                "names": [r.name for r in sess.batches()],
            }
        )

    def show_tab(index: int) -> None:
        tab_ref.current = index
        set_tab(index)
        try:
            figs = visible_figures()
        except Exception as exc:
            set_message(("error", _message(exc)))
            return
        set_shown({**shown, "figures": figs})

    def act(fn, done: str) -> None:
        try:
            result = fn()
        except Exception as exc:
            set_message(("error", _message(exc)))
            return
        set_message(("success", done.format(result=result)))

    def choose(ref: str) -> None:
        def go():
            new = sess.choose(ref)
            set_base(new)
            set_values({})
            set_added([])
            set_election({})
            set_levers({})
            set_end(new.end)
            return new.name

        act(go, "scenario {result} chosen")

    @solara.lab.use_task(dependencies=None)
    def run_task() -> None:
        def progress(done: int, total: int) -> None:
            run_task.progress = 100.0 * done / total

        try:
            res = sess.run(edits(), progress)
            refresh()
            n = len(res.ok_runs)
            text = f"{res.name}: {n} runs in {sess.last_seconds:.1f} s ({res.path})"
        except Exception as exc:  # a message on the page, never a traceback
            set_message(("error", _message(exc)))
            return
        set_message(("success", text))

    def pin() -> None:  # the figures stay: the pinned batch is the one shown
        act(lambda: sess.pin().name, "pinned {result}: the next Run is compared with it")

    def pin_folder() -> None:
        def go() -> str:
            pinned = sess.pin_folder(pin_ref)
            refresh()  # both batches now, compared (a comparison that fails is a message)
            return pinned.name

        act(go, "pinned the saved batch {result}")

    def unpin() -> None:
        def go() -> str:
            sess.unpin()
            refresh()
            return "nothing pinned"

        act(go, "{result}")

    def save() -> None:
        act(lambda: sess.save(edits(), save_ref or None), "scenario saved: {result}")

    def report() -> None:
        act(sess.report, "report written: {result}")

    sampled = S.sampled_parameters(base)
    groups = S.parameter_groups(sampled)
    months = S.horizon_months(base)
    solara.Title("rift app")
    with solara.AppBar():
        solara.Text(f"rift app: {base.name}")
    with solara.Sidebar():
        _heading(f"{base.name}: {base.start} to {base.end}", 3)
        names = S.shipped_names()
        solara.Select(
            "Shipped scenario",
            values=names,
            value=base.name if base.name in names else None,
            on_value=choose,
        )
        with solara.Row():
            solara.InputText("or a scenario file", value=file_ref, on_value=set_file_ref)
            solara.Button("Load", on_click=lambda: choose(file_ref))
        solara.SliderInt(
            "Runs", value=runs, min=1, max=max(1000, int(CONFIG["runs"])), on_value=set_runs
        )
        solara.Text(f"{runs} runs per batch, the same seeds every time (paired)")
        solara.Select("Last month", values=_end_choices(base), value=end, on_value=set_end)
        _heading(f"Sampled parameters ({len(sampled)})")
        solara.Select(
            "Group", values=list(groups), value=group if group in groups else None,
            on_value=set_group,
        )  # fmt: skip
        for name in groups.get(group, []):
            ctl = S.control(name, base.parameters.get(name))
            ParameterControl(
                ctl,
                values.get(name, ctl.value),
                lambda v, name=name, ctl=ctl: set_values({**values, name: ctl.coerce(v)}),
            )
        changed = S.edits_from(values, base) if values else {}
        if changed:
            solara.Text("Fixed: " + ", ".join(f"{k} = {v}" for k, v in changed.items()))
            solara.Button("Reset parameters", on_click=lambda: set_values({}))
        LeverForm(base, levers, set_levers)
        InterventionForm(months, added, set_added)
        _heading("Election")
        for key, choices in S.ELECTION_CHOICES.items():
            fixed = getattr(base.election, key)
            solara.Select(
                S.ELECTION_LABELS[key],
                values=["drawn", *choices],
                value=election.get(key, fixed or "drawn"),
                on_value=lambda v, key=key: set_election(
                    {k: x for k, x in {**election, key: v}.items() if x != "drawn"}
                ),
                disabled=fixed is not None,
            )
    with solara.Column():
        with solara.Row():
            solara.Button("Run", on_click=run_task, disabled=run_task.pending, color="primary")
            solara.Button("Pin this batch", on_click=pin, disabled=run_task.pending)
            solara.Button("Unpin", on_click=unpin)
            solara.Button("Report", on_click=report, disabled=run_task.pending)
        with solara.Row():
            solara.InputText("Saved batch folder to pin", value=pin_ref, on_value=set_pin_ref)
            solara.Button("Pin folder", on_click=pin_folder)
            solara.InputText("Save as (.yaml)", value=save_ref, on_value=set_save_ref)
            solara.Button("Save scenario", on_click=save)
        if run_task.pending:
            solara.ProgressLinear(run_task.progress or True)
        kind, text = message
        {"error": solara.Error, "success": solara.Success}.get(kind, solara.Info)(
            text, classes=[f"rift-message-{kind}"]
        )
        ResultsPanel(shown, tab, show_tab)


def _lever_state(base: S.Scenario, name: str) -> str | None:
    """What a lever left alone is, when its control's value does not say it."""
    if name in base.uncertain:
        return "sampled per run (move it to fix it)"
    if "[" not in name and name not in base.parameters:
        return f"{S.ENDOGENOUS} (move it to force it)"
    return None


@solara.component
def LeverForm(base: S.Scenario, levers: dict, set_levers: Any) -> None:
    """The scenario's levers: instruments for the whole run, its interventions' parts."""
    groups = S.lever_groups(base)
    group, set_group = solara.use_state(S.INSTRUMENT_LEVERS)
    _heading(f"Levers ({sum(len(v) for v in groups.values())})")
    solara.Select(
        "Lever group", values=list(groups), value=group if group in groups else None,
        on_value=set_group,
    )  # fmt: skip
    fixed = S.lever_edits_from(levers, base) if levers else {}
    for name in groups.get(group, []):
        ctl = S.lever_control(base, name)
        ParameterControl(
            ctl,
            levers.get(name, ctl.value),
            lambda v, name=name, ctl=ctl: set_levers({**levers, name: ctl.coerce(v)}),
            state=None if name in fixed else _lever_state(base, name),
            css="lever",
        )
    if fixed:
        solara.Text("Levers fixed: " + ", ".join(f"{k} = {v}" for k, v in fixed.items()))
        solara.Button("Reset levers", on_click=lambda: set_levers({}))
    for pol in base.policies:
        values = ", ".join(f"{k} = {v}" for k, v in pol.set.items())
        solara.Text(f"policy {pol.name}: {values} (run against the same runs, on top)")


@solara.component
def InterventionForm(months: list[str], added: list, set_added: Any) -> None:
    """Force an instrument from a month (optionally until a later one)."""
    controls = {c.name: c for c in S.instrument_controls()}
    name, set_name = solara.use_state(next(iter(controls)))
    value, set_value = solara.use_state(controls[name].value)
    at, set_at = solara.use_state(months[min(2, len(months) - 1)])
    until, set_until = solara.use_state("open")
    _heading("Interventions (instruments forced)")

    def pick(n: str) -> None:
        set_name(n)
        set_value(controls[n].value)

    solara.Select("Instrument", values=list(controls), value=name, on_value=pick)
    ParameterControl(controls[name], value, lambda v: set_value(controls[name].coerce(v)))
    solara.Select("From", values=months, value=at, on_value=set_at)
    solara.Select("Until", values=["open", *months], value=until, on_value=set_until)

    def add() -> None:
        item: dict[str, Any] = {"at": at, "set": {name: value}}
        if until != "open":
            item["until"] = until
        set_added([*added, item])

    solara.Button("Add intervention", on_click=add)
    for k, item in enumerate(added):
        (inst, v), = item["set"].items()  # fmt: skip
        with solara.Row():
            solara.Text(f"{item['at']}{'–' + item['until'] if 'until' in item else ''}: "
                        f"{inst} = {v}")  # fmt: skip
            solara.Button(
                "remove", text=True,
                on_click=lambda k=k: set_added([a for j, a in enumerate(added) if j != k]),
            )  # fmt: skip


@solara.component
def ResultsPanel(shown: dict, tab: int, on_tab: Any) -> None:
    """The difference table (when a batch is pinned) and the figures, a tab per subject.

    Only the visible tab's figures are in ``shown`` (drawn when the tab is shown).
    """
    tables = shown["tables"]
    if tables:
        _heading(f"{' vs '.join(shown['names'])}: paired differences")
        solara.Text(tables["note"])
        solara.DataFrame(tables["outcomes"], items_per_page=12)
        solara.DataFrame(tables["events"], items_per_page=6)
    elif shown["names"]:
        _heading(f"{shown['names'][-1]} (pin it to compare the next run with it)")
    if not shown["names"]:
        return
    with solara.lab.Tabs(value=tab, on_value=on_tab):
        for k, (label, stems) in enumerate(S.PAGE_TABS.items()):
            with solara.lab.Tab(label), solara.ColumnsResponsive(12, large=6):
                if k != tab:
                    continue
                for stem in stems:
                    if stem in shown["figures"]:
                        png = shown["figures"][stem]
                        solara.HTML(tag="div", unsafe_innerHTML=S.figure_html(stem, png))
