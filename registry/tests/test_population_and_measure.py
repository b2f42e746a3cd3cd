"""The reference population (deterministic, varied) and the comparison of two runs."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from registry_test_partners import departement, metropole, national

from mesaides.core import Engine
from mesaides.registry.measure import compare, compress, decompress, run_reference
from mesaides.registry.population import reference_population


def _table(population, name):
    from mesaides.core.populations.schema import open_dataset

    dataset = open_dataset(population.path)
    return pa.concat_tables([pq.read_table(population.path / p / f"{name}.parquet") for p in dataset.partitions])


def test_the_reference_population_is_deterministic_and_varied(deployment):
    rules = deployment.rules(national(), departement(), metropole())
    with (
        reference_population(rules, "2026-11", households=800) as a,
        reference_population(rules, "2026-11", households=800) as b,
    ):
        assert a.version == b.version == "france-households-v3-n800-seed20261-2026-11"
        for name in ("individus", "familles", "foyers_fiscaux", "menages"):
            assert _table(a, name).equals(_table(b, name))
        menages, persons = _table(a, "menages"), _table(a, "individus")
        assert menages.num_rows == _table(a, "familles").num_rows == 800

        communes = menages.column("depcom").to_pylist()
        # The test partners' territories, read from their formulas: the Nord (a commune code's
        # prefix) and three communes of the Métropole de Lyon, each about 4 % of the households.
        assert sum(c.startswith("59") for c in communes) > 30
        assert sum(c in ("69123", "69266", "69259") for c in communes) > 30
        assert communes.count("75056") > 40  # Paris
        sizes = np.bincount(persons.column("household").to_numpy())
        assert set(sizes) >= {1, 2, 3, 4, 5}
        parents = np.bincount(
            persons.column("household").to_numpy(),
            weights=np.array(persons.column("famille_role").to_pylist()) == "parents",
        )
        assert ((parents == 1) & (sizes > 1)).sum() > 50  # single parents
        housing = set(menages.column("statut_occupation_logement").to_pylist())
        assert housing == {"locataire_hlm", "locataire_vide", "locataire_meuble", "proprietaire", "loge_gratuitement"}
        wages = [w for w in persons.column("salaire_net").to_pylist() if w]
        assert min(wages) < 500 < 1500 < max(wages)
        # Only declared Parameters are filled in: nat_statut_special is the partner's, left to its default.
        assert "nat_statut_special" not in persons.column_names
        with reference_population(rules, "2026-11", households=800, seed=1) as other:
            assert not _table(other, "individus").equals(_table(a, "individus"))
        folder = a.path.parent
    assert not folder.exists()  # the temporary population is removed after the measurement


def test_results_per_household(deployment):
    rules = deployment.rules(national(), departement())
    with reference_population(rules, "2026-11", households=200) as population:
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


def test_on_a_dask_cluster_the_measure_is_the_same_and_other_rules_are_refused(deployment):
    from distributed import Client

    from mesaides.core.populations.compute import local_cluster

    engine = Engine()  # the installed partners: what the cluster's workers load
    aides = [a for a in engine.rules.aides if a not in engine.rules.unavailable]
    if not aides:  # the registry's own session: no partner installed beside it
        pytest.skip("no partner installed: the cluster's workers would measure nothing")
    with (
        reference_population(engine.rules, "2026-11", households=600) as population,
        local_cluster(2) as cluster,
        Client(cluster) as client,
    ):
        here = run_reference(engine, population, aides)
        there = run_reference(engine, population, aides, client=client)
        assert here.errors == there.errors == {}
        assert set(here.values) == set(there.values) == set(aides)
        for name in aides:
            assert np.array_equal(here.values[name], there.values[name]), name
        assert sum(np.count_nonzero(v) > 0 for v in here.values.values()) > len(aides) // 2
        # The registry's rules are not the workers': nothing is measured, and it says why.
        other = Engine(deployment.rules(national()))
        refused = run_reference(other, population, ["minimum_test"], client=client)
        assert refused.values == {}
        assert "the cluster's workers computed with other rules than the registry's" in refused.errors["minimum_test"]
