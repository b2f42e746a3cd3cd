"""Convention metadata of every CAF aide (A4, A11-A13) and the package's shape."""

from mesaides.core import load_rules
from mesaides.core.testing.partners import check_card_and_logo

CAF = "mesaides-partner-caf"
AIDES = {
    "rsa",
    "ppa",
    "af",
    "cf",
    "asf",
    "paje_base",
    "ars",
    "aide_logement",
    "apl",
    "alf",
    "als",
    "aah",
    "aeeh",
    "caah",
}


def test_every_aide_is_registered_available_and_described():
    rules = load_rules()
    ours = {n for n, a in rules.aides.items() if a.owner == CAF}
    assert ours == AIDES
    for name in AIDES:
        aide = rules.aides[name]
        assert name not in rules.unavailable, rules.unavailable.get(name)
        assert aide.info.institution == "caf"
        assert len(aide.info.description) > 80
        assert str(aide.info.public_page).startswith(("https://www.service-public.fr/", "https://www.caf.fr/"))
        assert aide.info.legal_references and aide.info.apply
    assert rules.aides["ars"].info.periodicity == "yearly"
    assert rules.aides["ars"].period.value == "year"
    assert rules.aides["aah"].entity.key == "individu"


def test_partner_card_and_logo():
    check_card_and_logo(load_rules(), CAF, "national", ["caf"])


def test_every_legislation_value_has_a_dated_legal_reference():
    rules = load_rules()
    nodes = [n for n in rules.legislation if n.owner == CAF]
    assert len(nodes) > 200
    for node in nodes:
        for entry in node.history:
            assert entry.reference.startswith(("https://", "http://")), (node.path, entry.start)


def test_the_rate_of_incapacity_is_within_0_and_1():
    from mesaides.core import Engine, SituationError

    situation = {"individus": {"a": {"taux_incapacite": {"2026-11": 80}, "aah": {"2026-11": None}}}}
    try:
        Engine().calculate(situation)
    except SituationError as exc:
        assert [str(i) for i in exc.issues] == [
            "individus.a.taux_incapacite.2026-11: 80 is above the maximum of taux_incapacite, 1"
        ]
    else:
        raise AssertionError("a rate of 80 was accepted")
