"""The other partners' aides the CAF counts (the ASS, the invalidity pension), each checked by the
difference it makes, worked out from the law. The ASS is given in the situation: a value given for
it is taken as given whether France Travail's partner is installed or the CAF's ``takes`` stands
in for it."""

from mesaides.core import Engine, get_plugin_manager, load_rules

PERIOD = "2026-11"
MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13) if f"{y}-{m:02d}" <= PERIOD]


def single(person, menage=None):
    return {
        "individus": {"demandeur": person},
        "familles": {"famille": {"parents": ["demandeur"]}},
        "foyers_fiscaux": {"foyer": {"declarants": ["demandeur"]}},
        "menages": {"menage": {"personne_de_reference": ["demandeur"], **(menage or {})}},
    }


def every_month(value):
    return {m: value for m in MONTHS}


def compute(situation, name):
    result = Engine().compute(situation, [name], PERIOD)[name]
    return next(iter(result.values())) if isinstance(result, dict) else result


def salaried(ass=None):
    person = {
        "date_naissance": {"ETERNITY": "1988-04-12"},
        "activite": every_month("actif"),
        "salaire_net": every_month(1500.0),
        "salaire_imposable": every_month(1554.79),
    }
    if ass is not None:
        person["ass"] = every_month(ass)
    return single(person, {"statut_occupation_logement": every_month("loge_gratuitement")})


def test_the_ass_of_each_month_counts_in_the_prime_d_activite():
    # Resources above the forfait: each euro of ASS in the three months the prime is the mean
    # of takes one euro off it (art. L842-4 and R843-1 CSS, the ASS among the resources).
    without = compute(salaried(), "ppa")
    with_ass = compute(salaried(ass=100.0), "ppa")
    assert without > 100
    assert round(without - with_ass, 2) == 100.0


def jobseeker(ass=None):
    person = {
        "date_naissance": {"ETERNITY": "1975-01-30"},
        "activite": every_month("chomeur"),
        "date_debut_chomage": {"ETERNITY": "2025-01-06"},
        "chomage_net": every_month(900.0),
        "chomage_imposable": every_month(927.45),
    }
    if ass is not None:
        person["ass"] = {PERIOD: ass}
    return single(person, {"statut_occupation_logement": every_month("locataire_vide"), "loyer": every_month(500.0)})


def test_a_jobseeker_on_the_ass_has_income_neutralised_for_the_housing_aid():
    # Art. R822-15 CCH: unemployed for more than two months and on the ASS (here beside an
    # insurance benefit too high for the RSA) counts as without insurance benefit.
    name = "aide_logement_condition_neutralisation"
    assert not compute(jobseeker(), name)
    assert compute(jobseeker(ass=200.0), name)


def test_the_aah_counts_the_invalidity_pension_in_the_quarterly_resources():
    # Salary 500 € a month (quarterly evaluation, art. R821-4-1 CSS), invalidity pension
    # 300 € a month. Activity income 4 × 1,500 = 6,000, 80 % abatement below 30 % of the yearly
    # SMIC (D821-9), then 30 % more as a pension was received the month before (R532-5):
    # 840; other resources 4 × 900 = 3,600 (R532-3); (840 + 3,600) / 12 = 370.
    # AAH = min(1,041.59 − 370, 1,041.59 − 300) = 671.59. No ASI (given as 0: with the
    # Assurance maladie installed it would otherwise count too).
    person = {
        "date_naissance": {"ETERNITY": "1986-02-14"},
        "activite": every_month("actif"),
        "taux_incapacite": every_month(0.8),
        "handicap": every_month(True),
        "salaire_net": every_month(500.0),
        "salaire_imposable": every_month(518.26),
        "pensions_invalidite": every_month(300.0),
        "asi": every_month(0.0),
    }
    assert compute(single(person, {"statut_occupation_logement": every_month("loge_gratuitement")}), "aah") == 671.59


def test_with_the_core_alone_the_rsa_takes_the_ass_from_the_situation():
    # Every other partner left out: the ASS, the ASI and the ASPA are the CAF's stand-ins and
    # the RSA still computes (573.4872 − 300 of ASS, as in tests/yaml/rsa.yaml).
    others = (
        "partner_france_travail",
        "partner_assurance_maladie",
        "partner_assurance_retraite",
        "partner_etat",
        "partner_region",
        "partner_education_nationale",
        "partner_lyon",
        "partner_nord",
    )
    rules = load_rules(get_plugin_manager(blocked=others))
    assert {rules.stand_ins[name] for name in ("ass", "asi", "aspa")} == {"mesaides-partner-caf"}
    assert "rsa" in rules.aides and "rsa" not in rules.unavailable
    person = {
        "date_naissance": {"ETERNITY": "1979-08-21"},
        "activite": every_month("chomeur"),
        "ass": {m: 300.0 for m in ("2026-08", "2026-09", "2026-10")},
    }
    situation = single(person, {"statut_occupation_logement": every_month("loge_gratuitement")})
    assert Engine(rules).compute(situation, ["rsa"], PERIOD)["rsa"]["famille"] == 273.49
