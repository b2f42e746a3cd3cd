"""Situations shared by the core's tests."""


def household(**overrides):
    """A single parent with two children, with wages over 2026-08..2026-10."""
    situation = {
        "individus": {
            "parent": {
                "date_naissance": {"ETERNITY": "1990-05-15"},
                "salaire_net": {"2026-08": 300.0, "2026-09": 300.0, "2026-10": 600.0},
            },
            "enfant1": {"date_naissance": {"ETERNITY": "2015-01-01"}},
            "enfant2": {"date_naissance": {"ETERNITY": "2004-06-01"}},
        },
        "familles": {
            "famille": {"parents": ["parent"], "enfants": ["enfant1", "enfant2"], "toy_aide": {"2026-11": None}}
        },
        "foyers_fiscaux": {"foyer": {"declarants": ["parent"], "personnes_a_charge": ["enfant1", "enfant2"]}},
        "menages": {"menage": {"personne_de_reference": ["parent"], "enfants": ["enfant1", "enfant2"]}},
    }
    situation.update(overrides)
    return situation
