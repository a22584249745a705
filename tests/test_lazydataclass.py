"""lazy_dataclass behaves as @dataclass for everything the code relies on (the AST uses it)."""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field

import pytest

from qsql import ast
from qsql.lazydataclass import lazy_dataclass


def _family(decorate):
    @decorate
    class Base:
        span: int = field(kw_only=True, compare=False, repr=False)

    @decorate
    class Child(Base):
        """Documented."""

        name: str
        parts: tuple = ()
        tags: list = field(default_factory=list, compare=False)

    @decorate
    class Grandchild(Child):
        extra: int = 7

        def __str__(self) -> str:
            return f"<{self.name}>"

    return Base, Child, Grandchild


@pytest.mark.parametrize("frozen", [True, False])
def test_lazy_dataclass_matches_dataclass(frozen: bool) -> None:
    real = _family(dataclass(frozen=frozen))
    lazy = _family(lazy_dataclass(frozen=frozen))
    for r, z in zip(real, lazy):
        assert [(f.name, f.default, f.kw_only, f.compare) for f in dataclasses.fields(r)] == [
            (f.name, f.default, f.kw_only, f.compare) for f in dataclasses.fields(z)
        ]
        assert dataclasses.is_dataclass(z)
        assert z.__match_args__ == r.__match_args__
    r, z = real[2], lazy[2]
    a_real, a_lazy = r("n", (1,), span=3), z("n", (1,), span=3)

    # signature, repr (span hidden), str kept, defaults and factories
    def shape(function):
        return [(p.name, p.kind, p.default is p.empty) for p in inspect.signature(function).parameters.values()]

    assert shape(z.__init__) == shape(r.__init__)
    assert repr(a_lazy).split("(", 1)[1] == repr(a_real).split("(", 1)[1]
    assert str(a_lazy) == "<n>" and a_lazy.extra == 7 and a_lazy.tags == [] and a_lazy.tags is not z("m", span=0).tags
    # equality ignores compare=False fields (span, tags), and other classes
    assert z("n", (1,), span=99, tags=[1]) == a_lazy
    assert z("n", (2,), span=3) != a_lazy
    assert lazy[1]("n", (1,), span=3) != a_lazy
    assert dataclasses.replace(a_lazy, name="m") == z("m", (1,), span=3)
    assert dataclasses.replace(a_lazy, name="m").span == 3
    if frozen:
        assert hash(a_lazy) == hash(z("n", (1,), span=5)) and {a_lazy, z("n", (1,), span=4)} == {a_lazy}
        with pytest.raises(dataclasses.FrozenInstanceError):
            a_lazy.name = "x"  # type: ignore[misc]
        with pytest.raises(dataclasses.FrozenInstanceError):
            del a_lazy.name  # type: ignore[misc]
    else:
        assert z.__hash__ is None and r.__hash__ is None
        a_lazy.name = "x"
        assert a_lazy.name == "x"
    with pytest.raises(TypeError):
        z("n", span=1, unknown=2)
    with pytest.raises(TypeError):
        z(span=1)  # a required field missing


def test_post_init_runs() -> None:
    @lazy_dataclass(frozen=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    assert Checked(1).value == 1
    with pytest.raises(ValueError):
        Checked(-1)


def test_every_ast_class_is_a_frozen_dataclass_with_the_same_constructor() -> None:
    """Each AST class's generated __init__ takes its fields in dataclasses' order (keyword-only
    span last), and equality/hash/repr work on an instance built from that signature."""
    classes = [
        c
        for c in vars(ast).values()
        if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == ast.__name__
    ]
    assert len(classes) > 60
    for cls in classes:
        fields = [f for f in dataclasses.fields(cls) if f.init]
        expected = ["self"] + [f.name for f in fields if not f.kw_only] + [f.name for f in fields if f.kw_only]
        instance = cls(**{f.name: None for f in fields})  # builds the constructor on first use
        names = list(inspect.signature(cls.__init__).parameters)
        assert names == expected, cls
        assert instance == cls(**{f.name: None for f in fields})
        assert repr(instance).startswith(cls.__qualname__ + "(")
        hash(instance)
        with pytest.raises(dataclasses.FrozenInstanceError):
            instance.span = None  # type: ignore[misc]


def test_eq_false_keeps_identity() -> None:
    @lazy_dataclass(frozen=True, eq=False)
    class Step:
        name: str

    a, b = Step("x"), Step("x")
    assert a != b and a == a and len({a, b}) == 2 and repr(a) == "test_eq_false_keeps_identity.<locals>.Step(name='x')"
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.name = "y"  # type: ignore[misc]
