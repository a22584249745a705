"""Small fixes of issue 13: the deepseek endpoint hint and '1 row ... was kept'."""

from __future__ import annotations

import io

import pytest

from qsql.errors import OptionError
from qsql.executor import ExecutionContext, PredictStats
from qsql.session import Session


def test_deepseek_without_endpoint_hints_at_deepseek() -> None:
    with Session(env={}) as session, pytest.raises(OptionError) as caught:
        list(session.execute("CREATE MODEL d INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'deepseek', "
                             "'model' = 'deepseek-chat', 'api-key' = 'k');"))
    assert caught.value.hint == "e.g. 'endpoint' = 'https://api.deepseek.com/v1'"


@pytest.mark.parametrize("failed, text", [(1, "1 row failed and was kept"), (3, "3 rows failed and were kept")])
def test_failed_rows_message_agrees_in_number(failed: int, text: str) -> None:
    err = io.StringIO()
    with Session(env={}, err=err) as session:
        context = ExecutionContext(session.runtime)
        context.stats.append(PredictStats(model="m", source="v", failed_rows=failed, first_error="boom"))
        session._report_skipped(context)
    assert text in err.getvalue()
