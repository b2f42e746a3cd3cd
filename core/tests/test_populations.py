"""Populations as Parquet: the generator, the reader's errors, the computation on Dask (a real
``LocalCluster`` and a real ``dask scheduler`` with two ``dask worker`` processes) against the
single-process computation, and the comparison of two rule sets."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mesaides.core import Engine, Period
from mesaides.core.geography import departements, epcis, regions
from mesaides.core.populations.compare import compare
from mesaides.core.populations.compute import load_rules_on, local_cluster, run
from mesaides.core.populations.generator import generate
from mesaides.core.populations.schema import PopulationFileError, open_dataset, partition_from_tables, read_partition

PERIOD = Period.parse("2026-11")
REFERENCE_DATE = dt.date(2026, 11, 1)
ROOT = Path(__file__).resolve().parents[2]
MESAIDES = [sys.executable, "-m", "mesaides.core.cli_main"]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


@pytest.fixture(scope="module")
def aides(engine: Engine) -> list[str]:
    found = [a for a in engine.rules.aides if a not in engine.rules.unavailable]
    if not found:  # the core's own session: no partner installed beside it
        pytest.skip("no partner installed: nothing to compute")
    return found


def needs(engine: Engine, *names: str) -> None:
    """Skip where the partners computing ``names`` are not installed (the core's own session)."""
    missing = [n for n in names if n not in engine.rules.aides or n in engine.rules.unavailable]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)}")


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> Path:
    """3,000 households in 4 partitions."""
    path = tmp_path_factory.mktemp("population") / "pop"
    generate(path, 3000, engine.rules, seed=7, reference_date=REFERENCE_DATE, per_partition=800)
    return path


@pytest.fixture(scope="module")
def on_local_cluster(population: Path, aides: list[str]) -> Path:
    """The population computed on a real LocalCluster of 2 worker processes."""
    from distributed import Client

    with local_cluster(2) as cluster, Client(cluster) as client:
        done = run(population, aides, PERIOD, client, name="cluster")
    assert not done.summary.errors
    assert done.summary.households == 3000
    return done.folder


def _results(folder: Path) -> pa.Table:
    return pa.concat_tables([pq.read_table(f) for f in sorted(folder.glob("part-*.parquet"))])


# ---- the generator ------------------------------------------------------------------------------


def test_the_generator_is_deterministic_and_covers_every_partner_territory(tmp_path, engine):
    a, b = tmp_path / "a", tmp_path / "b"
    generated = generate(a, 2000, engine.rules, seed=3, reference_date=REFERENCE_DATE, per_partition=600)
    generate(b, 2000, engine.rules, seed=3, reference_date=REFERENCE_DATE, per_partition=600)
    assert generated.partitions == 4
    for part in open_dataset(a).partitions:
        for table in ("individus", "familles", "foyers_fiscaux", "menages"):
            assert pq.read_table(a / part / f"{table}.parquet").equals(pq.read_table(b / part / f"{table}.parquet"))
    menages = pa.concat_tables([pq.read_table(a / p / "menages.parquet") for p in open_dataset(a).partitions])
    depcom = np.asarray(menages.column("depcom").to_numpy(zero_copy_only=False), dtype=object)
    assert menages.num_rows == 2000
    # The installed territorial partners' territories, read from their formulas, each hold households.
    codes = {(t.level, t.code) for t in generated.territories}
    if {"revenu_solidaire_jeune", "nord_activ_emploi_maximum", "hauts_de_france_aide_permis"} <= set(
        engine.rules.aides
    ):
        assert {("epci", "200046977"), ("departement", "59"), ("region", "32")} <= codes
        assert (epcis(depcom) == "200046977").sum() >= 40
        assert (departements(depcom) == "59").sum() >= 40
        assert (regions(depcom) == "32").sum() >= 40
    assert (departements(depcom) == "974").sum() > 0  # overseas
    # Every installed territorial partner, Python or declarative, has households where it grants.
    partners = {t.partner for t in generated.territories}
    assert partners == {d for d, p in engine.rules.partners.items() if p.scope == "territorial"}
    for partner in partners:
        communes = [c for t in generated.territories if t.partner == partner for c in t.communes()]
        assert np.isin(depcom, communes).sum() >= 20, partner
    persons = pa.concat_tables([pq.read_table(a / p / "individus.parquet") for p in open_dataset(a).partitions])
    size = np.bincount(persons.column("household").to_numpy())
    assert 0.30 < np.mean(size == 1) < 0.46  # about 37 % + 4 % of people alone (INSEE)
    assert 2.0 < size.mean() < 2.5  # France: 2.2 persons per household
    other = tmp_path / "c"
    generate(other, 2000, engine.rules, seed=4, reference_date=REFERENCE_DATE, per_partition=600)
    assert not pq.read_table(other / "part-00000/individus.parquet").equals(
        pq.read_table(a / "part-00000/individus.parquet")
    )


def test_the_test_households_come_from_the_same_generator(engine):
    from mesaides.core.populations.generator import households
    from mesaides.core.testing.households import generate as test_households

    population = test_households(500, PERIOD, rules=engine.rules, seed=2, months=36)
    same = households(500, engine.rules, PERIOD, seed=2).population
    assert population.n_persons == same.n_persons
    for name, by_period in same.inputs.items():
        for p, values in by_period.items():
            assert np.array_equal(population.inputs[name][p], values), name


# ---- the Dask computation -----------------------------------------------------------------------


def test_a_local_cluster_gives_to_the_cent_what_one_process_gives(population, on_local_cluster, engine, aides):
    dataset = open_dataset(population)
    whole = read_partition([population / p for p in dataset.partitions], engine.rules, PERIOD, dataset.months)
    values = engine.compute_arrays(whole.population, aides, PERIOD, part_size=None)
    results = _results(on_local_cluster)
    assert np.array_equal(results.column("household").to_numpy(), whole.households)
    granted = 0
    for name in aides:
        entity = engine.rules.aides[name].entity.key
        expected = np.bincount(
            whole.household_of[entity], weights=values[name].astype(float), minlength=whole.households.size
        ).round(2)
        assert np.array_equal(results.column(name).to_numpy(), expected), name
        granted += np.count_nonzero(expected) > 0
    assert granted >= 0.75 * len(aides)  # most aides are granted to someone: the comparison is not of zeros


def test_a_dask_scheduler_and_two_workers_started_apart(population, on_local_cluster, tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-dashboard",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers = []
    try:
        _wait_for_port(port)
        for k in range(2):
            workers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "distributed.cli.dask_worker",
                        address,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--name",
                        f"test-worker-{k}",
                        "--local-directory",
                        str(tmp_path / f"worker-{k}"),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            assert len(client.scheduler_info()["workers"]) == 2
            # Workers started by hand run Dask's profiler, whose history grew ~10 MB a partition,
            # and map every new array afresh.
            assert _profiler_callbacks(client) == {("profile", "profile-cycle")}
            mapped = _page_faults_of_new_arrays(client)
        done = subprocess.run(
            [
                *MESAIDES,
                "population",
                "compute",
                str(population),
                "--period",
                "2026-11",
                "--scheduler",
                address,
                "--name",
                "remote",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert "rsa" in done.stdout
        remote = _results(population / "results" / "remote")
        assert remote.equals(_results(on_local_cluster))
        with Client(address, timeout="30s") as client:
            assert _profiler_callbacks(client) == {()}  # stopped by the rules' plugin
            assert _page_faults_of_new_arrays(client) * 10 < mapped
    finally:
        for process in [*workers, scheduler]:
            process.terminate()
        for process in [*workers, scheduler]:
            process.wait(timeout=30)


def _profiler_callbacks(client) -> set[tuple[str, ...]]:
    """The profiler's periodic callbacks on each worker (a lambda: sent by value to the workers)."""
    found = client.run(lambda dask_worker: tuple(sorted(n for n in dask_worker.periodic_callbacks if "profile" in n)))
    return set(found.values())


def test_local_workers_start_without_dasks_profiler():
    """Its history of stack samples made a worker grow by about 10 MB a partition: a local
    cluster's workers start without it."""
    from distributed import Client

    with local_cluster(1) as cluster, Client(cluster) as client:
        assert _profiler_callbacks(client) == {()}


def _page_faults_of_new_arrays(client) -> int:
    """Minor page faults while making and dropping 50 arrays of 16 MB, on each worker of
    ``client``: hundreds for each array when glibc maps every array afresh, a few in all when it
    reuses the heap (the most of any worker)."""

    def count() -> int:  # nested: sent by value, as workers cannot import the tests
        import resource

        import numpy as np

        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(50):
            array = np.ones(2_000_000)
            del array
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

    return max(client.run(count).values())


def test_workers_keep_the_engines_arrays_on_the_heap_once_the_rules_are_loaded():
    """Dask starts its workers with glibc settings that map every array afresh (the engine
    computed three times slower); the rules' plugin changes them on each worker."""
    from distributed import Client

    from mesaides.core.populations.sources import RuleSource

    with local_cluster(1) as cluster, Client(cluster) as client:
        mapped = _page_faults_of_new_arrays(client)
        load_rules_on(client, RuleSource())
        on_the_heap = _page_faults_of_new_arrays(client)
        assert on_the_heap * 10 < mapped


def test_compare_a_candidate_partner_with_the_installed_one(population, on_local_cluster, tmp_path):
    candidate = tmp_path / "partner_nord"
    shutil.copytree(ROOT / "plugins/partner_nord", candidate, ignore=shutil.ignore_patterns("tests", "*.egg-info"))
    law = candidate / "src/mesaides/partner_nord/legislation/nord.yaml"
    text = law.read_text(encoding="utf-8")
    reference = "      ref: https://lenord.fr/jcms/prd1_608417/activ-emploi\n"
    assert reference in text
    law.write_text(
        text.replace(reference, reference + "    - from: 2026-01-01\n      value: 300\n" + reference, 1),
        encoding="utf-8",
    )
    charts = tmp_path / "charts"
    done = subprocess.run(
        [
            *MESAIDES,
            *("population", "compare", str(population), "--period", "2026-11", "--candidate", str(candidate)),
            *("--workers", "2", "--charts", str(charts), "--aides", "nord_activ_emploi_maximum,rsa"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    base = _results(population / "results" / "base")
    after = _results(population / "results" / "candidate")
    # The base is the installed rules: as on the local cluster.
    assert np.array_equal(base.column("rsa").to_numpy(), _results(on_local_cluster).column("rsa").to_numpy())
    before_amount = base.column("nord_activ_emploi_maximum").to_numpy()
    after_amount = after.column("nord_activ_emploi_maximum").to_numpy()
    assert np.count_nonzero(before_amount) > 10
    # 150 € a year in the law in force, 300 € in the candidate: every beneficiary's amount doubles.
    assert set(np.unique(before_amount[before_amount > 0]) % 150) == {0}
    assert np.array_equal(after_amount, before_amount * 2)
    assert np.array_equal(after.column("rsa").to_numpy(), base.column("rsa").to_numpy())
    comparison = compare(population)
    nord = next(a for a in comparison.aides if a.aide == "nord_activ_emploi_maximum")
    weight = base.column("weight").to_numpy()
    assert nord.cost_change == pytest.approx(float(before_amount @ weight))
    assert nord.gaining == pytest.approx(float(weight[before_amount > 0].sum()))
    assert nord.losing == 0
    assert set(comparison.by_departement) == {"59"}
    assert "nord_activ_emploi_maximum" in done.stdout
    for chart in ("cost_by_aide.png", "households.png", "cost_by_departement.png"):
        assert (charts / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---- bad files ----------------------------------------------------------------------------------


def _copy_with(population: Path, tmp_path: Path, table: str, change) -> Path:
    copy = tmp_path / "bad"
    shutil.copytree(population, copy, ignore=shutil.ignore_patterns("results"))
    path = copy / "part-00000" / f"{table}.parquet"
    pq.write_table(change(pq.read_table(path)), path)
    return copy


def _replace(name: str, array: pa.Array):
    def change(table: pa.Table) -> pa.Table:
        return table.set_column(table.column_names.index(name), name, array)

    return change


@pytest.mark.parametrize(
    ("table", "change", "column", "problem"),
    [
        ("individus", lambda t: t.drop_columns(["household"]), "household", "missing: this column is required"),
        (
            "individus",
            lambda t: t.rename_columns([c if c != "salaire_net" else "salaire_nett" for c in t.column_names]),
            "salaire_nett",
            "not a Parameter of the installed rules (did you mean salaire_net?)",
        ),
        (
            "individus",
            lambda t: _replace("famille_role", pa.array(["parent"] * t.num_rows))(t),
            "famille_role",
            "unknown role 'parent' of famille (did you mean parents?): one of parents, enfants",
        ),
        (
            "individus",
            lambda t: _replace("activite", pa.array(["salarie"] * t.num_rows))(t),
            "activite",
            "unknown value 'salarie'",
        ),
        (
            "individus",
            lambda t: _replace("salaire_net", pa.array([float("nan")] * t.num_rows))(t),
            "salaire_net",
            "row 0: nan is out of range",
        ),
        (
            "individus",
            lambda t: _replace("salaire_net", pa.array(["1500"] * t.num_rows))(t),
            "salaire_net",
            "expected numbers (a float Parameter), got string",
        ),
        (
            "individus",
            lambda t: _replace("date_naissance", pa.array([None] * t.num_rows, pa.date32()))(t),
            "date_naissance",
            "row 0 is empty: every row needs a value",
        ),
        (
            "individus",
            lambda t: _replace("famille_role", pa.array(["parents"] * t.num_rows))(t),
            "famille_role",
            "at most 2 parents, got more",
        ),
        (
            "menages",
            lambda t: t.append_column("age", pa.array([30] * t.num_rows)),
            "age",
            "age is computed by the rules, not an input: leave it out",
        ),
        (
            "menages",
            lambda t: t.append_column("salaire_net", pa.array([1.0] * t.num_rows)),
            "salaire_net",
            "salaire_net is a variable of individu: put it in individus.parquet",
        ),
    ],
)
def test_a_bad_file_names_the_column_and_the_problem(population, tmp_path, engine, table, change, column, problem):
    bad = _copy_with(population, tmp_path, table, change)
    with pytest.raises(PopulationFileError) as raised:
        read_partition(bad / "part-00000", engine.rules, PERIOD)
    assert raised.value.column == column
    assert problem in raised.value.problem
    assert f"{table}.parquet" in raised.value.file


def test_text_columns_plain_dictionary_encoded_or_in_several_chunks_read_alike(population, engine):
    """Roles and enum values are read through Arrow's dictionaries: a dictionary listing a value
    no row uses is not an error, and chunks with dictionaries of their own read as one column."""
    folder = population / "part-00000"
    plain = read_partition(folder, engine.rules, PERIOD)
    persons = pq.read_table(folder / "individus.parquet")
    half = persons.num_rows // 2
    for name in ("activite", "famille_role", "menage_role"):
        column = persons.column(name).cast(pa.string()).combine_chunks()
        chunks = [column.slice(0, half).dictionary_encode(), column.slice(half).dictionary_encode()]
        # The first chunk's dictionary lists an unknown value that no row holds.
        first = pa.DictionaryArray.from_arrays(
            chunks[0].indices, pa.array([*chunks[0].dictionary.to_pylist(), "salarie"])
        )
        encoded = pa.chunked_array([first, chunks[1]])
        assert encoded.num_chunks == 2
        persons = persons.set_column(persons.column_names.index(name), name, encoded)
    tables = {"individu": persons}
    for entity, plural in (("famille", "familles"), ("foyer_fiscal", "foyers_fiscaux"), ("menage", "menages")):
        path = folder / f"{plural}.parquet"
        tables[entity] = pq.read_table(path) if path.exists() else None
    encoded_partition = partition_from_tables(tables, engine.rules, PERIOD)
    month = PERIOD.first_month
    assert np.array_equal(
        encoded_partition.population.inputs["activite"][month], plain.population.inputs["activite"][month]
    )
    for entity in ("famille", "menage"):
        assert np.array_equal(
            encoded_partition.population.groups[entity].person_role, plain.population.groups[entity].person_role
        )


def test_not_parquet_and_not_a_population(tmp_path, engine):
    with pytest.raises(PopulationFileError, match="not a folder"):
        open_dataset(tmp_path / "nowhere")
    with pytest.raises(PopulationFileError, match="no partition"):
        open_dataset(tmp_path)
    (tmp_path / "part-00000").mkdir()
    (tmp_path / "part-00000" / "individus.parquet").write_text("household,famille\n1,1\n")
    with pytest.raises(PopulationFileError, match="not a readable Parquet file"):
        read_partition(tmp_path / "part-00000", engine.rules, PERIOD)


def test_the_command_reports_a_bad_file_from_a_worker_without_a_traceback(population, tmp_path, engine):
    needs(engine, "rsa")
    bad = _copy_with(
        population, tmp_path, "individus", lambda t: _replace("activite", pa.array(["salarie"] * t.num_rows))(t)
    )
    done = subprocess.run(
        [*MESAIDES, "population", "compute", str(bad), "--period", "2026-11", "--workers", "1", "--aides", "rsa"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert "individus.parquet: column 'activite': unknown value 'salarie'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("when", ["while the cluster starts", "while computing"])
def test_ctrl_c_stops_the_computation_cleanly(tmp_path, engine, aides, when):
    path = tmp_path / "pop"
    generate(path, 20_000, engine.rules, seed=1, reference_date=REFERENCE_DATE, per_partition=500)
    process = subprocess.Popen(
        [*MESAIDES, "population", "compute", str(path), "--period", "2026-11", "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stderr is not None
    assert process.stderr.readline() == "starting a local Dask cluster of 1 workers\n"
    if when == "while the cluster starts":
        # Ignored while the worker processes start (none dies half-started), then heard again.
        time.sleep(0.3)
        os.killpg(process.pid, signal.SIGINT)
    assert re.match(r"computing \d+ aides", process.stderr.readline())  # the cluster has started
    time.sleep(2)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "interrupted: the cluster stopped" in stderr
    assert "Traceback" not in stderr
    assert len(list((path / "results" / "base").glob("part-*.parquet"))) < 40  # stopped before the end
    assert not list(path.rglob("*.tmp"))  # no half-written file


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"the scheduler did not listen on {port}")


def test_an_empty_group_table_and_a_group_missing_from_it(population, tmp_path, engine):
    bad = _copy_with(population, tmp_path, "menages", lambda t: t.slice(0, 0))
    with pytest.raises(PopulationFileError) as raised:
        read_partition(bad / "part-00000", engine.rules, PERIOD)
    assert (raised.value.column, raised.value.problem) == (
        "id",
        "no menage, while individus.parquet places its persons in some",
    )
    shutil.rmtree(bad)
    bad = _copy_with(population, tmp_path, "menages", lambda t: t.slice(1))
    with pytest.raises(PopulationFileError) as raised:
        read_partition(bad / "part-00000", engine.rules, PERIOD)
    assert raised.value.column == "menage"
    assert raised.value.problem == "row 0: menage 0 is not in menages.parquet"


def test_the_command_says_a_missing_population_before_starting_a_cluster(tmp_path):
    done = subprocess.run(
        [*MESAIDES, "population", "compute", str(tmp_path / "nowhere"), "--period", "2026-11"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr == f"Error: {tmp_path / 'nowhere'}: not a folder: a population is a folder of part-* folders\n"
