"""A running deployment: the rule set (loaded once), the registry's view of each aide, and the
questionnaire narrowed to the aides this deployment shows."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from mesaides.core import Aide, Engine, RuleSet
from mesaides.web.questionnaire import Questionnaire, QuestionsFile, load_questions
from mesaides.web.registry_view import PREVIEW, PUBLISHED, AideState, PublicState, RegistryView
from mesaides.web.settings import Settings


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
    def __init__(self, settings: Settings, engine: Engine | None = None, registry: RegistryView | None = None,
                 questions: QuestionsFile | None = None):
        self.settings = settings
        self.engine = engine or Engine()
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
        deployment (A6, G4). An aide the registry has not synced is taken as published (see
        :mod:`mesaides.web.registry_view`).
        """
        state = self.public_state()
        allowed = {PUBLISHED, PREVIEW} if self.settings.preview else {PUBLISHED}
        out = []
        for name, aide in self.rules.aides.items():
            aide_state = state.aide(name)
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
