import datetime as dt

import numpy as np
import pytest

from mesaides.core.legislation import Legislation, LegislationError, parse_legislation

REF = "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000049385006"


def legislation(data):
    return Legislation(parse_legislation(data, source="test"))


def test_value_in_force_at_a_date():
    law = legislation(
        {
            "rsa.montant": {
                "label": "x",
                "history": [
                    {"from": "2024-04-01", "value": 635.71, "ref": REF},
                    {"from": "2025-04-01", "value": 646.52, "ref": REF},
                ],
            }
        }
    )
    assert law.value("rsa.montant", dt.date(2024, 4, 1)) == 635.71
    assert law.value("rsa.montant", dt.date(2025, 3, 31)) == 635.71
    assert law.value("rsa.montant", dt.date(2026, 11, 1)) == 646.52
    assert law.node("rsa.montant").entry_at(dt.date(2026, 11, 1)).reference == REF


def test_no_value_before_the_history_is_an_error_not_a_zero():
    law = legislation({"a.b": {"label": "x", "history": [{"from": "2024-01-01", "value": 1, "ref": REF}]}})
    with pytest.raises(LegislationError, match=r"a\.b: no value in force on 2023-12-31"):
        law.value("a.b", dt.date(2023, 12, 31))


def test_a_null_value_ends_the_history():
    law = legislation(
        {
            "a.b": {
                "label": "x",
                "history": [
                    {"from": "2024-01-01", "value": 1, "ref": REF},
                    {"from": "2025-01-01", "value": None, "ref": REF},
                ],
            }
        }
    )
    with pytest.raises(LegislationError):
        law.value("a.b", dt.date(2025, 6, 1))


def test_every_value_needs_a_reference():
    with pytest.raises(LegislationError, match=r"a\.b: history\.0\.ref"):
        parse_legislation({"a.b": {"label": "x", "history": [{"from": "2024-01-01", "value": 1}]}}, source="f.yaml")


def test_history_must_be_ascending():
    with pytest.raises(LegislationError, match="ascending"):
        parse_legislation(
            {
                "a.b": {
                    "label": "x",
                    "history": [
                        {"from": "2025-01-01", "value": 1, "ref": REF},
                        {"from": "2024-01-01", "value": 2, "ref": REF},
                    ],
                }
            }
        )


def test_scale_is_applied_marginally():
    law = legislation(
        {
            "ir.bareme": {
                "label": "x",
                "type": "scale",
                "history": [
                    {
                        "from": "2024-01-01",
                        "ref": REF,
                        "brackets": [
                            {"threshold": 0, "rate": 0},
                            {"threshold": 10000, "rate": 0.1},
                            {"threshold": 20000, "rate": 0.3},
                        ],
                    }
                ],
            }
        }
    )
    scale = law.scale("ir.bareme", dt.date(2026, 1, 1))
    # 25 000: 10 000 at 0 %, 10 000 at 10 %, 5 000 at 30 %
    assert scale.calc(np.array([5000.0, 25000.0])).tolist() == [0.0, 2500.0]
    assert scale.rate_at(np.array([15000.0])).tolist() == [0.1]


def test_duplicate_paths_are_refused():
    nodes = parse_legislation({"a.b": {"label": "x", "history": [{"from": "2024-01-01", "value": 1, "ref": REF}]}})
    with pytest.raises(LegislationError, match="declared twice"):
        Legislation(nodes + nodes)
