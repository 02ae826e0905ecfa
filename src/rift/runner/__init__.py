"""Seeded Monte Carlo batches on serial, process-pool or Dask executors."""

from rift.runner.batch import BatchOutcome, BatchPlan, execute_batch, plan_batch
from rift.runner.executors import EXECUTORS, make_executor
from rift.seeds import run_seed

__all__ = [
    "EXECUTORS",
    "BatchOutcome",
    "BatchPlan",
    "execute_batch",
    "make_executor",
    "plan_batch",
    "run_seed",
]
