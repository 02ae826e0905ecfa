"""The catalogue of outcomes recorded every month of every run (DESIGN §2).

Names, units and labels live here so that the scenario language, the model, the results store
and the figures agree on them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """An outcome series: name, unit, a label for figures, and its kind.

    Kinds: ``count`` (municipalities, 0..N), ``share`` and ``index`` (0..1), ``amount``
    (non-negative quantity), ``code`` (a category as a number), ``level`` (a ladder rung).
    """

    name: str
    unit: str
    label: str
    kind: str


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("presence_any", "municipalities", "Municipalities with armed presence", "count"),
    Outcome("presence_egc", "municipalities", "Municipalities with EGC presence", "count"),
    Outcome("presence_eln", "municipalities", "Municipalities with ELN presence", "count"),
    Outcome(
        "presence_dissidents", "municipalities", "Municipalities with dissident presence", "count"
    ),
    Outcome("control_any", "municipalities", "Municipalities under armed control", "count"),
    Outcome("control_egc", "municipalities", "Municipalities controlled by EGC", "count"),
    Outcome("control_eln", "municipalities", "Municipalities controlled by ELN", "count"),
    Outcome(
        "control_dissidents", "municipalities", "Municipalities controlled by dissidents", "count"
    ),
    Outcome("contested", "municipalities", "Contested municipalities", "count"),
    Outcome("coca_ha", "ha", "Coca cultivation", "amount"),
    Outcome("cocaine_t", "t/yr", "Potential cocaine output", "amount"),
    Outcome("members_egc", "persons", "EGC members", "amount"),
    Outcome("members_eln", "persons", "ELN members", "amount"),
    Outcome("members_dissidents", "persons", "FARC-dissident members", "amount"),
    Outcome("members_total", "persons", "Armed-group members", "amount"),
    Outcome("armed_revenue_musd", "USD million/yr", "Armed-group rent", "amount"),
    Outcome("cooperation_index", "index 0-1", "Cooperation index", "index"),
    Outcome("us_security_aid_musd", "USD million/yr", "US security aid", "amount"),
    Outcome("us_civil_aid_musd", "USD million/yr", "US civil aid", "amount"),
    Outcome("intel_sharing", "share 0-1", "US intelligence sharing", "share"),
    Outcome("certification", "0 decert, 1 waiver, 2 certified", "US certification", "code"),
    Outcome("us_escalation", "rungs 0-8", "US escalation ladder", "level"),
    Outcome("us_hostility", "index 0-1", "US hostility", "index"),
    Outcome("col_hostility", "index 0-1", "Colombian hostility", "index"),
    Outcome("extraditions", "persons/month", "Extraditions", "amount"),
    Outcome("eradication_ha", "ha/month", "Forced eradication", "amount"),
    Outcome("posture", "0 Paz Total - 1 offensive", "Security posture", "index"),
    Outcome("capability", "index, 1 = start", "Security-force capability", "amount"),
    Outcome("intel_quality", "index 0-1", "Intelligence quality", "index"),
    Outcome("displacement_new", "persons/month", "New displacement", "amount"),
    Outcome("displacement_cum", "persons", "Displacement since start", "amount"),
    Outcome("china_engagement", "index 0-1", "China engagement", "index"),
    Outcome("approval", "share 0-1", "Presidential approval", "share"),
    Outcome("president", "code", "Colombian president type", "code"),
    Outcome("rupture", "0/1", "Full rupture in force", "share"),
)

OUTCOME_NAMES: tuple[str, ...] = tuple(o.name for o in OUTCOMES)
OUTCOME_INDEX: dict[str, int] = {name: k for k, name in enumerate(OUTCOME_NAMES)}
BY_NAME: dict[str, Outcome] = {o.name: o for o in OUTCOMES}
