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
import re
import shutil
import stat
import sys
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from ..errors import ExecutionError, OptionError, SinkError, ValidationError
from .base import Connector, Sink, SinkContext
from .formats import CsvDialect, UnreadableField, check_csv_type, json_converter, json_line

Warn = Callable[[str], None]

CSV_OPTIONS = (
    "csv.field-delimiter",
    "csv.quote-character",
    "csv.disable-quote-character",
    "csv.allow-comments",
    "csv.ignore-parse-errors",
    "csv.null-literal",
    "csv.array-element-delimiter",
    "csv.escape-character",
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
    option_hints = dict.fromkeys(
        (
            "csv.ignore-first-line",
            "format.ignore-first-line",
            "csv.skip-header",
            "csv.header-line",
            "skip.header.line.count",
            "header",
        ),
        "Flink's csv format has no header option; in qsql, 'csv.header' = 'true' skips each file's first "
        "line (a qsql extension)",
    )
    is_source = True
    is_sink = True
    supports_overwrite = True

    def validate(self) -> None:
        fmt = self.options["format"]
        if fmt not in FORMATS:
            raise OptionError(
                f"Could not find any format factory for identifier '{fmt}'",
                self.option_span("format"),
                hint="qsql's filesystem connector reads and writes 'csv' and 'json'",
            )
        other = JSON_OPTIONS if fmt == "csv" else CSV_OPTIONS
        for key in other:
            if key in self.options:
                raise OptionError(f"option '{key}' does not apply to format '{fmt}'", self._items[key].span)
        self.path = Path(self.options["path"])
        if fmt == "csv":
            for column in self.columns:
                problem = check_csv_type(column.name, column.dtype)
                if problem:
                    raise OptionError(problem, self.option_span("format"))
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
                    except UnreadableField as error:
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
                    raw = raw[len(codecs.BOM_UTF8) :]
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
                        raise UnreadableField("a line must hold one JSON object")
                except (json.JSONDecodeError, UnreadableField) as error:
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
                values: list[object] = []
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
                    except UnreadableField as error:
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
    def of(cls, raw: bytes, error: UnicodeDecodeError, line: int) -> _BadEncoding:
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

    def __iter__(self) -> _LineTracker:
        return self

    def __next__(self) -> str:
        while True:
            raw = self._pending.popleft() if self._pending else next(self._handle)
            if self._at_start:
                self._at_start = False
                if raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8) :]
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
    """Where a sink writes: a temporary file that becomes the target on commit.

    The target is what the user pointed at: a symlink is followed (the rows reach the real
    file, the link stays), the mode and owner of a file being replaced are kept, and a target
    that is not a regular file (a device such as /dev/stdout, a FIFO, a socket) is refused
    before anything is written. The temporary file and its directory are fsynced before the
    rename, so a crash leaves the old file or the new one, never a torn one. Temporary files
    carry the writer's process id, so one left by a killed qsql is removed by the next sink
    that opens in the same directory, and a live writer's is left alone.

    A directory-mode INSERT OVERWRITE first records the part files it replaces in a hidden
    manifest, then renames its new part file into place, then deletes the old ones: killed
    before the rename, the old data is intact; killed after it, the next sink opening there
    finishes the deletion. The old data is never gone before the new data is in place.
    """

    def __init__(self, path: Path, fmt: str, overwrite: bool, as_directory: bool = False) -> None:
        self.overwrite = overwrite
        pid = os.getpid()
        directory_mode = as_directory or path.is_dir() or str(path).endswith(("/", os.sep))
        if directory_mode:
            path.mkdir(parents=True, exist_ok=True)
            self.directory: Path | None = path
            self.final = path / f"part-{uuid.uuid4()}.{fmt}"
            self.temp = path / f".{self.final.name}.{pid}.inprogress"
            self.append_to_existing = False
            self.existing: os.stat_result | None = None
        else:
            self.final = _writable_target(path)
            self.final.parent.mkdir(parents=True, exist_ok=True)
            self.directory = None
            self.temp = self.final.parent / f".{self.final.name}.qsql-{pid}-{uuid.uuid4().hex[:12]}.tmp"
            self.existing = _stat_or_none(self.final)
            self.append_to_existing = not overwrite and self.existing is not None and self.existing.st_size > 0
        remove_stale_files(self.temp.parent)

    def open(self) -> IO[str]:
        # Created with the old file's permissions (0666 less umask for a new one) before any
        # row is written, so a 0600 file's rows are never readable by others, not even briefly.
        mode = stat.S_IMODE(self.existing.st_mode) if self.existing is not None else 0o666
        descriptor = os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            if self.existing is not None:
                os.fchmod(descriptor, mode)  # the umask must not narrow a kept mode either
                if (self.existing.st_uid, self.existing.st_gid) != (os.getuid(), os.getgid()):
                    try:
                        os.fchown(descriptor, self.existing.st_uid, self.existing.st_gid)
                    except PermissionError:
                        pass  # only root may give a file away; the mode is still kept
        except BaseException:
            os.close(descriptor)
            raise
        handle = open(descriptor, "w", encoding="utf-8", newline="")
        if self.append_to_existing:
            with open(self.final, encoding="utf-8", newline="") as old:
                shutil.copyfileobj(old, handle)
            if not _ends_with_newline(self.final):
                handle.write("\n")
        return handle

    def commit(self) -> None:
        """Make the written temporary file the target (the handle is flushed and fsynced)."""
        parent = self.temp.parent
        _fsync_directory(parent)
        if self.directory is not None and self.overwrite:
            self._commit_overwrite(self.directory)
            return
        os.replace(self.temp, self.final)
        _fsync_directory(parent)

    def _commit_overwrite(self, directory: Path) -> None:
        old = sorted(
            p.name
            for p in directory.iterdir()
            if p.is_file() and not p.name.startswith((".", "_")) and p.name != self.final.name
        )
        manifest = directory / f".qsql-overwrite-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        with open(manifest, "w", encoding="utf-8") as handle:
            json.dump({"new": self.final.name, "old": old}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        _fsync_directory(directory)
        os.replace(self.temp, self.final)
        _fsync_directory(directory)
        _finish_overwrite(directory, manifest)

    def discard(self) -> None:
        try:
            self.temp.unlink()
        except FileNotFoundError:
            pass


_STALE_TEMP = re.compile(r"^\..+\.qsql-(\d+)-[0-9a-f]+\.tmp$")
_STALE_PART = re.compile(r"^\.part-.+\.(\d+)\.inprogress$")
_STALE_MANIFEST = re.compile(r"^\.qsql-overwrite-(\d+)-[0-9a-f]+$")


def remove_stale_files(directory: Path) -> None:
    """Remove what a killed qsql left in ``directory``: its temporary and in-progress files,
    and finish its half-done directory overwrite. Only files whose writer (the process id in
    the name) is no longer running are touched; a live writer's files are its own business."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in sorted(names):  # manifests ('.qsql-overwrite-') before the parts they name
        for pattern in (_STALE_MANIFEST, _STALE_TEMP, _STALE_PART):
            match = pattern.match(name)
            if match is None or _process_alive(int(match.group(1))):
                continue
            path = directory / name
            try:
                if pattern is _STALE_MANIFEST:
                    _finish_overwrite(directory, path)
                else:
                    path.unlink()
            except (OSError, ValueError):
                pass
            break


def _finish_overwrite(directory: Path, manifest: Path) -> None:
    """Delete the part files an overwrite replaced, once its new part file is in place; a
    manifest whose new file never arrived (killed before the rename) deletes nothing."""
    with open(manifest, encoding="utf-8") as handle:
        plan = json.load(handle)
    if (directory / plan["new"]).exists():
        for name in plan["old"]:
            try:
                (directory / name).unlink()
            except FileNotFoundError:
                pass
    manifest.unlink()
    _fsync_directory(directory)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's live process (or a pid we cannot ask about): leave it
    return True


def _writable_target(path: Path) -> Path:
    """The regular file a single-file sink replaces: symlinks followed (to the link's target,
    even a dangling one), anything else that exists but is not a regular file refused."""
    try:
        info = os.stat(path)  # follows symlinks, so /dev/stdout is seen as the device it is
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise SinkError(f"cannot write {path}: {error.strerror}") from error
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise SinkError(
            f"cannot write {path}: it is {kind}, not a regular file; the filesystem sink replaces a file atomically",
            hint="to see rows on the terminal, use the 'print' connector",
        )
    return Path(os.path.realpath(path)) if path.is_symlink() else path


_FILE_KINDS = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable; a file system that cannot fsync a directory
    (some network and FUSE mounts) is not an error."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


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
            if success:
                self._handle.flush()
                os.fsync(self._handle.fileno())
            self._handle.close()
        except OSError:
            self._target.discard()
            raise
        if success:
            self._target.commit()
        else:
            self._target.discard()
