"""The fake Messages API speaks enough of the protocol for the real `anthropic` SDK."""

import json
import time
import urllib.error
import urllib.request

import anthropic
import pytest

from tests.fakes.anthropic import FakeAnthropic, FakeMessage

MESSAGES = [{"role": "user", "content": "We need a demo for 40 seats."}]


@pytest.fixture
def fake():
    with FakeAnthropic() as fake:
        yield fake


@pytest.fixture
def sdk(fake):
    client = anthropic.Anthropic(
        api_key="sk-test", base_url=fake.base_url, max_retries=0, timeout=5
    )
    yield client
    client.close()


def create(sdk, **overrides):
    params = {"model": "claude-haiku-5-5", "max_tokens": 100, "messages": MESSAGES}
    return sdk.messages.create(**{**params, **overrides})


def post(url, body, headers):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_it_answers_a_plain_messages_create(fake, sdk):
    fake.reply({"category": "demo_request"})

    message = create(sdk)

    assert message.type == "message"
    assert message.role == "assistant"
    assert message.model == "claude-haiku-5-5"
    assert message.content[0].type == "text"
    assert json.loads(message.content[0].text) == {"category": "demo_request"}
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens > 0
    assert message.usage.output_tokens > 0
    assert message.usage.cache_read_input_tokens == 0
    assert message._request_id.startswith("req_")


def test_it_gives_every_response_its_own_request_id(fake, sdk):
    fake.reply("a")
    fake.reply("b")

    ids = {create(sdk)._request_id, create(sdk)._request_id}

    assert len(ids) == 2


def test_it_answers_json_with_a_request_id_header(fake):
    status, headers, body = post(
        f"{fake.base_url}/v1/messages",
        {"model": "claude-haiku-5-5", "max_tokens": 10, "messages": MESSAGES},
        {"content-type": "application/json", "x-api-key": "sk-test"},
    )

    assert status == 200
    assert headers["content-type"] == "application/json"
    assert headers["request-id"].startswith("req_")
    assert body["type"] == "message"


def test_it_accepts_x_api_key_as_well_as_bearer(fake, sdk):
    status, _, _ = post(
        f"{fake.base_url}/v1/messages",
        {"model": "m", "max_tokens": 10, "messages": MESSAGES},
        {"content-type": "application/json", "x-api-key": "sk-test"},
    )
    create(sdk)

    assert status == 200
    assert fake.requests[0].headers["x-api-key"] == "sk-test"
    assert fake.requests[1].headers["authorization"] == "Bearer sk-test"


def test_it_rejects_a_missing_key_with_401(fake):
    status, headers, body = post(
        f"{fake.base_url}/v1/messages",
        {"model": "m", "max_tokens": 10, "messages": MESSAGES},
        {"content-type": "application/json"},
    )

    assert status == 401
    assert body["type"] == "error"
    assert body["error"]["type"] == "authentication_error"
    assert body["request_id"] == headers["request-id"]


def test_it_rejects_a_wrong_key_when_one_is_expected():
    with FakeAnthropic(api_key="sk-right") as fake:
        client = anthropic.Anthropic(api_key="sk-wrong", base_url=fake.base_url, max_retries=0)
        with pytest.raises(anthropic.AuthenticationError):
            create(client)
        client.close()


def test_it_records_what_was_sent(fake, sdk):
    create(sdk, system=[{"type": "text", "text": "rubric"}])

    request = fake.last_request
    assert request.method == "POST"
    assert request.path == "/v1/messages"
    assert request.headers["anthropic-version"]
    assert request.json["model"] == "claude-haiku-5-5"
    assert request.json["system"] == [{"type": "text", "text": "rubric"}]
    assert fake.requests_to("/v1/messages") == [request]


def test_it_answers_from_the_default_when_nothing_is_scripted(fake, sdk):
    fake.default = lambda request: {"tier": request["model"]}

    haiku = create(sdk, model="claude-haiku-5-5")
    sonnet = create(sdk, model="claude-sonnet-5-5")

    assert json.loads(haiku.content[0].text) == {"tier": "claude-haiku-5-5"}
    assert json.loads(sonnet.content[0].text) == {"tier": "claude-sonnet-5-5"}


def test_it_lets_the_default_return_any_answer(fake, sdk):
    fake.default = lambda request: FakeMessage("{}", stop_reason="max_tokens")

    assert create(sdk).stop_reason == "max_tokens"


def test_it_serves_scripted_answers_before_the_default(fake, sdk):
    fake.default = lambda request: "default"
    fake.reply("scripted")

    assert [create(sdk).content[0].text for _ in range(2)] == ["scripted", "default"]


def test_it_reports_the_usage_it_was_given(fake, sdk):
    fake.reply(
        "{}",
        usage={
            "input_tokens": 812,
            "output_tokens": 64,
            "cache_creation_input_tokens": 100,
            "cache_creation": {"ephemeral_5m_input_tokens": 60, "ephemeral_1h_input_tokens": 40},
        },
        model="claude-haiku-5-5-20261101",
    )

    message = create(sdk)

    assert message.model == "claude-haiku-5-5-20261101"
    assert message.usage.input_tokens == 812
    assert message.usage.cache_creation.ephemeral_5m_input_tokens == 60
    assert message.usage.cache_creation.ephemeral_1h_input_tokens == 40


def test_it_counts_tokens_by_estimate_or_script(fake, sdk):
    estimated = sdk.messages.count_tokens(model="claude-haiku-5-5", messages=MESSAGES)
    fake.count(4242)
    scripted = sdk.messages.count_tokens(model="claude-haiku-5-5", messages=MESSAGES)

    assert estimated.input_tokens > 0
    assert scripted.input_tokens == 4242
    assert [r.path for r in fake.requests] == ["/v1/messages/count_tokens"] * 2


def test_it_round_trips_a_batch(fake, sdk):
    fake.reply({"category": "demo_request"})
    fake.bad_request("max_tokens: too large")
    params = {"model": "claude-haiku-5-5", "max_tokens": 100, "messages": MESSAGES}

    created = sdk.messages.batches.create(
        requests=[
            {"custom_id": "lead-1", "params": params},
            {"custom_id": "lead-2", "params": params},
        ]
    )
    polled = sdk.messages.batches.retrieve(created.id)
    ended = sdk.messages.batches.retrieve(created.id)
    results = {item.custom_id: item.result for item in sdk.messages.batches.results(created.id)}

    assert created.id.startswith("msgbatch_")
    assert created.processing_status == "in_progress"
    assert created.request_counts.processing == 2
    assert created.results_url is None
    assert polled.processing_status == "in_progress"
    assert ended.processing_status == "ended"
    assert ended.request_counts.succeeded == 1
    assert ended.request_counts.errored == 1
    assert ended.results_url == f"{fake.base_url}/v1/messages/batches/{created.id}/results"
    assert results["lead-1"].type == "succeeded"
    assert json.loads(results["lead-1"].message.content[0].text) == {"category": "demo_request"}
    assert results["lead-1"].message.usage.input_tokens > 0
    assert results["lead-2"].type == "errored"
    assert results["lead-2"].error.error.type == "invalid_request_error"
    assert fake.requests[-1].path == f"/v1/messages/batches/{created.id}/results"
    assert fake.batches[created.id].requests[0]["params"] == params


def test_it_has_no_results_url_before_the_batch_ends(fake, sdk):
    params = {"model": "m", "max_tokens": 10, "messages": MESSAGES}
    fake.batch_polls = 5
    created = sdk.messages.batches.create(requests=[{"custom_id": "a", "params": params}])

    with pytest.raises(anthropic.AnthropicError, match="results_url"):
        list(sdk.messages.batches.results(created.id))


def test_it_answers_404_for_unknown_paths_and_batches(fake, sdk):
    with pytest.raises(anthropic.NotFoundError):
        sdk.messages.batches.retrieve("msgbatch_nope")


def test_it_fails_batch_endpoints_on_demand(fake, sdk):
    fake.overloaded(endpoint="batch_create")

    with pytest.raises(anthropic.OverloadedError):
        sdk.messages.batches.create(
            requests=[
                {"custom_id": "a", "params": {"model": "m", "max_tokens": 5, "messages": MESSAGES}}
            ]
        )


@pytest.mark.parametrize(
    ("script", "error_class", "status", "error_type"),
    [
        (lambda fake: fake.rate_limited(), anthropic.RateLimitError, 429, "rate_limit_error"),
        (lambda fake: fake.overloaded(), anthropic.OverloadedError, 529, "overloaded_error"),
        (lambda fake: fake.server_error(), anthropic.InternalServerError, 500, "api_error"),
        (
            lambda fake: fake.unauthorized(),
            anthropic.AuthenticationError,
            401,
            "authentication_error",
        ),
        (lambda fake: fake.forbidden(), anthropic.PermissionDeniedError, 403, "permission_error"),
        (lambda fake: fake.bad_request(), anthropic.BadRequestError, 400, "invalid_request_error"),
    ],
)
def test_it_injects_api_errors(fake, sdk, script, error_class, status, error_type):
    script(fake)

    with pytest.raises(error_class) as raised:
        create(sdk)

    assert raised.value.status_code == status
    assert raised.value.type == error_type
    assert raised.value.request_id.startswith("req_")
    assert raised.value.body["request_id"] == raised.value.request_id


def test_it_asks_for_a_short_retry_after_on_rate_limits(fake, sdk):
    fake.rate_limited(retry_after_ms=25)

    with pytest.raises(anthropic.RateLimitError) as raised:
        create(sdk)

    assert raised.value.response.headers["retry-after-ms"] == "25"
    assert "retry-after" not in raised.value.response.headers


def test_it_answers_a_spend_limit_like_the_api(fake, sdk):
    fake.spend_limit()

    with pytest.raises(anthropic.EnforcedSpendLimitReachedError) as raised:
        create(sdk)

    assert raised.value.status_code == 429
    assert raised.value.type == "rate_limit_error"
    assert raised.value.error_code == "enforced_spend_limit_reached"


def test_it_answers_slowly_past_the_client_timeout(fake):
    fake.slow(5)
    client = anthropic.Anthropic(
        api_key="sk-test", base_url=fake.base_url, max_retries=0, timeout=0.2
    )

    with pytest.raises(anthropic.APITimeoutError):
        create(client)
    client.close()


def test_it_wakes_slow_answers_when_stopped():
    fake = FakeAnthropic().start()
    fake.slow(30)
    client = anthropic.Anthropic(
        api_key="sk-test", base_url=fake.base_url, max_retries=0, timeout=0.1
    )
    with pytest.raises(anthropic.APITimeoutError):
        create(client)
    started = time.monotonic()

    fake.stop()

    assert time.monotonic() - started < 10
    client.close()


def test_it_sends_a_malformed_json_body(fake, sdk):
    fake.malformed()

    # Not an AnthropicError: the SDK lets the JSON decoder's error through.
    with pytest.raises(json.JSONDecodeError):
        create(sdk)


def test_it_sends_a_page_that_is_not_json(fake, sdk):
    fake.malformed(b"<html>Bad gateway</html>", content_type="text/html")

    assert create(sdk) == "<html>Bad gateway</html>"


def test_it_drops_a_connection(fake, sdk):
    fake.drop_connection()

    with pytest.raises(anthropic.APIConnectionError):
        create(sdk)


def test_it_sends_text_that_is_not_json_or_breaks_the_schema(fake, sdk):
    fake.reply_not_json("Sure! Here you go.")
    fake.reply_off_schema({"verdict": "hot"})

    assert create(sdk).content[0].text == "Sure! Here you go."
    assert json.loads(create(sdk).content[0].text) == {"verdict": "hot"}


def test_it_sends_a_refusal(fake, sdk):
    fake.refusal()

    message = create(sdk)

    assert message.stop_reason == "refusal"
    assert message.stop_details.type == "refusal"


def test_it_sends_a_message_without_usage(fake, sdk):
    fake.reply_without_usage({"category": "demo_request"})

    message = create(sdk)

    assert message.usage is None
    assert "usage" not in json.dumps(message.to_dict())
