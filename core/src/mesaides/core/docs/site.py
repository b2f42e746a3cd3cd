"""Build the static documentation site: one page per aide, per Parameter and per partner.

Pages are plain HTML with one stylesheet, readable without JavaScript. What the registry knows
(version history, pending notices, Parameter status) comes in through the
``mesaides_documentation_extras`` hook, so the core does not depend on the registry.
"""

from __future__ import annotations

import html
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mesaides.core.definitions import Aide, AideInfo, Parameter, Quantity
from mesaides.core.docs.graph_svg import dependency_svg
from mesaides.core.legislation import DatedScale, DatedValue, Scale
from mesaides.core.ruleset import RuleSet
from mesaides.core.testing.yaml_cases import CaseError, iter_case_files, load_cases

PERIODICITY = {"monthly": "mensuelle", "yearly": "annuelle", "one-off": "ponctuelle"}
PERIOD = {"month": "mois", "year": "année", "eternity": "période"}


@dataclass
class Extras:
    """What plugins (the registry) add to the pages."""

    aide_history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    aide_notices: dict[str, list[str]] = field(default_factory=dict)
    parameter_status: dict[str, str] = field(default_factory=dict)


def collect_extras(rules: RuleSet) -> Extras:
    """What every plugin's ``mesaides_documentation_extras`` hook adds, merged."""
    extras = Extras()
    if rules.hooks is None:
        return extras
    for found in rules.hooks.mesaides_documentation_extras(rules=rules):
        for key, value in (found or {}).items():
            getattr(extras, key).update(value)
    return extras


@dataclass
class TestCase:
    file: str
    name: str
    outputs: list[str]


def collect_tests(paths: Iterable[Path]) -> dict[str, list[TestCase]]:
    """Expert YAML cases by the outputs they check."""
    found: dict[str, list[TestCase]] = {}
    for root in paths:
        if not Path(root).exists():
            continue
        for file in iter_case_files(Path(root)):
            try:
                cases = load_cases(file)
            except CaseError:
                continue
            for case in cases:
                outputs = list(case["output"])
                for output in outputs:
                    found.setdefault(output, []).append(TestCase(str(file), str(case.get("name", "?")), outputs))
    return found


def build(
    rules: RuleSet, out: Path, *, tests: dict[str, list[TestCase]] | None = None, extras: Extras | None = None
) -> list[Path]:
    """Write the site into ``out`` and return the pages written."""
    tests = tests or {}
    extras = extras or Extras()
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "aides").mkdir(parents=True)
    (out / "parameters").mkdir()
    (out / "partners").mkdir()
    (out / "style.css").write_text(STYLE, encoding="utf-8")
    pages = [_write(out / "index.html", _index(rules), "mesaides : documentation", depth=0)]
    for name, aide in sorted(rules.aides.items()):
        pages.append(
            _write(out / "aides" / f"{name}.html", _aide(rules, aide, tests, extras), aide.info.label, depth=1)
        )
    for name, parameter in sorted(rules.parameters.items()):
        pages.append(_write(out / "parameters" / f"{name}.html", _parameter(rules, parameter, extras), name, depth=1))
    for dist, partner in sorted(rules.partners.items()):
        pages.append(_write(out / "partners" / f"{partner.id}.html", _partner(rules, dist), partner.name, depth=1))
    return pages


# ---- Pages -------------------------------------------------------------------------------------


def _index(rules: RuleSet) -> str:
    rows = "".join(
        f"<tr><td><a href='aides/{n}.html'>{_e(a.info.label)}</a></td><td><code>{n}</code></td>"
        f"<td>{_partner_link(rules, a.owner, '')}</td><td>{_availability(rules, n)}</td></tr>"
        for n, a in sorted(rules.aides.items())
    )
    parameters = ", ".join(f"<a href='parameters/{n}.html'><code>{n}</code></a>" for n in sorted(rules.parameters))
    partners = "".join(
        f"<li><a href='partners/{p.id}.html'>{_e(p.name)}</a> ({_e(p.scope)}, {_e(d)} {_e(_version(rules, d))})</li>"
        for d, p in sorted(rules.partners.items())
    )
    return (
        "<h1>Documentation des aides</h1>"
        f"<h2>Aides</h2><table><tr><th>Aide</th><th>Nom</th><th>Partenaire</th><th>État</th></tr>{rows}</table>"
        f"<h2>Partenaires</h2><ul>{partners}</ul>"
        f"<h2>Paramètres de situation</h2><p>{parameters}</p>"
    )


def _aide(rules: RuleSet, aide: Aide, tests: dict[str, list[TestCase]], extras: Extras) -> str:
    name = aide.name
    info = aide.info
    upstream = rules.graph.upstream(name)
    downstream = rules.graph.downstream(name)
    upstream_aides = sorted(n for n in upstream if n in rules.aides)
    downstream_aides = sorted(n for n in downstream if n in rules.aides)
    parameters = sorted(n for n in upstream if n in rules.parameters)
    quantities = [rules.quantities[n] for n in sorted(upstream) if n in rules.quantities and n not in rules.aides]
    law_paths = _law_paths(rules, [aide, *quantities])

    parts = [
        f"<p class='crumbs'><a href='../index.html'>Documentation</a> › {_partner_link(rules, aide.owner, '../')}</p>",
        f"<h1>{_e(info.label)} <code>{name}</code></h1>",
        f"<p>{_e(info.description)}</p>",
        _notices(extras.aide_notices.get(name, [])),
        "<dl>",
        f"<dt>Partenaire</dt><dd>{_partner_link(rules, aide.owner, '../')} — {_e(aide.owner)} {_e(_version(rules, aide.owner))}</dd>",
        f"<dt>Périodicité</dt><dd>{PERIODICITY[info.periodicity]} (calculée par {PERIOD[aide.period.value]}, "
        f"pour chaque {aide.entity.key})</dd>",
        f"<dt>Page publique</dt><dd><a href='{_e(str(info.public_page))}'>{_e(str(info.public_page))}</a></dd>",
        "<dt>Demander</dt><dd><ul>"
        + "".join(f"<li><a href='{_e(str(c.url))}'>{_e(c.label)}</a> ({c.kind})</li>" for c in info.apply)
        + "</ul></dd>",
        "<dt>Textes</dt><dd><ul>"
        + "".join(f"<li><a href='{_e(str(r.url))}'>{_e(r.title)}</a></li>" for r in info.legal_references)
        + "</ul></dd>",
        f"<dt>État</dt><dd>{_availability(rules, name)}</dd>",
        "</dl>",
    ]
    if info.documentation:
        parts.append(f"<h2>Règles et hypothèses</h2><p>{_e(info.documentation)}</p>")
    parts.append(_declared(info))
    parts.append("<h2>Dépendances</h2>")
    parts.append(dependency_svg(name, parameters, upstream_aides, downstream_aides, rules))
    parts.append(
        "<p>Dépend des aides : "
        + (", ".join(f"<a href='{n}.html'><code>{n}</code></a>" for n in upstream_aides) or "aucune")
        + "<br>Aides qui en dépendent : "
        + (", ".join(f"<a href='{n}.html'><code>{n}</code></a>" for n in downstream_aides) or "aucune")
        + "</p>"
    )
    parts.append(
        "<h3>Paramètres de situation lus</h3><p>"
        + ", ".join(f"<a href='../parameters/{n}.html'><code>{n}</code></a>" for n in parameters)
        + "</p>"
    )
    parts.append("<h2>Calcul</h2>" + _quantity_rows([aide, *quantities]))
    parts.append("<h2>Valeurs de la législation</h2>" + "".join(_law_table(rules, p) for p in law_paths))
    cases = tests.get(name, [])
    parts.append(
        f"<h2>Cas de test ({len(cases)})</h2><ul>"
        + "".join(f"<li>{_e(t.name)} <small>({_e(Path(t.file).name)})</small></li>" for t in cases)
        + "</ul>"
    )
    history = extras.aide_history.get(name, [])
    if history:
        parts.append(
            "<h2>Historique des versions</h2><table><tr><th>Date</th><th>Version</th><th>Événement</th></tr>"
            + "".join(
                f"<tr><td>{_e(str(h.get('when', '')))}</td><td>{_e(str(h.get('version', '')))}</td><td>{_e(str(h.get('what', '')))}</td></tr>"
                for h in history
            )
            + "</table>"
        )
    return "".join(parts)


VERIFICATION_STATUS = {"verified": "vérifiée", "unverified": "non vérifiée"}


def _declared(info: AideInfo) -> str:
    """A declarative aide's conditions, its file, and its check against the official page (A13)."""
    parts = []
    if info.conditions:
        parts.append(
            "<h2>Conditions</h2><ol>"
            + "".join(f"<li>{_e(c)}</li>" for c in info.conditions)
            + "</ol>"
            + (f"<p><small>Aide déclarée dans <code>{_e(info.source)}</code>.</small></p>" if info.source else "")
        )
    check = info.verification
    if check is not None:
        parts.append(
            "<h2>Vérification</h2><p>"
            f"{VERIFICATION_STATUS[check.status].capitalize()} le {_e(check.checked_on.isoformat())} sur "
            f"<a href='{_e(str(check.url))}'>{_e(str(check.url))}</a>"
            + (f" : {_e(check.note)}" if check.note else "")
            + "</p>"
        )
    return "".join(parts)


def _parameter(rules: RuleSet, parameter: Parameter, extras: Extras) -> str:
    readers = sorted(a for a in rules.aides if parameter.name in rules.graph.upstream(a))
    values = (
        f"<dd>{', '.join(f'<code>{v}</code>' for v in parameter.enum_values)}</dd>" if parameter.enum_values else ""
    )
    return (
        "<p class='crumbs'><a href='../index.html'>Documentation</a></p>"
        f"<h1>Paramètre <code>{parameter.name}</code></h1><p>{_e(parameter.label)}</p><dl>"
        f"<dt>Entité, période</dt><dd>{parameter.entity.key}, {parameter.period.value}</dd>"
        f"<dt>Type</dt><dd>{parameter.value_type} (défaut : <code>{_e(str(parameter.default))}</code>)</dd>"
        + (f"<dt>Valeurs</dt>{values}" if values else "")
        + f"<dt>Déclaré par</dt><dd>{_e(parameter.owner)}</dd>"
        f"<dt>Statut</dt><dd>{_e(extras.parameter_status.get(parameter.name, 'actif'))}</dd>"
        "</dl><h2>Aides qui le lisent</h2><ul>"
        + "".join(f"<li><a href='../aides/{a}.html'>{_e(rules.aides[a].info.label)}</a></li>" for a in readers)
        + "</ul>"
    )


def _partner(rules: RuleSet, dist: str) -> str:
    partner = rules.partners[dist]
    aides = sorted(n for n, a in rules.aides.items() if a.owner == dist)
    params = sorted(n for n, p in rules.parameters.items() if p.owner == dist)
    requires = "".join(f"<li>{_e(d)} {_e(s)}</li>" for d, s in partner.requires.items()) or "<li>aucun</li>"
    return (
        "<p class='crumbs'><a href='../index.html'>Documentation</a></p>"
        f"<h1>{_e(partner.name)}</h1><dl><dt>Portée</dt><dd>{_e(partner.scope)}</dd>"
        f"<dt>Distribution</dt><dd>{_e(dist)} {_e(_version(rules, dist))}</dd>"
        f"<dt>Référent</dt><dd>{_e(partner.referent_email or '—')}</dd></dl>"
        f"<h2>Aides</h2><ul>{''.join(f'<li><a href=../aides/{a}.html>{_e(rules.aides[a].info.label)}</a></li>' for a in aides)}</ul>"
        f"<h2>Paramètres déclarés</h2><p>{', '.join(f'<a href=../parameters/{p}.html><code>{p}</code></a>' for p in params) or 'aucun'}</p>"
        f"<h2>Partenaires requis</h2><ul>{requires}</ul>"
    )


# ---- Pieces ------------------------------------------------------------------------------------


def _quantity_rows(quantities: list[Quantity]) -> str:
    rows = []
    for q in quantities:
        doc = f"<br><small>{_e(q.description)}</small>" if q.description else ""
        reads = ", ".join(f"<code>{r}</code>" for r in (*q.reads, *q.reads_past))
        rows.append(f"<tr><td><code>{q.name}</code></td><td>{_e(q.label)}{doc}</td><td>{reads}</td></tr>")
    return f"<table><tr><th>Quantité</th><th>Définition</th><th>Lit</th></tr>{''.join(rows)}</table>"


def _law_paths(rules: RuleSet, quantities: list[Quantity]) -> list[str]:
    paths: set[str] = set()
    for q in quantities:
        for prefix in q.law:
            paths.update(n.path for n in rules.legislation.under(prefix))
    return sorted(paths)


def _law_table(rules: RuleSet, path: str) -> str:
    node = rules.legislation.node(path)
    rows = []
    history: tuple[DatedValue | DatedScale, ...] = node.history
    for entry in reversed(history[-6:]):
        if isinstance(entry, DatedValue):  # a Series' history
            value = "—" if entry.value is None else _e(str(entry.value))
        else:
            value = "; ".join(f"≥ {b.threshold:g} : {b.rate:g}" for b in entry.brackets)
        rows.append(
            f"<tr><td>{entry.start.isoformat()}</td><td>{value}</td><td><a href='{_e(entry.reference)}'>source</a></td></tr>"
        )
    unit = f" ({_e(node.unit)})" if node.unit else ""
    kind = "barème" if isinstance(node, Scale) else "valeur"
    return (
        f"<h3><code>{path}</code></h3><p>{_e(node.label)}{unit}, {kind}</p>"
        f"<table><tr><th>Depuis</th><th>Valeur</th><th>Référence</th></tr>{''.join(rows)}</table>"
    )


def _notices(notices: list[str]) -> str:
    return "".join(f"<p class='notice' role='note'>{_e(n)}</p>" for n in notices)


def _availability(rules: RuleSet, name: str) -> str:
    why = rules.unavailable.get(name)
    return f"<span class='bad'>indisponible : {_e(why)}</span>" if why else "disponible"


def _partner_link(rules: RuleSet, dist: str, prefix: str) -> str:
    partner = rules.partners.get(dist)
    if partner is None:
        return _e(dist)
    return f"<a href='{prefix}partners/{partner.id}.html'>{_e(partner.name)}</a>"


def _version(rules: RuleSet, dist: str) -> str:
    for record in rules.plugins.values():
        if record.distribution == dist:
            return record.version
    return ""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _write(path: Path, body: str, title: str, depth: int) -> Path:
    css = "../" * depth + "style.css"
    path.write_text(
        f"<!doctype html><html lang='fr'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{_e(title)}</title>"
        f"<link rel='stylesheet' href='{css}'></head><body><main>{body}</main></body></html>",
        encoding="utf-8",
    )
    return path


STYLE = """
body { font-family: system-ui, sans-serif; color: #161616; background: #fff; margin: 0; line-height: 1.5; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.7rem; } h1 code { font-size: 1rem; color: #555; }
a { color: #000091; } code { background: #f3f3f6; padding: 0 .25em; border-radius: 3px; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #ddd; text-align: left; padding: .35rem .5rem; vertical-align: top; }
dt { font-weight: 600; } dd { margin: 0 0 .5rem 0; }
.notice { background: #fff4e5; border-left: 4px solid #b34000; padding: .5rem 1rem; }
.bad { color: #b34000; } .crumbs { font-size: .9rem; }
svg { max-width: 100%; height: auto; }
"""
