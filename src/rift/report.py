"""A self-contained HTML report of one batch or a comparison of several.

Everything is in one file: figures are embedded as base64 PNG, the style sheet is inline and
the page makes no network request, so it can be mailed or archived as it is. Headline numbers
carry ``data-*`` attributes with their exact values so that a test (or a reader's script) can
check them against ``runs.parquet``.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from rift.analysis.compare import Comparison
from rift.analysis.elections import BY_WINNER, split_by_winner
from rift.analysis.summary import (
    category_shares,
    event_probability,
    format_value,
    horizon_summary,
)
from rift.analysis.tables import category_table, event_table, outcome_table
from rift.analysis.weights import run_weights, weighting_note
from rift.atomic import atomic_write_text
from rift.errors import refuse_links
from rift.parameters import registry
from rift.record import RECORD
from rift.results import Results
from rift.version import __version__

HEADLINES = (
    "control_any",
    "presence_any",
    "coca_ha",
    "members_total",
    "displacement_cum",
    "cooperation_index",
)
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


def _assimilation_html(results: Sequence[Results], names: Sequence[str]) -> str:
    """Batches conditioned on observations: the ESS, each observation, the horizon after."""
    from rift.analysis.assimilation import assimilate, horizon_comparison

    parts = []
    for res, name in zip(results, names, strict=True):
        if not res.manifest["scenario"].get("observations"):
            continue
        fit = assimilate(res)
        obs = fit.table.drop(columns=["source"]).map(
            lambda v: format_value(v) if isinstance(v, float) else v
        )
        sources = "".join(
            f"<li>{_e(o.outcome)} {_e(o.month)}: {_e(o.source)}</li>" for o in fit.observations
        )
        outcomes = list(dict.fromkeys(o.outcome for o in fit.observations))
        horizon = horizon_comparison(res, fit, outcomes).map(
            lambda v: format_value(v) if isinstance(v, float) else v
        )
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
                f"<h3>{_e(name)}: {_e(first['outcome'])} in {_e(first['month'])} "
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


def _election_html(results: Sequence[Results], names: Sequence[str]) -> str:
    """The 2026 election: who won, and the horizon outcomes split by the winner."""
    parts = []
    for res, name in zip(results, names, strict=True):
        if "winner" not in res.runs:
            continue
        table = split_by_winner(res)
        shown = table.assign(
            share=lambda t: t["runs"] / max(1, int(t["runs"].sum())),
        )[["winner", "runs", "share", *BY_WINNER, "p_rupture", "p_recertification"]]
        shown = shown.map(lambda v: format_value(v) if isinstance(v, float) else v)
        parts.append(f"<h3>{_e(name)}</h3>" + _table(shown))
    if not parts:
        return ""
    note = (
        "<p>Runs split by the bloc that won in 2026: how many, and the median of each outcome "
        "at the horizon among them (P = share of those runs with the event).</p>"
    )
    return "<h2>The 2026 election</h2>" + note + "".join(parts)


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
    for iv in sc.get("interventions", []):
        span = f"{iv['at']}" + (f" to {iv['until']}" if iv.get("until") else " on")
        if iv.get("when"):
            how = "once it holds" if iv.get("mode", "once") == "once" else "while it holds"
            span = f"{span}, {how}: {iv['when']}"
        for name, value in iv["set"].items():
            rows.append((name, f"forced to {value} from {span}", reg[name].unit, sources(name)))
    body = "".join(
        f"<tr><td><code>{_e(n)}</code></td><td>{_e(v)}</td><td>{_e(u)}</td><td>{s}</td></tr>"
        for n, v, u, s in rows
    )
    table = (
        "<table><thead><tr><th>parameter</th><th>value</th><th>unit</th><th>source</th></tr>"
        f"</thead><tbody>{body}</tbody></table>"
        if rows
        else "<p>No parameter is changed from its default.</p>"
    )
    changed = {r[0] for r in rows}
    full = "".join(
        f"<tr><td><code>{_e(p.name)}</code></td><td>{_e(p.default)}</td><td>{_e(p.unit)}</td>"
        f"<td>{_e(p.range_text())}</td><td>{_e(', '.join(s.short() for s in p.sources))}</td></tr>"
        for p in reg.values()
        if p.name not in changed
    )
    election = sc.get("election") or {}
    return (
        f"{table}<p>Election 2026: {_e(json.dumps(election) if election else 'model priors')}.</p>"
        f"<details><summary>All other parameters at their defaults ({len(reg) - len(changed)})"
        "</summary><table><thead><tr><th>parameter</th><th>default</th><th>unit</th>"
        f"<th>range</th><th>source</th></tr></thead><tbody>{full}</tbody></table></details>"
    )


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


FIGURE_ORDER = (
    "reliability",
    "target",
    "events",
    "election",
    "map",
    "horizon",
    "exceedance",
    "share",
    "fan",
)


def _figures_html(figures: Mapping[str, Path]) -> str:
    """The figures, the summary ones (events, map, distributions) before the fan charts."""

    def rank(stem: str) -> int:
        kind = stem.split("_", 1)[0]
        return FIGURE_ORDER.index(kind) if kind in FIGURE_ORDER else len(FIGURE_ORDER)

    out = []
    for stem, path in sorted(figures.items(), key=lambda kv: rank(kv[0])):
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        caption = CAPTIONS.get(stem.split("_", 1)[0], "")
        out.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{_e(stem)}">'
            f"<figcaption>{_e(stem)}: {_e(caption)}</figcaption></figure>"
        )
    return "\n".join(out)


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
) -> str:
    """The report as one HTML string.

    Args:
        results: One or more stored batches (the first is the reference of a comparison).
        figures: PNG files by figure name, embedded in this order.
        comparison: The comparison of the batches, when there are several.
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
    if comparison is not None and len(results) > 1:
        parts.append(f"<h2>Comparison</h2><p>{_e(comparison.note)}.</p>")
        parts.append(_table(outcome_table(comparison)))
        parts.append(_table(event_table(comparison)))
        if not comparison.categories.empty:
            parts.append(_table(category_table(comparison)))
        if comparison.warnings:
            items = "".join(f"<li>{_e(w)}</li>" for w in comparison.warnings)
            parts.append(f'<div class="note"><b>Monte Carlo warnings</b><ul>{items}</ul></div>')
    parts.append(_assimilation_html(results, names))
    parts.append(_election_html(results, names))
    parts.append(_sensitivity_html(results, names))
    parts.append("<h2>Figures</h2>" + weighting + _figures_html(figures))
    for res, name in zip(results, names, strict=True):
        parts.append(_scenario_html(res, name))
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
) -> Path:
    """Write the figures (``figures/``) and ``report.html`` into a folder.

    Args:
        results: One or more stored batches.
        folder: Where to write (created if needed).
        comparison: The comparison, when several batches are reported together.
        formats: Figure formats to save besides the embedded PNG (``png``, ``svg``).
        extra: More figures by file stem (shown first), e.g. a hindcast's targets.

    Returns:
        The path of ``report.html``.
    """
    from rift.plots import save_figure, write_figures

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
    saved.update(write_figures(list(results), folder / "figures", formats=formats))
    pngs = {stem: next(p for p in paths if p.suffix == ".png") for stem, paths in saved.items()}
    path = folder / "report.html"
    atomic_write_text(path, build_report(results, pngs, comparison))
    return path
