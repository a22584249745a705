"""Dataclasses whose methods are compiled when first used, for a fast start.

``@dataclass`` compiles its ``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` (and, when
frozen, ``__setattr__``/``__delattr__``) with one ``exec`` each, as the class is defined: for
the syntax tree's seventy-odd classes that was about 0.09 s of CPU at every start, most of it
for classes a given statement never builds. :func:`lazy_dataclass` lets ``dataclasses`` do the
field bookkeeping only (``init=False, repr=False, eq=False``: no code is generated) and puts
stubs in place of the methods that compile the real ones — the same code ``dataclasses``
writes — the first time they are called, then replace themselves on the class.

The result is a dataclass for every purpose the code relies on: ``dataclasses.fields``,
``replace``, ``is_dataclass``, ``__match_args__``, keyword-only fields, defaults and default
factories, ``__post_init__``, equality and hashing over the compared fields, and (``frozen``)
``FrozenInstanceError`` on assignment. ``__dataclass_params__`` says ``frozen=False,
eq=False``: nothing reads it here, and ``@dataclass`` subclasses of these classes are not used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T", bound=type)

_METHODS = ("__init__", "__repr__", "__eq__", "__hash__")


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def lazy_dataclass(cls: T | None = None, *, frozen: bool = False, eq: bool = True) -> Any:
    """``@dataclass`` (``frozen``, ``eq`` as there), with the methods compiled on first use."""

    def wrap(klass: T) -> T:
        own = set(vars(klass))
        explicit_hash = "__hash__" in own and not (klass.__dict__["__hash__"] is None and "__eq__" in own)
        dataclasses.dataclass(klass, init=False, repr=False, eq=False)  # the class itself, in place (no slots)
        for name in _METHODS:
            if not eq and name in ("__eq__", "__hash__"):
                continue  # identity, as dataclasses leaves it with eq=False
            if name in own and not (name == "__hash__" and not explicit_hash):
                continue  # written in the class body: kept, as dataclasses keeps it
            if name == "__hash__" and not frozen:
                type.__setattr__(klass, "__hash__", None)  # eq without frozen: unhashable, as dataclasses makes it
                continue
            type.__setattr__(klass, name, _stub(klass, name, frozen))
        if frozen:
            klass.__setattr__ = _frozen_setattr  # type: ignore[assignment]
            klass.__delattr__ = _frozen_delattr  # type: ignore[assignment]
        return klass

    return wrap if cls is None else wrap(cls)


def _frozen_setattr(self: object, name: str, value: object) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: object, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _stub(cls: type, name: str, frozen: bool) -> Callable[..., Any]:
    def stub(self: Any, *args: Any, **kwargs: Any) -> Any:
        method = _build(cls, name, frozen)
        type.__setattr__(cls, name, method)
        return method(self, *args, **kwargs)

    stub.__name__ = name
    stub.__qualname__ = f"{cls.__qualname__}.{name}"
    return stub


def _build(cls: type, name: str, frozen: bool) -> Callable[..., Any]:
    fields = dataclasses.fields(cls)
    names: dict[str, Any] = {"MISSING": dataclasses.MISSING, "cls": cls}
    if name == "__init__":
        source = _init_source(cls, fields, frozen, names)
    elif name == "__repr__":
        shown = ", ".join(f"{f.name}={{self.{f.name}!r}}" for f in fields if f.repr)
        source = f"def __repr__(self):\n    return f'{{self.__class__.__qualname__}}({shown})'\n"
    elif name == "__eq__":
        compared = [f.name for f in fields if f.compare]
        mine = "".join(f"self.{n}," for n in compared)
        theirs = "".join(f"other.{n}," for n in compared)
        source = (
            "def __eq__(self, other):\n"
            "    if other.__class__ is self.__class__:\n"
            f"        return ({mine}) == ({theirs})\n"
            "    return NotImplemented\n"
        )
    else:
        hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
        source = f"def __hash__(self):\n    return hash(({''.join(f'self.{n},' for n in hashed)}))\n"
    exec(source, names)  # the same one-function exec dataclasses does, once per class and method used
    method = names[name]
    method.__qualname__ = f"{cls.__qualname__}.{name}"
    return method


def _init_source(cls: type, fields: tuple[dataclasses.Field, ...], frozen: bool, names: dict[str, Any]) -> str:
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for f in fields:
        if not f.init:
            continue
        if f.default is not dataclasses.MISSING:
            names[f"_default_{f.name}"] = f.default
            parameter = f"{f.name}=_default_{f.name}"
            value = f.name
        elif f.default_factory is not dataclasses.MISSING:
            names[f"_factory_{f.name}"] = f.default_factory
            parameter = f"{f.name}=MISSING"
            value = f"_factory_{f.name}() if {f.name} is MISSING else {f.name}"
        else:
            parameter = f.name
            value = f.name
        (keyword if f.kw_only else positional).append(parameter)
        assign = f"object.__setattr__(self, {f.name!r}, {value})" if frozen else f"self.{f.name} = {value}"
        body.append(f"    {assign}")
    for f in fields:
        if not f.init and f.default_factory is not dataclasses.MISSING:
            names[f"_factory_{f.name}"] = f.default_factory
            value = f"_factory_{f.name}()"
            body.append(
                f"    object.__setattr__(self, {f.name!r}, {value})" if frozen else f"    self.{f.name} = {value}"
            )
        elif not f.init and f.default is not dataclasses.MISSING:
            names[f"_default_{f.name}"] = f.default
            value = f"_default_{f.name}"
            body.append(
                f"    object.__setattr__(self, {f.name!r}, {value})" if frozen else f"    self.{f.name} = {value}"
            )
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    parameters = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    return f"def __init__({parameters}):\n" + ("\n".join(body) or "    pass") + "\n"
