"""rift benchmark suite: one run, batch throughput, the alternatives, scaling, memory.

Run from the project root::

    python benchmarks/run.py            # the full suite (about 25 minutes on 2 cores)
    python benchmarks/run.py --quick    # a short version (about 3 minutes)

It prints a table and writes ``benchmarks/results/<date>-py<X.Y>[-quick].json`` (atomically).
Every ratio in the table (process/serial, runner/bare loop, dask/process, batch_run/runner)
is measured in this one process run, side by side, so that machine noise mostly cancels;
no timing is asserted by any test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import inspect
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rift.model import AllianceModel
from rift.runner.inputs import build_model, model_arguments

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "baseline.yaml"
RESULTS = Path(__file__).resolve().parent / "results"
WORKERS = 2


# ------------------------------------------------------------------------------ helpers
@lru_cache(maxsize=8)
def _plan(runs: int, months: int | None = None):
    """The baseline scenario's batch plan (seeds and Latin-hypercube samples) for ``runs``."""
    from rift.months import format_month
    from rift.runner import plan_batch
    from rift.scenario import load_scenario

    overrides = []
    if months is not None:
        scenario = load_scenario(SCENARIO)
        overrides = [f"end={format_month(scenario.start_month + months - 1)}"]
    return plan_batch(load_scenario(SCENARIO, overrides), runs)


def _model(plan, index: int):
    """The model of run ``index`` of a plan, built as the runner's worker builds it."""
    task = plan.task(index)
    return build_model(plan.spec.inputs.with_sampled(task.sampled), task.seed)


def _stats(xs: list[float]) -> dict[str, float]:
    a = np.asarray(xs, dtype=float)
    return {
        "n": len(xs),
        "median": float(np.median(a)),
        "p25": float(np.percentile(a, 25)),
        "p75": float(np.percentile(a, 75)),
        "min": float(a.min()),
        "max": float(a.max()),
        "mean": float(a.mean()),
        "stdev": float(a.std(ddof=1)) if len(a) > 1 else 0.0,
    }


def _exponent(x: list[float], y: list[float]) -> float:
    """Least-squares slope of log(y) on log(x)."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _pids_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by live processes, from ``/proc``."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def _children_cpu() -> float:
    """CPU seconds of this process's terminated, waited-for children."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class _Cpu:
    """CPU seconds spent by this process, its finished children and given live workers."""

    def __init__(self, pids: list[int] | None = None) -> None:
        self.pids = pids or []
        self.start = self._now()

    def _now(self) -> float:
        return time.process_time() + _children_cpu() + _pids_cpu(self.pids)

    def seconds(self) -> float:
        return self._now() - self.start


def _machine() -> dict[str, Any]:
    import mesa
    import scipy

    model = platform.processor() or "unknown"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return {
        "cpu": model,
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "mesa": mesa.__version__,
        "platform": platform.platform(),
        "loadavg_start": list(os.getloadavg()),
    }


# ------------------------------------------------------------------------------ one run
def bench_single_run(n: int) -> dict[str, Any]:
    """One 72-month baseline run: construction, stepping, and the territory update alone."""
    plan = _plan(max(n, 2))
    t0 = time.perf_counter()
    _model(plan, 0)
    first = time.perf_counter() - t0  # the first in this process: geography and registry

    construct, stepping, total, cpu, territory, steps = [], [], [], [], [], []
    for i in range(n):  # plain runs: the headline figures
        gc.collect()
        c0 = time.process_time()
        t0 = time.perf_counter()
        m = _model(plan, i)
        t1 = time.perf_counter()
        while m.running:
            m.step()
        m.result()
        t2 = time.perf_counter()
        cpu.append(time.process_time() - c0)
        construct.append(t1 - t0)
        stepping.append(t2 - t1)
        total.append(t2 - t0)
    share = []
    for i in range(n):  # instrumented runs: the territory update timed inside each step
        m = _model(plan, i)
        update = m.territory.step
        acc = [0.0, 0]

        def timed(inp, update=update, acc=acc):
            t = time.perf_counter()
            update(inp)
            acc[0] += time.perf_counter() - t
            acc[1] += 1

        m.territory.step = timed
        t1 = time.perf_counter()
        while m.running:
            m.step()
        t2 = time.perf_counter()
        territory.append(acc[0] / acc[1])
        steps.append((t2 - t1) / acc[1])
        share.append(acc[0] / (t2 - t1))
    return {
        "runs": n,
        "months": int(plan.scenario.months),
        "first_construction_s": first,
        "run_s": _stats(total),
        "run_cpu_s": _stats(cpu),
        "construction_s": _stats(construct),
        "stepping_s": _stats(stepping),
        "step_ms": _stats([1e3 * x for x in steps]),
        "territory_update_ms": _stats([1e3 * x for x in territory]),
        "territory_share": _stats(share),
    }


# ------------------------------------------------------------------------------ batches
def bare_loop(plan) -> tuple[float, float]:
    """The floor for any runner: construct and run each model in a plain loop.

    Returns:
        Wall seconds and CPU seconds.
    """
    cpu = _Cpu()
    t0 = time.perf_counter()
    for i in range(plan.runs):
        _model(plan, i).run()
    return time.perf_counter() - t0, cpu.seconds()


def _worker_pids(executor) -> list[int]:
    """Process ids of a process pool's or a local Dask cluster's workers."""
    pool = getattr(executor, "_pool", None)
    if pool is not None:
        return [p.pid for p in pool._processes.values()]
    client = getattr(executor, "client", None)
    if client is not None:
        return list(client.run(os.getpid).values())
    return []


def runner(plan, executor) -> tuple[float, float]:
    """The rift runner (``execute_batch``, outputs not kept) on an executor.

    Returns:
        Wall seconds, and CPU seconds of this process and the executor's workers.
    """
    from rift.runner import execute_batch

    cpu = _Cpu(_worker_pids(executor))
    t0 = time.perf_counter()
    outcome = execute_batch(plan, executor, keep=False)
    seconds = time.perf_counter() - t0
    assert outcome.done == plan.runs and not outcome.interrupted
    return seconds, cpu.seconds()


class IndexedRun(AllianceModel):
    """``AllianceModel`` built from ``run`` and ``runs`` alone, for ``mesa.batch_run``.

    ``mesa.batch_run`` sweeps a Cartesian product of parameters; the runs of a Monte Carlo
    batch each have their own seed and sampled parameters, so this adapter takes the run index
    and looks both up in the same plan the rift runner uses. It keeps the mesa
    ``DataCollector`` on (``collect=True``): ``batch_run`` reads its results from it.
    """

    def __init__(self, run: int = 0, runs: int = 1, rng: Any = None, **_: Any) -> None:
        plan = _plan(runs)
        task = plan.task(run)
        inputs = plan.spec.inputs.with_sampled(task.sampled)
        super().__init__(**model_arguments(inputs, task.seed, collect=True))


def mesa_batch_run(plan, processes: int) -> tuple[float, float]:
    """``mesa.batch_run`` over the same runs (seeds and sampled parameters) as the runner."""
    import mesa

    params = {"run": range(plan.runs), "runs": plan.runs}
    kwargs = dict(
        number_processes=processes,
        data_collection_period=-1,
        max_steps=10_000,
        display_progress=False,
    )
    if "rng" in inspect.signature(mesa.batch_run).parameters:  # Mesa >= 3.4
        kwargs["rng"] = [None]
    else:
        kwargs["iterations"] = 1
    cpu = _Cpu()
    t0 = time.perf_counter()
    rows = mesa.batch_run(IndexedRun, params, **kwargs)
    seconds = time.perf_counter() - t0
    assert len(rows) == plan.runs
    return seconds, cpu.seconds()


def _start_process():
    from rift.runner.executors import ProcessExecutor

    t0 = time.perf_counter()
    ex = ProcessExecutor(WORKERS)
    runner(_plan(2 * WORKERS), ex)  # workers started, modules imported, geography cached
    return ex, time.perf_counter() - t0


def _start_dask():
    from distributed import LocalCluster

    from rift.runner.dask_executor import DaskExecutor

    t0 = time.perf_counter()
    cluster = LocalCluster(
        n_workers=WORKERS,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        silence_logs=40,
    )
    ex = DaskExecutor(address=cluster.scheduler_address)
    runner(_plan(2 * WORKERS), ex)
    return cluster, ex, time.perf_counter() - t0


def bench_batches(sizes: list[int], serial_limit_s: float) -> dict[str, Any]:
    """Throughput of each way of running the same batch, measured side by side."""
    from rift.runner.executors import SerialExecutor

    _log("starting the process pool and the Dask cluster")
    proc, proc_start = _start_process()
    cluster, dask_ex, dask_start = _start_dask()
    serial = SerialExecutor()
    out: dict[str, Any] = {
        "workers": WORKERS,
        "process_start_s": proc_start,
        "dask_start_s": dask_start,
        "sizes": {},
    }
    per_run_serial = cpu_per_run_serial = None
    try:
        for n in sizes:
            plan = _plan(n)
            rounds = 3 if n <= 100 else 1
            alt = n <= 1000  # the alternatives at 100 and 1,000 runs
            times: dict[str, list[tuple[float, float]]] = {}
            for _ in range(rounds):  # interleaved: a slow spell hits every method
                gc.collect()
                if alt:
                    times.setdefault("bare_loop", []).append(bare_loop(plan))
                estimate = None if per_run_serial is None else per_run_serial * n
                if estimate is None or estimate <= serial_limit_s:
                    times.setdefault("serial", []).append(runner(plan, serial))
                times.setdefault("process", []).append(runner(plan, proc))
                times.setdefault("dask", []).append(runner(plan, dask_ex))
                if alt:
                    times.setdefault("mesa_batch_run", []).append(mesa_batch_run(plan, 1))
                    times.setdefault("mesa_batch_run_2proc", []).append(
                        mesa_batch_run(plan, WORKERS)
                    )
            row: dict[str, Any] = {}
            for k, v in times.items():
                wall = statistics.median(w for w, _ in v)
                cpu = statistics.median(c for _, c in v)
                row[k] = {"seconds": wall, "cpu_seconds": cpu, "cores_used": cpu / wall}
            if "serial" in row:
                per_run_serial = row["serial"]["seconds"] / n
                cpu_per_run_serial = row["serial"]["cpu_seconds"] / n
            else:
                row["serial"] = {
                    "seconds": per_run_serial * n,
                    "cpu_seconds": cpu_per_run_serial * n,
                    "extrapolated": True,
                }
            for v in row.values():
                v["runs_per_s"] = n / v["seconds"]
                v["cpu_ms_per_run"] = 1e3 * v["cpu_seconds"] / n
            s = row["serial"]["seconds"]
            cs = row["serial"]["cpu_seconds"]
            ratios = {
                "process_speedup": s / row["process"]["seconds"],
                "dask_over_process": row["dask"]["seconds"] / row["process"]["seconds"],
                "process_cold_speedup": s / (row["process"]["seconds"] + proc_start),
                # CPU per run, process over serial: 1 means no CPU lost to the pool.
                "process_cpu_over_serial_cpu": row["process"]["cpu_seconds"] / cs,
                # What 2 free cores would give: workers' CPU per run vs serial CPU per run.
                "process_speedup_2_free_cores": WORKERS * cs / row["process"]["cpu_seconds"],
                "dask_speedup_2_free_cores": WORKERS * cs / row["dask"]["cpu_seconds"],
            }
            if alt:
                ratios["runner_over_bare"] = s / row["bare_loop"]["seconds"]
                ratios["runner_cpu_over_bare_cpu"] = cs / row["bare_loop"]["cpu_seconds"]
                ratios["batch_run_over_runner"] = row["mesa_batch_run"]["seconds"] / s
                ratios["batch_run_over_bare"] = (
                    row["mesa_batch_run"]["seconds"] / row["bare_loop"]["seconds"]
                )
                ratios["batch_run_2proc_over_process"] = (
                    row["mesa_batch_run_2proc"]["seconds"] / row["process"]["seconds"]
                )
            row["ratios"] = ratios
            row["serial_extrapolated"] = bool(row["serial"].get("extrapolated"))
            out["sizes"][str(n)] = row
            _log(
                f"{n} runs: "
                + ", ".join(
                    f"{k} {v['seconds']:.2f}s"
                    for k, v in row.items()
                    if isinstance(v, dict) and "seconds" in v
                )
            )
    finally:
        proc.close()
        dask_ex.close()
        cluster.close()
    return out


# ------------------------------------------------------------------------------ scaling
def bench_months(months: list[int], runs: int) -> dict[str, Any]:
    """Median time of one run against the horizon in months."""
    rows = []
    for k in months:
        plan = _plan(runs, k)
        total, stepping = [], []
        for i in range(runs):
            t0 = time.perf_counter()
            m = _model(plan, i)
            t1 = time.perf_counter()
            m.run()
            t2 = time.perf_counter()
            total.append(t2 - t0)
            stepping.append(t2 - t1)
        rows.append(
            {
                "months": k,
                "run_s": statistics.median(total),
                "stepping_s": statistics.median(stepping),
            }
        )
    return {
        "runs_each": runs,
        "points": rows,
        "exponent_run": _exponent(months, [r["run_s"] for r in rows]),
        "exponent_stepping": _exponent(months, [r["stepping_s"] for r in rows]),
    }


def scaling_runs(batches: dict[str, Any], small: dict[int, float]) -> dict[str, Any]:
    """Exponent of batch time against runs (serial and process), measured points only."""
    out: dict[str, Any] = {}
    for method in ("serial", "process", "dask"):
        pts = {n: t for n, t in small.get(method, {}).items()}
        for n, row in batches["sizes"].items():
            if method in row and not row[method].get("extrapolated"):
                pts[int(n)] = row[method]["seconds"]
        xs = sorted(pts)
        out[method] = {
            "points": {str(n): pts[n] for n in xs},
            "exponent": _exponent(xs, [pts[n] for n in xs]) if len(xs) >= 2 else None,
        }
    return out


def bench_small_batches(sizes: list[int]) -> dict[str, dict[int, float]]:
    """Batches smaller than the throughput sizes, for the scaling fit (serial only)."""
    from rift.runner.executors import SerialExecutor

    return {"serial": {n: runner(_plan(n), SerialExecutor())[0] for n in sizes}}


# ------------------------------------------------------------------------------ end to end
def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def _tree_rss(root: int, page: int) -> tuple[int, int]:
    """Resident bytes of a process and all its descendants, and how many processes."""
    kids = _children()
    total, count, stack = 0, 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * page
            count += 1
        except OSError:
            pass
        stack.extend(kids.get(pid, []))
    return total, count


def _folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def bench_cli(
    runs: int,
    root: Path = ROOT,
    scenario: Path = SCENARIO,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``rift run SCENARIO --runs N`` end to end, with the process tree's peak RSS.

    Args:
        runs: Runs in the batch.
        root: The checkout whose ``src`` is run (another commit's temporary worktree).
        scenario: The scenario file.
        env: Extra environment variables (``RIFT_KERNELS``).
    """
    tmp = Path(tempfile.mkdtemp(prefix="rift-bench-"))
    out = tmp / "result"
    cmd = [
        sys.executable,
        "-m",
        "rift.cli",
        "run",
        str(scenario),
        "--runs",
        str(runs),
        "--no-report",
        "--quiet",
        "--out",
        str(out),
    ]
    page = os.sysconf("SC_PAGE_SIZE")
    peak = [0, 0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=root, env=_tree_env(root, env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            rss, n = _tree_rss(proc.pid, page)
            if rss > peak[0]:
                peak[0] = rss
            peak[1] = max(peak[1], n)
            stop.wait(0.1)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    watcher.join()
    try:
        if proc.returncode != 0:
            raise RuntimeError(f"rift run failed ({proc.returncode}): {err.decode()[-2000:]}")
        manifest = json.loads((out / "manifest.json").read_text())
        files = {f.name: f.stat().st_size for f in out.rglob("*") if f.is_file()}
        return {
            "command": " ".join(["rift", *cmd[4:-1], "TMP"]),
            "runs": runs,
            "wall_s": wall,
            "batch_s": manifest.get("wall_seconds"),
            "executor": manifest.get("executor"),
            "workers": manifest.get("workers"),
            "peak_rss_bytes": peak[0],
            "processes_seen": peak[1],
            "results_bytes": _folder_bytes(out),
            "files": files,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------ against a commit
#: The commit the figures are compared with by default (issue 23: before the compiled kernels).
AGAINST = "710f575"

#: Run in a fresh interpreter on one checkout: import, first ``simulate()``, then one run
#: at a time through the worker's own entry point (``runner.worker.execute``, in every commit
#: since the runner was written). Prints one JSON line.
_PROBE = r"""
import gc, json, statistics, sys, time
c0, t0 = time.process_time(), time.perf_counter()
import rift
imported = time.perf_counter() - t0
scenario, runs = sys.argv[1], int(sys.argv[2])
t0 = time.perf_counter()
rift.simulate(scenario)
first = time.perf_counter() - t0
first_cpu = time.process_time() - c0
from rift.runner import plan_batch
from rift.runner.worker import execute
from rift.scenario import load_scenario
plan = plan_batch(load_scenario(scenario), runs + 1)
execute(plan.spec, plan.task(runs))  # warm, not timed
times, cpu = [], []
for i in range(runs):
    gc.collect()
    c0, t0 = time.process_time(), time.perf_counter()
    out = execute(plan.spec, plan.task(i))
    times.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
    if out.error is not None:
        raise SystemExit(out.error)
print(json.dumps({"import_s": imported, "first_simulate_s": imported + first,
                  "first_simulate_cpu_s": first_cpu,
                  "run_s": statistics.median(times) if times else None,
                  "run_cpu_s": statistics.median(cpu) if cpu else None,
                  "months": len(out.result.months) if times else None}))
"""


def _tree_env(root: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a subprocess that runs ``root``'s rift (its ``src`` first)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root / "src")
    env.pop("RIFT_KERNELS", None)
    env.update(extra or {})
    return env


def _probe(root: Path, scenario: Path, runs: int, env: dict[str, str] | None = None) -> dict:
    """One fresh interpreter on ``root``: import, first simulate, median of ``runs`` runs."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(scenario), str(runs)],
        cwd=root,
        env=_tree_env(root, env),
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"probe on {root} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _scenario_72(root: Path) -> Path:
    """The 72-month baseline from 2025-01 as ``root`` has it.

    Today's ``baseline`` starts from the present (2026-07); the January-2025 baseline is kept
    as ``forecast_2025_12``. Commits before the present (710f575) have it as ``baseline``.
    """
    archived = root / "scenarios" / "forecast_2025_12.yaml"
    return archived if archived.is_file() else root / "scenarios" / "baseline.yaml"


class _Worktree:
    """``COMMIT`` checked out into a temporary git worktree, removed on exit."""

    def __init__(self, commit: str) -> None:
        self.commit = commit
        self.path = Path(tempfile.mkdtemp(prefix="rift-against-")) / "tree"

    def __enter__(self) -> Path:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(self.path), self.commit],
            check=True,
            capture_output=True,
        )
        return self.path

    def __exit__(self, *exc: object) -> None:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(self.path)],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.path.parent, ignore_errors=True)


def _have_numba() -> bool:
    import importlib.util

    return importlib.util.find_spec("numba") is not None


def bench_against(
    commit: str, rounds: int, runs: int, e2e: list[int], against_e2e: int
) -> dict[str, Any]:
    """Figures of ``commit`` and of this checkout, measured alternately in one process run.

    Each round starts a fresh interpreter per variant (the commit; here with numpy; here with
    numba), in turn, so that a slow spell of the shared machine hits each of them; the figure
    of a variant is its median over the rounds. Then the first compile (numba in a fresh
    cache folder, then the same folder again), and the batches end to end.

    Args:
        commit: The earlier commit.
        rounds: Alternating rounds of the per-process probe.
        runs: Runs timed in each probe.
        e2e: Batch sizes of ``rift run`` end to end here (the 10,000 runs are extrapolated
            from them, linearly in the runs).
        against_e2e: Batch size of ``rift run`` on both sides, for the ratio.
    """
    numba = _have_numba()
    here72, present = _scenario_72(ROOT), SCENARIO
    out: dict[str, Any] = {"commit": commit, "rounds": rounds, "runs": runs, "numba": numba}
    with _Worktree(commit) as tree:
        head = subprocess.run(
            ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        out["commit_resolved"] = head
        old72 = _scenario_72(tree)
        variants: dict[str, tuple[Path, Path, dict[str, str]]] = {
            "against": (tree, old72, {}),
            "numpy": (ROOT, here72, {"RIFT_KERNELS": "numpy"}),
            "numpy_present": (ROOT, present, {"RIFT_KERNELS": "numpy"}),
        }
        if numba:
            variants["numba"] = (ROOT, here72, {"RIFT_KERNELS": "numba"})
            variants["numba_present"] = (ROOT, present, {"RIFT_KERNELS": "numba"})
            _probe(ROOT, here72, 0, {"RIFT_KERNELS": "numba"})  # compiled into the user cache
        probes: dict[str, list[dict]] = {k: [] for k in variants}
        for r in range(rounds):
            for k, (root, sc, env) in variants.items():
                probes[k].append(_probe(root, sc, runs, env))
            _log(f"against {commit}: round {r + 1}/{rounds}")
        out["probes"] = probes
        out["median"] = {
            k: {
                f: statistics.median(p[f] for p in v)
                for f in (
                    "import_s",
                    "first_simulate_s",
                    "first_simulate_cpu_s",
                    "run_s",
                    "run_cpu_s",
                )
            }
            | {"months": v[0]["months"]}
            for k, v in probes.items()
        }
        out["scenarios"] = {k: str(v[1].relative_to(v[0])) for k, v in variants.items()}
        if numba:
            with tempfile.TemporaryDirectory(prefix="rift-numba-") as cache:
                env = {"RIFT_KERNELS": "numba", "NUMBA_CACHE_DIR": cache}
                cold = _probe(ROOT, here72, 0, env)
                warm = _probe(ROOT, here72, 0, env)
                plain = _probe(ROOT, here72, 0, {"RIFT_KERNELS": "numpy"})
            out["compile"] = {
                f"first_simulate_{name}{unit}": probe[f"first_simulate{unit}"]
                for name, probe in (("fresh_cache", cold), ("cached", warm), ("numpy", plain))
                for unit in ("_s", "_cpu_s")
            }
            _log("first compile measured")
        cli: dict[str, Any] = {"against": bench_cli(against_e2e, tree, old72)}
        cli["numpy_72"] = bench_cli(against_e2e, ROOT, here72, {"RIFT_KERNELS": "numpy"})
        if numba:
            cli["numba_72"] = bench_cli(against_e2e, ROOT, here72, {"RIFT_KERNELS": "numba"})
        _log(f"end to end, {against_e2e} runs, both sides")
    for kernels in ("numpy", "numba") if numba else ("numpy",):
        pts = [bench_cli(n, ROOT, present, {"RIFT_KERNELS": kernels}) for n in e2e]
        cli[f"{kernels}_present"] = pts
        _log(f"end to end here, {kernels}, {e2e} runs")
    out["cli"] = cli
    return out


def _extrapolate(points: list[dict[str, Any]], key: str, n: int) -> float:
    """``key`` at ``n`` runs from a straight line through the measured batch sizes."""
    xs = [p["runs"] for p in points]
    ys = [p[key] for p in points]
    if len(xs) == 1:
        return ys[0] * n / xs[0]
    slope, intercept = np.polyfit(xs, ys, 1)
    return float(intercept + slope * n)


def against_table(a: dict[str, Any]) -> str:
    """The figures with their ratios to the commit, and the targets of issue 23."""
    med = a["median"]
    old = med["against"]
    kinds = ["numpy", "numba"] if a["numba"] else ["numpy"]
    head = (
        f"| measure | {a['commit_resolved']} | "
        + " | ".join(f"here, {k} | ratio" for k in kinds)
        + " | target | met |"
    )
    lines = [head, "|---|---:|" + "---:|---:|" * len(kinds) + "---|:---:|"]
    mark = {True: "yes", False: "**no**", None: ""}

    def row(label: str, base: float | None, values: list[float | None], fmt: str,
            target: str = "", ok: bool | None = None) -> None:  # fmt: skip
        cells = ["" if base is None else fmt.format(base)]
        for v in values:
            cells.append("" if v is None else fmt.format(v))
            cells.append("" if v is None or not base else f"{v / base:.2f}x")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} | {mark[ok]} |")

    def single(label: str, kind: str, text: str, target: str, ok: bool | None) -> None:
        cells = ["", *("" for _ in range(2 * len(kinds)))]
        cells[1 + 2 * kinds.index(kind)] = text
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} | {mark[ok]} |")

    months = med["numpy"]["months"]
    best = min(1e3 * med[k]["run_s"] for k in kinds)
    row(f"one run, 2025-01..2030-12 ({months} months), median",
        1e3 * old["run_s"], [1e3 * med[k]["run_s"] for k in kinds], "{:.1f} ms",
        "<= 8 ms", best <= 8)  # fmt: skip
    row("  its CPU time, median", 1e3 * old["run_cpu_s"],
        [1e3 * med[k]["run_cpu_s"] for k in kinds], "{:.1f} ms")  # fmt: skip
    pm = med["numpy_present"]["months"]
    row(f"one run from the present ({pm} months), median", None,
        [1e3 * med[f"{k}_present"]["run_s"] for k in kinds], "{:.1f} ms")  # fmt: skip
    row("import rift", old["import_s"], [med[k]["import_s"] for k in kinds], "{:.2f} s")
    first = [med[f"{k}_present"]["first_simulate_s"] for k in kinds]
    row("first simulate() in a fresh process (import included)", old["first_simulate_s"],
        [med[k]["first_simulate_s"] for k in kinds], "{:.2f} s", "<= 1.5 s",
        min(med[k]["first_simulate_s"] for k in kinds) <= 1.5)  # fmt: skip
    row("  its CPU time", old["first_simulate_cpu_s"],
        [med[k]["first_simulate_cpu_s"] for k in kinds], "{:.2f} s")  # fmt: skip
    row("  the same, baseline from the present", None, first, "{:.2f} s")
    if "compile" in a:
        c = a["compile"]
        extra = c["first_simulate_fresh_cache_s"] - c["first_simulate_numpy_s"]
        cached = c["first_simulate_cached_s"] - c["first_simulate_numpy_s"]
        single("first-ever compile (fresh cache; first simulate() over numpy's)", "numba",
               f"{extra:.2f} s", "<= 10 s", extra <= 10)  # fmt: skip
        single("  the next process, cached (over numpy's)", "numba", f"{cached:.2f} s",
               "cached", cached < extra / 3)  # fmt: skip
        if "first_simulate_numpy_cpu_s" in c:
            cpu = c["first_simulate_fresh_cache_cpu_s"] - c["first_simulate_numpy_cpu_s"]
            cached_cpu = c["first_simulate_cached_cpu_s"] - c["first_simulate_numpy_cpu_s"]
            single("  the compile's CPU time; cached", "numba",
                   f"{cpu:.2f} s; {cached_cpu:.2f} s", "", None)  # fmt: skip
    cli = a["cli"]
    n = cli["against"]["runs"]
    row(f"{n} runs end to end (rift run, 2 workers)", cli["against"]["wall_s"],
        [cli[f"{k}_72"]["wall_s"] for k in kinds], "{:.1f} s")  # fmt: skip
    row(f"  peak RSS of the process tree, {n} runs", cli["against"]["peak_rss_bytes"] / 1e9,
        [cli[f"{k}_72"]["peak_rss_bytes"] / 1e9 for k in kinds], "{:.2f} GB")  # fmt: skip
    for k in kinds:
        pts = cli[f"{k}_present"]
        measured = ", ".join(f"{p['runs']:,} runs {p['wall_s']:.1f} s" for p in pts)
        t = _extrapolate(pts, "wall_s", 10_000)
        m = _extrapolate(pts, "peak_rss_bytes", 10_000) / 1e9
        single(f"10,000 runs end to end from the present (extrapolated from {measured})", k,
               f"{t:.0f} s", "<= 60 s", t <= 60)  # fmt: skip
        single("  peak RSS of the process tree, 10,000 runs (extrapolated)", k, f"{m:.2f} GB",
               "<= 1 GB", m <= 1.0)  # fmt: skip
    return "\n".join(lines)


# ------------------------------------------------------------------------------ report
def _targets(r: dict[str, Any], big: int) -> list[dict[str, Any]]:
    one = r["single_run"]
    rows: list[dict[str, Any]] = []

    def add(measure: str, value: float | None, fmt: str, target: str, ok: bool | None) -> None:
        text = "n/a" if value is None else fmt.format(value)
        rows.append({"measure": measure, "value": text, "target": target, "met": ok})

    med = 1e3 * one["run_s"]["median"]
    iqr = 1e3 * (one["run_s"]["p75"] - one["run_s"]["p25"])
    add(f"72-month run, median of {one['runs']} (IQR)", med, f"{{:.1f}} ms ({iqr:.1f})",
        "<= 25 ms", med <= 25)  # fmt: skip
    add("  of which construction (median)", 1e3 * one["construction_s"]["median"], "{:.2f} ms",
        "<= 5 ms", one["construction_s"]["median"] <= 0.005)  # fmt: skip
    add("  of which stepping (median)", 1e3 * one["stepping_s"]["median"], "{:.1f} ms", "", None)
    add("  CPU time of a run (median)", 1e3 * one["run_cpu_s"]["median"], "{:.1f} ms", "", None)
    add("first construction in a process", 1e3 * one["first_construction_s"], "{:.0f} ms", "", None)
    add("territory update per step (median)", one["territory_update_ms"]["median"], "{:.3f} ms",
        "", None)  # fmt: skip
    add("whole step (median, instrumented)", one["step_ms"]["median"], "{:.3f} ms", "", None)
    sh = one["territory_share"]["median"]
    add("territory update share of step", 100 * sh, "{:.0f} %", ">= 50 %", sh >= 0.5)
    b = r["batches"]
    for n, row in b["sizes"].items():
        ra = row["ratios"]
        ext = " (serial extrapolated)" if row["serial_extrapolated"] else ""
        add(f"serial throughput, {n} runs{ext}", row["serial"]["runs_per_s"], "{:.1f} runs/s",
            "", None)  # fmt: skip
        add(f"process x{b['workers']} throughput, {n} runs", row["process"]["runs_per_s"],
            "{:.1f} runs/s", "", None)  # fmt: skip
        add(f"dask x{b['workers']} throughput, {n} runs", row["dask"]["runs_per_s"],
            "{:.1f} runs/s", "", None)  # fmt: skip
        sp = ra["process_speedup"]
        big_enough = int(n) >= 1000
        add(f"process / serial speed-up, {n} runs{ext}", sp, "{:.2f}x",
            ">= 1.7x" if big_enough else "", (sp >= 1.7) if big_enough else None)  # fmt: skip
        add(f"  same with pool start-up, {n} runs", ra["process_cold_speedup"], "{:.2f}x", "",
            None)  # fmt: skip
        add(f"  cores the process workers got, {n} runs", row["process"]["cores_used"],
            "{:.2f}", "", None)  # fmt: skip
        add(f"  CPU per run, process / serial, {n} runs", ra["process_cpu_over_serial_cpu"],
            "{:.2f}x", "", None)  # fmt: skip
        add(f"  speed-up with 2 free cores (from CPU time), {n} runs",
            ra["process_speedup_2_free_cores"], "{:.2f}x", "", None)  # fmt: skip
        dp = ra["dask_over_process"]
        add(f"dask time / process time, {n} runs", dp, "{:.2f}x", "<= 1.3x" if big_enough else "",
            (dp <= 1.3) if big_enough else None)  # fmt: skip
        if "runner_over_bare" in ra:
            ov = ra["runner_over_bare"] - 1
            add(f"runner overhead over bare loop, {n} runs", 100 * ov, "{:+.1f} %", "<= 5 %",
                ov <= 0.05)  # fmt: skip
            add(f"  same in CPU time, {n} runs", 100 * (ra["runner_cpu_over_bare_cpu"] - 1),
                "{:+.1f} %", "", None)  # fmt: skip
            add(f"mesa.batch_run time / runner time, {n} runs", ra["batch_run_over_runner"],
                "{:.2f}x", "report", None)  # fmt: skip
            add(f"mesa.batch_run(2 proc) / process, {n} runs",
                ra["batch_run_2proc_over_process"], "{:.2f}x", "report", None)  # fmt: skip
    cli = r.get("cli")
    if cli:
        label = f"{cli['runs']:,} runs end to end (rift run, results written)"
        add(label, cli["wall_s"], "{:.0f} s", "<= 180 s" if cli["runs"] >= big else "",
            cli["wall_s"] <= 180 if cli["runs"] >= big else None)  # fmt: skip
        gb = cli["peak_rss_bytes"] / 1e9
        add(f"  peak RSS, process tree ({cli['processes_seen']} processes)", gb, "{:.2f} GB",
            "<= 1.5 GB", gb <= 1.5)  # fmt: skip
        mb = cli["results_bytes"] / 1e6
        add("  results folder", mb, "{:.1f} MB", "<= 200 MB", mb <= 200)
    sc = r["scaling"]
    for method, v in sc["runs"].items():
        if v["exponent"] is not None:
            pts = list(v["points"])
            add(f"exponent, time vs runs ({method}, {pts[0]}-{pts[-1]})", v["exponent"],
                "{:.3f}", "<= 1.1", v["exponent"] <= 1.1)  # fmt: skip
    m = sc["months"]
    span = f"{m['points'][0]['months']}-{m['points'][-1]['months']}"
    add(f"exponent, run time vs months ({span})", m["exponent_run"], "{:.3f}", "<= 1.1",
        m["exponent_run"] <= 1.1)  # fmt: skip
    add(f"exponent, stepping time vs months ({span})", m["exponent_stepping"], "{:.3f}",
        "<= 1.1", m["exponent_stepping"] <= 1.1)  # fmt: skip
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    """The targets as a Markdown table."""
    mark = {True: "yes", False: "**no**", None: ""}
    lines = ["| measure | value | target | met |", "|---|---:|---:|:---:|"]
    lines += [f"| {r['measure']} | {r['value']} | {r['target']} | {mark[r['met']]} |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short version (about 3 minutes)")
    ap.add_argument("--out", type=Path, default=RESULTS, help="folder of the JSON results")
    ap.add_argument(
        "--serial-limit",
        type=float,
        default=600.0,
        help="extrapolate a serial batch expected to take longer than this (s) from the "
        "previous size",
    )
    ap.add_argument(
        "--against",
        default=AGAINST,
        metavar="COMMIT",
        help=f"also measure COMMIT (default {AGAINST}) in a temporary git worktree, alternating "
        "with this checkout, and print each figure with its ratio ('none': skip)",
    )
    ap.add_argument(
        "--against-only",
        action="store_true",
        help="only the comparison with --against and the targets of issue 23",
    )
    args = ap.parse_args(argv)
    quick = args.quick
    against = None if args.against.lower() == "none" else args.against
    if args.against_only:
        if against is None:
            ap.error("--against-only needs --against COMMIT")
        return _main_against(against, quick, args.out)
    sizes = [100] if quick else [100, 1000, 10_000]
    cli_runs = 1000 if quick else 10_000

    started = time.perf_counter()
    report: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "quick": quick,
        "machine": _machine(),
    }
    _log("one baseline run")
    report["single_run"] = bench_single_run(20 if quick else 30)
    _log("scaling in months")
    months = [12, 24, 48, 72] if quick else [12, 24, 36, 48, 72, 96, 120]
    report["scaling"] = {"months": bench_months(months, 5 if quick else 15)}
    _log("small batches")
    small = bench_small_batches([10, 30] if quick else [10, 30, 300])
    _log(f"batches of {sizes}")
    report["batches"] = bench_batches(sizes, args.serial_limit)
    report["scaling"]["runs"] = scaling_runs(report["batches"], small)
    _log(f"rift run end to end, {cli_runs} runs")
    report["cli"] = bench_cli(cli_runs)
    report["machine"]["loadavg_end"] = list(os.getloadavg())
    report["total_s"] = time.perf_counter() - started
    report["targets"] = _targets(report, 10_000)
    if against is not None:
        _log(f"against {against}")
        report["against"] = _run_against(against, quick)

    from rift.atomic import atomic_write_json

    args.out.mkdir(parents=True, exist_ok=True)
    name = f"{dt.date.today().isoformat()}-py{sys.version_info[0]}.{sys.version_info[1]}"
    path = args.out / f"{name}{'-quick' if quick else ''}.json"
    atomic_write_json(path, report)
    mach = report["machine"]
    print(
        f"\nrift benchmark ({'quick' if quick else 'full'}), {mach['cpu']}, "
        f"{mach['usable_cpus']} CPUs, Python {mach['python']}, numpy {mach['numpy']}, "
        f"Mesa {mach['mesa']}, load {mach['loadavg_start'][0]:.1f}->{mach['loadavg_end'][0]:.1f}"
    )
    print(format_table(report["targets"]))
    if against is not None:
        print(f"\nAgainst {against}, measured alternately in this run:\n")
        print(against_table(report["against"]))
    print(f"\nwritten {path} ({report['total_s']:.0f} s)")
    return 0


def _run_against(commit: str, quick: bool) -> dict[str, Any]:
    if quick:
        return bench_against(commit, rounds=3, runs=15, e2e=[200, 500], against_e2e=200)
    return bench_against(commit, rounds=5, runs=30, e2e=[1000, 3000], against_e2e=1000)


def _main_against(commit: str, quick: bool, folder: Path) -> int:
    """``--against-only``: the comparison and the targets, printed and written as JSON."""
    from rift.atomic import atomic_write_json

    started = time.perf_counter()
    report = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "quick": quick,
        "machine": _machine(),
    }
    report["against"] = _run_against(commit, quick)
    report["machine"]["loadavg_end"] = list(os.getloadavg())
    report["total_s"] = time.perf_counter() - started
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{dt.date.today().isoformat()}-py{sys.version_info[0]}.{sys.version_info[1]}"
    path = folder / f"{name}-against{'-quick' if quick else ''}.json"
    atomic_write_json(path, report)
    mach = report["machine"]
    print(
        f"\nrift against {commit} ({'quick' if quick else 'full'}), {mach['cpu']}, "
        f"{mach['usable_cpus']} CPUs, Python {mach['python']}, numpy {mach['numpy']}, "
        f"load {mach['loadavg_start'][0]:.1f}->{mach['loadavg_end'][0]:.1f}\n"
    )
    print(against_table(report["against"]))
    print(f"\nwritten {path} ({report['total_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
