"""The core's own situation hooks: what every situation needs, whichever partners are installed.

- ``mesaides_prepare_situation``: a group table left out stands for one group per person (as in
  OpenFisca): each person alone in the first role of a group named after them.
- ``mesaides_validate_situation``: a commune code (``depcom``) is a code of the geography table,
  and nobody is born in the future.

They run once per situation, on the model, before the arrays are built (see
:func:`mesaides.core.population.parse_situation`); ``core/docs/hooks.md`` documents the hooks.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from typing import Any

from mesaides.core.entities import GROUP_ENTITIES
from mesaides.core.geography import VINTAGE, known_codes
from mesaides.core.hookspecs import hookimpl
from mesaides.core.situation import Situation, SituationIssue


@hookimpl
def mesaides_prepare_situation(situation: Situation) -> Situation | None:
    """One group per person for each group table left out."""
    missing = [e for e in GROUP_ENTITIES if getattr(situation, e.plural) is None]
    if not missing:
        return None
    persons = list(situation.individus)
    return situation.model_copy(update={e.plural: {pid: {e.roles[0].key: [pid]} for pid in persons} for e in missing})


@hookimpl
def mesaides_validate_situation(situation: Situation) -> list[SituationIssue]:
    return [*_unknown_communes(situation), *_born_in_the_future(situation)]


def _unknown_communes(situation: Situation) -> Iterator[SituationIssue]:
    """A ``depcom`` given must be an INSEE code of the geography table (left out, it keeps its
    default ``""``: no commune, so no territorial aide)."""
    known = known_codes()
    for gid, menage in (situation.menages or {}).items():
        periods = menage.get("depcom")
        if not isinstance(periods, dict):
            continue
        for key, code in periods.items():
            if isinstance(code, str) and code not in known:
                yield SituationIssue(
                    path=f"menages.{gid}.depcom.{key}",
                    message=(
                        f"unknown commune code {_quoted(code)}: expected an INSEE code of the Code officiel "
                        f"géographique {VINTAGE} (5 characters, such as 59350)"
                    ),
                )


def _born_in_the_future(situation: Situation) -> Iterator[SituationIssue]:
    """A birth date after both today and the last day of the situation's latest period (given
    or asked for) is a mistake: that person does not exist at any period computed."""
    births = {
        pid: periods
        for pid, person in situation.individus.items()
        if isinstance(periods := person.get("date_naissance"), dict)
    }
    today = dt.date.today().isoformat()
    late = [
        (pid, key, day)
        for pid, periods in births.items()
        for key, day in periods.items()
        if isinstance(day, str) and day > today
    ]
    if not late:
        return
    horizon = max(today, _last_day(situation))
    for pid, key, day in late:
        if day > horizon:
            yield SituationIssue(
                path=f"individus.{pid}.date_naissance.{key}",
                message=f"{_quoted(day)} is in the future: after today and after the periods of the situation (until {horizon})",
            )


def _last_day(situation: Situation) -> str:
    """The last day of the latest month or year the situation gives or asks for."""
    latest = ""
    for table in situation.tables().values():
        for obj in table.values():
            for periods in obj.values():
                if isinstance(periods, dict):
                    for key in periods:
                        if key != "ETERNITY" and key > latest:
                            latest = key
    if not latest:
        return ""
    year, _, month = latest.partition("-")
    if not month:
        return f"{year}-12-31"
    return f"{latest}-{calendar.monthrange(int(year), int(month))[1]:02d}"


def _quoted(value: Any) -> str:
    text = str(value)
    return f"'{text if len(text) < 40 else text[:37] + '...'}'"
