"""Take the README's screenshot of ``rift app`` (outputs/readme/app.png) with playwright.

Starts ``rift app baseline`` on a free port of 127.0.0.1 (outputs in a temporary folder),
runs it, pins it, moves ``territory.cost_per_member_usd`` 20 steps up (12,000 to 14,000 USD),
runs again, and photographs the page with the paired difference table and the figures; then
stops the app with Ctrl-C. Needs the app extra and
the system Chromium.

    python tools/app_screenshot.py [--runs 100]
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _choose(page, label: str, option: str) -> None:
    page.locator(".v-select", has=page.locator("label", has_text=label)).first.click()
    menu = page.locator(".menuable__content__active")
    menu.get_by_text(re.compile(f"^{re.escape(option)}$")).first.click()
    page.wait_for_timeout(500)


def main() -> None:
    """Run the app, drive it to a comparison and save the screenshot."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--out", default=str(ROOT / "outputs" / "readme" / "app.png"))
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rift", "app", "baseline", "--port", str(port),
             "--runs", str(args.runs), "--out", tmp],
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            print(proc.stderr.readline().strip())
            with sync_playwright() as p:
                chromium = shutil.which("chromium") or shutil.which("chromium-browser")
                browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1440, "height": 1100})
                page.goto(f"http://127.0.0.1:{port}/")
                page.get_by_text("press Run").first.wait_for(timeout=60_000)
                page.get_by_role("button", name="Run").click()
                page.locator(".rift-message-success").first.wait_for(timeout=600_000)
                page.get_by_role("button", name="Pin this batch").click()
                page.get_by_text("pinned baseline").first.wait_for(timeout=10_000)
                _choose(page, "Group", "territory")
                slider = page.locator(".param-territory-cost_per_member_usd [role=slider]")
                slider.focus()
                for _ in range(20):
                    slider.press("ArrowRight")
                page.get_by_role("button", name="Run").click()
                page.get_by_text("paired differences").first.wait_for(timeout=600_000)
                page.wait_for_timeout(1000)
                page.screenshot(path=args.out)
                browser.close()
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
