"""Agreement with the reference cases computed by OpenFisca-France 176.1.8 and
openfisca-france-local 6.17.11 for November 2026 (``oracle/cases-lyon.jsonl.gz``: the 600 public
reference households, with only this partner's output kept).

The revenu solidarité jeunes depends on the CAF's ``rsa``, ``aah`` and ``ppa`` being right: the
RSA and the AAH exclude, and the prime d'activité counts in the activity income.
"""

from pathlib import Path

from mesaides.core.testing.oracle import check_agreement

CASES = Path(__file__).parent / "oracle" / "cases-lyon.jsonl.gz"
OUTPUT = "revenu_solidaire_jeune"


def test_agreement_is_at_least_99_percent():
    check_agreement(CASES, OUTPUT, total=1460)  # every person of the 600 households
