"""A population as a Parquet dataset, and one partition of it read into the engine's arrays.

The layout and the columns are documented for users in ``core/docs/populations.md``::

    POP/
      population.json                 what the dataset is (format, generator, households...)
      part-00000/individus.parquet    one row per person: household, groups, roles, inputs
      part-00000/familles.parquet     one row per group: id, inputs of the group (optional)
      part-00000/foyers_fiscaux.parquet
      part-00000/menages.parquet
      part-00001/...
      results/<run>/part-00000.parquet  written by ``mesaides population compute``

A partition holds whole households: the engine computes each one alone. Each input column is
named after a Parameter of the rules and holds one value per row, taken for every month of the
window that ends at the period computed (a yearly Parameter: for every year of it).

Reading checks every column against the rules and says which file, which column and what is
wrong (:class:`PopulationFileError`), never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mesaides.core.definitions import Definition, Parameter
from mesaides.core.entities import GROUP_ENTITIES, INDIVIDU, Entity
from mesaides.core.periods import ETERNITY, ETERNITY_PERIOD, MONTH, YEAR, Period
from mesaides.core.population import GroupStructure, NumberedIds, Population
from mesaides.core.ruleset import RuleSet
from mesaides.core.values import LARGEST_NUMBER, did_you_mean, domain_of, dtype_of, has_surrogate

FORMAT = "mesaides-population"
FORMAT_VERSION = 1
METADATA = "population.json"
HOUSEHOLD = "household"
"""The persons' column naming their household (an integer, unique in the dataset)."""
WEIGHT = "weight"
"""The persons' optional column: how many real households the person's household stands for
(the same value for every person of a household; 1 when absent)."""
ID = "id"
"""A group table's column of group ids, which the persons' ``<entity>`` column refers to."""
DEFAULT_MONTHS = 36
"""How many months up to the period computed an input's value is taken for."""
TABLES = {e.key: e.plural for e in (INDIVIDU, *GROUP_ENTITIES)}
"""The file name (without ``.parquet``) of each entity's table."""


class PopulationFileError(ValueError):
    """A problem of a population file: the file, the column (when it is one) and what is wrong."""

    def __init__(self, file: str, column: str | None, problem: str):
        self.file, self.column, self.problem = file, column, problem
        where = f"{file}: column {column!r}" if column else file
        super().__init__(f"{where}: {problem}")

    def __reduce__(self) -> tuple[type[PopulationFileError], tuple[str, str | None, str]]:
        # Raised on a Dask worker, it travels back to the client pickled.
        return (PopulationFileError, (self.file, self.column, self.problem))


@dataclass(frozen=True)
class Dataset:
    """A population's folder: its metadata and its partitions, in order."""

    path: Path
    metadata: dict[str, Any]
    partitions: tuple[str, ...]

    @property
    def months(self) -> int:
        months = self.metadata.get("months", DEFAULT_MONTHS)
        return int(months)


def open_dataset(path: Path) -> Dataset:
    """The population folder ``path``: ``population.json`` when present, and its ``part-*``
    folders (each with an ``individus.parquet``).

    :raises PopulationFileError: not a folder, no partition, a bad ``population.json``.
    """
    if not path.is_dir():
        raise PopulationFileError(str(path), None, "not a folder: a population is a folder of part-* folders")
    metadata: dict[str, Any] = {}
    meta = path / METADATA
    if meta.exists():
        try:
            loaded = json.loads(meta.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise PopulationFileError(str(meta), None, f"not valid JSON: {exc}") from None
        if not isinstance(loaded, dict) or loaded.get("format") != FORMAT:
            raise PopulationFileError(str(meta), None, f'expected an object with "format": "{FORMAT}"')
        if loaded.get("version") != FORMAT_VERSION:
            raise PopulationFileError(
                str(meta),
                None,
                f"format version {loaded.get('version')!r}: this mesaides reads version {FORMAT_VERSION}",
            )
        months = loaded.get("months", DEFAULT_MONTHS)
        if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 600:
            raise PopulationFileError(str(meta), "months", f"expected a number of months from 1 to 600, got {months!r}")
        metadata = loaded
    partitions = tuple(sorted(p.name for p in path.glob("part-*") if (p / "individus.parquet").is_file()))
    if not partitions:
        raise PopulationFileError(str(path), None, "no partition: expected part-*/individus.parquet files")
    return Dataset(path, metadata, partitions)


@dataclass
class Partition:
    """One partition read into the engine's arrays, with what the results need."""

    population: Population
    household: np.ndarray
    """The household of each person."""
    weight: np.ndarray
    """The weight of each household of ``households``."""
    households: np.ndarray
    """The partition's households, sorted."""
    household_of: dict[str, np.ndarray] = field(default_factory=dict)
    """Per entity, the position in ``households`` of each person's or group's household."""
    depcom: np.ndarray | None = None
    """Each household's commune (its menage's), when the menages give one."""


def read_partition(
    folder: Path | Sequence[Path],
    rules: RuleSet,
    period: Period,
    months: int = DEFAULT_MONTHS,
    *,
    ignored: Collection[str] = (),
) -> Partition:
    """Read the partition ``folder`` for computing ``period``: the values of each input column
    taken for the ``months`` months up to ``period``. Several folders are read as one
    population (a single-process computation of several partitions).

    :param ignored: input columns to skip when the rules do not know them (another rule set's
        Parameters, when two are compared on one population).
    :raises PopulationFileError: the file, the column and the problem.
    """
    folders = [folder] if isinstance(folder, Path) else list(folder)
    tables = {key: _read_tables(folders, f"{plural}.parquet") for key, plural in TABLES.items()}
    files = {key: str(folders[0] / f"{plural}.parquet") for key, plural in TABLES.items()}
    return partition_from_tables(tables, rules, period, months, ignored=ignored, files=files)


def partition_from_tables(
    tables: Mapping[str, Any],
    rules: RuleSet,
    period: Period,
    months: int = DEFAULT_MONTHS,
    *,
    ignored: Collection[str] = (),
    files: Mapping[str, str] | None = None,
) -> Partition:
    """A partition from its Arrow tables by entity key (``individu`` required, a group's table
    None when not given), as :func:`read_partition` reads them; ``files`` names them in errors."""
    files = files or {key: f"{plural}.parquet" for key, plural in TABLES.items()}
    persons = tables[INDIVIDU.key]
    n = persons.num_rows
    reader = _Columns(files[INDIVIDU.key], persons)
    household = reader.integers(HOUSEHOLD, required=True)
    weight = reader.floats(WEIGHT, default=1.0, minimum=0.0)
    households, person_household = np.unique(household, return_inverse=True)
    household_weight = np.ones(households.size)
    household_weight[person_household] = weight
    if not np.array_equal(household_weight[person_household], weight):
        bad = int(np.flatnonzero(household_weight[person_household] != weight)[0])
        reader.fail(WEIGHT, f"row {bad}: the persons of household {household[bad]} have different weights")
    window = [period.first_month.offset(-k) for k in range(months - 1, -1, -1)]
    inputs: dict[str, dict[Period, np.ndarray]] = {}
    groups: dict[str, GroupStructure] = {}
    household_of: dict[str, np.ndarray] = {INDIVIDU.key: person_household}
    depcom: np.ndarray | None = None
    structural = {HOUSEHOLD, WEIGHT, ID}
    for entity in GROUP_ENTITIES:
        structural |= {entity.key, f"{entity.key}_role"}
    for entity in GROUP_ENTITIES:
        structure, group_household = _group_structure(
            reader, entity, person_household, tables.get(entity.key), files[entity.key], rules, window, inputs, ignored
        )
        groups[entity.key] = structure
        household_of[entity.key] = group_household
        if entity.key == "menage" and "depcom" in inputs:
            codes = next(iter(inputs["depcom"].values()))
            depcom = np.full(households.size, "", dtype=object)
            depcom[group_household] = codes
    for name in persons.column_names:
        if name in structural:
            continue
        _input(reader, name, INDIVIDU, rules, window, inputs, ignored)
    population = Population(person_ids=NumberedIds("p", np.arange(n)), groups=groups, inputs=inputs)
    return Partition(population, household, household_weight, households, household_of, depcom)


def _read_tables(folders: Sequence[Path], name: str) -> Any:
    """The table ``name`` of each folder, one after the other (None when no folder has one)."""
    import pyarrow as pa

    present = [f / name for f in folders if (f / name).exists()]
    if not present:
        if name == "individus.parquet":
            raise PopulationFileError(str(folders[0] / name), None, "missing")
        return None
    if len(present) < len(folders):
        missing = next(f / name for f in folders if not (f / name).exists())
        raise PopulationFileError(str(missing), None, "missing, while other partitions have one")
    tables = [_read_table(path) for path in present]
    if len(tables) == 1:
        return tables[0]
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except pa.ArrowException as exc:
        raise PopulationFileError(
            str(present[-1]), None, f"its columns differ from the other partitions': {exc}"
        ) from None


def _read_table(path: Path) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path)
    except FileNotFoundError:
        raise PopulationFileError(str(path), None, "missing") from None
    except (pa.ArrowException, OSError) as exc:
        raise PopulationFileError(str(path), None, f"not a readable Parquet file: {exc}") from None


def _group_structure(
    persons: _Columns,
    entity: Entity,
    person_household: np.ndarray,
    table: Any,
    group_file: str,
    rules: RuleSet,
    window: Sequence[Period],
    inputs: dict[str, dict[Period, np.ndarray]],
    ignored: Collection[str],
) -> tuple[GroupStructure, np.ndarray]:
    """The persons' groups of ``entity`` (column ``<entity>``, roles in ``<entity>_role``) and
    the group table's inputs; the household of each group."""
    n = persons.rows
    if entity.key not in persons.names:
        # No such group given: each person alone in the entity's first role, as in OpenFisca.
        index = np.arange(n)
        zeros = np.zeros(n, dtype=np.int8)
        structure = GroupStructure(entity, NumberedIds(entity.key[0], index), index, zeros, zeros.astype(np.int32))
        return structure, person_household
    person_group_id = persons.integers(entity.key, required=True)
    role_column = f"{entity.key}_role"
    roles = {r.key: i for i, r in enumerate(entity.roles)}
    role = persons.categories(role_column, roles, "unknown role", f" of {entity.key}").astype(np.int8)
    if table is not None:
        groups = _Columns(group_file, table)
        ids = groups.integers(ID, required=True)
        if np.unique(ids).size != ids.size:
            duplicated = ids[np.flatnonzero(np.diff(np.sort(ids)) == 0)[0]]
            groups.fail(ID, f"group {duplicated} is given twice")
        for name in table.column_names:
            if name not in (ID, HOUSEHOLD):
                _input(groups, name, entity, rules, window, inputs, ignored)
        if ids.size == 0 and n:
            groups.fail(ID, f"no {entity.key}, while individus.parquet places its persons in some")
        order = np.argsort(ids, kind="stable")
        position = np.minimum(np.searchsorted(ids, person_group_id, sorter=order), max(ids.size - 1, 0))
        person_group = order[position] if ids.size else np.zeros(0, dtype=np.int64)
        missing = ids[person_group] != person_group_id
        if missing.any():
            bad = int(np.flatnonzero(missing)[0])
            persons.fail(
                entity.key, f"row {bad}: {entity.key} {person_group_id[bad]} is not in {Path(group_file).name}"
            )
        count = ids.size
        unused = np.setdiff1d(np.arange(count), person_group)
        if unused.size:
            groups.fail(ID, f"{entity.key} {ids[unused[0]]} has no member in individus.parquet")
        group_ids = NumberedIds(entity.key[0], ids)
    else:
        ids, person_group = np.unique(person_group_id, return_inverse=True)
        count = ids.size
        group_ids = NumberedIds(entity.key[0], ids)
    group_household = np.full(count, -1, dtype=np.int64)
    group_household[person_group] = person_household
    split = group_household[person_group] != person_household
    if split.any():
        bad = int(np.flatnonzero(split)[0])
        persons.fail(entity.key, f"row {bad}: {entity.key} {person_group_id[bad]} holds persons of several households")
    rank = _rank_in_role(person_group, role)
    for r in entity.roles:
        if r.max is None:
            continue
        over = (role == roles[r.key]) & (rank >= r.max)
        if over.any():
            bad = int(np.flatnonzero(over)[0])
            persons.fail(role_column, f"{entity.key} {person_group_id[bad]}: at most {r.max} {r.key}, got more")
    return GroupStructure(entity, group_ids, person_group.astype(np.int64), role, rank), group_household


def _rank_in_role(group: np.ndarray, role: np.ndarray) -> np.ndarray:
    """Each person's position among those of the same role in the same group, in row order."""
    n = group.size
    rank = np.zeros(n, dtype=np.int32)
    if n == 0:
        return rank
    key = group.astype(np.int64) * 64 + role.astype(np.int64)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    rank[order] = np.arange(n) - first
    return rank


def _input(
    columns: _Columns,
    name: str,
    entity: Entity,
    rules: RuleSet,
    window: Sequence[Period],
    inputs: dict[str, dict[Period, np.ndarray]],
    ignored: Collection[str],
) -> None:
    """Read the input column ``name`` of ``entity``'s table into ``inputs`` over ``window``."""
    if name not in rules:
        if name in ignored:
            return
        columns.fail(name, "not a Parameter of the installed rules" + did_you_mean(name, rules.parameters))
    d = rules.variable(name)
    if not isinstance(d, Parameter):
        columns.fail(name, f"{name} is computed by the rules, not an input: leave it out")
    if d.entity.key != entity.key:
        columns.fail(name, f"{name} is a variable of {d.entity.key}: put it in {TABLES[d.entity.key]}.parquet")
    values = columns.values(d)
    if d.period is ETERNITY:
        inputs[name] = {ETERNITY_PERIOD: values}
    elif d.period is YEAR:
        inputs[name] = dict.fromkeys(sorted({Period(YEAR, m.year) for m in window}, key=str), values)
    else:
        assert d.period is MONTH
        inputs[name] = dict.fromkeys(window, values)


class _Columns:
    """A table's columns checked and turned into numpy arrays, naming the column on a problem."""

    def __init__(self, file: str, table: Any):
        self.file = file
        self.table = table
        self.rows: int = table.num_rows
        self.names = set(table.column_names)

    def fail(self, column: str | None, problem: str) -> Any:
        raise PopulationFileError(self.file, column, problem)

    def _column(self, name: str) -> Any:
        column = self.table.column(name)
        if column.null_count:
            row = int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
            self.fail(name, f"row {row} is empty: every row needs a value")
        return column

    def integers(self, name: str, *, required: bool) -> np.ndarray:
        import pyarrow.types as pt

        if name not in self.names:
            if required:
                self.fail(name, "missing: this column is required")
            return np.zeros(self.rows, dtype=np.int64)
        column = self._column(name)
        if not pt.is_integer(column.type):
            self.fail(name, f"expected integers, got {column.type}")
        return np.asarray(column.to_numpy(), dtype=np.int64)

    def floats(self, name: str, *, default: float, minimum: float) -> np.ndarray:
        import pyarrow.types as pt

        if name not in self.names:
            return np.full(self.rows, default)
        column = self._column(name)
        if not (pt.is_floating(column.type) or pt.is_integer(column.type)):
            self.fail(name, f"expected numbers, got {column.type}")
        values = np.asarray(column.to_numpy(), dtype=np.float64)
        bad = ~np.isfinite(values) | (values < minimum)
        if bad.any():
            self.fail(
                name, f"row {int(np.flatnonzero(bad)[0])}: {values[bad][0]} is not a number of at least {minimum}"
            )
        return values

    def strings(self, name: str, *, required: bool) -> np.ndarray:
        import pyarrow as pa
        import pyarrow.types as pt

        if name not in self.names:
            if required:
                self.fail(name, "missing: this column is required")
            return np.full(self.rows, "", dtype=object)
        column = self._column(name)
        if pt.is_dictionary(column.type):
            column = column.cast(pa.string())
        if not (pt.is_string(column.type) or pt.is_large_string(column.type)):
            self.fail(name, f"expected text, got {column.type}")
        return np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)

    def categories(self, name: str, allowed: Mapping[str, int], what: str, of: str = "") -> np.ndarray:
        """The text column ``name`` as each row's number in ``allowed`` (a value -> number
        mapping); a value not in it fails, called ``what`` (``unknown value``, ``unknown role``)
        ``of`` something.

        The distinct values are found by Arrow's hashing (``dictionary_encode``): sorting the
        rows' Python strings, as ``np.unique`` does, took most of a partition's reading.
        """
        import pyarrow.types as pt

        if name not in self.names:
            self.fail(name, "missing: this column is required")
        column = self._column(name)
        value_type = column.type.value_type if pt.is_dictionary(column.type) else column.type
        if not (pt.is_string(value_type) or pt.is_large_string(value_type)):
            self.fail(name, f"expected text, got {column.type}")
        numbers = np.empty(self.rows, dtype=np.int64)
        start = 0
        for chunk in column.chunks:
            if not pt.is_dictionary(chunk.type):
                chunk = chunk.dictionary_encode()
            indices = np.asarray(chunk.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
            values = chunk.dictionary.to_pylist()
            used = np.flatnonzero(np.bincount(indices, minlength=len(values)))
            for value in sorted(values[i] for i in used):
                if value not in allowed:
                    choices = ", ".join(allowed)
                    self.fail(name, f"{what} {value!r}{of}{did_you_mean(value, allowed)}: one of {choices}")
            lookup = np.array([allowed.get(v, -1) for v in values], dtype=np.int64)
            numbers[start : start + len(chunk)] = lookup[indices]
            start += len(chunk)
        return numbers

    def values(self, d: Definition) -> np.ndarray:
        """The column of the Parameter ``d`` as the engine's array, checked against ``d``."""
        import pyarrow.types as pt

        name = d.name
        column = self._column(name)
        kind = d.value_type
        if kind == "float":
            if not (pt.is_floating(column.type) or pt.is_integer(column.type)):
                self.fail(name, f"expected numbers (a {kind} Parameter), got {column.type}")
            values = np.asarray(column.to_numpy(), dtype=np.float64)
            minimum, maximum = domain_of(d)
            low = max(minimum, -LARGEST_NUMBER) if minimum is not None else -LARGEST_NUMBER
            high = min(maximum, LARGEST_NUMBER) if maximum is not None else LARGEST_NUMBER
            bad = ~((values >= low) & (values <= high))
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                self.fail(name, f"row {row}: {values[row]} is out of range (from {low} to {high})")
            return values
        if kind == "int":
            if not pt.is_integer(column.type):
                self.fail(name, f"expected integers, got {column.type}")
            return np.asarray(column.to_numpy(), dtype=np.int64)
        if kind == "bool":
            if not pt.is_boolean(column.type):
                self.fail(name, f"expected true or false (boolean), got {column.type}")
            return np.asarray(column.to_numpy(zero_copy_only=False), dtype=bool)
        if kind == "date":
            if not pt.is_date(column.type):
                self.fail(name, f"expected dates (date32), got {column.type}")
            return np.asarray(column.to_numpy(zero_copy_only=False), dtype="datetime64[D]")
        if kind == "enum":
            codes = {v: i for i, v in enumerate(d.enum_values)}
            return self.categories(name, codes, "unknown value").astype(dtype_of(d))
        text = self.strings(name, required=True)
        if has_surrogate("".join(text.tolist())):
            self.fail(name, "text with a lone surrogate: not valid Unicode")
        return text


def write_metadata(path: Path, metadata: Mapping[str, Any]) -> None:
    """Write ``population.json`` into the population folder ``path``."""
    data = {"format": FORMAT, "version": FORMAT_VERSION, **metadata}
    (path / METADATA).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
