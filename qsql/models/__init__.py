"""Everything about calling a model, behind one call: :func:`qsql.models.predict.predict`.

Layout (one job per module):

``options.py``       CREATE MODEL's WITH options -> :class:`ModelConfig` (``config.py``), checked once
``providers.py``     provider records: key variable, default endpoint, batch limit, wire protocol
``protocol.py``      the wire-format seam (:class:`WireProtocol`): request, reply, stream, errors
``openai_compat.py`` OpenAI's chat/embeddings format (OpenAI, DeepSeek, base of Qwen)
``qwen.py``          DashScope compatible mode: Qwen's extras and error rules
``transport.py``     one HTTP attempt, whole or streamed, bounded by a total timeout
``retry.py``         the retry policy and the loop that applies it
``predict.py``       inputs -> outcomes: skips, cache, de-dup, batching, split, retries, accounting
``hooks.py``         the two hook points: an observer of every call, admission control per attempt
``cache.py``         the response cache (memory / disk / off)
``tokens.py``        counting and cutting input text to a limit
``accounting.py``    :class:`PredictStats`
``runtime.py``       the event loop and connection pool that run requests concurrently

Hook points for other features (see ``hooks.py``): ``Session.model_hooks.observer`` receives a
:class:`~qsql.models.hooks.CallRecord` per HTTP attempt and per cache hit (a model-call log);
``Session.model_hooks.admission`` is an :class:`~qsql.models.hooks.Admission` whose async
context manager wraps every HTTP attempt, retries included (a rate limiter / adaptive
concurrency). A Batch API module builds its request lines with ``config.protocol.request(...)``
and reads each output line's body with ``config.protocol.parse_reply(...)``.
"""
