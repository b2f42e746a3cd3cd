"""The HTML pages: home, questionnaire, results, saved situations, statistics, roadmap.

Every page works without JavaScript: the questionnaire is a sequence of forms posted to
``/simulation``; the answers typed so far travel in a hidden field (``etat``) until the person
saves them, so that nothing is stored about a person who does not ask for it.
"""

from __future__ import annotations

import json
import logging
from importlib.resources import files
from pathlib import Path
from typing import Any

import markdown
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from mesaides.core import ComputationError, SituationError
from mesaides.core.geography import name_of
from mesaides.core.values import has_surrogate
from mesaides.web import charts
from mesaides.web.csrf import form_from_this_site
from mesaides.web.expert_cases import build_case, case_yaml, expert_aides, pull_request_text
from mesaides.web.impact_charts import impact_by_subject
from mesaides.web.offer import offer
from mesaides.web.questionnaire import merge_form
from mesaides.web.results import compute, month_label
from mesaides.web.stats import CLICKS, SIMULATIONS, VISITORS
from mesaides.web.stats import DEPARTEMENTS as DEPARTEMENTS_METRIC

log = logging.getLogger(__name__)
PAGES_TAG = "pages"
"""The tag of the pages' routes: their errors are answered with a page (see the application)."""
# Every form posted to a page must come from this site's pages (CSRF).
router = APIRouter(include_in_schema=False, tags=[PAGES_TAG], dependencies=[Depends(form_from_this_site)])

MAX_STATE_BYTES = 64_000
STATUS_FR = {
    "suggested": "proposée",
    "feasible": "jugée faisable",
    "refused": "refusée",
    "development": "en développement",
    "preview": "en aperçu",
    "published": "publiée",
    "suspended": "suspendue",
    "removed": "retirée",
    "disabled": "non proposée sur cette instance",
}

PRIVATE = {"Cache-Control": "no-store"}
"""The pages of a saved situation: its token is in the address, its answers on the page."""


def _state(request: Request):
    return request.app.state


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    s = _state(request)
    context.setdefault("preview", s.settings.preview)
    return s.templates.TemplateResponse(request, template, context, status_code=status_code)


def track(request: Request) -> None:
    """Count a unique visitor (a daily salted hash; nothing personal is kept, no cookie)."""
    try:
        _state(request).stats.visit(_address(request))
    except Exception:  # statistics must never break a page
        log.exception("cannot record the visit")


def _address(request: Request) -> str:
    return request.client.host if request.client else ""


def _answers(raw: str) -> dict[str, str]:
    if not raw or len(raw) > MAX_STATE_BYTES:
        return {}
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):  # the state is a flat object: deep nesting is forged
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(k): str(v)
        for k, v in data.items()
        if isinstance(v, (str, int, float)) and len(str(k)) < 100 and not has_surrogate(f"{k}{v}")
    }


# ---- Home ---------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    track(request)
    offered = offer(_state(request).deployment)
    return render(request, "accueil.html", aides=offered.computed, offer=offered)


# ---- Questionnaire ------------------------------------------------------------------------------


def _step_page(
    request: Request, step_id: str, answers: dict[str, str], token: str = "", fields=None, status_code: int = 200
) -> HTMLResponse:
    deployment = _state(request).deployment
    questionnaire = deployment.questionnaire()
    today = deployment.today()
    steps = questionnaire.steps(answers, today)
    ids = [s.id for s in steps]
    if step_id not in ids:
        step_id = ids[0]
    step = steps[ids.index(step_id)]
    if fields is None:
        fields = questionnaire.fields(step_id, answers, today)
    groups: list[dict[str, Any]] = []
    for f in fields:
        if groups and groups[-1]["subject"] == f.subject:
            groups[-1]["fields"].append(f)
        else:
            groups.append({"subject": f.subject, "fields": [f]})
    errors = [f for f in fields if f.error]
    return render(
        request,
        "etape.html",
        status_code=status_code,
        step=step,
        steps=steps,
        index=ids.index(step_id),
        groups=groups,
        errors=errors,
        etat=json.dumps(answers, ensure_ascii=False),
        jeton=token,
        single_group=len(groups) == 1,
    )


@router.get("/simulation", response_class=HTMLResponse)
def start(request: Request) -> HTMLResponse:
    track(request)
    return _step_page(request, "", {})


@router.post("/simulation", response_class=HTMLResponse)
async def submit(request: Request) -> Response:
    s = _state(request)
    deployment = s.deployment
    questionnaire = deployment.questionnaire()
    today = deployment.today()
    form = await request.form()
    answers = _answers(str(form.get("etat", "")))
    token = str(form.get("jeton", ""))
    action = str(form.get("action", "suivant"))
    step_id = str(form.get("etape", ""))
    steps = [st.id for st in questionnaire.steps(answers, today)]
    if step_id in steps:
        shown = questionnaire.fields(step_id, answers, today)
        answers = merge_form(answers, {k: str(v) for k, v in form.items()}, shown)
    if action.startswith("aller:"):
        return _step_page(request, action.split(":", 1)[1], answers, token)
    steps = [st.id for st in questionnaire.steps(answers, today)]
    if step_id not in steps:
        return _step_page(request, steps[0], answers, token)
    if action == "precedent":
        previous = steps[max(steps.index(step_id) - 1, 0)]
        return _step_page(request, previous, answers, token)
    checked = questionnaire.validate(step_id, answers, today)
    if any(f.error for f in checked):
        return _step_page(request, step_id, answers, token, fields=checked, status_code=422)
    position = steps.index(step_id)
    if position + 1 < len(steps):
        return _step_page(request, steps[position + 1], answers, token)
    # The computation takes tens of milliseconds: off the event loop, which keeps serving.
    return await run_in_threadpool(_results_page, request, answers, token, count=True)


def _results_page(
    request: Request,
    answers: dict[str, str],
    token: str = "",
    *,
    count: bool = False,
    saved: dict[str, Any] | None = None,
) -> HTMLResponse:
    s = _state(request)
    deployment = s.deployment
    questionnaire = deployment.questionnaire()
    today = deployment.today()
    incomplete = questionnaire.first_incomplete(answers, today)
    if incomplete is not None:
        checked = questionnaire.validate(incomplete, answers, today)
        return _step_page(request, incomplete, answers, token, fields=checked, status_code=422)
    situation = questionnaire.situation(answers, today)
    try:
        with s.batcher.page():  # pages first: the API's computations wait meanwhile
            results = compute(deployment, situation, today)
    except (SituationError, ComputationError) as exc:
        log.error("cannot compute a questionnaire's situation: %s", exc)
        return render(
            request,
            "erreur.html",
            status_code=500,
            titre="Le calcul n'a pas abouti",
            message="Le simulateur n'a pas pu calculer vos droits. Réessayez plus tard ; "
            "si le problème persiste, signalez-le à l'équipe.",
        )
    if count:
        try:
            s.stats.simulation(results.depcom)
        except Exception:
            log.exception("cannot count the simulation")
    expert = None
    if s.settings.preview:
        try:
            expert = expert_aides(deployment, situation, today)
        except (SituationError, ComputationError) as exc:
            log.error("cannot compute the expert's table: %s", exc)
    return render(
        request,
        "resultats.html",
        results=results,
        etat=json.dumps(answers, ensure_ascii=False),
        jeton=token,
        saved=saved,
        first_step=questionnaire.steps(answers, today)[0].id,
        expert=expert,
        offer=offer(deployment),
    )


# ---- Expert test cases (A5, O6), on a preview deployment only ------------------------------------


async def _expert_case(request: Request):
    """The case the expert's form describes, or a page to show instead (404 off preview, or
    back to the questionnaire when the answers are incomplete)."""
    s = _state(request)
    if not s.settings.preview:
        return None, render(
            request,
            "erreur.html",
            status_code=404,
            titre="Page introuvable",
            message="Les cas de test s'écrivent sur une instance de prévisualisation.",
        )
    form = {str(k): str(v) for k, v in (await request.form()).items()}
    answers = _answers(form.get("etat", ""))
    deployment = s.deployment
    today = deployment.today()
    questionnaire = deployment.questionnaire()
    if not answers or questionnaire.first_incomplete(answers, today) is not None:
        return None, RedirectResponse("/simulation", status_code=303)
    situation = questionnaire.situation(answers, today)
    case = await run_in_threadpool(build_case, deployment, situation, today, form)
    return (case, form), None


def _case_page(request: Request, case, form: dict[str, str]) -> HTMLResponse:
    today = _state(request).deployment.today()
    row_errors = [f"{a.label}, {r.who} : {r.error}" for a in case.aides for r in a.rows if r.error]
    context: dict[str, Any] = {"case": case, "form": form, "etat": form.get("etat", ""), "case_row_errors": row_errors}
    if case.ok:
        text = case_yaml(case, today, request.url.hostname or "")
        context.update(yaml_text=text, pr_text=pull_request_text(case, text))
    return render(request, "cas_de_test.html", status_code=200 if case.ok else 422, **context)


@router.post("/cas-de-test", response_class=HTMLResponse)
async def expert_case(request: Request) -> Response:
    found, other = await _expert_case(request)
    if other is not None:
        return other
    return _case_page(request, *found)


@router.post("/cas-de-test/telecharger")
async def expert_case_download(request: Request) -> Response:
    found, other = await _expert_case(request)
    if other is not None:
        return other
    case, form = found
    if not case.ok:
        return _case_page(request, case, form)
    text = case_yaml(case, _state(request).deployment.today(), request.url.hostname or "")
    return Response(
        text,
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{case.file_name}"'},
    )


# ---- Saving -------------------------------------------------------------------------------------


@router.post("/enregistrer")
async def save(request: Request) -> Response:
    s = _state(request)
    form = await request.form()
    answers = _answers(str(form.get("etat", "")))
    if not answers:
        return RedirectResponse("/simulation", status_code=303)
    token = s.saved.save(answers, str(form.get("jeton", "")) or None)
    return RedirectResponse(f"/s/{token}?enregistree=1", status_code=303, headers=PRIVATE)


def _private(response: Response) -> Response:
    response.headers.update(PRIVATE)
    return response


def _expired(request: Request) -> HTMLResponse:
    retention = _state(request).settings.retention_days
    return render(
        request,
        "erreur.html",
        status_code=404,
        titre="Simulation introuvable",
        message=f"Cette simulation n'existe pas ou plus : elle a été supprimée, ou sa durée de conservation "
        f"({retention} jours) est dépassée.",
    )


@router.get("/s/{token}", response_class=HTMLResponse)
def saved_results(request: Request, token: str) -> HTMLResponse:
    track(request)
    found = _state(request).saved.load(token)
    if found is None:
        return _private(_expired(request))
    answers, expires = found
    saved = {
        "url": str(request.url_for("saved_results", token=token)),
        "expires": f"{expires.day} {month_label(expires.date())}",
        "just_saved": request.query_params.get("enregistree") == "1",
        "token": token,
    }
    return _private(_results_page(request, answers, token, saved=saved))


@router.get("/s/{token}/modifier", response_class=HTMLResponse)
def resume(request: Request, token: str) -> HTMLResponse:
    track(request)
    found = _state(request).saved.load(token)
    if found is None:
        return _private(_expired(request))
    return _private(_step_page(request, "", found[0], token))


@router.get("/s/{token}/supprimer", response_class=HTMLResponse)
def confirm_delete(request: Request, token: str) -> HTMLResponse:
    if _state(request).saved.load(token) is None:
        return _private(_expired(request))
    return _private(render(request, "supprimer.html", token=token))


@router.post("/s/{token}/supprimer", response_class=HTMLResponse)
def delete(request: Request, token: str) -> HTMLResponse:
    _state(request).saved.delete(token)
    return _private(render(request, "supprimee.html"))


# ---- Applying -----------------------------------------------------------------------------------


@router.get("/aller/{aide}")
def go_apply(request: Request, aide: str) -> Response:
    """Count a click to an aide's application service, then go there (O8)."""
    s = _state(request)
    entry = next((e for e in s.deployment.shown_aides() if e.name == aide), None)
    if entry is None:
        return render(
            request,
            "erreur.html",
            status_code=404,
            titre="Aide inconnue",
            message="Cette aide n'est pas proposée par ce simulateur.",
        )
    try:
        s.stats.click(aide, _address(request))
    except Exception:
        log.exception("cannot count the click")
    return RedirectResponse(str(entry.aide.info.best_channel.url), status_code=303)


@router.get("/logos/{institution}.png")
def logo(request: Request, institution: str) -> Response:
    path = _state(request).deployment.logo(institution)
    if path is None:
        return Response(status_code=404)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})


# ---- Statistics and roadmap ---------------------------------------------------------------------


@router.get("/stats", response_class=HTMLResponse)
def stats(request: Request) -> HTMLResponse:
    track(request)
    s = _state(request)
    deployment = s.deployment
    days = 30
    visitors = s.stats.daily(VISITORS, days)
    simulations = s.stats.daily(SIMULATIONS, days)
    labels = {e.name: e.aide.info.label for e in deployment.catalogue()}
    clicks = s.stats.by_key(CLICKS)
    clicks_daily = s.stats.by_key_daily(CLICKS, days)
    deps = s.stats.by_key(DEPARTEMENTS_METRIC)
    clicks_total = s.stats.daily(CLICKS, days)
    state = deployment.public_state()
    catalogue = deployment.catalogue()
    return render(
        request,
        "stats.html",
        days=days,
        visitors=visitors,
        simulations=simulations,
        totals={
            "visitors": s.stats.total(VISITORS),
            "simulations": s.stats.total(SIMULATIONS),
            "clicks": s.stats.total(CLICKS),
        },
        activity_chart=charts.line_chart(
            f"Visiteurs uniques et simulations terminées par jour, {days} derniers jours",
            visitors.days,
            [("Visiteurs uniques", visitors.values), ("Simulations terminées", simulations.values)],
        ),
        clicks_chart=charts.line_chart(
            f"Accès aux services de demande en ligne par jour, {days} derniers jours",
            clicks_total.days,
            [("Accès aux démarches", clicks_total.values)],
        ),
        clicks_bars=charts.bar_chart(
            "Accès aux services de demande en ligne, par aide, depuis le début",
            [(labels.get(k, k), v) for k, v in clicks.items()],
        ),
        clicks=[(labels.get(k, k), v, clicks_daily.get(k)) for k, v in clicks.items()],
        deps_bars=charts.bar_chart(
            "Simulations terminées par département de résidence, depuis le début (15 premiers)",
            [(f"{k} {name_of('departement', k)}".strip(), v) for k, v in list(deps.items())[:15]],
        ),
        deps=[(k, name_of("departement", k), v) for k, v in deps.items()],
        registry=state,
        lock=deployment.lock,
        catalogue=catalogue,
        status_fr=STATUS_FR,
        partners=_partners_view(deployment, state),
        partner_names={dist: p.name for dist, p in deployment.rules.partners.items()},
        aide_labels=labels,
        impacts=impact_by_subject(state.impacts, labels),
    )


def _partners_view(deployment, state) -> list[dict[str, Any]]:
    rules = deployment.rules
    out = []
    for record in rules.plugins.values():
        partner = rules.partners.get(record.distribution)
        if partner is None:
            continue
        known = next(
            (
                p
                for p in state.partners
                if str(p.get("name")) in {partner.id, partner.name, record.distribution}
                or str(p.get("id", "")) == partner.id
            ),
            None,
        )
        out.append({"partner": partner, "record": record, "registry": known})
    return out


def _roadmap_text(request: Request) -> str:
    settings = _state(request).settings
    candidates: list[Path] = []
    if settings.roadmap:
        candidates.append(settings.roadmap)
    from mesaides.web.settings import instance_path

    candidates.append(instance_path() / "roadmap.md")
    for path in candidates:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return (files("mesaides.web") / "roadmap.md").read_text(encoding="utf-8")


@router.get("/roadmap", response_class=HTMLResponse)
def roadmap(request: Request) -> HTMLResponse:
    track(request)
    html = markdown.markdown(_roadmap_text(request), extensions=["extra", "sane_lists", "toc"])
    return render(request, "roadmap.html", contenu=Markup(html))


@router.get("/confidentialite", response_class=HTMLResponse)
def privacy(request: Request) -> HTMLResponse:
    track(request)
    return render(request, "confidentialite.html", retention=_state(request).settings.retention_days)


@router.get("/accessibilite", response_class=HTMLResponse)
def accessibility(request: Request) -> HTMLResponse:
    track(request)
    return render(request, "accessibilite.html")
