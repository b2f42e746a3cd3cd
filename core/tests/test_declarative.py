"""The declarative format (issue 16, ``core/docs/declarative.md``): each condition kind and
amount kind computed on real households, the explanations they give, the exact reads the
compiled aides declare, and every kind of error refused with the file, the aide, the field and
the problem while the partner's other aides still load."""

from __future__ import annotations

import textwrap

import pytest
from declarative_partner import aide_file, engine, household, load

from mesaides.core import Engine, get_plugin_manager, load_rules

PERIOD = "2026-11"
AMOUNT = "amount:\n  value: {law: test.pass.montant}\n"


def one(tmp_path, conditions: str, *, entity: str = "individu", amount: str = AMOUNT) -> Engine:
    body = textwrap.dedent(conditions).strip("\n") + "\n" + amount
    e = engine(tmp_path, {"test_pass.yaml": aide_file("test_pass", body, entity=entity)})
    assert e.rules.problems == []
    assert "test_pass" in e.rules.aides and "test_pass" not in e.rules.unavailable
    return e


def value(e: Engine, situation: dict, who: str) -> float:
    return e.compute(situation, ["test_pass"], PERIOD)["test_pass"][who]


def reason(e: Engine, situation: dict, who: str) -> str:
    found = e.explain(situation, "test_pass", PERIOD, who).reason()
    assert found is not None
    return found.text()


ADULT_25 = {"date_naissance": "2001-06-15"}  # 25 on 1 November 2026
ADULT_40 = {"date_naissance": "1986-03-01"}
CHILD_10 = {"date_naissance": "2016-02-01"}
CHILD_17 = {"date_naissance": "2009-02-01"}


# ---- Conditions ------------------------------------------------------------------------------


def test_territory_any_of_the_codes_listed_and_a_defined_for_quantity_named_after_it(tmp_path):
    e = one(
        tmp_path,
        """
        conditions:
          - territory: {communes: ["75056"], departements: ["59"], regions: ["53"], epcis: ["200046977"]}
        """,
    )
    for depcom in ("75056", "59350", "35238", "69123"):  # Paris, Lille (Nord), Rennes (Bretagne), Lyon (Métropole)
        assert value(e, household({"a": ADULT_40}, depcom=depcom), "a") == 100.0, depcom
    outside = household({"a": ADULT_40}, depcom="13055")  # Marseille
    assert value(e, outside, "a") == 0.0
    territory = e.rules.quantities["test_pass_territoire"]
    assert e.rules.quantities["test_pass"].defined_for == "test_pass_territoire"
    assert territory.label.startswith("Résider dans la commune 75056 ou dans le département : Nord")
    assert set(territory.reads) == {"depcom", "departement", "region", "epci"}
    assert "Bretagne" in territory.label and "Métropole de Lyon" in territory.label
    assert reason(e, outside, "a") == f"Condition non remplie : {territory.label[0].lower()}{territory.label[1:]}."


def test_age_of_the_person_inclusive_on_the_first_day_of_the_month(tmp_path):
    e = one(tmp_path, "conditions:\n  - age: {min: 16, max: 25}\n")
    assert value(e, household({"a": ADULT_25}), "a") == 100.0
    assert value(e, household({"a": {"date_naissance": "2000-10-31"}}), "a") == 0.0  # 26 on 1 November
    assert value(e, household({"a": {"date_naissance": "2010-11-01"}}), "a") == 100.0  # 16 that day
    assert (
        reason(e, household({"a": ADULT_40}), "a")
        == "Condition non remplie : avoir entre 16 et 25 ans (vous avez 40 ans)."
    )


def test_age_of_any_child_and_of_the_applicant_in_a_famille_aide(tmp_path):
    e = one(
        tmp_path,
        "conditions:\n  - age: {of: any_child, max: 10}\n  - age: {of: applicant, min: 30}\n",
        entity="famille",
    )
    assert value(e, household({"a": ADULT_40}, {"k": CHILD_10}), "famille") == 100.0
    assert value(e, household({"a": ADULT_40}, {"k": CHILD_17}), "famille") == 0.0
    assert value(e, household({"a": ADULT_25}, {"k": CHILD_10}), "famille") == 0.0
    text = reason(e, household({"a": ADULT_25}, {"k": CHILD_17}), "famille")
    assert text == (
        "Conditions non remplies : un enfant : avoir au plus 10 ans (aucune personne concernée n'a au plus 10 ans) ; "
        "avoir au moins 30 ans (le demandeur a 25 ans)."
    )


def test_age_of_any_member(tmp_path):
    e = one(tmp_path, "conditions:\n  - age: {of: any_member, min: 60}\n", entity="menage")
    assert value(e, household({"a": ADULT_40, "b": {"date_naissance": "1960-01-01"}}), "menage") == 100.0
    assert value(e, household({"a": ADULT_40, "b": ADULT_25}), "menage") == 0.0


def test_activity(tmp_path):
    e = one(tmp_path, "conditions:\n  - activity: {in: [etudiant, chomeur]}\n")
    assert value(e, household({"a": {**ADULT_25, "activite": "etudiant"}}), "a") == 100.0
    assert value(e, household({"a": {**ADULT_25, "activite": "chomeur"}}), "a") == 100.0
    worker = household({"a": {**ADULT_25, "activite": "actif"}})
    assert value(e, worker, "a") == 0.0
    assert reason(e, worker, "a") == (
        "Condition non remplie : être étudiant ou demandeur d'emploi "
        "(votre situation n'est pas : étudiant ou demandeur d'emploi)."
    )


def test_apprentice(tmp_path):
    e = one(tmp_path, "conditions:\n  - apprentice: {of: applicant}\n")
    assert value(e, household({"a": {**ADULT_25, "apprenti": True}}), "a") == 100.0
    assert value(e, household({"a": ADULT_25}), "a") == 0.0


def test_school_of_any_child(tmp_path):
    e = one(tmp_path, "conditions:\n  - school: {of: any_child, in: [college, lycee]}\n", entity="famille")
    assert value(e, household({"a": ADULT_40}, {"k": {**CHILD_10, "scolarite": "college"}}), "famille") == 100.0
    assert value(e, household({"a": ADULT_40}, {"k": {**CHILD_10, "scolarite": "primaire"}}), "famille") == 0.0


def test_disability_rate(tmp_path):
    e = one(tmp_path, "conditions:\n  - disability: {min_rate: 0.5}\n")
    assert value(e, household({"a": {**ADULT_40, "taux_incapacite": 0.5}}), "a") == 100.0
    low = household({"a": {**ADULT_40, "taux_incapacite": 0.3}})
    assert value(e, low, "a") == 0.0
    assert reason(e, low, "a") == (
        "Condition non remplie : avoir un taux d'incapacité d'au moins 50 % "
        "(le taux d'incapacité (30\u202f%) est inférieur à 50 %)."
    )


def test_children_by_number_and_age(tmp_path):
    e = one(tmp_path, "conditions:\n  - children: {min: 2, age_max: 17}\n", entity="famille")
    assert value(e, household({"a": ADULT_40}, {"k": CHILD_10, "l": CHILD_17}), "famille") == 100.0
    older = household({"a": ADULT_40}, {"k": CHILD_10, "l": {"date_naissance": "2007-01-01"}})
    assert value(e, older, "famille") == 0.0
    assert reason(e, older, "famille") == (
        "Condition non remplie : avoir au moins 2 enfants d'au plus 17 ans (le foyer compte 1 enfant(s) d'au plus 17 ans)."
    )


def test_single_parent_and_couple(tmp_path):
    single = one(tmp_path / "a", "conditions:\n  - single_parent: true\n", entity="famille")
    assert value(single, household({"a": ADULT_40}, {"k": CHILD_10}), "famille") == 100.0
    assert value(single, household({"a": ADULT_40, "b": ADULT_25}, {"k": CHILD_10}), "famille") == 0.0
    assert value(single, household({"a": ADULT_40}), "famille") == 0.0  # no child
    alone = one(tmp_path / "b", "conditions:\n  - couple: false\n")
    assert value(alone, household({"a": ADULT_40}), "a") == 100.0
    assert value(alone, household({"a": ADULT_40, "b": ADULT_25}), "a") == 0.0


def test_resources_under_a_ceiling_of_the_legislation(tmp_path):
    e = one(
        tmp_path,
        "conditions:\n  - resources: {quantity: quotient_familial, max: {law: test.qf.plafond}}\n",
        entity="famille",
    )
    assert value(e, household({"a": ADULT_40}, famille={"quotient_familial": 700}), "famille") == 100.0
    over = household({"a": ADULT_40}, famille={"quotient_familial": 700.01})
    assert value(e, over, "famille") == 0.0
    assert reason(e, over, "famille") == (
        "Condition non remplie : quotient familial sous le plafond de l'aide "
        "(quotient familial : 700,01\u202f€, au-dessus du plafond de 700,00\u202f€)."
    )


def test_resources_of_year_n_2_by_default_for_a_yearly_quantity(tmp_path):
    e = one(
        tmp_path,
        "conditions:\n  - resources: {quantity: rfr, max: {law: test.rfr.plafond}}\n",
        entity="foyer_fiscal",
    )
    assert e.rules.quantities["test_pass"].reads == ("rfr",)
    # 20,000 € of taxable salaries in 2024 (N-2 of 2026): 18,000 after the 10 % deduction.
    poor = household({"a": {**ADULT_40}}, foyer={})
    poor["individus"]["a"]["salaire_imposable"] = {"2024": 20000}
    assert value(e, poor, "foyer") == 100.0
    rich = household({"a": {**ADULT_40}})
    rich["individus"]["a"]["salaire_imposable"] = {"2024": 30000, "2026": 0}
    assert value(e, rich, "foyer") == 0.0
    assert "de l'année N-2" in reason(e, rich, "foyer")


def test_receives_another_aide(tmp_path):
    e = one(tmp_path, "conditions:\n  - receives: {any_of: [rsa, aah]}\n", entity="famille")
    assert value(e, household({"a": ADULT_40}, famille={"rsa": 300}), "famille") == 100.0
    assert value(e, household({"a": {**ADULT_40, "aah": 900}}), "famille") == 100.0
    nothing = household({"a": ADULT_40})
    assert value(e, nothing, "famille") == 0.0
    assert reason(e, nothing, "famille") == (
        "Condition non remplie : percevoir : Revenu de solidarité active ou Allocation aux adultes handicapés "
        "(le foyer ne perçoit pas : Revenu de solidarité active ou Allocation aux adultes handicapés)."
    )
    assert set(e.rules.quantities["test_pass"].reads) == {"rsa", "aah"}


def test_housing(tmp_path):
    e = one(tmp_path, "conditions:\n  - housing: {in: [locataire_hlm, locataire_vide]}\n", entity="menage")
    assert value(e, household({"a": ADULT_40}, menage={"statut_occupation_logement": "locataire_hlm"}), "menage") == 100
    owner = household({"a": ADULT_40}, menage={"statut_occupation_logement": "proprietaire"})
    assert value(e, owner, "menage") == 0.0


def test_any_of_and_not_are_one_condition_each(tmp_path):
    e = one(
        tmp_path,
        """
        conditions:
          - any_of:
              - age: {max: 25}
              - activity: {in: [etudiant]}
          - not: {activity: {in: [retraite]}}
            label: Ne pas être retraité
        """,
    )
    assert value(e, household({"a": ADULT_25}), "a") == 100.0
    assert value(e, household({"a": {**ADULT_40, "activite": "etudiant"}}), "a") == 100.0
    assert value(e, household({"a": {**ADULT_40, "activite": "actif"}}), "a") == 0.0
    retired = household({"a": {**ADULT_25, "activite": "retraite"}})
    assert value(e, retired, "a") == 0.0
    assert reason(e, retired, "a").startswith("Condition non remplie : ne pas être retraité")
    explained = e.explain(household({"a": ADULT_25}), "test_pass", PERIOD, "a")
    assert explained.conditions() == [
        "Au moins une condition : avoir au plus 25 ans ; être étudiant",
        "Ne pas être retraité",
    ]


# ---- Amounts ----------------------------------------------------------------------------------


def test_an_amount_per_child_capped(tmp_path):
    e = one(
        tmp_path,
        "conditions:\n  - territory: {communes: ['75056']}\n",
        entity="famille",
        amount="amount:\n  value: {law: test.pass.montant}\n  per: {children: {age_max: 17}}\n  cap: {law: test.pass.plafond}\n",
    )
    two = household({"a": ADULT_40}, {"k": CHILD_10, "l": CHILD_17})
    assert value(e, two, "famille") == 200.0  # 2 × 100
    three = household({"a": ADULT_40}, {"k": CHILD_10, "l": CHILD_17, "m": CHILD_10})
    assert value(e, three, "famille") == 250.0  # 3 × 100, capped at 250
    none = household({"a": ADULT_40})
    assert value(e, none, "famille") == 0.0
    assert reason(e, none, "famille") == (
        "Condition non remplie : au moins un(e) enfant d'au plus 17 ans (le foyer ne compte aucun(e) enfant d'au plus 17 ans)."
    )


def test_an_amount_per_member_of_an_age(tmp_path):
    e = one(
        tmp_path,
        "conditions:\n  - territory: {communes: ['75056']}\n",
        entity="menage",
        amount="amount:\n  value: {law: test.pass.montant}\n  per: {members: {age: {min: 18}}}\n",
    )
    assert value(e, household({"a": ADULT_40, "b": ADULT_25}, {"k": CHILD_10}), "menage") == 200.0


def test_a_right_without_an_amount(tmp_path):
    e = one(tmp_path, "type: bool\nconditions:\n  - age: {max: 25}\n", amount="")
    assert e.compute(household({"a": ADULT_25}), ["test_pass"], PERIOD)["test_pass"]["a"] is True
    assert e.compute(household({"a": ADULT_40}), ["test_pass"], PERIOD)["test_pass"]["a"] is False


def test_a_yearly_aide_reads_monthly_values_on_its_first_month(tmp_path):
    e = one(tmp_path, "period: year\nconditions:\n  - age: {max: 25}\n")
    # 25 on 1 January 2026, 26 on 1 November.
    born = {"date_naissance": "2000-09-01"}
    assert e.compute(household({"a": born}), ["test_pass"], "2026")["test_pass"]["a"] == 100.0


# ---- Declared reads, metadata --------------------------------------------------------------------


def test_reads_and_law_are_exactly_what_the_file_names(tmp_path):
    e = one(
        tmp_path,
        """
        conditions:
          - territory: {departements: ["59"]}
          - receives: {any_of: [rsa]}
          - resources: {quantity: quotient_familial, max: {law: test.qf.plafond}}
        """,
        amount="amount:\n  value: {law: test.pass.montant}\n  cap: {law: test.pass.plafond}\n",
    )
    aide = e.rules.quantities["test_pass"]
    assert set(aide.reads) == {"test_pass_territoire", "rsa", "quotient_familial"}
    assert set(aide.law) == {"test.qf.plafond", "test.pass.montant", "test.pass.plafond"}
    assert e.rules.quantities["test_pass_territoire"].reads == ("departement",)
    assert "test_pass" in e.rules.graph.downstream("rsa")


def test_metadata_and_verification_are_the_aides(tmp_path):
    e = one(tmp_path, "conditions:\n  - age: {max: 25}\n    label: Avoir 25 ans au plus\n")
    info = e.rules.aides["test_pass"].info
    assert info.label == "Pass de test" and info.periodicity == "yearly" and info.institution == "ville_test"
    assert info.verification is not None and str(info.verification.url) == "https://test.example.org/pass"
    assert info.verification.checked_on.isoformat() == "2026-11-20" and info.verification.status == "verified"
    assert info.conditions == ("Avoir 25 ans au plus",)
    assert info.source == "aides/test_pass.yaml"
    partner = e.rules.partners["mesaides-partner-test"]
    assert partner.institutions[0].logo is not None and partner.institutions[0].logo.name == "logo_ville_test.png"


# ---- Errors ------------------------------------------------------------------------------------

GOOD = aide_file("test_bon", "conditions:\n  - age: {max: 25}\n" + AMOUNT)


def problems_of(tmp_path, name: str, text: str) -> list[str]:
    """Load a partner with a good aide and ``text`` in ``aides/<name>``: the good one loads, the
    problems of the other are returned (each line naming the partner, the file...)."""
    rules = load(tmp_path, {"test_bon.yaml": GOOD, name: text})
    assert "test_bon" in rules.aides and "test_bon" not in rules.unavailable
    prefix = "partner_test (mesaides-partner-test): "
    assert all(p.startswith(prefix) for p in rules.problems), rules.problems
    return [p[len(prefix) :] for p in rules.problems]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "conditions:\n  - age: {maxi: 25}\n" + AMOUNT,
            "aides/test_faux.yaml: aide test_faux: conditions[0].age: unknown key 'maxi' (did you mean 'max'?)",
        ),
        (
            "conditions:\n  - agee: {max: 25}\n" + AMOUNT,
            "aides/test_faux.yaml: aide test_faux: conditions[0]: unknown key 'agee' (did you mean 'age'?)",
        ),
        (
            "conditions:\n  - activity: {in: [etudant]}\n" + AMOUNT,
            "aides/test_faux.yaml: aide test_faux: conditions[0].activity.in: 'etudant' is not a value of activite "
            "(did you mean 'etudiant'?)",
        ),
        (
            "conditions:\n  - territory: {communes: ['7505']}\n" + AMOUNT,
            "aides/test_faux.yaml: aide test_faux: conditions[0].territory.communes: '7505' is not the INSEE code "
            "of a commune",
        ),
        (
            "conditions:\n  - territory: {departements: ['100']}\n" + AMOUNT,
            "aides/test_faux.yaml: aide test_faux: conditions[0].territory.departements: '100' is not the INSEE code "
            "of a département",
        ),
        (
            "conditions:\n  - age: {max: 25}\namount:\n  value: 150\n",
            "aides/test_faux.yaml: aide test_faux: amount.value: a bare number (150) is not an amount: give a dated "
            "legislation value {law: <path>}",
        ),
        (
            "quota: true\nconditions:\n  - age: {max: 25}\n" + AMOUNT,
            "aides/test_faux.yaml: aide test_faux: refused by convention rule A2",
        ),
        (
            "requires_human_decision: true\nconditions:\n  - age: {max: 25}\n" + AMOUNT,
            "aides/test_faux.yaml: aide test_faux: refused by convention rule A2 (an aide that erases a debt, is "
            "granted by a human committee or within an unpredictable quota is not integrable): "
            "requires_human_decision: A2(b)",
        ),
        (
            "conditions:\n  - age: {max: 25}\n    otherwise: vous avez {age} ans\n" + AMOUNT,
            "aides/test_faux.yaml: aide test_faux: conditions[0].otherwise: a sentence of the file has no figures",
        ),
        (
            "conditions: []\n" + AMOUNT,
            "aides/test_faux.yaml: aide test_faux: conditions: List should have at least 1 item",
        ),
        (
            "conditions:\n  - age: {max: 25}\n",
            "aides/test_faux.yaml: aide test_faux: an aide of type float needs an amount",
        ),
        (
            "conditions:\n  - age: {of: any_child, max: 25}\n" + AMOUNT,
            "aides/test_faux.yaml: aide test_faux: conditions[0].age.of: any_child reads a group's members",
        ),
    ],
)
def test_a_file_refused_by_the_format(tmp_path, body, expected):
    found = problems_of(tmp_path, "test_faux.yaml", aide_file("test_faux", body))
    assert any(p.startswith(expected) for p in found), found


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "conditions:\n  - resources: {quantity: quotient_familliale, max: {law: test.qf.plafond}}\n" + AMOUNT,
            "aides/test_faux.yaml: aide test_faux: conditions[0].resources.quantity: unknown quantity or Parameter "
            "'quotient_familliale' (did you mean 'quotient_familial'?)",
        ),
        (
            "conditions:\n  - receives: {any_of: [rsaa]}\n" + AMOUNT,
            "aides/test_faux.yaml: aide test_faux: conditions[0].receives.any_of[0]: unknown quantity or Parameter "
            "'rsaa' (did you mean 'rsa'?)",
        ),
        (
            "conditions:\n  - age: {max: 25}\namount:\n  value: {law: test.pass.montnt}\n",
            "aides/test_faux.yaml: aide test_faux: amount.value.law: unknown legislation value 'test.pass.montnt' "
            "(did you mean 'test.pass.montant'?)",
        ),
        (
            "conditions:\n  - resources: {quantity: rfr, max: {law: test.rfr.plafond}, period: this_month}\n" + AMOUNT,
            "aides/test_faux.yaml: aide test_faux: conditions[0].resources.period: rfr is yearly: use this_year or "
            "last_year or year_n_2",
        ),
        (
            "conditions:\n  - resources: {quantity: depcom, max: {law: test.rfr.plafond}}\n" + AMOUNT,
            "aides/test_faux.yaml: aide test_faux: conditions[0].resources.quantity: depcom is a str, not a number",
        ),
    ],
)
def test_a_file_refused_for_a_name_the_rules_do_not_have(tmp_path, body, expected):
    found = problems_of(tmp_path, "test_faux.yaml", aide_file("test_faux", body))
    assert found == [expected]


def test_invalid_yaml_a_misnamed_file_and_a_duplicate_name(tmp_path):
    found = problems_of(tmp_path / "a", "test_faux.yaml", "id: test_faux\nconditions: [age: {max: 25}\n")
    assert len(found) == 1 and found[0].startswith("aides/test_faux.yaml: not valid YAML")
    found = problems_of(
        tmp_path / "b", "autre_nom.yaml", aide_file("test_faux", "conditions:\n  - age: {max: 25}\n" + AMOUNT)
    )
    assert found == [
        "aides/autre_nom.yaml: aide test_faux: id: the file of aide test_faux is named test_faux.yaml, not autre_nom"
    ]
    found = problems_of(tmp_path / "c", "age.yaml", aide_file("age", "conditions:\n  - age: {max: 25}\n" + AMOUNT))
    assert found == ["aides/age.yaml: aide age: id: the name age is already registered by mesaides-core"]


def test_a_missing_field_names_its_rule_and_field(tmp_path):
    text = aide_file("test_faux", "conditions:\n  - age: {max: 25}\n" + AMOUNT).replace(
        "public_page: https://test.example.org/pass\n", ""
    )
    assert problems_of(tmp_path, "test_faux.yaml", text) == [
        "aides/test_faux.yaml: aide test_faux: public_page: missing"
    ]


def test_an_invalid_partner_card_fails_the_partner_with_the_field(tmp_path):
    from declarative_partner import CARD, write_package

    from mesaides.core.declarative import DataPartner, DeclarativeError

    package = write_package(tmp_path, {"test_bon.yaml": GOOD}, card=CARD.replace("scope: territorial", "scope: local"))
    with pytest.raises(DeclarativeError) as caught:
        DataPartner(package)
    assert str(caught.value).startswith("partner.yaml: scope: input should be 'national' or 'territorial'")


def test_the_documentation_site_shows_the_conditions_the_file_and_the_check(tmp_path):
    from mesaides.core.docs.site import build

    e = one(tmp_path / "pkg", "conditions:\n  - territory: {departements: ['59']}\n  - age: {max: 25}\n")
    build(e.rules, tmp_path / "site")
    page = (tmp_path / "site" / "aides" / "test_pass.html").read_text(encoding="utf-8")
    assert "<li>Résider dans le département : Nord</li><li>Avoir au plus 25 ans</li>" in page
    assert "<code>aides/test_pass.yaml</code>" in page
    assert (
        "Vérifiée le 2026-11-20 sur <a href='https://test.example.org/pass'>https://test.example.org/pass</a>"
        " : Montant et conditions lus sur la page." in page
    )
    assert "<a href='https://test.example.org/deliberation-1'>Délibération du conseil municipal</a>" in page


def test_a_python_partner_loads_its_aides_yaml_beside_its_python_rules(tmp_path):
    from declarative_partner import write_package

    from mesaides.core import Institution, Partner, PartnerPlugin, get_plugin_manager, load_rules

    bad = aide_file("test_faux", "conditions:\n  - age: {maxi: 25}\n" + AMOUNT)
    package = write_package(tmp_path, {"test_bon.yaml": GOOD, "test_faux.yaml": bad})
    (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
    plugin = PartnerPlugin(
        package,
        Partner(
            id="ville_test",
            name="Ville de Test",
            scope="territorial",
            institutions=(Institution(id="ville_test", name="Ville de Test"),),
        ),
        rule_modules=(),
    )
    pm = get_plugin_manager(load_entry_points=False)
    pm.register_plugin(plugin, "partner_py", "mesaides-partner-py", "1.0.0")
    rules = load_rules(pm)
    assert "test_bon" in rules.aides and rules.aides["test_bon"].owner == "mesaides-partner-py"
    assert Engine(rules).compute(household({"a": ADULT_25}), ["test_bon"], PERIOD) == {"test_bon": {"a": 100.0}}
    assert rules.problems == [
        "partner_py (mesaides-partner-py): aides/test_faux.yaml: aide test_faux: conditions[0].age: unknown key 'maxi' "
        "(did you mean 'max'?); known keys: max, min, of"
    ]


def test_an_aide_reading_a_required_partner_that_is_absent_is_unavailable_not_refused(tmp_path):
    from declarative_partner import CARD

    card = CARD.split("parameters:")[0] + 'requires: {mesaides-partner-caf: ">=1.0,<2"}\n'
    rules = load(
        tmp_path,
        {
            "test_bon.yaml": GOOD,
            "test_pass.yaml": aide_file("test_pass", "conditions:\n  - receives: {any_of: [rsa]}\n" + AMOUNT),
        },
        card=card,
    )
    # As for a Python partner: the graph's report, not a refusal of the file.
    assert rules.problems == ["test_pass: reads rsa, which no installed distribution provides"]
    assert "test_pass" in rules.aides
    assert rules.unavailable["test_pass"] == "reads rsa, which no installed distribution provides"
    assert "test_bon" not in rules.unavailable


def test_a_file_read_once_is_taken_from_the_cache_until_it_changes(tmp_path, monkeypatch):
    import json

    from declarative_partner import write_package

    from mesaides.core.declarative import DataPartner

    monkeypatch.setenv("MESAIDES_CACHE_DIR", str(tmp_path / "cache"))
    bad = aide_file("test_faux", "conditions:\n  - age: {maxi: 25}\n" + AMOUNT)
    package = write_package(tmp_path, {"test_bon.yaml": GOOD, "test_faux.yaml": bad})

    def rules():
        pm = get_plugin_manager(load_entry_points=False)
        pm.register_plugin(DataPartner(package), "partner_test", "mesaides-partner-test", "1.0.0", module=package)
        return load_rules(pm)

    first = rules()
    cache = tmp_path / "cache" / "declarative-v1" / f"{package}.json"  # one file per package
    entries = json.loads(cache.read_text(encoding="utf-8"))
    assert [e["id"] for e in entries.values()] == ["test_bon"]  # a refused file is read again each time
    # The entry is what the next loading uses (no YAML parsed, no territory code looked up).
    [key] = entries
    entries[key]["label"] = "Libellé pris dans le cache"
    cache.write_text(json.dumps(entries), encoding="utf-8")
    assert rules().aides["test_bon"].info.label == "Libellé pris dans le cache"
    assert rules().problems == first.problems and len(first.problems) == 1
    # An edited file is another key: read again.
    path = tmp_path / package / "aides" / "test_bon.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("label: Pass de test", "label: Pass modifié"), encoding="utf-8"
    )
    assert rules().aides["test_bon"].info.label == "Pass modifié"


def test_a_flag_of_the_person_or_of_a_member(tmp_path):
    e = one(tmp_path / "a", "conditions:\n  - flag: {quantity: apprenti}\n")
    assert value(e, household({"a": {**ADULT_25, "apprenti": True}}), "a") == 100.0
    assert reason(e, household({"a": ADULT_25}), "a") == "Condition non remplie : apprenti (non : apprenti)."
    e = one(tmp_path / "b", "conditions:\n  - flag: {quantity: handicap, of: any_child}\n", entity="famille")
    assert value(e, household({"a": ADULT_40}, {"k": {**CHILD_10, "handicap": True}}), "famille") == 100.0
    assert value(e, household({"a": ADULT_40}, {"k": CHILD_10}), "famille") == 0.0


def test_an_aide_reads_another_declarative_aide_whatever_the_order_of_their_files(tmp_path):
    # "a_complement" sorts before "z_pass", which it reads: compiled after it all the same.
    reader = aide_file("a_complement", "conditions:\n  - receives: {any_of: [z_pass]}\n" + AMOUNT)
    read = aide_file("z_pass", "conditions:\n  - age: {min: 16, max: 25}\n" + AMOUNT)
    e = engine(tmp_path, {"a_complement.yaml": reader, "z_pass.yaml": read})
    assert e.rules.problems == []
    assert "z_pass" in e.rules.quantities["a_complement"].reads
    young, older = household({"a": ADULT_25}), household({"a": ADULT_40})
    assert e.compute(young, ["a_complement"], PERIOD)["a_complement"]["a"] == 100.0
    assert e.compute(older, ["a_complement"], PERIOD)["a_complement"]["a"] == 0.0
