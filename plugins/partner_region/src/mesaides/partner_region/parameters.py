"""Parameters the Région's rules read that neither the core nor another partner declares
(names as in OpenFisca-France)."""

from mesaides.core import INDIVIDU, MONTH, Parameter

PARAMETERS = (
    # Convention P2: the aide au permis de conduire is open to apprentices, with its own amounts;
    # no existing Parameter says that a person is an apprentice (``activite`` only says ``actif``).
    Parameter(
        name="apprenti",
        entity=INDIVIDU,
        period=MONTH,
        value_type="bool",
        label="En contrat d'apprentissage",
        year_input="dispatch",
    ),
)
