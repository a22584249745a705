"""The documented rules the stub enforces, one check per rule, so that a test against the stub
fails where a call to the real service would fail.

Each check looks at a request body and returns a :class:`Refusal` (status, code, message, in
the service's own words where the reference gives them) or None. Families come from
``qsql.models.families`` so qsql and the stub read the same facts; the rule itself is coded
here independently of how qsql builds its requests.

Sources: DashScope's API documentation and replies of the real service, summarised in docs/reference.md
("Model families").
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models.families import ALWAYS, NEVER, ON, qwen_family

SEED_MAX = 2**31 - 1
MAX_TOKENS_LIMIT = 32768  # the stub's stand-in for "the model's output limit"
QWEN_EMBEDDING_DIMENSIONS = {
    "text-embedding-v4": (2048, 1536, 1024, 768, 512, 256, 128, 64),
    "text-embedding-v3": (1024, 768, 512, 256, 128, 64),
    "text-embedding-v2": (1536,),
    "text-embedding-v1": (1536,),
}
QWEN_EMBEDDING_BATCH = {
    "text-embedding-v4": 10,
    "text-embedding-v3": 10,
    "text-embedding-v2": 25,
    "text-embedding-v1": 25,
}
QWEN_EMBEDDING_ROW_TOKENS = {
    "text-embedding-v4": 8192,
    "text-embedding-v3": 8192,
    "text-embedding-v2": 2048,
    "text-embedding-v1": 2048,
}
OPENAI_EMBEDDING_INPUTS = 2048
OPENAI_EMBEDDING_REQUEST_TOKENS = 300_000
OPENAI_EMBEDDING_INPUT_TOKENS = 8192  # "8192 tokens for all embedding models", per input

# Errors a marker ``[[stub:error=CODE]]`` injects: (status, code, message), from the reference;
# ``{model}`` in a message is the request's model name, as the service's own messages name it.
NAMED_ERRORS: dict[str, tuple[int, str, str]] = {
    "Arrearage": (400, "Arrearage", "Access denied, please make sure your account is in good standing."),
    "DataInspectionFailed": (400, "data_inspection_failed", "Input or output data may contain inappropriate content."),
    "InvalidApiKey": (401, "invalid_api_key", "Incorrect API key provided."),
    "AccessDenied": (403, "AccessDenied", "Access denied."),
    "AccessDenied.Unpurchased": (
        403,
        "AccessDenied.Unpurchased",
        "Access to model denied. Please make sure you are eligible for using the model.",
    ),
    "Model.AccessDenied": (403, "Model.AccessDenied", "Model access denied."),
    "AllocationQuota.FreeTierOnly": (
        403,
        "AllocationQuota.FreeTierOnly",
        "The free tier of the model has been exhausted.",
    ),
    "ModelNotFound": (404, "model_not_found", "The model {model} does not exist or you do not have access to it."),
    "model_not_supported": (404, "model_not_supported", "Unsupported model {model} for OpenAI compatibility mode."),
    "Throttling": (429, "Throttling", "Requests throttling triggered."),
    "Throttling.RateQuota": (429, "limit_requests", "Requests rate limit exceeded, please try again later."),
    "Throttling.BurstRate": (429, "limit_burst_rate", "Request rate increased too quickly."),
    "Throttling.AllocationQuota": (
        429,
        "insufficient_quota",
        "You exceeded your current quota, please check your plan and billing details.",
    ),
    "CommodityNotPurchased": (429, "CommodityNotPurchased", "Commodity has not purchased yet."),
    "PrepaidBillOverdue": (429, "PrepaidBillOverdue", "The prepaid bill is overdue."),
    "PostpaidBillOverdue": (429, "PostpaidBillOverdue", "The postpaid bill is overdue."),
    "FreeQuotaExceeded": (429, "Throttling.AllocationQuota", "Free allocated quota exceeded."),
    "openai.insufficient_quota": (
        429,
        "insufficient_quota",
        "You exceeded your current quota, please check your plan and billing details.",
    ),
    "InternalError": (500, "internal_error", "An internal error has occured, please try again later."),
    "InternalError.Algo": (500, "InternalError.Algo", "Role must be in [user, assistant]"),
    "RequestTimeOut": (500, "RequestTimeOut", "Request timed out, please try again later."),
    "ModelServingError": (
        503,
        "ModelServingError",
        "Too many requests. Your requests are being throttled due to system capacity limits.",
    ),
    "ModelUnavailable": (503, "ModelUnavailable", "Model is unavailable, please try again later."),
}


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str
    param: str | None = None

    def body(self) -> dict:
        kind = "invalid_request_error" if self.status < 500 else "server_error"
        return {
            "error": {"code": self.code, "param": self.param, "message": self.message, "type": kind},
            "id": "chatcmpl-stub-refused",
            "request_id": "stub-request",
        }


def _invalid(message: str, param: str | None = None, code: str = "invalid_parameter_error") -> Refusal:
    return Refusal(400, code, message, param)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def vendor(model: str) -> str:
    """Which service's rules a model name calls for: openai, deepseek or qwen (the default)."""
    name = model.lower()
    if name.startswith(("gpt-", "o1", "o3", "o4", "chatgpt", "text-embedding-3", "text-embedding-ada")):
        return "openai"
    if name.startswith("deepseek"):
        return "deepseek"
    return "qwen"


# ---------------------------------------------------------------------------- chat
def check_chat(payload: dict, batch: bool = False) -> Refusal | None:
    """The first rule ``payload`` breaks, or None. ``batch``: a line of a Batch API file, which
    the service answers without streaming whatever the model (its Beijing batch list includes
    the streaming-only qwq-plus), so the streaming rules do not apply."""
    model = payload.get("model")
    if not isinstance(model, str) or not model:
        return _invalid("model is required", "model")
    messages = payload.get("messages")
    if not isinstance(messages, list) or not messages:
        return _invalid("messages must be a non-empty list", "messages")
    checks = {"openai": OPENAI_CHAT_CHECKS, "deepseek": DEEPSEEK_CHAT_CHECKS}.get(vendor(model), QWEN_CHAT_CHECKS)
    for check in checks:
        if batch and check is _thinking:
            check = _thinking_in_batch
        refusal = check(payload)
        if refusal is not None:
            return refusal
    return None


QWEN_ROLES = ("system", "assistant", "user", "tool", "function")


def _messages(payload: dict) -> Refusal | None:
    for number, message in enumerate(payload["messages"]):
        if not isinstance(message, dict):
            return _invalid(f"messages[{number}] must be an object", "messages")
        if message.get("role") not in QWEN_ROLES:
            # Seen from compatible mode for role 'developer' (maotoumao/Cebian#46, DayuanJiang/next-ai-draw-io#304).
            return _invalid(
                f"{message.get('role')} is not one of {list(QWEN_ROLES)} - 'messages.['{number}].role'", "messages"
            )
        content = message.get("content")
        if not isinstance(content, str) or not content:
            return Refusal(
                400,
                "ServiceUnavailableError",
                "Role must be user or assistant and Content length must be greater than 0",
            )
    if payload["messages"][-1].get("role") != "user":
        return Refusal(500, "InternalError.Algo", "list index out of range")
    return None


def _openai_messages(payload: dict) -> Refusal | None:
    """OpenAI and DeepSeek take any role of theirs and empty content."""
    for message in payload["messages"]:
        if not isinstance(message, dict) or message.get("role") not in (
            "system",
            "developer",
            "user",
            "assistant",
            "tool",
        ):
            return _invalid("Invalid value for 'role'", "messages", "invalid_value")
        if not isinstance(message.get("content"), str):
            return _invalid("Invalid type for 'content': expected a string", "messages", "invalid_type")
    return None


def _qwen_mt(payload: dict) -> Refusal | None:
    family = qwen_family(payload["model"])
    if not family.translation:
        if "translation_options" in payload:
            return _invalid(f"The model {payload['model']} does not support translation_options", "translation_options")
        return None
    if any(m.get("role") != "user" for m in payload["messages"]):
        # Compatible mode today (HIllya51/LunaTranslator#2186, qwen-mt-flash, 2026-03): a 400. The
        # error-code page's older form, 500 InternalError.Algo, stays injectable (NAMED_ERRORS).
        return _invalid("Role must be in [user, assistant].")
    options = payload.get("translation_options")
    if not isinstance(options, dict) or not isinstance(options.get("target_lang"), str) or not options["target_lang"]:
        # The stub's reading: a translation model needs to be told the target language.
        return _invalid("translation_options.target_lang is required for Qwen-MT models", "translation_options")
    return None


def _qwen_ranges(payload: dict) -> Refusal | None:
    if "temperature" in payload and not (_number(payload["temperature"]) and 0 <= payload["temperature"] < 2):
        return _invalid("Range of temperature should be [0.0, 2.0)", "temperature")
    if "top_p" in payload and not (_number(payload["top_p"]) and 0 < payload["top_p"] <= 1):
        return _invalid("Range of top_p should be (0.0, 1.0]", "top_p")
    if "presence_penalty" in payload and not (
        _number(payload["presence_penalty"]) and -2 <= payload["presence_penalty"] <= 2
    ):
        return _invalid("Range of presence_penalty should be [-2.0, 2.0]", "presence_penalty")
    if "max_tokens" in payload and not (
        isinstance(payload["max_tokens"], int) and 1 <= payload["max_tokens"] <= MAX_TOKENS_LIMIT
    ):
        return _invalid(f"Range of max_tokens should be [1, {MAX_TOKENS_LIMIT}]", "max_tokens")
    if "seed" in payload:
        seed = payload["seed"]
        if not isinstance(seed, int) or seed < 0:
            return Refusal(400, "invalid_value", f"{seed} is lesser than the minimum of 0 - 'seed'", "seed")
        if seed > SEED_MAX:
            return Refusal(400, "invalid_value", f"{seed} is greater than the maximum of {SEED_MAX} - 'seed'", "seed")
    if "n" in payload:
        n = payload["n"]
        if not isinstance(n, int) or not 1 <= n <= 4:
            return _invalid("Range of n should be [1, 4]", "n")
        family = qwen_family(payload["model"])
        if n > 1 and (not family.multiple_choices or _thinks(payload)):
            return _invalid(f"The model {payload['model']} does not support n > 1 (or it is thinking)", "n")
    return _stop(payload, None)


def _stop(payload: dict, most: int | None) -> Refusal | None:
    if "stop" not in payload:
        return None
    stop = payload["stop"]
    if isinstance(stop, str):
        return None
    if not isinstance(stop, list) or not stop:
        return _invalid("stop must be a string or a list", "stop")
    if not (all(isinstance(s, str) for s in stop) or all(isinstance(s, int) for s in stop)):
        return _invalid("stop cannot mix strings and token ids", "stop")
    if most is not None and len(stop) > most:
        return _invalid(f"'stop' must have at most {most} items", "stop")
    return None


def _response_format(payload: dict) -> Refusal | None:
    fmt = payload.get("response_format")
    if fmt is None:
        return None
    if not isinstance(fmt, dict) or fmt.get("type") not in ("text", "json_object", "json_schema"):
        return _invalid("response_format.type must be text, json_object or json_schema", "response_format")
    if fmt.get("type") == "json_object":
        text = " ".join(str(m.get("content", "")) for m in payload["messages"] if isinstance(m, dict))
        if "json" not in text.lower():
            return _invalid(
                "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
                "response_format",
            )
    return None


def _thinks(payload: dict) -> bool:
    family = qwen_family(payload["model"])
    if family.thinking == ALWAYS:
        return True
    if family.thinking == NEVER:
        return False
    flag = payload.get("enable_thinking")
    return flag if isinstance(flag, bool) else family.thinking == ON


def _thinking(payload: dict) -> Refusal | None:
    model = payload["model"]
    family = qwen_family(model)
    if "enable_thinking" in payload:
        if not isinstance(payload["enable_thinking"], bool):
            return _invalid("enable_thinking must be a boolean", "enable_thinking")
        if family.thinking == NEVER:
            return Refusal(
                400, "InvalidParameter.NotSupportEnableThinking", f"The model {model} does not support enable_thinking"
            )
    if "thinking_budget" in payload and not (
        isinstance(payload["thinking_budget"], int) and payload["thinking_budget"] > 0
    ):
        return _invalid("thinking_budget must be a positive integer", "thinking_budget")
    if "stream_options" in payload and payload.get("stream") is not True:
        return _invalid("The stream_options parameter is only allowed when stream is enabled.", "stream_options")
    if payload.get("stream") is True:
        return None
    if family.thinking == ALWAYS:
        return _invalid("This model only support stream mode, please enable the stream parameter to access the model.")
    if _thinks(payload):
        return _invalid("parameter.enable_thinking must be set to false for non-streaming calls")
    return None


def _thinking_in_batch(payload: dict) -> Refusal | None:
    """The thinking rules a batch line keeps: the flag's type, the models that refuse it, the budget."""
    return _thinking({**payload, "stream": True})


def _openai_ranges(payload: dict) -> Refusal | None:
    if "temperature" in payload and not (_number(payload["temperature"]) and 0 <= payload["temperature"] <= 2):
        return _invalid("temperature must be in [0, 2]", "temperature", "invalid_value")
    if "top_p" in payload and not (_number(payload["top_p"]) and 0 <= payload["top_p"] <= 1):
        return _invalid("top_p must be in [0, 1]", "top_p", "invalid_value")
    if "n" in payload and not (isinstance(payload["n"], int) and 1 <= payload["n"] <= 128):
        return _invalid("n must be in [1, 128]", "n", "invalid_value")
    if "presence_penalty" in payload and not (
        _number(payload["presence_penalty"]) and -2 <= payload["presence_penalty"] <= 2
    ):
        return _invalid("presence_penalty must be in [-2, 2]", "presence_penalty", "invalid_value")
    model = payload["model"].lower()
    if "stop" in payload and (
        model == "o3" or (model.startswith("o3-") and not model.startswith("o3-mini")) or model.startswith("o4-mini")
    ):
        return _invalid(
            "Unsupported parameter: 'stop' is not supported with this model.", "stop", "unsupported_parameter"
        )
    if "max_tokens" in payload and model.startswith(("o1", "o3", "o4", "gpt-5")):
        return _invalid(
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
            "max_tokens",
            "unsupported_parameter",
        )
    for field in ("enable_thinking", "thinking_budget", "translation_options"):
        if field in payload:
            return _invalid(f"Unrecognized request argument supplied: {field}", field, "unknown_parameter")
    return _stop(payload, 4)


def _deepseek_ranges(payload: dict) -> Refusal | None:
    if "temperature" in payload and not (_number(payload["temperature"]) and 0 <= payload["temperature"] <= 2):
        return _invalid("temperature must be in [0, 2]", "temperature", "invalid_value")
    if "top_p" in payload and not (_number(payload["top_p"]) and 0 <= payload["top_p"] <= 1):
        return _invalid("top_p must be in [0, 1]", "top_p", "invalid_value")
    return _stop(payload, 16)


QWEN_CHAT_CHECKS = (_messages, _qwen_mt, _qwen_ranges, _response_format, _thinking)
OPENAI_CHAT_CHECKS = (_openai_messages, _openai_ranges, _response_format)
DEEPSEEK_CHAT_CHECKS = (_openai_messages, _deepseek_ranges, _response_format)


# ---------------------------------------------------------------------------- embeddings
def words(text: str) -> int:
    """The stub's token count: whitespace-separated words."""
    return len(text.split())


def check_embeddings(payload: dict) -> Refusal | None:
    model = payload.get("model")
    if not isinstance(model, str) or not model:
        return _invalid("model is required", "model")
    raw = payload.get("input")
    texts = [raw] if isinstance(raw, str) else raw
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        return _invalid("input must be a string or a non-empty list of strings", "input")
    which = vendor(model)
    if which == "deepseek":
        return Refusal(404, "not_found", "DeepSeek has no embeddings endpoint")
    if which == "openai":
        return _openai_embeddings(payload, model, texts)
    return _qwen_embeddings(payload, model, texts)


def _qwen_embeddings(payload: dict, model: str, texts: list[str]) -> Refusal | None:
    if any(t == "" for t in texts):
        return _invalid("input.contents must not contain empty strings", "input", "InvalidParameter")
    batch = QWEN_EMBEDDING_BATCH.get(model)
    if batch is not None and len(texts) > batch:
        return _invalid(
            f"batch size is invalid, it should not be larger than {batch}.: input.contents", "input", "InvalidParameter"
        )
    limit = QWEN_EMBEDDING_ROW_TOKENS.get(model)
    if limit is not None and any(words(t) > limit for t in texts):
        return _invalid(f"Range of input length should be [1, {limit}]", "input", "InvalidParameter")
    if payload.get("encoding_format", "float") != "float":
        return _invalid("Only float is supported for encoding_format", "encoding_format", "InvalidParameter")
    if "dimensions" in payload:
        allowed = QWEN_EMBEDDING_DIMENSIONS.get(model)
        dimension = payload["dimensions"]
        if not isinstance(dimension, int) or (allowed is not None and dimension not in allowed):
            return _invalid(f"dimension {dimension!r} is invalid for {model}", "dimensions", "InvalidParameter")
    return None


def _openai_embeddings(payload: dict, model: str, texts: list[str]) -> Refusal | None:
    allowed = {"model", "input", "encoding_format", "dimensions", "user"}
    unknown = sorted(set(payload) - allowed)
    if unknown:
        return _invalid(f"Unrecognized request argument supplied: {unknown[0]}", unknown[0], "unknown_parameter")
    if any(t == "" for t in texts):
        return _invalid(
            "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
            "input",
        )
    if len(texts) > OPENAI_EMBEDDING_INPUTS:
        return _invalid(f"'$.input' must have at most {OPENAI_EMBEDDING_INPUTS} items", "input")
    if sum(words(t) for t in texts) > OPENAI_EMBEDDING_REQUEST_TOKENS:
        return _invalid(
            f"Requested {sum(words(t) for t in texts)} tokens, max {OPENAI_EMBEDDING_REQUEST_TOKENS} tokens per request",
            "input",
        )
    longest = max(words(t) for t in texts)
    if longest > OPENAI_EMBEDDING_INPUT_TOKENS:
        return _invalid(
            f"This model's maximum context length is {OPENAI_EMBEDDING_INPUT_TOKENS} tokens, however you requested "
            f"{longest} tokens in an input. Please reduce your prompt.",
            "input",
        )
    if payload.get("encoding_format", "float") not in ("float", "base64"):
        return _invalid("encoding_format must be float or base64", "encoding_format")
    if "dimensions" in payload:
        if model == "text-embedding-ada-002":
            return _invalid("This model does not support specifying dimensions.", "dimensions")
        if not isinstance(payload["dimensions"], int) or payload["dimensions"] < 1:
            return _invalid("dimensions must be >= 1", "dimensions")
    return None
