"""The ``qsql`` command: picks shell, script, stdin or -e; maps outcomes to exit codes.

Exit codes: 0 success, 1 a statement failed (the script stops there), 2 usage error,
130 interrupted. Data (query tables, print-sink rows) goes to stdout; summaries, warnings
and errors to stderr, so ``qsql run x.sql > out.txt`` captures just the data.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from . import __version__
from .errors import QsqlError, UsageError, render_error
from .render import DEFAULT_MAX_COLUMN_WIDTH, insert_summary, tableau
from .settings import MAX_COLUMN_WIDTH
from .session import InsertResult, QueryResult, Result, Session, TextResult
from .stub import Fault, StubOptions, StubServer

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 130, 141


def _common_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else False
    parser.add_argument("--stub", action="store_true", default=default,
                        help="answer every model from a local offline stub server (no key, no network)")
    parser.add_argument("--debug", action="store_true", default=default, help="show Python tracebacks")
    parser.add_argument("-q", "--quiet", action="store_true", default=default,
                        help="no [INFO] summaries on stderr")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qsql",
        description="Run Flink-style SQL that calls large language models. "
        "With no arguments: an interactive shell on a terminal, or the script on standard input.",
    )
    parser.add_argument("--version", action="version", version=f"qsql {__version__}")
    _common_options(parser, suppress=False)
    parser.add_argument("-e", "--execute", metavar="SQL", help="run these statements and exit")
    parser.add_argument("-f", "--file", metavar="FILE", help="run this script and exit (same as 'qsql run FILE')")
    parser.add_argument("-i", "--init", metavar="FILE", help="run this script first (e.g. model definitions)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="run SQL script files in order")
    _common_options(run, suppress=True)
    run.add_argument("files", nargs="+", metavar="FILE")
    run.add_argument("--engine", choices=["qsql", "flink"], default="qsql",
                     help="qsql (default) runs here; flink runs the translated script on Apache Flink "
                     "(needs the flink extra and Java)")
    run.add_argument("--flink-address", metavar="HOST:PORT",
                     help="REST address of a Flink cluster (default: a local mini-cluster)")
    run.add_argument("--flink-jar", action="append", default=[], metavar="JAR",
                     help="jar to ship with the job, e.g. flink-model-openai (repeatable)")
    run.add_argument("--flink-parallelism", type=int, default=1, metavar="N",
                     help="default parallelism of Flink jobs (default 1: rows in qsql's order)")
    run.add_argument("--strict", action="store_true",
                     help="with --engine flink: refuse scripts that use qsql-only options")

    export = commands.add_parser("export", help="print scripts translated for another engine")
    export.add_argument("--to", choices=["flink"], required=True, help="target engine")
    export.add_argument("--inline-secrets", action="store_true",
                        help="write API keys from the environment into the output (default: ${VAR} placeholders)")
    export.add_argument("--strict", action="store_true",
                        help="refuse (exit 1) when a qsql-only option or setting has no Flink equivalent")
    export.add_argument("--debug", action="store_true", default=False, help="show Python tracebacks")
    export.add_argument("files", nargs="+", metavar="FILE")

    stub = commands.add_parser("stub", help="serve the offline OpenAI-compatible stub on 127.0.0.1")
    stub.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    stub.add_argument("--port", type=int, default=8000, help="port (0 picks a free one; default 8000)")
    stub.add_argument("--latency-ms", type=float, default=0.0, help="added to every reply")
    stub.add_argument("--jitter-ms", type=float, default=0.0, help="up to this much more, seeded")
    stub.add_argument("--seed", type=int, default=0)
    stub.add_argument("--api-key", help="accept only this key (others get HTTP 401)")
    stub.add_argument("--fail-every", type=int, default=0, metavar="N", help="inject a failure into every N-th request")
    stub.add_argument("--fail-status", type=int, default=503, help="HTTP status of injected failures (default 503)")
    stub.add_argument("--retry-after", help="Retry-After header of injected failures")
    stub.add_argument("--malformed", action="store_true", help="injected failures are malformed 200 replies")
    stub.add_argument("--drop", action="store_true", help="injected failures drop the connection")
    stub.add_argument("--embedding-dim", type=int, default=8, help="default embedding size (default 8)")

    cache = commands.add_parser("cache", help="the disk cache of model replies (SET 'qsql.cache' = 'disk')")
    cache.add_argument("action", choices=["info", "clear"])
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "stub":
            return _serve_stub(args)
        if args.command == "cache":
            return _cache_command(args)
        if args.command == "export":
            return _export_command(args)
        if args.command == "run" and args.engine == "flink":
            return _run_on_flink(args)
        return _run(args)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of stdout went away (qsql run x.sql | head): stop quietly, like other tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _scripts(args: argparse.Namespace) -> tuple[list[tuple[str, str]], bool]:
    """The (name, text) scripts to run, and whether the interactive shell follows them."""
    scripts: list[tuple[str, str]] = []
    if args.init:
        scripts.append(_read(args.init))
    sources = sum(bool(x) for x in (args.execute, args.file, args.command == "run"))
    if sources > 1:
        raise UsageError("give only one of -e, -f and 'run FILE'")
    if args.command == "run":
        scripts.extend(_read(path) for path in args.files)
    elif args.file:
        scripts.append(_read(args.file))
    elif args.execute is not None:
        scripts.append(("<command line>", args.execute))
    elif not sys.stdin.isatty():
        data = sys.stdin.buffer.read()
        try:
            scripts.append(("<stdin>", data.decode("utf-8")))
        except UnicodeDecodeError as error:
            raise UsageError(f"cannot read standard input: not UTF-8 text ({error.reason} at byte {error.start})") from error
    else:
        return scripts, True
    return scripts, False


def _read(path: str) -> tuple[str, str]:
    try:
        with open(path, encoding="utf-8") as handle:
            return path, handle.read()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise UsageError(f"cannot read {path}: not UTF-8 text ({error.reason} at byte {error.start})") from error


def _run(args: argparse.Namespace) -> int:
    try:
        scripts, interactive = _scripts(args)
    except UsageError as error:
        sys.stderr.write(f"qsql: error: {error.message}\n")
        return EXIT_USAGE
    with _maybe_stub(args) as stub_url:
        session = Session(stub_base_url=stub_url)
        if sys.stderr.isatty() and not args.quiet:
            from .progress import PredictProgress

            session.progress = PredictProgress()
        try:
            if stub_url and not args.quiet:
                sys.stderr.write(f"[INFO] offline stub at {stub_url}: model replies are synthetic\n")
            for name, text in scripts:
                code = _run_script(session, name, text, args)
                if code != EXIT_OK:
                    return code
            if interactive:
                from .shell.app import run_shell

                return run_shell(session, quiet=args.quiet)
            return EXIT_OK
        finally:
            session.close()


def _run_script(session: Session, name: str, text: str, args: argparse.Namespace) -> int:
    try:
        for result in session.execute(text, name):
            _stop_progress(session)
            _report(session, result, args)
    except QsqlError as error:
        _stop_progress(session)
        sys.stdout.flush()
        sys.stderr.write(render_error(error) + "\n")
        if args.debug:
            traceback.print_exception(error, file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        raise
    except Exception as error:  # a bug in qsql: say so in one line unless --debug
        _stop_progress(session)
        sys.stdout.flush()
        if args.debug:
            traceback.print_exc(file=sys.stderr)
        sys.stderr.write(
            f"error: {name}: internal error: {type(error).__name__}: {error} (run with --debug for the traceback)\n"
        )
        return EXIT_FAILED
    return EXIT_OK


def _stop_progress(session: Session) -> None:
    stop = getattr(session.progress, "stop", None)
    if stop is not None:
        stop()


def _report(session: Session, result: Result, args: argparse.Namespace) -> None:
    """How a script's results look: tables and text on stdout, summaries on stderr."""
    if isinstance(result, QueryResult):
        width = int(session.settings.get(MAX_COLUMN_WIDTH, DEFAULT_MAX_COLUMN_WIDTH))
        sys.stdout.write(tableau(result, width) + "\n")
        sys.stdout.flush()
        if result.predict and not args.quiet:
            from .render import predict_summary

            for stats in result.predict:
                sys.stderr.write(f"[INFO] {predict_summary(stats)}\n")
    elif isinstance(result, InsertResult):
        sys.stdout.flush()
        if not args.quiet:
            sys.stderr.write(insert_summary(result) + "\n")
    elif isinstance(result, TextResult):
        sys.stdout.write(result.text)
        sys.stdout.flush()


@contextmanager
def _maybe_stub(args: argparse.Namespace) -> Iterator[str | None]:
    if not args.stub:
        yield None
        return
    with StubServer() as server:
        yield server.base_url


def _export_command(args: argparse.Namespace) -> int:
    from .flink.export import export

    try:
        scripts = [_read(path) for path in args.files]
    except UsageError as error:
        sys.stderr.write(f"qsql: error: {error.message}\n")
        return EXIT_USAGE
    try:
        export(scripts, inline_secrets=args.inline_secrets, strict=args.strict)
    except QsqlError as error:
        sys.stderr.write(render_error(error) + "\n")
        if args.debug:
            traceback.print_exception(error, file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _run_on_flink(args: argparse.Namespace) -> int:
    """``qsql run --engine flink``: translate each script, then run it through PyFlink."""
    from .flink.engine import EngineOptions, FlinkError, FlinkRunner
    from .flink.translate import TranslateOptions, translate
    from .source import Source

    try:
        scripts = [_read(path) for path in args.files]
        if args.flink_parallelism < 1:
            raise UsageError("--flink-parallelism must be at least 1")
    except UsageError as error:
        sys.stderr.write(f"qsql: error: {error.message}\n")
        return EXIT_USAGE
    with _maybe_stub(args) as stub_url:
        options = TranslateOptions(secrets="inline", strict=args.strict, stub_base_url=stub_url, env=dict(os.environ))
        try:
            # Translate every script first: a script that cannot run on Flink costs no cluster time.
            translations = [(name, text, translate(text, name, options)) for name, text in scripts]
        except QsqlError as error:
            sys.stderr.write(render_error(error) + "\n")
            return EXIT_FAILED
        for _, _, translation in translations:
            for finding in translation.findings:
                sys.stderr.write(f"warning: {finding.render()}\n")
        if stub_url and not args.quiet:
            sys.stderr.write(f"[INFO] offline stub at {stub_url}: model replies are synthetic\n")
        engine = EngineOptions(address=args.flink_address, jars=args.flink_jar,
                               parallelism=args.flink_parallelism, quiet=args.quiet, debug=args.debug)
        runner = None
        try:
            runner = FlinkRunner(engine)
            for name, text, translation in translations:
                runner.run(translation, Source(name, text))
        except UsageError as error:
            sys.stderr.write(f"qsql: error: {error.message}\n")
            return EXIT_USAGE
        except FlinkError as error:
            sys.stdout.flush()
            sys.stderr.write(render_error(error) + "\n")
            if args.debug:
                sys.stderr.write(error.java_trace + "\n")
            else:
                sys.stderr.write("  (run with --debug for Flink's Java stack trace)\n")
            return EXIT_FAILED
        except QsqlError as error:
            sys.stderr.write(render_error(error) + "\n")
            return EXIT_FAILED
        finally:
            if runner is not None:
                runner.close()
    return EXIT_OK


def _cache_command(args: argparse.Namespace) -> int:
    from .models.cache import clear_disk_cache, disk_cache_info

    if args.action == "clear":
        path, _, _ = disk_cache_info()
        removed = clear_disk_cache()
        sys.stdout.write(f"removed {removed} cached replies from {path}\n")
    else:
        path, entries, size = disk_cache_info()
        sys.stdout.write(f"{path}: {entries} cached replies, {size / 1024:.1f} KiB\n")
    return EXIT_OK


def _serve_stub(args: argparse.Namespace) -> int:
    fault = Fault(
        status=None if (args.malformed or args.drop) else args.fail_status,
        retry_after=args.retry_after,
        malformed=args.malformed,
        drop=args.drop,
    )
    options = StubOptions(
        latency=args.latency_ms / 1000,
        jitter=args.jitter_ms / 1000,
        seed=args.seed,
        api_key=args.api_key,
        fail_every=args.fail_every,
        global_fault=fault,
        embedding_dimension=args.embedding_dim,
    )
    server = StubServer(args.host, args.port, options)

    async def serve() -> None:
        await server.start()
        sys.stdout.write(f"LISTENING {server.port}\n")
        sys.stdout.write(f"qsql stub serving {server.base_url} (chat/completions, embeddings); Ctrl-C stops\n")
        sys.stdout.flush()
        await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except OSError as error:
        sys.stderr.write(f"qsql stub: cannot listen on {args.host}:{args.port}: {error.strerror}\n")
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
