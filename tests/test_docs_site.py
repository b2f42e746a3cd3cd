"""The documentation site (A13) builds with the real CAF and Nord packages, and the pages of
``rsa`` and ``nord_activ_emploi_maximum`` show the dependency between them, both ways.

Skipped when either package is not installed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import importlib_metadata
import pytest

ROOT = Path(__file__).resolve().parents[1]
RSA, NORD_AIDE = "rsa", "nord_activ_emploi_maximum"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    for dist in ("mesaides-partner-caf", "mesaides-partner-nord"):
        try:
            importlib_metadata.distribution(dist)
        except importlib_metadata.PackageNotFoundError:
            pytest.skip(f"{dist} is not installed")
    folder = tmp_path_factory.mktemp("docs")
    out = folder / "site"
    env = {**os.environ, "MESAIDES_INSTANCE": str(folder / "instance")}  # no registry database: no extras
    env.pop("MESAIDES_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "mesaides.core.cli_main", "docs", "build", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("wrote ")
    return out


def section(page: str, title: str) -> str:
    """The text of a line of the "Dépendances" paragraph, up to the next line break or paragraph."""
    found = re.search(re.escape(title) + r"(.*?)(?:<br>|</p>)", page, re.S)
    assert found, f"no {title!r} on the page"
    return found.group(1)


def test_the_rsa_page_links_to_the_aide_that_depends_on_it(site):
    page = (site / "aides" / f"{RSA}.html").read_text(encoding="utf-8")
    assert f"href='{NORD_AIDE}.html'" in section(page, "Aides qui en dépendent :")
    assert f"href='{NORD_AIDE}.html'" not in section(page, "Dépend des aides :")


def test_the_nord_page_links_to_rsa_which_it_depends_on(site):
    page = (site / "aides" / f"{NORD_AIDE}.html").read_text(encoding="utf-8")
    assert f"href='{RSA}.html'" in section(page, "Dépend des aides :")
    assert f"href='{RSA}.html'" not in section(page, "Aides qui en dépendent :")
    # The drawn graph names both aides too.
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert RSA in svg and NORD_AIDE in svg


def test_every_link_between_pages_resolves(site):
    for page in site.rglob("*.html"):
        for target in re.findall(r"href=['\"]?([^'\" >]+\.html)", page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (page.parent / target).resolve().exists(), f"{page.relative_to(site)} links to missing {target}"
