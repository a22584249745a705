"""Flink's datagen connector, bounded: generated rows for trying a pipeline or a benchmark.

Per field ``fields.<name>.kind`` is ``random`` (default) or ``sequence``. Sequences take
``start`` and ``end``; random numbers ``min`` and ``max``; random strings ``length`` (default
100); random arrays ``length`` elements; random DATE/TIMESTAMP values fall within ``max-past``
(default 0: now); any field may have a ``null-rate``. The row count is 'number-of-rows', or
the shortest sequence. qsql runs bounded statements, so a datagen table with neither is
rejected. 'rows-per-second' is accepted and has no effect (qsql does not throttle).
"""

from __future__ import annotations

import datetime as dt
import random
import string
from collections.abc import Callable, Iterator
from decimal import Decimal

from .. import ast
from .. import types as T
from ..column import Column
from ..durations import parse_duration
from ..errors import OptionError
from ..types import DataType
from .base import Connector

_FIELD_KEYS = ("kind", "start", "end", "min", "max", "length", "var-len", "null-rate", "max-past")
_DEFAULT_STRING_LENGTH = 100


class DatagenConnector(Connector):
    identifier = "datagen"
    optional_options: tuple[str, ...] = ("number-of-rows", "rows-per-second")
    is_source = True

    def __init__(
        self, table: str, columns: list[Column], options: dict[str, str], items: dict[str, ast.OptionItem]
    ) -> None:
        names = {c.name for c in columns}
        # Field options are per column, so the accepted keys depend on the table.
        self.optional_options = DatagenConnector.optional_options + tuple(
            f"fields.{name}.{key}" for name in sorted(names) for key in _FIELD_KEYS
        )
        super().__init__(table, columns, options, items)

    def validate(self) -> None:
        self.rows = self.int_option("number-of-rows", None, minimum=0)
        self.int_option("rows-per-second", None)
        lengths = []
        self.generators: list[Callable[[random.Random, int], object]] = []
        for column in self.columns:
            generator, length = self._generator(column.name, column.dtype)
            self.generators.append(generator)
            if length is not None:
                lengths.append(length)
        if self.rows is None:
            if not lengths:
                raise OptionError(
                    f"datagen table '{self.table}' is unbounded: set 'number-of-rows' or a sequence field "
                    "(qsql runs bounded statements)"
                )
            self.rows = min(lengths)
        elif lengths:
            self.rows = min([self.rows, *lengths])

    def _field(self, name: str, key: str) -> str | None:
        return self.options.get(f"fields.{name}.{key}")

    def _int_field(self, name: str, key: str, default: int | None = None) -> int | None:
        text = self._field(name, key)
        if text is None:
            return default
        try:
            return int(text.strip())
        except ValueError:
            raise OptionError(
                f"option 'fields.{name}.{key}' must be an integer, got '{text}'",
                self.option_span(f"fields.{name}.{key}"),
            ) from None

    def _number(self, name: str, key: str, dtype: DataType, default: T.Number) -> T.Number:
        text = self._field(name, key)
        if text is None:
            return default
        try:
            return (
                Decimal(text)
                if dtype.kind == "DECIMAL"
                else float(text)
                if dtype.kind in ("FLOAT", "DOUBLE")
                else int(text)
            )
        except (ArithmeticError, ValueError):
            raise OptionError(
                f"option 'fields.{name}.{key}' must be a number, got '{text}'", self.option_span(f"fields.{name}.{key}")
            ) from None

    def _generator(self, name: str, dtype: DataType) -> tuple[Callable[[random.Random, int], object], int | None]:
        kind = self._field(name, "kind") or "random"
        rate_text = self._field(name, "null-rate") or "0"
        try:
            null_rate = float(rate_text)
        except ValueError:
            null_rate = -1.0
        if not 0 <= null_rate <= 1:
            raise OptionError(
                f"option 'fields.{name}.null-rate' must be a number between 0 and 1, got '{rate_text}'",
                self.option_span(f"fields.{name}.null-rate"),
            )
        if kind == "sequence":
            if not (dtype.is_integer or dtype.is_character or dtype.kind == "DECIMAL"):
                raise OptionError(f"field '{name}' of type {dtype} cannot be a sequence")
            first, last = self._int_field(name, "start"), self._int_field(name, "end")
            if first is None or last is None:
                raise OptionError(f"sequence field '{name}' needs 'fields.{name}.start' and 'fields.{name}.end'")
            if last < first:
                raise OptionError(f"sequence field '{name}': end {last} is before start {first}")

            def sequence(rng: random.Random, index: int) -> object:
                return T.cast_value(first + index, T.BIGINT, dtype)

            return self._nullable(sequence, null_rate), last - first + 1
        if kind != "random":
            raise OptionError(f"option 'fields.{name}.kind' must be 'random' or 'sequence', got '{kind}'")
        self._check_length_options(name, dtype)
        return self._nullable(self._random(name, dtype), null_rate), None

    def _random(self, name: str, dtype: DataType) -> Callable[[random.Random, int], object]:
        k = dtype.kind
        if dtype.is_integer:
            bits = T.INTEGER_BITS[k]
            # An integer type's bounds parse with int(): int() only tells mypy.
            least = int(self._number(name, "min", dtype, -(1 << (bits - 1))))
            most = int(self._number(name, "max", dtype, (1 << (bits - 1)) - 1))
            return lambda rng, i: rng.randint(least, most)
        if k in ("FLOAT", "DOUBLE", "DECIMAL"):
            low = float(self._number(name, "min", dtype, 0))
            high = float(
                self._number(
                    name,
                    "max",
                    dtype,
                    1 if k != "DECIMAL" else 10 ** ((dtype.precision or 10) - (dtype.scale or 0)) - 1,
                )
            )
            return lambda rng, i: T.cast_value(rng.uniform(low, high), T.DOUBLE, dtype)
        if dtype.is_character:
            # As Flink's RandomGeneratorVisitor: CHAR(n) is n characters, VARCHAR(n) at most 100
            # unless 'length' says otherwise; 'var-len' draws each value's length up to that.
            default = (
                dtype.length if k == "CHAR" else min(dtype.length or _DEFAULT_STRING_LENGTH, _DEFAULT_STRING_LENGTH)
            )
            length = self._int_field(name, "length", default) or 0
            varying = self.bool_option(f"fields.{name}.var-len", False)
            letters = string.ascii_letters + string.digits

            def text(rng: random.Random, i: int) -> object:
                size = rng.randint(1, length) if varying and length > 0 else length
                return T.fit_string("".join(rng.choices(letters, k=size)), dtype)

            return text
        if k == "BOOLEAN":
            return lambda rng, i: rng.random() < 0.5
        if k in ("DATE", "TIMESTAMP"):
            past = parse_duration(self._field(name, "max-past") or "0")
            now = dt.datetime.now().replace(microsecond=0)

            def moment(rng: random.Random, i: int) -> object:
                value = now - dt.timedelta(seconds=rng.uniform(0, past))
                return value.date() if k == "DATE" else T.truncate_timestamp(value, dtype.precision or 0)

            return moment
        if k == "ARRAY":
            assert dtype.element is not None
            size = self._int_field(name, "length", 3) or 0
            element = self._random(name, dtype.element)
            return lambda rng, i: [element(rng, i) for _ in range(size)]
        raise OptionError(f"datagen cannot generate {dtype} (field '{name}')")

    def _check_length_options(self, name: str, dtype: DataType) -> None:
        """Flink's DataGenTableSourceFactory checks: no custom length for CHAR/BINARY, none
        longer than a VARCHAR(n)/VARBINARY(n) holds, 'var-len' only for variable lengths."""
        key = f"fields.{name}.var-len"
        if self.bool_option(key, False) and dtype.kind not in ("VARCHAR", "VARBINARY"):
            raise OptionError(
                "Only supports specifying 'fields.#.var-len' option for variable-length types "
                f"(VARCHAR/STRING/VARBINARY/BYTES). The type of field '{name}' is not within this range.",
                self.option_span(key),
            )
        length = self._int_field(name, "length")
        if length is None:
            return
        if dtype.kind in ("CHAR", "BINARY"):
            raise OptionError(
                f"Custom length for fixed-length type (CHAR/BINARY) field '{name}' is not supported.",
                self.option_span(f"fields.{name}.length"),
            )
        if dtype.kind in ("VARCHAR", "VARBINARY") and dtype.length is not None and length > dtype.length:
            raise OptionError(
                f"Custom length '{length}' for variable-length type (VARCHAR/STRING/VARBINARY/BYTES) field "
                f"'{name}' should be shorter than '{dtype.length}' defined in the schema.",
                self.option_span(f"fields.{name}.length"),
            )

    @staticmethod
    def _nullable(
        generator: Callable[[random.Random, int], object], null_rate: float
    ) -> Callable[[random.Random, int], object]:
        if not null_rate:
            return generator
        return lambda rng, i: None if rng.random() < null_rate else generator(rng, i)

    def known_row_count(self) -> int | None:
        return self.rows

    def open_source(self, warn: Callable[[str], None]) -> Iterator[tuple]:
        rng = random.Random()
        generators = self.generators
        for index in range(self.rows or 0):
            yield tuple(generate(rng, index) for generate in generators)
