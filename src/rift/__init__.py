"""rift: an agent-based scenario simulator of the US-Colombia alliance breakdown.

The public API follows the data flow: a scenario file is loaded into a validated
:class:`~rift.scenario.Scenario`, the :class:`~rift.model.AllianceModel` simulates one run of
it, the runner executes seeded batches, and analysis and plots read the stored results.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rift")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
