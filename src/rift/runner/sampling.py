"""Per-run values of uncertain parameters: a Latin hypercube computed run by run.

What is sampled: the scenario's own ``uncertain`` distributions; every other parameter whose
registry entry declares a spread (``sampling.registry``, the default), unless the scenario
fixes it; and the calibrated parameters, jointly from the packaged posterior
(``sampling.calibrated``, the default) instead of their registry spreads.

The batch's design is decided in the parent from the root seed, and run ``k``'s values are
computed when its task is made, on any executor and on resume: the same values every time,
and no memory in proportion to the batch before it starts. Each uncertain parameter is one
dimension of a Latin hypercube: run ``k`` falls in stratum ``perm_j(k)`` of dimension ``j`` (a
keyed permutation of the runs, :mod:`.permutation`) at a hashed position inside it, and the
uniform value is mapped through the distribution's quantile function (``scipy.stats``).
Choices map the uniform through their cumulative weights.

Each dimension's keys come from the root seed and the parameter's *name* alone
(:func:`rift.seeds.dimension_seed`), never from its position among the others: fixing, adding
or removing one sampled input leaves every other input of every run identical, so a tweak
(``--set``) stays paired run by run with the batch it was tweaked from.

``uncertain: calibrated`` draws whole particles from the packaged posterior by systematic
resampling (the ``k``-th of ``n`` evenly spaced points of the weights' CDF, in a permuted
order), from a stream of its own, so adding it leaves the hypercube of the rest unchanged.
The event model's tension terms (``events.tension.*`` and, for a scenario starting in 2025-01,
the 2025 hostilities) are drawn the same way from their own ABC posterior
(``alliance_calibration.json``, :func:`alliance_names`), so their correlations are kept
(reference and severity step correlate about -0.5), not sampled as independent marginals.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from rift.calibration import ALLIANCE_START, alliance_posterior, calibration_start, posterior
from rift.distributions import Choice, parse_distribution, quantile
from rift.parameters import registry
from rift.runner.permutation import ROUNDS, KeyedPermutation, keys_from, unit_uniform
from rift.scenario import Scenario
from rift.scenario.levers import registry_name
from rift.seeds import ALLIANCE_KEY, CALIBRATION_KEY, dimension_seed


def calibrated_names(scenario: Scenario) -> set[str]:
    """The parameters the scenario draws from the packaged posterior."""
    if not scenario.calibration:
        return set()
    through = scenario.sampling.calibrated_through
    post = posterior(through)
    if post is None:
        return set()
    mine = set(scenario.parameters) | set(scenario.uncertain)
    same_start = scenario.start == calibration_start(through)
    return {n for n in post.names if n not in mine and (same_start or not n.startswith("init."))}


def alliance_names(scenario: Scenario) -> set[str]:
    """The tension terms a scenario draws jointly, as whole particles of their posterior.

    Those whose registry spread the scenario would otherwise sample (``sampling.registry`` and
    ``sampling.calibrated`` both on, the name neither fixed nor given a distribution by the
    scenario); the 2025 hostilities (``init.*``) only for a scenario starting in 2025-01, the
    month they describe (elsewhere they keep their registry spread, as before the fit).
    """
    if not (scenario.sampling.registry and scenario.sampling.calibrated):
        return set()
    post = alliance_posterior()
    if post is None:
        return set()
    mine = set(scenario.parameters) | set(scenario.uncertain) | calibrated_names(scenario)
    reg = registry()
    return {
        n
        for n in post.names
        if n not in mine
        and n in reg
        and reg[n].uncertainty
        and (scenario.start == ALLIANCE_START or not n.startswith("init."))
    }


def declared_spreads(scenario: Scenario) -> dict[str, Any]:
    """The registry spreads a scenario samples (none with ``sampling: {registry: false}``)."""
    if not scenario.sampling.registry:
        return {}
    skip = set(scenario.parameters) | set(scenario.uncertain) | calibrated_names(scenario)
    skip |= alliance_names(scenario)
    return {
        name: parse_distribution(p.uncertainty)
        for name, p in registry().items()
        if p.uncertainty and not p.instrument and name not in skip
    }


def quantile_values(name: str, spec: Any, u: np.ndarray, dist: Any = None) -> np.ndarray:
    """The values of parameter ``name`` at uniforms ``u`` under its distribution ``spec``.

    A choice maps ``u`` through its cumulative weights; a continuous distribution through its
    quantile function, clipped to the parameter's valid range and rounded for integers.

    Args:
        name: The parameter, or an intervention's lever (its registry entry, or its
            instrument's, gives the range and kind).
        spec: The parsed distribution (:func:`rift.distributions.parse_distribution`).
        u: Uniforms in [0, 1).
        dist: The frozen scipy distribution of ``spec`` if already made (else its quantile
            function is called without freezing one: the same bits).
    """
    col = np.asarray(u, float)
    if isinstance(spec, Choice):
        w = np.asarray(spec.weights if spec.weights else [1.0] * len(spec.values), float)
        cdf = np.cumsum(w / w.sum())
        pick = np.minimum(np.searchsorted(cdf, col, side="right"), len(spec.values) - 1)
        return np.array([spec.values[i] for i in pick], dtype=object)
    param = registry()[registry_name(name)]
    values = quantile(spec, col) if dist is None else dist.ppf(col)
    lo = -np.inf if param.low is None else param.low
    hi = np.inf if param.high is None else param.high
    values = np.clip(values, lo, hi)
    return np.rint(values).astype(np.int64) if param.kind == "int" else values


def dimension_keys(root: int, names: Iterable[str]) -> np.ndarray:
    """The hypercube's keys for the named dimensions, shape ``(ROUNDS + 1, len(names))``.

    Column ``j`` depends on the root seed and ``names[j]`` only: its ``ROUNDS`` permutation
    keys, then the key of the position inside each stratum.
    """
    cols = [keys_from(dimension_seed(root, n), 1, extra=1)[:, 0] for n in names]
    if not cols:
        return np.empty((ROUNDS + 1, 0), dtype=np.uint64)
    return np.stack(cols, axis=1)


class Sampler:
    """The sampled parameter values of every run of a batch, computed on demand.

    Args:
        scenario: The scenario (its ``uncertain`` block, calibration and root ``seed``).
        runs: Number of runs in the batch (defaults to ``scenario.runs``).
    """

    def __init__(self, scenario: Scenario, runs: int | None = None) -> None:
        self.runs = scenario.runs if runs is None else int(runs)
        specs = dict(scenario.uncertain)
        specs.update(declared_spreads(scenario))
        self.names = sorted(specs)
        self._specs = [specs[n] for n in self.names]
        d = len(self.names)
        keys = dimension_keys(scenario.seed, self.names)
        self._perm = KeyedPermutation(max(self.runs, 1), keys[:ROUNDS]) if d else None
        self._jitter = keys[ROUNDS] if d else None
        self._calibrated = self._calibration_plan(scenario)
        self._alliance = self._alliance_plan(scenario)

    def _calibration_plan(self, scenario: Scenario) -> tuple | None:
        if not scenario.calibration:
            return None
        through = scenario.sampling.calibrated_through
        post = posterior(through)
        if post is None:
            raise LookupError("the package has no calibration; run `rift calibrate`")
        drawn = calibrated_names(scenario)
        columns = [j for j, name in enumerate(post.names) if name in drawn]
        return _systematic_plan(post, columns, scenario.seed, CALIBRATION_KEY, self.runs)

    def _alliance_plan(self, scenario: Scenario) -> tuple | None:
        drawn = alliance_names(scenario)
        if not drawn:
            return None
        post = alliance_posterior()
        columns = [j for j, name in enumerate(post.names) if name in drawn]
        return _systematic_plan(post, columns, scenario.seed, ALLIANCE_KEY, self.runs)

    @property
    def parameter_names(self) -> list[str]:
        """Every sampled name: the scenario's uncertain parameters and calibrated ones."""
        names = list(self.names)
        for plan in (self._calibrated, self._alliance):
            if plan is not None:
                post, columns = plan[:2]
                names += [post.names[j] for j in columns]
        return sorted(names)

    def uniforms(self, index: Iterable[int]) -> np.ndarray:
        """The hypercube's points of the given runs, shape ``(len(index), d)``, in [0, 1)."""
        idx = np.asarray(list(index), dtype=np.int64)
        if self._perm is None:
            return np.empty((len(idx), 0))
        strata = self._perm(idx)
        # the position inside the stratum: a hash of the run index under the dimension's own key
        jitter = unit_uniform(idx.astype(np.uint64)[:, None] ^ self._jitter[None, :])
        return (strata + jitter) / self.runs

    def table(self, index: Iterable[int]) -> dict[str, np.ndarray]:
        """Values of every sampled parameter for the given runs (arrays, by name)."""
        idx = np.asarray(list(index), dtype=np.int64)
        out: dict[str, np.ndarray] = {}
        for plan in (self._calibrated, self._alliance):
            if plan is not None:
                out.update(self._particles(plan, idx))
        u = self.uniforms(idx)
        for j, name in enumerate(self.names):
            out[name] = quantile_values(name, self._specs[j], u[:, j])
        return out

    def _particles(self, plan: tuple, idx: np.ndarray) -> dict[str, np.ndarray]:
        """Whole particles of a posterior for the given runs (systematic resampling)."""
        post, columns, cdf, offset, perm = plan
        u = (offset + perm(idx)[:, 0]) / self.runs
        rows = np.minimum(np.searchsorted(cdf, u), len(cdf) - 1)
        reg = registry()
        out = {}
        for j in columns:
            name, values = post.names[j], post.samples[rows, j].copy()
            if reg[name].kind == "choice":  # calibrated as a uniform (see the registry)
                values = np.array([reg[name].choice_from_unit(v) for v in values], object)
            out[name] = values
        return out

    def values_at(self, names: Iterable[str], u: np.ndarray) -> dict[str, np.ndarray]:
        """The values of the named hypercube inputs at given uniforms (an outside design's).

        Args:
            names: Some of :attr:`names` (the inputs with a distribution of their own; the
                calibrated ones are drawn jointly and have none).
            u: Uniforms in [0, 1], shape ``(points, len(names))``, column ``j`` for ``names[j]``.

        Returns:
            Each name's values, mapped as the batch maps its own hypercube.

        Raises:
            KeyError: A name this sampler does not sample by its own distribution.
        """
        names = list(names)
        col = np.asarray(u, float).reshape(-1, len(names))
        where = {n: j for j, n in enumerate(self.names)}
        missing = [n for n in names if n not in where]
        if missing:
            raise KeyError(f"not sampled by a distribution of its own: {missing}")
        return {
            n: quantile_values(n, self._specs[where[n]], col[:, j]) for j, n in enumerate(names)
        }

    def run(self, index: int) -> dict[str, Any]:
        """The sampled values of one run as plain Python values."""
        return self.rows([index])[0]

    def rows(self, index: Iterable[int]) -> list[dict[str, Any]]:
        """The sampled values of each given run as plain Python values, one dict a run.

        One :meth:`table` for all of them: each quantile function is called once on the
        runs' uniforms instead of once a run (the same values as :meth:`run`, elementwise;
        tested), which is most of what making a chunk's tasks costs.
        """
        idx = list(index)
        table = self.table(idx)
        plain = {
            k: v.tolist() if v.dtype != object else [_plain(x) for x in v] for k, v in table.items()
        }
        return [{k: col[i] for k, col in plain.items()} for i in range(len(idx))]


def _systematic_plan(post: Any, columns: list[int], root: int, key: tuple, runs: int) -> tuple:
    """How a batch's runs pick whole particles of ``post`` (systematic resampling).

    Run ``k`` takes the ``k``-th of ``runs`` evenly spaced points of the weights' CDF, in an
    order permuted under ``key``: a stream of its own, so adding a posterior leaves every other
    draw of the batch unchanged.
    """
    seed = np.random.SeedSequence(root, spawn_key=key)
    keys = keys_from(seed, 1, extra=1)
    w = np.asarray(post.weights, float)
    cdf = np.cumsum(w / w.sum())
    offset = float(unit_uniform(keys[ROUNDS])[0])
    perm = KeyedPermutation(max(runs, 1), keys[:ROUNDS])
    return post, columns, cdf, offset, perm


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def sample_uncertain(scenario: Scenario, runs: int | None = None) -> dict[str, np.ndarray]:
    """Values of every sampled parameter for all runs of a batch (materialised).

    For analysis and tests; a batch computes each run's values on demand (:class:`Sampler`).
    """
    sampler = Sampler(scenario, runs)
    return sampler.table(range(sampler.runs))
