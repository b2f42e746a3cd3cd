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
    "Pour répondre à cette notification (aucune interaction avec vos aides, ou vos aides mises "
    "à jour), un référent de votre organisme se connecte à l'espace partenaires du simulateur "
    "(page « Connexion », puis l'espace de {partner}, notification n° {id}), ou votre intégration "
    "continue répond par l'API des partenaires avec un jeton créé dans cet espace.\n"
)
"""A7: how a partner answers; its own act, done by its referents (the command line no longer
answers for a partner)."""


def a7_notice(kind: str) -> str:
    return A7_NOTICES.get(kind, A7_NOTICES["aide_changed"])
