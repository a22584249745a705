"""``qsql run --engine flink``: run a translated script on Apache Flink through PyFlink.

PyFlink (the ``flink`` extra, ``apache-flink==2.3.0``, Java 11/17) is imported here only, and only
when a script runs on Flink, so qsql without the extra never loads it.

Runs in batch mode with parallelism 1 by default: a qsql script is bounded, batch mode prints an
aggregate once (``+I``) as qsql does, and one task keeps rows in qsql's order without Flink's
``task>`` prefix. Without ``address`` the job runs on a local mini-cluster inside the JVM that
PyFlink starts; with it, on a remote cluster over its REST endpoint.

The JVM's System.out/System.err (where ``TableResult.print()`` and, on a local cluster, the
print connector write) are redirected to files this process tails, so those lines reach Python's
own stdout in order with everything else qsql prints (and can be captured in-process).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import QsqlError, UsageError
from ..secrets import MASK
from ..settings import MAX_COLUMN_WIDTH, TABLE_MAX_COLUMN_WIDTH, max_column_width
from ..source import Source
from .translate import FlinkStatement, Translation

INSTALL_HINT = "install the extra: pip install 'qsql[flink]' (or pip install -e '.[flink]'); it needs Java 11 or 17"


class FlinkError(QsqlError):
    """A statement failed on Flink; the message is Flink's root cause."""

    def __init__(self, message: str, *, java_trace: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.java_trace = java_trace


@dataclass
class EngineOptions:
    address: str | None = None  # HOST:PORT of a remote cluster's REST endpoint
    jars: list[str] = field(default_factory=list)
    parallelism: int = 1
    quiet: bool = False
    debug: bool = False


def load_pyflink() -> Any:
    """Import PyFlink, or say in one line how to get it."""
    try:
        import pyflink  # noqa: F401
        from pyflink import table
    except ImportError as error:
        raise UsageError(f"--engine flink needs PyFlink, which is not installed: {INSTALL_HINT}") from error
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise UsageError("--engine flink needs Java 11 or 17 (no 'java' on PATH and JAVA_HOME is unset)")
    return table


def parse_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--flink-address must be HOST:PORT (the cluster's REST address), got '{address}'")
    return host, int(port)


class FlinkRunner:
    """One TableEnvironment (one catalog) for the scripts of one ``qsql run``."""

    def __init__(self, options: EngineOptions, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> None:
        self.options = options
        self._secrets: set[str] = set()  # the API keys in the jobs' model options (never printed)
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        for jar in options.jars:
            if not Path(jar).is_file():
                raise UsageError(f"--flink-jar {jar}: no such file")
        self.remote = parse_address(options.address) if options.address else None
        table = load_pyflink()
        from pyflink.common import Configuration

        config = Configuration()
        if self.remote is not None:
            host, port = self.remote
            config.set_string("execution.target", "remote")
            config.set_string("rest.address", host)
            config.set_string("rest.port", str(port))
        config.set_string("parallelism.default", str(options.parallelism))
        if options.jars:
            urls = ";".join(Path(jar).resolve().as_uri() for jar in options.jars)
            config.set_string("pipeline.jars", urls)  # shipped with each job (and loaded by this client)
            if self.remote is None:
                config.set_string("pipeline.classpaths", urls)
        settings = table.EnvironmentSettings.new_instance().in_batch_mode().with_configuration(config).build()
        started = time.monotonic()
        self.t_env = table.TableEnvironment.create(settings)
        # The client JVM's own output (query tables); a remote job's print sinks write on the cluster.
        self._capture = _JvmOutput(self.stdout, self.stderr)
        self._capture.start()
        self.info(
            f"Flink {f'cluster at {options.address}' if self.remote else 'local mini-cluster'} ready "
            f"in {time.monotonic() - started:.1f}s (batch mode, parallelism {options.parallelism})"
        )
        self._statement_set: list[FlinkStatement] | None = None

    # ------------------------------------------------------------------ running
    def run(self, translation: Translation, source: Source) -> None:
        """Run every statement in order; the first failure raises FlinkError (the script stops)."""
        self._secrets |= translation.secrets
        try:
            for statement in translation.statements:
                try:
                    self._run_one(statement, translation)
                except FlinkError as error:
                    raise error.locate(statement.span, source) from error.__cause__
        finally:
            self.drain()

    def _run_one(self, statement: FlinkStatement, translation: Translation) -> None:
        if statement.kind == "begin-set":
            self._statement_set = []
            return
        if statement.kind == "end-set":
            inserts, self._statement_set = self._statement_set or [], None
            if inserts:
                body = "".join(f"  {s.sql};\n" for s in inserts)
                combined = FlinkStatement(
                    sql=f"EXECUTE STATEMENT SET\nBEGIN\n{body}END",
                    kind="statement-set",
                    span=inserts[0].span,
                    source=inserts[0].source,
                    sink_tables=tuple(t for s in inserts for t in s.sink_tables),
                )
                self._run_job(combined, translation)
            return
        if statement.kind == "insert" and self._statement_set is not None:
            self._statement_set.append(statement)
            return
        if statement.kind in ("set", "reset"):
            self._setting(statement)
        elif statement.kind in ("insert", "statement-set", "ctas"):
            self._run_job(statement, translation)
        elif statement.kind == "query":
            self._run_query(statement)
        else:
            result = self._call(lambda: self.t_env.execute_sql(statement.sql))
            if statement.kind not in ("ddl", "set", "reset"):
                self._call(lambda: self._print_table(result, statement_result=True))

    def _setting(self, statement: FlinkStatement) -> None:
        """SET/RESET are SQL-client commands that TableEnvironment.execute_sql refuses: apply them
        to the environment's configuration, as the SQL client does."""
        key, value = statement.setting or (None, None)
        configuration = self.t_env.get_config().get_configuration()
        if statement.kind == "set" and key is not None and value is not None:
            self._call(lambda: self.t_env.get_config().set(key, value))
        elif statement.kind == "reset" and key is not None:
            self._call(lambda: configuration._j_configuration.removeKey(key))
        else:
            self.info(
                f"'{' '.join(statement.sql.split())}' has no effect with --engine flink (it lists or resets "
                "every setting in Flink's SQL client)"
            )

    def _run_job(self, statement: FlinkStatement, translation: Translation) -> None:
        started = time.monotonic()
        result = self._call(lambda: self.t_env.execute_sql(statement.sql))
        client = result.get_job_client()
        job_id = str(client.get_job_id()) if client is not None else "?"
        self.info(f"Submitting job {job_id} ({', '.join(statement.sink_tables)})")
        try:
            self._wait(client, result)
        except KeyboardInterrupt:
            self._cancel(client, job_id)
            raise
        self.drain()
        elapsed = time.monotonic() - started
        self.info(f"Job {job_id} finished in {elapsed:.2f}s")
        printed = [t for t in statement.sink_tables if t in translation.print_tables]
        if printed and self.remote is not None:
            self.info(
                f"print sink rows of {', '.join(printed)} went to the TaskManager's stdout: "
                + "; ".join(self.taskmanager_stdout_urls())
            )

    def _wait(self, client: Any, result: Any) -> None:
        """Wait for the job in short steps, so Ctrl-C lands in Python and can cancel it."""
        if client is None:
            self._call(result.wait)
            return
        future = client.get_job_execution_result()
        while True:
            if future.done():
                self._call(future.result)  # raises the job's failure, if any
                return
            time.sleep(0.1)

    def _run_query(self, statement: FlinkStatement) -> None:
        started = time.monotonic()
        result = self._call(lambda: self.t_env.execute_sql(statement.sql))
        client = result.get_job_client()
        job_id = str(client.get_job_id()) if client is not None else "?"
        try:
            self._call(lambda: self._print_table(result))
        except KeyboardInterrupt:
            self._cancel(client, job_id)
            raise
        self.drain()
        self.info(f"Job {job_id} (query) finished in {time.monotonic() - started:.2f}s")

    def _print_table(self, result: Any, statement_result: bool = False) -> None:
        """Print a result with Flink's own TableauStyle as its SQL client does in batch mode (as
        qsql's engine prints it): a query's columns sized by the data and cut at
        'table.display.max-column-width' (CliTableauResultView.printBatchTable), a SHOW / DESCRIBE
        table uncut with NULL as an empty cell (the client's StatementResultPrinter).
        TableResult.print() would size a query's columns by their types instead."""
        from pyflink.java_gateway import get_gateway

        gateway = get_gateway()
        j_result = result._j_table_result
        if statement_result:
            width, null_as_empty = 2**31 - 1, True
        else:
            configuration = self.t_env.get_config().get_configuration()
            setting = {s.key: configuration.get_string(s.key, "") for s in (TABLE_MAX_COLUMN_WIDTH, MAX_COLUMN_WIDTH)}
            width, null_as_empty = max_column_width({k: v for k, v in setting.items() if v}), False
        style = gateway.jvm.org.apache.flink.table.utils.print.PrintStyle.tableauWithDataInferredColumnWidths(
            j_result.getResolvedSchema(), j_result.getRowDataToStringConverter(), width, null_as_empty, False
        )
        text = gateway.jvm.java.io.StringWriter()
        style.print(j_result.collectInternal(), gateway.jvm.java.io.PrintWriter(text))
        self.drain()
        self.stdout.write(self.masked(text.toString()))
        self.stdout.flush()

    def masked(self, text: str) -> str:
        """``text`` with every API key the job carries replaced by ****: Flink's SHOW CREATE
        MODEL prints a model's options, its errors may quote them, and a key is never shown."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    def _cancel(self, client: Any, job_id: str) -> None:
        if client is None:
            return
        self.info(f"Cancelling job {job_id}")
        try:
            client.cancel().result()
        except Exception as error:  # the job may have ended meanwhile
            self.info(f"could not cancel job {job_id}: {_root_cause(error)}")

    def taskmanager_stdout_urls(self) -> list[str]:
        assert self.remote is not None
        host, port = self.remote
        base = f"http://{host}:{port}"
        try:
            with urllib.request.urlopen(f"{base}/taskmanagers", timeout=5) as response:
                managers = json.load(response).get("taskmanagers", [])
        except (OSError, ValueError):
            return [f"{base}/#/task-manager (the TaskManagers' .out files in their log directory)"]
        return [f"{base}/taskmanagers/{tm['id']}/stdout" for tm in managers]

    def _call(self, function: Any) -> Any:
        try:
            return function()
        except KeyboardInterrupt:
            raise
        except Exception as error:
            if type(error).__module__.startswith(("pyflink", "py4j")) or "Java" in type(error).__name__:
                raise FlinkError(
                    self.masked(f"Flink: {_root_cause(error)}"), java_trace=self.masked(_java_trace(error))
                ) from error
            raise

    # ------------------------------------------------------------------ output
    def info(self, message: str) -> None:
        if not self.options.quiet:
            self.drain()
            self.stderr.write(f"[INFO] {message}\n")
            self.stderr.flush()

    def drain(self) -> None:
        self._capture.drain()

    def close(self) -> None:
        self._capture.stop()


class _JvmOutput:
    """The JVM's System.out/err redirected to temporary files, copied to Python's streams."""

    def __init__(self, stdout: IO[str], stderr: IO[str]) -> None:
        self.targets = (stdout, stderr)
        self.directory = tempfile.mkdtemp(prefix="qsql-flink-")
        self.paths = (os.path.join(self.directory, "out"), os.path.join(self.directory, "err"))
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.readers: list[IO[bytes]] = []
        self.streams: list[Any] = []
        self.previous: tuple[Any, Any] | None = None
        self.thread: threading.Thread | None = None
        self.pending = [b"", b""]

    def start(self) -> None:
        from pyflink.java_gateway import get_gateway

        jvm = get_gateway().jvm
        for path in self.paths:
            Path(path).touch()
            self.readers.append(open(path, "rb"))
            self.streams.append(jvm.java.io.PrintStream(jvm.java.io.FileOutputStream(path, True), True, "UTF-8"))
        self.previous = (jvm.System.out, jvm.System.err)
        jvm.System.setOut(self.streams[0])
        jvm.System.setErr(self.streams[1])
        self.thread = threading.Thread(target=self._tail, name="qsql-flink-output", daemon=True)
        self.thread.start()

    def _tail(self) -> None:
        while not self.stopping.wait(0.1):
            self.drain(flush_java=False)

    def drain(self, flush_java: bool = True) -> None:
        with self.lock:
            if flush_java:
                for stream in self.streams:
                    stream.flush()
            for index, reader in enumerate(self.readers):
                data = self.pending[index] + reader.read()
                cut = data.rfind(b"\n") + 1  # whole lines only, so a half-written line waits
                self.pending[index] = data[cut:]
                if cut:
                    target = self.targets[index]
                    target.write(data[:cut].decode("utf-8", errors="replace"))
                    target.flush()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join()
        self.drain()
        try:
            from pyflink.java_gateway import get_gateway

            jvm = get_gateway().jvm
            if self.previous is not None:
                jvm.System.setOut(self.previous[0])
                jvm.System.setErr(self.previous[1])
            for stream in self.streams:
                stream.close()
        except Exception:  # the JVM may be gone already
            pass
        for index, rest in enumerate(self.pending):
            if rest:
                self.targets[index].write(rest.decode("utf-8", errors="replace"))
        for reader in self.readers:
            reader.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def _java_trace(error: BaseException) -> str:
    trace = getattr(error, "stack_trace", None)
    return trace if isinstance(trace, str) else str(error)


def _root_cause(error: BaseException) -> str:
    """Flink's root cause in one line: the last 'Caused by:' of the Java trace, class shortened."""
    text = _java_trace(error)
    lines = [line.strip() for line in text.splitlines()]
    causes = [line[len("Caused by: ") :] for line in lines if line.startswith("Caused by: ")]
    if causes:
        root = causes[-1]
    else:
        root = next((line[2:] for line in lines if line.startswith(": ")), None) or next(
            (line for line in lines if line and not line.startswith("at ")), type(error).__name__
        )
    head, sep, message = root.partition(": ")
    if sep and "." in head and " " not in head:  # java.lang.RuntimeException: msg -> RuntimeException: msg
        root = f"{head.rsplit('.', 1)[-1]}: {message}"
    return root
