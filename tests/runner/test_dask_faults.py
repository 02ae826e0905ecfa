"""A Dask scheduler lost mid-batch ends with one message and the way back, never a traceback.

The cluster is real: a scheduler and a worker started as processes bound to 127.0.0.1, stopped
inside the test, every wait bounded in time.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FORECAST = "forecast_2025_12.yaml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask(*args: str, log: Path) -> subprocess.Popen:
    """Start ``dask scheduler`` or ``dask worker`` as its own process group."""
    exe = Path(sys.executable).with_name("dask")
    if exe.exists():
        argv = [str(exe), *args]
    else:
        argv = [sys.executable, "-m", f"distributed.cli.dask_{args[0]}", *args[1:]]
    return subprocess.Popen(
        argv, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:g} s waiting for {what}")
        time.sleep(0.2)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_lost_scheduler_ends_with_the_resume_command(tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = _dask(
        "scheduler", "--host", "127.0.0.1", "--port", str(port),
        "--dashboard-address", "127.0.0.1:0", log=tmp_path / "scheduler.log",
    )  # fmt: skip
    worker = None
    run = None
    try:
        _wait_for(lambda: _listening(port), 60, "the scheduler")
        worker = _dask(
            "worker", address, "--nworkers", "1", "--nthreads", "1", "--host", "127.0.0.1",
            "--dashboard-address", "127.0.0.1:0", log=tmp_path / "worker.log",
        )  # fmt: skip
        out = tmp_path / "batch"
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        run = subprocess.Popen(
            [
                sys.executable, "-m", "rift.cli", "run", str(ROOT / "scenarios" / FORECAST),
                "--runs", "40", "--executor", "dask", "--address", address,
                "--dask-timeout", "3", "--out", str(out), "--quiet",
            ],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
        )  # fmt: skip
        parts = out.with_name("batch.partial") / "parts"
        # Mid-batch: once the first chunk is stored (or the batch ended on its own first).
        _wait_for(
            lambda: run.poll() is not None or (parts.is_dir() and any(parts.iterdir())),
            180,
            "the first stored chunk",
        )
        assert run.poll() is None, run.communicate()
        _stop(scheduler)
        _, stderr = run.communicate(timeout=120)
    finally:
        for proc in (run, worker, scheduler):
            if proc is not None and proc.poll() is None:
                if proc is run:
                    proc.kill()
                    proc.wait(timeout=30)
                else:
                    _stop(proc)

    partial = out.with_name("batch.partial")
    assert run.returncode == 1
    assert "Traceback" not in stderr and "distributed" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert lines == [
        f"rift: lost the Dask scheduler at {address}. The runs that finished are kept in "
        f"{partial}. Finish with:",
        f"  rift run --resume {partial}",
    ], stderr
    assert any((partial / "parts").iterdir())  # what finished is kept

    # The way back works: resume on another executor finishes the batch.
    done = subprocess.run(
        [
            sys.executable, "-m", "rift.cli", "run", "--resume", str(partial),
            "--executor", "serial", "--quiet",
        ],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (out / "manifest.json").is_file() and not partial.exists()
    shutil.rmtree(out)
