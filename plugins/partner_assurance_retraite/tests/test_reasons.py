"""The reasons a results page gives for the Assurance retraite's aides hold (issue 13, section 4):
every condition an aide names is necessary (no household that gets the aide fails it), and every
nil amount fails one of them, over the 600 reference households of the second wave and 5,000
generated households."""

from pathlib import Path

from mesaides.core.testing.reasons import assert_reasons_hold


def test_every_condition_is_necessary_and_every_nil_amount_has_one():
    assert_reasons_hold(Path(__file__).parent / "oracle" / "cases-wave2-assurance-retraite.jsonl.gz", ("aspa",))
