"""The reasons a results page gives for the aides of Éducation nationale hold: every condition an aide
names is necessary (no household that gets the aide fails it), and every nil amount fails one of
them, over the 600 second-wave reference households and 5,000 generated ones."""

from pathlib import Path

from mesaides.core.testing.reasons import assert_reasons_hold


def test_every_condition_is_necessary_and_every_nil_amount_has_one():
    assert_reasons_hold(Path(__file__).parent / "oracle" / "cases-bourses.jsonl.gz", ("bourse_college", "bourse_lycee"))
