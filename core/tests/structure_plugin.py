"""A partner whose formulas declare nothing by hand: what they read is inferred from their source,
and the engine owns their eligibility (``defined_for``) and their sums (``adds``/``subtracts``)."""

from __future__ import annotations

import datetime as dt

from mesaides.core import FAMILLE, INDIVIDU, MONTH, Parameter, Partner, Quantity, hookimpl, quantity
from mesaides.core.legislation import parse_legislation

S = "structure"
SALAIRE = "salaire_net"

LEGISLATION = {
    f"{S}.montant": {
        "label": "Montant de base",
        "unit": "EUR",
        "history": [
            {"from": "2020-01-01", "value": 600.0, "ref": "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000000000001"}
        ],
    },
    f"{S}.taux.enfant": {
        "label": "Majoration par enfant",
        "unit": "rate",
        "history": [
            {"from": "2020-01-01", "value": 0.5, "ref": "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000000000001"}
        ],
    },
}


def _trois_mois(c, name):
    """A helper the formula passes its context to, with a literal name."""
    return c.sum(name, c.period.last_months(3)) / 3


@quantity(INDIVIDU, MONTH, label="Salaire moyen des trois mois précédents")
def st_salaire_moyen(c):
    return _trois_mois(c, SALAIRE)


@quantity(INDIVIDU, MONTH, label="Enfant de moins de 20 ans", value_type="bool")
def st_enfant(c):
    return c.is_role("famille", "enfants") & (c("age") < 20)


@quantity(FAMILLE, MONTH, label="Au moins un enfant de moins de 20 ans", value_type="bool")
def st_eligible(c):
    return c.members("st_enfant").any()


@quantity(FAMILLE, MONTH, label="Montant forfaitaire", defined_for="st_eligible", minimum=0)
def st_forfait(c):
    taux = f"{S}.taux"
    return c.law(f"{S}.montant") * (1 + c.law(taux + ".enfant") * c.members("st_enfant").count())


@quantity(FAMILLE, MONTH, label="Autres ressources (coûteuses à calculer)", minimum=0)
def st_autres_ressources(c):
    total = c.zeros()
    for name in ("st_pension", "chomage_net"):
        total = total + c.members(name).sum()
    return total


@quantity(INDIVIDU, MONTH, label="Pension", minimum=0)
def st_pension(c):
    return c("retraite_nette")


st_ressources = Quantity(
    name="st_ressources",
    entity=FAMILLE,
    period=MONTH,
    label="Ressources",
    adds=("st_salaire_moyen", "st_autres_ressources"),
)

st_montant = Quantity(
    name="st_montant",
    entity=FAMILLE,
    period=MONTH,
    label="Montant de l'aide avant le minimum",
    defined_for="st_eligible",
    adds=("st_forfait",),
    subtracts=("st_ressources",),
    floor=0,
)


@quantity(FAMILLE, MONTH, label="Bonus daté", valid_to=dt.date(2025, 12, 31))
def st_bonus(c):
    return c.full(1.0)


@st_bonus.formula(valid_from=dt.date(2026, 1, 1))
def st_bonus(c):  # the second formula of the same quantity
    return c.full(2.0)


QUANTITIES = (
    st_salaire_moyen,
    st_enfant,
    st_eligible,
    st_forfait,
    st_autres_ressources,
    st_pension,
    st_ressources,
    st_montant,
    st_bonus,
)


@hookimpl
def mesaides_register_partner(register):
    register(Partner(id="structure", name="Partenaire de structure", scope="territorial"))


@hookimpl
def mesaides_register_parameters(register):
    register(Parameter(name="st_flag", entity=INDIVIDU, period=MONTH, value_type="bool", label="Drapeau"))


@hookimpl
def mesaides_register_legislation(register):
    register(parse_legislation(LEGISLATION, source="structure"))


@hookimpl
def mesaides_register_quantities(register):
    for q in QUANTITIES:
        register(q)


def bad_plugin(formula, **fields):
    """A plugin registering one quantity made of ``formula``, to test load-time errors."""

    class Plugin:
        @staticmethod
        @hookimpl
        def mesaides_register_quantities(register):
            register(quantity(FAMILLE, MONTH, label="Erronée", **fields)(formula))

    return Plugin
