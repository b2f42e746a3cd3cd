"""The hooks of ``hookspecs.py``: each documented in ``core/docs/hooks.md`` with its exact
signature, and each exercised by a test named ``test_hook_<hook name>`` (datasette's two
meta-tests), with those tests below."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest
from core_scenarios import household
from test_plugins import GOOD, make_distribution

from mesaides.core import (
    FAMILLE,
    MONTH,
    Engine,
    Parameter,
    Partner,
    Situation,
    SituationError,
    SituationIssue,
    get_plugin_manager,
    hookimpl,
    load_rules,
    quantity,
)
from mesaides.core.legislation import parse_legislation
from mesaides.core.situation import InconsistentSituation

CORE = Path(__file__).resolve().parents[1]
HOOKSPECS = CORE / "src" / "mesaides" / "core" / "hookspecs.py"
TESTS = Path(__file__).resolve().parent


def hook_signatures() -> dict[str, str]:
    """Each hook's signature exactly as written in hookspecs.py."""
    tree = ast.parse(HOOKSPECS.read_text(encoding="utf-8"))
    return {
        node.name: f"def {node.name}({ast.unparse(node.args)}) -> {ast.unparse(node.returns)}"
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("mesaides_")
    }


def test_every_hook_is_documented():
    doc = (CORE / "docs" / "hooks.md").read_text(encoding="utf-8")
    signatures = hook_signatures()
    assert len(signatures) >= 9
    for name, signature in signatures.items():
        assert f"### {name}\n" in doc, f"{name} has no section in core/docs/hooks.md"
        assert signature in doc, f"core/docs/hooks.md does not give {name}'s signature: {signature}"


def test_every_hook_has_a_test():
    written = {
        m
        for file in TESTS.glob("test_*.py")
        for m in re.findall(r"^def test_hook_(\w+)\(", file.read_text(encoding="utf-8"), re.M)
    }
    assert set(hook_signatures()) - written == set()


# ---- Registration -------------------------------------------------------------------------------


@quantity(FAMILLE, MONTH, label="Prime crochet", reads=("crochet_loyer_plafond",), law=("crochet",))
def crochet_prime(c):
    return c.law("crochet.montant") + 0 * c("crochet_loyer_plafond")


class _Registers:
    @staticmethod
    @hookimpl
    def mesaides_register_partner(register):
        register(Partner(id="crochet", name="Partenaire crochet", scope="territorial"))

    @staticmethod
    @hookimpl
    def mesaides_register_parameters(register):
        register(
            Parameter(
                name="crochet_loyer_plafond", entity=FAMILLE, period=MONTH, label="Plafond", minimum=0.0, maximum=10.0
            )
        )

    @staticmethod
    @hookimpl
    def mesaides_register_legislation(register):
        register(
            parse_legislation(
                {
                    "crochet.montant": {
                        "label": "Montant",
                        "unit": "EUR",
                        "history": [
                            {
                                "from": "2020-01-01",
                                "value": 42.0,
                                "ref": "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000000000042",
                            }
                        ],
                    }
                },
                source="crochet",
            )
        )

    @staticmethod
    @hookimpl
    def mesaides_register_quantities(register):
        register(crochet_prime)


@pytest.fixture
def registered(pm):
    pm.register_plugin(_Registers, "crochet", "mesaides-partner-crochet", "1.0.0")
    return load_rules(pm)


def test_hook_mesaides_register_partner(registered):
    assert registered.partners["mesaides-partner-crochet"].name == "Partenaire crochet"


def test_hook_mesaides_register_parameters(registered):
    parameter = registered.parameters["crochet_loyer_plafond"]
    assert (parameter.owner, parameter.maximum) == ("mesaides-partner-crochet", 10.0)


def test_hook_mesaides_register_legislation(registered):
    data = household()
    data["familles"]["famille"] = {**data["familles"]["famille"], "crochet_prime": {"2026-11": None}}
    del data["familles"]["famille"]["toy_aide"]
    assert Engine(registered).calculate(data)["familles"]["famille"]["crochet_prime"]["2026-11"] == 42.0


def test_hook_mesaides_register_quantities(registered):
    assert registered.quantities["crochet_prime"].owner == "mesaides-partner-crochet"
    assert "crochet_loyer_plafond" in registered.parameters_read_by("crochet_prime")


def test_hook_mesaides_register_aides(site_packages):
    make_distribution(site_packages, "mesaides-partner-good", "mesaides_test_good", GOOD)
    rules = load_rules(get_plugin_manager())
    assert rules.aides["good_bonus"].owner == "mesaides-partner-good"
    assert rules.aides["good_bonus"].info.institution == "good"


@pytest.fixture
def site_packages(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


# ---- Situation ----------------------------------------------------------------------------------


class _Situations:
    """A partner's situation hooks, counting their calls."""

    calls: ClassVar[list[str]] = []

    @staticmethod
    @hookimpl
    def mesaides_prepare_situation(situation, rules):
        _Situations.calls.append("prepare")
        assert isinstance(situation, Situation) and rules.parameters
        # Arrives after the core's own (one group per person), which runs first in plugin order.
        assert situation.menages is not None
        person = situation.individus.get("parent")
        if person is None or "toy_flag" in person:
            return None
        individus = {**situation.individus, "parent": {**person, "toy_flag": {"2026-11": True}}}
        return situation.model_copy(update={"individus": individus})

    @staticmethod
    @hookimpl
    def mesaides_validate_situation(situation):
        _Situations.calls.append("validate")
        flag = situation.individus.get("parent", {}).get("toy_flag", {})
        if flag.get("2026-11") is not True:
            return None
        salaries = situation.individus["parent"].get("salaire_net", {})
        if sum(salaries.values()) > 10_000:
            return [SituationIssue(path="individus.parent.salaire_net", message="too much for a flagged person")]
        return None


@pytest.fixture
def situations_engine(toy_engine):
    pm = get_plugin_manager(load_entry_points=False)
    import toy_plugin

    pm.register_plugin(toy_plugin, "toy", "mesaides-partner-toy", "0.1.0")
    pm.register_plugin(_Situations, "situations", "mesaides-partner-situations", "0.1.0")
    _Situations.calls.clear()
    return Engine(load_rules(pm))


def test_hook_mesaides_prepare_situation(situations_engine):
    # The core's: group tables left out stand for one group per person.
    data = {
        "individus": {
            "a": {"date_naissance": {"ETERNITY": "1990-01-01"}},
            "b": {"date_naissance": {"ETERNITY": "2020-01-01"}},
        },
        "familles": {"f": {"parents": ["a"], "enfants": ["b"], "toy_nb_enfants": {"2026-11": None}}},
    }
    assert situations_engine.calculate(data)["familles"]["f"]["toy_nb_enfants"]["2026-11"] == 1
    # A partner's: once per situation, on the model, and what it adds is read like the rest.
    _Situations.calls.clear()
    population = situations_engine.population(household())
    assert _Situations.calls == ["prepare", "validate"]
    assert population.inputs["toy_flag"][next(iter(population.inputs["toy_flag"]))][0]
    population = situations_engine.population(household())
    assert _Situations.calls == ["prepare", "validate"] * 2


def test_hook_mesaides_validate_situation(situations_engine):
    data = household()
    data["individus"]["parent"]["salaire_net"]["2026-10"] = 20_000.0
    with pytest.raises(InconsistentSituation) as err:
        situations_engine.calculate(data)
    assert [str(i) for i in err.value.issues] == ["individus.parent.salaire_net: too much for a flagged person"]
    # Only once the core's checks pass: a value of the wrong type never reaches the hook.
    _Situations.calls.clear()
    data["individus"]["parent"]["salaire_net"]["2026-10"] = "beaucoup"
    with pytest.raises(SituationError):
        situations_engine.calculate(data)
    assert _Situations.calls == ["prepare"]
    # The core's: unknown commune codes and births in the future.
    data = household()
    data["menages"]["menage"]["depcom"] = {"2026-11": "99999"}
    data["individus"]["enfant1"]["date_naissance"] = {"ETERNITY": "2091-01-01"}
    with pytest.raises(InconsistentSituation) as err:
        situations_engine.calculate(data)
    assert [i.path for i in err.value.issues] == [
        "menages.menage.depcom.2026-11",
        "individus.enfant1.date_naissance.ETERNITY",
    ]


# ---- Documentation and command line ----------------------------------------------------------------

EXTRAS = """
    from mesaides.core import hookimpl

    @hookimpl
    def mesaides_documentation_extras(rules):
        return {"aide_notices": {"good_bonus": ["Montant revalorisé le 1er avril."]},
                "parameter_status": {"salaire_net": "actif (testé)"}}
"""


def test_hook_mesaides_documentation_extras(site_packages, tmp_path):
    from mesaides.core.docs.site import build, collect_extras

    make_distribution(site_packages, "mesaides-partner-good", "mesaides_test_good", GOOD)
    make_distribution(site_packages, "mesaides-docs-extras", "mesaides_test_extras", EXTRAS)
    rules = load_rules(get_plugin_manager(blocked=()))
    extras = collect_extras(rules)
    assert extras.aide_notices["good_bonus"] == ["Montant revalorisé le 1er avril."]
    build(rules, tmp_path / "site", extras=extras)
    assert "Montant revalorisé le 1er avril." in (tmp_path / "site" / "aides" / "good_bonus.html").read_text(
        encoding="utf-8"
    )


COMMANDS = """
    import click
    from mesaides.core import hookimpl

    @hookimpl
    def mesaides_register_commands(cli):
        @cli.command()
        def bonjour():
            click.echo("bonjour depuis un plugin")
"""


def test_hook_mesaides_register_commands(site_packages):
    make_distribution(site_packages, "mesaides-commands", "mesaides_test_commands", COMMANDS)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site_packages), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", "from mesaides.core.cli import main; main()", "bonjour"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "bonjour depuis un plugin\n"), done.stderr


def test_a_situation_is_read_once_even_when_a_hook_changes_it(situations_engine, monkeypatch):
    from mesaides.core import population as population_module

    reads = []
    original = Situation.from_json.__func__

    def counted(cls, data):
        reads.append(data)
        return original(cls, data)

    monkeypatch.setattr(population_module.Situation, "from_json", classmethod(counted))
    _Situations.calls.clear()
    situations_engine.calculate(household())  # the partner's prepare hook adds toy_flag
    assert (len(reads), _Situations.calls) == (1, ["prepare", "validate"])
