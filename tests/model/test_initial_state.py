"""The initial state (2025-01) matches the documents within stated tolerances."""

import numpy as np
import pytest

from rift.geography import load_geography
from rift.model import AllianceModel
from rift.model.initial import COCA_DEPARTMENTS, stronghold_mask
from rift.parameters import registry

from ..conftest import reference_value

SEEDS = range(20)
N = 1122
P = registry().resolve()


@pytest.fixture(scope="module")
def models():
    return [AllianceModel(rng=s, collect=False) for s in SEEDS]


def test_presence_by_group_matches_the_ombudsman_counts(models):
    # Tolerance: exact by construction (the placement draws exactly the reported counts).
    for m in models:
        assert m.initial["presence_egc"] == reference_value("presence_municipalities_egc", "2024")
        assert m.initial["presence_eln"] == reference_value("presence_municipalities_eln", "2024")
        assert m.initial["presence_dissidents"] == reference_value(
            "presence_municipalities_dissidents", "2023"
        )


def test_any_presence_is_three_quarters_and_control_a_third(models):
    # Seed 001: "three of every four" and "a third"; tolerance 1 % of municipalities.
    for m in models:
        assert abs(m.initial["presence_any"] / N - 0.75) <= 0.01
        assert abs(m.initial["control_any"] / N - 1 / 3) <= 0.01
        assert m.initial["control_any"] <= m.initial["presence_any"]


def test_members_match_january_2025(models):
    # Tolerance 0.5 %: members are placed exactly; rounding only.
    for m in models:
        for g in ("egc", "eln", "dissidents"):
            target = reference_value(f"members_{g}", "2025-01")
            assert m.initial[f"members_{g}"] == pytest.approx(target, rel=0.005)


def test_coca_total_and_department_shares(models):
    geo = load_geography()
    target = reference_value("coca_ha", "2023")
    shares = {k: P[f"init.coca_share.{k}"] for k in COCA_DEPARTMENTS}
    for m in models:
        coca = m.territory.coca
        assert coca.sum() == pytest.approx(target, rel=1e-9)
        for name, code in COCA_DEPARTMENTS.items():
            got = coca[geo.department_code == code].sum() / coca.sum()
            assert got == pytest.approx(shares[name], abs=1e-9)
        top4 = sum(coca[geo.department_code == c].sum() for c in ("52", "54", "86", "19"))
        assert top4 / coca.sum() == pytest.approx(
            reference_value("coca_share_top4_departments", "2019"), abs=0.005
        )
        for free in ("17", "44", "25"):  # Caldas, La Guajira, Cundinamarca: no coca (2015)
            assert coca[geo.department_code == free].sum() == 0


def test_groups_concentrate_in_their_strongholds(models):
    geo = load_geography()
    for g, name in enumerate(("egc", "eln", "dissidents")):
        mask = stronghold_mask(geo, name)
        shares = [m.territory.presence[g][mask].mean() for m in models]
        elsewhere = [m.territory.presence[g][~mask].mean() for m in models]
        assert np.mean(shares) > 2 * np.mean(elsewhere), name


def test_placement_is_spatially_clustered(models):
    geo = load_geography()
    A = geo.adjacency
    for m in models[:5]:
        present = m.territory.presence.any(axis=0).astype(float)
        nb_share = (A @ present) / np.asarray(A.sum(axis=1)).ravel()
        # Present municipalities have more present neighbours than absent ones.
        assert nb_share[present == 1].mean() > nb_share[present == 0].mean() + 0.1


def test_strength_above_the_presence_floor_where_present(models):
    floor = P["territory.presence_floor"]
    for m in models:
        s = m.territory.s[:, :N]
        assert np.all(s[m.territory.presence] >= floor)
        assert np.all(s[~m.territory.presence] == 0)


def test_placement_differs_between_seeds_but_not_within(models):
    a, b = models[0].territory.s, models[1].territory.s
    assert not np.array_equal(a, b)
    again = AllianceModel(rng=0, collect=False).territory.s
    assert np.array_equal(a, again)
