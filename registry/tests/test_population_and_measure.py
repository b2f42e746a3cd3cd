"""The reference population (deterministic, varied) and the comparison of two runs."""

from __future__ import annotations

import numpy as np
from registry_test_partners import departement, national

from mesaides.core import Engine
from mesaides.registry.measure import compare, compress, decompress, run_reference
from mesaides.registry.population import reference_population


def test_the_reference_population_is_deterministic_and_varied(deployment):
    rules = deployment.rules(national())
    a = reference_population(rules, "2026-11", households=800)
    b = reference_population(rules, "2026-11", households=800)
    assert a.situation == b.situation and a.version == b.version == "households-v1-n800-seed20261-2026-11"
    assert len(a.situation["familles"]) == len(a.situation["menages"]) == 800
    assert len(a.household_of["individu"]) == len(a.situation["individus"])

    communes = [m["depcom"]["2026"] for m in a.situation["menages"].values()]
    assert sum(c.startswith("59") for c in communes) > 100  # the Nord
    assert sum(c in ("69123", "69266", "69259") for c in communes) > 100  # the Métropole de Lyon
    assert communes.count("75056") > 50  # Paris
    sizes = [len(f["parents"]) + len(f["enfants"]) for f in a.situation["familles"].values()]
    assert set(sizes) >= {1, 2, 3, 4, 5}
    single_parents = [f for f in a.situation["familles"].values() if len(f["parents"]) == 1 and f["enfants"]]
    assert len(single_parents) > 50
    housing = {m["statut_occupation_logement"]["2026"] for m in a.situation["menages"].values()}
    assert housing == {"locataire_hlm", "locataire_vide", "locataire_meuble", "proprietaire", "loge_gratuitement"}
    wages = [p["salaire_net"]["2026"] / 12 for p in a.situation["individus"].values() if "salaire_net" in p]
    assert min(wages) < 500 < 1500 < max(wages)
    # Only declared Parameters are filled in: nat_statut_special is the partner's, left to its default.
    assert not any("nat_statut_special" in p for p in a.situation["individus"].values())
    assert reference_population(rules, "2026-11", households=800, seed=1).situation != a.situation


def test_results_per_household(deployment):
    rules = deployment.rules(national(), departement())
    population = reference_population(rules, "2026-11", households=200)
    run = run_reference(Engine(rules), population, ["minimum_test", "dep_bonus"])
    assert run.errors == {}
    assert run.values["minimum_test"].shape == (200,)
    # dep_bonus is per person: 150 € for every member of a Nord famille receiving minimum_test.
    dep = run.values["dep_bonus"]
    assert set(np.unique(dep % 150)) == {0.0} and dep.max() >= 300


def test_compare_counts_gains_losses_and_amount_changes():
    old = np.array([0.0, 100.0, 100.0, 50.0, 0.0])
    new = np.array([80.0, 0.0, 130.0, 50.0, 0.0])
    m = compare(old, new, 5)
    assert (m.gained, m.lost, m.changed) == (1, 1, 3)
    assert m.mean_change == round((80 - 100 + 30) / 3, 2)
    assert (m.largest_increase, m.largest_decrease) == (80.0, -100.0)
    added = compare(None, new, 5)
    assert (added.gained, added.lost) == (3, 0)


def test_results_are_stored_compressed():
    values = np.round(np.random.default_rng(1).uniform(0, 900, 3000), 2)
    blob = compress(values)
    assert len(blob) < values.nbytes
    assert np.array_equal(decompress(blob), values)
