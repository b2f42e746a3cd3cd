"""Revenu de solidarité active (RSA), per famille and per month.

Rules as OpenFisca-France 176.1.8 computes them (see ``/work/notes/rules-rsa-ppa.md`` during
development; the package docs summarise them):

* montant forfaitaire by household composition (parents + children counted for the RSA), or
  the montant majoré of an isolated parent of a child under 3;
* resources: the mean of the three months before M (salaries, unemployment benefits,
  pensions, child support received, AAH and its complement, ASI), the ASPA and the
  prestations familiales of month M, with the neutralisation of incomes that stopped in M;
* minus the forfait logement (owners without rent, people housed free, or housing aid
  received, capped at the housing aid);
* no payment under 6 €. No rounding.
"""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MONTH, YEAR, Activite, Quantity, quantity
from mesaides.partner_caf.helpers import forfait_logement, taux_composition

# ---------------------------------------------------------------------------------------------
# Individual resources (mean of the three months before M)
# ---------------------------------------------------------------------------------------------


@quantity(
    INDIVIDU,
    MONTH,
    label="Ressources de substitution perçues dans le mois (chômage, retraite)",
    value_type="bool",
)
def rsa_has_ressources_substitution(c):
    """Unemployment benefits or a pension received in the month: they prevent the
    neutralisation of professional incomes that stopped this month."""
    return (c("chomage_net") + c("retraite_nette")) > 0


def _trois_mois_neutralises(c, name):
    """Sum over the three months before of ``name``, set to 0 when the income stopped this
    month (nothing this month, something last month) with no replacement income."""
    total = c.sum(name, c.period.last_months(3))
    interrompu = (c(name) == 0) & (c(name, c.period.last_month) > 0) & ~c("rsa_has_ressources_substitution")
    return total * ~interrompu


@quantity(
    INDIVIDU,
    MONTH,
    label="Revenus d'activité pris en compte pour le RSA (moyenne des trois mois précédents)",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000020526199",),
)
def rsa_revenu_activite_individu(c):
    """Mean net salary of the three months before M; a salary that stopped in M (none in M,
    some in M-1) is neutralised unless unemployment benefits or a pension are received in M."""
    return _trois_mois_neutralises(c, "salaire_net") / 3


@quantity(
    INDIVIDU,
    MONTH,
    label="Ressources hors activité prises en compte pour le RSA (moyenne des trois mois précédents)",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000020526199",),
)
def rsa_base_ressources_individu(c):
    """Mean over the three months before M of unemployment benefits and pensions (neutralised
    like salaries when they stop in M without replacement income) and of child support received
    (when it stops in M, the three-month total is reduced by up to three montants de base)."""
    pros = _trois_mois_neutralises(c, "chomage_net") + _trois_mois_neutralises(c, "retraite_nette")
    pa = "pensions_alimentaires_percues"
    interrompue = (c(pa) == 0) & (c(pa, c.period.last_month) > 0)
    plafond = c.law("rsa.neutralisation.nb_montants_forfaitaires") * c.law("rsa.montant_de_base")
    non_pros = np.maximum(0, c.sum(pa, c.period.last_months(3)) - plafond * interrompue)
    return (pros + non_pros) / 3


@quantity(
    INDIVIDU,
    MONTH,
    label="Ressources d'un enfant pour savoir s'il est à charge au sens du RSA",
)
def rsa_revenus_determination_enfant_a_charge(c):
    return c("rsa_base_ressources_individu") + c("rsa_revenu_activite_individu")


# ---------------------------------------------------------------------------------------------
# Household composition
# ---------------------------------------------------------------------------------------------


@quantity(
    INDIVIDU,
    MONTH,
    label="Enfant pris en compte dans le calcul du RSA",
    value_type="bool",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000020526222/2009-06-01/",),
)
def rsa_enfant_a_charge(c):
    """A child of the famille under 25, not financially autonomous (prestations familiales
    sense), whose own RSA resources are below the increase of the montant forfaitaire a child
    brings (40 % of the montant de base): otherwise counting the child would lower the RSA.

    (The higher threshold used when the child opens the montant majoré applies only to a
    recent isolation, an input that mesaides does not ask: it is never met.)"""
    enfant = c.is_role("famille", "enfants")
    seuil = c.law("rsa.maj_montant_max.par_enfant_supplementaire") * c.law("rsa.montant_de_base")
    return (
        enfant
        & ~c("autonomie_financiere")
        & (c("age") < c.law("rsa.age_pac"))
        & (c("rsa_revenus_determination_enfant_a_charge") < seuil)
    )


@quantity(
    FAMILLE,
    MONTH,
    label="Nombre d'enfants pris en compte pour le RSA",
    value_type="int",
)
def rsa_nb_enfants(c):
    return c.members("rsa_enfant_a_charge").count()


@quantity(
    FAMILLE,
    MONTH,
    label="Grossesse dans la famille (enfant à naître dans les six mois)",
    value_type="bool",
)
def enceinte_fam(c):
    """A child of the famille not yet born, due within the next 5 months (age in months
    between -6 and 0 excluded). The ``enceinte`` input of OpenFisca is not asked (False)."""
    youngest = c.members("age_en_mois").min("enfants")
    return (youngest < 0) & (youngest > -6)


@quantity(
    INDIVIDU,
    YEAR,
    label="Rattaché fiscalement comme enfant à charge (mineur ou handicapé à charge d'un foyer)",
    value_type="bool",
)
def rsa_enfant_a_charge_fiscal(c):
    """OpenFisca's ``enfant_a_charge`` for the year: a person à charge of a foyer fiscal who is
    a minor in January or disabled in December. An isolated parent in that case gets no
    montant majoré."""
    janvier = c.period.first_month
    decembre = janvier.offset(11)
    pac = c.is_role("foyer_fiscal", "personnes_a_charge")
    return pac & ((c("age", janvier) < 18) | c("handicap", decembre))


@quantity(FAMILLE, MONTH, label="Parent isolé", value_type="bool")
def rsa_parent_isole(c):
    """The famille has a single parent."""
    return c("nb_parents") == 1


@quantity(
    FAMILLE,
    MONTH,
    label="Éligibilité au RSA majoré pour parent isolé",
    defined_for="rsa_parent_isole",
    value_type="bool",
    references=("https://www.service-public.fr/particuliers/vosdroits/F15553",),
)
def rsa_majore_eligibilite(c):
    """An isolated parent (single parent of the famille) with a child counted for the RSA or
    expecting one, whose youngest child (not financially autonomous) is under 3, or who is
    pregnant (art. L262-9 CASF). Recent isolation (the 12/18-month right) is not asked by
    mesaides, so it never applies. The parent must not be himself a fiscal dependant."""
    age = c.members("age")
    autonome = c.members("autonomie_financiere").values
    limite = c.law("rsa.majoration_isolement.age_limite_enfant")
    jeune = (age.values >= 0) & (age.values < limite) & ~autonome
    enfant_moins_3_ans = c.per_member(jeune).any("enfants")
    enceinte = c("enceinte_fam")
    demandeur_rattache = c.members("rsa_enfant_a_charge_fiscal", c.period.this_year).first("parents").astype(bool)
    return (enceinte | (c("rsa_nb_enfants") > 0)) & (enfant_moins_3_ans | enceinte) & ~demandeur_rattache


@quantity(
    FAMILLE,
    MONTH,
    label="Éligibilité au RSA (âge, statut d'étudiant)",
    value_type="bool",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000031087751/2016-01-01/",),
)
def rsa_eligibilite(c):
    """At least one parent who is not a student and who is 25 or more or has a child counted
    for the RSA (art. L262-4 CASF). The RSA jeune actif (18-24 with two years of work) needs an
    input mesaides does not ask: it never applies. Nationality and residence hold by default."""
    age = c.members("age")
    activite = c.members("activite")
    etudiant = activite.values == Activite.ETUDIANT.code
    avec_enfant = c.to_members(c("rsa_nb_enfants") > 0)
    age_ok = avec_enfant | (age.values >= c.law("rsa.age_pac"))
    eligible = c.per_member(age_ok & ~etudiant).any("parents")
    # The conditions, as the RSA states them: the montant majoré of an isolated parent does not
    # require them (art. L262-9 CASF), so each holds for an isolated parent eligible to it.
    majore = c("rsa_majore_eligibilite")
    un_age = c.per_member(age_ok).any("parents") | majore
    un_non_etudiant = c.per_member(~etudiant).any("parents") | majore
    c.check(
        "Avoir 25 ans ou plus, ou un enfant à charge",
        un_age,
        "vous avez {age} ans, sans enfant à charge : le RSA est ouvert à partir de {age_minimum} ans",
        age=age.max("parents").astype(int),
        age_minimum=int(c.law("rsa.age_pac")),
    )
    c.check("Ne pas être étudiant", un_non_etudiant, "le RSA n'est pas ouvert aux étudiants")
    c.check(
        "Un même parent de 25 ans ou plus (ou avec un enfant à charge) et non étudiant",
        eligible | majore | ~(un_age & un_non_etudiant),
    )
    return eligible


# ---------------------------------------------------------------------------------------------
# Montant forfaitaire
# ---------------------------------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Montant forfaitaire du RSA (non majoré)",
    references=(
        "https://www.legifrance.gouv.fr/affichTexteArticle.do?idArticle=LEGIARTI000020522717&cidTexte=JORFTEXT000020521930",
    ),
)
def rsa_socle(c):
    """Montant de base × (1, +50 % for the 2nd person, +30 % for the 3rd, +40 % per person
    beyond; +30 % for the 4th in a couple), for an eligible famille (art. R262-1 CASF)."""
    nb_parents = c("nb_parents")
    taux = taux_composition(
        nb_parents + c("rsa_nb_enfants"),
        nb_parents,
        c.law("rsa.maj_montant_max.couples_celibataire_avec_enfant"),
        c.law("rsa.maj_montant_max.couple_1_enfant_ou_2e_enfant"),
        c.law("rsa.maj_montant_max.par_enfant_supplementaire"),
    )
    return c("rsa_eligibilite") * c.law("rsa.montant_de_base") * taux


@quantity(
    FAMILLE,
    MONTH,
    label="Montant forfaitaire majoré du RSA (parent isolé)",
    references=("https://www.service-public.fr/particuliers/vosdroits/F15553",),
)
def rsa_socle_majore(c):
    """128.412 % of the montant de base plus 42.804 % per child counted for the RSA.

    As in OpenFisca, it does not require ``rsa_eligibilite`` (a student isolated parent gets it)."""
    taux = c.law("rsa.majoration_isolement.femmes_enceintes") + c.law(
        "rsa.majoration_isolement.par_enfant_a_charge"
    ) * c("rsa_nb_enfants")
    return c("rsa_majore_eligibilite") * c.law("rsa.montant_de_base") * taux


# ---------------------------------------------------------------------------------------------
# Family and social benefits counted as resources
# ---------------------------------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Allocation de soutien familial forfaitisée pour le RSA",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000029006452/2014-04-01/",),
)
def rsa_forfait_asf(c):
    """The ASF received counts for at most 22.5 % of the BMAF per child who opens it
    (art. R262-10-1 CASF)."""
    par_enfant = c.law("rsa.forfait_asf.taux_par_enfant") * c.law("prestations_familiales.bmaf")
    plafond = c.members("asf_elig_enfant").count("enfants") * par_enfant
    return np.minimum(c("asf"), plafond)


@quantity(
    FAMILLE,
    MONTH,
    label="Prestations familiales incluses dans la base ressources du RSA",
    minimum=0,
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000020526199",),
)
def rsa_base_ressources_prestations_familiales(c):
    """Prestations familiales of month M: PAJE allocation de base, the ASF forfait, the
    complément familial at its non-increased amount, and the allocations familiales without
    their age increases and forfait (art. R262-11 CASF)."""
    cf_non_majore = (c("cf") > 0) * c("cf_non_majore_avant_cumul")
    return c("paje_base") + c("rsa_forfait_asf") + cf_non_majore + np.minimum(c("af_base"), c("af"))


@quantity(
    FAMILLE,
    MONTH,
    label="Minima sociaux inclus dans la base ressources du RSA",
    minimum=0,
    reads_past=("aah", "asi", "caah"),
)
def rsa_base_ressources_minima_sociaux(c):
    """The ASPA of month M plus the mean over the three months before of each member's AAH,
    complement of the AAH, ASI and ASS (art. R262-6 CASF; the ASPA, the ASI and the ASS are
    other partners' aides, read through ``takes``)."""
    months = c.period.last_months(3)
    total = c.zeros()
    for name in ("aah", "asi", "caah", "ass"):
        for m in months:
            total = total + c.members(name, m).sum()
    return c("aspa") + total / 3


@quantity(
    FAMILLE,
    MONTH,
    label="Ressources individuelles retenues pour le RSA",
)
def rsa_base_ressources_individuelles(c):
    """The individual resources of the parents and of the children counted for the RSA."""
    individuelles = c.members("rsa_base_ressources_individu")
    activite = c.members("rsa_revenu_activite_individu").values
    enfant_compte = c.members("rsa_enfant_a_charge").values.astype(bool)
    parent = individuelles.is_role("parents")
    retenues = (individuelles.values + activite) * (parent | enfant_compte)
    return c.per_member(retenues).sum()


rsa_base_ressources = Quantity(
    name="rsa_base_ressources",
    entity=FAMILLE,
    period=MONTH,
    label="Base ressources du RSA",
    description="The individual resources, the prestations familiales and the minima sociaux.",
    adds=(
        "rsa_base_ressources_individuelles",
        "rsa_base_ressources_prestations_familiales",
        "rsa_base_ressources_minima_sociaux",
    ),
)


# ---------------------------------------------------------------------------------------------
# Forfait logement and amount
# ---------------------------------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Forfait logement du RSA",
    minimum=0,
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000020526192/2022-01-21/",),
)
def rsa_forfait_logement(c):
    """12 % of the montant forfaitaire for one person, 16 % of the one for two persons,
    16.5 % of the one for three persons or more (art. R262-9 and R262-10 CASF). The housing
    situation is the demandeur's ménage's."""
    return forfait_logement(
        c,
        c.law("rsa.montant_de_base"),
        c.law("rsa.maj_montant_max.couples_celibataire_avec_enfant"),
        c.law("rsa.maj_montant_max.couple_1_enfant_ou_2e_enfant"),
        c.law("rsa.forfait_logement.taux_1_personne"),
        c.law("rsa.forfait_logement.taux_2_personnes"),
        c.law("rsa.forfait_logement.taux_3_personnes_ou_plus"),
    )


@quantity(FAMILLE, MONTH, label="Montant forfaitaire du RSA retenu (majoré ou non)")
def rsa_montant_forfaitaire_retenu(c):
    """The larger of the montant forfaitaire and the montant majoré."""
    return np.maximum(c("rsa_socle"), c("rsa_socle_majore"))


rsa_montant = Quantity(
    name="rsa_montant",
    entity=FAMILLE,
    period=MONTH,
    label="Montant du RSA avant le minimum versé",
    description=(
        "The montant forfaitaire retained, minus the resources and the forfait logement, not "
        "below zero (art. L262-2 CASF)."
    ),
    adds=("rsa_montant_forfaitaire_retenu",),
    subtracts=("rsa_base_ressources", "rsa_forfait_logement"),
    floor=0,
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000020526072/2009-06-01",),
)


@quantity(
    FAMILLE,
    MONTH,
    label="Revenu de solidarité active",
    reads_past=("rsa",),
    references=(
        "https://www.service-public.fr/particuliers/vosdroits/N19775",
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000020526072/2009-06-01",
    ),
)
def rsa(c):
    """The larger of the montant forfaitaire and the montant majoré, minus the forfait
    logement and the resources; not paid below 6 € (art. R262-39 CASF). Not rounded.

    The RSA of M depends on the housing aid of M, which depends on the RSA of M-1: the engine
    bounds that chain back in time (see ``reads_past``)."""
    c("rsa_eligibilite")  # its conditions are the RSA's (the montant majoré aside): read first
    socle = c("rsa_montant_forfaitaire_retenu")
    montant = c("rsa_montant")
    # The figure of the reason: what is deducted from the montant forfaitaire, term by term in
    # the order of the sum, as far as it takes to reach it. The engine read the same terms to
    # settle rsa_montant (it stops where the RSA is nil for everyone), so these reads are
    # answered from the cache.
    nul = montant <= 0
    deduit = c.zeros()
    for terme in (
        "rsa_base_ressources_individuelles",
        "rsa_base_ressources_prestations_familiales",
        "rsa_base_ressources_minima_sociaux",
        "rsa_forfait_logement",
    ):
        if not (nul & (socle - deduit > 0)).any():
            break
        deduit = deduit + c(terme)
    c.check(
        "Ressources inférieures au montant forfaitaire du RSA",
        montant > 0,
        "vos ressources des trois derniers mois, {ressources} par mois en moyenne, atteignent le montant "
        "forfaitaire de {montant_forfaitaire}",
        ressources=deduit,
        montant_forfaitaire=socle,
    )
    minimum = float(c.law("rsa.montant_minimum_verse"))
    c.check(
        "Montant au moins égal au minimum versé",
        (montant <= 0) | (montant >= minimum),
        "le montant calculé, {montant}, est inférieur au minimum versé de {minimum}",
        montant=montant,
        minimum=minimum,
    )
    return montant * (montant >= minimum)


QUANTITIES = (
    rsa_has_ressources_substitution,
    rsa_revenu_activite_individu,
    rsa_base_ressources_individu,
    rsa_revenus_determination_enfant_a_charge,
    rsa_enfant_a_charge,
    rsa_nb_enfants,
    enceinte_fam,
    rsa_enfant_a_charge_fiscal,
    rsa_parent_isole,
    rsa_majore_eligibilite,
    rsa_eligibilite,
    rsa_socle,
    rsa_socle_majore,
    rsa_forfait_asf,
    rsa_base_ressources_prestations_familiales,
    rsa_base_ressources_minima_sociaux,
    rsa_base_ressources_individuelles,
    rsa_base_ressources,
    rsa_forfait_logement,
    rsa_montant_forfaitaire_retenu,
    rsa_montant,
)
AIDES = (rsa,)
