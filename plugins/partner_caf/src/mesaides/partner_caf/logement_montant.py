"""Aides personnelles au logement: personal participation and the amount (secteur locatif), as
OpenFisca-France 176.1.8 computes them. See ``logement`` for the formula.
"""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, MONTH, quantity
from mesaides.partner_caf.helpers import by_zone, is_locataire, menage_value, zone_index
from mesaides.partner_caf.logement_accession_foyer import seuil_versement_accession_foyer
from mesaides.partner_caf.logement_loyer import AL, ARRETE_2019, D823_16, LOC, SINCE

RLS = f"{AL}.rls"
TF_NAMES = (
    "avec_1_enfant",
    "avec_2_enfants",
    "avec_3_enfants",
    "avec_4_enfants",
    "avec_5_enfants",
    "avec_6_enfants",
    "avec_7_enfants",
)


def _by_household(c, n, couple, single_0, couple_0, per_n, n_max, extra=None):
    """A value chosen by the household: single or couple without dependant, else the value for
    ``n`` dependants (``per_n(k)`` for k = 1..n_max, n_max for more), plus ``extra`` for each
    dependant beyond ``n_max``."""
    k = np.minimum(n, n_max)
    # Only the values some household takes are looked up: one for a household alone.
    present = np.bincount(np.maximum(k, 0), minlength=n_max + 1)
    choices = [
        np.where(couple, couple_0, single_0).astype(float),
        *(per_n(j) if present[j] else 0.0 for j in range(1, n_max + 1)),
    ]
    # One pass whatever n_max: row i takes choice min(n, n_max) (none below 0 dependants).
    out = np.choose(k, choices, mode="clip").astype(float, copy=False)
    if extra is not None:
        out = out + np.maximum(n - n_max, 0) * extra
    return out


# ---- Personal participation ----------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Abattement forfaitaire R0 sur les ressources (aides au logement)",
    law=(f"{LOC}.r0",),
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000041419255",),
    valid_from=SINCE,
)
def aide_logement_r0(c):
    """Annual amount by household (art. D823-17 CCH); overseas, a household with one dependant
    has its own amount; Saint-Pierre-et-Miquelon has its own table (since 2022-07)."""
    n = c("al_nb_personnes_a_charge")
    couple = c("al_couple")

    def table(name):
        t = f"{LOC}.r0.{name}."
        return _by_household(
            c,
            n,
            couple,
            c.law(t + "taux_seul"),
            c.law(t + "taux_couple"),
            lambda k: c.law(f"{t}taux{k}pac"),
            6,
            c.law(t + "taux_pac_supp"),
        )

    r0 = np.where(
        menage_value(c, "residence_aides_logement_outre_mer", False).astype(bool) & (n == 1),
        c.law(f"{LOC}.r0.outre_mer.taux1pac"),
        table("cas_general"),
    )
    spm = menage_value(c, "residence_saint_pierre_et_miquelon", False).astype(bool)
    if spm.any():
        r0 = np.where(spm, table("saint_pierre_et_miquelon"), r0)
    return r0


@quantity(
    FAMILLE,
    MONTH,
    label="Ressources après abattement R0 (aides au logement)",
    valid_from=SINCE,
)
def aide_logement_ressources_apres_abattement(c):
    return np.maximum(0, c("aide_logement_base_ressources") - c("aide_logement_r0"))


@quantity(
    FAMILLE,
    MONTH,
    label="Taux famille TF de la participation personnelle (aides au logement)",
    law=(f"{LOC}.taux_famille",),
    references=(ARRETE_2019,),
    valid_from=SINCE,
)
def aide_logement_taux_famille(c):
    """Rate by household, decreasing with the number of dependants (table up to 6 dependants
    in mainland France, 7 overseas, then a reduction per further dependant)."""
    n = c("al_nb_personnes_a_charge")
    couple = c("al_couple")

    def table(zone, n_max):
        t = f"{LOC}.taux_famille.{zone}."
        return _by_household(
            c,
            n,
            couple,
            c.law(t + "personnes_isolees"),
            c.law(t + "couples_0_enfant"),
            lambda k: c.law(t + TF_NAMES[k - 1]),
            n_max,
            c.law(t + "maj_par_enf_supp"),
        )

    outre_mer = menage_value(c, "residence_aides_logement_outre_mer", False).astype(bool)
    return np.where(outre_mer, table("outre_mer", 7), table("metropole", 6))


@quantity(
    FAMILLE,
    MONTH,
    label="Loyer de référence du taux loyer (aides au logement)",
    references=(ARRETE_2019,),
    valid_from=SINCE,
)
def aide_logement_loyer_reference(c):
    """The zone 2 rent ceiling of the household, whatever its zone (at most 6 dependants counted
    in the overseas departments)."""
    n = c("al_nb_personnes_a_charge")
    n_ref = np.where(menage_value(c, "residence_dom", False).astype(bool), np.minimum(n, 6), n)
    z2 = f"{LOC}.loyer_plafond.zone_2."
    famille = c.law(z2 + "un_enfant") + np.maximum(n_ref - 1, 0) * c.law(z2 + "majoration_par_enf_supp")
    sans = np.where(c("al_couple"), c.law(z2 + "couples"), c.law(z2 + "personnes_seules"))
    return np.where(n >= 1, famille, sans)


@quantity(
    FAMILLE,
    MONTH,
    label="Rapport entre loyer retenu et loyer de référence, en pourcentage arrondi",
    references=("https://www.legifrance.gouv.fr/loda/article_lc/LEGIARTI000044137420/2022-01-01",),
    valid_from=SINCE,
)
def aide_logement_rapport_loyers_arrondi_pourcent(c):
    """RL in percent, rounded to two decimals."""
    return np.round(c("aide_logement_loyer_retenu") / c("aide_logement_loyer_reference") * 100, 2)


@quantity(
    FAMILLE,
    MONTH,
    label="Taux loyer TL de la participation personnelle (aides au logement)",
    references=(ARRETE_2019,),
    valid_from=SINCE,
)
def aide_logement_taux_loyer(c):
    """0 while RL is under 45 %, 0.45 % per point of RL between 45 % and 75 %, 0.68 % per point
    beyond; rounded to the fifth decimal (the thousandth of a percent)."""
    rl = c("aide_logement_rapport_loyers_arrondi_pourcent") / 100
    s1, s2 = c.law(f"{LOC}.taux_loyer.seuil_1"), c.law(f"{LOC}.taux_loyer.seuil_2")
    t2, t3 = c.law(f"{LOC}.taux_loyer.taux_2"), c.law(f"{LOC}.taux_loyer.taux_3")
    tl = np.where(rl >= s2, t3 * (rl - s2) + t2 * (s2 - s1), np.maximum(0, t2 * (rl - s1)))
    return np.round(tl, 5)


@quantity(
    FAMILLE,
    MONTH,
    label="Participation personnelle au loyer (aides au logement)",
    references=(ARRETE_2019,),
    valid_from=SINCE,
)
def aide_logement_participation_personnelle(c):
    """P0 (8.5 % of rent and charges, at least a flat amount) plus (TF + TL) times the annual
    resources after R0."""
    depense = c("aide_logement_loyer_retenu") + c("aide_logement_charges")
    p0 = np.maximum(
        c.law(f"{LOC}.participation_minimale.taux") * depense, c.law(f"{LOC}.participation_minimale.forfait")
    )
    taux = c("aide_logement_taux_famille") + c("aide_logement_taux_loyer")
    return p0 + taux * c("aide_logement_ressources_apres_abattement")


# ---- Amount --------------------------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Aide au logement avant seuil de versement",
    defined_for="aide_logement_locataire",
    valid_from=SINCE,
)
def aide_logement_montant_selectionne_avant_seuil(c):
    """Tenants (HLM, unfurnished, furnished): rent retained + charges − participation."""
    montant = (
        c("aide_logement_loyer_retenu") + c("aide_logement_charges") - c("aide_logement_participation_personnelle")
    )
    return np.maximum(0, montant)


@quantity(
    FAMILLE,
    MONTH,
    label="Aide au logement après seuil de versement",
    references=(D823_16,),
    valid_from=SINCE,
)
def aide_logement_montant_brut_avant_degressivite(c):
    """Nothing under the minimum payment: 10 € for the ALF and ALS, none for the APL. Applied
    before the degressivity, the minoration and the CRDS."""
    montant = c("aide_logement_montant_selectionne_avant_seuil")
    conventionne = menage_value(c, "logement_conventionne", False).astype(bool)
    seuil = np.where(conventionne, c.law(f"{LOC}.seuil_versement.apl"), c.law(f"{LOC}.seuil_versement.non_apl")).astype(
        float
    )
    return np.where(montant >= seuil, montant, 0.0)


@quantity(
    FAMILLE,
    MONTH,
    label="Aide au logement après dégressivité et minoration forfaitaire",
    defined_for="aide_logement_montant_brut_avant_degressivite",
    law=(f"{LOC}.degressivite",),
    references=(D823_16, "https://www.legifrance.gouv.fr/loda/article_lc/LEGIARTI000039160745"),
    valid_from=SINCE,
)
def aide_logement_montant_brut(c):
    """Rents above 3.4 (zone 1) or 2.5 (zones 2, 3) times the ceiling reduce the aid linearly,
    down to nothing at 4 or 3.1 times; not when a member of the famille is disabled. Then minus
    the 5 € minoration."""
    avant = c("aide_logement_montant_brut_avant_degressivite")
    zone = zone_index(c)
    plafond = c("aide_logement_loyer_plafond")
    loyer = c("aide_logement_loyer_reel")
    debut = np.round(plafond * by_zone(c, f"{LOC}.degressivite.zone_{{z}}.coef_degressivite", zone), 2)
    fin = np.round(plafond * by_zone(c, f"{LOC}.degressivite.zone_{{z}}.coef_suppression", zone), 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        coef = np.where(loyer <= debut, 1.0, np.where(loyer <= fin, 1 - (loyer - debut) / (fin - debut), 0.0))
    coef = np.where(c.members("handicap").any(), 1.0, coef)
    montant = np.round(avant * coef, 2)
    minoration = float(c.law(f"{LOC}.minoration_forfaitaire"))
    c.note(
        "l'aide de {avant} est diminuée de la minoration forfaitaire de {minoration}",
        montant > minoration,
        avant=montant,
        minoration=minoration,
    )
    return np.maximum(0, montant - minoration)


@quantity(
    FAMILLE,
    MONTH,
    label="Réduction de loyer de solidarité (RLS)",
    defined_for="aide_logement_conventionne",
    law=(f"{RLS}.plafond_ressources", f"{RLS}.montant"),
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038814872",),
    valid_from=SINCE,
)
def reduction_loyer_solidarite(c):
    """Rent reduction granted by the social landlord to tenants of conventionné housing whose
    monthly resources (the aides au logement base / 12) are below a ceiling by zone and
    household; amount by zone and household."""
    zone = zone_index(c)
    n = c("al_nb_personnes_a_charge")
    couple = c("al_couple")
    p = f"{RLS}.plafond_ressources.zone_{{z}}."
    plafond = _by_household(
        c,
        n,
        couple,
        by_zone(c, p + "personnes_seules", zone),
        by_zone(c, p + "couples", zone),
        lambda k: by_zone(c, p + f"famille_{k}pac", zone),
        6,
        by_zone(c, p + "majoration_par_pac_supp", zone),
    )
    m = f"{RLS}.montant.zone_{{z}}."
    montant = _by_household(
        c,
        n,
        couple,
        by_zone(c, m + "personnes_seules", zone),
        by_zone(c, m + "couples", zone),
        lambda k: by_zone(c, m + "famille_1pac", zone),
        1,
        by_zone(c, m + "majoration_par_pac_supp", zone),
    )
    return np.where(c("aide_logement_base_ressources") / 12 < plafond, montant, 0.0)


@quantity(
    FAMILLE,
    MONTH,
    label="Aide au logement brute de CRDS",
    references=("https://www.legifrance.gouv.fr/eli/decret/2018/2/27/2018-136/jo/article_1",),
    valid_from=SINCE,
)
def aide_logement_montant_brut_crds(c):
    """The APL is reduced by 98 % of the réduction de loyer de solidarité."""
    rls = c("reduction_loyer_solidarite") * c.law(f"{RLS}.fraction_baisse_aide_logement")
    return np.maximum(0, c("aide_logement_montant_brut") - rls)


@quantity(
    FAMILLE,
    MONTH,
    label="CRDS prélevée sur l'aide au logement",
    references=("https://www.service-public.fr/particuliers/vosdroits/F17585",),
    valid_from=SINCE,
)
def crds_logement(c):
    """0.5 % of the aid, rounded down to the cent (negative: a deduction); none in
    Saint-Pierre-et-Miquelon."""
    crds = np.floor(c("aide_logement_montant_brut_crds") * 100 * c.law(f"{AL}.crds.taux")) / 100
    return np.where(menage_value(c, "residence_saint_pierre_et_miquelon", False).astype(bool), 0.0, -crds)


@quantity(
    FAMILLE,
    MONTH,
    label="Aide au logement nette de CRDS",
    valid_from=SINCE,
)
def aide_logement_montant(c):
    """Net of CRDS, rounded down to the euro; in Saint-Pierre-et-Miquelon, until 2025, times the
    coefficient of progressive alignment on mainland amounts (décret n° 2021-1750, art. 7).

    The conditions named here, each true for whoever receives an aid, say at which step an aid
    becomes nil."""
    net = np.round(c("aide_logement_montant_brut_crds") + c("crds_logement"), 2)
    montant = np.floor(net)
    accession_foyer = c("aide_logement_accedant") | c("aide_logement_foyer")
    if accession_foyer.any():
        montant = np.where(accession_foyer, c("aides_logement_accession_foyer_montant"), montant)
    spm = menage_value(c, "residence_saint_pierre_et_miquelon", False).astype(bool)
    if spm.any():
        coef = c.law(f"{AL}.saint_pierre_et_miquelon.coefficient_alignement")
        montant = np.where(spm, np.floor(montant * coef), montant)
    _conditions(c, montant)
    c.note(
        "l'aide nette de CRDS, {net}, est arrondie à l'euro inférieur : {montant}",
        (montant > 0) & (net != montant) & ~spm & ~accession_foyer,
        net=net,
        montant=montant,
    )
    return montant


def _conditions(c, montant):
    """The steps of the computation at which the aid can become nil, as conditions."""
    locataire = is_locataire(c)
    accedant = c("aide_logement_accedant")
    foyer = c("aide_logement_foyer")
    c.check(
        "Être locataire (HLM, logement vide ou meublé), résident d'un logement-foyer ou accédant à la propriété",
        locataire | accedant | foyer,
    )
    _conditions_accession_foyer(c, accedant, foyer)
    avant = c("aide_logement_montant_selectionne_avant_seuil")
    nul = locataire & (avant <= 0)
    participation = c("aide_logement_participation_personnelle") if nul.any() else c.zeros()
    depense = c("aide_logement_loyer_retenu") + c("aide_logement_charges") if nul.any() else c.zeros()
    ressources = c("aide_logement_base_ressources") if nul.any() else c.zeros()
    c.check(
        "Ressources permettant une aide au logement",
        ~nul,
        "votre participation personnelle, {participation} par mois, calculée sur vos ressources de "
        "{ressources} par an, atteint le loyer retenu et les charges, {depense}",
        participation=participation,
        ressources=ressources,
        depense=depense,
    )
    conventionne = menage_value(c, "logement_conventionne", False).astype(bool)
    seuil = np.where(conventionne, c.law(f"{LOC}.seuil_versement.apl"), c.law(f"{LOC}.seuil_versement.non_apl"))
    apres_seuil = c("aide_logement_montant_brut_avant_degressivite")
    c.check(
        "Aide calculée au moins égale au seuil de versement",
        ~locataire | nul | (apres_seuil > 0),
        "l'aide calculée, {avant} par mois, est inférieure au seuil de versement de {seuil}",
        avant=avant,
        seuil=seuil,
    )
    brut = c("aide_logement_montant_brut")
    supprimee = locataire & (apres_seuil > 0) & (brut <= 0)
    c.check(
        "Loyer sous le niveau où l'aide est supprimée, et aide au-delà de la minoration forfaitaire",
        ~supprimee,
        "avec votre loyer de {loyer}, l'aide de {avant} est réduite à rien (dégressivité des loyers élevés et "
        "minoration forfaitaire de 5 €)",
        loyer=c("aide_logement_loyer_reel") if supprimee.any() else c.zeros(),
        avant=apres_seuil,
    )
    c.check(
        "Aide d'au moins 1 € après la réduction de loyer de solidarité et la CRDS",
        ~locataire | (brut <= 0) | (montant > 0),
        "après la réduction de loyer de solidarité et la CRDS, l'aide de {avant} est réduite à moins de 1 €",
        avant=brut,
    )


def _conditions_accession_foyer(c, accedant, foyer):
    """The steps at which the aid of a home-buyer or of a foyer's resident becomes nil."""
    if not (accedant | foyer).any():
        return
    eligible = menage_value(c, "aides_logement_primo_accedant_eligibilite", False).astype(bool)
    c.check(
        "Prêt d'accession signé avant le 1er janvier 2018",
        ~accedant | eligible,
        "l'allocation de logement n'est plus accordée pour un prêt d'accession signé depuis le 1er janvier 2018, "
        "ou la date du prêt n'est pas connue",
    )
    mensualite = menage_value(c, "loyer", 0.0)
    c.check(
        "Mensualité de prêt ou redevance déclarée",
        ~(accedant | foyer) | (mensualite > 0),
        "aucune mensualité de remboursement ou redevance n'est déclarée",
    )
    concerne = (foyer | (accedant & eligible)) & (mensualite > 0)
    formule = c("aides_logement_accedant_et_foyer")
    nul = concerne & (formule <= 0)
    c.check(
        "Ressources permettant une aide en accession ou en logement-foyer",
        ~nul,
        "avec vos ressources de {ressources} par an, le coefficient de prise en charge ({k}) ou l'écart entre la "
        "dépense retenue et le loyer minimal ({l0}) ne laisse aucune aide",
        ressources=c("aides_logement_accession_foyer_ressources"),
        k=c("aides_logement_k"),
        l0=c("aides_logement_loyer_minimal"),
    )
    brut = c("aides_logement_accession_foyer_montant_brut")
    seuil = seuil_versement_accession_foyer(c)
    c.check(
        "Aide en accession ou en logement-foyer au moins égale au seuil de versement",
        ~concerne | nul | (brut >= seuil),
        "après la minoration forfaitaire et l'abattement de dépense nette minimale, l'aide de {brut} par mois est "
        "inférieure au seuil de versement de {seuil}",
        brut=brut,
        seuil=seuil,
    )


QUANTITIES = (
    aide_logement_r0,
    aide_logement_ressources_apres_abattement,
    aide_logement_taux_famille,
    aide_logement_loyer_reference,
    aide_logement_rapport_loyers_arrondi_pourcent,
    aide_logement_taux_loyer,
    aide_logement_participation_personnelle,
    aide_logement_montant_selectionne_avant_seuil,
    aide_logement_montant_brut_avant_degressivite,
    aide_logement_montant_brut,
    reduction_loyer_solidarite,
    aide_logement_montant_brut_crds,
    crds_logement,
    aide_logement_montant,
)
