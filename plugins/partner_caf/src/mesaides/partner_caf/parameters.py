"""Parameters the CAF's rules read that the core does not own (names as in OpenFisca-France)."""

from mesaides.core import ETERNITY, INDIVIDU, MENAGE, MONTH, Parameter

ETATS_LOGEMENT_FOYER = ("non_renseigne", "logement_rehabilite", "logement_non_rehabilite")
"""OpenFisca-France's ``TypeEtatLogementFoyer``: whether a CROUS room has been rehabilitated."""

PARAMETERS = (
    Parameter(
        name="taux_incapacite",
        entity=INDIVIDU,
        period=MONTH,
        value_type="float",
        label="Taux d'incapacité reconnu par la CDAPH (entre 0 et 1)",
        unit="rate",
        year_input="dispatch",
        minimum=0.0,
        maximum=1.0,
    ),
    Parameter(
        name="aeeh_niveau_handicap",
        entity=INDIVIDU,
        period=MONTH,
        value_type="int",
        label="Catégorie du complément d'AEEH attribuée par la CDAPH (0 : allocation de base seule, 1 à 6)",
        year_input="dispatch",
        minimum=0,
        maximum=6,
    ),
    Parameter(
        name="aah_restriction_substantielle_durable_acces_emploi",
        entity=INDIVIDU,
        period=MONTH,
        value_type="bool",
        label="Restriction substantielle et durable pour l'accès à l'emploi reconnue par la CDAPH",
        year_input="dispatch",
    ),
    Parameter(
        name="date_debut_chomage",
        entity=INDIVIDU,
        period=ETERNITY,
        value_type="date",
        default="9999-12-31",
        label="Date de début de la période de chômage en cours",
    ),
    Parameter(
        name="coloc",
        entity=MENAGE,
        period=MONTH,
        value_type="bool",
        label="Logement en colocation",
        year_input="dispatch",
    ),
    Parameter(
        name="aide_logement_date_pret",
        entity=MENAGE,
        period=ETERNITY,
        value_type="date",
        default="9999-12-31",
        label="Date de signature du prêt d'accession à la propriété de la résidence principale",
        description=(
            "For a home-buyer (statut_occupation_logement = primo_accedant): the date of the loan's "
            "certificate, which decides whether the loan opens an allocation de logement (L841-4 CCH) "
            "and the ceiling of its repayment (D842-9 CCH). The monthly repayment is the ménage's loyer."
        ),
    ),
    Parameter(
        name="logement_crous",
        entity=MENAGE,
        period=MONTH,
        value_type="bool",
        label="Logement en résidence universitaire du CROUS",
        description="With statut_occupation_logement = locataire_foyer: a CROUS residence.",
        year_input="dispatch",
    ),
    Parameter(
        name="etat_logement_foyer",
        entity=MENAGE,
        period=MONTH,
        value_type="enum",
        enum_values=ETATS_LOGEMENT_FOYER,
        default="non_renseigne",
        label="Chambre de résidence CROUS réhabilitée ou non",
        year_input="dispatch",
    ),
    Parameter(
        name="foyer_jeunes_travailleurs_ou_residence_sociale",
        entity=MENAGE,
        period=MONTH,
        value_type="bool",
        label="Foyer de jeunes travailleurs ou résidence sociale",
        description=(
            "With statut_occupation_logement = locataire_foyer and logement_conventionne given true: the "
            "APL of such a foyer uses the second case of D832-25 and D832-26 CCH."
        ),
        year_input="dispatch",
    ),
)
