"""The stub's rate-limit mode (sliding-window RPM and TPM, 429 Throttling.*), over real sockets;
the quota's clock is a fake one the test moves."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from qsql.stub import RateLimits, StubOptions, StubServer
from qsql.stub.ratelimit import SlidingWindowLimiter
from tests.conftest import CliRunner


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def serve(limits: RateLimits, time: FakeTime) -> StubServer:
    server = StubServer(options=StubOptions(rate_limits=limits))
    server.rate_limiter = SlidingWindowLimiter(limits, clock=time)
    return server


def chat(client: httpx.Client, server: StubServer, text: str) -> httpx.Response:
    body = {"model": "qwen-plus", "messages": [{"role": "user", "content": text}]}
    return client.post(f"{server.base_url}/chat/completions", json=body)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5, trust_env=False) as c:
        yield c


def test_requests_beyond_the_minute_quota_get_rate_quota_429(client: httpx.Client) -> None:
    time = FakeTime()
    with serve(RateLimits(requests_per_minute=3), time) as server:
        assert [chat(client, server, "hi").status_code for _ in range(3)] == [200, 200, 200]
        refused = chat(client, server, "hi")
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "limit_requests"  # compatible mode's Throttling.RateQuota
        assert "retry-after" not in refused.headers  # DashScope sends none
        time.now = 59.9
        assert chat(client, server, "hi").status_code == 429
        time.now = 60.0  # the first three leave the window together
        assert [chat(client, server, "hi").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert server.rate_limiter.refused_requests == 3


def test_the_window_slides(client: httpx.Client) -> None:
    time = FakeTime()
    with serve(RateLimits(requests_per_minute=2), time) as server:
        assert chat(client, server, "a").status_code == 200
        time.now = 30
        assert chat(client, server, "b").status_code == 200
        time.now = 59
        assert chat(client, server, "c").status_code == 429
        time.now = 60  # only the first one has left
        assert chat(client, server, "d").status_code == 200
        assert chat(client, server, "e").status_code == 429


def test_tokens_beyond_the_minute_quota_get_allocation_quota_429(client: httpx.Client) -> None:
    time = FakeTime()
    # "one two three" costs 3 prompt + 4 reply tokens ("[stub] one two three") = 7.
    with serve(RateLimits(tokens_per_minute=20), time) as server:
        assert chat(client, server, "one two three").json()["usage"]["total_tokens"] == 7
        assert chat(client, server, "one two three").status_code == 200
        refused = chat(client, server, "one two three")  # 21 > 20
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "insufficient_quota"  # Throttling.AllocationQuota
        assert chat(client, server, "x").status_code == 200  # 3 more tokens fit: 17
        time.now = 60
        assert chat(client, server, "one two three").status_code == 200
        assert server.rate_limiter.refused_tokens == 1


def test_a_scaled_minute() -> None:
    time = FakeTime()
    limiter = SlidingWindowLimiter(RateLimits(requests_per_minute=1, minute=6), clock=time)
    assert limiter.admit(1) is None
    time.now = 5.9
    assert limiter.admit(1) is not None
    time.now = 6
    assert limiter.admit(1) is None


def test_refused_requests_use_no_quota_and_unlimited_by_default(client: httpx.Client) -> None:
    with StubServer() as server:
        assert server.rate_limiter is None
        assert all(chat(client, server, "hi").status_code == 200 for _ in range(20))
    limiter = SlidingWindowLimiter(RateLimits(requests_per_minute=1), clock=FakeTime())
    assert limiter.admit(1) is None
    assert all(limiter.admit(1) is not None for _ in range(5))
    assert limiter.admitted == 1


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RateLimits(requests_per_minute=0)
    with pytest.raises(ValueError):
        RateLimits(minute=-1)


def test_stub_command_rate_limit_flags(cli: CliRunner) -> None:
    from qsql.cli import build_parser, stub_options

    options = stub_options(build_parser().parse_args(["stub", "--requests-per-minute", "2"]))
    with StubServer(options=options) as server, httpx.Client(timeout=5, trust_env=False) as client:
        url = f"{server.base_url}/chat/completions"
        body = {"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}]}
        assert [client.post(url, json=body).status_code for _ in range(3)] == [200, 200, 429]
    bad = cli("stub", "--requests-per-minute", "-1")
    assert bad.returncode == 2 and "must be positive" in bad.stderr


def test_an_openai_model_is_refused_in_openais_words(client: httpx.Client) -> None:
    with serve(RateLimits(requests_per_minute=1), FakeTime()) as server:
        body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
        assert client.post(f"{server.base_url}/chat/completions", json=body).status_code == 200
        refused = client.post(f"{server.base_url}/chat/completions", json=body)
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limit_exceeded"
