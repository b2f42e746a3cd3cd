"""Texts users and partners read. Notices shown to users are in French (the simulator's
language); they are the registry's contract with the web simulator."""

from __future__ import annotations

A7_NOTICES = {
    "aide_added": (
        "Cette aide vient d'être ajoutée au simulateur : ses interactions avec les autres aides ne "
        "sont pas encore toutes prises en compte."
    ),
    "aide_changed": (
        "Les règles de cette aide viennent d'être mises à jour : leurs interactions avec les autres "
        "aides ne sont pas encore toutes prises en compte."
    ),
    "aide_removed": (
        "Une aide dont le calcul de celle-ci peut dépendre vient d'être retirée du simulateur : "
        "cette interaction n'est pas encore prise en compte."
    ),
}
"""A7: shown until every partner informed under A3 has confirmed that there is no interaction,
or has updated its own aides."""

G3_NOTICE = (
    "Cette aide locale peut modifier l'éligibilité ou le montant d'aides nationales ; les "
    "partenaires nationaux n'ont pas encore confirmé que ces interactions sont prises en compte."
)
"""G3: shown on a new territorial aide until the national partners have assessed its impacts."""

ACKNOWLEDGE_HELP = (
    "Pour confirmer qu'il n'y a pas d'interaction avec vos aides :\n"
    "  mesaides registry acknowledge {id} --partner {partner} --by <vous>\n"
    "ou, si vous avez mis vos aides à jour :\n"
    "  mesaides registry acknowledge {id} --partner {partner} --updated --by <vous>\n"
)


def a7_notice(kind: str) -> str:
    return A7_NOTICES.get(kind, A7_NOTICES["aide_changed"])
