"""One notification per partner per change set (A3, A7, A8): a legislation value that several
aides read changes them all in one release; each partner concerned gets one notification and one
email listing every change, and the sync prints each measured aide once."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from registry_test_partners import NAT_ANCIEN, NAT_STATUT_SPECIAL, departement, info, metropole, national
from sqlalchemy import func, select

from mesaides.core import FAMILLE, INDIVIDU, MONTH, Parameter, quantity
from mesaides.registry.models import OutboxMessage
from mesaides.registry.testing import OPERATOR, referent


@quantity(FAMILLE, MONTH, label="Complément de test", reads=("nat_ressources",), law=("nat.montant",))
def nat_complement(c):
    return np.maximum(c.law("nat.montant") / 10 - c("nat_ressources"), 0)


@quantity(INDIVIDU, MONTH, label="Cumul départemental (test)", reads=("minimum_test", "nat_complement"))
def dep_cumul(c):
    return np.where((c("minimum_test") > 0) & (c("nat_complement") > 0), 20.0, 0.0)


def _national(version="1.0.0", montant=500.0):
    spec = national(version, montant=montant)
    return replace(spec, aides=(*spec.aides, (nat_complement, info("Complément de test", "nat"))))


def _departement():
    spec = departement()
    return replace(spec, aides=(*spec.aides, (dep_cumul, info("Cumul départemental", "dep"))))


def test_a8_one_value_read_by_two_aides_makes_one_notification_and_one_email_per_partner(registry, deployment):
    registry.sync(deployment.rules(_national(), _departement(), metropole()), by=OPERATOR)
    report = registry.sync(
        deployment.rules(_national("1.1.0", montant=650.0), _departement(), metropole()), by=OPERATOR
    )
    assert sorted(report.changed) == ["minimum_test", "nat_complement"]

    [a8] = [n for n in registry.notifications() if n["rule"] == "A8"]
    assert set(a8["recipients"]) == {"dep", "metro"}
    assert a8["recipients"]["dep"]["aides"] == ["dep_bonus", "dep_cumul"]
    assert a8["recipients"]["metro"]["aides"] == ["metro_jeunes"]
    assert a8["title"] == "2 aides ont été mises à jour : minimum_test, nat_complement"
    with registry.database.reading() as session:
        emails = dict(
            session.execute(
                select(OutboxMessage.partner_id, func.count())
                .where(OutboxMessage.notification_id == a8["id"])
                .group_by(OutboxMessage.partner_id)
            ).all()
        )
    assert emails == {"dep": 1, "metro": 1}

    # Each measured aide is printed once, with the changes it depends on.
    lines = report.lines()
    assert [line for line in lines if " on dep_cumul:" in line] == [
        next(line for line in lines if line.startswith("  impact of minimum_test, nat_complement on dep_cumul:"))
    ]
    assert len([line for line in lines if " on dep_bonus:" in line]) == 1

    # A7: the Métropole reads only minimum_test; once the Département answers, only the
    # Métropole's pending answer keeps minimum_test's notice, and nat_complement's is lifted.
    assert {registry.public_state().aides[a].notice is not None for a in ("minimum_test", "nat_complement")} == {True}
    registry.acknowledge(a8["id"], "dep", by=referent("dep"))
    state = registry.public_state()
    assert state.aides["minimum_test"].notice is not None
    assert state.aides["nat_complement"].notice is None
    registry.acknowledge(a8["id"], "metro", by=referent("metro"))
    assert registry.public_state().aides["minimum_test"].notice is None


def test_p3_two_parameters_added_in_one_release_make_one_notification(registry, deployment):
    nat_autre = Parameter(
        name="nat_autre_parametre",
        entity=INDIVIDU,
        period=MONTH,
        value_type="bool",
        label="Autre Parameter (test)",
        year_input="dispatch",
    )
    registry.sync(deployment.rules(national(), departement(), metropole()), by=OPERATOR, measure=False)
    registry.sync(
        deployment.rules(
            national("1.1.0", parameters=(NAT_STATUT_SPECIAL, NAT_ANCIEN, nat_autre)), departement(), metropole()
        ),
        by=OPERATOR,
        measure=False,
    )
    [p3] = [n for n in registry.notifications() if n["rule"] == "P3"]
    assert p3["title"] == "2 nouveaux Parameters : nat_ancien_parametre, nat_autre_parametre"
    assert set(p3["recipients"]) == {"dep", "metro"}  # not the national partner, which added them
    with registry.database.reading() as session:
        emails = session.scalars(select(OutboxMessage.partner_id).where(OutboxMessage.notification_id == p3["id"]))
        assert sorted(emails) == ["dep", "metro"]
