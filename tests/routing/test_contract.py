import copy
import json

import pytest
from anthropic.lib._parse._transform import transform_schema

from routing.contract import (
    FACTS,
    FIELDS,
    NEXT_ACTIONS,
    ContractError,
    TriageOutput,
    triage_schema,
    validate,
)

CATEGORIES = ["sales_inquiry", "demo_request", "pricing_request", "support", "spam", "other"]
MESSAGE = (
    "From: Priya Raman <priya.raman@northwind-logistics.com>\n"
    "Subject: Demo request for our operations team (120 seats)\n\n"
    "I run operations at Northwind Logistics (about 900 employees). We are\n"
    "replacing our shared inbox and would like a demo for a team of 120 next week.\n"
    "Budget is approved for Q1 and I am the decision maker together with our CTO.\n"
    "Our budget is $50k a year.\n"
)


def good() -> dict:
    return {
        "category": "demo_request",
        "is_lead": True,
        "qualification": {
            "budget": {"value": "$50k a year", "evidence": "budget is $50k", "amount_usd": 50000},
            "authority": {"value": "decision maker", "evidence": "I am the decision maker"},
            "need": {"value": "120 seats", "evidence": "a team of 120"},
            "timeline": {"value": "next week", "evidence": "a demo for a team of 120 next week"},
            "company_size": {
                "value": "900 employees",
                "evidence": "about 900 employees",
                "employees": 900,
            },
        },
        "urgency": "high",
        "language": "en",
        "summary": "Head of Operations at Northwind (900 staff) wants a demo for 120 seats.",
        "next_action": "book_demo",
        "confidence": 0.86,
        "needs_escalation": False,
        "escalation_reason": "",
        "injection_suspected": False,
    }


def problems_of(raw, categories=CATEGORIES, message=MESSAGE) -> list[str]:
    with pytest.raises(ContractError) as caught:
        validate(raw, categories=categories, message_text=message)
    return caught.value.problems


def _objects(schema: dict, path: str = ""):
    """Every object schema inside `schema`, with where it is."""
    if schema.get("type") == "object":
        yield path or "/", schema
    for key, value in schema.get("properties", {}).items():
        yield from _objects(value, f"{path}/{key}")
    for variant in schema.get("anyOf", []):
        yield from _objects(variant, path)


# --- the schema -------------------------------------------------------------------------------


def test_it_closes_every_object_and_requires_every_property():
    schema = triage_schema(CATEGORIES)
    objects = list(_objects(schema))
    assert len(objects) == 7  # the answer, qualification, five facts
    for path, obj in objects:
        assert obj["additionalProperties"] is False, path
        assert sorted(obj["required"]) == sorted(obj["properties"]), path
    assert schema["required"] == list(FIELDS)
    assert schema["properties"]["qualification"]["required"] == list(FACTS)


def test_it_lists_the_given_categories_and_the_closed_sets():
    schema = triage_schema(["a", "b"])
    props = schema["properties"]
    assert props["category"]["enum"] == ["a", "b"]
    assert props["next_action"]["enum"] == list(NEXT_ACTIONS)
    assert props["urgency"]["enum"] == ["low", "normal", "high"]
    budget = props["qualification"]["properties"]["budget"]["properties"]
    size = props["qualification"]["properties"]["company_size"]["properties"]
    assert budget["amount_usd"]["anyOf"] == [{"type": "number"}, {"type": "null"}]
    assert size["employees"]["anyOf"] == [{"type": "integer"}, {"type": "null"}]
    with pytest.raises(ValueError):
        triage_schema([])


def test_it_builds_the_schema_once_per_category_set():
    assert triage_schema(["a", "b"]) is triage_schema(["a", "b"])
    assert triage_schema(["a", "b"]) is not triage_schema(["a", "c"])


def test_it_uses_only_keywords_structured_outputs_accept():
    """The SDK's own strict transform moves unsupported keywords (minimum, maxLength, pattern)
    into descriptions; our schema must come out of it unchanged."""
    schema = triage_schema(CATEGORIES)
    assert transform_schema(copy.deepcopy(schema)) == schema
    text = json.dumps(schema)
    for keyword in ("minimum", "maximum", "maxLength", "minLength", "pattern", "format"):
        assert f'"{keyword}"' not in text


# --- validation: good ----------------------------------------------------------------------------


def test_it_accepts_a_good_answer_as_json_text_or_dict():
    for raw in (json.dumps(good()), good()):
        out = validate(raw, categories=CATEGORIES, message_text=MESSAGE)
        assert isinstance(out, TriageOutput)
        assert out.category == "demo_request"
        assert out.qualification.employees == 900
        assert out.qualification.amount_usd == 50000
        assert out.confidence == 0.86


def test_it_round_trips_through_to_dict_as_plain_json():
    out = validate(good(), categories=CATEGORIES, message_text=MESSAGE)
    data = json.loads(json.dumps(out.to_dict()))
    assert data == good()
    assert validate(data, categories=CATEGORIES, message_text=MESSAGE) == out


def test_it_matches_quotes_across_case_whitespace_and_curly_quotes():
    answer = good()
    answer["qualification"]["need"]["evidence"] = "REPLACING   our shared\ninbox"
    answer["qualification"]["authority"]["evidence"] = "I am the decision maker … with our CTO"
    message = MESSAGE.replace("I am the decision", "I\u2019m not sure, I am the decision")
    answer["qualification"]["timeline"]["evidence"] = "I'm not sure"
    out = validate(answer, categories=CATEGORIES, message_text=message)
    assert out.qualification.need.evidence == "REPLACING our shared inbox"


def test_it_accepts_null_facts_with_empty_evidence_and_whole_number_floats():
    answer = good()
    answer["qualification"]["budget"] = {"value": None, "evidence": "", "amount_usd": None}
    answer["qualification"]["company_size"]["employees"] = 900.0
    answer["confidence"] = 1
    out = validate(answer, categories=CATEGORIES, message_text=MESSAGE)
    assert out.qualification.amount_usd is None
    assert out.qualification.employees == 900


# --- validation: bad -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("{not json", "not valid JSON"),
        ('{"category": NaN}', "not valid JSON"),
        ("[1, 2]", "not an object"),
        ("", "not valid JSON"),
        ('{"category": "spam", "category": "demo_request"}', "duplicate keys category"),
    ],
)
def test_it_rejects_malformed_json(raw, expected):
    problems = problems_of(raw)
    assert len(problems) == 1 and expected in problems[0]


def test_it_rejects_an_invented_category():
    answer = good()
    answer["category"] = "hot_enterprise_lead"
    assert problems_of(answer) == [
        "category: 'hot_enterprise_lead' is not one of the active categories"
    ]
    # A category that exists elsewhere but is not active for this call is invented too.
    assert problems_of(good(), categories=["support", "other"])[0].startswith("category:")


@pytest.mark.parametrize("confidence", [1.01, -0.1, "0.9", None, True, float("inf")])
def test_it_rejects_a_confidence_outside_0_to_1_or_not_a_number(confidence):
    answer = good()
    answer["confidence"] = confidence
    assert [p for p in problems_of(answer) if p.startswith("confidence")]


def test_it_rejects_evidence_that_is_not_in_the_message():
    answer = good()
    answer["qualification"]["budget"]["evidence"] = "budget of $2M signed by the board"
    problems = problems_of(answer)
    assert problems == [
        "qualification.budget.evidence: not found in the message: "
        "'budget of $2M signed by the board'"
    ]


def test_it_rejects_a_stated_fact_without_evidence():
    answer = good()
    answer["qualification"]["company_size"]["evidence"] = ""
    assert problems_of(answer) == [
        "qualification.company_size: a stated fact needs an evidence quote"
    ]


def test_it_rejects_missing_and_extra_keys():
    answer = good()
    del answer["summary"]
    answer["score"] = 100
    del answer["qualification"]["need"]["evidence"]
    answer["qualification"]["timeline"]["priority"] = "p1"
    assert sorted(problems_of(answer)) == sorted(
        [
            "summary: missing",
            "score: not in the contract",
            "qualification.need.evidence: missing",
            "qualification.timeline.priority: not in the contract",
        ]
    )


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("is_lead", "true", "is_lead: must be true or false"),
        ("needs_escalation", 1, "needs_escalation: must be true or false"),
        ("injection_suspected", None, "injection_suspected: must be true or false"),
        ("urgency", "critical", "urgency: 'critical' is not one of low, normal, high"),
        ("next_action", "assign_to_ceo", "next_action: 'assign_to_ceo' is not in the closed set"),
        ("language", "english", "language: 'english' is not an ISO 639-1 code"),
        ("language", "EN", "language: 'EN' is not an ISO 639-1 code"),
        ("language", "en\n", "language: 'en\\n' is not an ISO 639-1 code"),
        ("summary", "x" * 201, "summary: 201 characters, over 200"),
        ("summary", "  ", "summary: must not be empty"),
        ("summary", 42, "summary: must be a string"),
        ("qualification", [], "qualification: must be an object"),
    ],
)
def test_it_rejects_wrong_types_closed_sets_and_bounds(field, value, expected):
    answer = good()
    answer[field] = value
    assert problems_of(answer) == [expected]


def test_it_needs_a_reason_to_escalate():
    answer = good()
    answer["needs_escalation"] = True
    assert problems_of(answer) == ["escalation_reason: needed when needs_escalation is true"]
    answer["escalation_reason"] = "900 employees: enterprise rules apply"
    assert validate(answer, categories=CATEGORIES, message_text=MESSAGE).needs_escalation


@pytest.mark.parametrize(
    "fact, key, value, expected",
    [
        ("company_size", "employees", "900", "employees: must be an integer or null"),
        ("company_size", "employees", 0, "employees: must be at least 1"),
        ("company_size", "employees", 12.5, "employees: must be an integer or null"),
        ("budget", "amount_usd", -5, "amount_usd: must not be negative"),
        ("budget", "amount_usd", "50k", "amount_usd: must be a number or null"),
        ("budget", "evidence", "x" * 201, "evidence: 201 characters, over 200"),
    ],
)
def test_it_checks_the_numbers_and_quotes_inside_facts(fact, key, value, expected):
    answer = good()
    answer["qualification"][fact][key] = value
    assert any(expected in problem for problem in problems_of(answer))


def test_it_reports_every_problem_at_once():
    answer = good()
    answer["category"] = "vip"
    answer["confidence"] = 7
    answer["urgency"] = "now"
    assert len(problems_of(answer)) == 3
    error = ContractError(["a", "b"])
    assert str(error) == "a; b" and error.problems == ["a", "b"]
