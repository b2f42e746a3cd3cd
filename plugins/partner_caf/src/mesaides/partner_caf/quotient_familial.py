"""The CAF's quotient familial (QF), monthly: the famille's resources of a month per part, as
the CAF publishes it for the aides of its action sociale and as cities, départements and régions
use it for their own aides and fares (issue 16: declarative aides read it by name).

The CAF's published rule (caf.fr, "Quotient familial : Caf, impôts, quelles différences ?",
https://caf.fr/allocataires/vies-de-famille/articles/quotient-familial-caf-impots-quelles-differences,
and the Caf de Tarn-et-Garonne's "mode de calcul du quotient familial"):

    QF = (annual taxable resources of year N-2 / 12 + the prestations paid for the month) / parts

- resources: the CAF's resource base of the prestations familiales, year N-2
  (``prestations_familiales_base_ressources``: the parents' and dependent children's taxable
  salaries, unemployment benefits and pensions after the 10 % deduction for professional
  expenses; what the situation does not ask counts as zero);
- prestations of the month: the CAF's monthly prestations this package computes (allocations
  familiales, complément familial, ASF, allocation de base de la PAJE, AEEH, AAH, RSA, prime
  d'activité, aide au logement); one-off ones (prime à la naissance, allocation de rentrée
  scolaire) are not monthly and do not count;
- parts: 2 for the allocataire (single or in a couple), ½ for each of the first two dependent
  children, 1 for the third, ½ for each further one, and ½ more for each child with a
  disability (a child ouvrant droit à l'AEEH). Values in ``legislation/quotient_familial.yaml``.

The result is not rounded (CAFs show it to the euro; a ceiling compares the exact value).
"""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, MONTH, quantity

QF = "quotient_familial.parts"
PRESTATIONS_MENSUELLES = ("af", "cf", "asf", "paje_base", "aeeh", "rsa", "ppa", "aide_logement")
"""The famille's monthly prestations counted in the quotient familial (the AAH is a person's)."""


@quantity(FAMILLE, MONTH, label="Nombre de parts du quotient familial de la CAF", unit="parts", minimum=0.0)
def quotient_familial_nb_parts(c):
    """2 parts, ½ for each of the first two children à charge, 1 for the third, ½ for each
    further one, ½ more for each child ouvrant droit à l'AEEH."""
    enfants = c("af_nbenf")
    handicapes = c.members("aeeh_enfant_eligible").count("enfants")
    return (
        c.law(f"{QF}.allocataire")
        + c.law(f"{QF}.premier_et_deuxieme_enfant") * np.minimum(enfants, 2)
        + c.law(f"{QF}.troisieme_enfant") * (enfants >= 3)
        + c.law(f"{QF}.enfant_suivant") * np.maximum(enfants - 3, 0)
        + c.law(f"{QF}.enfant_handicape") * handicapes
    )


@quantity(FAMILLE, MONTH, label="Quotient familial de la CAF", unit="EUR", minimum=0.0)
def quotient_familial(c):
    """(Resources of year N-2 / 12 + the month's prestations) / parts, as the CAF publishes it."""
    prestations = c.members("aah").sum()
    for name in PRESTATIONS_MENSUELLES:
        prestations = prestations + c(name)
    ressources = c("prestations_familiales_base_ressources") / 12
    return (ressources + prestations) / c("quotient_familial_nb_parts")


QUANTITIES = (quotient_familial_nb_parts, quotient_familial)
AIDES = ()
