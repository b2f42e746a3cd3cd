"""Quantities for the tests of the evaluation of quantities apart (``defined_for`` holding for
few households) and of text look-ups: each formula counts its runs and the rows it got."""

from __future__ import annotations

from collections import Counter

from mesaides.core import INDIVIDU, MENAGE, MONTH, Partner, hookimpl, quantity

RUNS: Counter[str] = Counter()
ROWS: Counter[str] = Counter()
"""Rows each quantity was evaluated on, added up over its runs."""

GRENOBLE = ("38185",)


def _counted(c, name: str) -> None:
    RUNS[name] += 1
    ROWS[name] += c.size


@quantity(INDIVIDU, MONTH, label="Salaire compté", reads=("salaire_net",))
def apart_wages(c):
    _counted(c, "apart_wages")
    return c("salaire_net") * 1.0


@quantity(INDIVIDU, MONTH, label="Haut salaire", reads=("salaire_net",), value_type="bool")
def apart_rich(c):
    return c("salaire_net") > 3000


@quantity(INDIVIDU, MONTH, label="Sans salaire", reads=("salaire_net",), value_type="bool")
def apart_poor(c):
    return c("salaire_net") == 0


@quantity(INDIVIDU, MONTH, label="Prime des hauts salaires", reads=("apart_wages",), defined_for="apart_rich")
def apart_bonus(c):
    _counted(c, "apart_bonus")
    return c("apart_wages") * 0.1


@quantity(INDIVIDU, MONTH, label="Aide sans salaire", reads=("apart_wages",), defined_for="apart_poor")
def apart_help(c):
    _counted(c, "apart_help")
    return 50.0 - c("apart_wages")


@quantity(MENAGE, MONTH, label="À Grenoble", reads=("depcom",), value_type="bool")
def apart_in_grenoble(c):
    return c.among("depcom", GRENOBLE)


@quantity(INDIVIDU, MONTH, label="Habite Paris ou Lyon", reads=("depcom",), value_type="bool")
def apart_in_paris_or_lyon(c):
    return c.among("depcom", ["75056", "69123"])


QUANTITIES = (apart_wages, apart_rich, apart_poor, apart_bonus, apart_help, apart_in_grenoble, apart_in_paris_or_lyon)


@hookimpl
def mesaides_register_partner(register):
    register(Partner(id="apart", name="Partenaire de test de l'évaluation à part", scope="territorial"))


@hookimpl
def mesaides_register_quantities(register):
    for q in QUANTITIES:
        register(q)
