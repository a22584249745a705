"""The ``qsql`` command: picks shell, script, stdin or -e; maps outcomes to exit codes.

Exit codes: 0 success, 1 a statement failed (the script stops there), 2 usage error,
130 interrupted. Data (query tables, print-sink rows) goes to stdout; summaries, warnings
and errors to stderr, so ``qsql run x.sql > out.txt`` captures just the data.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from . import __version__
from .collector import collector_paused
from .errors import QsqlError, UsageError, render_error
from .interrupts import InterruptHandler, Terminated, exit_code

# Importing the engine makes tens of thousands of objects that all live on; the cyclic
# collector's passes over them meanwhile find nothing (about 6% of a `qsql -e` start).
with collector_paused(lifelong=True):
    from .output import Display, DisplayOptions
    from .session import Session
    from .settings import OUTPUT_FORMAT, OUTPUT_FORMATS

if TYPE_CHECKING:
    from .stub import StubOptions

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 130, 141


FORMAT_CHOICES = OUTPUT_FORMATS
# The subcommands are read from the parser (command_names), so a new one is never taken for a script.
# Options that take a value, so the word after them is not the script of 'qsql file.sql'.
_VALUE_OPTIONS = {"-e", "--execute", "-f", "--file", "-i", "--init", "--format"}

_MAIN_EXAMPLES = """\
examples:
  qsql                                      the interactive shell (on a terminal)
  qsql script.sql                           run a script (same as 'qsql run script.sql')
  qsql run --stub samples/desensitize.sql   offline: every model answers from a local stub
  qsql -e "SELECT 40 + 2;" --format csv > out.csv
  cat script.sql | qsql                     standard input that is not a terminal runs as a script
  qsql -i models.sql                        define models first, then open the shell
  qsql keys set qwen                        store the DashScope key (asked for, never echoed)
"""
_RUN_EXAMPLES = """\
examples:
  qsql run a.sql b.sql                      run the files in order, in one session
  qsql run --stub samples/desensitize.sql   no key, no network: synthetic replies
  qsql run -i models.sql job.sql            run models.sql first
  qsql run report.sql --format json > report.json
"""
_EXPORT_EXAMPLES = """\
examples:
  qsql export --to flink job.sql > job.flink.sql      API keys stay ${VAR} placeholders
  qsql export --to flink --strict job.sql             refuse qsql-only options and settings
"""
_STUB_EXAMPLES = """\
examples:
  qsql stub --port 8000                     then 'endpoint' = 'http://127.0.0.1:8000/v1'
  qsql stub --port 0 --latency-ms 200 --fail-every 10 --fail-status 429 --retry-after 1
"""
_CACHE_EXAMPLES = """\
examples:
  qsql cache info                           where the disk cache is and how big
  qsql cache clear                          forget every cached reply (unfinished Batch API batches are kept)
  qsql cache clear --force                  forget those batches too (their requests are then billed again)
"""
_KEYS_EXAMPLES = """\
examples:
  qsql keys set qwen                        asks for the key; stored 0600 in the user config directory
  echo "$KEY" | qsql keys set openai        the key from standard input
  qsql keys list                            names only, never a key
  qsql keys remove deepseek
"""
_LOGS_EXAMPLES = """\
examples:
  qsql -e "SET 'qsql.log' = 'on'; ..."      log model calls (or log = "on" in config.toml)
  qsql logs                                 the last 10 model calls
  qsql logs -n 50 --json                    the last 50, as JSON lines
"""
_BATCHES_EXAMPLES = """\
examples:
  qsql batches                              qsql's Batch API jobs: id, status (asked of the provider), done/total
  qsql batches --offline                    the same from the local record only
  qsql batches cancel batch_abc123          cancel one (requests already finished are still billed)
"""


def _common_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else False
    none = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--stub",
        action="store_true",
        default=default,
        help="answer every model from a local offline stub server (no key, no network)",
    )
    parser.add_argument("--debug", action="store_true", default=default, help="show Python tracebacks")
    parser.add_argument("-q", "--quiet", action="store_true", default=default, help="no [INFO] summaries on stderr")
    parser.add_argument(
        "--format",
        choices=FORMAT_CHOICES,
        default=none,
        metavar="FORMAT",
        help="how query rows are printed: " + ", ".join(FORMAT_CHOICES) + " (default tableau, "
        "as Flink's SQL client prints)",
    )
    parser.add_argument(
        "-i", "--init", metavar="FILE", default=none, help="run this script first (e.g. model definitions)"
    )


def build_parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="qsql",
        description="Run Flink-style SQL that calls large language models. "
        "With no arguments: an interactive shell on a terminal, or the script on standard input.",
        epilog=_MAIN_EXAMPLES,
        formatter_class=raw,
    )
    parser.add_argument("--version", action="version", version=f"qsql {__version__}")
    _common_options(parser, suppress=False)
    parser.add_argument("-e", "--execute", metavar="SQL", help="run these statements and exit")
    parser.add_argument("-f", "--file", metavar="FILE", help="run this script and exit (same as 'qsql run FILE')")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run SQL script files in order (also: qsql FILE)",
        description="Run SQL script files in order, in one session.",
        epilog=_RUN_EXAMPLES,
        formatter_class=raw,
    )
    _common_options(run, suppress=True)
    run.add_argument("files", nargs="+", metavar="FILE")
    run.add_argument(
        "--engine",
        choices=["qsql", "flink"],
        default="qsql",
        help="qsql (default) runs here; flink runs the translated script on Apache Flink "
        "(needs the flink extra and Java)",
    )
    run.add_argument(
        "--flink-address", metavar="HOST:PORT", help="REST address of a Flink cluster (default: a local mini-cluster)"
    )
    run.add_argument(
        "--flink-jar",
        action="append",
        default=[],
        metavar="JAR",
        help="jar to ship with the job, e.g. flink-model-openai (repeatable)",
    )
    run.add_argument(
        "--flink-parallelism",
        type=int,
        default=1,
        metavar="N",
        help="default parallelism of Flink jobs (default 1: rows in qsql's order)",
    )
    run.add_argument(
        "--strict", action="store_true", help="with --engine flink: refuse scripts that use qsql-only options"
    )

    export = commands.add_parser(
        "export",
        help="print scripts translated for another engine",
        description="Print scripts translated for another engine.",
        epilog=_EXPORT_EXAMPLES,
        formatter_class=raw,
    )
    export.add_argument("--to", choices=["flink"], required=True, help="target engine")
    export.add_argument(
        "--inline-secrets",
        action="store_true",
        help="write API keys from the environment into the output (default: ${VAR} placeholders)",
    )
    export.add_argument(
        "--strict",
        action="store_true",
        help="refuse (exit 1) when a qsql-only option or setting has no Flink equivalent",
    )
    export.add_argument("--debug", action="store_true", default=False, help="show Python tracebacks")
    export.add_argument("files", nargs="+", metavar="FILE")

    stub = commands.add_parser(
        "stub",
        help="serve the offline OpenAI-compatible stub on 127.0.0.1",
        description="Serve the offline OpenAI-compatible stub (chat/completions, embeddings).",
        epilog=_STUB_EXAMPLES,
        formatter_class=raw,
    )
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
    stub.add_argument(
        "--requests-per-minute",
        type=int,
        metavar="N",
        help="rate-limit mode: 429 limit_requests (Throttling.RateQuota) beyond N requests a minute",
    )
    stub.add_argument(
        "--tokens-per-minute",
        type=int,
        metavar="N",
        help="rate-limit mode: 429 insufficient_quota (Throttling.AllocationQuota) beyond N tokens a minute",
    )
    stub.add_argument(
        "--minute-seconds",
        type=float,
        default=60.0,
        metavar="S",
        help="how long the rate-limit minute lasts (default 60; shorter for benchmarks)",
    )
    stub.add_argument(
        "--lenient",
        action="store_true",
        help="accept what the real services refuse (ranges, thinking/streaming rules ...)",
    )

    cache = commands.add_parser(
        "cache",
        help="the disk cache of model replies (SET 'qsql.cache' = 'disk')",
        description="The disk cache of model replies (SET 'qsql.cache' = 'disk').",
        epilog=_CACHE_EXAMPLES,
        formatter_class=raw,
    )
    cache.add_argument("action", choices=["info", "clear"])
    cache.add_argument(
        "--force",
        action="store_true",
        help="clear: also forget unfinished Batch API batches (their requests are then sent and billed again)",
    )

    keys = commands.add_parser(
        "keys",
        help="store API keys in the user config directory",
        description="Store, list and remove API keys. A model's key is looked up in this "
        "order: its 'api-key' option, the provider's environment variable, the stored key.",
        epilog=_KEYS_EXAMPLES,
        formatter_class=raw,
    )
    keys.add_argument("action", choices=["set", "list", "remove", "path"])
    keys.add_argument("name", nargs="?", help="provider name: qwen, openai or deepseek")

    batches = commands.add_parser(
        "batches",
        help="the Batch API jobs qsql started ('batch-api' = 'true')",
        description="List the Batch API jobs qsql started, or cancel one (finished requests are still billed).",
        epilog=_BATCHES_EXAMPLES,
        formatter_class=raw,
    )
    batches.add_argument("action", nargs="?", choices=["list", "cancel"], default="list")
    batches.add_argument("id", nargs="?", help="the batch to cancel")
    batches.add_argument(
        "--offline", action="store_true", help="list: show the recorded statuses without asking the provider"
    )

    logs = commands.add_parser(
        "logs",
        help="show the log of model calls (SET 'qsql.log' = 'on')",
        description="Show logged model calls, newest last.",
        epilog=_LOGS_EXAMPLES,
        formatter_class=raw,
    )
    logs.add_argument("-n", "--count", type=int, default=10, metavar="N", help="how many (default 10; 0: all)")
    logs.add_argument("--json", action="store_true", help="one JSON object per line")
    logs.add_argument("--path", action="store_true", help="print where the log is and exit")
    return parser


def command_names(parser: argparse.ArgumentParser) -> tuple[str, ...]:
    """The parser's subcommands (run, stub, cache ...)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return tuple(action.choices)
    return ()


def _with_implicit_run(argv: list[str], commands: tuple[str, ...]) -> list[str]:
    """``qsql file.sql`` means ``qsql run file.sql``: the first word that is neither an option,
    an option's value nor a command names a script."""
    expects_value = False
    for position, word in enumerate(argv):
        if expects_value:
            expects_value = False
            continue
        if word == "--":
            return argv
        if word.startswith("-"):
            expects_value = word in _VALUE_OPTIONS
            continue
        if word in commands:
            return argv
        return [*argv[:position], "run", *argv[position:]]
    return argv


def main(argv: list[str] | None = None) -> int:
    """The command. ``main()`` is the process (arguments from sys.argv); ``main(argv)`` may also
    be called from Python, e.g. by the tests: it returns the exit status instead of raising
    SystemExit (``--help``, ``--version``, a usage error), reads sys.stdin and writes
    sys.stdout/sys.stderr as they are at the call, and restores the signal handlers it installed."""
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(_with_implicit_run(words, command_names(parser)))
    except SystemExit as stop:  # argparse after --help, --version or a usage error
        return stop.code if isinstance(stop.code, int) else EXIT_USAGE
    # SIGTERM and SIGHUP unwind like Ctrl-C, so every statement cleans up; a second signal
    # during that clean-up does not interrupt it.
    interrupts = InterruptHandler().install()
    try:
        if args.command == "stub":
            return _serve_stub(args)
        if args.command == "cache":
            return _cache_command(args)
        if args.command == "keys":
            from .keys import keys_command

            return keys_command(args.action, args.name)
        if args.command == "batches":
            from .batches_command import batches_command

            return batches_command(args.action, args.id, args.offline)
        if args.command == "logs":
            from .calllog import logs_command

            return logs_command(args.count, args.json, args.path)
        if args.command == "export":
            return _export_command(args)
        if args.command == "run" and args.engine == "flink":
            return _run_on_flink(args)
        return _run(args, interrupts)
    except KeyboardInterrupt as interrupt:
        sys.stderr.write("terminated\n" if isinstance(interrupt, Terminated) else "interrupted\n")
        return exit_code(interrupt)
    except BrokenPipeError:
        # The reader of stdout went away (qsql run x.sql | head): stop quietly, like other tools.
        # The process also points its stdout at /dev/null, so the flush at exit cannot fail
        # again; a caller in Python keeps its file descriptors.
        if argv is None:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    finally:
        if argv is None:  # the real process, not a caller in Python
            interrupts.ignore_while_exiting()
        else:
            interrupts.uninstall()


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
            scripts.append(("<stdin>", data.decode("utf-8-sig")))  # -sig: drop a byte order mark
        except UnicodeDecodeError as error:
            raise UsageError(
                f"cannot read standard input: not UTF-8 text ({error.reason} at byte {error.start})"
            ) from error
    else:
        return scripts, True
    return scripts, False


def _read(path: str) -> tuple[str, str]:
    try:
        with open(path, encoding="utf-8-sig") as handle:  # -sig: drop a byte order mark
            return path, handle.read()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise UsageError(f"cannot read {path}: not UTF-8 text ({error.reason} at byte {error.start})") from error


def _run(args: argparse.Namespace, interrupts: InterruptHandler | None = None) -> int:
    try:
        scripts, interactive = _scripts(args)
    except UsageError as error:
        sys.stderr.write(f"qsql: error: {error.message}\n")
        return EXIT_USAGE
    with _maybe_stub(args) as stub_url:
        session = Session(stub_base_url=stub_url)
        try:
            session.apply_config()
        except QsqlError as error:
            sys.stderr.write(render_error(error) + "\n")
            session.close()
            return EXIT_USAGE
        if args.format:
            session.settings[OUTPUT_FORMAT.key] = args.format
        if sys.stderr.isatty() and not args.quiet:
            from .progress import PredictProgress

            session.progress = PredictProgress()
        try:
            if stub_url and not args.quiet:
                sys.stderr.write(f"[INFO] offline stub at {stub_url}: model replies are synthetic\n")
            display = _script_display(session, args)
            for name, text in scripts:
                if not display.run(text, name):
                    return EXIT_FAILED
            total = display.session_total()
            if total and session.usage.statements > 1 and not args.quiet and not interactive:
                sys.stderr.write(total + "\n")
            if interactive:
                from .shell.app import run_shell

                return run_shell(session, quiet=args.quiet, interrupts=interrupts)
            return EXIT_OK
        finally:
            session.close()


def _script_display(session: Session, args: argparse.Namespace) -> Display:
    """Scripts: rows and text on stdout, summaries and errors on stderr."""

    def data(text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    def note(text: str) -> None:
        sys.stdout.flush()
        sys.stderr.write(text + "\n")

    def error(text: str) -> None:
        sys.stdout.flush()
        sys.stderr.write(text + "\n")

    return Display(session, data, note, error, DisplayOptions(quiet=args.quiet, debug=args.debug))


@contextmanager
def _maybe_stub(args: argparse.Namespace) -> Iterator[str | None]:
    if not args.stub:
        yield None
        return
    from .stub import StubServer

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
        export(scripts, inline_secrets=args.inline_secrets, strict=args.strict, key_env=_configured_key_env())
    except QsqlError as error:
        sys.stderr.write(render_error(error) + "\n")
        if args.debug:
            import traceback

            traceback.print_exception(error, file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _configured_key_env() -> dict[str, str]:
    """The key variable names config.toml gives providers; none when it cannot be read (the
    qsql engine reports a bad config file; the Flink path only needs this one table)."""
    from .config import load_config

    try:
        return dict(load_config().key_env)
    except QsqlError:
        return {}


def _run_on_flink(args: argparse.Namespace) -> int:
    """``qsql run --engine flink``: translate each script, then run it through PyFlink."""
    from .flink.engine import EngineOptions, FlinkError, FlinkRunner, load_pyflink
    from .flink.translate import TranslateOptions, translate
    from .keys import stored_key
    from .source import Source

    try:
        scripts = ([_read(args.init)] if args.init else []) + [_read(path) for path in args.files]
        if args.flink_parallelism < 1:
            raise UsageError("--flink-parallelism must be at least 1")
        if args.format and args.format != "tableau":
            raise UsageError(f"--format {args.format} is for qsql's engine; on Flink a query prints Flink's table")
        load_pyflink()
    except UsageError as error:
        sys.stderr.write(f"qsql: error: {error.message}\n")
        return EXIT_USAGE
    with _maybe_stub(args) as stub_url:
        options = TranslateOptions(
            secrets="inline",
            strict=args.strict,
            stub_base_url=stub_url,
            env=dict(os.environ),
            base_directory=os.getcwd(),
            stored_key=stored_key,
            key_env=_configured_key_env(),
        )
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
        engine = EngineOptions(
            address=args.flink_address,
            jars=args.flink_jar,
            parallelism=args.flink_parallelism,
            quiet=args.quiet,
            debug=args.debug,
        )
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
        from .models.batch_store import clear_keeping_unfinished, unfinished_batches

        path, _, _ = disk_cache_info()
        if args.force:
            forgotten = unfinished_batches(path)
            removed = clear_disk_cache(path)
            sys.stdout.write(f"removed {removed} cached replies from {path}\n")
            if forgotten:
                sys.stderr.write(
                    f"forgot {len(forgotten)} unfinished Batch API batch{'es' if len(forgotten) != 1 else ''} "
                    f"({', '.join(b.id for b in forgotten)}): running the script again submits and pays for "
                    "their requests again\n"
                )
            return EXIT_OK
        removed, kept = clear_keeping_unfinished(path)
        sys.stdout.write(f"removed {removed} cached replies from {path}\n")
        if kept:
            requests = sum(b.requests for b in kept)
            sys.stdout.write(
                f"kept the record of {len(kept)} unfinished Batch API batch{'es' if len(kept) != 1 else ''} "
                f"({requests} requests): running the script again collects them instead of paying twice "
                "('qsql batches' lists them; 'qsql cache clear --force' forgets them too)\n"
            )
    else:
        path, entries, size = disk_cache_info()
        sys.stdout.write(f"{path}: {entries} cached replies, {size / 1024:.1f} KiB\n")
    return EXIT_OK


def _serve_stub(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    # The stub writes no files and holds nothing to clean up: SIGTERM and SIGHUP (docker stop,
    # timeout, a test's terminate()) stop it at once instead of unwinding its event loop, which
    # could wait on a connection being torn down. Ctrl-C still stops it with a message.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, signal.SIG_DFL)

    from .stub import StubServer

    try:
        options = stub_options(args)
    except UsageError as error:
        sys.stderr.write(f"qsql stub: {error.message}\n")
        return EXIT_USAGE
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


def stub_options(args: argparse.Namespace) -> StubOptions:
    """What ``qsql stub``'s flags ask of the server (apart from the server, so a test can serve
    them in-process)."""
    from .stub import Fault, RateLimits, StubOptions

    fault = Fault(
        status=None if (args.malformed or args.drop) else args.fail_status,
        retry_after=args.retry_after,
        malformed=args.malformed,
        drop=args.drop,
    )
    limits = None
    if args.requests_per_minute or args.tokens_per_minute:
        try:
            limits = RateLimits(args.requests_per_minute, args.tokens_per_minute, args.minute_seconds)
        except ValueError as error:
            raise UsageError(str(error)) from error
    return StubOptions(
        rate_limits=limits,
        latency=args.latency_ms / 1000,
        jitter=args.jitter_ms / 1000,
        seed=args.seed,
        api_key=args.api_key,
        fail_every=args.fail_every,
        global_fault=fault,
        embedding_dimension=args.embedding_dim,
        strict=not args.lenient,
    )


if __name__ == "__main__":
    sys.exit(main())
