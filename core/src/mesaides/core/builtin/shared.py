"""The core's second plugin: what several partners read and the core owns in one place.

- Geography (:mod:`mesaides.core.builtin.geography`): the menage's ``departement``, ``region``
  and ``epci`` from its commune code, so that a territorial partner says where its aide applies
  without its own list of communes.
- Fiscal income (:mod:`mesaides.core.builtin.fiscal`): a foyer fiscal's ``rni``, ``rfr`` and
  ``nbptr`` for a year (year N-2 for most aides), from the situation's monthly taxable incomes.

Its legislation values (``legislation/impot.yaml``) are registered with the others by
:mod:`mesaides.core.builtin.base`. See ``core/docs/geography-and-fiscal.md``.
"""

from __future__ import annotations

from collections.abc import Callable

from mesaides.core.builtin import fiscal, geography
from mesaides.core.definitions import Parameter, Quantity
from mesaides.core.hookspecs import hookimpl


@hookimpl
def mesaides_register_parameters(register: Callable[[Parameter], None]) -> None:
    for p in fiscal.PARAMETERS:
        register(p)


@hookimpl
def mesaides_register_quantities(register: Callable[[Quantity], None]) -> None:
    for q in (*geography.QUANTITIES, *fiscal.QUANTITIES):
        register(q)
