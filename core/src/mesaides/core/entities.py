"""The entities of a French social-benefits situation, as OpenFisca-France defines them.

Persons (``individu``) belong to exactly one group of each group entity, with a role in it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Role(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    """The key of the role in the situation JSON (``parents``)."""
    label: str
    max: int | None = None
    """How many persons the role may hold in one group, when limited."""


class Entity(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    plural: str
    label: str
    roles: tuple[Role, ...] = ()

    @property
    def is_person(self) -> bool:
        return not self.roles

    def role(self, key: str) -> Role:
        for role in self.roles:
            if role.key == key:
                return role
        raise KeyError(f"entity {self.key!r} has no role {key!r}")

    def role_index(self, key: str) -> int:
        for i, role in enumerate(self.roles):
            if role.key == key:
                return i
        known = ", ".join(r.key for r in self.roles)
        raise KeyError(f"entity {self.key!r} has no role {key!r} (roles: {known})")

    def __str__(self) -> str:
        return self.key


INDIVIDU = Entity(key="individu", plural="individus", label="Individu")
FAMILLE = Entity(
    key="famille",
    plural="familles",
    label="Famille (au sens des prestations familiales et sociales)",
    roles=(Role(key="parents", label="Parents", max=2), Role(key="enfants", label="Enfants")),
)
FOYER_FISCAL = Entity(
    key="foyer_fiscal",
    plural="foyers_fiscaux",
    label="Foyer fiscal",
    roles=(
        Role(key="declarants", label="Déclarants", max=2),
        Role(key="personnes_a_charge", label="Personnes à charge"),
    ),
)
MENAGE = Entity(
    key="menage",
    plural="menages",
    label="Ménage (logement)",
    roles=(
        Role(key="personne_de_reference", label="Personne de référence", max=1),
        Role(key="conjoint", label="Conjoint", max=1),
        Role(key="enfants", label="Enfants"),
        Role(key="autres", label="Autres"),
    ),
)

ENTITIES: tuple[Entity, ...] = (INDIVIDU, FAMILLE, FOYER_FISCAL, MENAGE)
GROUP_ENTITIES: tuple[Entity, ...] = (FAMILLE, FOYER_FISCAL, MENAGE)
ENTITIES_BY_KEY = {e.key: e for e in ENTITIES}
ENTITIES_BY_PLURAL = {e.plural: e for e in ENTITIES}


def entity(key: str | Entity) -> Entity:
    if isinstance(key, Entity):
        return key
    try:
        return ENTITIES_BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown entity {key!r} (known: {', '.join(ENTITIES_BY_KEY)})") from None
