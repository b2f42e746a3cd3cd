"""What a deployment offers a visitor: the aides it computes, counted as the visitor sees them,
and the aides it withholds, with why.

An aide declared as the sum of other aides (``adds``: ``aide_logement`` is whichever of
``apl``, ``alf`` or ``als`` is paid) is one aide for the visitor: its parts are counted with it, on the home page
and in what is withheld. Withheld (installed, but not computed for this visitor):

- ``pending``: not validated for the public yet (in preview or development in the registry, or
  in preview in the deployment lock, on a public instance: A6, G4);
- ``suspended``: a calculation defect was not corrected in time (A9);
- ``unavailable``: a partner package it needs is missing or out of range.

An aide the deployment disables, or that the registry refused or removed, is not offered at
all, and not counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from mesaides.core import RuleSet
from mesaides.web.deployment.running import DISABLED, CatalogueEntry, Deployment


class Withholding(StrEnum):
    """Why an installed aide is not computed for the visitor."""

    PENDING = "pending"
    SUSPENDED = "suspended"
    UNAVAILABLE = "unavailable"

    def explained(self, count: int) -> str:
        """``3`` → ``3 ne sont pas encore validées pour le public``: French, for the results page."""
        one = count == 1
        return {
            Withholding.PENDING: f"{count} {'n’est' if one else 'ne sont'} pas encore validée{'' if one else 's'} pour le "
            f"public par {'l’organisme qui la verse' if one else 'les organismes qui les versent'} "
            "et l’équipe du simulateur",
            Withholding.SUSPENDED: f"{count} {'est suspendue' if one else 'sont suspendues'} le temps de corriger "
            "une erreur de calcul",
            Withholding.UNAVAILABLE: f"{count} {'est indisponible' if one else 'sont indisponibles'} sur ce simulateur",
        }[self]


PENDING_STATUSES = ("preview", "development")
"""Statuses of an aide not validated for the public yet (registry or lock)."""
NOT_OFFERED = (DISABLED, "refused", "removed")
"""Statuses of an aide this deployment does not offer at all (not counted as withheld)."""


@dataclass(frozen=True)
class WithheldAide:
    name: str
    label: str
    why: Withholding


@dataclass(frozen=True)
class Offer:
    computed: tuple[str, ...]
    """The labels of the aides computed for the visitor, one per aide as the visitor sees it."""
    withheld: tuple[WithheldAide, ...]

    def withheld_by_reason(self) -> list[tuple[Withholding, int]]:
        """How many aides are withheld for each reason, in the order of :class:`Withholding`."""
        counts = {why: sum(1 for w in self.withheld if w.why == why) for why in Withholding}
        return [(why, n) for why, n in counts.items() if n]


def aide_sums(rules: RuleSet, names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each aide of ``names`` declared as the sum of other aides of ``names`` (``adds`` only:
    ``aide_logement`` adds ``apl``, ``alf`` and ``als``), with those parts. The home page counts
    such an aide once with its parts, and the results page lists it once."""
    names = set(names)
    sums = {}
    for name in names:
        q = rules.quantities[name]
        if q.adds and not q.subtracts and all(part in rules.aides and part in names for part in q.adds):
            sums[name] = tuple(q.adds)
    return sums


def aide_parts(rules: RuleSet, names: Iterable[str]) -> dict[str, str]:
    """Each aide of ``names`` that another one of them adds up (:func:`aide_sums`), mapped to it."""
    return {part: whole for whole, parts in aide_sums(rules, names).items() for part in parts}


def withholding(entry: CatalogueEntry) -> Withholding | None:
    """Why ``entry`` is withheld from the visitor, or None when it is computed or not offered."""
    if entry.shown or entry.state.status in NOT_OFFERED:
        return None
    if entry.unavailable is not None:
        return Withholding.UNAVAILABLE
    if entry.state.status == "suspended":
        return Withholding.SUSPENDED
    if entry.state.status in PENDING_STATUSES:
        return Withholding.PENDING
    return None


def offer(deployment: Deployment) -> Offer:
    return offer_of(deployment.rules, deployment.catalogue())


def offer_of(rules: RuleSet, catalogue: Iterable[CatalogueEntry]) -> Offer:
    entries = list(catalogue)
    offered = {e.name: e for e in entries if e.shown or withholding(e) is not None}
    # A part goes with its aggregate when both are computed, or both withheld.
    parts = {part for part, whole in aide_parts(rules, offered).items() if offered[part].shown == offered[whole].shown}
    one_each = [e for e in entries if e.name in offered and e.name not in parts]
    computed = tuple(sorted((e.aide.info.label for e in one_each if e.shown), key=str.lower))
    withheld = tuple(
        WithheldAide(e.name, e.aide.info.label, why)
        for e in sorted(one_each, key=lambda e: e.aide.info.label.lower())
        if (why := withholding(e)) is not None
    )
    return Offer(computed=computed, withheld=withheld)
