"""The reasons a results page gives for the aides of the Région Hauts-de-France hold (issue 13, section 4):
every condition an aide names is necessary (no household that gets the aide fails it), and every
nil amount fails one of them, over the reference households and 5,000 generated ones."""

from pathlib import Path

from mesaides.core.testing.reasons import assert_reasons_hold


def test_every_condition_is_necessary_and_every_nil_amount_has_one():
    assert_reasons_hold(
        Path(__file__).parent / "oracle" / "cases-region.jsonl.gz",
        ("hauts_de_france_aide_garde_enfant", "hauts_de_france_aide_permis"),
    )
