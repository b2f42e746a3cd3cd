"""Geography: département, région and EPCI of a commune, from the COG 2026 table."""

import numpy as np
import pytest

from mesaides.core import Engine, load_rules
from mesaides.core.geography import (
    VINTAGE,
    communes_of,
    departement_of,
    departements,
    epci_of,
    epcis,
    in_territory,
    name_of,
    region_of,
)

LYON = "200046977"  # Métropole de Lyon
LILLE = "200093201"  # Métropole Européenne de Lille


@pytest.mark.parametrize(
    "depcom, departement, region, epci",
    [
        ("59350", "59", "32", LILLE),  # Lille
        ("69123", "69", "84", LYON),  # Lyon
        ("69266", "69", "84", LYON),  # Villeurbanne
        ("69259", "69", "84", LYON),  # Vénissieux
        ("69381", "69", "84", LYON),  # Lyon 1er arrondissement: its city's EPCI
        ("75056", "75", "11", "200054781"),  # Paris, Métropole du Grand Paris
        ("75120", "75", "11", "200054781"),  # Paris 20e arrondissement
        ("13201", "13", "93", "200054807"),  # Marseille 1er, Aix-Marseille-Provence
        ("92002", "92", "11", "200054781"),  # Antony
        ("2A004", "2A", "94", "242010056"),  # Ajaccio
        ("97101", "971", "01", "200018653"),  # Les Abymes, Guadeloupe
        ("97611", "976", "06", "200060457"),  # Mamoudzou, Mayotte
        ("29155", "29", "53", ""),  # Ouessant: in no EPCI
        ("98735", "987", "", ""),  # Papeete: a COM, no région, no EPCI
        ("99999", "", "", ""),  # unknown
        ("", "", "", ""),  # not given
    ],
)
def test_facts_of_the_code_officiel_geographique(depcom, departement, region, epci):
    assert (departement_of(depcom), region_of(depcom), epci_of(depcom)) == (departement, region, epci)


def test_vectorised_lookup_keeps_order_and_repeats():
    codes = np.array(["69123", "59350", "", "69123", "12345", "59350"], dtype=object)
    assert departements(codes).tolist() == ["69", "59", "", "69", "", "59"]
    assert epcis(codes).tolist() == [LYON, LILLE, "", LYON, "", LILLE]
    assert departements(np.array([], dtype=object)).tolist() == []


def test_a_few_codes_get_what_the_vectorised_lookup_gives():
    # A household's codes are looked up one by one (from a cache), a sample's all at once.
    from mesaides.core.geography import _ONE_BY_ONE, regions, table

    codes = np.concatenate([table().depcom[::97], np.array(["", "00000", "99999", "2A004", "98735", "x"])])
    codes = codes.astype(object)
    assert len(codes) > _ONE_BY_ONE
    for lookup in (departements, regions, epcis):
        together = lookup(codes).tolist()
        one_by_one = [v for i in range(0, len(codes), 3) for v in lookup(codes[i : i + 3]).tolist()]
        assert together == one_by_one
        assert "" in together and len(set(together)) > 10


def test_communes_of_a_territory():
    lyon = communes_of(epci=LYON)
    assert {"69123", "69266", "69259", "69381", "69389"} <= lyon
    assert "69001" not in lyon  # Affoux, Rhône, outside the Métropole
    # COG 2026: 58 communes (Lyon's 9 arrondissements come on top).
    assert len(communes_of(epci=LYON, typecom=("COM",))) == 58
    assert len(communes_of(epci=LYON, typecom=("ARM",))) == 9
    hauts_de_france = communes_of(region="32")
    assert {departement_of(c) for c in hauts_de_france} == {"02", "59", "60", "62", "80"}
    assert communes_of(departement="59") < hauts_de_france
    assert communes_of(departement=["59", "62"], epci=LILLE) == communes_of(epci=LILLE)
    with pytest.raises(ValueError):
        communes_of()


def test_in_territory():
    codes = ["59350", "62041", "69123", ""]
    assert in_territory(codes, region="32").tolist() == [True, True, False, False]
    assert in_territory(codes, departement="59").tolist() == [True, False, False, False]
    assert in_territory(codes, epci=[LYON, LILLE]).tolist() == [True, False, True, False]


def test_names_and_vintage():
    assert name_of("epci", LYON) == "Métropole de Lyon"
    assert name_of("epci", LILLE) == "Métropole Européenne de Lille"
    assert name_of("region", "32") == "Hauts-de-France"
    assert name_of("departement", "2A") == "Corse-du-Sud"
    assert name_of("epci", "000000000") == ""
    assert VINTAGE == 2026


def test_quantities_of_the_menage(pm):
    engine = Engine(load_rules(pm))
    depcoms = ["59350", "69123", "", "97501", "59350"]
    situation = {
        "individus": {f"p{k}": {} for k in range(len(depcoms))},
        "menages": {
            f"m{k}": {
                "personne_de_reference": [f"p{k}"],
                **({"depcom": {"2026-11": d}} if d else {}),
                "departement": {"2026-11": None},
                "region": {"2026-11": None},
                "epci": {"2026-11": None},
            }
            for k, d in enumerate(depcoms)
        },
    }
    result = engine.calculate(situation)["menages"]
    got = [tuple(result[f"m{k}"][q]["2026-11"] for q in ("departement", "region", "epci")) for k in range(5)]
    assert got == [
        ("59", "32", LILLE),
        ("69", "84", LYON),
        ("", "", ""),
        ("975", "", ""),  # Miquelon-Langlade, Saint-Pierre-et-Miquelon
        ("59", "32", LILLE),
    ]
