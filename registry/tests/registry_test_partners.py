"""Small partner distributions for the registry's tests, registered through the plugin manager.

- ``mesaides-test-national`` (partner ``nat``, national): the aide ``minimum_test``, a minimum
  income (legislation value ``nat.montant`` minus last month's wages), with its own Parameter
  ``nat_statut_special``.
- ``mesaides-test-departement`` (``dep``, territorial): ``dep_bonus``, 150 € for every member of a
  famille receiving ``minimum_test`` in the Nord (like Activ'Emploi).
- ``mesaides-test-metropole`` (``metro``, territorial): ``metro_jeunes``, 400 € for 18-24 year olds
  who are not students, without ``minimum_test``, in the Métropole de Lyon.
- ``mesaides-test-ville`` (``ville``, territorial): ``ville_aide``, 50 € to people with
  ``nat_statut_special``: it shares a Parameter with ``minimum_test`` without reading it.

Each partner is a :class:`TestPartner` built from a :class:`Spec`; variants (a new version, a
changed legislation value, a missing logo...) are made with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import socket
import struct
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from mesaides.core import (
    FAMILLE,
    INDIVIDU,
    MONTH,
    Formula,
    Institution,
    Parameter,
    Partner,
    Quantity,
    as_aide,
    get_plugin_manager,
    hookimpl,
    load_rules,
    quantity,
)

START = "2026-11-16T09:00:00"
"""The tests' clock starts here."""
REF = "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006074069/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_png(path: Path, width: int = 120, height: int = 120) -> Path:
    """A real (blank, greyscale) PNG image of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )
    return path


def info(label: str, institution: str, **extra: Any) -> dict[str, Any]:
    data = {
        "label": label,
        "description": f"{label} : aide de test du registre.",
        "institution": institution,
        "periodicity": "monthly",
        "public_page": f"https://www.example.org/aides/{institution}",
        "apply": [
            {
                "kind": "teleservice",
                "url": f"https://www.example.org/demande/{institution}",
                "label": "Faire une demande",
            }
        ],
        "legal_references": [{"title": "Code de l'action sociale et des familles", "url": REF}],
        "documentation": "Montant forfaitaire moins les salaires du mois précédent.",
    }
    data.update(extra)
    return data


# ---- rules ---------------------------------------------------------------------------------------

NAT_STATUT_SPECIAL = Parameter(
    name="nat_statut_special",
    entity=INDIVIDU,
    period=MONTH,
    value_type="bool",
    label="Bénéficiaire du statut spécial (test)",
    year_input="dispatch",
)
NAT_ANCIEN = Parameter(
    name="nat_ancien_parametre",
    entity=INDIVIDU,
    period=MONTH,
    value_type="float",
    label="Ancien Parameter (test)",
    year_input="divide",
)


@quantity(FAMILLE, MONTH, label="Ressources du mois précédent (test)", reads=("salaire_net",))
def nat_ressources(c):
    return c.members("salaire_net", c.period.last_month).sum()


@quantity(FAMILLE, MONTH, label="Minimum de test", reads=("nat_ressources", "nat_statut_special"), law=("nat.montant",))
def minimum_test(c):
    special = c.members("nat_statut_special").any()
    return np.maximum(c.law("nat.montant") - c("nat_ressources"), 0) + 10 * special


def minimum_test_with_floor(c):
    """A new formula: a floor of 50 € for any famille whose resources leave something."""
    amount = np.maximum(c.law("nat.montant") - c("nat_ressources"), 0)
    return np.where(amount > 0, np.maximum(amount, 50), 0)


@quantity(INDIVIDU, MONTH, label="Bonus départemental (test)", reads=("minimum_test", "depcom"), law=("dep.montant",))
def dep_bonus(c):
    in_nord = np.char.startswith(c("depcom").astype("U5"), "59")
    return np.where(in_nord & (c("minimum_test") > 0), c.law("dep.montant"), 0.0)


@quantity(
    INDIVIDU, MONTH, label="Aide métropolitaine jeunes (test)", reads=("age", "activite", "minimum_test", "depcom")
)
def metro_jeunes(c):
    age = c("age")
    in_metro = np.isin(c("depcom").astype("U5"), ("69123", "69266", "69259"))
    eligible = (age >= 18) & (age <= 24) & ~c.enum("activite").is_("etudiant") & (c("minimum_test") <= 0) & in_metro
    return np.where(eligible, 400.0, 0.0)


@quantity(INDIVIDU, MONTH, label="Aide de la ville (test)", reads=("nat_statut_special", "depcom"))
def ville_aide(c):
    return np.where(c("nat_statut_special"), 50.0, 0.0)


@quantity(INDIVIDU, MONTH, label="Aide lisant l'ancien Parameter (test)", reads=("nat_ancien_parametre",))
def ville_ancienne(c):
    return c("nat_ancien_parametre") * 0.1


# ---- partners ------------------------------------------------------------------------------------


@dataclass
class Spec:
    partner_id: str
    name: str
    scope: str
    distribution: str
    version: str
    institution: str
    legislation: dict[str, float] = field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    aides: tuple[tuple[Quantity, dict[str, Any]], ...] = ()
    referent_email: str = ""
    logo_size: tuple[int, int] | None = (120, 120)
    logo_name: str | None = None
    cases: tuple[dict[str, Any], ...] = ()

    @property
    def entry_point(self) -> str:
        return self.distribution.replace("mesaides-", "").replace("-", "_")


class TestPartner:
    """A partner plugin built from a :class:`Spec`; its files (legislation, logo, expert cases)
    are written under ``root``."""

    __test__ = False  # not a pytest test class

    def __init__(self, spec: Spec, root: Path):
        self.spec = spec
        self.root = root / f"{spec.distribution}-{spec.version}"
        self.root.mkdir(parents=True, exist_ok=True)
        law = {
            path: {"label": path, "unit": "EUR", "history": [{"from": "2024-01-01", "value": value, "ref": REF}]}
            for path, value in spec.legislation.items()
        }
        (self.root / "legislation.yaml").write_text(yaml.safe_dump(law), encoding="utf-8")
        self.logo = None
        if spec.logo_size is not None:
            self.logo = write_png(self.root / (spec.logo_name or f"logo_{spec.institution}.png"), *spec.logo_size)
        self.cases_dir = self.root / "tests" / "yaml"
        self.cases_dir.mkdir(parents=True, exist_ok=True)
        for i, case in enumerate(spec.cases):
            (self.cases_dir / f"case_{i}.yaml").write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")

    @hookimpl
    def mesaides_register_partner(self, register):
        s = self.spec
        register(
            Partner(
                id=s.partner_id,
                name=s.name,
                scope=s.scope,
                referent_email=s.referent_email,
                institutions=(Institution(id=s.institution, name=s.name, logo=self.logo),),
            )
        )

    @hookimpl
    def mesaides_register_parameters(self, register):
        for p in self.spec.parameters:
            register(p)

    @hookimpl
    def mesaides_register_legislation(self, register):
        if self.spec.legislation:
            register(self.root / "legislation.yaml")

    @hookimpl
    def mesaides_register_quantities(self, register):
        for q in self.spec.quantities:
            register(q)

    @hookimpl
    def mesaides_register_aides(self, register):
        for q, metadata in self.spec.aides:
            register(as_aide(q, metadata))


def case(name: str, output: dict[str, Any], **inputs: Any) -> dict[str, Any]:
    """An expert case in the short form: one person alone in each group."""
    return {"name": name, "period": "2026-11", "absolute_error_margin": 0.01, "input": inputs, "output": output}


def national(version: str = "1.0.0", montant: float = 500.0, **changes: Any) -> Spec:
    spec = Spec(
        partner_id="nat",
        name="Caisse nationale de test",
        scope="national",
        distribution="mesaides-test-national",
        version=version,
        institution="nat",
        legislation={"nat.montant": montant},
        parameters=(NAT_STATUT_SPECIAL,),
        quantities=(nat_ressources,),
        aides=((minimum_test, info("Minimum de test", "nat")),),
        referent_email="referent@nat.example.org",
        cases=(
            case("Sans ressources", {"minimum_test": montant}),
            case("Salaire de 300 €", {"minimum_test": montant - 300}, salaire_net={"2026-10": 300.0}),
        ),
    )
    return replace(spec, **changes)


def departement(version: str = "1.0.0", **changes: Any) -> Spec:
    spec = Spec(
        partner_id="dep",
        name="Département de test (Nord)",
        scope="territorial",
        distribution="mesaides-test-departement",
        version=version,
        institution="dep",
        legislation={"dep.montant": 150.0},
        aides=((dep_bonus, info("Bonus départemental", "dep")),),
        referent_email="referent@dep.example.org",
        cases=(
            case("À Lille, sans ressources", {"dep_bonus": 150.0}, depcom="59350"),
            case("À Lyon, sans ressources", {"dep_bonus": 0.0}, depcom="69123"),
        ),
    )
    return replace(spec, **changes)


def metropole(version: str = "1.0.0", **changes: Any) -> Spec:
    spec = Spec(
        partner_id="metro",
        name="Métropole de test (Lyon)",
        scope="territorial",
        distribution="mesaides-test-metropole",
        version=version,
        institution="metro",
        aides=((metro_jeunes, info("Aide jeunes de la métropole", "metro")),),
        referent_email="referent@metro.example.org",
        cases=(
            case(
                "Jeune salarié à Lyon",
                {"metro_jeunes": 400.0},
                date_naissance="2005-03-01",
                activite="actif",
                salaire_net={"2026-10": 900.0},
                depcom="69123",
            ),
            case(
                "Étudiant à Lyon",
                {"metro_jeunes": 0.0},
                date_naissance="2005-03-01",
                activite="etudiant",
                salaire_net={"2026-10": 900.0},
                depcom="69123",
            ),
        ),
    )
    return replace(spec, **changes)


def ville(version: str = "1.0.0", **changes: Any) -> Spec:
    spec = Spec(
        partner_id="ville",
        name="Ville de test",
        scope="territorial",
        distribution="mesaides-test-ville",
        version=version,
        institution="ville",
        aides=((ville_aide, info("Aide de la ville", "ville")),),
        referent_email="referent@ville.example.org",
        cases=(
            case("Statut spécial", {"ville_aide": 50.0}, nat_statut_special=True),
            case("Sans statut", {"ville_aide": 0.0}),
        ),
    )
    return replace(spec, **changes)


def with_formula(q: Quantity, function) -> Quantity:
    """The same quantity with another formula (a new version of its rules)."""
    return q.model_copy(update={"formulas": (Formula(function=function),)})


class Deployment:
    """A set of partner specs, turned into a rule set on demand."""

    def __init__(self, root: Path):
        self.root = root
        self.plugins: dict[str, TestPartner] = {}

    def rules(self, *specs: Spec):
        pm = get_plugin_manager(load_entry_points=False)
        self.plugins = {}
        for spec in specs:
            plugin = TestPartner(spec, self.root)
            self.plugins[spec.distribution] = plugin
            pm.register_plugin(plugin, spec.entry_point, spec.distribution, spec.version)
        return load_rules(pm)

    def case_dirs(self) -> dict[str, list[Path]]:
        return {dist: [p.cases_dir] for dist, p in self.plugins.items()}
