"""The ``mesaides`` command line."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from mesaides.core.cli_population import population
from mesaides.core.plugins import PluginManager, get_plugin_manager

if TYPE_CHECKING:
    from mesaides.core.api import Engine


def _load(pm: PluginManager | None = None) -> Engine:
    from mesaides.core.api import Engine
    from mesaides.core.ruleset import load_rules

    return Engine(load_rules(pm))


class _Progress:
    """Progress on standard error, only when it is a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.start = time.perf_counter()

    def __call__(self, done: int, total: int, what: str) -> None:
        if self.enabled:
            width = 30
            filled = int(width * done / max(total, 1))
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {what:<40.40}")
            if done == total:
                sys.stderr.write(f"\n{time.perf_counter() - self.start:.2f} s\n")
            sys.stderr.flush()

    def say(self, text: str) -> None:
        if self.enabled:
            sys.stderr.write(f"{text}\n")


@click.group()
@click.version_option(package_name="mesaides-core")
def cli() -> None:
    """mesaides: a social-benefits simulator whose partners own their rules."""


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def plugins(as_json: bool) -> None:
    """List partners: distribution, version, aides, Parameters, problems."""
    engine = _load()
    rules = engine.rules
    rows: list[dict[str, Any]] = []
    for record in rules.plugins.values():
        dist = record.distribution
        partner = rules.partners.get(dist)
        rows.append(
            {
                "name": record.name,
                "distribution": dist,
                "version": record.version,
                "partner": partner.name if partner else None,
                "aides": sorted(n for n, a in rules.aides.items() if a.owner == dist),
                "unavailable": {
                    n: why
                    for n, why in sorted(rules.unavailable.items())
                    if rules.quantities.get(n) and rules.quantities[n].owner == dist
                },
                "parameters": sorted(n for n, p in rules.parameters.items() if p.owner == dist and not p.stand_in),
                "taken_from_situation": sorted(n for n, owner in rules.stand_ins.items() if owner == dist),
                "problems": record.problems,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        status = "FAILED" if row["problems"] else "ok"
        click.echo(f"{row['distribution']} {row['version']}  [{row['name']}]  {status}")
        if row["partner"]:
            click.echo(f"  partner:    {row['partner']}")
        click.echo(f"  aides:      {', '.join(row['aides']) or '-'}")
        click.echo(f"  parameters: {', '.join(row['parameters']) or '-'}")
        if row["taken_from_situation"]:
            names = ", ".join(row["taken_from_situation"])
            click.echo(f"  taken from the situation (no installed partner computes them): {names}")
        for name, why in row["unavailable"].items():
            click.echo(f"  unavailable: {name}: {why}")
        for problem in row["problems"]:
            click.echo(f"  problem:    {problem}")
    for problem in rules.problems:
        if not any(problem.endswith(p) for r in rules.plugins.values() for p in r.problems):
            click.echo(f"problem: {problem}", err=True)


@cli.command()
@click.argument("file", type=click.File("rb"), default="-")
@click.option("--indent", type=int, default=None, help="Indent the JSON output.")
def calculate(file: IO[bytes], indent: int | None) -> None:
    """Fill in every null of an OpenFisca situation JSON (FILE or standard input)."""
    import orjson

    from mesaides.core.situation import SituationError, read_json

    progress = _Progress()
    try:
        # The web server's reader: the same messages for the same input (orjson inside: a
        # batch of thousands of households reads several times faster).
        data = read_json(file.read())
        progress.say("loading partners…")
        engine = _load()
        progress.say("validating the situation…")
        result = engine.calculate(data, progress=progress)
    except SituationError as exc:
        for issue in exc.issues:
            click.echo(f"error: {issue}", err=True)
        sys.exit(2)
    except Exception as exc:  # a rule's bug: say which, never a bare traceback
        raise click.ClickException(str(exc)) from None
    from mesaides.core.api import requested_names

    for name in engine.taken_from_situation(requested_names(data)):
        click.echo(
            f"note: {name} is taken from the situation (0 when not given): no installed partner computes it",
            err=True,
        )
    if indent is None:
        sys.stdout.buffer.write(orjson.dumps(result) + b"\n")
    else:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=indent) + "\n")
    sys.stdout.flush()


@cli.command()
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.argument("name")
@click.argument("period")
@click.argument("entity_id")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
@click.option("--depth", type=int, default=4, help="How deep to show the tree.")
def explain(file: IO[bytes], name: str, period: str, entity_id: str, as_json: bool, depth: int) -> None:
    """Explain NAME for PERIOD for ENTITY_ID in the situation FILE: what it read, the conditions
    met and, for a nil aide, the reason."""
    from mesaides.core.simulation import ComputationError
    from mesaides.core.situation import SituationError

    try:
        data = json.load(file)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{getattr(file, 'name', 'input')}: not valid JSON: {exc}") from None
    try:
        explanation = _load().explain(data, name, period, entity_id)
    except SituationError as exc:
        for issue in exc.issues:
            click.echo(f"error: {issue}", err=True)
        sys.exit(2)
    except ComputationError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(explanation.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(explanation.lines(max_depth=depth)))


@cli.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--aide", "aides", multiple=True, help="Only check these outputs.")
@click.option("--explain/--no-explain", default=True, help="Explain each value that differs.")
def test_cases(paths: tuple[Path, ...], aides: tuple[str, ...], explain: bool) -> None:
    """Run expert YAML test cases (OpenFisca's format) and report each case and output."""
    from mesaides.core.testing.report import run_files

    failures = run_files(_load(), paths or (Path("tests/yaml"),), aides=set(aides), explain=explain, echo=click.echo)
    sys.exit(1 if failures else 0)


@cli.group()
def partner() -> None:
    """Tools for partners."""


@partner.command("new")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--id", "partner_id", required=True, help="Short id, e.g. montreuil (also the institution id).")
@click.option("--name", required=True, help="The partner's name, e.g. 'Ville de Montreuil'.")
@click.option("--departement", required=True, help="INSEE code of the département of the example aide.")
@click.option("--commune", required=True, help="INSEE code of a commune there, for the example tests.")
@click.option("--scope", type=click.Choice(["territorial", "national"]), default="territorial")
@click.option("--declarative", is_flag=True, help="Aides as data (YAML files), no Python: core/docs/declarative.md.")
def partner_new(
    directory: Path, partner_id: str, name: str, departement: str, commune: str, scope: str, declarative: bool
) -> None:
    """Create a new partner distribution in DIRECTORY, passing its own tests out of the box."""
    from mesaides.core.scaffold.partner import NewPartner, ScaffoldError, create

    try:
        written = create(directory, NewPartner(partner_id, name, departement, commune, scope, declarative))
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created {len(written)} files in {directory}")
    click.echo(f"next: pip install -e {directory} && mesaides plugins && pytest {directory}")
    click.echo(
        f"replace {directory}/src/mesaides/partner_{partner_id}/logo_{partner_id}.png with your logo (PNG, 120 px square)"
    )


@cli.group()
def docs() -> None:
    """The documentation site of the installed partners (convention A13)."""


@docs.command("build")
@click.argument("out", type=click.Path(path_type=Path), default=Path("site"))
@click.option(
    "--tests",
    "test_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Folders of expert YAML cases to list on each aide's page (default: plugins/*/tests/yaml).",
)
def docs_build(out: Path, test_dirs: tuple[Path, ...]) -> None:
    """Write the static site into OUT (default: ./site)."""
    from mesaides.core.docs.site import build, collect_extras, collect_tests

    engine = _load()
    extras = collect_extras(engine.rules)
    dirs = test_dirs or tuple(Path("plugins").glob("*/tests/yaml"))
    pages = build(engine.rules, out, tests=collect_tests(dirs), extras=extras)
    click.echo(f"wrote {len(pages)} pages into {out}")


cli.add_command(population)


def main() -> None:
    pm = get_plugin_manager()
    pm.hook.mesaides_register_commands(cli=cli)
    cli(prog_name="mesaides")
