"""Merging situations into one, and splitting a population into parts of whole households.

Households never read each other's values, so a computation over several situations merged
together gives each one exactly what it would get alone. The engine's cost has a fixed part per
formula evaluation, whatever the number of rows: merging the requests that arrive together
(the web server does) shares that part between them. Splitting a very large population into
parts that fit the processor's caches, computed one after the other or in parallel processes,
bounds memory and keeps the arrays small enough to stay in cache.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mesaides.core.entities import GROUP_ENTITIES, INDIVIDU
from mesaides.core.population import GroupStructure, Population, take_ids


@dataclass(frozen=True)
class Merged:
    """Situations merged into one: ``owner[(plural, id)]`` is the situation index and the
    original id of each renamed person or group."""

    situation: dict[str, Any]
    owner: dict[tuple[str, str], tuple[int, str]]


def merge(situations: Sequence[Mapping[str, Any]]) -> Merged:
    """One OpenFisca situation holding every household of ``situations``.

    Ids are renamed ``<id>@<index>`` (two requests may both call their applicant
    ``demandeur``), role lists follow. A situation without one of the group entities gets, as
    when parsed alone, one group per person in that entity's first role, so that it does not
    take the entity from the others. Anything malformed is copied as it is: parsing the merged
    situation then fails, and the caller parses each situation alone to find whose it is.
    """
    merged: dict[str, Any] = {e.plural: {} for e in (INDIVIDU, *GROUP_ENTITIES)}
    owner: dict[tuple[str, str], tuple[int, str]] = {}
    for i, data in enumerate(situations):
        suffix = f"@{i}"
        persons = data.get(INDIVIDU.plural) if isinstance(data, Mapping) else None
        if not isinstance(data, Mapping) or not isinstance(persons, Mapping):
            raise ValueError(f"situation {i} is not an object with individus")
        for pid, obj in persons.items():
            merged[INDIVIDU.plural][pid + suffix] = obj
            owner[(INDIVIDU.plural, pid + suffix)] = (i, pid)
        for e in GROUP_ENTITIES:
            table = data.get(e.plural)
            target = merged[e.plural]
            if table is None:
                first = e.roles[0].key
                for pid in persons:
                    target[pid + suffix] = {first: [pid + suffix]}
                continue
            if not isinstance(table, Mapping):
                raise ValueError(f"situation {i}: {e.plural} is not an object")
            roles = {r.key for r in e.roles}
            for gid, obj in table.items():
                if isinstance(obj, Mapping):
                    obj = {k: _renamed(v, suffix) if k in roles else v for k, v in obj.items()}
                target[gid + suffix] = obj
                owner[(e.plural, gid + suffix)] = (i, gid)
        unknown = set(data) - set(merged)
        if unknown:
            raise ValueError(f"situation {i}: unknown entities {sorted(unknown)}")
    return Merged(merged, owner)


def _renamed(members: Any, suffix: str) -> Any:
    if isinstance(members, str):
        return [members + suffix]
    if isinstance(members, list) and all(isinstance(m, str) for m in members):
        return [m + suffix for m in members]
    return members


def household_of_person(population: Population) -> np.ndarray:
    """For each person, the smallest index of the persons linked to it through any group.

    Persons linked through a famille, a ménage or a foyer fiscal, directly or through others,
    form one household: the unit that can be computed apart from the rest.
    """
    label = np.arange(population.n_persons)
    while True:
        before = label
        for s in population.groups.values():
            lowest = np.full(s.count, population.n_persons, dtype=label.dtype)
            np.minimum.at(lowest, s.person_group, label)
            label = np.minimum(label, lowest[s.person_group])
        if np.array_equal(label, before):
            return label


@dataclass(frozen=True)
class Part:
    """Some whole households of a population, with their rows in the whole."""

    population: Population
    rows: dict[str, np.ndarray]
    """Per entity, the indices of this part's persons or groups in the whole population."""


def split(population: Population, max_persons: int) -> list[np.ndarray]:
    """Cut ``population`` into parts of whole households of at most ``max_persons`` persons
    each (or one household, when a single one is larger): the persons of each part, for
    :func:`part`."""
    n = population.n_persons
    if n <= max_persons:
        return [np.arange(n)]
    label = household_of_person(population)
    order = np.argsort(label, kind="stable") if np.any(label[1:] < label[:-1]) else np.arange(n)
    sorted_labels = label[order]
    first = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    cuts = [0]
    while cuts[-1] + max_persons < n:
        # The last household start within the limit, or the next one after a huge household.
        k = np.searchsorted(first, cuts[-1] + max_persons, side="right") - 1
        cut = int(first[k]) if first[k] > cuts[-1] else int(first[min(k + 1, len(first) - 1)])
        if cut <= cuts[-1]:
            break
        cuts.append(cut)
    cuts.append(n)
    return [np.sort(order[a:b]) for a, b in zip(cuts, cuts[1:]) if b > a]


def part(population: Population, rules, persons: np.ndarray) -> Part:
    """The households of ``persons`` (sorted, from :func:`split`) as a population of their own."""
    rows = {INDIVIDU.key: persons}
    groups = {}
    for key, s in population.groups.items():
        member_groups = s.person_group[persons]
        kept = np.unique(member_groups)
        rows[key] = kept
        renumber = np.full(s.count, -1, dtype=np.int64)
        renumber[kept] = np.arange(kept.size)
        ids = s.ids
        groups[key] = GroupStructure(
            s.entity,
            take_ids(ids, kept),
            renumber[member_groups],
            s.person_role[persons],
            s.person_rank[persons],
        )
    taken: dict[int, np.ndarray] = {}

    def take(array: np.ndarray, entity: str) -> np.ndarray:
        # Inputs often share one array across months: slice it once.
        found = taken.get(id(array))
        if found is None:
            found = taken[id(array)] = array[rows[entity]]
        return found

    inputs = {}
    for name, by_period in population.inputs.items():
        if name not in rules:  # given for rules not installed here: nothing reads it
            continue
        e = rules.variable(name).entity.key
        inputs[name] = {p: take(a, e) for p, a in by_period.items()}
    given = {}
    for name, by_period in population.given.items():
        e = rules.variable(name).entity.key
        given[name] = {p: (take(m, e), take(v, e)) for p, (m, v) in by_period.items()}
    part = Population(person_ids=take_ids(population.person_ids, persons), groups=groups, inputs=inputs, given=given)
    return Part(part, rows)
