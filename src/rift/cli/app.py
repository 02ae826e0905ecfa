"""``rift app``: the browser page to change a scenario, run it and compare (Solara)."""

from __future__ import annotations

import argparse
import contextlib
import sys


def add_parser(sub, positive_int) -> None:
    """Declare ``rift app``."""
    from rift.app.server import DEFAULT_PORT

    app = sub.add_parser(
        "app",
        help="a browser page on 127.0.0.1 to change a scenario's parameters, run and compare",
        description=(
            "Serve a page on 127.0.0.1: choose a shipped scenario or a file, fix its sampled "
            "parameters, force instruments, fix election outcomes, run N runs on a warm process "
            "pool and see the fan charts, horizon distributions, event curves and the map; pin "
            "a batch (or a saved result folder) to compare the next run with it, paired run by "
            "run; save the scenario as YAML; write the HTML report. Needs the app extra "
            '(pip install -e ".[app]"). Ctrl-C stops it.'
        ),
    )
    app.add_argument(
        "scenario", nargs="?", help="scenario shown first: a shipped name or a file "
        "(default: baseline)"
    )  # fmt: skip
    app.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})"
    )
    app.add_argument(
        "--runs", type=positive_int, default=200, help="runs per batch to start with (default: 200)"
    )
    app.add_argument("--workers", type=positive_int, help="worker processes (default: all CPUs)")
    app.add_argument("--out", help="where batches, scenarios and reports go (default: outputs/app)")


def cmd_app(args: argparse.Namespace) -> int:
    """``rift app``: serve the page until Ctrl-C."""
    from rift.app.server import serve

    def ready(url: str) -> None:
        print(f"rift app: {url} (Ctrl-C stops it)", file=sys.stderr, flush=True)

    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C once it is down
        serve(
            args.scenario, args.port, runs=args.runs, out=args.out, workers=args.workers,
            on_ready=ready,
        )  # fmt: skip
    print("rift app: stopped", file=sys.stderr)
    return 0
