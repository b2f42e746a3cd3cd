"""A small partner used by the core's tests: one legislation value with a history, a
three-month resource base and a means-tested famille aide."""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MONTH, Parameter, Partner, as_aide, hookimpl, quantity
from mesaides.core.legislation import parse_legislation

LEGISLATION = {
    "toy.montant": {
        "label": "Montant de l'aide jouet",
        "unit": "EUR",
        "history": [
            {
                "from": "2024-01-01",
                "value": 500.0,
                "ref": "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000000000001",
            },
            {
                "from": "2025-04-01",
                "value": 520.0,
                "ref": "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000000000002",
            },
        ],
    },
    "toy.majoration_enfant": {
        "label": "Majoration par enfant",
        "unit": "rate",
        "history": [
            {"from": "2020-01-01", "value": 0.3, "ref": "https://www.service-public.fr/particuliers/vosdroits/F1"}
        ],
    },
}

INFO = {
    "label": "Aide jouet",
    "description": "Une aide de démonstration.",
    "institution": "toy",
    "periodicity": "monthly",
    "public_page": "https://www.service-public.fr/particuliers/vosdroits/F1",
    "apply": [{"kind": "teleservice", "url": "https://example.org/demande", "label": "Demander"}],
    "legal_references": [{"title": "Texte", "url": "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000000000001"}],
}


@quantity(FAMILLE, MONTH, label="Ressources des trois derniers mois", reads=("salaire_net",))
def toy_ressources(c):
    return sum(c.members("salaire_net", p).sum() for p in c.period.last_months(3))


@quantity(FAMILLE, MONTH, label="Enfants de moins de 20 ans", reads=("toy_is_young",), value_type="int")
def toy_nb_enfants(c):
    return c.members("toy_is_young").count("enfants")


@quantity(INDIVIDU, MONTH, label="Moins de 20 ans", reads=("age",), value_type="bool")
def toy_is_young(c):
    return c("age") < 20


@quantity(FAMILLE, MONTH, label="Aide jouet", reads=("toy_ressources", "toy_nb_enfants"), law=("toy",))
def toy_aide(c):
    montant = c.law("toy.montant") * (1 + c.law("toy.majoration_enfant") * c("toy_nb_enfants"))
    ressources = c("toy_ressources") / 3
    eligible = c.check(
        "Ressources inférieures au montant",
        ressources < montant,
        "vos ressources, {ressources} par mois, atteignent le montant de {montant}",
        ressources=ressources,
        montant=montant,
    )
    aide = np.where(eligible, montant - ressources, 0)
    c.note("Majoré pour {enfants} enfant(s) de moins de 20 ans", c("toy_nb_enfants") > 0, enfants=c("toy_nb_enfants"))
    return aide


@hookimpl
def mesaides_register_partner(register):
    register(Partner(id="toy", name="Partenaire jouet", scope="territorial"))


@hookimpl
def mesaides_register_parameters(register):
    register(Parameter(name="toy_flag", entity=INDIVIDU, period=MONTH, value_type="bool", label="Drapeau"))


@hookimpl
def mesaides_register_legislation(register):
    register(parse_legislation(LEGISLATION, source="toy"))


@hookimpl
def mesaides_register_quantities(register):
    for q in (toy_ressources, toy_nb_enfants, toy_is_young):
        register(q)


@hookimpl
def mesaides_register_aides(register):
    register(as_aide(toy_aide, INFO))
