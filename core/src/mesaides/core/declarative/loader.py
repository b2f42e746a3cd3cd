"""Reading declarative partners and aides from a package.

- A **data partner**: a distribution whose ``mesaides`` entry point names a package (not an
  object) holding ``partner.yaml``. :class:`DataPartner` is its plugin: the same hooks as a
  Python partner's :class:`~mesaides.core.partner_plugin.PartnerPlugin`, from files.
- A **Python partner** may carry declarative aides too: ``aides/*.yaml`` in its package are
  registered beside its Python rules.

Each aide file is read on its own: a file with an error registers a
:class:`~mesaides.core.declarative.errors.FileProblem` instead of its aide, and the partner's
other aides still load.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from mesaides.core.declarative.compiler import DeclaredAide
from mesaides.core.declarative.errors import DeclarativeError, FileProblem, from_validation
from mesaides.core.declarative.model import CODES_CHECKED, AideSpec, PartnerCard
from mesaides.core.definitions import Institution, Parameter, Partner
from mesaides.core.hookspecs import hookimpl
from mesaides.core.inference import InferenceCache
from mesaides.core.yamlio import YAMLError, load_yaml

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

PARTNER_FILE = "partner.yaml"
AIDES_DIR = "aides"


def is_data_partner(plugin: object) -> bool:
    """An entry point naming a package with a ``partner.yaml`` and no hooks of its own."""
    if not isinstance(plugin, ModuleType):
        return False
    try:
        return (files(plugin.__name__) / PARTNER_FILE).is_file()
    except (ModuleNotFoundError, TypeError):
        return False


def read_aides(root: Traversable | Path, cache: ReadCache | None = None) -> Iterator[DeclaredAide | FileProblem]:
    """Each ``aides/*.yaml`` of a package, read and validated, or its problems."""
    folder = root / AIDES_DIR
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.endswith((".yaml", ".yml")):
            yield from read_aide(path.read_text(encoding="utf-8"), f"{AIDES_DIR}/{path.name}", cache)


def read_aide(text: str, file: str, cache: ReadCache | None = None) -> Iterator[DeclaredAide | FileProblem]:
    """One aide file: the aide, or every problem found in it."""
    key = ReadCache.key(file, text)
    known = cache.get(key) if cache is not None else None
    if known is not None:
        try:
            yield DeclaredAide(AideSpec.model_validate(known, context=CODES_CHECKED), file)
            return
        except ValidationError:
            pass  # an entry of an older format: read the file again
    try:
        data = load_yaml(text)
    except YAMLError as exc:
        yield FileProblem(file, None, "", f"not valid YAML: {' '.join(str(exc).split())}")
        return
    if not isinstance(data, dict):
        yield FileProblem(file, None, "", "expected a mapping of the aide's fields (id, label, conditions...)")
        return
    aide = data.get("id") if isinstance(data.get("id"), str) else None
    try:
        spec = AideSpec.model_validate(data)
    except ValidationError as exc:
        yield from from_validation(file, aide, exc).problems
        return
    stem = file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem != spec.id:
        yield FileProblem(file, spec.id, "id", f"the file of aide {spec.id} is named {spec.id}.yaml, not {stem}")
        return
    if cache is not None:
        cache.put(key, data)
    yield DeclaredAide(spec, file)


class ReadCache:
    """Aide files already read and found valid, kept between start-ups as the engine keeps its
    inferences (:class:`~mesaides.core.inference.InferenceCache`): keyed by the file's name and
    text, the entry is the file's data, validated again without parsing the YAML nor checking
    its territory codes against the geography table (reading that table, and the YAML, are
    most of the cost of loading declarative aides). One file, in the same folder as the
    inference cache (``MESAIDES_CACHE_DIR=""`` turns both off); written only when an
    entry was added; a cache that cannot be read or written is not used."""

    VERSION = 1
    """Changes whenever what a valid file is changes (the checks it skips)."""
    MAX_ENTRIES = 4096

    def __init__(self, path: Path | None):
        self.path = path
        self._entries: dict[str, Any] = {}
        self._used: set[str] = set()
        self._added = False
        if path is not None:
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = {}
            self._entries = loaded if isinstance(loaded, dict) else {}

    @classmethod
    def default(cls, package: str) -> ReadCache:
        """The user's cache for ``package``'s files, beside the inference cache: one file per
        package, so that each partner reads only its own entries at start-up."""
        inference = InferenceCache.default_path()
        if inference is None:
            return cls(None)
        return cls(inference.parent / f"declarative-v{cls.VERSION}" / f"{package}.json")

    @staticmethod
    def key(file: str, text: str) -> str:
        return hashlib.blake2b(f"{file}\0{text}".encode(), digest_size=16).hexdigest()

    def get(self, key: str) -> Any:
        self._used.add(key)
        return self._entries.get(key)

    def put(self, key: str, data: Any) -> None:
        try:
            self._entries[key] = json.loads(json.dumps(data, default=str))
        except (TypeError, ValueError):
            return
        self._added = True

    def save(self) -> None:
        """Add this loading's entries to the file (other partners' stay), atomically."""
        if self.path is None or not self._added:
            return
        try:
            on_disk = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            on_disk = {}
        mine = {k: v for k, v in self._entries.items() if k in self._used}
        entries = {**on_disk, **mine} if isinstance(on_disk, dict) else mine
        if len(entries) > self.MAX_ENTRIES:
            entries = mine  # edits leave old keys behind: keep what this loading read
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.path.parent, delete=False, encoding="utf-8") as out:
                json.dump(entries, out)
            os.replace(out.name, self.path)
        except OSError:
            return
        self._added = False


def read_card(root: Traversable | Path) -> tuple[Partner, tuple[Parameter, ...]]:
    """The partner card and the Parameters it declares.

    :raises DeclarativeError: the card is invalid (the file, each field and the problem).
    """
    file = PARTNER_FILE
    try:
        data = load_yaml((root / file).read_text(encoding="utf-8"))
    except YAMLError as exc:
        raise DeclarativeError([FileProblem(file, None, "", f"not valid YAML: {' '.join(str(exc).split())}")]) from None
    try:
        card = PartnerCard.model_validate(data)
    except ValidationError as exc:
        raise from_validation(file, None, exc) from None
    institutions = []
    for i, institution in enumerate(card.institutions):
        logo = None
        if institution.logo is not None:
            found = root / institution.logo
            if not found.is_file():
                raise DeclarativeError(
                    [FileProblem(file, None, f"institutions[{i}].logo", f"no file {institution.logo} in the package")]
                )
            logo = Path(str(found))
        institutions.append(Institution(id=institution.id, name=institution.name, logo=logo))
    partner = Partner(
        id=card.id,
        name=card.name,
        scope=card.scope,
        institutions=tuple(institutions),
        referent_email=card.referent_email,
        requires=card.requires,
        takes=tuple(card.takes),
    )
    return partner, tuple(card.parameters)


class DataPartner:
    """The hooks of a partner made only of data: its card, Parameters, legislation and aides."""

    def __init__(self, package: str):
        self.package = package
        # A real folder (a package without ``__init__.py`` is a namespace package, whose
        # ``files()`` is not a path): the legislation is registered as one.
        self.root = Path(str(next(iter(importlib.import_module(package).__path__))))
        self.partner, self.parameters = read_card(self.root)

    def __repr__(self) -> str:
        return f"DataPartner({self.package!r})"

    @hookimpl
    def mesaides_register_partner(self, register: Callable[[Partner], None]) -> None:
        register(self.partner)

    @hookimpl
    def mesaides_register_parameters(self, register: Callable[[Parameter], None]) -> None:
        for parameter in self.parameters:
            register(parameter)

    @hookimpl
    def mesaides_register_legislation(self, register: Callable[[Any], None]) -> None:
        legislation = self.root / "legislation"
        if legislation.is_dir():
            register(legislation)

    @hookimpl
    def mesaides_register_aides(self, register: Callable[[Any], None]) -> None:
        cache = ReadCache.default(self.package)
        for item in read_aides(self.root, cache):
            register(item)
        cache.save()
