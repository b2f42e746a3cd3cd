"""Build the core's geography tables from the npm package ``@etalab/decoupage-administratif``.

The package is Etalab's JSON rendering of INSEE's Code officiel géographique (communes,
départements, régions) and of the DGCL's composition of the EPCI à fiscalité propre. To
regenerate the tables for a new vintage::

    cd /tmp && npm pack @etalab/decoupage-administratif@6.0.0 && tar xzf etalab-decoupage-administratif-6.0.0.tgz
    python core/scripts/build_communes.py /tmp/package

then update the version and vintage in ``core/src/mesaides/core/data/README.md`` and in
``mesaides.core.geography`` (``SOURCE``).

It writes, into ``core/src/mesaides/core/data/``:

``communes.csv``
    ``depcom,departement,region,epci,typecom``: one row per INSEE commune code of the vintage.
    ``typecom`` is INSEE's type: ``COM`` (commune), ``ARM`` (arrondissement municipal of Paris,
    Lyon or Marseille), ``COMD`` (commune déléguée) or ``COMA`` (commune associée). An
    arrondissement, commune déléguée or associée takes the département, région and EPCI of the
    commune it belongs to; a code shared by a commune and one of its communes déléguées is
    written once, as the commune. Collectivités d'outre-mer (975, 977, 978, 984, 986, 987, 988,
    989) have their COM code as ``departement`` and no région (``region`` is empty: the COG
    gives them none). Communes outside any EPCI à fiscalité propre (a few islands, the COM)
    have an empty ``epci``.
``territoires.csv``
    ``niveau,code,nom``: the names of the régions, départements (and COM) and EPCI.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "mesaides" / "core" / "data"

TYPECOM = {
    "commune-actuelle": "COM",
    "arrondissement-municipal": "ARM",
    "commune-deleguee": "COMD",
    "commune-associee": "COMA",
}


def build(package: Path, out: Path = OUT) -> dict[str, int]:
    data = package / "data" if (package / "data").is_dir() else package
    communes = json.loads((data / "communes.json").read_text(encoding="utf-8"))
    epcis = json.loads((data / "epci.json").read_text(encoding="utf-8"))
    departements = json.loads((data / "departements.json").read_text(encoding="utf-8"))
    regions = json.loads((data / "regions.json").read_text(encoding="utf-8"))

    epci_of = {}
    for e in epcis:
        for member in e["membres"]:
            if member["code"] in epci_of:
                raise SystemExit(f"commune {member['code']} belongs to two EPCI")
            epci_of[member["code"]] = e["code"]

    rows: dict[str, tuple[str, str, str, str, str]] = {}
    current = {c["code"]: c for c in communes if c["type"] == "commune-actuelle"}

    def row(code: str, parent: dict, typecom: str) -> tuple[str, str, str, str, str]:
        com = parent.get("zone") == "com"
        region = "" if com else parent["region"]
        return (code, parent["departement"], region, epci_of.get(parent["code"], ""), typecom)

    for c in current.values():
        rows[c["code"]] = row(c["code"], c, "COM")
    for c in communes:
        kind = TYPECOM.get(c["type"])
        if kind in (None, "COM") or c["code"] in rows:
            continue
        parent_code = c["commune"] if kind == "ARM" else c["chefLieu"]
        parent = current.get(parent_code)
        if parent is None:
            print(f"warning: {c['code']} ({c['nom']}): its commune {parent_code} is not current", file=sys.stderr)
            continue
        rows[c["code"]] = row(c["code"], parent, kind)

    out.mkdir(parents=True, exist_ok=True)
    with (out / "communes.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("depcom", "departement", "region", "epci", "typecom"))
        w.writerows(rows[k] for k in sorted(rows))

    with (out / "territoires.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("niveau", "code", "nom"))
        w.writerows(("region", r["code"], r["nom"]) for r in regions if r.get("zone") != "com")
        w.writerows(("departement", d["code"], d["nom"]) for d in departements)
        w.writerows(("epci", e["code"], e["nom"]) for e in sorted(epcis, key=lambda e: e["code"]))

    counts: dict[str, int] = {}
    for r in rows.values():
        counts[r[4]] = counts.get(r[4], 0) + 1
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", type=Path, help="the unpacked npm package (its folder, or its data/ folder)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    args = parser.parse_args(argv)
    counts = build(args.package, args.out)
    print(", ".join(f"{n} {k}" for k, n in sorted(counts.items())), f"written to {args.out}")


if __name__ == "__main__":
    main()
