"""Fuzzing settings: a few examples locally, at least 1,000 in CI (``RIFT_FUZZ_EXAMPLES``)."""

from __future__ import annotations

import contextlib
import io
import os
import resource
import time

from hypothesis import HealthCheck, settings

from rift.cli import main

#: Examples per fuzz test: 1,000 or more in CI (.ci/run sets RIFT_FUZZ_EXAMPLES), 60 locally.
EXAMPLES = int(os.environ.get("RIFT_FUZZ_EXAMPLES", "60"))
#: Each input must be handled within this many seconds of CPU time ... (CPU, not wall-clock:
#: on a loaded machine the wall clock measures the other processes, not rift's work)
SECONDS = 2.0
#: ... and raise the process's peak memory by at most this many bytes.
MEMORY = 500 * 2**20

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # timed explicitly below, with the limit of the issue
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same inputs every run: a failure is reproducible
)


def peak_rss() -> int:
    """The process's peak resident memory so far, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_cli(*args: str) -> tuple[int, str]:
    """The command line in this process: exit code and stderr, within the time limit."""
    err = io.StringIO()
    t0 = time.thread_time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors exit 2 by themselves
            code = exc.code if isinstance(exc.code, int) else 2
    seconds = time.thread_time() - t0
    assert seconds < SECONDS, f"took {seconds:.2f} CPU s: {args}"
    return code, err.getvalue()


def assert_handled(code: int, err: str, what: object) -> None:
    """Valid (0) or bad input with a message (2); never a failure or a traceback."""
    assert code in (0, 2), (code, err, what)
    assert "Traceback" not in err, (err, what)
    if code == 2:
        assert err.startswith("rift: ") or "error:" in err, (err, what)
