"""What a formula reads, found in its source when the rules load.

A formula names what it reads: ``c("salaire_net")``, ``c.sum("chomage_net", ...)``,
``c.members("age")``, ``c.enum("activite")``, ``c.group("famille").sum("asi", ...)``,
``c.law("rsa.montant_de_base")``, ``c.scale("impot.bareme")``. The engine reads those names
from the formula's syntax tree, so that a partner writes each of them once. A name is found when
it is *literal*, that is when it can be worked out without running anything:

- a string, an f-string or a ``+`` of strings whose parts are literal;
- a module-level constant (a string, or a tuple or list of strings to loop over) of the
  formula's module, including one it imports (``f"{PF}.bmaf"``);
- a local variable every assignment of which is literal (``pa = "pensions_..."``), a loop
  variable over literal strings (``for name in ("aah", "asi"): c.members(name, m)``);
- inside a helper function the formula passes its context to (``forfait_logement(c, ...)``,
  ``_neutralised(c, "salaire_net")``), followed into any module, with the helper's parameters
  bound to the literal arguments of each call.

What cannot be worked out (a name computed from data, a context passed to something that is not
a plain function) is reported: the quantity must then declare the names it may read by hand,
in ``reads=`` or ``law=`` (a legislation prefix covers the paths under it). Declared names add
to the inferred ones. The inference over-approximates only through branches never taken at
run time (a name read under an ``if``), which is what a hand-written declaration would say too.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import itertools
import json
import marshal
import os
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mesaides.core.definitions import Quantity

READ_METHODS = frozenset({"sum", "mean", "members", "enum", "among", "per_text"})
"""Context methods whose first argument is a variable read."""
LAW_METHODS = frozenset({"law", "scale"})
"""Context methods whose first argument is a legislation path."""
GROUP_METHODS = frozenset({"sum", "any", "max", "nth"})
"""Methods of ``c.group(...)`` whose first argument is a variable read."""

_MAX_VALUES = 64
"""A literal with more possible values than this is treated as built at run time."""
_MAX_DEPTH = 8
"""How deep helpers that pass the context on are followed."""

Values = frozenset[str] | None
"""The strings an expression may be, or None when it is not literal."""


@dataclass
class Inferred:
    """What the source of a formula says it reads."""

    reads: set[str] = field(default_factory=set)
    law: set[str] = field(default_factory=set)
    unresolved_reads: list[str] = field(default_factory=list)
    """Where a variable's name is built at run time, as ``file:line: source``."""
    unresolved_law: list[str] = field(default_factory=list)
    """Where a legislation path is built at run time."""


class SourceIndex:
    """Parses each source file once (for one loading of the rules) and infers reads."""

    def __init__(self, cache: InferenceCache | None = None) -> None:
        self._functions: dict[str, dict[int, ast.FunctionDef]] = {}
        self._followed: dict[tuple[Any, ...], Inferred] = {}
        """(helper, its context parameters, its bound arguments) -> what following it found."""
        self.cache = cache

    def infer(self, function: Callable[..., Any]) -> Inferred:
        """The names ``function(c)`` reads through its first parameter."""
        if self.cache is None:
            return self._infer(function)
        key = self.cache.key(function)
        found = self.cache.get(key)
        if found is None:
            found = self._infer(function)
            self.cache.put(key, found)
        return found

    def _infer(self, function: Callable[..., Any]) -> Inferred:
        node = self._node(function)
        if node is None:
            found = Inferred()
            found.unresolved_reads.append(f"{_qualname(function)}: its source cannot be read")
            return found
        params = _params(node)
        if not params:
            return Inferred()
        return self._walk(function, node, {params[0]: None}, {params[0]}, depth=0)

    # ---- Source ---------------------------------------------------------------------------

    def _node(self, function: Callable[..., Any]) -> ast.FunctionDef | None:
        code = getattr(function, "__code__", None)
        if code is None:
            return None
        filename = code.co_filename
        table = self._functions.get(filename)
        if table is None:
            table = self._functions[filename] = self._parse(function, filename, everywhere=False)
        found = table.get(code.co_firstlineno)
        if found is None and not table.get(-1):
            # A function defined inside another (a factory, a test): look at every function.
            table = self._functions[filename] = self._parse(function, filename, everywhere=True)
            found = table.get(code.co_firstlineno)
        return found

    @staticmethod
    def _parse(function: Callable[..., Any], filename: str, everywhere: bool) -> dict[int, ast.FunctionDef]:
        try:
            source = inspect.getsource(inspect.getmodule(function) or function)
        except (OSError, TypeError):
            try:
                source = textwrap.dedent(inspect.getsource(function))
            except (OSError, TypeError):
                return {}
            offset = function.__code__.co_firstlineno - 1
        else:
            offset = 0
        table: dict[int, Any] = {-1: everywhere}
        # Formulas and the helpers they call are mostly the module's functions (or a class's).
        tree = ast.parse(source)
        if everywhere:
            candidates: Iterable[ast.AST] = ast.walk(tree)
        else:
            candidates = [*tree.body, *(n for c in tree.body if isinstance(c, ast.ClassDef) for n in c.body)]
        for node in candidates:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                table[first + offset] = node
                table.setdefault(node.lineno + offset, node)
        return table

    # ---- Walking a function ---------------------------------------------------------------

    def _walk(
        self,
        function: Callable[..., Any],
        node: ast.FunctionDef,
        bound: dict[str, Values],
        contexts: set[str],
        depth: int,
    ) -> Inferred:
        found = Inferred()
        module_globals = getattr(function, "__globals__", {})
        nodes = list(ast.walk(node))  # walked once: the tree walk is most of the cost
        local = _Locals(node, nodes, bound, module_globals)
        groups = _group_views(nodes, contexts)
        where = f"{function.__code__.co_filename}"

        def place(call: ast.Call) -> str:
            return f"{where}:{call.lineno}: {ast.unparse(call)}"

        for call in nodes:
            if not isinstance(call, ast.Call):
                continue
            func = call.func
            target: str | None = None  # "read" or "law"
            if isinstance(func, ast.Name) and func.id in contexts:
                target = "read"
            elif isinstance(func, ast.Attribute):
                owner = func.value
                if isinstance(owner, ast.Name) and owner.id in contexts:
                    if func.attr in READ_METHODS:
                        target = "read"
                    elif func.attr in LAW_METHODS:
                        target = "law"
                elif func.attr in GROUP_METHODS and (
                    (isinstance(owner, ast.Name) and owner.id in groups) or _is_group_call(owner, contexts)
                ):
                    target = "read"
            if target is not None:
                values = local.values(call.args[0]) if call.args else None
                if values is None:
                    (found.unresolved_reads if target == "read" else found.unresolved_law).append(place(call))
                else:
                    (found.reads if target == "read" else found.law).update(values)
                continue
            # A helper the context is passed to: followed with its literal arguments.
            passed = [i for i, a in enumerate(call.args) if isinstance(a, ast.Name) and a.id in contexts]
            passed_kw = [k.arg for k in call.keywords if isinstance(k.value, ast.Name) and k.value.id in contexts]
            if not passed and not passed_kw:
                continue
            helper = _resolve(func, module_globals)
            helper_node = self._node(helper) if helper is not None else None
            if helper is None or helper_node is None or depth >= _MAX_DEPTH:
                if not _is_local_def(func, node, nodes):
                    found.unresolved_reads.append(
                        f"{where}:{call.lineno}: the context is passed to {ast.unparse(func)}"
                    )
                continue
            self._merge(found, self._follow(helper, helper_node, call, local, contexts, depth))
        return found

    def _follow(
        self,
        helper: Callable[..., Any],
        node: ast.FunctionDef,
        call: ast.Call,
        local: _Locals,
        contexts: set[str],
        depth: int,
    ) -> Inferred:
        params = _params(node)
        bound: dict[str, Values] = {}
        helper_contexts: set[str] = set()
        for param, arg in zip(params, call.args):
            if isinstance(arg, ast.Name) and arg.id in contexts:
                helper_contexts.add(param)
            else:
                bound[param] = local.values(arg)
        for keyword in call.keywords:
            if keyword.arg is None:
                continue
            if isinstance(keyword.value, ast.Name) and keyword.value.id in contexts:
                helper_contexts.add(keyword.arg)
            else:
                bound[keyword.arg] = local.values(keyword.value)
        key: tuple[Any, ...] | None = (
            helper,
            tuple(sorted(helper_contexts)),
            tuple(sorted(bound.items(), key=lambda kv: kv[0])),
        )
        try:
            hash(key)
        except TypeError:
            key = None
        if key is not None and key in self._followed:
            return self._followed[key]
        result = self._walk(helper, node, bound, helper_contexts, depth + 1)
        if key is not None:
            self._followed[key] = result
        return result

    @staticmethod
    def _merge(into: Inferred, other: Inferred) -> None:
        into.reads.update(other.reads)
        into.law.update(other.law)
        into.unresolved_reads.extend(other.unresolved_reads)
        into.unresolved_law.extend(other.unresolved_law)


class InferenceCache:
    """Inferences kept between start-ups, as Python keeps bytecode: parsing every formula's
    source is most of the cost of loading the rules.

    An entry's key is what determines the inference: the formula's compiled code (which holds
    its literal strings and its line numbers) and the values of the module names it uses,
    strings and sequences of strings as they are, functions (helpers it may pass its context
    to) by their own key, followed the same way. A change to any of them is a new key. The file
    is written only when an entry was added, atomically; a cache that cannot be read or written
    is not used."""

    VERSION = 2
    """Changes whenever the inference changes what it finds."""
    MAX_ENTRIES = 4096
    """Past this, a save keeps only the entries of this loading (edits leave old keys behind)."""

    def __init__(self, path: Path | None):
        self.path = path
        self._entries: dict[str, dict[str, list[str]]] = {}
        self._added = False
        self._used: set[str] = set()
        self._keys: dict[Any, str] = {}
        if path is not None:
            try:
                self._entries = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._entries = {}
            if not isinstance(self._entries, dict):
                self._entries = {}

    @classmethod
    def default(cls) -> InferenceCache:
        """The user's cache (``MESAIDES_CACHE_DIR``, else ``$XDG_CACHE_HOME/mesaides`` or
        ``~/.cache/mesaides``); ``MESAIDES_CACHE_DIR=""`` turns it off."""
        return cls(cls.default_path())

    @classmethod
    def default_path(cls) -> Path | None:
        """Where :meth:`default` reads, without reading it (``None``: turned off)."""
        where = os.environ.get("MESAIDES_CACHE_DIR")
        if where == "":
            return None
        if where is None:
            where = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mesaides")
        version = f"{sys.version_info[0]}{sys.version_info[1]}"
        return Path(where) / f"inference-v{cls.VERSION}-py{version}.json"

    def key(self, function: Callable[..., Any]) -> str:
        known = self._keys.get(function)
        if known is not None:
            return known
        self._keys[function] = "(cycle)"  # a helper that reaches itself again
        digest = hashlib.blake2b(digest_size=16)
        code = function.__code__
        digest.update(marshal.dumps(code))
        module_globals = getattr(function, "__globals__", {})
        for name in sorted(_names(code)):
            value = module_globals.get(name)
            if isinstance(value, str):
                digest.update(f"{name}=s:{value}\0".encode())
            elif isinstance(value, (tuple, list, frozenset, set)) and all(isinstance(v, str) for v in value):
                digest.update(
                    f"{name}=t:{sorted(value) if isinstance(value, (set, frozenset)) else list(value)}\0".encode()
                )
            elif inspect.isfunction(value):
                digest.update(f"{name}=f:{self.key(value)}\0".encode())
            elif inspect.ismodule(value):
                for attribute, member in sorted(vars(value).items()):
                    if inspect.isfunction(member) and attribute in _names(code):
                        digest.update(f"{name}.{attribute}=f:{self.key(member)}\0".encode())
        key = self._keys[function] = digest.hexdigest()
        return key

    def get(self, key: str) -> Inferred | None:
        self._used.add(key)
        entry = self._entries.get(key)
        if entry is None:
            return None
        try:
            return Inferred(
                reads=set(entry["reads"]),
                law=set(entry["law"]),
                unresolved_reads=list(entry["unresolved_reads"]),
                unresolved_law=list(entry["unresolved_law"]),
            )
        except (KeyError, TypeError):
            return None

    def put(self, key: str, found: Inferred) -> None:
        self._entries[key] = {
            "reads": sorted(found.reads),
            "law": sorted(found.law),
            "unresolved_reads": list(found.unresolved_reads),
            "unresolved_law": list(found.unresolved_law),
        }
        self._added = True

    def save(self) -> None:
        if self.path is None or not self._added:
            return
        if len(self._entries) > self.MAX_ENTRIES:
            self._entries = {k: v for k, v in self._entries.items() if k in self._used}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.path.parent, delete=False, encoding="utf-8") as out:
                json.dump(self._entries, out)
            os.replace(out.name, self.path)
        except OSError:
            return
        self._added = False


def _names(code: Any) -> set[str]:
    """The global and attribute names a code object and the ones nested in it use."""
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _names(const)
    return names


class _Locals:
    """The literal values of a function's names: its bound parameters, its local assignments
    and loop variables, and its module's constants."""

    def __init__(
        self, node: ast.FunctionDef, nodes: list[ast.AST], bound: dict[str, Values], module_globals: dict[str, Any]
    ):
        self.globals = module_globals
        self.assigned: dict[str, list[ast.expr | None]] = {}
        self.loops: dict[str, list[ast.expr]] = {}
        self.bound = bound
        params = set(_params(node, every=True))
        for sub in nodes:
            if isinstance(sub, ast.Assign):
                for target in sub.targets:
                    self._assign(target, sub.value)
            elif isinstance(sub, (ast.AnnAssign, ast.AugAssign)) and isinstance(sub.target, ast.Name):
                value = sub.value if isinstance(sub, ast.AnnAssign) else None
                self.assigned.setdefault(sub.target.id, []).append(value)
            elif isinstance(sub, (ast.For, ast.comprehension)) and isinstance(sub.target, ast.Name):
                self.loops.setdefault(sub.target.id, []).append(sub.iter)
            elif isinstance(sub, (ast.For, ast.comprehension)):
                for name in ast.walk(sub.target):
                    if isinstance(name, ast.Name):
                        self.assigned.setdefault(name.id, []).append(None)
            elif isinstance(sub, (ast.FunctionDef, ast.Lambda)) and sub is not node:
                for p in _params(sub, every=True):
                    self.assigned.setdefault(p, []).append(None)
        # Parameters not bound by a caller are not literal.
        self.unbound_params = params - set(bound)
        self._busy: set[str] = set()

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.assigned.setdefault(target.id, []).append(value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                for t, v in zip(target.elts, value.elts):
                    self._assign(t, v)
            else:
                for t in target.elts:
                    for name in ast.walk(t):
                        if isinstance(name, ast.Name):
                            self.assigned.setdefault(name.id, []).append(None)

    def name(self, identifier: str) -> Values:
        if identifier in self._busy:
            return None
        self._busy.add(identifier)
        try:
            return self._name(identifier)
        finally:
            self._busy.discard(identifier)

    def _name(self, identifier: str) -> Values:
        if identifier in self.bound and identifier not in self.assigned and identifier not in self.loops:
            return self.bound[identifier]
        if identifier in self.assigned or identifier in self.loops:
            result: set[str] = set()
            for value in self.assigned.get(identifier, ()):
                found = None if value is None else self.values(value)
                if found is None:
                    return None
                result |= found
            for iterable in self.loops.get(identifier, ()):
                found = self.sequence(iterable)
                if found is None:
                    return None
                result |= found
            if identifier in self.bound:
                bound = self.bound[identifier]
                if bound is None:
                    return None
                result |= bound
            return frozenset(result)
        if identifier in self.unbound_params:
            return None
        value = self.globals.get(identifier)
        if isinstance(value, str):
            return frozenset((value,))
        return None

    def sequence(self, node: ast.expr) -> Values:
        """The strings a loop over ``node`` goes through."""
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            result: set[str] = set()
            for element in node.elts:
                found = self.values(element)
                if found is None:
                    return None
                result |= found
            return frozenset(result)
        if isinstance(node, ast.Name) and node.id not in self.assigned and node.id not in self.bound:
            value = self.globals.get(node.id)
            if isinstance(value, (tuple, list, frozenset, set)) and all(isinstance(v, str) for v in value):
                return frozenset(value)
        return None

    def values(self, node: ast.expr) -> Values:
        """The strings ``node`` may be, or None."""
        if isinstance(node, ast.Constant):
            return frozenset((node.value,)) if isinstance(node.value, str) else None
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.JoinedStr):
            parts: list[Iterable[str]] = []
            for part in node.values:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    parts.append((part.value,))
                elif isinstance(part, ast.FormattedValue) and part.format_spec is None and part.conversion in (-1, 115):
                    found = self.values(part.value)
                    if found is None:
                        return None
                    parts.append(sorted(found))
                else:
                    return None
            return _product(parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.values(node.left), self.values(node.right)
            if left is None or right is None:
                return None
            return _product([sorted(left), sorted(right)])
        if isinstance(node, ast.IfExp):
            a, b = self.values(node.body), self.values(node.orelse)
            return None if a is None or b is None else a | b
        return None


def _product(parts: list[Iterable[str]]) -> Values:
    combos = 1
    materialised = [tuple(p) for p in parts]
    for p in materialised:
        combos *= len(p)
    if combos > _MAX_VALUES:
        return None
    return frozenset("".join(c) for c in itertools.product(*materialised))


def _params(node: ast.FunctionDef | ast.Lambda, every: bool = False) -> list[str]:
    args = node.args
    names = [a.arg for a in (*args.posonlyargs, *args.args)]
    if every:
        names += [a.arg for a in args.kwonlyargs]
        names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    return names


def _is_group_call(node: ast.expr, contexts: set[str]) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "group"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in contexts
    )


def _group_views(nodes: list[ast.AST], contexts: set[str]) -> set[str]:
    """Local names bound to ``c.group(...)``."""
    return {
        target.id
        for sub in nodes
        if isinstance(sub, ast.Assign) and _is_group_call(sub.value, contexts)
        for target in sub.targets
        if isinstance(target, ast.Name)
    }


def _is_local_def(func: ast.expr, node: ast.FunctionDef, nodes: list[ast.AST]) -> bool:
    """A function defined inside the formula: its body is walked with the formula's."""
    if not isinstance(func, ast.Name):
        return False
    return any(isinstance(sub, ast.FunctionDef) and sub.name == func.id for sub in nodes if sub is not node)


def _resolve(func: ast.expr, module_globals: dict[str, Any]) -> Callable[..., Any] | None:
    """The plain Python function a call names, through the module's globals."""
    if isinstance(func, ast.Name):
        value = module_globals.get(func.id)
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        value = getattr(module_globals.get(func.value.id), func.attr, None)
    else:
        return None
    return value if inspect.isfunction(value) else None


def _qualname(function: Callable[..., Any]) -> str:
    return f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', repr(function))}"


def complete(quantity: Quantity, index: SourceIndex) -> Quantity:
    """``quantity`` with its ``reads`` and ``law`` completed by what its formulas, its
    ``defined_for`` and its terms (``adds``/``subtracts``) read.

    :raises ValueError: a formula reads a name built at run time and the quantity declares no
        ``reads`` (or ``law``) by hand to cover it.
    """
    found = Inferred()
    for formula in quantity.formulas:
        SourceIndex._merge(found, index.infer(formula.function))
    structural = [n for n in (quantity.defined_for, *quantity.adds, *quantity.subtracts) if n]
    if found.unresolved_reads and not quantity.reads:
        raise ValueError(
            f"{quantity.name}: a formula reads a variable whose name is built at run time "
            f"({found.unresolved_reads[0]}): declare the names it may read in reads=(...)"
        )
    if found.unresolved_law and not quantity.law:
        raise ValueError(
            f"{quantity.name}: a formula reads a legislation value whose path is built at run time "
            f"({found.unresolved_law[0]}): declare the path or its prefix in law=(...)"
        )
    past = set(quantity.reads_past)
    reads = tuple(dict.fromkeys((*quantity.reads, *structural, *sorted(found.reads - past))))
    law = tuple(dict.fromkeys((*quantity.law, *sorted(found.law))))
    if reads == quantity.reads and law == quantity.law:
        return quantity
    return quantity.model_copy(update={"reads": reads, "law": law})
