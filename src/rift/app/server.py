"""Serve the page of ``rift app`` on 127.0.0.1 with Solara's server (uvicorn), offline.

Solara's JavaScript and CSS come from the ``solara-assets`` package through Solara's own
asset route, so the browser fetches nothing from the internet; telemetry is off.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import os
import socket
import warnings
from collections.abc import Callable
from pathlib import Path

from rift.errors import InputError

#: The app listens on this host only: it runs batches and writes files for whoever reaches it.
HOST = "127.0.0.1"
#: The default port.
DEFAULT_PORT = 8765
#: The optional packages the app needs (``pip install "rift[app]"``).
REQUIRED = ("solara", "solara_assets", "uvicorn")


def check_installed() -> None:
    """Raise a clear message when the ``app`` extra is not installed.

    Raises:
        InputError: naming the missing packages and the install command.
    """
    missing = [m for m in REQUIRED if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(
            f"the app needs {', '.join(missing)}, which is not installed",
            key="app",
            expected='the app extra: pip install -e ".[app]"',
        )


def check_port(port: int, host: str = HOST) -> None:
    """Raise a clear message when the port is taken or not a port.

    Raises:
        InputError: naming the port and what to do.
    """
    if not 1 <= port <= 65535:
        raise InputError(f"got {port}", key="--port", expected="a port from 1 to 65535")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError as exc:
            raise InputError(
                f"port {port} on {host} is not free ({exc.strerror})",
                key="--port",
                expected="a free port, e.g. --port 8766",
            ) from None


def serve(
    scenario: str | None,
    port: int = DEFAULT_PORT,
    *,
    runs: int = 200,
    out: str | Path | None = None,
    workers: int | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the app until Ctrl-C (or SIGTERM).

    Args:
        scenario: The scenario shown first (a shipped name or a file; None: ``baseline``).
        port: The port on 127.0.0.1.
        runs: The runs per batch the page starts with.
        out: Where batches, scenarios and reports go (default ``outputs/app``).
        workers: Worker processes of the warm pool (default: all CPUs).
        on_ready: Called with the page's address once the server listens.

    Raises:
        InputError: The app extra is missing, the port is taken, or the scenario is bad.
    """
    check_installed()
    from rift.app.session import APP_OUTPUTS, choose_scenario

    choose_scenario(scenario)  # a bad scenario is a message before anything starts
    check_port(port)
    os.environ["SOLARA_APP"] = "rift.app.page"
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = HOST, str(port)
    import solara.server.settings as settings
    import uvicorn

    from rift.app import page

    settings.main.mode = "production"
    # Solara warns that a plain-http page gets SameSite=lax cookies: what 127.0.0.1 needs.
    warnings.filterwarnings("ignore", message="Cookies with samesite", category=UserWarning)
    page.CONFIG.update(
        scenario=scenario, runs=runs, workers=workers, out=Path(out) if out else APP_OUTPUTS
    )
    config = uvicorn.Config(
        "solara.server.starlette:app",
        host=HOST,
        port=port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    shutdown = server.shutdown

    async def close_pages(sockets=None):
        # Close the open pages first (in a thread: closing a page talks to its websocket
        # through the event loop): uvicorn waits for open websockets before Solara's own
        # shutdown would close them, and then cancels them with tracebacks.
        from solara.server import kernel_context

        def close_all() -> None:
            for context in list(kernel_context.contexts.values()):
                context.close(reason="server-shutdown")

        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.to_thread(close_all), timeout=5)
        # A page whose websocket is still open is then cancelled, and Solara and uvicorn log
        # the cancellation with a traceback: on the way out, that is not an error to show.
        for name in ("solara", "uvicorn.error"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        await shutdown(sockets=sockets)

    server.shutdown = close_pages  # type: ignore[method-assign]
    url = f"http://{HOST}:{port}/"
    if on_ready is not None:
        startup = server.startup

        async def announce(sockets=None):
            await startup(sockets=sockets)
            on_ready(url)

        server.startup = announce  # type: ignore[method-assign]
    server.run()
