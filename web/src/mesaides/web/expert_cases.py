"""Expert test cases written on a preview deployment (A5, O6).

An expert of an aide answers the questionnaire as a household they know, then types, on the
results page, the amount each aide should give. This module turns that into a test case in
OpenFisca's YAML format, ready for the partner's ``tests/yaml/`` (``mesaides test`` runs it):
``name``, ``description``, ``period``, ``absolute_error_margin``, ``input`` (the full situation
the questionnaire built) and ``output`` (the expected amounts: one value for a group, or a list
in the order of the persons for a person's aide); and into the text of a pull request adding it.

Nothing is stored on the server: the answers travel in the form, as for the questionnaire.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from mesaides.core import Period
from mesaides.web.deployment.running import Deployment
from mesaides.web.results import euros, person_label

FIELD_PREFIX = "attendu."
DEFAULT_MARGIN = 1.0
"""Euros of tolerance, as the project's agreement goal with OpenFisca (1 €)."""
GROUP_LABELS = {"famille": "la famille", "menage": "le ménage", "foyer_fiscal": "le foyer fiscal"}
YES, NO = "oui", "non"


@dataclass
class Expected:
    """One value the expert may give: an aide for one person or group."""

    field: str
    entity_id: str
    who: str
    computed: Any
    typed: str = ""
    error: str = ""

    @property
    def computed_label(self) -> str:
        if isinstance(self.computed, bool):
            return YES if self.computed else NO
        return euros(float(self.computed or 0))


@dataclass
class ExpertAide:
    name: str
    label: str
    distribution: str
    version: str
    partner: str
    value_type: str
    rows: list[Expected] = field(default_factory=list)

    @property
    def filled(self) -> bool:
        return any(r.typed.strip() for r in self.rows)

    @property
    def is_bool(self) -> bool:
        return self.value_type == "bool"


@dataclass
class ExpertCase:
    name: str
    margin: float
    period: str
    aides: list[ExpertAide]
    situation: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not any(r.error for a in self.aides for r in a.rows)

    @property
    def file_name(self) -> str:
        return f"{slug(self.name) or 'cas'}.yaml"

    @property
    def distributions(self) -> list[tuple[str, str]]:
        """(distribution, version) of the aides the case checks."""
        seen = {a.distribution: a.version for a in self.aides if a.name in self.outputs}
        return sorted(seen.items())


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:60]


def expert_aides(
    deployment: Deployment, situation: dict[str, Any], today: dt.date, form: Mapping[str, str] | None = None
) -> list[ExpertAide]:
    """Every aide the deployment shows, with its computed value for each person or group of the
    situation, and what the expert typed (``form``)."""
    engine = deployment.engine
    entries = deployment.shown_aides()
    month = Period.month_of(today.year, today.month)
    computed = engine.compute(situation, [e.name for e in entries], month) if entries else {}
    versions = {r.distribution: r.version for r in deployment.rules.plugins.values()}
    out = []
    for entry in entries:
        aide = entry.aide
        partner = deployment.partner_of(aide)
        row = ExpertAide(
            name=entry.name,
            label=aide.info.label,
            distribution=aide.owner,
            version=versions.get(aide.owner, ""),
            partner=partner.name if partner else aide.owner,
            value_type=aide.value_type,
        )
        entity = aide.entity.key
        for ident, value in computed.get(entry.name, {}).items():
            who = person_label(ident) if entity == "individu" else GROUP_LABELS.get(entity, ident)
            if entity != "individu" and len(computed[entry.name]) > 1:
                who = f"{who} ({ident})"
            key = f"{FIELD_PREFIX}{entry.name}.{ident}"
            row.rows.append(
                Expected(
                    field=key, entity_id=ident, who=who, computed=value, typed=str((form or {}).get(key, "")).strip()
                )
            )
        out.append(row)
    return out


def parse_amount(text: str) -> float:
    """``1 234,56 €`` → 1234.56; a ValueError with a French message otherwise."""
    cleaned = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"« {text} » n'est pas un montant : écrivez par exemple 612,04") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"« {text} » n'est pas un montant positif")
    return round(value, 2)


def build_case(
    deployment: Deployment, situation: dict[str, Any], today: dt.date, form: Mapping[str, str]
) -> ExpertCase:
    """Read the expert's form: the case's name, the margin, the expected values."""
    name = str(form.get("cas_nom", "")).strip() or f"Cas saisi le {today:%d/%m/%Y}"
    case = ExpertCase(
        name=name[:200],
        margin=DEFAULT_MARGIN,
        period=f"{today.year:04d}-{today.month:02d}",
        aides=expert_aides(deployment, situation, today, form),
        situation=situation,
    )
    margin = str(form.get("cas_marge", "")).strip()
    if margin:
        try:
            case.margin = parse_amount(margin)
        except ValueError as exc:
            case.errors.append(f"Marge d'erreur : {exc}")
    for aide in case.aides:
        if not aide.filled:
            continue
        values: list[bool | float] = []
        for row in aide.rows:
            if not row.typed:
                row.error = "Indiquez aussi cette valeur, ou aucune pour cette aide."
                continue
            if aide.is_bool:
                if row.typed not in (YES, NO):
                    row.error = "Choisissez oui ou non."
                    continue
                values.append(row.typed == YES)
                continue
            try:
                values.append(parse_amount(row.typed))
            except ValueError as exc:
                row.error = str(exc)
        if len(values) == len(aide.rows):
            case.outputs[aide.name] = values[0] if len(values) == 1 else values
    if not case.outputs and case.ok:
        case.errors.append("Indiquez le montant attendu d'au moins une aide.")
    return case


class _Dumper(yaml.SafeDumper):
    """Block style for the structure, flow style for the values by period."""


def case_yaml(case: ExpertCase, today: dt.date, instance: str = "") -> str:
    document = [
        {
            "name": case.name,
            "description": (
                f"Cas saisi par un expert sur l'instance de prévisualisation{f' {instance}' if instance else ''} "
                f"le {today:%d/%m/%Y} : situation issue du questionnaire, montants attendus par l'expert."
            ),
            "period": case.period,
            "absolute_error_margin": case.margin,
            "input": case.situation,
            "output": case.outputs,
        }
    ]
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100)


def pull_request_text(case: ExpertCase, text: str) -> str:
    """A pull request adding the case to the partner's ``tests/yaml/`` (French, Markdown)."""
    path = f"tests/yaml/{case.file_name}"
    targets = ", ".join(f"`{d}` ({v})" for d, v in case.distributions)
    lines = [
        f"Cas de test : {case.name}",
        "",
        f"Ajoute `{path}` au paquet {targets} : un cas saisi par un expert sur l'instance de prévisualisation "
        "(convention A5), avec les montants qu'il attend.",
        "",
        "| Aide | Pour | Calculé | Attendu |",
        "|---|---|---|---|",
    ]
    differences = []
    for aide in case.aides:
        if aide.name not in case.outputs:
            continue
        for row in aide.rows:
            expected = row.typed if aide.is_bool else euros(parse_amount(row.typed))
            lines.append(f"| {aide.label} (`{aide.name}`) | {row.who} | {row.computed_label} | {expected} |")
            if not aide.is_bool and abs(parse_amount(row.typed) - float(row.computed or 0)) > case.margin:
                differences.append(f"`{aide.name}` pour {row.who}")
            elif aide.is_bool and (row.typed == YES) != bool(row.computed):
                differences.append(f"`{aide.name}` pour {row.who}")
    lines += [""]
    if differences:
        lines.append(
            f"Le calcul actuel diffère de l'attendu pour : {', '.join(differences)} : ce test échoue tant que "
            "les règles ne sont pas corrigées."
        )
    else:
        lines.append(f"Le calcul actuel donne les montants attendus (à {euros(case.margin)} près).")
    lines += ["", f"Pour le vérifier : `mesaides test {path}`", "", f"```yaml\n{text.rstrip()}\n```", ""]
    return "\n".join(lines)
