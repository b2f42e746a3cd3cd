"""The catalogue of the JSON API: the aides this deployment installs and shows, the Parameters a
situation can give, the partners and their versions, the communes (response models in
:mod:`mesaides.web.api_models`)."""

from __future__ import annotations

from fastapi import APIRouter

from mesaides.core.definitions import APPLY_KIND_LABELS
from mesaides.web import api_models as models
from mesaides.web.communes import communes
from mesaides.web.dependencies import DeploymentDep
from mesaides.web.deployment.running import Deployment

router = APIRouter(tags=["Catalogue"])


def _distribution_versions(deployment: Deployment) -> dict[str, str]:
    return {r.distribution: r.version for r in deployment.rules.plugins.values()}


@router.get("/aides", summary="The installed aides, their metadata and status")
def aides(deployment: DeploymentDep) -> models.AidesCatalogue:
    versions = _distribution_versions(deployment)
    state = deployment.public_state()
    out = []
    for entry in deployment.catalogue():
        aide, info = entry.aide, entry.aide.info
        partner = deployment.partner_of(aide)
        best = info.best_channel
        out.append(
            models.CatalogueAide(
                name=entry.name,
                label=info.label,
                description=info.description,
                entity=aide.entity.key,
                period=aide.period.value,
                periodicity=info.periodicity,
                institution=info.institution,
                logo=f"/logos/{info.institution}.png" if deployment.logo(info.institution) else None,
                partner=partner.name if partner else None,
                distribution=aide.owner,
                version=versions.get(aide.owner),
                status=entry.state.status,
                status_source=entry.state.source,
                shown=entry.shown,
                unavailable=entry.unavailable,
                notice=entry.state.notice,
                territorial_notice=entry.state.territorial_notice,
                public_page=str(info.public_page),
                best_channel=models.BestChannel(
                    kind=best.kind, kind_label=APPLY_KIND_LABELS[best.kind], url=str(best.url), label=best.label
                ),
                apply=[models.ApplyChannel(kind=c.kind, url=str(c.url), label=c.label) for c in info.apply],
                legal_references=[models.LegalReference(title=r.title, url=str(r.url)) for r in info.legal_references],
                documentation=info.documentation,
            )
        )
    return models.AidesCatalogue(
        aides=out, registry=models.RegistryAvailability(available=state.available, problem=state.problem or None)
    )


@router.get("/parameters", summary="The Parameters a situation can give")
def parameters(deployment: DeploymentDep) -> dict[str, models.CatalogueParameter]:
    rules = deployment.rules
    read_by: dict[str, list[str]] = {}
    for entry in deployment.shown_aides():
        for read in rules.parameters_read_by(entry.name):
            read_by.setdefault(read, []).append(entry.name)
    out = {}
    for name, p in rules.parameters.items():
        default = p.default
        out[name] = models.CatalogueParameter(
            label=p.label,
            description=p.description,
            entity=p.entity.key,
            period=p.period.value,
            value_type=p.value_type,
            enum_values=list(p.enum_values) or None,
            default=default if isinstance(default, (str, int, float, bool)) or default is None else str(default),
            unit=p.unit or None,
            minimum=p.minimum,
            maximum=p.maximum,
            owner=p.owner,
            read_by=sorted(read_by.get(name, [])),
        )
    return out


@router.get("/partners", summary="Partners, their distributions, versions and provenance")
def partners(deployment: DeploymentDep) -> models.PartnersCatalogue:
    rules = deployment.rules
    state = deployment.public_state()
    out = []
    for record in rules.plugins.values():
        partner = rules.partners.get(record.distribution)
        if partner is None:
            continue
        known = state.partner(partner.id, partner.name, record.distribution)
        out.append(
            models.CataloguePartner(
                id=partner.id,
                name=partner.name,
                scope=partner.scope,
                distribution=record.distribution,
                version=record.version,
                module=record.module,
                entry_point=record.name,
                institutions=[
                    models.CatalogueInstitution(id=i.id, name=i.name, logo=f"/logos/{i.id}.png" if i.logo else None)
                    for i in partner.institutions
                ],
                aides=sorted(n for n, a in rules.aides.items() if a.owner == record.distribution),
                requires=partner.requires,
                problems=record.problems,
                registry=known,
            )
        )
    return models.PartnersCatalogue(partners=out)


@router.get("/communes", summary="Find a commune by postal code, INSEE code or name")
def find_communes(q: str = "") -> list[models.Commune]:
    found = communes().search(q, limit=20)
    return [models.Commune(insee=c.insee, nom=c.nom, codes_postaux=list(c.codes_postaux)) for c in found]
