"""The hooks through which partners (and the core itself) contribute to mesaides.

Every hook is prefixed ``mesaides_``. The ``register_*`` hooks receive a ``register`` callback:
the plugin calls it once per object, and the host validates each object and records which
distribution registered it (its *owner*). Implementations may accept fewer arguments than the
specification lists, so that new arguments can be added without breaking partners.

Implement them with :data:`mesaides.core.hookimpl`::

    from mesaides.core import hookimpl

    @hookimpl
    def mesaides_register_aides(register):
        register(my_aide)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from collections.abc import Callable

    from mesaides.core.ruleset import RuleSet
    from mesaides.core.situation import Situation, SituationIssue

PROJECT = "mesaides"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# ---- Partner ----------------------------------------------------------------------------------


@hookspec
def mesaides_register_partner(register: Callable[[Any], None]) -> None:
    """Declare the partner responsible for this distribution's aides.

    :param register: call it with a :class:`mesaides.core.Partner`: its id, name, scope
        (``national`` or ``territorial``), institutions with their logos (convention A4), the
        referent's contact (Pa2), and ``requires``: the other partners' distributions whose aides
        this one reads, with the version range supported. When such a distribution is absent or
        out of range, the aides that read it are reported unavailable with the reason; nothing
        else breaks.
    """


# ---- Parameters -------------------------------------------------------------------------------


@hookspec
def mesaides_register_parameters(register: Callable[[Any], None]) -> None:
    """Declare the Parameters (characteristics of the situation) this distribution owns.

    A Parameter is what the situation says (a rent, a date of birth), not the question asking
    for it (P1). Declare a Parameter only when no existing one approximates it (P2); use
    OpenFisca-France's name, type and enum values where one exists.

    :param register: call it with each :class:`mesaides.core.Parameter`. A name already declared
        by another distribution is an error reported against this distribution.
    """


# ---- Rules ------------------------------------------------------------------------------------


@hookspec
def mesaides_register_legislation(register: Callable[[Any], None]) -> None:
    """Register the legislation values (dated amounts, rates, thresholds) the rules read.

    :param register: call it with a path to a YAML file or to a directory of them (the format is
        in ``core/AUTHORING.md``), or with already-built :class:`mesaides.core.legislation.Series`
        / ``Scale`` nodes. Every value carries its date of effect and its legal reference. Paths
        are global: two distributions may not declare the same one.
    """


@hookspec
def mesaides_register_quantities(register: Callable[[Any], None]) -> None:
    """Register intermediate quantities: values computed from declared inputs that aides read.

    :param register: call it with each :class:`mesaides.core.Quantity`. Its ``reads``,
        ``reads_past`` and ``law`` declare everything its formula may read; the engine refuses
        an undeclared read, so the dependency graph built at load time is exact.
    """


@hookspec
def mesaides_register_aides(register: Callable[[Any], None]) -> None:
    """Register aides: the benefits this distribution's partner grants.

    :param register: call it with each :class:`mesaides.core.Aide`, a quantity with the
        metadata of convention A4 and A11-A13 (description, periodicity, public page, ways to
        apply, legal references). Aide names are unique across all distributions. A declarative
        aide (``core/docs/declarative.md``) is registered as the
        :class:`~mesaides.core.declarative.DeclaredAide` read from its file, compiled once every
        distribution has registered; a file refused is registered as its
        :class:`~mesaides.core.declarative.FileProblem`, listed in the rule set's problems while
        the distribution's other aides load.
    """


# ---- Situation --------------------------------------------------------------------------------


@hookspec
def mesaides_prepare_situation(situation: Situation, rules: RuleSet) -> Situation | None:
    """Complete a situation before its values are read.

    Called once per situation, on the model, after its shape is checked (entity tables,
    objects, ids) and before its values are checked and its arrays built; what the hook adds is
    checked like what the client gave. Use it to derive inputs that clients commonly leave out
    (the core's own implementation writes one group per person for a group table left out).
    Never overwrite a value the user gave, and never add a ``null`` (a request).

    :param situation: the situation as read, of the right shape.
    :param rules: the loaded rule set.
    :return: a new :class:`mesaides.core.Situation` (``situation.model_copy(update=...)``), or
        ``None`` to leave it unchanged. Results are applied in turn, in plugin order, each hook
        given the previous one's result.
    """


@hookspec
def mesaides_validate_situation(situation: Situation, rules: RuleSet) -> list[SituationIssue] | None:
    """Check a situation beyond the types of its values.

    Called once per situation, on the (prepared) model, after the core's own checks passed
    (structure, names, types, enum values, periods, roles, Parameter domains) and before the
    arrays are built: every value read is of its type. Use it for what only a whole situation
    or a partner's knowledge says (the core's own implementation refuses a commune code absent
    from the geography table and a birth in the future).

    :param situation: the situation, as prepared.
    :param rules: the loaded rule set.
    :return: a list of :class:`mesaides.core.SituationIssue` (``path`` and ``message``), or
        ``None``. Any issue makes the situation invalid (an
        :class:`~mesaides.core.situation.InconsistentSituation`, HTTP 422); all issues of all
        plugins are reported together.
    """


# ---- Documentation ---------------------------------------------------------------------------


@hookspec
def mesaides_documentation_extras(rules: RuleSet) -> dict[str, Any] | None:
    """Add what a plugin knows to the documentation site (``mesaides docs build``).

    The registry uses it to add each aide's version history and pending notices (A7) and each
    Parameter's status (P4); the core itself knows only what the installed partners declare.

    :param rules: the loaded rule set the site documents.
    :return: a mapping with any of ``aide_history`` (aide name to a list of ``{"when",
        "version", "what"}``), ``aide_notices`` (aide name to a list of French notices) and
        ``parameter_status`` (Parameter name to a short French status), or ``None``.
    """


# ---- Command line -----------------------------------------------------------------------------


@hookspec
def mesaides_register_commands(cli: Any) -> None:
    """Add commands to the ``mesaides`` command line.

    Called once when the command line starts, before arguments are parsed. Commands should
    import their heavy dependencies inside their body, so that ``mesaides --help`` stays fast.

    :param cli: the root :class:`click.Group`; add a command or a group to it (the registry adds
        ``mesaides registry``).
    """
