"""A self-contained HTML report of one batch or a comparison of several.

Everything is in one file: figures are embedded as base64 PNG, the style sheet is inline and
the page makes no network request, so it can be mailed or archived as it is. Headline numbers
carry ``data-*`` attributes with their exact values so that a test (or a reader's script) can
check them against ``runs.parquet``.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from rift.analysis.compare import Comparison
from rift.analysis.summary import (
    HEADLINE_OUTCOMES,
    category_shares,
    event_probability,
    format_value,
    headline_events,
    horizon_summary,
    shocked_events,
)
from rift.analysis.tables import category_table, event_table, outcome_table
from rift.analysis.weights import run_weights, weighting_note
from rift.atomic import atomic_write_text
from rift.errors import InputError, refuse_links
from rift.parameters import registry
from rift.plots import FIGURE_SETS, KEY_OUTCOMES, is_key_figure
from rift.record import RECORD, Outcome
from rift.results import Results
from rift.version import __version__

if TYPE_CHECKING:
    from rift.plots.pool import FigurePool

#: The outcomes of the headline table (declared with the terminal summary's).
HEADLINES = HEADLINE_OUTCOMES
CAPTIONS = {
    "fan": "Median (line), 50 % and 90 % bands over the runs, by month",
    "target": "The hindcast's fan chart with the observed figures (markers)",
    "reliability": "PIT histogram and coverage of the central bands, in and out of sample "
    "(flat and on the diagonal when the bands are honest)",
    "horizon": "Distribution over the runs at the horizon",
    "exceedance": "Probability that the outcome exceeds x at the horizon",
    "events": "Cumulative probability of each event by month",
    "share": "Share of runs in which a state is on, or in each category, by month",
    "election": "The 2026 election: first-round shares, the winner, armed control by winner",
    "map": "Probability that an armed group controls each municipality at the horizon",
}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 72rem; color: #1b1b1b; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2.2rem;
  border-bottom: 1px solid #ccc; } h3 { font-size: 1.1rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #d0d0d0; padding: 0.25rem 0.5rem; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.2rem 0; } figure img { max-width: 100%; height: auto;
  border: 1px solid #eee; } figcaption { font-size: 0.85rem; color: #555; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.5rem 0.8rem; }
.fail { background: #fdecea; border-left: 4px solid #c62828; padding: 0.5rem 0.8rem; }
code, pre { background: #f6f6f6; padding: 0.1rem 0.3rem; font-size: 0.85rem; }
pre { padding: 0.6rem; overflow-x: auto; } details { margin: 0.6rem 0; }
blockquote { margin: 0.3rem 0 0.3rem 1rem; color: #444; font-style: italic; }
"""


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def headline_numbers(res: Results) -> dict[str, dict[str, float]]:
    """Median, 5th and 95th percentile of the headline outcomes and event probabilities.

    Weighted for a batch conditioned on observations (see :mod:`rift.analysis.weights`).
    """
    ok = res.ok_runs
    weights = run_weights(res)
    out: dict[str, dict[str, float]] = {
        r.outcome: {"median": r.median, "p5": r.p5, "p95": r.p95}
        for r in horizon_summary(ok, HEADLINES, weights).itertuples()
    }
    for event in RECORD.events:
        if event.figure and event.column in ok:  # the headline events, not every measure
            p = event_probability(ok, event.name, weights=weights) if len(ok) else float("nan")
            out[f"p_{event.name}"] = {"probability": p}
    return out


def _signed(x: float) -> str:
    """A difference as the tables print numbers, with its sign (+0 for none)."""
    return ("+" if x >= 0 else "") + format_value(float(x))


def _difference_cell(row: pd.Series | None, key: str, scenario: str) -> str:
    """A paired difference to the reference: mean [95 % interval], or a dash."""
    if row is None or not np.isfinite(row["difference"]):
        return "<td>-</td>"
    low, high = _signed(row["ci_low"]), _signed(row["ci_high"])
    text = f"{_signed(row['difference'])} <small>[{low}, {high}]</small>"
    return (
        f'<td class="num difference" data-key="{key}" data-scenario="{_e(scenario)}" '
        f'data-difference="{float(row["difference"])!r}" '
        f'data-ci-low="{float(row["ci_low"])!r}" data-ci-high="{float(row["ci_high"])!r}">'
        f"{text}</td>"
    )


def _headline_html(
    results: Sequence[Results], names: Sequence[str], comparison: Comparison | None = None
) -> str:
    end = results[0].manifest["scenario"]["end"]
    rows = []
    head = "".join(f"<th>{_e(n)}</th>" for n in names)
    # With a comparison: one column per other scenario, its difference to the reference
    # (paired run by run when the comparison is), mean [95 % interval].
    others = list(comparison.names[1:]) if comparison is not None and len(results) > 1 else []
    head += "".join(f"<th>{_e(n)} − {_e(names[0])}</th>" for n in others)

    def diffs(table: pd.DataFrame, key: str, **match: str) -> str:
        """The difference cells of each other scenario: its row of ``table`` that matches."""
        cells = []
        for other in others:
            hit = table["scenario"] == other
            for column, value in match.items():
                hit &= table[column] == value
            row = table[hit]
            cells.append(_difference_cell(row.iloc[0] if len(row) else None, key, other))
        return "".join(cells)

    numbers = [headline_numbers(res) for res in results]  # each once: it reads every run
    for name in HEADLINES:
        o = RECORD.outcome(name)
        cells = []
        for h_all, sname in zip(numbers, names, strict=True):
            h = h_all.get(name)
            if h is None:
                cells.append("<td>-</td>")
                continue
            attrs = (
                " ".join(f'data-{k}="{v!r}"' for k, v in h.items())
                + f' data-scenario="{_e(sname)}" data-key="{name}"'
            )
            text = (
                f"{format_value(h['median'])} "
                f"<small>[{format_value(h['p5'])}–{format_value(h['p95'])}]</small>"
            )
            cells.append(f'<td class="num headline" {attrs}>{text}</td>')
        if others:
            cells.append(diffs(comparison.differences, name, outcome=name))
        rows.append(f"<tr><th>{_e(o.label)} ({_e(o.unit)})</th>{''.join(cells)}</tr>")
    for event in RECORD.events:
        key, label = f"p_{event.name}", event.label
        if not all(key in h_all for h_all in numbers):
            continue
        cells = []
        for h_all, sname in zip(numbers, names, strict=True):
            p = h_all[key]["probability"]
            cells.append(
                f'<td class="num headline" data-probability="{p!r}" data-scenario="{_e(sname)}" '
                f'data-key="{key}">{p:.2f}</td>'
            )
        if others:
            cells.append(diffs(comparison.events, key, event=event.name, by=end))
        rows.append(f"<tr><th>P({_e(label)} by {_e(end)})</th>{''.join(cells)}</tr>")
    for o in RECORD.of_kind("category"):
        if not all(o.name in res.runs for res in results):
            continue
        tables = [category_shares(res.runs, [o.name], run_weights(res)) for res in results]
        for value in o.labels:
            shares = []
            for table in tables:
                share = table.loc[table["value"] == value, "share"]
                shares.append(float(share.iloc[0]) if len(share) else 0.0)
            if not any(shares):  # a label no run reaches (a president who never appears)
                continue
            cells = [f'<td class="num">{x:.2f}</td>' for x in shares]
            if others:
                cells += [f'<td class="num">{x - shares[0]:+.2f}</td>' for x in shares[1:]]
            rows.append(f"<tr><th>{_e(o.label)} {_e(value)} (share)</th>{''.join(cells)}</tr>")
    return (
        f"<table><thead><tr><th>at {_e(end)}: median [5–95 %]</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _label(name: str) -> str:
    """An outcome's or an event's label (the name itself when the record knows neither)."""
    for find in (RECORD.outcome, RECORD.event):
        try:
            return find(name).label
        except KeyError:
            continue
    return name


def _labelled(table: pd.DataFrame) -> pd.DataFrame:
    """A table for the page: numbers formatted, an ``outcome`` column as labels."""
    shown = table.map(lambda v: format_value(v) if isinstance(v, float) else v)
    if "outcome" in shown:
        shown["outcome"] = shown["outcome"].map(_label)
    return shown


def _assimilation_html(results: Sequence[Results], names: Sequence[str]) -> str:
    """Batches conditioned on observations: the ESS, each observation, the horizon after."""
    from rift.analysis.assimilation import assimilate, horizon_comparison

    parts = []
    for res, name in zip(results, names, strict=True):
        if not res.manifest["scenario"].get("observations"):
            continue
        fit = assimilate(res)
        obs = _labelled(fit.table.drop(columns=["source"]))
        sources = "".join(
            f"<li>{_e(_label(o.outcome))} {_e(o.month)}: {_e(o.source)}</li>"
            for o in fit.observations
        )
        outcomes = list(dict.fromkeys(o.outcome for o in fit.observations))
        horizon = _labelled(horizon_comparison(res, fit, outcomes))
        warn = (
            f'<div class="note"><b>Collapsed weights</b>: {_e(fit.message())}</div>'
            if fit.collapsed
            else f"<p>{_e(fit.message())}</p>"
        )
        parts.append(
            f"<h3>{_e(name)}</h3>{warn}{_table(obs)}<ul>{sources}</ul>"
            f"<p>At the horizon, before and after conditioning:</p>{_table(horizon)}"
        )
    if not parts:
        return ""
    note = (
        "<p>The runs are weighted by the likelihood of the scenario's observations and "
        "resampled (sequential importance resampling): the ensemble after conditioning is "
        "what the runs that reproduce the observations do. The headline numbers, the "
        "comparison and the figures are weighted (`--unweighted` shows the plain batch).</p>"
    )
    return "<h2>Observations assimilated</h2>" + note + "".join(parts)


def _sensitivity_html(results: Sequence[Results], names: Sequence[str]) -> str:
    """The sensitivity analyses stored in each batch (``rift sensitivity``): table and figure."""
    parts = []
    for res, name in zip(results, names, strict=True):
        for table_path in sorted(res.path.glob("sensitivity_*.parquet")):
            table = pd.read_parquet(table_path)
            if table.empty:
                continue
            first = table.iloc[0]
            shown = table.assign(
                value=table["value"].map(lambda v: f"{v:.3f}"),
                interval=[f"[{lo:.3f}, {hi:.3f}]" for lo, hi in
                          zip(table["ci_low"], table["ci_high"], strict=True)],
            )[["factor", "index", "value", "interval"]]  # fmt: skip
            figure = res.path / "figures" / f"{table_path.stem}.png"
            img = ""
            if figure.is_file():
                data = base64.b64encode(figure.read_bytes()).decode("ascii")
                alt = _e(table_path.stem)
                img = f'<figure><img src="data:image/png;base64,{data}" alt="{alt}"></figure>'
            parts.append(
                f"<h3>{_e(name)}: {_e(_label(first['outcome']))} in {_e(first['month'])} "
                f"({_e(first['method'])})</h3>{img}{_table(shown)}"
            )
    if not parts:
        return ""
    note = (
        "<p>The indices of the seed-averaged outcome over the sensitivity design, with "
        "SALib's 95 % bootstrap intervals; the first two rows split the outcome's variance "
        "between the seed (within design points) and the inputs (between them).</p>"
    )
    return "<h2>Sensitivity</h2>" + note + "".join(parts)


#: The election winners a report splits its runs by, when they vary in a batch.
ELECTION_SPLITS = ("winner", "winner_2030")


def read_discovery(folder: str | Path) -> dict:
    """A stored ``rift discover`` result: its record, chosen box and figures.

    Raises:
        InputError: The folder holds no ``discovery.json`` (not a ``rift discover --out``).
    """
    folder = Path(folder)
    record_path = folder / "discovery.json"
    if not record_path.is_file():
        raise InputError(
            f"{folder} holds no discovery.json",
            key="--discovery",
            expected="a folder written by rift discover (its --out)",
        )
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        box = pd.read_csv(folder / "box.csv")
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{folder}: {exc}", key="--discovery", expected="a complete rift discover folder"
        ) from None
    figures = [folder / f"{stem}.png" for stem in ("trajectory", "feature_scores")]
    return {"record": record, "box": box, "figures": [f for f in figures if f.is_file()]}


def _discovery_html(found: Sequence[dict]) -> str:
    """The scenario discoveries asked for (``--discovery``): the chosen box and figures."""
    if not found:
        return ""
    parts = []
    for d in found:
        r = d["record"]
        rows = []
        for b in d["box"].to_dict("records"):
            if b["kind"] == "real":
                limits = f"{format_value(b['lower'])} to {format_value(b['upper'])}"
                of = f"{format_value(b['minimum'])} to {format_value(b['maximum'])}"
            else:
                limits, of = str(b["kept"]), ""
            qp = [format_value(q) for q in (b["qp_lower"], b["qp_upper"]) if pd.notna(q)]
            rows.append({"input": _split_label(b["dimension"]), "in the box": limits,
                         "range of the runs": of, "quasi-p": ", ".join(qp)})  # fmt: skip
        imgs = "".join(
            '<figure><img src="data:image/png;base64,'
            + base64.b64encode(f.read_bytes()).decode("ascii")
            + f'" alt="{_e(f.stem)}"></figure>'
            for f in d["figures"]
        )
        parts.append(
            f"<h3>{_e(r['scenario'])}: {_e(r['target'])}</h3>"
            f"<p>{r['cases']} of {r['runs']} runs are cases of interest. Chosen: "
            f"{_e(r['chosen'])} (box {r['box']}): coverage {r['coverage']:.2f}, density "
            f"{r['density']:.2f}, mass {r['mass']:.2f}.</p>"
            + (_table(pd.DataFrame(rows)) if rows else "<p>The box restricts no input.</p>")
            + imgs
        )
    note = (
        "<p>PRIM over every input of the runs (<code>rift discover</code>): the box where the "
        "cases of interest concentrate, with each restricted input's limits and quasi-p-values "
        "(they treat runs as independent; runs from one member of the present are not).</p>"
    )
    return "<h2>Scenario discovery</h2>" + note + "".join(parts)


def _split_label(by: str) -> str:
    """A categorical input's label (a run value's, a parameter's name otherwise)."""
    try:
        return RECORD.outcome(by).label
    except KeyError:
        return by


def _split_html(
    results: Sequence[Results], names: Sequence[str], by: str, required: bool = False
) -> str:
    """The runs of each batch split by one categorical input (:func:`split_by`)."""
    from rift.analysis.splits import SPLIT_OUTCOMES, categorical_inputs, split_by

    parts = []
    for res, name in zip(results, names, strict=True):
        if not required and by not in categorical_inputs(res):
            continue
        table = split_by(res, by)
        end = res.manifest["scenario"]["end"]
        labels = {by: _split_label(by), "runs": "runs", "share": "share of runs"}
        for n in SPLIT_OUTCOMES:
            o = RECORD.outcome(n)
            labels[n] = f"{o.label} ({o.unit}, median)"
        for c in table.columns:
            if c.startswith("p_"):
                labels[c] = f"P({RECORD.event(c.removeprefix('p_')).label} by {end})"
        shown = table.map(lambda v: format_value(v) if isinstance(v, float) else v)
        parts.append(f"<h3>{_e(name)}</h3>" + _table(shown.rename(columns=labels)))
    if not parts:
        return ""
    label = _split_label(by)
    note = (
        f"<p>Runs split by {_e(label[0].lower() + label[1:])}: how many, and the median of "
        "each outcome at the horizon among them (P = share of those runs with the event). "
        "A split is descriptive: the runs of a category differ in whatever led to it, so a "
        "difference between rows is not the category's effect (a scenario that sets it, "
        "compared with <code>rift compare</code>, gives that).</p>"
    )
    return f"<h2>Split by {_e(label[0].lower() + label[1:])}</h2>" + note + "".join(parts)


def _parameters_html(res: Results) -> str:
    sc = res.manifest["scenario"]
    reg = registry()
    rows = []

    def sources(name: str) -> str:
        if name not in reg:
            return ""
        parts = []
        for s in reg[name].sources:
            if s.kind == "seed":
                parts.append(f"seed {_e(s.text)}<blockquote>“{_e(s.quote)}”</blockquote>")
            elif s.kind == "reference":
                parts.append(f"reference.csv <code>{_e(s.text)}</code> {_e(s.date or '')}")
            else:
                parts.append(f"assumption: {_e(s.text)}")
        return "<br>".join(parts)

    for name, value in sc.get("parameters", {}).items():
        unit = reg[name].unit if name in reg else ""
        rows.append((name, f"fixed: {value}", unit, sources(name)))
    for name, dist in sc.get("uncertain", {}).items():
        d = dict(dist)
        kind = d.pop("dist")
        text = f"{kind}(" + ", ".join(f"{k}={v}" for k, v in d.items()) + ")"
        unit = reg[name].unit if name in reg else ""  # an intervention's part: its own row
        rows.append((name, f"sampled per run: {text}", unit, sources(name)))
    sampled = [n for n in res.manifest.get("sampled", []) if n not in sc.get("uncertain", {})]
    if sampled:
        spread = [n for n in sampled if reg.get(n) is not None and n not in cal_names(res)]
        rows.append(
            (
                f"{len(sampled)} more",
                f"sampled per run: {len(spread)} from their declared spreads (`rift params`), "
                f"{len(sampled) - len(spread)} from the calibrated posterior",
                "",
                ", ".join(sampled[:12]) + (", ..." if len(sampled) > 12 else ""),
            )
        )
    body = "".join(
        f"<tr><td>{_e(reg[n].description) if n in reg else ''}<br><code>{_e(n)}</code></td>"
        f"<td>{_e(v)}</td><td>{_e(u)}</td><td>{s}</td></tr>"
        for n, v, u, s in rows
    )
    table = (
        "<table><thead><tr><th>parameter</th><th>value</th><th>unit</th><th>source</th></tr>"
        f"</thead><tbody>{body}</tbody></table>"
        if rows
        else "<p>No parameter is changed from its default.</p>"
    )
    changed = {r[0] for r in rows} | {
        name for iv in sc.get("interventions", []) for name in iv["set"]
    }
    full = "".join(
        f"<tr><td><code>{_e(p.name)}</code></td><td>{_e(p.default)}</td><td>{_e(p.unit)}</td>"
        f"<td>{_e(p.range_text())}</td><td>{_e(', '.join(s.short() for s in p.sources))}</td></tr>"
        for p in reg.values()
        if p.name not in changed
    )
    return (
        f"{table}<details><summary>All other parameters at their defaults "
        f"({len(reg) - len(changed)})</summary><table><thead><tr><th>parameter</th>"
        "<th>default</th><th>unit</th><th>range</th><th>source</th></tr></thead>"
        f"<tbody>{full}</tbody></table></details>"
    )


def _measure_label(key: str) -> str:
    """A measure's label by its key (``us.security_aid_cut``), or the key if unknown."""
    from rift.catalogue import CATALOGUE

    try:
        return CATALOGUE.get(key).label
    except KeyError:
        return key


def _rows_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table of already escaped cells."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _condition(item: Mapping) -> str:
    """A conditional shock's or intervention's condition, for its months cell (escaped)."""
    if not item.get("when"):
        return ""
    how = "from the first month" if item.get("mode", "once") == "once" else "in the months"
    return f"<br>{how} that <code>{_e(item['when'])}</code> holds"


def _shocks_html(sc: Mapping) -> str:
    """The scenario's shocks (dated starts and ends of measures) as a table."""
    rows = []
    for shock in sc.get("shocks") or []:
        started = "<br>".join(_e(_measure_label(k)) for k in shock.get("start") or []) or "-"
        ended = "<br>".join(_e(_measure_label(k)) for k in shock.get("end") or []) or "-"
        when = _e(shock["at"]) + (f" to {_e(shock['until'])}" if shock.get("until") else "")
        rows.append((when + _condition(shock), started, ended, _e(shock.get("label") or "")))
    if not rows:
        return "<p>No shock: every measure starts and ends by its hazards.</p>"
    note = (
        "<p>Each shock starts or ends measures in its month; afterwards they follow their "
        "hazards, so what both governments do next is an outcome.</p>"
    )
    return note + _rows_table(("month", "measures started", "measures ended", "what"), rows)


def _interventions_html(sc: Mapping) -> str:
    """The scenario's interventions (instruments forced over a span) as a table."""
    reg = registry()
    rows = []
    for iv in sc.get("interventions") or []:
        span = _e(iv["at"]) + (f" to {_e(iv['until'])}" if iv.get("until") else " on")
        span += _condition(iv)
        for name, value in iv["set"].items():
            p = reg.get(name)
            what = _e(p.description) if p is not None else ""
            unit = _e(p.unit) if p is not None else ""
            rows.append(
                (span, f"{what}<br><code>{_e(name)}</code>", f"{_e(value)} {unit}".strip(),
                 _e(iv.get("label") or ""))
            )  # fmt: skip
    if not rows:
        return "<p>No intervention: no instrument is forced.</p>"
    return _rows_table(("months", "instrument", "forced to", "what"), rows)


#: How each election setting of a scenario reads.
ELECTION_SETTINGS = {
    "first_round": "First round of 2026 fixed (shares of the vote)",
    "runoff": "Runoff of 2026 fixed (shares of the vote)",
    "shift": "Poll prior of 2026 moved (percentage points)",
    "priors": "Winner of 2026 drawn with these probabilities (no vote simulated)",
    "winner": "Winner of 2026 fixed",
    "winner_2030": "Winner of 2030 fixed",
    "us_2028": "Winner of the 2028 US presidential election fixed",
    "midterms_2026": "US House after the 2026 midterms fixed",
}


def _election_settings_html(sc: Mapping) -> str:
    """The scenario's election settings as a table (the model's priors where it sets none)."""
    election = {k: v for k, v in (sc.get("election") or {}).items() if v is not None}
    rows = []
    for key, value in election.items():
        if isinstance(value, Mapping):
            text = ", ".join(f"{_e(k)} {_e(format_value(float(v)))}" for k, v in value.items())
        else:
            text = _e(value)
        rows.append((_e(ELECTION_SETTINGS.get(key, key)), text))
    if not rows:
        return (
            "<p>No election setting: the 2026 vote is simulated from the polls (or taken from "
            "the record when the batch starts after it); the 2026 US midterms, the 2028 US "
            "election and the 2030 Colombian election are drawn from their priors.</p>"
        )
    return _rows_table(("setting", "value"), rows)


def cal_names(res: Results) -> set[str]:
    """The parameters a batch drew from the calibrated posterior (its ``param.`` columns)."""
    from rift.calibration import posterior

    sc = res.manifest["scenario"]
    through = (sc.get("sampling") or {}).get("calibrated_through")
    post = posterior(through) if sc.get("calibration") else None
    return set() if post is None else set(post.names)


def _scenario_html(res: Results, name: str) -> str:
    m = res.manifest
    sc = m["scenario"]
    failures = m.get("failures") or []
    fail = ""
    if failures:
        items = "".join(
            f"<li>run {_e(f['run'])} (seed {_e(f['seed'])}): <code>{_e(f['error'])}</code></li>"
            for f in failures[:50]
        )
        fail = f'<div class="fail"><b>{len(failures)} run(s) failed</b><ul>{items}</ul></div>'
    state = "complete" if res.complete else "<b>incomplete</b> (interrupted; resume with --resume)"
    versions = m.get("versions", {})
    cmd = m.get("command") or f"rift run {sc['name']}"
    return f"""
<h2>Scenario {_e(name)}</h2>
<p>{_e(sc.get("description") or "(no description)")}</p>
<p>{_e(sc["start"])} to {_e(sc["end"])}; {len(res.runs)} of {_e(m["runs"])}
{"run" if m["runs"] == 1 else "runs"} stored
({state}); root seed {_e(m["seed"])}; scenario hash <code>{_e(m["scenario_hash"])}</code>.</p>
{fail}
<h3>Shocks</h3>
{_shocks_html(sc)}
<h3>Interventions</h3>
{_interventions_html(sc)}
<h3>Elections</h3>
{_election_settings_html(sc)}
<h3>Parameters and their sources</h3>
{_parameters_html(res)}
<h3>How to reproduce</h3>
<pre>{_e(cmd)}</pre>
<p>rift {_e(versions.get("rift", __version__))}, Python {_e(versions.get("python", "?"))},
Mesa {_e(versions.get("mesa", "?"))}, numpy {_e(versions.get("numpy", "?"))};
git commit <code>{_e(m.get("git_commit") or "unknown")}</code>; executor {_e(m.get("executor"))}.
Run k uses <code>SeedSequence({_e(m["seed"])}, spawn_key=(k,))</code>; the same command gives
the same bits. Results folder: <code>{_e(res.path)}</code>.</p>
"""


#: The order of the figures by kind (the key fans first, in the order of ``KEY_OUTCOMES``).
FIGURE_ORDER = (
    "reliability",
    "target",
    "key",
    "events",
    "election",
    "map",
    "horizon",
    "exceedance",
    "share",
    "fan",
)


#: Titles of the standard figures that are not of one outcome.
FIGURE_TITLES = {
    "events": "The alliance's events",
    "election": "The 2026 election",
    "map_control": "Armed control by municipality",
    "reliability": "Reliability of the hindcast's bands",
}


def figure_title(stem: str) -> str:
    """What a figure shows, for its caption: its outcome's label, or its title (never a stem)."""
    if stem in FIGURE_TITLES:
        return FIGURE_TITLES[stem]
    kind, _, name = stem.partition("_")
    try:
        label = RECORD.outcome(name).label
    except KeyError:
        return stem.replace("_", " ")
    return f"{label} (the hindcast)" if kind == "target" else label


def _detail_figure(stem: str) -> bool:
    """A standard figure that is not a key figure: it goes into the appendix."""
    kind = stem.split("_", 1)[0]
    return kind in {"fan", "share", "horizon", "exceedance"} and not is_key_figure(stem)


def _figures_html(figures: Mapping[str, Path], ordered: bool = True) -> str:
    """The figures in :data:`FIGURE_ORDER`: the key fans, the events, the election, the map.

    With ``ordered`` false, in the order given (the record's, for the appendix).
    """

    def rank(stem: str) -> tuple[int, int]:
        kind = stem.split("_", 1)[0]
        if kind == "fan" and is_key_figure(stem):
            return FIGURE_ORDER.index("key"), KEY_OUTCOMES.index(stem.removeprefix("fan_"))
        return (FIGURE_ORDER.index(kind) if kind in FIGURE_ORDER else len(FIGURE_ORDER)), 0

    out = []
    items = sorted(figures.items(), key=lambda kv: rank(kv[0])) if ordered else figures.items()
    for stem, path in items:
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        caption = CAPTIONS.get(stem.split("_", 1)[0], "")
        out.append(
            f'<figure id="figure-{_e(stem)}"><img src="data:image/png;base64,{data}" '
            f'alt="{_e(stem)}"><figcaption><b>{_e(figure_title(stem))}</b>: {_e(caption)}'
            "</figcaption></figure>"
        )
    return "\n".join(out)


#: Sections of the record whose flags are shown measure by measure in the appendix.
DETAIL_SECTIONS = ("measures", "institutions")


def detail_flags(results: Sequence[Results]) -> list[Outcome]:
    """The flags of each measure and institution that every batch stored (the appendix rows)."""
    return [
        o
        for o in RECORD.of_kind("flag")
        if o.section in DETAIL_SECTIONS and all(o.name in r.runs for r in results)
    ]


def _appendix_comparison(
    comparison: Comparison, detail: set[str], shocked: Sequence[str] = ()
) -> tuple[Comparison, ...]:
    """The comparison split in two: its headline part and its measure-by-measure part.

    The headline part keeps the alliance's events and those of the measures the scenarios'
    shocks impose (``shocked``), as the terminal summary does.
    """
    figure_events = {*headline_events(), *shocked}

    def part(keep_detail: bool) -> Comparison:
        def pick(table: pd.DataFrame, column: str, is_detail) -> pd.DataFrame:
            if table.empty or column not in table:
                return table
            mask = table[column].map(is_detail).astype(bool)
            return table[mask if keep_detail else ~mask]

        return dataclasses.replace(
            comparison,
            scenarios=pick(comparison.scenarios, "outcome", lambda n: n in detail),
            differences=pick(comparison.differences, "outcome", lambda n: n in detail),
            events=pick(comparison.events, "event", lambda n: n not in figure_events),
        )

    return part(False), part(True)


def _measures_html(results: Sequence[Results], names: Sequence[str]) -> str:
    """Measure by measure, per scenario: the share of runs with it in force at the horizon.

    With the probabilities that it started and that it ended by then.
    """
    flags = detail_flags(results)
    if not flags:
        return ""
    end = results[0].manifest["scenario"]["end"]
    weights = [run_weights(r) for r in results]
    summaries = [
        horizon_summary(r.runs, [o.name for o in flags], w).set_index("outcome")
        for r, w in zip(results, weights, strict=True)
    ]
    events = {e.name for e in RECORD.events}
    head1 = "".join(f'<th colspan="3">{_e(n)}</th>' for n in names)
    head2 = "<th>in force</th><th>started</th><th>ended</th>" * len(names)
    rows = []
    for o in flags:
        cells = []
        for res, w, summary in zip(results, weights, summaries, strict=True):
            on = float(summary.loc[o.name, "mean"]) if o.name in summary.index else float("nan")
            cells.append(f'<td class="num">{format_value(on)}</td>')
            for suffix in ("start", "end"):
                name = f"{o.name}_{suffix}"
                p = (
                    event_probability(res.runs, name, by=end, weights=w)
                    if name in events and RECORD.event(name).column in res.runs
                    else float("nan")
                )
                cells.append(f'<td class="num">{format_value(p)}</td>')
        rows.append(f"<tr><th>{_e(o.label)}</th>{''.join(cells)}</tr>")
    return (
        f'<table class="measures"><thead><tr><th rowspan="2">share of runs at {_e(end)}</th>'
        f"{head1}</tr><tr>{head2}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _appendix_html(
    results: Sequence[Results],
    names: Sequence[str],
    figures: Mapping[str, Path],
    detail: Comparison | None,
) -> str:
    """The appendix, collapsed: the measures one by one and their paired differences.

    With the figures of the full set that are not key figures (``--figures all``).
    """
    parts = [
        "<details><summary>Each measure: in force at the horizon, started, ended</summary>"
        + _measures_html(results, names)
        + "</details>"
    ]
    if detail is not None:
        tables = [_table(outcome_table(detail))] if not detail.scenarios.empty else []
        if not detail.events.empty:
            tables.append(_table(event_table(detail)))
        parts.append(
            "<details><summary>Each measure and institution: paired differences</summary>"
            + "".join(tables)
            + "</details>"
        )
    if figures:
        parts.append(
            f"<details><summary>More figures ({len(figures)}): every reported outcome, the "
            "horizon distributions and exceedance curves</summary>"
            + _figures_html(figures, ordered=False)
            + "</details>"
        )
    else:
        parts.append(
            "<p>The report shows the key figures; <code>--figures all</code> adds a figure of "
            "every reported outcome here.</p>"
        )
    return "<h2>Appendix: measure by measure</h2>" + "".join(parts)


def _with_contents(body: str) -> str:
    """Give every section heading an anchor and put a table of contents after the title.

    The report is long (figures, scenarios, parameters): a reader jumps to the part they need.
    """
    import re

    entries = []

    def anchor(match: re.Match[str]) -> str:
        k = len(entries) + 1
        entries.append((f"s{k}", match.group(1)))
        return f'<h2 id="s{k}">{match.group(1)}</h2>'

    body = re.sub(r"<h2>(.*?)</h2>", anchor, body)
    items = "".join(f'<li><a href="#{i}">{t}</a></li>' for i, t in entries)
    toc = f'<nav class="toc"><h2>Contents</h2><ol>{items}</ol></nav>'
    head, sep, rest = body.partition("</h1>")
    return head + sep + toc + rest if sep else toc + body


def build_report(
    results: Sequence[Results],
    figures: Mapping[str, Path],
    comparison: Comparison | None = None,
    splits: Sequence[str] = (),
    discoveries: Sequence[dict] = (),
) -> str:
    """The report as one HTML string.

    Args:
        results: One or more stored batches (the first is the reference of a comparison).
        figures: PNG files by figure name, embedded in this order.
        comparison: The comparison of the batches, when there are several.
        splits: Categorical inputs to split every batch's runs by (``winner_2030``,
            ``variant.china``, ...), besides the election winners that vary.
        discoveries: Stored ``rift discover`` results (:func:`read_discovery`) to show.

    Raises:
        InputError: A split names no categorical input of a batch.
    """
    names = comparison.names if comparison else [r.name for r in results]
    title = "rift report: " + " vs ".join(names)
    parts = [f"<h1>{_e(title)}</h1>"]
    parts.append(
        "<p>Monte Carlo results of the rift agent-based model of the US–Colombia alliance. "
        "Figures show the spread over runs; the spread is the model's uncertainty about "
        "the future under the scenario's assumptions, not a forecast interval.</p>"
    )
    notes = [n for n in (weighting_note(r) for r in results) if n]
    weighting = (
        '<div class="note weighting"><b>Weights</b><ul>'
        + "".join(f"<li>{_e(n)}</li>" for n in notes)
        + "</ul></div>"
        if notes
        else ""
    )
    parts.append(weighting)
    parts.append("<h2>Headline numbers</h2>" + _headline_html(results, names, comparison))
    key = {s: p for s, p in figures.items() if not _detail_figure(s)}
    more = {s: p for s, p in figures.items() if _detail_figure(s)}
    parts.append("<h2>Key figures</h2>" + weighting + _figures_html(key))
    detail = None
    if comparison is not None and len(results) > 1:
        main, detail = _appendix_comparison(
            comparison,
            {o.name for o in detail_flags(results)},
            shocked_events([r.manifest["scenario"] for r in results]),
        )
        parts.append(f"<h2>Comparison</h2><p>{_e(comparison.note)}.</p>")
        parts.append(_table(outcome_table(main)))
        parts.append(_table(event_table(main)))
        if not comparison.categories.empty:
            parts.append(_table(category_table(comparison)))
        if comparison.warnings:
            items = "".join(f"<li>{_e(w)}</li>" for w in comparison.warnings)
            parts.append(f'<div class="note"><b>Monte Carlo warnings</b><ul>{items}</ul></div>')
    parts.append(_assimilation_html(results, names))
    for by in ELECTION_SPLITS:
        if by not in splits:
            parts.append(_split_html(results, names, by))
    for by in splits:
        parts.append(_split_html(results, names, by, required=True))
    parts.append(_sensitivity_html(results, names))
    parts.append(_discovery_html(discoveries))
    for res, name in zip(results, names, strict=True):
        parts.append(_scenario_html(res, name))
    parts.append(_appendix_html(results, names, more, detail))
    body = _with_contents("\n".join(parts))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{STYLE}</style></head>\n<body>\n{body}\n"
        f"<footer><p><small>Generated by rift {_e(__version__)}.</small></p></footer>"
        "</body></html>\n"
    )


def write_report(
    results: Sequence[Results],
    folder: str | Path,
    comparison: Comparison | None = None,
    formats: Sequence[str] = ("png",),
    extra: Mapping[str, Figure] | None = None,
    figures: str = "key",
    splits: Sequence[str] = (),
    pool: FigurePool | None = None,
    progress: Callable[[int, int], None] | None = None,
    discoveries: Sequence[str | Path] = (),
) -> Path:
    """Write the figures (``figures/``) and ``report.html`` into a folder.

    Args:
        results: One or more stored batches.
        folder: Where to write (created if needed).
        comparison: The comparison, when several batches are reported together.
        formats: Figure formats to save besides the embedded PNG (``png``, ``svg``).
        extra: More figures by file stem (shown first), e.g. a hindcast's targets.
        figures: ``key`` (the key figures) or ``all`` (besides them, a figure of every
            reported outcome, in the collapsed appendix).
        splits: Categorical inputs to split the runs by (see :func:`build_report`).
        discoveries: ``rift discover`` output folders to show (``--discovery``).
        pool: Worker processes to draw the standard figures in (:class:`FigurePool`, started
            while the batch ran): the same files and the same report, byte for byte.
        progress: Called as ``progress(done, total)`` after each standard figure.

    Returns:
        The path of ``report.html``.
    """
    from rift.analysis.splits import check_splits
    from rift.plots import save_figure, write_figures

    check_splits(results, splits)  # before anything is drawn or written
    found = [read_discovery(f) for f in discoveries]
    folder = Path(folder)
    # A link planted inside an output tree is never followed out of it.
    refuse_links(
        (folder / "figures", folder / "report.html"),
        None,
        "the report's own folder and file (rift does not follow links out of an output tree)",
    )
    folder.mkdir(parents=True, exist_ok=True)
    formats = tuple(dict.fromkeys(("png", *formats)))
    saved = {
        stem: save_figure(fig, folder / "figures" / stem, formats)
        for stem, fig in (extra or {}).items()
    }
    if figures not in FIGURE_SETS:
        raise ValueError(f"figure set {figures!r}: expected one of {', '.join(FIGURE_SETS)}")
    saved.update(
        write_figures(
            list(results),
            folder / "figures",
            formats=formats,
            which=figures,
            pool=pool,
            progress=progress,
        )
    )
    pngs = {stem: next(p for p in paths if p.suffix == ".png") for stem, paths in saved.items()}
    path = folder / "report.html"
    atomic_write_text(path, build_report(results, pngs, comparison, splits, found))
    return path
