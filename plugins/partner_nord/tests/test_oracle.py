"""Agreement with the reference cases computed by OpenFisca-France 176.1.8 and
openfisca-france-local 6.17.11 for November 2026 (``oracle/cases-nord.jsonl.gz``: the 600 public
reference households, with only this partner's output kept).

Activ'Emploi depends on the CAF's ``rsa`` being right: a difference on the RSA's sign (paid or
not) in a household of the Nord shows here as a difference on every member.
"""

from pathlib import Path

from mesaides.core.testing.oracle import check_agreement

CASES = Path(__file__).parent / "oracle" / "cases-nord.jsonl.gz"
OUTPUT = "nord_activ_emploi_maximum"


def test_agreement_is_at_least_99_percent():
    check_agreement(CASES, OUTPUT, total=1460)  # every person of the 600 households
