"""A partner that reads another partner's quantity declares it in ``Partner.takes``: when no
installed distribution computes it, the value is taken from the situation (default 0) and the
reader keeps working; with the provider installed, the provider's value is read."""

import pytest
from click.testing import CliRunner
from test_plugins import make_distribution

from mesaides.core import Engine, get_plugin_manager, load_rules
from mesaides.core.cli import cli

READER = """
    from mesaides.core import FAMILLE, MONTH, Parameter, Partner, hookimpl, quantity, as_aide

    @quantity(FAMILLE, MONTH, label="Aide lisant la pension")
    def reader_aide(c):
        return 500.0 - c("provider_pension")

    @hookimpl
    def mesaides_register_partner(register):
        register(Partner(
            id="reader", name="Lecteur", scope="national",
            requires={"mesaides-partner-provider": ">=0.1,<1"},
            takes=(Parameter(name="provider_pension", entity="famille", period="month",
                             label="Pension du fournisseur"),),
        ))

    @hookimpl
    def mesaides_register_aides(register):
        register(as_aide(reader_aide, {
            "label": "Aide", "description": "Une aide.", "institution": "reader", "periodicity": "monthly",
            "public_page": "https://example.org/aide",
            "apply": [{"kind": "form_printable", "url": "https://example.org/f.pdf", "label": "Formulaire"}],
            "legal_references": [{"title": "Texte", "url": "https://example.org/t"}],
        }))
"""

PROVIDER = """
    from mesaides.core import FAMILLE, MONTH, Partner, hookimpl, quantity

    @quantity(FAMILLE, MONTH, label="Pension calculée", reads=("nb_parents",))
    def provider_pension(c):
        return 100.0 * c("nb_parents")

    @hookimpl
    def mesaides_register_partner(register):
        register(Partner(id="provider", name="Fournisseur", scope="national"))

    @hookimpl
    def mesaides_register_quantities(register):
        register(provider_pension)
"""

SITUATION = {"individus": {"a": {}}, "familles": {"f": {"parents": ["a"]}}}


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    make_distribution(tmp_path, "mesaides-partner-reader", "mesaides_test_reader", READER)
    return tmp_path


def test_without_the_provider_the_value_is_taken_from_the_situation(site):
    rules = load_rules(get_plugin_manager())
    assert "reader_aide" not in rules.unavailable
    assert rules.stand_ins["provider_pension"] == "mesaides-partner-reader"
    stand_in = rules.parameters["provider_pension"]
    assert "aucun partenaire installé ne le calcule" in stand_in.label
    engine = Engine(rules)
    assert engine.compute(SITUATION, ["reader_aide"], "2026-11") == {"reader_aide": {"f": 500.0}}
    given = {**SITUATION, "familles": {"f": {"parents": ["a"], "provider_pension": {"2026-11": 120.0}}}}
    assert engine.compute(given, ["reader_aide"], "2026-11") == {"reader_aide": {"f": 380.0}}


def test_with_the_provider_its_computed_value_is_read(site):
    make_distribution(site, "mesaides-partner-provider", "mesaides_test_provider", PROVIDER)
    rules = load_rules(get_plugin_manager())
    assert "provider_pension" not in rules.stand_ins
    assert rules.quantities["provider_pension"].owner == "mesaides-partner-provider"
    assert Engine(rules).compute(SITUATION, ["reader_aide"], "2026-11") == {"reader_aide": {"f": 400.0}}


def test_mesaides_plugins_says_what_is_taken_from_the_situation(site):
    result = CliRunner().invoke(cli, ["plugins"])
    assert result.exit_code == 0, result.output
    assert "taken from the situation (no installed partner computes them): provider_pension" in result.output


def test_with_a_provider_out_of_range_the_value_is_taken_from_the_situation(site):
    """The reader supports the provider's 0.x only: with 2.0 installed, it reads the value the
    situation gives (0 when none), as when the provider is absent; the provider still computes
    its own quantity for whoever asks it."""
    make_distribution(site, "mesaides-partner-provider", "mesaides_test_provider", PROVIDER)
    pm = get_plugin_manager()
    pm.records["mesaides_test_provider"].version = "2.0.0"
    rules = load_rules(pm)
    assert "reader_aide" not in rules.unavailable
    engine = Engine(rules)
    assert engine.compute(SITUATION, ["reader_aide"], "2026-11") == {"reader_aide": {"f": 500.0}}
    given = {**SITUATION, "familles": {"f": {"parents": ["a"], "provider_pension": {"2026-11": 120.0}}}}
    assert engine.compute(given, ["reader_aide"], "2026-11") == {"reader_aide": {"f": 380.0}}
    assert engine.compute(SITUATION, ["provider_pension"], "2026-11") == {"provider_pension": {"f": 100.0}}
    assert engine.taken_from_situation(["reader_aide"]) == ("provider_pension",)
    assert "version installée de mesaides-partner-provider" in rules.parameters["provider_pension__reader"].label


OTHER_READER = """
    from mesaides.core import FAMILLE, MONTH, Partner, hookimpl, quantity

    @quantity(FAMILLE, MONTH, label="Autre lecteur")
    def other_reader(c):
        return c("provider_pension") + 1.0

    @hookimpl
    def mesaides_register_partner(register):
        register(Partner(id="other", name="Autre", scope="national"))

    @hookimpl
    def mesaides_register_quantities(register):
        register(other_reader)
"""


def test_a_stand_in_serves_only_the_partners_that_take_it(site):
    make_distribution(site, "mesaides-partner-other", "mesaides_test_other", OTHER_READER)
    rules = load_rules(get_plugin_manager())
    assert "reader_aide" not in rules.unavailable
    assert rules.unavailable["other_reader"] == "reads provider_pension, which no installed distribution provides"


def test_the_cli_and_the_engine_say_what_was_taken_from_the_situation(site, tmp_path):
    import json

    asking = {**SITUATION, "familles": {"f": {"parents": ["a"], "reader_aide": {"2026-11": None}}}}
    path = tmp_path / "situation.json"
    path.write_text(json.dumps(asking))
    engine = Engine(load_rules(get_plugin_manager()))
    assert engine.taken_from_situation(["reader_aide"]) == ("provider_pension",)
    result = CliRunner().invoke(cli, ["calculate", str(path)])
    assert result.exit_code == 0, result.output
    assert "note: provider_pension is taken from the situation (0 when not given)" in result.stderr
    assert json.loads(result.stdout)["familles"]["f"]["reader_aide"] == {"2026-11": 500.0}
