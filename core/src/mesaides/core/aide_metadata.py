"""Messages for an aide whose convention metadata (``AideInfo``) is invalid: the aide, each field
and the rule that asks for it, instead of pydantic's raw report (input dumps and links)."""

from __future__ import annotations

from pydantic import ValidationError

FIELD_RULES: dict[str, str] = {
    "label": "A4: the aide's name, in French",
    "description": "A4: a description of the aide",
    "institution": "A4: the granting institution, whose logo is logo_<institution>.png",
    "public_page": "A11: a stable public page describing the aide",
    "apply": "A12: at least one way to apply: an online service, a form to fill in digitally or a printable one",
    "legal_references": "A13: the legal texts its rules follow, at least one",
    "documentation": "A13: its rules and assumptions in plain words",
}
"""What each field is for, with the convention rule that asks for it."""


class AideMetadataError(ValueError):
    """An aide's metadata breaks the convention; the message names the aide, each field and rule."""

    def __init__(self, aide: str, error: ValidationError):
        self.aide = aide
        self.problems = [_problem(e) for e in error.errors(include_url=False, include_input=False)]
        super().__init__(f"aide {aide}: invalid metadata: " + "; ".join(self.problems))


def _problem(error: dict) -> str:
    location = ".".join(str(part) for part in error["loc"]) or "metadata"
    if error["type"] == "missing":
        what = "missing"
    elif error["type"] == "too_short":
        what = "empty"
    else:
        what = error["msg"][:1].lower() + error["msg"][1:]
    rule = FIELD_RULES.get(str(error["loc"][0])) if error["loc"] else None
    return f"{location}: {what}" + (f" ({rule})" if rule else "")
