"""Seeded Monte Carlo batches on serial, process-pool or Dask executors."""

# The model (and mesa) first, before the runner's modules nest deeper: mesa 3 names its module
# logger with inspect.stack(), which scans sys.modules once per frame (a spawned worker
# importing rift.runner.worker spends 0.1 s less; see rift/__init__.py).
import rift.model.model  # noqa: F401
from rift.runner.batch import BatchOutcome, BatchPlan, execute_batch, plan_batch
from rift.runner.executors import EXECUTORS, make_executor
from rift.runner.inputs import RunInputs, build_model, inputs_for
from rift.seeds import run_seed

__all__ = [
    "EXECUTORS",
    "BatchOutcome",
    "BatchPlan",
    "RunInputs",
    "build_model",
    "execute_batch",
    "inputs_for",
    "make_executor",
    "plan_batch",
    "run_seed",
]
