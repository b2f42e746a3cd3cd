from mesaides.core import FAMILLE, MONTH, Parameter, quantity
from mesaides.core.graph import DependencyGraph


def q(name, reads=(), reads_past=(), law=()):
    def f(c):
        return 0

    f.__name__ = name
    return quantity(FAMILLE, MONTH, label=name, reads=reads, reads_past=reads_past, law=law)(f)


def graph(*defs, law=()):
    return DependencyGraph.build({d.name: d for d in defs}, known_law=law)


def test_order_follows_dependencies():
    p = Parameter(name="loyer", entity="menage", period=MONTH, label="Loyer")
    g = graph(q("c", reads=("b",)), q("b", reads=("a", "loyer")), q("a"), p)
    order = list(g.order)
    assert order.index("a") < order.index("b") < order.index("c")
    assert g.upstream("c") == {"a", "b", "loyer"}
    assert g.downstream("a") == {"b", "c"}
    assert not g.problems


def test_cycle_is_reported_with_its_members_and_dependents_are_unavailable():
    g = graph(q("a", reads=("b",)), q("b", reads=("a",)), q("c", reads=("a",)), q("d"))
    assert any("dependency cycle: a -> b -> a" in p.message for p in g.problems)
    assert set(g.unavailable) == {"a", "b", "c"}
    assert "d" in g.order


def test_a_loop_back_in_time_is_not_a_cycle():
    g = graph(q("rsa", reads=("al",)), q("al", reads_past=("rsa",)))
    assert not g.problems
    assert g.downstream("rsa") == {"al"}


def test_missing_dependency_names_the_culprits():
    g = graph(q("a", reads=("nowhere",)), q("b", reads=("a",)))
    assert g.problems[0].message == "a: reads nowhere, which no installed distribution provides"
    assert g.unavailable["b"] == "depends on a, which reads nowhere, which no installed distribution provides"


def test_unknown_legislation_value():
    g = graph(q("a", law=("rsa.montant",)), law=("rsa.autre",))
    assert "reads legislation value rsa.montant" in g.unavailable["a"]
    assert not graph(q("a", law=("rsa",)), law=("rsa.montant",)).problems
