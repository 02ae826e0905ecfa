"""The HTML report: self-contained, loads in headless Chromium, headline numbers match the runs."""

from __future__ import annotations

import os
import re
import shutil

import numpy as np
import pytest

from rift.analysis.compare import compare
from rift.plots import KEY_OUTCOMES
from rift.record import RECORD
from rift.report import (
    HEADLINES,
    build_report,
    detail_flags,
    figure_title,
    headline_numbers,
    write_report,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _browser():
    """Playwright's Chromium on the system binary, or a skip (a failure in CI)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or CHROMIUM is None:
        if os.environ.get("RIFT_REQUIRE_BROWSER"):
            pytest.fail("headless Chromium and playwright are required (RIFT_REQUIRE_BROWSER)")
        pytest.skip("needs the chromium package and playwright")
    return sync_playwright


@pytest.fixture(scope="module")
def reports(small_batches, tmp_path_factory):
    a, b = small_batches["baseline"], small_batches["full_rupture"]
    one = write_report([a], tmp_path_factory.mktemp("one"))
    two = write_report([a, b], tmp_path_factory.mktemp("two"), compare([a, b]))
    return {"one": (one, [a]), "two": (two, [a, b])}


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("which", ["one", "two"])
def test_report_loads_in_chromium_with_its_numbers(reports, which):
    path, results = reports[which]
    sync_playwright = _browser()
    errors, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri(), wait_until="load")
            sizes = page.evaluate(
                "Array.from(document.images).map(i => [i.complete, i.naturalWidth, "
                "i.naturalHeight, i.getBoundingClientRect().width])"
            )
            cells = page.evaluate(
                "Array.from(document.querySelectorAll('td.headline')).map(td => "
                "({...td.dataset, text: td.innerText}))"
            )
            title = page.title()
        finally:
            browser.close()
    assert errors == []
    # No network: only the file itself and embedded data: images are requested.
    assert all(u == path.as_uri() or u.startswith("data:") for u in requests), requests
    assert len(sizes) >= 5
    for complete, w, h, shown in sizes:
        assert complete and w > 100 and h > 100 and shown > 0
    assert all(r.name in title for r in results)
    # Headline numbers equal those computed from runs.parquet.
    names = [r.name for r in results]
    headline_events = [e for e in RECORD.events if e.figure]
    assert len(cells) == len(results) * (len(HEADLINES) + len(headline_events))
    for res, name in zip(results, names, strict=True):
        ok = res.runs[res.runs["error"].isna()]
        mine = {c["key"]: c for c in cells if c["scenario"] == name}
        for key in HEADLINES:
            x = ok[key].to_numpy(float)
            assert float(mine[key]["median"]) == np.median(x)
            assert float(mine[key]["p5"]) == np.percentile(x, 5)
            assert float(mine[key]["p95"]) == np.percentile(x, 95)
        assert float(mine["p_rupture"]["probability"]) == ok["rupture_month"].notna().mean()
        assert float(mine["p_recertification"]["probability"]) == (
            ok["recertification_month"].notna().mean()
        )


def test_report_is_self_contained_and_complete(reports):
    path, results = reports["two"]
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']https?:""", html)
    assert re.search(r'<h2 id="s\d+">Comparison</h2>', html) and "paired by run index" in html
    # A table of contents after the title links to every section heading.
    toc = re.search(r'<nav class="toc">(.*?)</nav>', html, re.S)
    assert toc and html.index("</h1>") < toc.start()
    links = re.findall(r'href="#(s\d+)">([^<]+)<', toc.group(1))
    assert ("Comparison" in dict(links).values()) and len(links) >= 4
    assert all(f'<h2 id="{i}">{t}</h2>' in html for i, t in links)
    assert "How to reproduce" in html and results[0].manifest["scenario_hash"] in html
    # The scenario's own parameters are listed with their sources (quotes from the seeds).
    assert "us.aid_total_musd" in html and "nearly $590 million" in html
    assert "us.intel_sharing" in html  # forced by full_rupture's intervention
    assert (path.parent / "figures").is_dir()


def test_headline_numbers_and_failures_section(small_batches):
    a = small_batches["baseline"]
    h = headline_numbers(a)
    assert set(h) == {*HEADLINES, *(f"p_{e.name}" for e in RECORD.events if e.figure)}
    fake = type(a)(
        a.path,
        {**a.manifest, "failures": [{"run": 3, "seed": "1/3", "error": "boom"}]},
        a.runs,
        a.series,
        a.territory,
    )
    html = build_report([fake], {})
    assert "1 run(s) failed" in html and "boom" in html


def test_the_headline_shows_each_paired_difference_with_its_interval(small_batches):
    a, b = small_batches["baseline"], small_batches["full_rupture"]
    comp = compare([a, b])
    html = build_report([a, b], {}, comp)
    head = html[html.index("Headline numbers</h2>") :]
    head = head[: head.index("</table>")]
    assert f"<th>{b.name} − {a.name}</th>" in head
    cells = {
        m["key"]: m
        for m in (
            dict(re.findall(r'data-([a-z-]+)="([^"]*)"', td))
            for td in re.findall(r'<td class="num difference"[^>]*>', head)
        )
    }
    assert set(HEADLINES) <= set(cells) and "displacement_cum" in cells
    d = comp.differences
    for key in HEADLINES:
        row = d[(d["scenario"] == b.name) & (d["outcome"] == key)].iloc[0]
        assert float(cells[key]["difference"]) == row["difference"]
        assert float(cells[key]["ci-low"]) == row["ci_low"] <= row["ci_high"]
        assert cells[key]["scenario"] == b.name
    end = a.manifest["scenario"]["end"]
    ev = comp.events
    rupture = ev[(ev["scenario"] == b.name) & (ev["event"] == "rupture") & (ev["by"] == end)]
    assert float(cells["p_rupture"]["difference"]) == rupture["difference"].iloc[0]
    # One batch: no difference column.
    assert 'class="num difference"' not in build_report([a], {})


def test_the_default_report_has_the_key_figures_and_a_collapsed_appendix(reports):
    path, results = reports["two"]
    html = path.read_text(encoding="utf-8")
    assert path.stat().st_size <= 1_500_000  # two scenarios, default figures
    stems = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]+)"', html)
    assert set(stems) == {
        *(f"fan_{n}" for n in KEY_OUTCOMES),
        "events",
        "election",
        "map_control",
    }
    assert stems.index("fan_control_any") < stems.index("map_control")
    assert sorted(p.stem for p in (path.parent / "figures").iterdir()) == sorted(stems)
    # The key figures come right after the headline; the appendix is last and collapsed.
    order = [html.index(f">{t}</h2>") for t in ("Headline numbers", "Key figures", "Comparison")]
    assert order == sorted(order)
    appendix = html[html.index(">Appendix: measure by measure</h2>") :]
    assert html.index(f">Scenario {results[0].name}</h2>") < html.index(
        ">Appendix: measure by measure</h2>"
    )
    assert appendix.count("<details>") >= 2 and "<img" not in appendix
    assert "--figures all" in appendix
    # Each measure is a row of the appendix with its share in force, started and ended.
    rows = re.findall(r"<tr><th>([^<]+)</th>((?:<td[^>]*>[^<]*</td>)+)</tr>", appendix)
    measures = {label: re.findall(r">([^<]*)</td>", cells) for label, cells in rows}
    flags = detail_flags(results)
    assert len(flags) >= 20 and all(o.label in measures for o in flags)
    cut = RECORD.outcome("us_security_aid_cut")
    a, b = (r.runs[r.runs["error"].isna()] for r in results)
    values = measures[cut.label]
    assert len(values) == 3 * len(results)
    assert float(values[0]) == pytest.approx(a[cut.name].mean(), abs=5e-3)
    assert float(values[3]) == pytest.approx(b[cut.name].mean(), abs=5e-3)
    started = a["us_security_aid_cut_start_month"].notna().mean()
    assert float(values[1]) == pytest.approx(started, abs=5e-3)
    # The measures' rows and events left the comparison section for the appendix, except the
    # events of the measures full_rupture's shock imposes (the US cuts start in 2025-10).
    start = html.index(">Comparison</h2>")
    section = html[start : html.index("<h2", start)]
    assert f"<td>{cut.label}</td>" not in section  # its row of shares in force
    assert "P(full rupture by" in section and f"P({cut.label} (start) by" in section
    other = RECORD.event("col_extradition_suspension_start").label
    assert f"P({other} by" not in section and f"P({other} by" in appendix


def test_figures_all_puts_the_other_figures_into_the_appendix(small_batches, tmp_path):
    a = small_batches["baseline"]
    png = tmp_path / "x.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n")
    stems = ["fan_control_any", "events", "map_control", "fan_contested", "share_rupture"]
    html = build_report([a], dict.fromkeys(stems, png))
    body, appendix = html.split(">Appendix: measure by measure</h2>")
    shown = lambda part: re.findall(r'alt="([^"]+)"', part)  # noqa: E731
    assert shown(body) == ["fan_control_any", "events", "map_control"]
    assert shown(appendix) == ["fan_contested", "share_rupture"]
    more = appendix[appendix.index("More figures (2)") :]
    assert appendix.rindex("<details>") < appendix.index("More figures (2)")
    assert "fan_contested" in more and "--figures all" not in appendix
    with pytest.raises(ValueError, match="figure set"):
        write_report([a], tmp_path / "bad", figures="some")


def _visible(html: str) -> str:
    """The text a reader sees: no tags, attributes, code (parameter names) or style.

    Without the collapsed list of every parameter at its default, whose provenance names the
    rows of ``reference.csv`` (``ref coca_ha@2023``) and whose ranges are sets (``{a, b}``).
    """
    html = re.sub(r"<(style|code|pre)>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<details><summary>All other parameters.*?</details>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_report_reads_in_labels_and_tabulates_the_scenario_settings(small_batches):
    a, b = small_batches["baseline"], small_batches["full_rupture"]
    sc = b.manifest["scenario"]
    iv = {"at": "2026-09", "until": "2026-11", "set": {"col.extraditions_per_yr": 250},
          "label": "the Duque-era rate"}  # fmt: skip
    election = {**sc["election"], "priors": {"left": 0, "centre": 0.5, "right": 0.5}}
    changed = type(b)(
        b.path,
        {**b.manifest, "scenario": {**sc, "interventions": [iv], "election": election}},
        b.runs,
        b.series,
        b.territory,
    )
    html = build_report([a, changed], {}, compare([a, b]))
    text = _visible(html)
    for name in ("control_any", "p_rupture", "p_recertification", "coca_ha", "members_total",
                 "cooperation_index", "us_security_aid_cut", "first_round"):  # fmt: skip
        assert name not in text, name
    assert "{" not in text  # no JSON dump
    mine = html[html.index(f">Scenario {b.name}</h2>") :]
    shocks = mine[mine.index("<h3>Shocks</h3>") : mine.index("<h3>Interventions</h3>")]
    row = re.search(r"<tr><td>2025-10</td><td>(.*?)</td><td>-</td><td>(.*?)</td></tr>", shocks)
    assert row, shocks
    started = row.group(1).split("<br>")
    assert started == [_measure(k) for k in sc["shocks"][0]["start"]]
    assert row.group(2) == sc["shocks"][0]["label"]
    ivs = mine[mine.index("<h3>Interventions</h3>") : mine.index("<h3>Elections</h3>")]
    from rift.parameters import registry

    p = registry()["col.extraditions_per_yr"]
    assert "2026-09 to 2026-11" in ivs and p.description in ivs and f"250 {p.unit}" in ivs
    elections = mine[mine.index("<h3>Elections</h3>") : mine.index("<h3>Parameters")]
    assert re.search(r"drawn with these probabilities.*?</td><td>left 0, centre 0\.5, right 0\.5<",
                     elections)  # fmt: skip
    reference = html[
        html.index(f">Scenario {a.name}</h2>") : html.index(f">Scenario {b.name}</h2>")
    ]
    assert "No election setting" in reference and "No intervention" in reference
    # The election section's columns are labels with their units.
    section = html[html.index(">Split by winner of the 2026 election</h2>") :]
    head = re.findall(r"<th>([^<]*)</th>", section[: section.index("</thead>")])
    assert head[:3] == ["Winner of the 2026 election", "runs", "share of runs"]
    assert "Municipalities under armed control (municipalities, median)" in head
    assert "P(full rupture by 2026-12)" in head


def _measure(key: str) -> str:
    from rift.catalogue import CATALOGUE

    return CATALOGUE.get(key).label


def test_figure_captions_name_what_the_figure_shows():
    assert figure_title("fan_control_any") == "Municipalities under armed control"
    assert figure_title("share_us_security_aid_cut") == RECORD.outcome("us_security_aid_cut").label
    assert figure_title("target_coca_ha") == "Coca cultivation (the hindcast)"
    assert figure_title("map_control") == "Armed control by municipality"
    assert figure_title("events") == "The alliance's events"


def test_a_split_asked_for_is_a_section_with_a_row_per_category(small_batches, tmp_path):
    from rift.analysis.splits import split_by
    from tests.cli_helpers import cli

    a = small_batches["baseline"]
    by = "variant.china"
    code, _, err = cli("report", str(a.path), "--split", by, "--out", str(tmp_path / "r"))
    assert code == 0, err
    html = (tmp_path / "r" / "report.html").read_text()
    section = html[html.index(f">Split by {by}</h2>") :]
    section = section[: section.index("</table>")]
    table = split_by(a, by)
    rows = re.findall(r"<tr><td>([^<]*)</td><td>(\d+)</td>", section)
    assert rows == [(str(v), str(n)) for v, n in zip(table[by], table["runs"], strict=True)]
    assert sum(int(n) for _, n in rows) == len(a.ok_runs)


def test_a_split_by_an_unknown_input_exits_2_before_anything_is_written(small_batches, tmp_path):
    from tests.cli_helpers import cli

    out = tmp_path / "r"
    code, _, err = cli("report", str(small_batches["baseline"].path), "--split", "winer",
                       "--out", str(out))  # fmt: skip
    assert code == 2
    assert "--split" in err and "Did you mean 'winner'" in err and "Traceback" not in err
    assert not (out / "report.html").exists() and not (out / "figures").exists()
