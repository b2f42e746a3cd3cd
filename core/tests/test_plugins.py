"""Discovery through entry points, with real (if minimal) installed distributions on sys.path."""

import textwrap
from pathlib import Path

import pytest

from mesaides.core import Engine, get_plugin_manager, hookspecs, load_rules


def make_distribution(root: Path, dist: str, module: str, source: str, ep_name: str | None = None) -> None:
    """Write an installed distribution (a ``.dist-info`` with an entry point) and its module."""
    info = root / f"{dist.replace('-', '_')}-0.3.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.3.0\n")
    (info / "entry_points.txt").write_text(f"[mesaides]\n{ep_name or module} = {module}\n")
    (root / f"{module}.py").write_text(textwrap.dedent(source))


GOOD = """
    from mesaides.core import FAMILLE, MONTH, Partner, hookimpl, quantity, as_aide
    import numpy as np

    @quantity(FAMILLE, MONTH, label="Bonus", reads=("nb_parents",))
    def good_bonus(c):
        return 100.0 * c("nb_parents")

    @hookimpl
    def mesaides_register_partner(register):
        register(Partner(id="good", name="Bon partenaire", scope="territorial"))

    @hookimpl
    def mesaides_register_aides(register):
        register(as_aide(good_bonus, {
            "label": "Bonus", "description": "Un bonus.", "institution": "good", "periodicity": "monthly",
            "public_page": "https://example.org/bonus",
            "apply": [{"kind": "form_printable", "url": "https://example.org/f.pdf", "label": "Formulaire"}],
            "legal_references": [{"title": "Délibération", "url": "https://example.org/d"}],
        }))
"""


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_partner_found_through_its_entry_point(site):
    make_distribution(site, "mesaides-partner-good", "mesaides_test_good", GOOD)
    rules = load_rules(get_plugin_manager())
    record = rules.plugins["mesaides_test_good"]
    assert (record.distribution, record.version, record.loaded) == ("mesaides-partner-good", "0.3.0", True)
    assert rules.aides["good_bonus"].owner == "mesaides-partner-good"
    assert rules.partners["mesaides-partner-good"].name == "Bon partenaire"
    result = Engine(rules).compute(
        {"individus": {"a": {}, "b": {}}, "familles": {"f": {"parents": ["a", "b"]}}}, ["good_bonus"], "2026-11"
    )
    assert result == {"good_bonus": {"f": 200.0}}


def test_broken_import_is_reported_and_others_still_load(site):
    make_distribution(site, "mesaides-partner-good", "mesaides_test_good", GOOD)
    make_distribution(site, "mesaides-partner-broken", "mesaides_test_broken", "import does_not_exist\n")
    rules = load_rules(get_plugin_manager())
    broken = rules.plugins["mesaides_test_broken"]
    assert broken.problems == ["cannot be imported: ModuleNotFoundError: No module named 'does_not_exist'"]
    assert "good_bonus" in rules.aides


def test_invalid_declaration_drops_that_partner_only(site):
    make_distribution(site, "mesaides-partner-good", "mesaides_test_good", GOOD)
    make_distribution(
        site,
        "mesaides-partner-invalid",
        "mesaides_test_invalid",
        """
        from mesaides.core import Parameter, hookimpl

        @hookimpl
        def mesaides_register_parameters(register):
            register(Parameter(name="Loyer Mensuel", entity="menage", period="month", label="x"))
        """,
    )
    rules = load_rules(get_plugin_manager())
    [problem] = rules.plugins["mesaides_test_invalid"].problems
    assert problem.startswith("mesaides_register_parameters:") and "'Loyer Mensuel' is not a valid name" in problem
    assert "good_bonus" in rules.aides


def test_duplicate_aide_name_is_refused_for_the_second_distribution(site):
    make_distribution(site, "mesaides-partner-good", "mesaides_test_good", GOOD)
    make_distribution(site, "mesaides-partner-copy", "mesaides_test_copy", GOOD.replace('id="good"', 'id="copy"'))
    rules = load_rules(get_plugin_manager())
    problems = rules.plugins["mesaides_test_good"].problems + rules.plugins["mesaides_test_copy"].problems
    assert len(problems) == 1
    assert "duplicate aide name 'good_bonus': already registered by mesaides-partner-" in problems[0]
    assert "good_bonus" in rules.aides


def test_unknown_hook_is_reported(site):
    make_distribution(
        site,
        "mesaides-partner-typo",
        "mesaides_test_typo",
        """
        from mesaides.core import hookimpl

        @hookimpl
        def mesaides_register_aide(register):
            pass
        """,
    )
    rules = load_rules(get_plugin_manager())
    [problem] = rules.plugins["mesaides_test_typo"].problems
    assert "unknown hook 'mesaides_register_aide'" in problem


def test_same_entry_point_name_in_two_distributions(site):
    make_distribution(site, "mesaides-partner-good", "mesaides_test_good", GOOD, ep_name="partner")
    make_distribution(site, "mesaides-partner-other", "mesaides_test_other", "", ep_name="partner")
    pm = get_plugin_manager()
    ours = ("mesaides-partner-good", "mesaides-partner-other")
    failed = [r for r in pm.records.values() if r.problems and r.distribution in ours]
    assert len(failed) == 1 and "entry point name 'partner' is already used" in failed[0].problems[0]


def test_plugins_can_be_disabled(site, monkeypatch):
    make_distribution(site, "mesaides-partner-good", "mesaides_test_good", GOOD)
    monkeypatch.setenv("MESAIDES_DISABLE_PLUGINS", "mesaides_test_good")
    assert "mesaides_test_good" not in get_plugin_manager().records


def test_every_hook_has_a_full_docstring():
    specs = [getattr(hookspecs, n) for n in dir(hookspecs) if n.startswith("mesaides_")]
    assert len(specs) >= 7
    for spec in specs:
        doc = spec.__doc__ or ""
        assert len(doc.split()) > 25, spec.__name__
        for arg in spec.__code__.co_varnames[: spec.__code__.co_argcount]:
            assert f":param {arg}:" in doc, (spec.__name__, arg)


def test_nothing_loads_at_import_time():
    first, second = get_plugin_manager(load_entry_points=False), get_plugin_manager(load_entry_points=False)
    assert first is not second
