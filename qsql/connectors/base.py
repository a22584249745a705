"""What a connector is: validated options, and a source and/or a sink for a table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, ClassVar

from .. import ast
from ..column import Column
from ..errors import OptionError, ValidationError
from ..lazydataclass import lazy_dataclass
from ..source import Span
from ..suggest import did_you_mean


@lazy_dataclass
class SinkContext:
    """Where a sink may write: the session's standard streams."""

    out: IO[str]
    err: IO[str]


class Sink:
    """Receives coerced rows; ``close(success)`` commits (or discards) what was written."""

    def write(self, row: tuple) -> None:
        raise NotImplementedError

    def close(self, success: bool) -> None:
        pass


class Connector:
    """A connector bound to one table's options. Subclasses list their option keys; the base
    class rejects unknown ones with a did-you-mean, as Flink's factories do."""

    identifier: ClassVar[str]
    required_options: ClassVar[tuple[str, ...]] = ()
    # A class attribute; a connector whose keys depend on the table (datagen) widens it per instance.
    optional_options: tuple[str, ...] = ()
    # Keys people bring from elsewhere (legacy Flink descriptors, other tools), and what to write.
    option_hints: ClassVar[dict[str, str]] = {}
    is_source: ClassVar[bool] = False
    is_sink: ClassVar[bool] = False
    supports_overwrite: ClassVar[bool] = False

    def __init__(self, table: str, columns: list[Column], options: dict[str, str], items: dict[str, ast.OptionItem]):
        self.table = table
        self.columns = columns
        self.options = options
        self._items = items
        self._check_keys()
        self.validate()

    # -------------------------------------------------------------- options
    def _check_keys(self) -> None:
        supported = ("connector", *self.required_options, *self.optional_options)
        for key, item in self._items.items():
            if key not in supported:
                hint = (
                    self.option_hints.get(key)
                    or did_you_mean(key, supported)
                    or "supported options: " + ", ".join(sorted(supported))
                )
                raise OptionError(f"Unsupported option '{key}' for connector '{self.identifier}'", item.span, hint=hint)
        for key in self.required_options:
            if key not in self.options:
                raise OptionError(f"connector '{self.identifier}' requires option '{key}'")

    def option_span(self, key: str) -> Span | None:
        item = self._items.get(key)
        return item.value_span if item else None

    def bool_option(self, key: str, default: bool) -> bool:
        value = self.options.get(key)
        if value is None:
            return default
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise OptionError(f"option '{key}' must be 'true' or 'false', got '{value}'", self.option_span(key))

    def int_option(self, key: str, default: int | None, minimum: int = 1) -> int | None:
        value = self.options.get(key)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            number = minimum - 1
        if number < minimum:
            raise OptionError(f"option '{key}' must be an integer >= {minimum}, got '{value}'", self.option_span(key))
        return number

    def validate(self) -> None:
        """Check option values; called once, at CREATE TABLE."""

    # -------------------------------------------------------------- I/O
    def check_source(self) -> None:
        """Raise Flink's message when the table cannot be read (checked at plan time)."""
        if not self.is_source:
            raise ValidationError(
                f"Connector '{self.identifier}' can only be used as a sink. It cannot be used as a source."
            )

    def check_sink(self, overwrite: bool) -> None:
        if not self.is_sink:
            raise ValidationError(
                f"Connector '{self.identifier}' can only be used as a source. It cannot be used as a sink."
            )
        if overwrite and not self.supports_overwrite:
            raise ValidationError(f"INSERT OVERWRITE is not supported by connector '{self.identifier}'")

    def known_row_count(self) -> int | None:
        """How many rows the source holds, when it can tell cheaply (for progress); else None."""
        return None

    def open_source(self, warn: Callable[[str], None]) -> Iterator[tuple]:
        """Rows, lazily; ``warn`` reports what was skipped (bad rows under ignore-parse-errors)."""
        raise NotImplementedError

    def open_sink(self, context: SinkContext, overwrite: bool) -> Sink:
        raise NotImplementedError
