"""Hook implementations for a partner package laid out the usual way, so that each partner's
``plugin.py`` says only what is its own::

    from importlib.resources import files
    from mesaides.core import Institution, Partner, PartnerPlugin

    HERE = files("mesaides.partner_nord")
    plugin = PartnerPlugin(
        "mesaides.partner_nord",
        Partner(id="departement_nord", name="Département du Nord", scope="territorial", ...),
        rule_modules=("activ_emploi",),
    )

with the entry point ``partner_nord = "mesaides.partner_nord.plugin:plugin"``. The layout:

- ``legislation/``: the legislation values (YAML), if the package has any;
- one module per topic, each exposing ``QUANTITIES`` (intermediates) and ``AIDES``;
- ``aides.yaml``: each aide's convention metadata (A4, A11-A13), keyed by the aide's name; keys
  starting with ``_`` hold YAML anchors shared by several aides;
- ``aides/*.yaml``: declarative aides, one per file (``core/docs/declarative.md``), registered
  beside the Python ones. A partner with only those needs no ``plugin.py``: its entry point names
  the package holding its ``partner.yaml``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from mesaides.core.declarative.compiler import DeclaredAide
from mesaides.core.declarative.errors import FileProblem
from mesaides.core.declarative.loader import ReadCache, read_aides
from mesaides.core.definitions import Aide, Parameter, Partner, Quantity, as_aide
from mesaides.core.hookspecs import hookimpl
from mesaides.core.yamlio import load_yaml

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


class RuleModule(Protocol):
    """What :class:`PartnerPlugin` reads from each of a partner's rule modules."""

    QUANTITIES: Sequence[Quantity]
    """The module's quantities that are not aides."""
    AIDES: Sequence[Quantity]
    """The module's aides, as quantities: their metadata comes from the package's ``aides.yaml``."""


class PartnerPlugin:
    """The ``mesaides_register_*`` hooks of one partner package."""

    def __init__(
        self,
        package: str,
        partner: Partner,
        *,
        rule_modules: Sequence[str],
        parameters: Sequence[Parameter] = (),
        legislation: Path | None = None,
    ):
        self.package = package
        self.partner = partner
        self.rule_modules = tuple(rule_modules)
        self.parameters = tuple(parameters)
        self.root = files(package)
        self.legislation = legislation if legislation is not None else self.root / "legislation"

    def __repr__(self) -> str:
        return f"PartnerPlugin({self.package!r})"

    def modules(self) -> list[RuleModule]:
        return [cast(RuleModule, importlib.import_module(f"{self.package}.{name}")) for name in self.rule_modules]

    @hookimpl
    def mesaides_register_partner(self, register: Callable[[Partner], None]) -> None:
        register(self.partner)

    @hookimpl
    def mesaides_register_parameters(self, register: Callable[[Parameter], None]) -> None:
        for parameter in self.parameters:
            register(parameter)

    @hookimpl
    def mesaides_register_legislation(self, register: Callable[[Path | Traversable], None]) -> None:
        if self.legislation.is_dir():
            register(self.legislation)

    @hookimpl
    def mesaides_register_quantities(self, register: Callable[[Quantity], None]) -> None:
        for module in self.modules():
            for q in module.QUANTITIES:
                register(q)

    @hookimpl
    def mesaides_register_aides(self, register: Callable[[Aide | DeclaredAide | FileProblem], None]) -> None:
        aides_yaml = self.root / "aides.yaml"
        metadata = load_yaml(aides_yaml.read_text(encoding="utf-8")) if aides_yaml.is_file() else {}
        for module in self.modules():
            for q in module.AIDES:
                if q.name not in metadata:
                    raise ValueError(f"aide {q.name} has no metadata in {self.package}'s aides.yaml")
                register(as_aide(q, metadata[q.name]))
        # Declarative aides beside the Python ones (issue 16): aides/*.yaml of the package.
        cache = ReadCache.default(self.package)
        for declared in read_aides(self.root, cache):
            register(declared)
        cache.save()
