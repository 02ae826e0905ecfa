"""The Colombian president's approval target: a honeymoon, security and the US measures' cost.

Approval relaxes toward a target (``col.approval_adjust_per_yr``) and takes a monthly shock
(``col.approval.noise_sd``, stream ``approval``). With a constant target (``col.approval_base``
alone) every run's approval ends at that constant whatever the run did: the 2026 winner's
approval in 2030 did not depend on the world. The target here moves with the run::

    target = base + honeymoon * exp(-months_in_office / honeymoon_months)
                  - security_weight * control_gain - econ_weight * cost / cost_reference

``control_gain`` is the change in the share of municipalities under armed-group control since
the president took office (the model's proxy for the security record), ``cost`` what the US
measures in force cost Colombia a year (tariffs and aid lost, after China's offsets). The
coefficients are bounded on ``rift/data/elections/approval.csv`` where it can (the honeymoon
and its decay, the shocks: in-sample, Petro's term only) and wide priors where it cannot.
Pure Python.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ApprovalParams:
    """The approval coefficients (registry ``col.approval.*``)."""

    honeymoon: float
    honeymoon_months: float
    security_weight: float
    econ_weight: float
    noise_sd: float
    cost_reference: float

    @classmethod
    def from_mapping(cls, p: Mapping[str, Any]) -> ApprovalParams:
        """Read the coefficients from a parameter set."""
        return cls(
            honeymoon=float(p["col.approval.honeymoon"]),
            honeymoon_months=float(p["col.approval.honeymoon_months"]),
            security_weight=float(p["col.approval.security_weight"]),
            econ_weight=float(p["col.approval.econ_weight"]),
            noise_sd=float(p["col.approval.noise_sd"]),
            cost_reference=float(p["col.concession.cost_reference_busd"]),
        )


def approval_target(
    params: ApprovalParams,
    *,
    base: float,
    months_in_office: int,
    control_gain: float,
    cost: float,
) -> float:
    """The approval the president's approval relaxes toward this month (not clipped).

    Args:
        params: The coefficients.
        base: The post-honeymoon approval of a president with a neutral record.
        months_in_office: Months since the inauguration (0 in its month).
        control_gain: Change in the share of municipalities under armed control since then.
        cost: The cost of the US measures in force to Colombia (USD bn a year).
    """
    honeymoon = params.honeymoon * math.exp(-max(0, months_in_office) / params.honeymoon_months)
    econ = params.econ_weight * cost / params.cost_reference
    return base + honeymoon - params.security_weight * control_gain - econ
