"""Problems of declarative files, each naming the file, the aide, the field and the problem:

aides/pass_famille.yaml: aide paris_pass_famille: conditions[1].age.maxi: unknown key 'maxi' (did you mean 'max'?)
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails


@dataclass(frozen=True)
class FileProblem:
    """One problem of one file: what a partner's hook registers instead of an aide it refuses,
    so that the partner's other aides still load (the rule set lists it in ``problems``)."""

    file: str
    aide: str | None
    field: str
    problem: str

    def __str__(self) -> str:
        aide = f"aide {self.aide}: " if self.aide else ""
        field = f"{self.field}: " if self.field else ""
        return f"{self.file}: {aide}{field}{self.problem}"


class DeclarativeError(ValueError):
    """A declarative file is refused: its problems, each with the file, the aide and the field."""

    def __init__(self, problems: list[FileProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def location(loc: tuple[int | str, ...]) -> str:
    """``conditions[2].age.of`` from pydantic's ``("conditions", 2, "age", "of")``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + ("not" if part == "not_" else "in" if part == "in_" else part)
    return text


def from_validation(file: str, aide: str | None, error: ValidationError) -> DeclarativeError:
    """The problems pydantic found, in the format's words (no input dumps, no links)."""
    problems = [_problem(file, aide, e) for e in error.errors(include_url=False, include_input=False)]
    return DeclarativeError(problems)


def _problem(file: str, aide: str | None, error: ErrorDetails) -> FileProblem:
    loc = tuple(error["loc"])
    # A union (a value or a list) adds the tried type's name to the location: drop it.
    loc = tuple(p for p in loc if not (isinstance(p, str) and (p[:1].isupper() or "[" in p)))
    message = error["msg"]
    if error["type"] == "missing":
        message = "missing"
    elif message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    elif error["type"] in ("literal_error", "enum"):
        message = message[:1].lower() + message[1:]
    return FileProblem(file, aide, location(loc), message)
