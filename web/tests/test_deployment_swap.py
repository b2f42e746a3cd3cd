"""``mesaides deployment swap``: two small partners made with ``mesaides partner new`` are
installed with pip into a fresh virtual environment; the national one's aide is public, the
territorial one's reads it. Swapping the national partner to a new version installs it, syncs
the registry (the territorial partner is notified, with the measured impact, A8), rewrites the
lock and is recorded; a version whose expert cases fail is rolled back; a swap back to the
first version is one command too.

The installed mesaides packages are reused through a .pth file; the CAF, Région, Nord and Lyon
packages are disabled (``MESAIDES_DISABLE_PLUGINS``) so that only the test partners count.
Slow: pip builds each version (a minute or two in all).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from mesaides.core.scaffold.partner import placeholder_png
from mesaides.registry import FixedClock, SmtpSettings, open_registry
from mesaides.registry.clock import clock_from_env
from mesaides.registry.testing import operator_account, referent
from mesaides.web.deployment.lock import read_lock

ALPHA, BETA = "mesaides-partner-alpha", "mesaides-partner-beta"
ALPHA_AIDE, BETA_AIDE = "alpha_aide_exemple", "beta_aide_exemple"
NOW = "2026-11-16T09:00:00"


def run(*args, check=True, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False, **kwargs)
    if check:
        assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def make_venv(path: Path) -> Path:
    """A fresh virtual environment that also sees this one's packages (through a .pth file)."""
    run(sys.executable, "-m", "venv", path)
    python = path / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    ours = [p for p in {sysconfig.get_paths()["purelib"], *site.getsitepackages()} if Path(p).exists()]
    lines = [f"import site; site.addsitedir({p!r})" for p in ours]
    (Path(purelib) / "parent_env.pth").write_text("\n".join(lines) + "\n")
    return python


def new_partner(root: Path, partner_id: str, scope: str) -> Path:
    target = root / f"{partner_id}-0.1.0"
    run(
        sys.executable,
        "-m",
        "mesaides.core.cli_main",
        "partner",
        "new",
        target,
        "--id",
        partner_id,
        "--name",
        f"Partenaire {partner_id}",
        "--departement",
        "59",
        "--commune",
        "59350",
        "--scope",
        scope,
    )
    # The partner's team replaces the placeholder logo (A4: PNG, 120 px square).
    (target / "src" / "mesaides" / f"partner_{partner_id}" / f"logo_{partner_id}.png").write_bytes(placeholder_png(120))
    return target


def release(source: Path, version: str, montant: float, expected: float) -> Path:
    """A new version of the alpha partner: another amount, its expert cases updated to ``expected``."""
    target = source.parent / f"alpha-{version}"
    shutil.copytree(source, target)
    pyproject = target / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', f'version = "{version}"'))
    law = target / "src/mesaides/partner_alpha/legislation/alpha.yaml"
    law.write_text(law.read_text().replace("value: 50.0", f"value: {montant}"))
    cases = target / "tests/yaml/alpha_aide_exemple.yaml"
    cases.write_text(cases.read_text().replace("alpha_aide_exemple: 50", f"alpha_aide_exemple: {expected}"))
    return target


def beta_reads_alpha(beta: Path) -> None:
    """The territorial partner's aide: its amount for the young people who receive alpha's aide."""
    (beta / "src/mesaides/partner_beta/rules.py").write_text(
        textwrap.dedent('''\
        """Beta's aide: a top-up for those who receive alpha's aide."""

        import numpy as np

        from mesaides.core import INDIVIDU, MONTH, quantity


        @quantity(INDIVIDU, MONTH, label="Complément de beta", reads=("alpha_aide_exemple",), law=("beta.aide_exemple",))
        def beta_aide_exemple(c):
            """The amount for every person receiving alpha's aide."""
            receives = c.check("Percevoir l'aide alpha", c("alpha_aide_exemple") > 0)
            return np.where(receives, c.law("beta.aide_exemple.montant"), 0.0)


        QUANTITIES = ()
        AIDES = (beta_aide_exemple,)
        ''')
    )
    plugin = beta / "src/mesaides/partner_beta/plugin.py"
    plugin.write_text(
        plugin.read_text().replace(
            'referent_email="referent@example.org",',
            'referent_email="referent@example.org",\n            requires={"mesaides-partner-alpha": ">=0.1,<1"},',
        )
    )


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("swap")
    python = make_venv(root / "venv")
    alpha = new_partner(root, "alpha", "national")
    beta = new_partner(root, "beta", "territorial")
    beta_reads_alpha(beta)
    versions = {
        "0.1.0": alpha,
        "0.2.0": release(alpha, "0.2.0", 60.0, 60),
        "0.3.0": release(alpha, "0.3.0", 70.0, 99),  # its expert case expects 99, computes 70: A5 fails
    }
    run(python, "-m", "pip", "install", "--quiet", "--no-deps", alpha, beta)
    env = {
        **os.environ,
        "MESAIDES_DATABASE_URL": f"sqlite:///{root / 'registry.sqlite3'}",
        "MESAIDES_NOW": NOW,
        "MESAIDES_REFERENCE_HOUSEHOLDS": "300",
        "MESAIDES_DISABLE_PLUGINS": "partner_caf,partner_region,partner_nord,partner_lyon,partner_assurance_maladie,partner_assurance_retraite",
    }
    env.update(operator_account(env["MESAIDES_DATABASE_URL"]))
    (root / "deployment.toml").write_text(
        textwrap.dedent(f"""\
        [instance]
        preview = true

        [distributions]
        {ALPHA} = ">=0.1,<1"
        {BETA} = ">=0.1,<1"

        [aides]
        {ALPHA_AIDE} = "public"
        {BETA_AIDE} = "preview"
        """)
    )

    def mesaides(*args, check=True):
        return run(python, "-m", "mesaides.core.cli_main", *args, check=check, env=env, cwd=root)

    mesaides("registry", "sync")
    with open_registry(env["MESAIDES_DATABASE_URL"], clock_from_env({"MESAIDES_NOW": NOW})) as registry:
        registry.sign_off(ALPHA_AIDE, "reliability", by=referent("alpha"))  # the partner's own act (A6a)
    mesaides("registry", "sign-off", ALPHA_AIDE, "quality")
    mesaides("deployment", "check")
    return {
        "root": root,
        "python": python,
        "versions": versions,
        "mesaides": mesaides,
        "url": env["MESAIDES_DATABASE_URL"],
    }


def installed(setup) -> str:
    return run(setup["python"], "-c", f"import importlib.metadata as m; print(m.version({ALPHA!r}))").stdout.strip()


def registry(setup):
    return open_registry(setup["url"], FixedClock(NOW), smtp=SmtpSettings())


def test_a_swap_installs_syncs_notifies_locks_and_is_recorded(setup):
    lock = read_lock(setup["root"] / "deployment.lock")
    assert lock.distributions[ALPHA].version == "0.1.0" and lock.shown() == {ALPHA_AIDE: "public", BETA_AIDE: "preview"}

    done = setup["mesaides"](
        "deployment", "swap", f"{ALPHA}==0.2.0", "--from", setup["versions"]["0.2.0"], "--reason", "montant 2027"
    )
    assert "swapped mesaides-partner-alpha 0.1.0 -> 0.2.0" in done.stdout, done.stdout
    assert installed(setup) == "0.2.0"
    lock = read_lock(setup["root"] / "deployment.lock")
    assert lock.distributions[ALPHA].version == "0.2.0"
    assert lock.shown() == {ALPHA_AIDE: "public", BETA_AIDE: "preview"}  # published before: A8, no new sign-off

    reg = registry(setup)
    try:
        swap = next(e for e in reg.audit_log(subject=ALPHA) if e.action == "deployment_swap")
        assert swap.details["before"] == "0.1.0" and swap.details["after"] == "0.2.0" and swap.reason == "montant 2027"
        # A8: the partner of the aide reading alpha's is told, the aide carries the A7 notice until it answers.
        sent = [n for n in reg.notifications(partner="beta") if n["rule"] == "A8" and n["subject"] == ALPHA_AIDE]
        assert sent and sent[-1]["id"] in swap.details["notifications"]
        assert BETA_AIDE in sent[-1]["recipients"]["beta"]["aides"]
        assert reg.public_state().aides[ALPHA_AIDE].notice
        impact = {m["aide"]: m for m in reg.impact(subject=ALPHA_AIDE)}
        assert impact[ALPHA_AIDE]["error"] is None and impact[ALPHA_AIDE]["changed"] > 0
        assert impact[ALPHA_AIDE]["mean_change"] == pytest.approx(10.0)
        assert BETA_AIDE in impact
    finally:
        reg.close()


def test_a_version_the_deployment_refuses_is_rolled_back(setup):
    before = (setup["root"] / "deployment.lock").read_text()
    done = setup["mesaides"]("deployment", "swap", f"{ALPHA}==0.3.0", "--from", setup["versions"]["0.3.0"], check=False)
    assert done.returncode == 1
    assert re.search(r"refused at check: .*; rolled back", done.stderr), done.stderr
    assert f"[A5] {ALPHA_AIDE}: expert case" in done.stdout + done.stderr
    assert installed(setup) == "0.2.0"
    assert (setup["root"] / "deployment.lock").read_text() == before
    reg = registry(setup)
    try:
        failed = next(e for e in reg.audit_log(subject=ALPHA) if e.action == "deployment_swap_failed")
        assert failed.details["after"] == "0.3.0" and failed.details["outcome"] == "rolled back"
        assert not any(n["details"].get("version") == "0.3.0" for n in reg.notifications())  # nobody was told
    finally:
        reg.close()


def test_out_of_range_is_refused_before_installing_and_a_rollback_is_a_swap(setup):
    done = setup["mesaides"]("deployment", "swap", f"{ALPHA}==1.0.0", check=False)
    assert done.returncode == 1 and "outside the range" in done.stderr and installed(setup) == "0.2.0"

    setup["mesaides"]("deployment", "swap", f"{ALPHA}==0.1.0", "--from", setup["versions"]["0.1.0"], "--no-measure")
    assert installed(setup) == "0.1.0"
    assert read_lock(setup["root"] / "deployment.lock").distributions[ALPHA].version == "0.1.0"
    status = json.loads(setup["mesaides"]("registry", "status", ALPHA_AIDE, "--json").stdout)
    assert status["version"] == "0.1.0" and status["status"] == "published"
