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


def bench_cli(runs: int) -> dict[str, Any]:
    """``rift run scenarios/baseline.yaml --runs N`` end to end, with the tree's peak RSS."""
    tmp = Path(tempfile.mkdtemp(prefix="rift-bench-"))
    out = tmp / "result"
    cmd = [
        sys.executable,
        "-m",
        "rift.cli",
        "run",
        str(SCENARIO),
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
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
    args = ap.parse_args(argv)
    quick = args.quick
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
    print(f"\nwritten {path} ({report['total_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
