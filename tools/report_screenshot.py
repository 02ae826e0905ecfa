"""Take the README's screenshot of the report's first screen (outputs/readme/report.png).

Runs ``baseline`` and ``new_rupture`` from the present (200 runs each, the same seed, so
paired), compares them into a report in a temporary folder, opens it in the system Chromium
with playwright and photographs the first screen (the table of contents and the headline
numbers with the paired differences). Needs the test extra and the system Chromium.

    python tools/report_screenshot.py [--runs 200] [--report PATH/report.html]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rift(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "rift", *args], check=True, cwd=ROOT)


def main() -> None:
    """Make (or take) the comparison report and save the screenshot of its first screen."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--report", help="an existing report.html (default: make one)")
    parser.add_argument("--out", default=str(ROOT / "outputs" / "readme" / "report.png"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(args.report) if args.report else Path(tmp) / "compare" / "report.html"
        if not args.report:
            for name in ("baseline", "new_rupture"):
                _rift("run", f"scenarios/{name}.yaml", "--runs", str(args.runs), "--out",
                      f"{tmp}/{name}", "--no-report", "--quiet")  # fmt: skip
            _rift("compare", f"{tmp}/baseline", f"{tmp}/new_rupture", "--out", f"{tmp}/compare")
        with sync_playwright() as p:
            chromium = shutil.which("chromium") or shutil.which("chromium-browser")
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(report.resolve().as_uri())
            page.wait_for_load_state("load")
            page.screenshot(path=args.out)
            browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
