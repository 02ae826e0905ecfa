"""The present as a filtered ensemble: the calibrated hindcast carried through the record.

Why: a forecast from "now" has to start from a world that went through what happened in
2025-2026, not from the 2024 state with the model's own guess of the intervening months.
:func:`nowcast` does it with a particle filter (resample-move):

1. **Particles.** ``n_particles`` runs of the calibrated hindcast (``hindcast_2019``), sampled
   as the hindcast samples them (:func:`rift.runner.batch.plan_batch`: the calibrated
   posterior's particles and the registry's spreads), each run from 2019-01 to 2024-12 with its
   own seed. Each keeps its :class:`~rift.model.state.ModelState` at 2024-12: the hindcast's
   own end state, not a re-initialisation.
1b. **History.** The hindcast's runs are not conditioned on what they were calibrated on: the
   calibration's posterior is a distribution of parameters, and one run of a particle can
   still drift far from the record (without this stage, a quarter of the shipped present's
   particles had coca near zero by 2026, the 5 % quantile of 2024 at 0 against UNODC's
   261,000 ha). So the particles are first conditioned on the 2019-2024 figures of
   ``reference.csv`` (:func:`history_figures`: the calibration's 28 targets, Gaussian with
   the record's error class of the outcome, else ``observation_sd_share``, and the model's
   error as the calibration accepted it, as in ``rift.analysis.assimilation``) by adaptive
   tempering: the target goes from the calibration's posterior (a kernel density ``q`` of
   its particles, times ``p(x | theta)``) to the exact posterior under the calibration's
   uniform priors ``p0``, ``p0(theta) p(x | theta) L(y_2019-2024 | x)``, through
   ``q^(1-phi) p0^phi p(x | theta) L^phi``; each stage takes the largest step in ``phi``
   that keeps an ESS of ``target`` of the particles (incremental weights
   ``(phi' - phi) (log L + log p0 - log q)``), resamples and moves (the move of 5. with
   that target). The figures are thus used once: the calibration's posterior is only where
   the filter starts, and from the history on the calibrated parameters' prior is ``p0``
   (without the stage, ``history=False``, it stays ``q``). The stages' temperatures, ESS
   before and after and acceptances are in the manifest (``history``).
2. **Imposed record.** Each month from 2025-01 to ``through`` every particle is stepped one
   month from its state, with a fresh seed of the nowcast's stream (so that copies made by
   resampling get different futures), under what the coded record says happened
   (:func:`imposed`): every model measure is held in the record's state of that month
   (:meth:`~rift.present.record.CodedRecord.in_force`: on if started and not ended, off
   otherwise, as the record says nothing else was in force) through the model's shocks; the
   September certification determination through the model's ``us.certification``
   intervention, held until the next determination; the 2026 election's winner bloc through
   the scenario's ``election.winner`` when the record holds the runoff (the model decides the
   winner at the first round, so the winner is imposed from that month: it takes effect at the
   runoff). The model's own mechanisms can still end a held measure in the month (an
   endogenous deal ends measures after the measures' step): a particle whose measures at the
   end of a month differ from the record's contradicts an observed fact, so its likelihood
   is zero (the month is then weighted and resampled even without figures, and a move's
   re-simulation must match the record in every month). Events the model has no mechanism to
   impose (statements, calls, deals, the Venezuela operation) and the vote shares (replaced
   by the fixed winner) are listed as not imposed; the two calendar events are the model's
   own.
3. **Weighting.** In a month with figures, each particle is weighted by the likelihood of the
   month's figures, independent Gaussians ``N(value | simulated, sd)`` with the figure's own
   ``sd`` on the model's outcome of that name (the record's members by group and in total are
   treated as independent, a simplification). The ESS before resampling is reported.
4. **Resampling.** Systematic, from the nowcast's stream for that month.
5. **Move.** ``moves`` Metropolis-Hastings iterations per particle, exact for the filter's
   target ``p(theta) p(x_{0:m} | theta) p(y_{1:m} | x)``: the proposal jitters the parameters
   and re-simulates the whole history from 2019-01 through the month with a fresh seed, under
   the same imposed record (``x' ~ p(x | theta')``, the model's own stochastic path), so the
   ratio is the prior ratio times the ratio of the likelihoods of every figure seen so far
   (a pseudo-marginal move; a re-simulation costs ~0.1 s, so no approximation of the history
   is needed). The parameters moved and their prior:

   * the calibrated numeric parameters: a Gaussian random walk with per-parameter sd
     ``scale * 2.38 / sqrt(d)`` times the ensemble's weighted sd before resampling, in the
     logit of each parameter's place in its prior box (floored at a tenth of the calibrated
     posterior's sd there, so that an ensemble collapsed in a direction still moves; the
     default ``scale`` 0.3 was chosen for an acceptance of 25-50 %: the kernel density is
     peaked at the posterior's particles, and 1.0 accepted almost nothing); prior: the
     calibration's uniform priors after the history stage (a weighted Gaussian kernel
     density of the packaged posterior without it, and its geometric mix with the priors
     during it), truncated to the priors' box and the registry's range, with the logit's
     Jacobian;
   * the registry-spread continuous parameters: a preconditioned Crank-Nicolson step in their
     normal scores ``z = Phi^-1(F(x))`` (``z' = rho z + sqrt(1 - rho^2) xi``), which leaves
     their independent registry distributions invariant, so no prior term enters the ratio;
   * integer and choice parameters are not moved (they travel with their particle).

   At least ``moves`` iterations are run, and more (to ``max_moves``) while the moved
   ensemble's ESS is below ``target`` of the particles: the acceptance falls as figures
   accumulate (the likelihood sharpens, and a re-simulated path is a noisy estimate of it), so
   a fixed number of iterations left the ensemble a few particles repeated. Each iteration's
   step is scaled by its predecessor's acceptance (x0.6 below 15 %, x1.4 above 50 %; the
   Crank-Nicolson step likewise). The acceptance rate of every step is reported, with the ESS
   of the moved ensemble (``ess_after``: ``N^2 / sum c_k^2`` over the groups of identical
   particles, a particle moved by an accepted proposal being its own group), the number of
   distinct particles and of iterations.

:func:`save_present` writes the ensemble as a folder (``manifest.json``, ``particles.json``,
``states/*.npz``; written under a temporary name and renamed into place), :func:`load_present`
reads it back.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from rift.atomic import atomic_write_json, publish
from rift.calendar import ONE_OFF_EVENTS
from rift.calibration import calibration_id, load_calibration, posterior
from rift.distributions import Choice, to_scipy
from rift.errors import InputError
from rift.model.forcing import Intervention, Shock
from rift.model.state import ModelState
from rift.months import format_month, parse_month
from rift.parameters import registry
from rift.present.record import MEASURES, RECORD_START, CodedRecord, Figure, coded_record
from rift.runner.batch import plan_batch
from rift.runner.inputs import RunInputs, build_model
from rift.runner.sampling import declared_spreads
from rift.scenario import Scenario, load_scenario
from rift.scenario.present import PRESENT_FORMAT, PRESENT_VERSION
from rift.seeds import NOWCAST_KEY

#: The scenario whose calibrated runs are the particles.
HINDCAST = "hindcast_2019"
#: Sub-keys of the nowcast's stream (under ``NOWCAST_KEY``).
_STEP, _RESAMPLE, _MOVE, _ACCEPT, _HINDCAST, _HISTORY = 1, 2, 3, 4, 5, 6


@dataclass(frozen=True)
class Imposed:
    """What the nowcast imposes of the record, and what it does not.

    Attributes:
        shocks: One shock a month holding every model measure in the record's state.
        interventions: The certification determinations, each held to the next.
        election: The election spec (``{"winner": bloc}``) or None to simulate the vote.
        notes: What is imposed, one line each (month, what, how).
        not_imposed: What the record says and the nowcast does not impose, with why.
    """

    shocks: tuple[Shock, ...]
    interventions: tuple[Intervention, ...]
    election: Mapping[str, Any] | None
    notes: tuple[dict[str, str], ...]
    not_imposed: tuple[dict[str, str], ...]


def imposed(record: CodedRecord, through: int) -> Imposed:
    """What the coded record imposes on the months 2025-01..``through``.

    Args:
        record: The coded record.
        through: The last month (a month number), at most the record's last month.
    """
    rec = record.through(through)
    first = parse_month(RECORD_START)
    shocks = []
    for m in range(first, through + 1):
        on = rec.in_force(m)
        shocks.append(
            Shock(
                at=m,
                start=tuple(n for n in MEASURES if n in on),
                end=tuple(n for n in MEASURES if n not in on),
            )
        )
    notes = [
        {
            "month": format_month(c.month),
            "what": f"{c.name} {'on' if c.started else 'off'}",
            "how": "shock",
            "source": c.source.label,
        }
        for c in rec.measures
    ]
    notes.append(
        {
            "month": f"{format_month(first)}..{format_month(through)}",
            "what": "every other model measure off (none in force as far as the record says)",
            "how": "shock",
            "source": "record.in_force",
        }
    )
    interventions = []
    dets = list(rec.determinations)
    for i, d in enumerate(dets):
        until = dets[i + 1].month - 1 if i + 1 < len(dets) else through
        interventions.append(Intervention(d.month, {"us.certification": d.status}, until))
        notes.append(
            {
                "month": format_month(d.month),
                "what": f"certification {d.status} through {format_month(until)}",
                "how": "intervention us.certification",
                "source": d.source.label,
            }
        )
    not_imposed = []
    winner = rec.winner()
    election = None
    if winner is not None:
        election = {"winner": winner.bloc}
        notes.append(
            {
                "month": format_month(winner.month),
                "what": f"2026 winner {winner.bloc} ({winner.candidate}, "
                f"{'preliminary ' if winner.preliminary else ''}runoff count)",
                "how": "election.winner (the model draws no vote shares then)",
                "source": winner.source.label,
            }
        )
    for r in rec.results:
        if winner is not None and r.source.label == winner.source.label:
            continue
        why = (
            "the fixed winner replaces the vote"
            if winner is not None
            else "no runoff in the record yet: the model's vote is simulated"
        )
        not_imposed.append(
            {"month": format_month(r.month), "what": f"{r.round} {r.candidate} {r.value:g} "
             f"{r.unit}", "why": why, "source": r.source.label}
        )  # fmt: skip
    calendar = {name for _, name in ONE_OFF_EVENTS}
    for e in rec.events:
        if e.name in calendar:
            notes.append(
                {
                    "month": format_month(e.month),
                    "what": e.name,
                    "how": "the model's own calendar",
                    "source": e.source.label,
                }
            )
        else:
            not_imposed.append(
                {
                    "month": format_month(e.month),
                    "what": e.name,
                    "why": "the model has no mechanism to impose this event",
                    "source": e.source.label,
                }
            )
    for p in rec.polls:
        not_imposed.append(
            {
                "month": format_month(p.month),
                "what": f"poll {p.pollster} {p.candidate} {p.share:.3f}",
                "why": "polls are the model's own campaign input",
                "source": p.source.label,
            }
        )
    return Imposed(tuple(shocks), tuple(interventions), election, tuple(notes), tuple(not_imposed))


def check_through(through: int | str, record: CodedRecord | None = None) -> int:
    """The month number of ``through``, checked against the record.

    Raises:
        InputError: Not a month, before 2025-01 or after the record's last month.
    """
    rec = record or coded_record()
    expected = f"a month YYYY-MM from {RECORD_START} to {format_month(rec.last_month)}"
    try:
        m = parse_month(through) if isinstance(through, str) else int(through)
    except (ValueError, TypeError):
        raise InputError(f"got {through!r}", key="--through", expected=expected) from None
    if not parse_month(RECORD_START) <= m <= rec.last_month:
        raise InputError(
            f"got {format_month(m)}",
            key="--through",
            expected=expected,
            hint="later months are unknown: nothing after the record's last month was sourced",
        )
    return m


# ---------------------------------------------------------------------- simulation
@dataclass(frozen=True)
class _Job:
    """One simulation: from a state (or 2019-01) through ``until``.

    ``expect`` holds, for months to check, the measures the record has on at their end.
    """

    inputs: RunInputs
    sampled: Mapping[str, Any]
    seed: np.random.SeedSequence
    state: ModelState | None
    until: int
    expect: tuple[tuple[int, frozenset[str]], ...] = ()


def _model_measures(model: Any) -> frozenset[str]:
    return frozenset(
        f"{side}.{name}"
        for side, actor in (("us", model.us), ("col", model.colombia))
        for name in actor.measures.in_force()
    )


def _simulate(job: _Job) -> tuple[ModelState, bool]:
    """The state at ``until``, and whether the measures matched the record every month checked.

    The shocks hold every measure, but the model's own mechanisms may still end one in the
    same month (an endogenous deal, say): such a path contradicts the record.
    """
    inputs = replace(job.inputs, end=job.until).with_sampled(job.sampled)
    if job.state is not None:
        inputs = inputs.with_state(job.state)
    model = build_model(inputs, job.seed)
    ok = True
    for month, expected in job.expect:
        model.run(until=month)
        ok = ok and _model_measures(model) == expected
    model.run()
    return model.state(), ok


def _stream(seed: int, *keys: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=(*NOWCAST_KEY, *keys))


@dataclass(frozen=True)
class HistoryFigure:
    """A reference.csv figure of the hindcast's months, as the filter weighs it.

    Attributes:
        month: The model month it is compared with.
        observable: The model outcome.
        value: The published value.
        sd: One standard deviation of observation error.
        label: ``key date`` of reference.csv.
    """

    month: int
    observable: str
    value: float
    sd: float
    label: str


def loglik(state: ModelState, figures: Sequence[Figure | HistoryFigure]) -> float:
    """Log-likelihood of figures under a state's recorded path (Gaussian, the figure's sd)."""
    names = list(state.recorder["names"])
    values = np.asarray(state.recorder["values"])
    total = 0.0
    for f in figures:
        x = float(values[f.month - state.start, names.index(f.observable)])
        z = (x - f.value) / f.sd
        total += -0.5 * z * z - math.log(f.sd) - 0.5 * math.log(2 * math.pi)
    return total if math.isfinite(total) else -math.inf


def systematic_resample(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of a systematic resample: ``n`` evenly spaced points on the weights' CDF."""
    w = np.asarray(weights, float)
    n = len(w)
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    points = (rng.random() + np.arange(n)) / n
    return np.searchsorted(cdf, points, side="right").clip(0, n - 1)


def ess(weights: np.ndarray) -> float:
    """Effective sample size ``1 / sum(w^2)`` of normalised weights."""
    w = np.asarray(weights, float)
    w = w / w.sum()
    return float(1.0 / np.sum(w**2))


# ---------------------------------------------------------------------- the move's prior
class _Prior:
    """The moved parameters, their kernel and their prior (see the module docstring)."""

    def __init__(self, scenario: Scenario, names: Sequence[str]) -> None:
        reg = registry()
        post = posterior()
        self.box: dict[str, tuple[float, float]] = {}
        self.cal: list[str] = []
        if post is not None:
            priors = (load_calibration() or {}).get("priors", {})
            for n in post.names:
                if n in names and reg[n].kind == "float":
                    self.cal.append(n)
                    if n in priors:
                        self.box[n] = (float(priors[n][0]), float(priors[n][1]))
            cols = [post.names.index(n) for n in self.cal]
            data = post.samples[:, cols].T
            self.kde = stats.gaussian_kde(data, weights=post.weights) if self.cal else None
        else:
            self.kde = None
        spreads = dict(scenario.uncertain)
        spreads.update(declared_spreads(scenario))
        self.reg: list[str] = []
        self.dists: list[Any] = []
        for n in sorted(spreads):
            spec = spreads[n]
            if n in self.cal or n not in names or isinstance(spec, Choice):
                continue
            if reg[n].kind != "float":
                continue
            self.reg.append(n)
            self.dists.append(to_scipy(spec))
        self.ranges = {n: (reg[n].low, reg[n].high) for n in [*self.cal, *self.reg]}
        #: The packaged posterior's sd of each calibrated parameter in the walk's space.
        self.free_sd = np.zeros(len(self.cal))
        if post is not None and self.cal:
            cols = [post.names.index(n) for n in self.cal]
            free = np.array([self.to_free(dict(zip(self.cal, row, strict=True)))
                             for row in post.samples[:, cols]])  # fmt: skip
            w = np.asarray(post.weights, float) / np.sum(post.weights)
            self.free_sd = np.sqrt(w @ (free - w @ free) ** 2)

    @property
    def moved(self) -> list[str]:
        """The names the move changes."""
        return [*self.cal, *self.reg]

    def _bounds(self, n: str) -> tuple[float, float]:
        lo, hi = self.box.get(n, (-math.inf, math.inf))
        rlo, rhi = self.ranges[n]
        return max(lo, -math.inf if rlo is None else rlo), min(hi, math.inf if rhi is None else rhi)

    def to_free(self, values: Mapping[str, Any]) -> np.ndarray:
        """The calibrated parameters as logits of their place in their box (the walk's space)."""
        out = np.empty(len(self.cal))
        for j, n in enumerate(self.cal):
            lo, hi = self._bounds(n)
            s = (float(values[n]) - lo) / (hi - lo)
            s = min(max(s, 1e-9), 1 - 1e-9)
            out[j] = math.log(s / (1 - s))
        return out

    def log_prior(self, values: Mapping[str, Any], kde: float = 1.0) -> float:
        """The calibrated parameters' log prior density in the walk's (logit) space.

        ``q ** kde * p0 ** (1 - kde)``, up to a constant: ``q`` the kernel density of the
        packaged posterior, ``p0`` the calibration's uniform priors, both truncated to the
        priors' box and the registry's range; times the Jacobian of the logit transform.
        """
        logj = 0.0
        for n in self.cal:
            v = float(values[n])
            lo, hi = self._bounds(n)
            if not lo < v < hi:
                return -math.inf
            s = (v - lo) / (hi - lo)
            logj += math.log((hi - lo) * s * (1 - s))
        return logj if kde == 0.0 else kde * self.log_kde(values) + logj

    def log_kde(self, values: Mapping[str, Any]) -> float:
        """The kernel density's log at the calibrated parameters (0 without a posterior)."""
        if self.kde is None:
            return 0.0
        x = np.array([[float(values[n])] for n in self.cal])
        return float(self.kde.logpdf(x)[0])

    def propose(
        self,
        values: Mapping[str, Any],
        steps: np.ndarray,
        rho: float,
        rng: np.random.Generator,
    ) -> dict[str, Any] | None:
        """A proposal from ``values``, or None when it leaves a registry range.

        ``steps`` are the random walk's sds in the logit space of the calibrated parameters.
        """
        out = dict(values)
        y = self.to_free(values) + steps * rng.standard_normal(len(self.cal))
        for j, n in enumerate(self.cal):
            lo, hi = self._bounds(n)
            out[n] = lo + (hi - lo) / (1.0 + math.exp(-float(y[j])))
        xi = rng.standard_normal(len(self.reg))
        for j, n in enumerate(self.reg):
            d = self.dists[j]
            u = float(np.clip(d.cdf(float(values[n])), 1e-12, 1 - 1e-12))
            zz = rho * stats.norm.ppf(u) + math.sqrt(1 - rho * rho) * xi[j]
            out[n] = float(d.ppf(stats.norm.cdf(zz)))
            lo, hi = self.ranges[n]
            if (
                not math.isfinite(out[n])
                or (lo is not None and out[n] < lo)
                or (hi is not None and out[n] > hi)
            ):
                return None
        return out


# ---------------------------------------------------------------------- the filter
@dataclass
class Present:
    """The present ensemble: particles at ``through`` with their parameters and weights.

    Attributes:
        through: The last month filtered (``YYYY-MM``).
        states: Each particle's model state at ``through``.
        parameters: Each particle's sampled parameter values.
        weights: The particles' normalised weights (equal after a resample-move).
        loglik: Each particle's log-likelihood of every figure through ``through``.
        diagnostics: One entry a month: its figures, how many particles have each measure on
            at its end (after any resample-move), how many the month's step contradicted, the
            ESS before resampling, and for a resampled month the move's acceptance, the ESS
            after it and the distinct particles.
        manifest: The rest (seed, settings, what was and was not imposed).
        path: The folder it was loaded from or saved to, if any.
    """

    through: str
    states: list[ModelState]
    parameters: list[dict[str, Any]]
    weights: np.ndarray
    loglik: np.ndarray
    diagnostics: list[dict[str, Any]]
    manifest: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.states)

    def __repr__(self) -> str:
        return f"Present({len(self)} particles through {self.through})"


def _ess_tags(tags: np.ndarray) -> float:
    """``N^2 / sum c_k^2`` over the groups of identical particles (same tag)."""
    _, counts = np.unique(tags, return_counts=True)
    return float(len(tags) ** 2 / np.sum(counts.astype(float) ** 2))


def _measures_on(states: Sequence[ModelState]) -> dict[str, int]:
    """How many particles have each measure on (``<side>.<measure>``), in catalogue order."""
    counts: dict[str, int] = {}
    for s in states:
        for side, on in s.measures.items():
            for name in on:
                counts[f"{side}.{name}"] = counts.get(f"{side}.{name}", 0) + 1
    return {n: counts[n] for n in MEASURES if n in counts}


def _hindcast_scenario(seed: int | None) -> Scenario:
    overrides = [] if seed is None else [f"seed={int(seed)}"]
    from rift.scenario import shipped_scenarios

    return load_scenario(shipped_scenarios()[HINDCAST], overrides)


#: The error class (``record_2025_2026_errors.csv``) of a reference figure's outcome, where
#: the record states one: the same kinds of count with the same disagreements between sources.
#: Other outcomes (coca area and cocaine potential, UNODC's survey) take the stated
#: uncertainty of a reference figure, ``observation_sd_share`` of ``calibration_spec.yaml``.
HISTORY_ERRORS: dict[str, str] = {
    "members_egc": "members",
    "members_eln": "members",
    "members_dissidents": "members",
    "members_total": "members",
    "presence_egc": "presence",
    "presence_eln": "presence",
    "presence_dissidents": "presence",
    "presence_any": "presence",
    "control_any": "presence",
}


def history_figures(start: str, end: str) -> list[HistoryFigure]:
    """The reference.csv figures of the hindcast's months, as the filter weighs them.

    The calibration's targets (:func:`rift.reference.targets`: figures
    after ``start`` through ``end``). Each one's sd is that of ``rift.analysis.assimilation``
    (``sqrt(sd**2 + (model_error * value)**2)``): its observation error (the record's error
    class of its outcome, ``HISTORY_ERRORS``: ``max(sd_min, sd_share * value)``, else
    ``observation_sd_share`` of the value, at least 1) and the model's error as the
    calibration accepted it (its final ABC tolerance, a relative error of a run on one figure:
    :func:`rift.calibration.calibration_error`). Without the model's error the
    likelihood of 28 figures asks each re-simulated path to match them all within their
    measurement error: the moves then accepted 2 % (2025-10, 100 particles).
    """
    from rift.calibration import calibration_error, measurement_sd_share
    from rift.present.record import error_classes, error_sd
    from rift.reference import targets

    classes = error_classes()
    stated = (measurement_sd_share(), 1.0, "observation_sd_share")
    model = calibration_error()
    out = []
    for t in targets(start, end):
        cls = HISTORY_ERRORS.get(t.outcome)
        sd = error_sd(classes[cls] if cls else stated, t.observed)
        sd = math.hypot(sd, model * t.observed)
        out.append(HistoryFigure(t.month, t.outcome, t.observed, sd, t.label))
    return out


def _next_temperature(ll: np.ndarray, phi: float, target: float) -> float:
    """The next exponent of the adaptive tempering.

    The largest in ``(phi, 1]`` whose incremental weights ``exp((phi' - phi) * ll)`` keep an
    ESS of ``target`` of the particles (bisection; 1 when even the whole step keeps it).
    """
    n = len(ll)

    def share(nxt: float) -> float:
        lw = (nxt - phi) * ll
        w = np.exp(lw - lw.max())
        return ess(w) / n

    if share(1.0) >= target:
        return 1.0
    lo, hi = phi, 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if share(mid) >= target:
            lo = mid
        else:
            hi = mid
    return max(lo, phi + 1e-6)


def nowcast(
    n_particles: int = 100,
    through: int | str = "2025-12",
    seed: int | None = None,
    *,
    workers: int = 1,
    moves: int = 2,
    max_moves: int = 12,
    target: float = 0.5,
    scale: float = 0.3,
    rho: float = 0.9,
    history: bool = True,
    record: CodedRecord | None = None,
    progress: Any = None,
) -> Present:
    """Filter the calibrated hindcast ensemble through the record to ``through``.

    Args:
        n_particles: The number of particles (calibrated runs), at least 2.
        through: The last month, ``YYYY-MM`` from 2025-01 to the record's last month.
        seed: The root seed (default: the hindcast scenario's): the particles' draws and
            hindcast seeds, and every stream of the filter (``rift.seeds.NOWCAST_KEY``).
        workers: Processes for the hindcast and the moves' re-simulations (1: in process).
        moves: The least Metropolis-Hastings iterations per particle after a resampling.
        max_moves: The most: iterations go on while the moved ensemble's ESS (identical
            particles counted as one group) is below ``target`` of the particles.
        target: The share of the particles the moved ensemble's ESS should reach (and the
            ESS each tempering stage of the history keeps).
        scale: The random walk's step, as a multiple of ``2.38 / sqrt(d)`` ensemble sds.
        rho: The Crank-Nicolson correlation of the registry-spread parameters' step.
        history: Condition the particles on the 2019-2024 reference figures first (the
            history stage of the module docstring). Without it the 2024-12 states are the
            hindcast's unconditioned runs, and the calibrated parameters' prior stays the
            calibration's kernel density.
        record: The coded record (default: the packaged one).
        progress: Called with each month's diagnostics (a dict), if given.

    Returns:
        The present ensemble (not yet saved: :func:`save_present`).

    Raises:
        InputError: A bad ``through`` or number of particles.
    """
    rec = record or coded_record()
    last = check_through(through, rec)
    if not isinstance(n_particles, int) or isinstance(n_particles, bool) or n_particles < 2:
        raise InputError(
            f"got {n_particles!r}", key="--particles", expected="a whole number of at least 2"
        )
    scenario = _hindcast_scenario(seed)
    root = int(scenario.seed)
    plan = plan_batch(scenario, n_particles)
    imp = imposed(rec, last)
    base = replace(
        plan.spec.inputs,
        shocks=plan.spec.inputs.shocks + imp.shocks,
        interventions=plan.spec.inputs.interventions + imp.interventions,
        election=imp.election,
    )
    hind_end = parse_month(scenario.end)
    tasks = [plan.task(k) for k in range(n_particles)]
    params = [dict(t.sampled) for t in tasks]
    prior = _Prior(scenario, plan.sampler.parameter_names)
    hist = history_figures(scenario.start, scenario.end) if history else []
    pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None

    def run_all(jobs: list[_Job]) -> list[tuple[ModelState, bool]]:
        if pool is None or len(jobs) < 2:
            return [_simulate(j) for j in jobs]
        return list(pool.map(_simulate, jobs, chunksize=max(1, len(jobs) // (4 * workers))))

    expect = {m: frozenset(rec.in_force(m)) for m in range(hind_end + 1, last + 1)}
    tags = np.arange(n_particles)
    next_tag = n_particles

    def kernel(w: np.ndarray) -> np.ndarray:
        """The random walk's sds: the ensemble's weighted spread before resampling."""
        free = np.array([prior.to_free(p) for p in params]).reshape(n_particles, -1)
        mean = w @ free
        spread = np.sqrt(np.maximum(w @ (free - mean) ** 2, 0.0))
        d = max(len(prior.cal), 1)
        return scale * 2.38 / math.sqrt(d) * np.maximum(spread, 0.1 * prior.free_sd)

    def move(
        states: list[ModelState],
        ll: np.ndarray,
        steps: np.ndarray,
        until: int,
        seen: Sequence[Any],
        keys: tuple[int, ...],
        temper: float = 1.0,
        kde: float = 0.0,
    ) -> tuple[float | None, int]:
        """Metropolis-Hastings iterations on every particle, in place.

        The target is ``prior(theta; kde) * p(x | theta) * L(seen | x) ** temper`` (``ll``
        holds each particle's untempered log-likelihood). Returns the acceptance and the
        number of iterations.
        """
        nonlocal next_tag
        accepted = tried = it = 0
        factor = 1.0
        while it < moves or (_ess_tags(tags) < target * n_particles and it < max_moves):
            rng = np.random.default_rng(_stream(root, *keys, _MOVE, it))
            z_step = min(1.0, factor * math.sqrt(1.0 - rho * rho))
            rho_it = math.sqrt(1.0 - z_step * z_step)
            proposals = [prior.propose(p, factor * steps, rho_it, rng) for p in params]
            u = np.random.default_rng(_stream(root, *keys, _ACCEPT, it)).random(n_particles)
            live = [k for k in range(n_particles) if proposals[k] is not None]
            live = [k for k in live if math.isfinite(prior.log_prior(proposals[k], kde))]
            tried += n_particles
            checks = tuple((mm, expect[mm]) for mm in range(hind_end + 1, until + 1))
            sims = run_all(
                [
                    _Job(base, proposals[k], _stream(root, *keys, _MOVE, it, k), None, until,
                         checks)
                    for k in live
                ]
            )  # fmt: skip
            here = 0
            for k, (s, ok) in zip(live, sims, strict=True):
                new = loglik(s, seen) if ok else -math.inf
                ratio = (
                    temper * (new - ll[k])
                    + prior.log_prior(proposals[k], kde)
                    - prior.log_prior(params[k], kde)
                )
                if math.log(max(u[k], 1e-300)) < ratio:
                    states[k], params[k], ll[k] = s, proposals[k], new
                    tags[k] = next_tag
                    next_tag += 1
                    here += 1
            accepted += here
            # the next iteration's kernel is adapted on this one's acceptance (each
            # iteration's kernel is fixed while it runs, so each leaves the target invariant)
            rate = here / n_particles
            if rate < 0.15:
                factor *= 0.6
            elif rate > 0.5:
                factor *= 1.4
            it += 1
        return (accepted / tried if tried else None), it

    def resample(w: np.ndarray, states: list, ll: np.ndarray, key: tuple[int, ...]):
        nonlocal params, tags
        idx = systematic_resample(w, np.random.default_rng(_stream(root, _RESAMPLE, *key)))
        params = [dict(params[i]) for i in idx]
        tags = tags[idx]
        return [states[i] for i in idx], ll[idx]

    try:
        states = [
            s
            for s, _ in run_all(
                [_Job(base, params[k], tasks[k].seed, None, hind_end) for k in range(n_particles)]
            )
        ]
        ll = np.zeros(n_particles)
        # ---- the history: tempered from the calibration's kernel density to the priors' box
        stages: list[dict[str, Any]] = []
        kde_weight = 1.0 if not hist or prior.kde is None else 0.0
        if hist:
            ll = np.array([loglik(s, hist) for s in states])
            phi = 0.0
            stage = 0
            while phi < 1.0:
                # the incremental weight: log L + log p0 - log q (the Jacobians cancel)
                logq = np.array([prior.log_kde(p) for p in params])
                gain = np.where(np.isfinite(ll), ll, -1e300) - logq
                nxt = _next_temperature(gain, phi, target)
                lw = (nxt - phi) * gain
                w = np.exp(lw - lw.max())
                w = w / w.sum()
                before = ess(w)
                steps = kernel(w)
                states, ll = resample(w, states, ll, (_HISTORY, stage))
                phi = nxt
                acc, its = move(
                    states, ll, steps, hind_end, hist, (_HISTORY, stage), phi, 1.0 - phi
                )
                stages.append(
                    {
                        "stage": stage,
                        "temperature": phi,
                        "ess": before,
                        "acceptance": acc,
                        "iterations": its,
                        "ess_after": _ess_tags(tags),
                        "distinct": len(np.unique(tags)),
                    }
                )
                if progress:
                    progress({"history": True, **stages[-1]})
                stage += 1
        logw = np.zeros(n_particles)
        diagnostics: list[dict[str, Any]] = []
        for m in range(hind_end + 1, last + 1):
            stepped = [
                _simulate(
                    _Job(
                        base, params[k], _stream(root, _STEP, m, k), states[k], m,
                        ((m, expect[m]),),
                    )
                )
                for k in range(n_particles)
            ]  # fmt: skip
            states = [s for s, _ in stepped]
            agree = np.array([ok for _, ok in stepped])
            figs = [f for f in rec.figures if f.month == m]
            entry: dict[str, Any] = {
                "month": format_month(m),
                "figures": [f"{f.observable}={f.value:g}±{f.sd:g}" for f in figs],
                "measures": _measures_on(states),
                "contradicted": int((~agree).sum()),
            }
            if not figs and agree.all():
                w = np.exp(logw - logw.max())
                entry.update(ess=ess(w), ess_share=ess(w) / n_particles, acceptance=None)
                diagnostics.append(entry)
                if progress:
                    progress(entry)
                continue
            inc = np.array([loglik(s, figs) for s in states])
            inc[~agree] = -np.inf
            ll = ll + inc
            logw = logw + inc
            if not np.isfinite(logw).any():
                logw = np.zeros(n_particles)
            w = np.exp(logw - logw.max())
            w = w / w.sum()
            before = ess(w)
            steps = kernel(w)
            states, ll = resample(w, states, ll, (m,))
            logw = np.zeros(n_particles)
            seen = [*hist, *(f for f in rec.figures if f.month <= m)]
            acc, its = move(states, ll, steps, m, seen, (m,), 1.0, kde_weight)
            _, counts = np.unique(tags, return_counts=True)
            entry.update(
                measures=_measures_on(states),
                ess=before,
                ess_share=before / n_particles,
                acceptance=acc,
                ess_after=_ess_tags(tags),
                distinct=len(counts),
                iterations=its,
            )
            diagnostics.append(entry)
            if progress:
                progress(entry)
    finally:
        if pool is not None:
            pool.shutdown()
    w = np.exp(logw - logw.max())
    calib = load_calibration()
    manifest = {
        "format": PRESENT_FORMAT,
        "version": PRESENT_VERSION,
        "through": format_month(last),
        "record_last_month": format_month(rec.last_month),
        "start": format_month(plan.spec.inputs.start),
        "hindcast": HINDCAST,
        "hindcast_end": format_month(hind_end),
        "seed": root,
        "particles": n_particles,
        "calibration": calibration_id(calib) if calib else None,
        "settings": {
            "moves": moves,
            "max_moves": max_moves,
            "target": target,
            "scale": scale,
            "rho": rho,
            "workers": workers,
        },
        "moved": prior.moved,
        "history": {
            "figures": [
                {
                    "figure": f.label,
                    "outcome": f.observable,
                    "month": format_month(f.month),
                    "value": f.value,
                    "sd": f.sd,
                }
                for f in hist
            ],
            "prior_after": "calibration priors (uniform box)"
            if hist and prior.kde is not None
            else "calibration posterior's kernel density",
            "stages": stages,
        },
        "imposed": list(imp.notes),
        "election": imp.election,
        "not_imposed": list(imp.not_imposed),
        "diagnostics": diagnostics,
    }
    return Present(
        through=format_month(last),
        states=states,
        parameters=params,
        weights=w / w.sum(),
        loglik=ll,
        diagnostics=diagnostics,
        manifest=manifest,
    )


# ---------------------------------------------------------------------- files
def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def save_present(present: Present, out: str | Path) -> Path:
    """Write the ensemble to a new folder (``manifest.json`` last; renamed into place).

    Raises:
        InputError: ``out`` exists already.
    """
    out = Path(out)
    if out.exists() or out.is_symlink():
        raise InputError("exists already", file=str(out), key="--out", expected="a new folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (tmp / "states").mkdir()
        rows = []
        for k, s in enumerate(present.states):
            name = f"states/p{k:05d}.npz"
            s.save(tmp / name)
            rows.append(
                {
                    "index": k,
                    "state": name,
                    "weight": float(present.weights[k]),
                    "loglik": float(present.loglik[k]),
                    "parameters": {n: _plain(v) for n, v in present.parameters[k].items()},
                }
            )
        atomic_write_json(tmp / "particles.json", {"particles": rows})
        manifest = {**present.manifest, "files": {"particles": "particles.json"}}
        atomic_write_json(tmp / "manifest.json", manifest)
        publish(tmp, directory=True)
        publish(tmp / "states", directory=True)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    present.path = out
    return out


def load_present(folder: str | Path) -> Present:
    """Read a present ensemble written by :func:`save_present`.

    Raises:
        InputError: Not such a folder, or of another version.
    """
    folder = Path(folder)
    expected = f"a folder written by rift nowcast (format {PRESENT_FORMAT} {PRESENT_VERSION})"
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        rows = json.loads((folder / "particles.json").read_text(encoding="utf-8"))["particles"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"cannot read it ({type(exc).__name__})", file=str(folder), expected=expected
        ) from None
    if manifest.get("format") != PRESENT_FORMAT or manifest.get("version") != PRESENT_VERSION:
        raise InputError("not a present ensemble of this version", file=str(path),
                         expected=expected)  # fmt: skip
    return Present(
        through=manifest["through"],
        states=[ModelState.load(folder / r["state"]) for r in rows],
        parameters=[dict(r["parameters"]) for r in rows],
        weights=np.array([r["weight"] for r in rows], float),
        loglik=np.array([r["loglik"] for r in rows], float),
        diagnostics=list(manifest["diagnostics"]),
        manifest=manifest,
        path=folder,
    )
