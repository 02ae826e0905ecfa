"""rift: an agent-based scenario simulator of the US-Colombia alliance breakdown.

The Python API (:mod:`rift.api`): :func:`simulate` one run of a scenario (a :class:`Run`),
:func:`run_batch` a Monte Carlo batch into the results store, :func:`load` a stored batch back
(its :class:`Results`). Both load on first use, so ``import rift`` is cheap.
The data flow: a scenario file is loaded into a validated :class:`~rift.scenario.Scenario`, the
:class:`~rift.model.AllianceModel` simulates one run of it, the runner executes seeded
batches, the results store keeps them, and analysis, figures and the report read them back.
"""

from __future__ import annotations

from typing import Any

from rift.version import __version__

__all__ = ["Results", "Run", "__version__", "load", "run_batch", "simulate"]


def __getattr__(name: str) -> Any:
    if name in ("simulate", "run_batch", "Run"):
        # The model (and mesa) first, from this shallow stack: mesa 3 names its module logger
        # with inspect.stack(), which scans sys.modules once per frame of the stack; from
        # here it costs 0.06 s of CPU, from the end of the API's import chain 0.20 s.
        import rift.model.model  # noqa: F401
        from rift import api

        return getattr(api, name)
    if name in ("load", "Results"):
        from rift import results

        return getattr(results, name)
    raise AttributeError(f"module 'rift' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The lazily loaded API is listed too (``dir(rift)`` shows ``simulate``)."""
    return sorted(set(globals()) | set(__all__))
