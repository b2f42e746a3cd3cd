"""The questionnaire: which questions, validation in French, the situation it builds."""

from __future__ import annotations

import datetime as dt

import pytest

from mesaides.core import Parameter
from mesaides.web.questionnaire import Invalid, Questionnaire, load_questions, parse_date, parse_money, resolve_commune

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def spec():
    return load_questions()


class EveryParameter:
    """The installed rule set's Parameters and quantities, plus the Parameters of questions.yaml
    that no installed package declares right now, all read by one aide ``tout``: the
    questionnaire's logic tested independently of which partner packages are installed."""

    def __init__(self, rules, spec):
        self.parameters = dict(rules.parameters)
        self.quantities = dict(rules.quantities)
        kinds = {
            "date_debut_chomage": ("individu", "eternity", "date"),
            "coloc": ("menage", "month", "bool"),
            "taux_incapacite": ("individu", "month", "float"),
            "aah_restriction_substantielle_durable_acces_emploi": ("individu", "month", "bool"),
            "aeeh_niveau_handicap": ("individu", "month", "int"),
            "aide_logement_date_pret": ("menage", "eternity", "date"),
            "logement_crous": ("menage", "month", "bool"),
            "foyer_jeunes_travailleurs_ou_residence_sociale": ("menage", "month", "bool"),
        }
        for name, (entity, period, value_type) in kinds.items():
            if name not in self.parameters:
                self.parameters[name] = Parameter(
                    name=name, entity=entity, period=period, value_type=value_type, label=name
                )
        if "etat_logement_foyer" not in self.parameters:
            self.parameters["etat_logement_foyer"] = Parameter(
                name="etat_logement_foyer",
                entity="menage",
                period="month",
                value_type="enum",
                enum_values=("non_renseigne", "logement_rehabilite", "logement_non_rehabilite"),
                default="non_renseigne",
                label="etat_logement_foyer",
            )
        for q in spec.questions:
            assert set(q.fills) <= set(self.parameters) | set(self.quantities), q.id
        self.graph = self

    def upstream(self, name):
        return set(self.parameters) | set(self.quantities)

    def variable(self, name):
        return self.parameters.get(name) or self.quantities[name]


@pytest.fixture(scope="module")
def everything(spec, engine):
    return Questionnaire(spec, EveryParameter(engine.rules, spec), ["tout"])


def names(fields):
    return [f.name for f in fields]


def test_only_what_enabled_aides_read(spec, engine):
    rules = engine.rules
    for aide in rules.aides:
        q = Questionnaire(spec, rules, [aide])
        asked = {x.id for x in q.questions}
        assert {"situation_familiale", "nb_enfants"} <= asked  # structural: always asked
        # What an answer may give: the Parameters the aide reads, the quantities it reads or is.
        reads = rules.parameters_read_by(aide) | (rules.graph.upstream(aide) & set(rules.quantities)) | {aide}
        for question in q.questions:
            if not question.structural:
                assert set(question.fills) & reads
        for question in spec.questions:
            if question.id not in asked:
                assert not set(question.fills) & reads
    nothing = Questionnaire(spec, rules, [])
    assert {x.id for x in nothing.questions} == {"situation_familiale", "nb_enfants"}


def test_no_children_questions_without_children_no_rent_for_owners(everything):
    q = everything
    answers = {"foyer.situation_familiale": "celibataire", "foyer.nb_enfants": "0"}
    assert not [n for n in names(q.fields("personnes", answers, TODAY)) if n.startswith("enfant")]
    answers["foyer.nb_enfants"] = "2"
    assert "enfant2.enfant_date_naissance" in names(q.fields("personnes", answers, TODAY))
    assert "conjoint.date_naissance" not in names(q.fields("personnes", answers, TODAY))
    answers["foyer.situation_familiale"] = "pacse"
    assert "conjoint.date_naissance" in names(q.fields("personnes", answers, TODAY))
    owner = {**answers, "menage.statut_occupation_logement": "proprietaire", "menage.loyer": "700"}
    tenant = {**answers, "menage.statut_occupation_logement": "locataire_vide", "menage.loyer": "700"}
    # On the same page, the rent field is there (the script hides it), but it is not used.
    assert q.holds(q.by_id["loyer"], q.fields("logement", owner, TODAY)[0].subject, owner, TODAY) is False
    assert "loyer" not in q.situation(owner, TODAY)["menages"]["menage_1"]
    assert q.situation(tenant, TODAY)["menages"]["menage_1"]["loyer"]["2026-11"] == 700.0


def test_situation_over_the_months_with_mes_aides_conversions(everything, spec, engine):
    q = everything
    answers = {
        "foyer.situation_familiale": "union_libre",
        "foyer.nb_enfants": "1",
        "demandeur.date_naissance": "14/07/1990",
        "demandeur.activite": "actif",
        "demandeur.salaire_net": "1 200,50",
        "conjoint.date_naissance": "1991-02-03",
        "conjoint.activite": "chomeur",
        "conjoint.chomage_net": "800",
        "conjoint.date_debut_chomage": "01/06/2026",
        "enfant1.enfant_date_naissance": "01/01/2020",
        "menage.depcom": "59000",
        "menage.depcom_choix": "59350",
    }
    s = q.situation(answers, TODAY)
    months = s["individus"]["demandeur"]["salaire_net"]
    assert (
        sorted(months) == list(months) and min(months) == "2024-01" and max(months) == "2026-11" and len(months) == 35
    )
    assert months["2025-06"] == 1200.5
    assert s["individus"]["demandeur"]["salaire_imposable"]["2026-11"] == round(1200.5 * 1.036529, 2)
    assert s["individus"]["conjoint"]["chomage_imposable"]["2024-01"] == round(800 * 1.0305, 2)
    assert s["individus"]["conjoint"]["date_debut_chomage"] == {"ETERNITY": "2026-06-01"}
    assert s["individus"]["demandeur"]["date_naissance"] == {"ETERNITY": "1990-07-14"}
    assert s["individus"]["demandeur"]["statut_marital"]["2026-11"] == "celibataire"
    assert s["menages"]["menage_1"]["depcom"]["2026-11"] == "59350"
    assert s["familles"]["famille_1"] == {
        "parents": ["demandeur", "conjoint"],
        "enfants": ["enfant1"],
        "enceinte_fam": {"2026-11": False},
    }
    # Union libre: two foyers fiscaux, the child in the demandeur's.
    assert s["foyers_fiscaux"]["foyer_fiscal_1"] == {"declarants": ["demandeur"], "personnes_a_charge": ["enfant1"]}
    assert s["foyers_fiscaux"]["foyer_fiscal_2"]["declarants"] == ["conjoint"]
    # With the installed packages, a situation the engine accepts.
    installed = Questionnaire(spec, engine.rules, list(engine.rules.aides))
    engine.population(installed.situation(answers, TODAY))


def test_validation_messages_in_french(everything):
    q = everything
    answers = {"foyer.situation_familiale": "celibataire", "foyer.nb_enfants": "13"}
    errors = {f.name: f.error for f in q.validate("foyer", answers, TODAY) if f.error}
    assert errors == {"foyer.nb_enfants": "Indiquez un nombre entre 0 et 12."}
    answers = {"foyer.nb_enfants": "1", "demandeur.date_naissance": "", "enfant1.enfant_date_naissance": "01/01/1990"}
    errors = {f.name: f.error for f in q.validate("personnes", answers, TODAY) if f.error}
    assert errors["demandeur.date_naissance"] == "Indiquez une date au format JJ/MM/AAAA."
    assert "moins de 25 ans" in errors["enfant1.enfant_date_naissance"]
    assert q.first_incomplete(answers, TODAY) == "personnes"


def test_parsing():
    assert parse_money("1 234,56 €") == 1234.56
    assert parse_money("1.200") == 1200
    assert parse_money("850.5") == 850.5
    with pytest.raises(Invalid, match="négatif"):
        parse_money("-3")
    with pytest.raises(Invalid, match="n'est pas un montant"):
        parse_money("beaucoup")
    assert parse_date("5/3/2001") == dt.date(2001, 3, 5)
    assert parse_date("2001-03-05") == dt.date(2001, 3, 5)
    with pytest.raises(Invalid, match="n'est pas une date qui existe"):
        parse_date("30/02/2001")


def test_communes():
    # 59350: Lille's INSEE code, and Saint-André-lez-Lille's postal code.
    found = resolve_commune("59350", "")
    assert found.commune is None and [c.nom for c in found.candidates] == ["Lille", "Saint-André-lez-Lille"]
    assert resolve_commune("59350", "59350").commune.nom == "Lille"
    assert resolve_commune("59350", "75056").commune is None  # a choice no longer among the matches
    assert resolve_commune("Lille", "").commune.insee == "59350"
    assert resolve_commune("42000", "").commune.nom == "Saint-Étienne"
    assert resolve_commune("2A004", "").commune.nom == "Ajaccio"
    assert resolve_commune("00000", "").candidates == []


def test_new_questions_only_for_the_aides_that_need_them(spec, engine):
    rules = engine.rules

    def asked(*aides):
        return {x.id for x in Questionnaire(spec, rules, aides).questions}

    # The school level is what the bourses read; the CAF's family aides do not.
    assert "scolarite" in asked("bourse_college") and "scolarite" not in asked("af")
    # The ASS precondition: the ASS, and the RSA which reads the ASS as a resource.
    assert "ass_precondition_remplie" in asked("ass") and "ass_precondition_remplie" in asked("rsa")
    assert "ass_precondition_remplie" not in asked("bourse_college")
    assert "inapte_travail" in asked("aspa") and "inapte_travail" not in asked("af")
    # Aides already received: asked when an enabled aide is that aide or reads it.
    assert {"rsa_percu", "ass_percue"} <= asked("cmu_c")  # the CSS reads the RSA (and the RSA the ASS)
    assert "rsa_percu" not in asked("bourse_college") and "ass_percue" in asked("ass")
    # The pregnancy: what the RSA and the prime d'activité read, not the bourses.
    assert "grossesse" in asked("rsa") and "grossesse" not in asked("bourse_college")


def test_aides_received_are_given_for_the_last_three_months(spec, engine):
    rules = engine.rules
    q = Questionnaire(spec, rules, list(rules.aides))
    answers = {
        "foyer.situation_familiale": "celibataire",
        "foyer.nb_enfants": "0",
        "demandeur.date_naissance": "01/01/1975",
        "demandeur.activite": "chomeur",
        "foyer.rsa_percu": "300",
        "demandeur.ass_percue": "550,20",
        "menage.depcom": "75056",
        "menage.statut_occupation_logement": "loge_gratuitement",
    }
    s = q.situation(answers, TODAY)
    assert s["familles"]["famille_1"]["rsa"] == {"2026-08": 300.0, "2026-09": 300.0, "2026-10": 300.0}
    assert s["individus"]["demandeur"]["ass"] == {"2026-08": 550.2, "2026-09": 550.2, "2026-10": 550.2}
    # Follow-ups only when relevant: the ASS for a jobseeker, the AAH for a disabled person.
    asked = names(q.fields("aides", answers, TODAY))
    assert "demandeur.ass_percue" in asked and "demandeur.aah_percue" not in asked
    assert "demandeur.aah_percue" in names(q.fields("aides", {**answers, "demandeur.handicap": "1"}, TODAY))
    assert "demandeur.aspa_percue" not in asked  # 51 years old
    older = {**answers, "demandeur.date_naissance": "01/01/1956", "demandeur.aspa_percue": "120"}
    assert q.situation(older, TODAY)["familles"]["famille_1"]["aspa"] == dict.fromkeys(
        ("2026-08", "2026-09", "2026-10"), 120.0
    )
    # The engine takes them as given for those months, and computes the current month.
    result = engine.compute(s, ["rsa", "ass"], "2026-10")
    assert result["rsa"]["famille_1"] == 300.0 and result["ass"]["demandeur"] == 550.2


def test_child_support_is_asked_not_assumed_absent(everything):
    q = everything
    answers = {"foyer.situation_familiale": "marie", "foyer.nb_enfants": "1"}
    fields = {f.name: f for f in q.validate("ressources", answers, TODAY)}
    assert fields["demandeur.pensions_alimentaires_percues"].error == "Indiquez un montant en euros."
    answers["demandeur.pensions_alimentaires_percues"] = "0"
    assert not [f.error for f in q.validate("ressources", answers, TODAY) if f.error]
    assert "demandeur.pensions_alimentaires_percues" not in {
        f.name for f in q.fields("ressources", {**answers, "foyer.nb_enfants": "0"}, TODAY)
    }


def test_a_childs_school_level_and_disability(spec, engine):
    rules = engine.rules
    q = Questionnaire(spec, rules, list(rules.aides))
    answers = {
        "foyer.situation_familiale": "marie",
        "foyer.nb_enfants": "2",
        "enfant1.enfant_date_naissance": "01/03/2014",
        "enfant1.scolarite": "college",
        "enfant2.enfant_date_naissance": "01/03/2018",
        "enfant2.handicap": "1",
        "enfant2.enfant_taux_incapacite": "50_79",
        "enfant2.aeeh_niveau_handicap": "3",
    }
    personnes = names(q.fields("personnes", answers, TODAY))
    assert "enfant1.scolarite" in personnes and "enfant2.enfant_taux_incapacite" in personnes
    s = q.situation(answers, TODAY)
    assert s["individus"]["enfant1"]["scolarite"]["2026-11"] == "college"
    assert s["individus"]["enfant2"]["taux_incapacite"]["2026-11"] == 0.5
    assert "taux_incapacite" not in s["individus"]["enfant1"]  # asked only after the disability box
    if "aeeh_niveau_handicap" in rules.parameters:
        assert s["individus"]["enfant2"]["aeeh_niveau_handicap"]["2026-11"] == 3
    engine.population(s)


def test_a_pregnancy_is_given_for_the_current_month(spec, engine):
    """OpenFisca's ``enceinte`` input is not declared; the CAF computes ``enceinte_fam`` (from an
    unborn child), and the answer gives it for the month computed. A woman alone, pregnant,
    without resources or home: the RSA majoré, 128.412 % of the montant forfaitaire (L262-9,
    R262-1 CASF), with no forfait logement."""
    rules = engine.rules
    if "enceinte_fam" not in rules.quantities:
        pytest.skip("the CAF package is not installed")
    q = Questionnaire(spec, rules, ["rsa"])
    answers = {
        "foyer.situation_familiale": "celibataire",
        "foyer.nb_enfants": "0",
        "foyer.grossesse": "1",
        "demandeur.date_naissance": "01/01/2000",
        "demandeur.activite": "inactif",
        "menage.depcom": "75056",
        "menage.statut_occupation_logement": "sans_domicile",
    }
    assert "foyer.grossesse" in names(q.fields("foyer", answers, TODAY))
    s = q.situation(answers, TODAY)
    assert s["familles"]["famille_1"]["enceinte_fam"] == {"2026-11": True}
    day = dt.date(2026, 11, 1)
    base = rules.legislation.value("rsa.montant_de_base", day)
    majore = base * rules.legislation.value("rsa.majoration_isolement.femmes_enceintes", day)
    assert engine.compute(s, ["rsa"], "2026-11")["rsa"]["famille_1"] == pytest.approx(majore, abs=0.01)
    assert engine.compute(q.situation({**answers, "foyer.grossesse": ""}, TODAY), ["rsa"], "2026-11")["rsa"][
        "famille_1"
    ] == pytest.approx(base, abs=0.01)


def test_without_the_national_partners_their_questions_are_not_asked(spec):
    """A deployment of the CAF alone (the Éducation nationale, France Travail, the Assurance
    maladie and retraite, the État and the territories left out): no school level, no unfitness for work, no ASS
    precondition; the ASS and the ASPA the household receives are still asked, since the CAF
    reads them from the situation (their stand-ins)."""
    from mesaides.core import get_plugin_manager, load_rules
    from mesaides.core.testing.partners import partners_except

    rules = load_rules(get_plugin_manager(blocked=partners_except("partner_caf")))
    if "rsa" not in rules.aides:
        pytest.skip("the CAF package is not installed")
    asked = {x.id for x in Questionnaire(spec, rules, [a for a in rules.aides if a not in rules.unavailable]).questions}
    assert not {"scolarite", "inapte_travail", "ass_precondition_remplie"} & asked
    assert {"ass", "aspa"} <= set(rules.stand_ins) and {"ass_percue", "aspa_percue"} <= asked
    assert {"rsa_percu", "grossesse", "pensions_alimentaires_percues"} <= asked


def test_a_home_buyer_is_asked_the_repayment_and_the_date_of_the_loan(everything, spec, engine):
    q = everything
    answers = {
        "foyer.situation_familiale": "celibataire",
        "foyer.nb_enfants": "0",
        "demandeur.date_naissance": "02/04/1985",
        "demandeur.activite": "actif",
        "demandeur.salaire_net": "1 150",
        "menage.depcom": "59350",
        "menage.depcom_choix": "59350",
        "menage.statut_occupation_logement": "primo_accedant",
        "menage.mensualite_pret": "450",
        "menage.aide_logement_date_pret": "01/06/2012",
    }
    subject = q.fields("logement", answers, TODAY)[0].subject
    assert q.holds(q.by_id["mensualite_pret"], subject, answers, TODAY)
    assert q.holds(q.by_id["aide_logement_date_pret"], subject, answers, TODAY)
    assert not q.holds(q.by_id["loyer"], subject, answers, TODAY)
    assert not q.holds(q.by_id["logement_crous"], subject, answers, TODAY)
    menage = q.situation(answers, TODAY)["menages"]["menage_1"]
    assert menage["loyer"]["2026-11"] == 450.0
    assert menage["aide_logement_date_pret"] == {"ETERNITY": "2012-06-01"}
    # With the CAF installed, the loan of 2012 opens the ALS of a home-buyer; one of 2019 does not.
    installed = Questionnaire(spec, engine.rules, list(engine.rules.aides))
    situation = installed.situation(answers, TODAY)
    situation["familles"]["famille_1"]["aide_logement"] = {"2026-11": None}
    assert engine.calculate(situation)["familles"]["famille_1"]["aide_logement"]["2026-11"] > 0
    situation = installed.situation({**answers, "menage.aide_logement_date_pret": "01/03/2019"}, TODAY)
    situation["familles"]["famille_1"]["aide_logement"] = {"2026-11": None}
    assert engine.calculate(situation)["familles"]["famille_1"]["aide_logement"]["2026-11"] == 0


def test_a_crous_residence_is_a_foyer_said_with_logement_crous(everything):
    q = everything
    answers = {
        "foyer.situation_familiale": "celibataire",
        "foyer.nb_enfants": "0",
        "menage.statut_occupation_logement": "locataire_foyer",
        "menage.loyer": "250",
        "menage.logement_crous": "1",
        "menage.etat_logement_foyer": "logement_non_rehabilite",
    }
    subject = q.fields("logement", answers, TODAY)[0].subject
    assert q.holds(q.by_id["etat_logement_foyer"], subject, answers, TODAY)
    assert not q.holds(q.by_id["mensualite_pret"], subject, answers, TODAY)
    menage = q.situation(answers, TODAY)["menages"]["menage_1"]
    assert menage["statut_occupation_logement"]["2026-11"] == "locataire_foyer"
    assert menage["logement_crous"]["2026-11"] is True
    assert menage["etat_logement_foyer"]["2026-11"] == "logement_non_rehabilite"
    other = {**answers, "menage.logement_crous": ""}
    assert not q.holds(q.by_id["etat_logement_foyer"], subject, other, TODAY)


def test_a_conventionne_foyer_gives_logement_conventionne_and_its_kind(everything, spec, engine):
    q = everything
    answers = {
        "foyer.situation_familiale": "celibataire",
        "foyer.nb_enfants": "0",
        "demandeur.date_naissance": "20/05/2002",
        "demandeur.activite": "actif",
        "demandeur.salaire_net": "870",
        "menage.depcom": "69123",
        "menage.depcom_choix": "69123",
        "menage.statut_occupation_logement": "locataire_foyer",
        "menage.loyer": "480",
        "menage.foyer_conventionne": "1",
        "menage.foyer_jeunes_travailleurs_ou_residence_sociale": "1",
    }
    subject = q.fields("logement", answers, TODAY)[0].subject
    assert q.holds(q.by_id["foyer_jeunes_travailleurs_ou_residence_sociale"], subject, answers, TODAY)
    unchecked = {**answers, "menage.foyer_conventionne": ""}
    assert not q.holds(q.by_id["foyer_jeunes_travailleurs_ou_residence_sociale"], subject, unchecked, TODAY)
    menage = q.situation(answers, TODAY)["menages"]["menage_1"]
    assert menage["logement_conventionne"]["2026-11"] is True
    assert menage["foyer_jeunes_travailleurs_ou_residence_sociale"]["2026-11"] is True
    # With the CAF installed, the conventionné foyer's residents get the APL, the others the ALS.
    installed = Questionnaire(spec, engine.rules, list(engine.rules.aides))
    for given, aide in ((answers, "apl"), (unchecked, "als")):
        situation = installed.situation(given, TODAY)
        for name in ("apl", "als"):
            situation["familles"]["famille_1"][name] = {"2026-11": None}
        result = engine.calculate(situation)["familles"]["famille_1"]
        assert result[aide]["2026-11"] > 0
        assert result["als" if aide == "apl" else "apl"]["2026-11"] == 0
