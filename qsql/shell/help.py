"""The text of HELP in the shell."""

from __future__ import annotations

from ..models.options import OPTION_SPECS
from ..settings import KNOWN_SETTINGS
from .commands import help_lines

STATEMENTS = """\
Statements (end each with ';' — Enter on an unfinished statement starts a new line):
  CREATE [TEMPORARY] MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'qwen', ...)
  CREATE [TEMPORARY] TABLE t (col TYPE, ...) WITH ('connector' = 'print' | 'filesystem' | 'blackhole' | 'datagen', ...)
  CREATE [TEMPORARY] VIEW v [(cols)] AS SELECT ... | AS VALUES (...), ...      (also CREATE OR REPLACE ...)
  INSERT INTO t SELECT ... FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(col)[, MAP['max-concurrent-operations', '32']])
  SELECT ... FROM ... [JOIN ... ON ...] [WHERE ...] [GROUP BY ... HAVING ...] [ORDER BY ...] [LIMIT n]
  SHOW TABLES | VIEWS | MODELS | FUNCTIONS [LIKE 'pattern'];   DESCRIBE t;   DESCRIBE MODEL m;
  SHOW CREATE TABLE | VIEW | MODEL name;   DROP TABLE | VIEW | MODEL [IF EXISTS] name;
  ALTER MODEL m SET ('key' = 'value') | RESET ('key') | RENAME TO n;   EXPLAIN <statement>;
  ALTER TABLE t RENAME TO n | SET (...) | RESET (...) | ADD (col TYPE [FIRST | AFTER c]) | MODIFY ... | DROP c
              | RENAME c TO d;   ALTER VIEW v RENAME TO n | AS SELECT ...
  SET;   SET 'key' = 'value';   RESET 'key';   EXECUTE STATEMENT SET BEGIN INSERT ...; INSERT ...; END;

Keys:
  Ctrl-C               cancel the running statement (in-flight model requests are cancelled,
                       nothing is written to file sinks), or clear the line at the prompt
  Ctrl-R               search the history (stored with API keys masked)
  Tab                  complete names of tables, views, models, columns, options, commands
  Alt-Enter            a new line even where Enter would run the statement
"""


def help_text() -> str:
    model_options = ", ".join(spec.key for spec in OPTION_SPECS)
    settings = "\n".join(f"  {s.key:<56} {s.description} (default {s.shown_default})" for s in KNOWN_SETTINGS.values())
    return (
        STATEMENTS
        + "\nShell commands (';' optional; qsql extension):\n"
        + "\n".join(help_lines())
        + "\n"
        + f"\nModel options: {model_options}\n"
        + "\nSettings (SET 'key' = 'value'):\n"
        + settings
        + "\n"
        + "\nMore: README.md and docs/ (reference, shell, python, connectors, stub, performance).\n"
    )
