"""Flink's filesystem connector with the csv and json formats: a source and an atomic sink.

Paths. As a source, 'path' is a file or a directory (every visible file in it, recursively,
in name order; names starting with '.' or '_' are skipped, as Flink does). As a sink, a
directory (an existing one, or a path ending in '/') gets a new part file per INSERT, as in
Flink; any other path is written as that one file (a qsql extension: Flink always writes a
directory of part files).

Atomicity. Rows go to a hidden temporary file beside the target, which replaces the target
only when the statement succeeds; a failed or interrupted INSERT leaves the old file (or no
file) as it was and removes the temporary. INSERT INTO appends (to a copy of the file, or as a
new part file); INSERT OVERWRITE replaces the file (or every part file of the directory).
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import sys
import shutil
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from ..errors import ExecutionError, OptionError, SinkError, ValidationError
from .base import Connector, Sink, SinkContext
from .formats import CsvDialect, ValueError_, json_converter, json_line

Warn = Callable[[str], None]

CSV_OPTIONS = (
    "csv.field-delimiter", "csv.quote-character", "csv.disable-quote-character", "csv.allow-comments",
    "csv.ignore-parse-errors", "csv.null-literal", "csv.array-element-delimiter", "csv.escape-character",
    "csv.header",
)
JSON_OPTIONS = ("json.ignore-parse-errors", "json.fail-on-missing-field")
FORMATS = ("csv", "json")

# csv refuses fields over 131,072 characters by default, so qsql could not read back a file it
# wrote. The limit is the csv module's (process-wide); a field is bounded by its file anyway.
csv.field_size_limit(sys.maxsize)


class DataError(ExecutionError):
    """A value in a data file that does not fit its column."""


class FilesystemConnector(Connector):
    identifier = "filesystem"
    required_options = ("path", "format")
    optional_options = CSV_OPTIONS + JSON_OPTIONS + ("sink.parallelism",)
    is_source = True
    is_sink = True
    supports_overwrite = True

    def validate(self) -> None:
        fmt = self.options["format"]
        if fmt not in FORMATS:
            raise OptionError(
                f"Could not find any format factory for identifier '{fmt}'", self.option_span("format"),
                hint="qsql's filesystem connector reads and writes 'csv' and 'json'",
            )
        other = JSON_OPTIONS if fmt == "csv" else CSV_OPTIONS
        for key in other:
            if key in self.options:
                raise OptionError(f"option '{key}' does not apply to format '{fmt}'", self._items[key].span)
        self.path = Path(self.options["path"])
        if fmt == "csv":
            self.dialect = self._csv_dialect()
            self.header = self.bool_option("csv.header", False)
            self.ignore_errors = self.bool_option("csv.ignore-parse-errors", False)
            self.allow_comments = self.bool_option("csv.allow-comments", False)
        else:
            self.ignore_errors = self.bool_option("json.ignore-parse-errors", False)
            self.fail_on_missing = self.bool_option("json.fail-on-missing-field", False)
            if self.ignore_errors and self.fail_on_missing:
                raise OptionError(
                    "'json.fail-on-missing-field' and 'json.ignore-parse-errors' cannot both be true",
                    self.option_span("json.fail-on-missing-field"),
                )
        self.int_option("sink.parallelism", None)

    def _single_char(self, key: str, default: str) -> str:
        value = self.options.get(key, default)
        value = {"\\t": "\t"}.get(value, value)
        if len(value) != 1:
            raise OptionError(f"option '{key}' must be a single character, got '{value}'", self.option_span(key))
        return value

    def _csv_dialect(self) -> CsvDialect:
        delimiter = self._single_char("csv.field-delimiter", ",")
        quote: str | None = self._single_char("csv.quote-character", '"')
        if self.bool_option("csv.disable-quote-character", False):
            quote = None
        escape = self.options.get("csv.escape-character")
        if escape is not None:
            self._single_char("csv.escape-character", escape)
        self.escape = escape
        return CsvDialect(
            delimiter=delimiter,
            quote=quote,
            null_literal=self.options.get("csv.null-literal"),
            array_delimiter=self.options.get("csv.array-element-delimiter", ";"),
        )

    # -------------------------------------------------------------- source
    def check_source(self) -> None:
        if not self.path.exists():
            raise ValidationError(f"path '{self.path}' of table '{self.table}' does not exist")

    def files(self) -> list[Path]:
        if self.path.is_file():
            return [self.path]
        found: list[Path] = []
        for root, dirs, names in os.walk(self.path):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
            found.extend(Path(root) / n for n in sorted(names) if not n.startswith((".", "_")))
        return found

    def known_row_count(self) -> int | None:
        """Lines in the files (less a csv header each): exact for json lines and for csv without
        line breaks inside quoted fields; an estimate otherwise. None above 256 MiB (too slow)."""
        try:
            files = self.files()
            if sum(f.stat().st_size for f in files) > 256 << 20:
                return None
            count = 0
            for file in files:
                with open(file, "rb") as handle:
                    data = handle.read()
                lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
                if self.options["format"] == "csv" and self.header and lines:
                    lines -= 1
                count += lines
            return count
        except OSError:
            return None

    def open_source(self, warn: Warn) -> Iterator[tuple]:
        self.check_source()
        counts = {"lines": 0, "fields": 0}
        read = self._read_csv if self.options["format"] == "csv" else self._read_json
        for file in self.files():
            yield from read(file, counts)
        if counts["lines"] or counts["fields"]:
            warn(
                f"table '{self.table}': skipped {counts['lines']} malformed line(s) and set {counts['fields']} "
                f"unparsable field(s) to NULL ({self.options['format']}.ignore-parse-errors)"
            )

    def _read_csv(self, file: Path, counts: dict[str, int]) -> Iterator[tuple]:
        """Rows of one csv file. Under 'csv.ignore-parse-errors' a bad record costs only its
        first physical line: the lines after it are read again, so a stray quote cannot
        swallow the rows that follow it, and every skipped line is counted."""
        dialect = self.dialect
        parsers = [dialect.parser(c.dtype) for c in self.columns]
        names = [c.name for c in self.columns]
        width = len(parsers)
        with open(file, "rb") as handle:
            lines = _LineTracker(handle, skip_comments=self.allow_comments)
            reader = csv.reader(
                lines,
                delimiter=dialect.delimiter,
                quotechar=dialect.quote or '"',
                quoting=csv.QUOTE_NONE if dialect.quote is None else csv.QUOTE_MINIMAL,
                escapechar=self.escape,
                doublequote=True,
                strict=True,
            )
            first = True
            while True:
                lines.start_record()
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except _BadEncoding as bad:
                    if self.ignore_errors:
                        counts["lines"] += lines.resync()
                        continue
                    raise DataError(f"{file}:{bad.line}:{bad.column}: {bad.reason}") from None
                except csv.Error as error:
                    if self.ignore_errors:
                        counts["lines"] += lines.resync()
                        continue
                    raise DataError(f"{file}:{lines.record_start}:1: malformed csv: {error}") from None
                if first and self.header:
                    first = False
                    continue
                first = False
                if not fields:
                    continue  # a blank line
                if len(fields) != width:
                    if self.ignore_errors:
                        counts["lines"] += lines.resync()
                        continue
                    raise DataError(
                        f"{file}:{lines.record_start}:1: expected {width} fields ({', '.join(names)}), "
                        f"found {len(fields)}"
                    )
                values = []
                nulled = 0
                for index, (parse, text) in enumerate(zip(parsers, fields)):
                    try:
                        values.append(parse(text))
                    except ValueError_ as error:
                        if self.ignore_errors:
                            nulled += 1
                            values.append(None)
                            continue
                        line, column = lines.field_position(index, dialect)
                        raise DataError(f"{file}:{line}:{column}: column '{names[index]}': {error}") from None
                if nulled and lines.record_lines > 1:
                    # A record over several lines with fields that do not parse is most likely
                    # a stray quote that joined lines: skip its first line, read the rest again.
                    counts["lines"] += lines.resync()
                    continue
                counts["fields"] += nulled
                yield tuple(values)

    def _read_json(self, file: Path, counts: dict[str, int]) -> Iterator[tuple]:
        converters = [json_converter(c.dtype) for c in self.columns]
        names = [c.name for c in self.columns]
        with open(file, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8):]
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    if self.ignore_errors:
                        counts["lines"] += 1
                        continue
                    bad = _BadEncoding.of(raw, error, number)
                    raise DataError(f"{file}:{bad.line}:{bad.column}: {bad.reason}") from None
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    if not isinstance(record, dict):
                        raise ValueError_("a line must hold one JSON object")
                except (json.JSONDecodeError, ValueError_) as error:
                    if self.ignore_errors:
                        counts["lines"] += 1
                        continue
                    column = error.colno if isinstance(error, json.JSONDecodeError) else 1
                    reason = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
                    raise DataError(f"{file}:{number}:{column}: malformed JSON: {reason}") from None
                except RecursionError:
                    # json's C decoder nests by recursion: a line of 100,000 '[' is malformed input.
                    if self.ignore_errors:
                        counts["lines"] += 1
                        continue
                    raise DataError(f"{file}:{number}:1: malformed JSON: nested too deeply") from None
                values = []
                for name, convert in zip(names, converters):
                    if name not in record:
                        if self.fail_on_missing:
                            raise DataError(f"{file}:{number}:1: missing field '{name}'")
                        values.append(None)
                        continue
                    raw_value = record[name]
                    if raw_value is None:
                        values.append(None)
                        continue
                    try:
                        values.append(convert(raw_value))
                    except ValueError_ as error:
                        if self.ignore_errors:
                            counts["fields"] += 1
                            values.append(None)
                            continue
                        column = line.find(json.dumps(name, ensure_ascii=False)) + 1 or 1
                        raise DataError(f"{file}:{number}:{column}: column '{name}': {error}") from None
                yield tuple(values)

    # -------------------------------------------------------------- sink
    def open_sink(self, context: SinkContext, overwrite: bool) -> Sink:
        types = [c.dtype for c in self.columns]
        names = [c.name for c in self.columns]
        fmt = self.options["format"]
        if fmt == "csv":
            dialect = self.dialect
            encode: Callable[[tuple], str] = lambda row: dialect.line(row, types)  # noqa: E731
            header = dialect.delimiter.join(dialect.quoted(n) for n in names) + "\n" if self.header else None
        else:
            encode = lambda row: json_line(row, names, types)  # noqa: E731
            header = None
        # Path() drops a trailing '/', so whether the user asked for a directory is read from the option.
        as_directory = self.options["path"].endswith(("/", os.sep))
        return FileSink(AtomicTarget(self.path, fmt, overwrite, as_directory), encode, header)


class _BadEncoding(Exception):
    """A line of a data file that is not UTF-8, with where the first bad byte is."""

    def __init__(self, line: int, column: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.column, self.reason = line, column, reason

    @classmethod
    def of(cls, raw: bytes, error: UnicodeDecodeError, line: int) -> "_BadEncoding":
        column = len(raw[: error.start].decode("utf-8", "replace")) + 1
        return cls(line, column, f"invalid UTF-8 (byte 0x{raw[error.start]:02x}: {error.reason})")


class _LineTracker:
    """The file's lines for csv.reader, decoded one at a time (so a bad byte has a line and a
    column), remembering the raw lines of the current record: an error can then name where
    its bad field starts, and :meth:`resync` can drop just its first line and hand the others
    to the reader again. A UTF-8 byte order mark at the start of the file is dropped."""

    def __init__(self, handle: IO[bytes], skip_comments: bool) -> None:
        self._handle = handle
        self._skip_comments = skip_comments
        self._pending: deque[bytes] = deque()
        self._at_start = True
        self.line_number = 0
        self.record_start = 1
        self._record: list[bytes] = []

    def __iter__(self) -> "_LineTracker":
        return self

    def __next__(self) -> str:
        while True:
            raw = self._pending.popleft() if self._pending else next(self._handle)
            if self._at_start:
                self._at_start = False
                if raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8):]
            self.line_number += 1
            self._record.append(raw)
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise _BadEncoding.of(raw, error, self.line_number) from None
            if self._skip_comments and len(self._record) == 1 and line.startswith("#"):
                self._record.clear()
                self.record_start = self.line_number + 1
                continue
            return line

    @property
    def record_lines(self) -> int:
        return len(self._record)

    def start_record(self) -> None:
        self._record = []
        self.record_start = self.line_number + 1

    def resync(self) -> int:
        """Skip the current record's first physical line and read the rest again; returns
        how many lines were skipped (1)."""
        rest = self._record[1:]
        self._pending.extendleft(reversed(rest))
        self.line_number -= len(rest)
        self._record = self._record[:1]
        return 1

    def field_position(self, index: int, dialect: CsvDialect) -> tuple[int, int]:
        """(line, column) where field ``index`` of the current record starts."""
        text = b"".join(self._record).decode("utf-8", "replace")
        field, position, quoted = 0, 0, False
        while position < len(text) and field < index:
            char = text[position]
            if dialect.quote is not None and char == dialect.quote:
                quoted = not quoted
            elif char == dialect.delimiter and not quoted:
                field += 1
            position += 1
        line = self.record_start + text.count("\n", 0, position)
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        return line, column


class AtomicTarget:
    """Where a sink writes: a temporary file that becomes the target on commit."""

    def __init__(self, path: Path, fmt: str, overwrite: bool, as_directory: bool = False) -> None:
        self.overwrite = overwrite
        directory_mode = as_directory or path.is_dir()
        if directory_mode:
            path.mkdir(parents=True, exist_ok=True)
            self.directory: Path | None = path
            self.final = path / f"part-{uuid.uuid4()}.{fmt}"
            self.temp = path / f".{self.final.name}.inprogress"
            self.append_to_existing = False
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.directory = None
            self.final = path
            self.temp = path.parent / f".{path.name}.qsql-{uuid.uuid4().hex[:12]}.tmp"
            self.append_to_existing = not overwrite and path.exists() and path.stat().st_size > 0

    def open(self) -> IO[str]:
        if self.append_to_existing:
            shutil.copyfile(self.final, self.temp)
            handle = open(self.temp, "a", encoding="utf-8", newline="")
            if not _ends_with_newline(self.final):
                handle.write("\n")
            return handle
        return open(self.temp, "w", encoding="utf-8", newline="")

    def commit(self) -> None:
        if self.directory is not None and self.overwrite:
            for old in self.directory.iterdir():
                if old.is_file() and not old.name.startswith((".", "_")):
                    old.unlink()
        os.replace(self.temp, self.final)

    def discard(self) -> None:
        try:
            self.temp.unlink()
        except FileNotFoundError:
            pass


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


class FileSink(Sink):
    def __init__(self, target: AtomicTarget, encode: Callable[[tuple], str], header: str | None) -> None:
        self._target = target
        self._encode = encode
        try:
            self._handle = target.open()
        except OSError as error:
            target.discard()
            raise SinkError(f"cannot write {target.final}: {error.strerror}") from error
        if header is not None and not target.append_to_existing:
            self._handle.write(header)

    def write(self, row: tuple) -> None:
        self._handle.write(self._encode(row))

    def close(self, success: bool) -> None:
        try:
            self._handle.close()
        except OSError:
            self._target.discard()
            raise
        if success:
            self._target.commit()
        else:
            self._target.discard()
