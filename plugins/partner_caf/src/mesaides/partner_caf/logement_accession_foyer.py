"""Aides personnelles au logement of home-buyers repaying a loan (accession à la propriété) and of
residents of logements-foyers (foyers de jeunes travailleurs, résidences sociales, EHPAD, CROUS
residences), per famille and per month. The allocation de logement (ALF or ALS) of home-buyers
and of foyers that are not conventionnés, the APL of conventionné foyers.

All follow one formula (art. D842-6 CCH for accession, D842-15 for logements-foyers, D832-24 for
the APL en foyer, where L + C is the equivalence E)::

    aide = K × (L + C − L0)
    K  = 0.90 − R / (cm × N), rounded down to the hundredth, at most 0.90 (D832-25 2°)
    L0 = (Σ tranches of R at rates, limits × N) + forfait) / 12          (D832-26, 2nd paragraph)

(the general case of the APL en foyer has its own K, N and E0: D832-25 1°, D832-26 1st paragraph),
then the 5 € minoration, the abatement that keeps a minimal net expense (D842-11, D842-17,
D832-27), for a foyer the cap at the redevance, the CRDS, the amount rounded down to the euro and
the 10 € minimum payment. ``L`` is the monthly loan repayment within the ceiling of the loan's
certificate date (D842-9) for accession, a flat equivalence by category of resident for a foyer
(D842-16), the redevance within a ceiling for the APL en foyer; ``C`` a charges forfait. See
``docs/rules-logement-accession-foyer.md``."""

from __future__ import annotations

import datetime as dt

import numpy as np

from mesaides.core import FAMILLE, MENAGE, MONTH, Activite, StatutOccupationLogement, quantity
from mesaides.partner_caf.helpers import menage_value, zone_index
from mesaides.partner_caf.logement_loyer import AL, SINCE
from mesaides.partner_caf.parameters import ETATS_LOGEMENT_FOYER

ACC = f"{AL}.accession"
FOY = f"{AL}.foyer"
APL_FOY = f"{AL}.foyer_apl"
K = f"{AL}.coefficient_k"
K1 = f"{AL}.coefficient_k_apl_foyer"
L0 = f"{AL}.l0"
E0 = f"{AL}.e0"

D842_6 = "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038878675"
D842_15 = "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038878655"
D832_24 = "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038878712"
D832_25 = "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000047401364"
D832_26 = "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000047401357"
L841_4 = "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038814858"
L861_6 = "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038814775"

# Art. L841-4 CCH (art. 126 of the loi de finances pour 2018): no allocation de logement for loans
# signed after 31 December 2017. Overseas, L861-6 keeps it for loans signed until 31 December 2019
# whose housing had a favourable financing decision of the préfet before 31 December 2018: that
# decision is not asked, so the overseas exception is not applied (docs: rules-logement-accession-foyer.md).
# A date of the law, not an amount: written here with its article.
FIN_PRETS = np.datetime64("2018-01-01", "D")
# Art. D842-11: loans signed from 1 July 1999 have the minimal net expense proportional to resources.
PRETS_DEPENSE_PROPORTIONNELLE = np.datetime64("1999-07-01", "D")
# The first certificate date of the ceilings of art. 33 of the arrêté; an older loan reads them.
PREMIER_CERTIFICAT = dt.date(1992, 7, 1)
PAS_DE_PRET = np.datetime64("9999-12-31", "D")

ACCEDANT = StatutOccupationLogement.PRIMO_ACCEDANT.code
FOYER = StatutOccupationLogement.LOCATAIRE_FOYER.code
PLAFOND_COLUMNS = ("personne_seule", "couple", "un_pac", "deux_pac", "trois_pac", "quatre_pac", "cinq_pac")
PARTS_COLUMNS = ("personne_seule", "couple", "un_pac", "deux_pac", "trois_pac", "quatre_pac")
E_COLUMNS = PARTS_COLUMNS


def _statut(c) -> np.ndarray:
    return menage_value(c, "statut_occupation_logement", -1)


def _by_composition(n, couple, columns, value, n_max, extra):
    """``value(column)`` for the household: single or couple without dependant, else the column
    of ``n`` dependants up to ``n_max``, plus ``extra`` per dependant beyond."""
    k = np.minimum(n, n_max)
    choices = [
        np.where(couple, value(columns[1]), value(columns[0])),
        *(value(columns[1 + j]) for j in range(1, n_max + 1)),
    ]
    return (
        np.choose(k, [np.broadcast_to(np.asarray(x, dtype=float), n.shape) for x in choices])
        + np.maximum(n - n_max, 0) * extra
    )


# ---- Who ---------------------------------------------------------------------------------------


@quantity(FAMILLE, MONTH, label="Accédant à la propriété remboursant un prêt", value_type="bool", valid_from=SINCE)
def aide_logement_accedant(c):
    """The famille's ménage is ``primo_accedant``: it repays a loan for its home."""
    return _statut(c) == ACCEDANT


@quantity(
    FAMILLE, MONTH, label="Résident d'un logement-foyer ou d'une résidence CROUS", value_type="bool", valid_from=SINCE
)
def aide_logement_foyer(c):
    """The famille's ménage is ``locataire_foyer`` (a CROUS residence is one, with ``logement_crous``)."""
    return _statut(c) == FOYER


@quantity(
    FAMILLE,
    MONTH,
    label="Résident d'un logement-foyer conventionné, relevant du barème général de l'APL en foyer",
    value_type="bool",
    references=(D832_24, D832_25),
    valid_from=SINCE,
)
def aide_logement_foyer_apl_cas_general(c):
    """A conventionné logement-foyer (``logement_conventionne`` given for the ménage: the APL) that
    is not a foyer de jeunes travailleurs nor a résidence sociale: K, N and E0 of the first case
    of D832-25 and D832-26 (a foyer de jeunes travailleurs or a résidence sociale uses the second,
    the allocation de logement's). The foyers de jeunes travailleurs conventionnés before October
    1990 and the résidences sociales before 1995 keep the general case: the date of the convention
    is not asked, every such foyer is taken as conventionné since."""
    jeunes = menage_value(c, "foyer_jeunes_travailleurs_ou_residence_sociale", False).astype(bool)
    return c("aide_logement_foyer_apl") & ~jeunes


@quantity(
    FAMILLE,
    MONTH,
    label="Résident d'un logement-foyer conventionné (APL en logement-foyer)",
    value_type="bool",
    references=(D832_24,),
    valid_from=SINCE,
)
def aide_logement_foyer_apl(c):
    """A logement-foyer conventionné: the ménage's ``logement_conventionne`` is given true (as in
    OpenFisca-France; it is computed true only for a tenant of an HLM). Its residents get the APL
    (D832-24 CCH), the others the allocation de logement (D842-15)."""
    return c("aide_logement_foyer") & menage_value(c, "logement_conventionne", False).astype(bool)


@quantity(
    MENAGE,
    MONTH,
    label="Prêt d'accession ouvrant droit à l'allocation de logement",
    value_type="bool",
    references=(L841_4, L861_6),
)
def aides_logement_primo_accedant_eligibilite(c):
    """A home-buyer whose loan was signed before 1 January 2018 (L841-4 CCH). An unknown date
    opens nothing."""
    date = c("aide_logement_date_pret")
    return (c("statut_occupation_logement") == ACCEDANT) & (date < FIN_PRETS)


# ---- K, N, L0 ----------------------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Nombre de parts N (accession et logement-foyer)",
    law=(f"{K}.nombre_parts", f"{K1}.nombre_parts"),
    references=(D832_25,),
    valid_from=SINCE,
)
def aides_logement_nb_part(c):
    """D832-25 2° d CCH: 1.2 for a single person, 1.5 for a couple, 2.5 to 4.3 with one to four
    dependants, 0.5 more per further dependant; in the general case of the APL en foyer (1° e),
    1.4 and 1.8 for a single person and a couple."""

    def parts(prefix):
        return _by_composition(
            c("al_nb_personnes_a_charge"),
            c("al_couple"),
            PARTS_COLUMNS,
            lambda col: c.law(f"{prefix}.nombre_parts.{col}"),
            4,
            c.law(f"{prefix}.nombre_parts.par_pac_supp"),
        )

    cas_general = c("aide_logement_foyer_apl_cas_general")
    return np.where(cas_general, parts(K1), parts(K)) if cas_general.any() else parts(K)


@quantity(
    FAMILLE,
    MONTH,
    label="Ressources retenues en accession et en logement-foyer",
    law=(f"{ACC}.plancher_ressources",),
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038878663",),
    valid_from=SINCE,
)
def aides_logement_accession_foyer_ressources(c):
    """The resource base of the aides au logement (rounded up to 100 €). A home-buyer's resources
    are raised to 16.25 times the monthly repayment, rounded up to 100 € (D842-12 1° CCH), unless
    a parent has the neutralisation or the 30 % abatement of R822-11 and R822-13 to R822-17."""
    ressources = c("aide_logement_base_ressources")
    accedant = c("aide_logement_accedant")
    if not accedant.any():
        return ressources
    mensualite = menage_value(c, "loyer", 0.0)
    plancher = np.ceil(np.round(mensualite * c.law(f"{ACC}.plancher_ressources.coefficient_mensualite"), 2) / 100) * 100
    parents = (
        c.members("aide_logement_condition_neutralisation").values
        | c.members("aide_logement_abattement_revenus_activite_professionnelle").values
    )
    exempt = c.per_member(parents).any("parents")
    return np.where(accedant & ~exempt, np.maximum(ressources, plancher), ressources)


@quantity(
    FAMILLE,
    MONTH,
    label="Coefficient de prise en charge K (accession et logement-foyer)",
    law=(f"{K}.plafond", f"{K}.cm", f"{K1}.plafond", f"{K1}.r", f"{K1}.cm"),
    references=(D832_25,),
    valid_from=SINCE,
)
def aides_logement_k(c):
    """K = 0.90 − R / (cm × N) (D832-25 2° CCH); in the general case of the APL en foyer,
    K = 0.95 − (R − r × N) / (cm × N) (1°). Rounded down to the hundredth, at most 0.90 or 0.95."""
    r = c("aides_logement_accession_foyer_ressources")
    n = c("aides_logement_nb_part")
    plafond = np.full(r.shape, float(c.law(f"{K}.plafond")))
    k = plafond - r / (c.law(f"{K}.cm") * n)
    cas_general = c("aide_logement_foyer_apl_cas_general")
    if cas_general.any():
        plafond_1 = c.law(f"{K1}.plafond")
        k = np.where(cas_general, plafond_1 - (r - c.law(f"{K1}.r") * n) / (c.law(f"{K1}.cm") * n), k)
        plafond = np.where(cas_general, plafond_1, plafond)
    # Rounded down to two decimals (the inner rounding keeps an exact hundredth from falling below).
    return np.minimum(plafond, np.floor(np.round(k * 100, 6)) / 100)


@quantity(
    FAMILLE,
    MONTH,
    label="Loyer ou mensualité minimale L0, équivalence minimale E0 (accession et logement-foyer)",
    law=(L0, E0),
    references=(D832_26,),
    valid_from=SINCE,
)
def aides_logement_loyer_minimal(c):
    """Rates applied to the tranches of the resources R whose limits are multiplied by N, plus a
    forfait, the total divided by twelve (D832-26 CCH, second paragraph); in the general case of
    the APL en foyer, the tranches and rates of the first paragraph and a forfait per part."""
    r = c("aides_logement_accession_foyer_ressources")
    n = c("aides_logement_nb_part")

    def tranches(prefix, count):
        limites = [0.0, *(c.law(f"{prefix}.seuil_{i}") for i in range(1, count)), np.inf]
        total = np.zeros_like(r, dtype=float)
        for i in range(count):
            bas, haut = limites[i] * n, limites[i + 1] * n
            total = total + c.law(f"{prefix}.taux_{i + 1}") * np.clip(r - bas, 0, haut - bas)
        return total

    l0 = (tranches(L0, 5) + c.law(f"{L0}.forfait")) / 12
    cas_general = c("aide_logement_foyer_apl_cas_general")
    if cas_general.any():
        e0 = (tranches(E0, 6) + c.law(f"{E0}.forfait_par_part") * n) / 12
        l0 = np.where(cas_general, e0, l0)
    return l0


# ---- L and C -----------------------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Mensualité plafond de l'accession (date du certificat de prêt)",
    law=(f"{ACC}.mensualite_plafond",),
    references=(D842_6, "https://www.legifrance.gouv.fr/loda/article_lc/LEGIARTI000046126965"),
    valid_from=SINCE,
)
def aides_logement_primo_accedant_plafond_mensualite(c):
    """The ceiling of the zone and household in force on the date of the loan's certificate
    (D842-9 CCH), taken as the loan's date; at most five dependants in the table, then an amount
    per further dependant."""
    accedant = c("aide_logement_accedant")
    out = c.zeros()
    if not accedant.any():
        return out
    dates = menage_value(c, "aide_logement_date_pret", PAS_DE_PRET)
    n = c("al_nb_personnes_a_charge")
    couple = c("al_couple")
    zone = zone_index(c) + 1
    known = accedant & (dates < PAS_DE_PRET)
    for day in np.unique(dates[known]):
        at = max(day.astype(dt.date), PREMIER_CERTIFICAT)
        rows = known & (dates == day)
        for z in np.unique(zone[rows]):
            base = f"{ACC}.mensualite_plafond.zone_{z}."
            where = rows & (zone == z)
            out[where] = _by_composition(
                n[where],
                couple[where],
                PLAFOND_COLUMNS,
                lambda col, base=base, at=at: c.law(base + col, at=at),
                5,
                c.law(base + "par_pac_supp", at=at),
            )
    return out


@quantity(
    FAMILLE,
    MONTH,
    label="Équivalence de loyer du logement-foyer (APL : équivalence de loyer et de charges retenue)",
    law=(f"{FOY}.equivalence_loyer", f"{FOY}.age_personnes_agees", f"{FOY}.age_personnes_agees_aspa"),
    references=(D842_15, "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000047985424"),
    valid_from=SINCE,
)
def aides_logement_foyer_equivalence_loyer(c):
    """The flat equivalence of art. 43 of the arrêté by category (D842-16 CCH): a student in a
    CROUS room not rehabilitated; a student in a rehabilitated room; a person of the age of the
    full-rate pension (67), an ASPA recipient of 65 or more, or a disabled person; anyone else.
    Single person or couple. In a conventionné foyer (APL), the redevance within the ceiling of
    art. 27 (D832-24 3°): it includes the charges."""
    demandeur_age = c.members("age").first("parents", default=0)
    handicap = c.per_member(c.members("handicap").values).any("parents")
    aspa = c("aspa") > 0
    agee = (
        (demandeur_age >= c.law(f"{FOY}.age_personnes_agees"))
        | (aspa & (demandeur_age >= c.law(f"{FOY}.age_personnes_agees_aspa")))
        | handicap
    )
    etudiant = c.members("activite").first("parents", default=-1) == Activite.ETUDIANT.code
    crous = menage_value(c, "logement_crous", False).astype(bool)
    non_rehabilite = menage_value(c, "etat_logement_foyer", 0) == ETATS_LOGEMENT_FOYER.index("logement_non_rehabilite")
    categorie = np.select(
        [agee, crous & etudiant & non_rehabilite, crous & etudiant],
        ["personne_agee_ou_handicapee", "etudiant_chambre", "etudiant_chambre_rehabilitee"],
        "autres",
    )
    couple = c("al_couple")
    out = c.zeros()
    for name in np.unique(categorie):
        where = categorie == name
        e = f"{FOY}.equivalence_loyer.{name}."
        out[where] = np.where(couple[where], c.law(e + "couple"), c.law(e + "personne_seule"))
    apl = c("aide_logement_foyer_apl")
    if apl.any():
        redevance = menage_value(c, "loyer", 0.0)
        out = np.where(apl, np.minimum(redevance, c("aides_logement_foyer_conventionne_plafond")), out)
    return out


@quantity(
    FAMILLE,
    MONTH,
    label="Équivalence de loyer et de charges plafond de l'APL en logement-foyer",
    law=(f"{APL_FOY}.equivalence_plafond",),
    references=(D832_24, "https://www.legifrance.gouv.fr/loda/article_lc/LEGIARTI000052233830"),
    valid_from=SINCE,
)
def aides_logement_foyer_conventionne_plafond(c):
    """Art. 27 of the arrêté: by zone and household (single, couple, one to four dependants, then
    an amount per further dependant)."""
    zone = zone_index(c) + 1
    n = c("al_nb_personnes_a_charge")
    couple = c("al_couple")
    out = c.zeros()
    for z in np.unique(zone):
        where = zone == z
        base = f"{APL_FOY}.equivalence_plafond.zone_{z}."
        out[where] = _by_composition(
            n[where],
            couple[where],
            E_COLUMNS,
            lambda col, base=base: c.law(base + col),
            4,
            c.law(base + "par_pac_supp"),
        )
    return out


@quantity(
    FAMILLE,
    MONTH,
    label="Forfait de charges (accession et logement-foyer)",
    law=(f"{ACC}.forfait_charges", f"{FOY}.forfait_charges"),
    references=(D842_6, D842_15),
    valid_from=SINCE,
)
def aides_logement_accession_foyer_charges(c):
    """Art. 34 (accession) and 40 (logement-foyer) of the arrêté: a flat amount plus an amount per
    dependant, whatever the zone. None for the APL en logement-foyer, whose equivalence includes
    the charges."""
    n = c("al_nb_personnes_a_charge")
    prefix = np.where(c("aide_logement_accedant"), 0, 1)
    values = [
        c.law(f"{p}.forfait_charges.cas_general") + n * c.law(f"{p}.forfait_charges.par_personne_a_charge")
        for p in (ACC, FOY)
    ]
    return np.where(c("aide_logement_foyer_apl"), 0.0, np.choose(prefix, values))


# ---- Amount ------------------------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Aide au logement en accession ou en logement-foyer, avant minorations",
    references=(D842_6, D842_15),
    valid_from=SINCE,
)
def aides_logement_accedant_et_foyer(c):
    """K × (L + C − L0), nil when negative. L: the repayment within its ceiling for an eligible
    home-buyer (nothing for another), the equivalence de loyer for a foyer; for the APL en foyer,
    K × (E − E0) with C nil (D832-24)."""
    accedant = c("aide_logement_accedant")
    foyer = c("aide_logement_foyer")
    eligible = menage_value(c, "aides_logement_primo_accedant_eligibilite", False).astype(bool)
    mensualite = menage_value(c, "loyer", 0.0)
    l_accession = np.minimum(mensualite, c("aides_logement_primo_accedant_plafond_mensualite"))
    l_retenu = np.where(
        foyer, c("aides_logement_foyer_equivalence_loyer"), np.where(accedant & eligible, l_accession, 0)
    )
    concerne = (foyer | (accedant & eligible)) & (l_retenu > 0)
    montant = c("aides_logement_k") * (
        l_retenu + c("aides_logement_accession_foyer_charges") - c("aides_logement_loyer_minimal")
    )
    return np.where(concerne, np.maximum(0, montant), 0.0)


@quantity(
    FAMILLE,
    MONTH,
    label="Aide au logement en accession ou en logement-foyer, avant CRDS",
    law=(
        f"{ACC}.minoration_forfaitaire",
        f"{FOY}.minoration_forfaitaire",
        f"{APL_FOY}.minoration_forfaitaire",
        f"{ACC}.depense_nette_minimale",
        f"{FOY}.depense_nette_minimale",
        f"{APL_FOY}.depense_nette_minimale",
    ),
    references=(
        D842_6,
        D842_15,
        D832_24,
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038878665",
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038878706",
    ),
    valid_from=SINCE,
)
def aides_logement_accession_foyer_montant_brut(c):
    """The formula's amount minus the 5 € minoration, then minus the shortfall of the net expense
    (repayment or equivalence de loyer plus charges, minus the aid) below its minimum: 15 €, or for a
    loan signed from 1 July 1999 the resources times 0.0234 (D842-11, D842-17 CCH); for the APL en
    foyer 26.68 €, 15 € in a foyer de jeunes travailleurs or a résidence sociale (D832-27). A
    foyer's aid is at most the redevance paid (D842-15; the APL's E is within it)."""
    accedant = c("aide_logement_accedant")
    foyer = c("aide_logement_foyer")
    apl = c("aide_logement_foyer_apl")
    cas_general = c("aide_logement_foyer_apl_cas_general")
    af = c("aides_logement_accedant_et_foyer")
    minoration = np.select(
        [accedant, apl],
        [c.law(f"{ACC}.minoration_forfaitaire"), c.law(f"{APL_FOY}.minoration_forfaitaire")],
        c.law(f"{FOY}.minoration_forfaitaire"),
    )
    aide = np.maximum(0, af - minoration)

    mensualite = menage_value(c, "loyer", 0.0)
    charges = c("aides_logement_accession_foyer_charges")
    date = menage_value(c, "aide_logement_date_pret", PAS_DE_PRET)
    seuil_accession = np.where(
        date >= PRETS_DEPENSE_PROPORTIONNELLE,
        c("aides_logement_accession_foyer_ressources") * c.law(f"{ACC}.depense_nette_minimale.coefficient_ressources"),
        c.law(f"{ACC}.depense_nette_minimale.montant"),
    )
    seuil_apl = np.where(
        cas_general,
        c.law(f"{APL_FOY}.depense_nette_minimale.cas_general"),
        c.law(f"{APL_FOY}.depense_nette_minimale.jeunes_travailleurs_residences_sociales"),
    )
    seuil = np.select([accedant, apl], [seuil_accession, seuil_apl], c.law(f"{FOY}.depense_nette_minimale"))
    depense = np.where(accedant, mensualite, c("aides_logement_foyer_equivalence_loyer")) + charges - aide
    aide = np.maximum(0, aide - np.maximum(0, seuil - depense))
    return np.where(foyer, np.minimum(aide, mensualite), aide)


@quantity(
    FAMILLE,
    MONTH,
    label="Aide au logement en accession ou en logement-foyer, nette de CRDS",
    law=(f"{ACC}.seuil_versement", f"{FOY}.seuil_versement", f"{APL_FOY}.seuil_versement"),
    references=(D842_6, D842_15, "https://www.service-public.fr/particuliers/vosdroits/F17585"),
    valid_from=SINCE,
)
def aides_logement_accession_foyer_montant(c):
    """Minus the CRDS (0.5 %, rounded down to the cent), rounded down to the euro; nothing when
    the aid before CRDS is under the 10 € minimum payment."""
    brut = c("aides_logement_accession_foyer_montant_brut")
    crds = np.floor(brut * 100 * c.law(f"{AL}.crds.taux")) / 100
    net = np.floor(np.round(brut - crds, 2))
    seuil = seuil_versement_accession_foyer(c)
    return np.where(brut >= seuil, net, 0.0)


def seuil_versement_accession_foyer(c):
    """The minimum payment of each famille's scale (arrêté art. 29, 36 and 42)."""
    return np.select(
        [c("aide_logement_accedant"), c("aide_logement_foyer_apl")],
        [c.law(f"{ACC}.seuil_versement"), c.law(f"{APL_FOY}.seuil_versement")],
        c.law(f"{FOY}.seuil_versement"),
    )


QUANTITIES = (
    aide_logement_accedant,
    aide_logement_foyer,
    aide_logement_foyer_apl,
    aide_logement_foyer_apl_cas_general,
    aides_logement_foyer_conventionne_plafond,
    aides_logement_primo_accedant_eligibilite,
    aides_logement_nb_part,
    aides_logement_accession_foyer_ressources,
    aides_logement_k,
    aides_logement_loyer_minimal,
    aides_logement_primo_accedant_plafond_mensualite,
    aides_logement_foyer_equivalence_loyer,
    aides_logement_accession_foyer_charges,
    aides_logement_accedant_et_foyer,
    aides_logement_accession_foyer_montant_brut,
    aides_logement_accession_foyer_montant,
)
