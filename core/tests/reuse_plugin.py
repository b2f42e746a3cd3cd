"""Quantities that exercise the reuse of a formula's result from one period to another: each
counts its runs, so that the tests see which evaluations were reused."""

from __future__ import annotations

from collections import Counter

import numpy as np

from mesaides.core import FAMILLE, MONTH, Partner, Period, hookimpl, quantity
from mesaides.core.legislation import parse_legislation

RUNS: Counter[str] = Counter()

LEGISLATION = {
    "reuse.montant": {
        "label": "Montant revalorisé au 1er avril 2026",
        "unit": "EUR",
        "history": [
            {
                "from": "2025-01-01",
                "value": 100.0,
                "ref": "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000000000001",
            },
            {
                "from": "2026-04-01",
                "value": 110.0,
                "ref": "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000000000002",
            },
        ],
    },
}


@quantity(FAMILLE, MONTH, label="Salaires du mois", reads=("salaire_net",))
def reuse_wages(c):
    RUNS["reuse_wages"] += 1
    return c.members("salaire_net").sum()


@quantity(FAMILLE, MONTH, label="Salaires du mois précédent", reads=("reuse_wages",))
def reuse_last_month(c):
    RUNS["reuse_last_month"] += 1
    return c("reuse_wages", c.period.last_month) + 0


@quantity(FAMILLE, MONTH, label="Salaires plus l'année", reads=("reuse_wages",))
def reuse_year(c):
    RUNS["reuse_year"] += 1
    return c("reuse_wages") + c.period.year


@quantity(FAMILLE, MONTH, label="Salaires plus le mois", reads=("reuse_wages",))
def reuse_month(c):
    RUNS["reuse_month"] += 1
    return c("reuse_wages") + c.period.month


@quantity(FAMILLE, MONTH, label="Montant en vigueur", reads=("reuse_wages",), law=("reuse",))
def reuse_amount(c):
    RUNS["reuse_amount"] += 1
    return c("reuse_wages") * 0 + c.law("reuse.montant")


@quantity(FAMILLE, MONTH, label="Juin comparé", reads=("reuse_wages",))
def reuse_compares(c):
    RUNS["reuse_compares"] += 1
    return c("reuse_wages") * 0 + (c.period == Period.parse("2026-06"))


@quantity(FAMILLE, MONTH, label="Depuis juin", reads=("reuse_wages",))
def reuse_since_june(c):
    """Uses the period as a Period: an order and a method the relative period does not follow."""
    RUNS["reuse_since_june"] += 1
    june = Period.parse("2026-06")
    return c("reuse_wages") * 0 + ((c.period >= june) & ~c.period.ends_before(june))


@quantity(FAMILLE, MONTH, label="Salaires du trimestre ou seulement le dernier mois", reads=("reuse_wages",))
def reuse_branches(c):
    """Reads three months when last month's wages are positive, else only this month's: what a
    formula reads depends on what it read before."""
    RUNS["reuse_branches"] += 1
    last = c("reuse_wages", c.period.last_month)
    if (last > 0).all():
        return c.sum("reuse_wages", c.period.last_months(3))
    return np.asarray(c("reuse_wages"), dtype=float)


QUANTITIES = (
    reuse_wages,
    reuse_last_month,
    reuse_year,
    reuse_month,
    reuse_amount,
    reuse_compares,
    reuse_since_june,
    reuse_branches,
)


@hookimpl
def mesaides_register_partner(register):
    register(Partner(id="reuse", name="Partenaire de test de la réutilisation", scope="territorial"))


@hookimpl
def mesaides_register_legislation(register):
    register(parse_legislation(LEGISLATION, source="reuse"))


@hookimpl
def mesaides_register_quantities(register):
    for q in QUANTITIES:
        register(q)
