"""routing.llm against the fake Messages API, through the real SDK."""

import json
import time

import pytest

from routing import llm
from routing.llm import LlmError, LlmRequest, Response
from routing.prices import Usage
from tests.fakes.anthropic import FakeRaw

SCHEMA = {
    "type": "object",
    "properties": {"category": {"type": "string", "enum": ["demo_request", "support"]}},
    "required": ["category"],
    "additionalProperties": False,
}


def make_request(**overrides) -> LlmRequest:
    fields = {
        "model": "claude-haiku-5-5",
        "system": [
            {
                "type": "text",
                "text": "You triage inbound sales email. Rubric: ...",
                "cache_control": {"type": "ephemeral"},
            },
            {"type": "text", "text": "Today: Monday"},
        ],
        "messages": [{"role": "user", "content": "<email>We need a demo for 40 seats.</email>"}],
        "max_tokens": 300,
        "output_schema": SCHEMA,
    }
    return LlmRequest(**{**fields, **overrides})


class Attempts(list):
    """An on_attempt callback that keeps what it was given."""

    def __call__(self, attempt_no, outcome):
        self.append((attempt_no, outcome))


@pytest.fixture
def sleeps(monkeypatch):
    """The backoff delays asked for, without waiting them out."""
    asked = []
    monkeypatch.setattr(llm.time, "sleep", asked.append)
    return asked


# --- What is sent


def test_it_sends_model_system_schema_and_max_tokens(fake_anthropic):
    llm.call(make_request())

    sent = fake_anthropic.last_request.json
    assert fake_anthropic.last_request.path == "/v1/messages"
    assert sent["model"] == "claude-haiku-5-5"
    assert sent["max_tokens"] == 300
    assert sent["system"] == [
        {
            "type": "text",
            "text": "You triage inbound sales email. Rubric: ...",
            "cache_control": {"type": "ephemeral"},
        },
        {"type": "text", "text": "Today: Monday"},
    ]
    assert sent["messages"] == [
        {"role": "user", "content": "<email>We need a demo for 40 seats.</email>"}
    ]
    assert sent["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}}


def test_it_never_sends_sampling_parameters_or_tool_choice(fake_anthropic):
    llm.call(make_request())

    sent = fake_anthropic.last_request.json
    for forbidden in ("temperature", "top_p", "top_k", "tool_choice", "tools", "stream"):
        assert forbidden not in sent


def test_it_leaves_out_output_config_and_system_when_not_given(fake_anthropic):
    llm.call(make_request(output_schema=None, system=[]))

    sent = fake_anthropic.last_request.json
    assert "output_config" not in sent
    assert "system" not in sent


def test_it_authenticates_with_a_bearer_key(fake_anthropic):
    llm.call(make_request())

    assert fake_anthropic.last_request.headers["authorization"] == "Bearer sk-test"


def test_it_turns_the_sdk_retries_off(fake_anthropic):
    assert llm.get_client().max_retries == 0


def test_it_uses_the_timeout_setting(fake_anthropic, settings):
    settings.ANTHROPIC_TIMEOUT = 7

    assert llm.get_client().timeout == 7


# --- What comes back


def test_it_parses_text_usage_request_id_and_stop_reason(fake_anthropic):
    fake_anthropic.reply(
        {"category": "demo_request"},
        usage={
            "input_tokens": 812,
            "output_tokens": 64,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 4100,
        },
        model="claude-haiku-5-5-20261101",
    )

    response = llm.call(make_request())

    assert json.loads(response.text) == {"category": "demo_request"}
    assert response.stop_reason == "end_turn"
    assert response.usage == Usage(
        input_tokens=812,
        output_tokens=64,
        cache_creation_input_tokens=0,
        cache_read_input_tokens=4100,
    )
    assert response.request_id.startswith("req_fake_")
    assert response.model == "claude-haiku-5-5-20261101"
    assert response.attempt == 1
    assert response.latency_ms >= 0


def test_it_maps_the_cache_creation_split(fake_anthropic):
    fake_anthropic.reply(
        "{}",
        usage={
            "cache_creation_input_tokens": 5000,
            "cache_creation": {
                "ephemeral_5m_input_tokens": 3000,
                "ephemeral_1h_input_tokens": 2000,
            },
        },
    )

    usage = llm.call(make_request()).usage

    assert usage.cache_creation_input_tokens == 5000
    assert usage.cache_creation_5m_tokens == 3000
    assert usage.cache_creation_1h_tokens == 2000


def test_it_leaves_the_split_empty_when_the_api_gives_none(fake_anthropic):
    fake_anthropic.reply("{}", usage={"cache_creation_input_tokens": 5000})

    usage = llm.call(make_request()).usage

    assert usage.cache_creation_input_tokens == 5000
    assert usage.cache_creation_5m_tokens is None
    assert usage.cache_creation_1h_tokens is None


def test_it_joins_the_text_blocks(fake_anthropic):
    message = {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-5-5",
        "content": [
            {"type": "thinking", "thinking": "hmm", "signature": "sig"},
            {"type": "text", "text": '{"category": '},
            {"type": "text", "text": '"support"}'},
        ],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 5},
    }
    fake_anthropic.queue(FakeRaw(json.dumps(message).encode()))

    assert json.loads(llm.call(make_request()).text) == {"category": "support"}


def test_it_returns_a_refusal_for_the_caller_to_handle(fake_anthropic):
    fake_anthropic.refusal()

    response = llm.call(make_request())

    assert response.stop_reason == "refusal"
    assert response.text == ""
    assert len(fake_anthropic.requests) == 1


def test_it_returns_usage_none_when_the_response_has_none(fake_anthropic):
    fake_anthropic.reply_without_usage({"category": "support"})

    response = llm.call(make_request())

    assert response.usage is None
    assert json.loads(response.text) == {"category": "support"}


def test_it_returns_text_that_breaks_the_schema_for_the_caller_to_validate(fake_anthropic):
    fake_anthropic.reply_off_schema({"category": "hot", "extra": 1})

    assert json.loads(llm.call(make_request()).text) == {"category": "hot", "extra": 1}


# --- Retries


def test_it_retries_an_overload_and_reports_both_attempts(fake_anthropic):
    fake_anthropic.overloaded()
    fake_anthropic.reply({"category": "support"})
    attempts = Attempts()

    response = llm.call(make_request(), on_attempt=attempts)

    assert response.attempt == 2
    assert len(fake_anthropic.requests) == 2
    assert [number for number, _ in attempts] == [1, 2]
    failed, succeeded = attempts[0][1], attempts[1][1]
    assert isinstance(failed, LlmError)
    assert failed.permanent is False
    assert failed.status == 529
    assert failed.error_type == "overloaded_error"
    assert failed.request_id.startswith("req_")
    assert failed.latency_ms >= 0
    assert succeeded is response


def test_it_honours_retry_after_ms(fake_anthropic):
    fake_anthropic.rate_limited(retry_after_ms=300)
    fake_anthropic.reply("{}")
    started = time.monotonic()

    llm.call(make_request())

    assert time.monotonic() - started >= 0.3
    assert len(fake_anthropic.requests) == 2


def test_it_honours_retry_after_in_seconds(fake_anthropic, sleeps):
    fake_anthropic.fail(429, "rate_limit_error", "slow down", headers={"retry-after": "3"})
    fake_anthropic.reply("{}")

    llm.call(make_request())

    assert len(sleeps) == 1
    assert 3 <= sleeps[0] <= 3.3


def test_it_caps_a_long_retry_after(fake_anthropic, settings, sleeps):
    settings.ANTHROPIC_RETRY_AFTER_CAP = 20
    fake_anthropic.fail(429, "rate_limit_error", "slow down", headers={"retry-after": "3600"})
    fake_anthropic.reply("{}")

    llm.call(make_request())

    assert 20 <= sleeps[0] <= 22


def test_it_backs_off_exponentially_without_retry_after(fake_anthropic, settings, sleeps):
    settings.ANTHROPIC_BACKOFF_MS = 1000
    for _ in range(3):
        fake_anthropic.server_error()
    fake_anthropic.reply("{}")

    llm.call(make_request(), attempts=4)

    assert len(sleeps) == 3
    assert 0.5 <= sleeps[0] <= 1
    assert 1 <= sleeps[1] <= 2
    assert 2 <= sleeps[2] <= 4


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 529])
def test_it_retries_transient_statuses(fake_anthropic, status):
    fake_anthropic.fail(status, "api_error", "try again")
    fake_anthropic.reply("{}")

    assert llm.call(make_request()).attempt == 2


def test_it_gives_up_after_the_attempts_with_a_transient_error(fake_anthropic):
    for _ in range(3):
        fake_anthropic.overloaded()
    attempts = Attempts()

    with pytest.raises(LlmError) as raised:
        llm.call(make_request(), attempts=3, on_attempt=attempts)

    assert raised.value.permanent is False
    assert raised.value.attempt == 3
    assert len(fake_anthropic.requests) == 3
    assert [number for number, _ in attempts] == [1, 2, 3]
    assert attempts[-1][1] is raised.value


def test_it_takes_the_attempts_from_settings(fake_anthropic, settings):
    settings.ANTHROPIC_MAX_ATTEMPTS = 2
    for _ in range(3):
        fake_anthropic.server_error()

    with pytest.raises(LlmError):
        llm.call(make_request())

    assert len(fake_anthropic.requests) == 2


def test_it_never_retries_a_spend_limit(fake_anthropic):
    fake_anthropic.spend_limit()
    fake_anthropic.reply("{}")
    attempts = Attempts()

    with pytest.raises(LlmError) as raised:
        llm.call(make_request(), on_attempt=attempts)

    assert raised.value.permanent is True
    assert raised.value.spend_limit is True
    assert raised.value.status == 429
    assert raised.value.error_type == "enforced_spend_limit_reached"
    assert len(fake_anthropic.requests) == 1
    assert len(attempts) == 1


def test_it_retries_a_plain_rate_limit(fake_anthropic):
    fake_anthropic.rate_limited()
    fake_anthropic.reply("{}")

    response = llm.call(make_request())

    assert response.attempt == 2


@pytest.mark.parametrize(
    ("script", "status"),
    [
        (lambda fake: fake.unauthorized(), 401),
        (lambda fake: fake.forbidden(), 403),
        (lambda fake: fake.bad_request(), 400),
        (lambda fake: fake.fail(404, "not_found_error", "model: claude-nope"), 404),
        (lambda fake: fake.fail(413, "request_too_large", "too large"), 413),
    ],
)
def test_it_never_retries_permanent_errors(fake_anthropic, script, status):
    script(fake_anthropic)
    fake_anthropic.reply("{}")
    attempts = Attempts()

    with pytest.raises(LlmError) as raised:
        llm.call(make_request(), on_attempt=attempts)

    assert raised.value.permanent is True
    assert raised.value.spend_limit is False
    assert raised.value.status == status
    assert raised.value.request_id.startswith("req_")
    assert len(fake_anthropic.requests) == 1
    assert len(attempts) == 1


def test_it_retries_timeouts_then_gives_up(fake_anthropic, settings):
    settings.ANTHROPIC_TIMEOUT = 0.2
    for _ in range(3):
        fake_anthropic.slow(5)
    attempts = Attempts()

    with pytest.raises(LlmError) as raised:
        llm.call(make_request(), attempts=3, on_attempt=attempts)

    assert raised.value.permanent is False
    assert raised.value.error_type == "timeout"
    assert raised.value.status is None
    assert raised.value.latency_ms >= 200
    assert len(fake_anthropic.requests) == 3
    assert [error.error_type for _, error in attempts] == ["timeout"] * 3


def test_it_recovers_after_a_timeout(fake_anthropic, settings):
    settings.ANTHROPIC_TIMEOUT = 0.2
    fake_anthropic.slow(5)
    fake_anthropic.reply({"category": "support"})

    assert llm.call(make_request()).attempt == 2


def test_it_treats_malformed_json_as_transient(fake_anthropic):
    fake_anthropic.malformed()

    with pytest.raises(LlmError) as raised:
        llm.call(make_request(), attempts=1)

    assert raised.value.permanent is False
    assert raised.value.error_type == "malformed_response"


def test_it_retries_malformed_json(fake_anthropic):
    fake_anthropic.malformed()
    fake_anthropic.reply("{}")

    assert llm.call(make_request()).attempt == 2


def test_it_treats_a_page_that_is_not_json_as_transient(fake_anthropic):
    fake_anthropic.malformed(b"<html>Bad gateway</html>", content_type="text/html")

    with pytest.raises(LlmError) as raised:
        llm.call(make_request(), attempts=1)

    assert raised.value.permanent is False
    assert raised.value.error_type == "malformed_response"


def test_it_retries_a_dropped_connection(fake_anthropic):
    fake_anthropic.drop_connection()
    fake_anthropic.reply("{}")
    attempts = Attempts()

    llm.call(make_request(), on_attempt=attempts)

    assert attempts[0][1].error_type == "connection_error"
    assert attempts[0][1].permanent is False


def test_it_lets_an_on_attempt_failure_through(fake_anthropic):
    def broken(attempt_no, outcome):
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError, match="database down"):
        llm.call(make_request(), on_attempt=broken)


# --- The client


def test_it_reuses_one_client_across_calls(fake_anthropic):
    llm.call(make_request())
    first = llm.get_client()
    llm.call(make_request())

    assert llm.get_client() is first


def test_it_rebuilds_the_client_when_the_settings_change(fake_anthropic, settings):
    first = llm.get_client()
    settings.ANTHROPIC_API_KEY = "sk-rotated"

    llm.call(make_request())

    assert llm.get_client() is not first
    assert fake_anthropic.last_request.headers["authorization"] == "Bearer sk-rotated"


def test_it_refuses_to_call_without_a_key(fake_anthropic, settings):
    settings.ANTHROPIC_API_KEY = ""
    attempts = Attempts()

    with pytest.raises(LlmError) as raised:
        llm.call(make_request(), on_attempt=attempts)

    assert raised.value.permanent is True
    assert raised.value.error_type == "not_configured"
    assert fake_anthropic.requests == []
    assert attempts == []


# --- Token counting


def test_it_counts_tokens(fake_anthropic):
    fake_anthropic.count(1234)

    assert llm.count_tokens(make_request()) == 1234

    sent = fake_anthropic.last_request
    assert sent.path == "/v1/messages/count_tokens"
    assert sent.json["model"] == "claude-haiku-5-5"
    assert sent.json["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert sent.json["output_config"]["format"]["schema"] == SCHEMA
    assert "max_tokens" not in sent.json


def test_it_retries_a_token_count(fake_anthropic):
    fake_anthropic.overloaded(endpoint="count_tokens")
    fake_anthropic.count(99)

    assert llm.count_tokens(make_request()) == 99


# --- Batches


def test_it_round_trips_a_batch(fake_anthropic):
    fake_anthropic.reply(
        {"category": "demo_request"}, usage={"input_tokens": 800, "output_tokens": 40}
    )
    fake_anthropic.bad_request("max_tokens: too large")

    batch_id = llm.submit_batch([("lead-1", make_request()), ("lead-2", make_request())])
    first = llm.batch_status(batch_id)
    second = llm.batch_status(batch_id)
    results = dict(llm.batch_results(batch_id))

    sent = fake_anthropic.requests_to("/v1/messages/batches")[0].json
    assert [item["custom_id"] for item in sent["requests"]] == ["lead-1", "lead-2"]
    assert sent["requests"][0]["params"] == make_request().params()
    assert first["processing_status"] == "in_progress"
    assert first["counts"]["processing"] == 2
    assert second == {
        "processing_status": "ended",
        "counts": {"processing": 0, "succeeded": 1, "errored": 1, "canceled": 0, "expired": 0},
    }
    succeeded, errored = results["lead-1"], results["lead-2"]
    assert isinstance(succeeded, Response)
    assert json.loads(succeeded.text) == {"category": "demo_request"}
    assert succeeded.usage.input_tokens == 800
    assert succeeded.request_id is None
    assert succeeded.latency_ms is None
    assert isinstance(errored, LlmError)
    assert errored.permanent is True
    assert errored.error_type == "invalid_request_error"
    assert errored.status == 400


def test_it_reports_expired_and_overloaded_batch_requests_as_transient(fake_anthropic):
    fake_anthropic.overloaded()
    batch_id = llm.submit_batch([("a", make_request()), ("b", make_request())])
    fake_anthropic.batches[batch_id].results["b"] = {"type": "expired"}
    fake_anthropic.batches[batch_id].polls_left = 0

    results = dict(llm.batch_results(batch_id))

    assert results["a"].permanent is False
    assert results["a"].error_type == "overloaded_error"
    assert results["b"].permanent is False
    assert results["b"].error_type == "expired"


def test_it_raises_when_batch_results_are_not_ready(fake_anthropic):
    fake_anthropic.batch_polls = 10
    batch_id = llm.submit_batch([("a", make_request())])

    with pytest.raises(LlmError) as raised:
        list(llm.batch_results(batch_id))

    assert raised.value.permanent is False
    assert raised.value.error_type == "batch_not_ended"


def test_it_does_not_retry_a_batch_submission(fake_anthropic):
    fake_anthropic.overloaded(endpoint="batch_create")

    with pytest.raises(LlmError) as raised:
        llm.submit_batch([("a", make_request())])

    assert raised.value.permanent is False
    assert len(fake_anthropic.requests) == 1


def test_it_reports_an_unknown_batch_as_permanent(fake_anthropic):
    with pytest.raises(LlmError) as raised:
        llm.batch_status("msgbatch_nope")

    assert raised.value.permanent is True
    assert raised.value.status == 404
