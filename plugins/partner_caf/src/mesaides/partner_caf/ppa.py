"""Prime d'activité (PPA), per famille and per month.

Rules as OpenFisca-France 176.1.8 computes them (see ``/work/notes/rules-rsa-ppa.md`` during
development; the package docs summarise them):

* a "fictive" prime is computed for each of the three months before M from that month's own
  resources: montant forfaitaire (or montant majoré of an isolated parent) + individual
  bonifications + 59.85 % (61 % before 2025-04) of the activity income − max(resources +
  forfait logement, montant forfaitaire);
* the prime of M is the mean of the three fictive primes, paid if it reaches 15 € and if a
  parent had activity income in the quarter (every month above a floor for students).
"""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MONTH, Activite, Quantity, quantity
from mesaides.partner_caf.helpers import forfait_logement, taux_composition

# ---------------------------------------------------------------------------------------------
# Eligibility
# ---------------------------------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Éligibilité à la prime d'activité pour un mois (âge)",
    value_type="bool",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000031087615",),
)
def ppa_eligibilite(c):
    """A member of the famille (any, as in OpenFisca) aged 18 or more (art. L842-2 CSS);
    nationality and residence hold by default."""
    age = c.members("age")
    return c.per_member(age.values >= c.law("ppa.age_min")).any()


@quantity(
    INDIVIDU,
    MONTH,
    label="Plancher des revenus d'activité des étudiants, stagiaires et apprentis pour la prime d'activité",
)
def ppa_plancher_revenu_activite_apprenant(c):
    """55 % of 169 hours at the gross hourly SMIC (the limit of art. R512-2 CSS)."""
    return c.full(
        c.law("ppa.plancher_apprenant.nb_heures") * c.law("smic.horaire_brut") * c.law("ppa.plancher_apprenant.taux")
    )


@quantity(
    FAMILLE,
    MONTH,
    label="Condition d'activité de la prime d'activité sur le trimestre de référence",
    reads_past=("ppa_revenu_activite_individu",),
    value_type="bool",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000031087527",),
)
def ppa_eligibilite_apprenants(c):
    """A parent who is not a student (this month) with activity income in at least one of the
    three months before, or a student whose activity income exceeded the floor in each of the
    three months (art. L842-1 and L842-2 CSS); always met by an isolated parent eligible to the
    montant majoré. Trainees and apprentices are not asked by mesaides."""
    etudiant = c.members("activite").values == Activite.ETUDIANT.code
    plancher = c.members("ppa_plancher_revenu_activite_apprenant").values
    au_dessus = np.ones_like(etudiant, dtype=bool)
    une_activite = np.zeros_like(etudiant, dtype=bool)
    plus_bas = np.full(etudiant.shape, np.inf)
    for m in c.period.last_months(3):
        revenus = c.members("ppa_revenu_activite_individu", m)
        au_dessus &= revenus.values > plancher
        une_activite |= revenus.values > 0
        plus_bas = np.minimum(plus_bas, revenus.values)
    condition = (etudiant & au_dessus) | (~etudiant & une_activite)
    majore = c("rsa_majore_eligibilite")
    eligible = majore | c.per_member(condition).any("parents")
    # Each condition holds for an isolated parent eligible to the montant majoré, who needs none.
    actif = c.check(
        "Des revenus d'activité au cours des trois mois précédents",
        majore | c.per_member(une_activite).any("parents"),
        "aucun revenu d'activité au cours des trois mois précédents",
    )
    etudiant_parent = c.per_member(etudiant).any("parents")
    c.check(
        "Revenus d'activité suffisants (pour un étudiant, au-dessus d'un plancher chaque mois des trois mois "
        "précédents)",
        eligible | ~actif,
        "étudiant, vos revenus d'activité sont descendus à {revenus} sur les trois mois précédents : ils doivent "
        "dépasser {plancher} chaque mois",
        revenus=np.where(etudiant_parent, c.per_member(np.where(etudiant, plus_bas, -np.inf)).max("parents"), 0.0),
        plancher=c.per_member(plancher).max("parents"),
    )
    return eligible


# ---------------------------------------------------------------------------------------------
# Montant forfaitaire
# ---------------------------------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Montant forfaitaire familial de la prime d'activité (non majoré)",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000031673885/",),
)
def ppa_montant_forfaitaire_familial_non_majore(c):
    """Montant de base × the composition multiplier (art. D843-1 CSS), children counted as for
    the RSA."""
    nb_parents = c("nb_parents")
    taux = taux_composition(
        nb_parents + c("rsa_nb_enfants"),
        nb_parents,
        c.law("ppa.majoration_montant_maximal.couples_seul_avec_enfant"),
        c.law("ppa.majoration_montant_maximal.couple_1_enfant_2e_enfant"),
        c.law("ppa.majoration_montant_maximal.par_enfant_supplementaire"),
    )
    return c.law("ppa.montant_de_base") * taux


@quantity(
    FAMILLE,
    MONTH,
    label="Montant forfaitaire familial majoré de la prime d'activité (parent isolé)",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000031673885",),
)
def ppa_montant_forfaitaire_familial_majore(c):
    """128.412 % of the montant de base plus 42.804 % per child (art. D843-1 CSS)."""
    taux = c.law("ppa.majoration_isolement.femmes_enceintes") + c.law("ppa.majoration_isolement.par_enfant_charge") * c(
        "rsa_nb_enfants"
    )
    return c.law("ppa.montant_de_base") * taux


@quantity(
    FAMILLE,
    MONTH,
    label="Montant forfaitaire de la prime d'activité du mois",
)
def ppa_fictive_montant_forfaitaire(c):
    """The montant majoré for an isolated parent eligible to the RSA majoré, otherwise the
    montant forfaitaire."""
    return np.where(
        c("rsa_majore_eligibilite"),
        c("ppa_montant_forfaitaire_familial_majore"),
        c("ppa_montant_forfaitaire_familial_non_majore"),
    )


# ---------------------------------------------------------------------------------------------
# Resources of the month
# ---------------------------------------------------------------------------------------------


@quantity(
    INDIVIDU,
    MONTH,
    label="Revenus d'activité du mois pris en compte pour la prime d'activité",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000036579172",),
)
def ppa_revenu_activite_individu(c):
    """Net salary of the month; the AAH counts as activity income when the salary reaches
    29 gross hourly SMIC (art. L842-8 and D843-4 CSS)."""
    salaire = c("salaire_net")
    seuil = c.law("ppa.seuil_aah_activite") * c.law("smic.horaire_brut")
    return salaire + (salaire >= seuil) * c("aah")


@quantity(
    INDIVIDU,
    MONTH,
    label="Minima sociaux du mois pris en compte pour la prime d'activité (ASI, ASS, complément et AAH)",
    minimum=0,
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000033813782",),
)
def ppa_minima_sociaux_individu(c):
    """ASI, ASS and complement of the AAH of the month, and the AAH when it is not counted as
    activity income (art. L842-4 and R843-1 CSS)."""
    seuil = c.law("ppa.seuil_aah_activite") * c.law("smic.horaire_brut")
    aah_hors_activite = (c("ppa_revenu_activite_individu") < seuil) * c("aah")
    return c("asi") + c("ass") + c("caah") + aah_hors_activite


@quantity(
    FAMILLE,
    MONTH,
    label="Prestations familiales prises en compte dans le calcul de la prime d'activité",
    minimum=0,
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000031676000",),
)
def ppa_base_ressources_prestations_familiales(c):
    """As for the RSA: PAJE allocation de base, ASF forfait, non-increased complément familial,
    allocations familiales without age increases (art. R844-4 and R844-5 CSS)."""
    cf_non_majore = (c("cf") > 0) * c("cf_non_majore_avant_cumul")
    return c("paje_base") + c("rsa_forfait_asf") + cf_non_majore + np.minimum(c("af_base"), c("af"))


@quantity(
    FAMILLE,
    MONTH,
    label="Revenus d'activité de la famille pour la prime d'activité",
)
def ppa_revenu_activite(c):
    """Sum over every member of the famille, children included (whatever their age)."""
    return c.members("ppa_revenu_activite_individu").sum()


ppa_base_ressources = Quantity(
    name="ppa_base_ressources",
    entity=FAMILLE,
    period=MONTH,
    label="Base ressources de la prime d'activité du mois",
    description=(
        "The activity income, then every member's other resources (unemployment benefits, "
        "pensions, child support received, minima sociaux), the ASPA and the prestations "
        "familiales of the month."
    ),
    adds=(
        "ppa_revenu_activite",
        "chomage_net",
        "retraite_nette",
        "pensions_alimentaires_percues",
        "ppa_minima_sociaux_individu",
        "aspa",
        "ppa_base_ressources_prestations_familiales",
    ),
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000033813782",),
)


@quantity(
    INDIVIDU,
    MONTH,
    label="Bonification individuelle de la prime d'activité",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000037873473",),
)
def ppa_bonification(c):
    """Zero up to 59 gross hourly SMIC of activity income, then rising linearly to its maximum
    (a share of the montant de base, rounded to the cent) at 120 SMIC (138 from 2026-04) (art.
    D843-2 CSS). Computed for every member, children included."""
    smic = c.law("smic.horaire_brut")
    seuil_1 = c.law("ppa.bonification.seuil_bonification") * smic
    seuil_2 = c.law("ppa.bonification.seuil_max_bonification") * smic
    maximum = round(c.law("ppa.bonification.taux_bonification_max") * c.law("ppa.montant_de_base"), 2)
    bonification = maximum * (c("ppa_revenu_activite_individu") - seuil_1) / (seuil_2 - seuil_1)
    return np.clip(bonification, 0, maximum)


@quantity(
    FAMILLE,
    MONTH,
    label="Forfait logement de la prime d'activité",
    minimum=0,
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000048841687",),
)
def ppa_forfait_logement(c):
    """12 % / 16 % / 16.5 % of the montant forfaitaire of 1 / 2 / 3 persons or more
    (art. R844-3 CSS), as for the RSA, on the housing aid of the month."""
    return forfait_logement(
        c,
        c.law("ppa.montant_de_base"),
        c.law("ppa.majoration_montant_maximal.couples_seul_avec_enfant"),
        c.law("ppa.majoration_montant_maximal.couple_1_enfant_2e_enfant"),
        c.law("ppa.forfait_logement.taux_1_personne"),
        c.law("ppa.forfait_logement.taux_2_personnes"),
        c.law("ppa.forfait_logement.taux_3_personnes"),
    )


@quantity(
    FAMILLE,
    MONTH,
    label="Part des revenus d'activité ajoutée au montant forfaitaire (prime d'activité)",
)
def ppa_fictive_ressource_activite(c):
    return c.law("ppa.pente") * c("ppa_revenu_activite")


ppa_fictive_montant_maximal = Quantity(
    name="ppa_fictive_montant_maximal",
    entity=FAMILLE,
    period=MONTH,
    label="Montant forfaitaire, bonifications et part des revenus d'activité du mois (prime d'activité)",
    adds=("ppa_fictive_montant_forfaitaire", "ppa_bonification", "ppa_fictive_ressource_activite"),
)


@quantity(
    FAMILLE,
    MONTH,
    label="Prime d'activité calculée sur les ressources du mois : âge et revenus d'activité du mois",
    value_type="bool",
)
def ppa_fictive_eligibilite(c):
    """A member aged 18 or more, and activity income that raises the montant forfaitaire
    (bonifications and share of activity income): without it the fictive prime, the montant
    forfaitaire less at least itself, is nil."""
    return c("ppa_eligibilite") & (c("ppa_fictive_montant_maximal") > c("ppa_fictive_montant_forfaitaire"))


ppa_fictive_apres_ressources = Quantity(
    name="ppa_fictive_apres_ressources",
    entity=FAMILLE,
    period=MONTH,
    label="Prime d'activité du mois diminuée des ressources et du forfait logement",
    defined_for="ppa_fictive_eligibilite",
    adds=("ppa_fictive_montant_maximal",),
    subtracts=("ppa_base_ressources", "ppa_forfait_logement"),
    floor=0,
)


@quantity(
    FAMILLE,
    MONTH,
    label="Prime d'activité calculée sur les ressources du mois",
    defined_for="ppa_fictive_eligibilite",
)
def ppa_fictive(c):
    """Montant forfaitaire + bonifications + share of activity income − max(resources +
    forfait logement, montant forfaitaire), not negative (art. L842-3 CSS)."""
    au_dela_du_forfaitaire = c("ppa_fictive_montant_maximal") - c("ppa_fictive_montant_forfaitaire")
    return np.minimum(c("ppa_fictive_apres_ressources"), au_dela_du_forfaitaire)


@quantity(
    FAMILLE,
    MONTH,
    label="Prime d'activité",
    defined_for="ppa_eligibilite_apprenants",
    reads_past=("ppa_fictive", "ppa_revenu_activite"),
    references=("https://www.service-public.fr/particuliers/vosdroits/F2882",),
)
def ppa(c):
    """Mean of the fictive primes of the three months before, paid from 15 € (art. D843-1 CSS
    as OpenFisca reads it) when the activity condition of the quarter holds. Not rounded."""
    moyenne = c.mean("ppa_fictive", c.period.last_months(3))
    eligible = c("ppa_eligibilite_apprenants")
    nulle = eligible & (moyenne <= 0)
    c.check(
        "Des ressources qui laissent une prime sur les trois mois précédents",
        ~nulle,
        "avec des revenus d'activité de {revenus} par mois en moyenne et vos autres ressources, la prime "
        "calculée pour chacun des trois mois précédents est nulle",
        revenus=c.mean("ppa_revenu_activite", c.period.last_months(3)) if nulle.any() else c.zeros(),
    )
    minimum = float(c.law("ppa.montant_minimum_verse"))
    c.check(
        "Montant au moins égal au minimum versé",
        ~eligible | (moyenne <= 0) | (moyenne >= minimum),
        "la moyenne des primes des trois mois précédents, {montant}, est inférieure au minimum versé de {minimum}",
        montant=moyenne,
        minimum=minimum,
    )
    return moyenne * (moyenne >= minimum)


QUANTITIES = (
    ppa_eligibilite,
    ppa_plancher_revenu_activite_apprenant,
    ppa_eligibilite_apprenants,
    ppa_montant_forfaitaire_familial_non_majore,
    ppa_montant_forfaitaire_familial_majore,
    ppa_fictive_montant_forfaitaire,
    ppa_revenu_activite_individu,
    ppa_minima_sociaux_individu,
    ppa_base_ressources_prestations_familiales,
    ppa_revenu_activite,
    ppa_base_ressources,
    ppa_bonification,
    ppa_forfait_logement,
    ppa_fictive_ressource_activite,
    ppa_fictive_montant_maximal,
    ppa_fictive_eligibilite,
    ppa_fictive_apres_ressources,
    ppa_fictive,
)
AIDES = (ppa,)
