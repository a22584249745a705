"""The column types Flink's openai model provider takes, checked where Flink checks them.

flink-model-openai (Flink 2.3) checks a model's columns when it builds the model's predict
function, which the planner does when it plans an ML_PREDICT call of the model; CREATE MODEL
only stores the model. Its ``validateSingleColumnSchema`` compares the one physical INPUT column
with a nullable ``STRING`` and the one physical OUTPUT column with the endpoint task's type
(chat: nullable ``STRING``; embeddings: nullable ``ARRAY<FLOAT>`` of nullable FLOAT) by
equality of logical types, so ``VARCHAR(100)``, ``CHAR(1)``, ``STRING NOT NULL`` and
``ARRAY<DOUBLE>`` are refused, with the message this module repeats word for word.

qsql's own engine could run those types, but a script qsql runs must also plan on Flink, so an
ML_PREDICT of a model whose provider maps to Flink's openai provider is refused the same way.
qsql checks the column counts earlier, at CREATE MODEL (options.py), and does not count its own
extensions (the ``reasoning_content`` column and the error columns, which ``qsql export`` leaves
out of the Flink OUTPUT): only the answer column is held to Flink's type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ValidationError
from ..source import Span
from ..types import STRING, DataType
from .config import CHAT, METADATA_COLUMNS, REASONING_COLUMN
from .providers import PROVIDERS

if TYPE_CHECKING:
    from ..catalog import ModelEntry

# new VarCharType(VarCharType.MAX_LENGTH) and new ArrayType(new FloatType()): both nullable.
FLINK_STRING = STRING
FLINK_VECTOR = DataType("ARRAY", element=DataType("FLOAT"))


def flink_answer_type(task: str) -> DataType:
    """The type Flink's openai provider wants of the answer column for this endpoint task."""
    return FLINK_STRING if task == CHAT else FLINK_VECTOR


def is_answer_column(name: str) -> bool:
    """False for qsql's extra OUTPUT columns (reasoning, errors), which Flink's OUTPUT leaves out."""
    return name not in METADATA_COLUMNS and name != REASONING_COLUMN


def check_flink_column_types(
    provider: str,
    task: str,
    inputs: list[tuple[str, DataType, Span | None]],
    outputs: list[tuple[str, DataType, Span | None]],
    at: Span | None,
    declared_in: str | None = None,
) -> None:
    """Refuse, as Flink's openai provider does when it plans an ML_PREDICT, a model whose input
    or answer column is not exactly the type the provider reads or writes.

    ``inputs``/``outputs`` are the model's declared columns as (name, type, declaration span);
    ``at`` is the ML_PREDICT call's MODEL argument, where the error is located (as on Flink,
    where planning that call fails); ``declared_in`` names the CREATE MODEL's script for the
    hint. Flink checks the input first, then the output."""
    if PROVIDERS[provider].flink_provider != "openai":
        return
    answers = [column for column in outputs if is_answer_column(column[0])]
    checks = [("input", column, FLINK_STRING) for column in inputs[:1]]
    checks += [("output", column, flink_answer_type(task)) for column in answers[:1]]
    for side, (name, dtype, declared), expected in checks:
        if dtype == expected:
            continue
        if declared is None:
            where = ""
        elif declared_in is None:
            where = f" (line {declared.line}, column {declared.column})"
        else:
            where = f" ({declared_in}:{declared.line}:{declared.column})"
        raise ValidationError(
            # Flink's words (validateSingleColumnSchema), ending with its period.
            f"{side} column {name} should be {expected}, but is a {dtype}.",
            at,
            hint=f"declare {name} {expected} in the model's CREATE MODEL{where}: Flink's openai provider "
            "compares the types exactly",
        )


def check_model_for_flink(model: ModelEntry, at: Span | None) -> None:
    """The check above for a catalog model, with where its CREATE MODEL declared each column."""
    spans = {c.name.name: c.span for c in (*model.definition.inputs, *model.definition.outputs)}
    check_flink_column_types(
        model.config.provider,
        model.config.task,
        [(c.name, c.dtype, spans.get(c.name)) for c in model.inputs],
        [(c.name, c.dtype, spans.get(c.name)) for c in model.outputs],
        at,
        model.source_name,
    )
