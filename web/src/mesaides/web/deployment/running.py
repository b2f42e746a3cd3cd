"""A running deployment: the rule set (loaded once), the registry's view of each aide, and the
questionnaire narrowed to the aides this deployment shows.

With a deployment lock (``mesaides serve --deployment deployment.lock``, written by
``mesaides deployment check``), the lock decides which aides are shown and with which status,
and whether this is a preview; the registry still gives the A7 and G3 notices, and an aide it
has suspended, removed or refused since the lock was written is not shown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mesaides.core import Aide, Engine, RuleSet
from mesaides.web.questionnaire import Questionnaire, QuestionsFile, load_questions
from mesaides.web.registry_view import PREVIEW, PUBLISHED, AideState, PublicState, RegistryView
from mesaides.web.settings import Settings

if TYPE_CHECKING:
    from mesaides.web.deployment.lock import Lock

DISABLED = "disabled"
"""The status of an aide the deployment lock does not show (disabled, or not listed)."""
WITHDRAWN = ("suspended", "removed", "refused")
"""Registry statuses that hide an aide whatever the lock says (decided after it was written)."""


class DeploymentLockError(RuntimeError):
    """The deployment lock cannot be served: unreadable, or not what is installed."""


def served_lock(path: Path, rules: RuleSet) -> Lock:
    """Read the lock and check that the installed distributions are exactly the locked ones."""
    from mesaides.web.deployment.lock import LockError, read_lock

    try:
        lock = read_lock(path)
    except LockError as exc:
        raise DeploymentLockError(str(exc)) from None
    installed = {r.distribution: r.version for r in rules.plugins.values()}
    problems = lock.mismatches(installed)
    problems += [
        f"{r.distribution} {r.version} did not load: {p}"
        for r in rules.plugins.values()
        if r.distribution in lock.distributions
        for p in r.problems
    ]
    if problems:
        raise DeploymentLockError(
            f"the deployment lock {path} does not match what is installed: {'; '.join(problems)}. "
            "Check the deployment again (mesaides deployment check) or install the locked versions."
        )
    return lock


@dataclass(frozen=True)
class CatalogueEntry:
    """An installed aide and whether this deployment shows it."""

    name: str
    aide: Aide
    state: AideState
    unavailable: str | None
    shown: bool

    @property
    def preview(self) -> bool:
        return self.state.status == PREVIEW


class Deployment:
    def __init__(
        self,
        settings: Settings,
        engine: Engine | None = None,
        registry: RegistryView | None = None,
        questions: QuestionsFile | None = None,
    ):
        # The rules and what the engine compiled from them may be shared (tests load them once);
        # the caps are this deployment's.
        self.engine = (engine if engine is not None else Engine()).with_limits(settings.limits())
        self.lock = served_lock(settings.deployment, self.engine.rules) if settings.deployment else None
        if self.lock is not None:
            if settings.preview and not self.lock.preview:
                raise DeploymentLockError(
                    f"the deployment lock {settings.deployment} is for a public instance ([instance] preview = false "
                    "in its deployment file): serve it without --preview, or make the deployment a preview"
                )
            settings = settings.model_copy(update={"preview": self.lock.preview})
        self.settings = settings
        self.registry = registry or RegistryView(url=settings.database_url)
        self.questions = questions or load_questions()
        self._questionnaires: dict[tuple[str, ...], Questionnaire] = {}
        self._lock = threading.Lock()

    @property
    def rules(self) -> RuleSet:
        return self.engine.rules

    def today(self) -> dt.date:
        return self.settings.current_date()

    def public_state(self) -> PublicState:
        return self.registry.state()

    def catalogue(self) -> list[CatalogueEntry]:
        """Every installed aide, in registration order, with what the deployment does with it.

        Shown: available (its partners are installed) and published, or in preview on a preview
        deployment (A6, G4). The status is the deployment lock's when one is served; otherwise
        the registry's, and an aide the registry has not synced is taken as published (see
        :mod:`mesaides.web.registry_view`).
        """
        state = self.public_state()
        allowed = {PUBLISHED, PREVIEW} if self.settings.preview else {PUBLISHED}
        out = []
        for name, aide in self.rules.aides.items():
            aide_state = state.aide(name)
            if self.lock is not None:
                aide_state = self._locked_state(self.lock, name, aide_state)
            unavailable = self.rules.unavailable.get(name)
            out.append(
                CatalogueEntry(
                    name=name,
                    aide=aide,
                    state=aide_state,
                    unavailable=unavailable,
                    shown=unavailable is None and aide_state.status in allowed,
                )
            )
        return out

    @staticmethod
    def _locked_state(lock: Lock, name: str, registry: AideState) -> AideState:
        locked = lock.aides.get(name)
        status = {"public": PUBLISHED, "preview": PREVIEW}.get(locked.status, DISABLED) if locked else DISABLED
        if registry.from_registry and registry.status in WITHDRAWN:
            status = registry.status
        return dataclasses.replace(registry, status=status, from_deployment=True)

    def shown_aides(self) -> list[CatalogueEntry]:
        return [e for e in self.catalogue() if e.shown]

    def questionnaire(self) -> Questionnaire:
        enabled = tuple(e.name for e in self.shown_aides())
        with self._lock:
            q = self._questionnaires.get(enabled)
            if q is None:
                q = self._questionnaires[enabled] = Questionnaire(self.questions, self.rules, enabled)
            return q

    def logo(self, institution: str) -> Path | None:
        for partner in self.rules.partners.values():
            for inst in partner.institutions:
                if inst.id == institution and inst.logo is not None:
                    path = Path(str(inst.logo))
                    return path if path.is_file() else None
        return None

    def institution_name(self, institution: str) -> str:
        for partner in self.rules.partners.values():
            for inst in partner.institutions:
                if inst.id == institution:
                    return inst.name
        return institution

    def partner_of(self, aide: Aide):
        return self.rules.partners.get(aide.owner)
