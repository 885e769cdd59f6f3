"""routing.rules: conditions, actions, ordering and validation. Pure: no database."""

from dataclasses import replace
from decimal import Decimal

import pytest

from routing.rules import FIELDS, LeadFacts, Outcome, RuleSpec, describe, evaluate, validate_rule

FACTS = LeadFacts(
    sender="dana@acme-widgets.com",
    domain="acme-widgets.com",
    subject="Pricing for 40 seats",
    body="Hi! We would like a demo for our team of 40 next week. Größe: 40",
    channel="email",
    form="demo-request",
    language="de",
    category="pricing",
    score=72,
    hygiene="auto_reply",
)


def rule(*conditions, actions=None, match="all", id=1, name="r"):
    return RuleSpec(
        id=id,
        name=name,
        match=match,
        conditions=list(conditions),
        actions=actions if actions is not None else [{"action": "set_queue", "value": "sales"}],
    )


def cond(field, operator, value):
    return {"field": field, "operator": operator, "value": value}


def matches(condition, facts=FACTS) -> bool:
    return bool(evaluate([rule(condition)], facts).matched)


# Every operator on every text field, both ways; strings compare casefolded.
TEXT_CASES = [
    ("sender", "DANA@Acme-Widgets.com", "acme", "^dana@", "x@y.com"),
    ("domain", "ACME-widgets.com", "WIDGETS", r"\.com$", "beta.io"),
    ("subject", "pricing FOR 40 seats", "SEATS", r"\bpricing\b", "invoice"),
    ("body", FACTS.body.upper(), "demo for", r"team of \d+", "refund"),
    ("channel", "EMAIL", "mai", "^e", "form"),
    ("form", "Demo-Request", "DEMO", "request$", "contact"),
    ("language", "DE", "d", "^de$", "fr"),
    ("category", "Pricing", "pric", "^pri", "support"),
    ("hygiene", "AUTO_REPLY", "auto", "reply$", "bounce"),
]


@pytest.mark.parametrize("field, equal, part, pattern, other", TEXT_CASES)
def test_it_matches_every_text_operator_on_every_text_field(field, equal, part, pattern, other):
    assert matches(cond(field, "equals", equal))
    assert matches(cond(field, "equals", f"  {equal} "))
    assert not matches(cond(field, "equals", part))
    assert not matches(cond(field, "equals", other))
    assert matches(cond(field, "contains", part))
    assert not matches(cond(field, "contains", other))
    assert matches(cond(field, "regex", pattern))
    assert not matches(cond(field, "regex", other))
    assert matches(cond(field, "in_list", [other, equal]))
    assert matches(cond(field, "in_list", f"{other}, {equal}"))
    assert matches(cond(field, "in_list", f"{other}\n{equal}\n"))
    assert not matches(cond(field, "in_list", [other]))
    assert not matches(cond(field, "in_list", [part]))
    # Numeric comparisons never match text.
    assert not matches(cond(field, "at_least", 0))
    assert not matches(cond(field, "at_most", 10**9))


def test_it_casefolds_rather_than_lowercases():
    assert matches(cond("body", "contains", "grösse"))  # "ß" folds to "ss"
    assert matches(cond("body", "regex", "GRÖSSE|größe"))


@pytest.mark.parametrize(
    "operator, value, expected",
    [
        ("equals", 72, True),
        ("equals", 71, False),
        ("in_list", [10, 72], True),
        ("in_list", [10, 20], False),
        ("at_least", 72, True),
        ("at_least", 73, False),
        ("at_most", 72, True),
        ("at_most", 71, False),
        ("at_least", "70", False),  # a string is not a number
        ("contains", "7", False),
        ("regex", "7", False),
    ],
)
def test_it_compares_score_as_a_number(operator, value, expected):
    assert matches(cond("score", operator, value)) is expected


def test_it_treats_a_zero_score_as_known():
    facts = LeadFacts(score=0)
    assert matches(cond("score", "at_most", 10), facts)
    assert matches(cond("score", "equals", 0), facts)


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize(
    "operator, value",
    [
        ("equals", ""),
        ("contains", ""),
        ("regex", ".*"),
        ("in_list", ["", "x"]),
        ("at_least", 0),
        ("at_most", 100),
    ],
)
def test_it_never_matches_a_missing_fact(field, operator, value):
    assert not matches(cond(field, operator, value), LeadFacts())


def test_it_compares_company_size_and_budget_as_numbers():
    facts = LeadFacts(employees=900, budget_usd=Decimal("50000.50"))
    assert matches(cond("employees", "at_least", 500), facts)
    assert not matches(cond("employees", "at_most", 500), facts)
    assert matches(cond("budget_usd", "at_least", 50000), facts)
    assert not matches(cond("budget_usd", "at_least", 50000.75), facts)
    assert matches(cond("employees", "in_list", [100, 900]), facts)


def test_it_hides_model_facts_before_the_model():
    before = replace(FACTS, employees=900, budget_usd=50000).before_model()
    assert (before.category, before.score, before.language) == ("", None, "")
    assert (before.employees, before.budget_usd) == (None, None)
    assert before.subject == FACTS.subject
    assert not matches(cond("category", "equals", "pricing"), before)


def test_it_requires_all_conditions_or_any():
    hit, miss = cond("domain", "equals", "acme-widgets.com"), cond("channel", "equals", "form")
    assert not evaluate([rule(hit, miss)], FACTS).matched
    assert evaluate([rule(hit, miss, match="any")], FACTS).matched
    assert not evaluate([rule(miss, miss, match="any")], FACTS).matched
    assert evaluate([rule(hit, hit)], FACTS).matched


def test_it_never_matches_a_rule_without_conditions():
    assert not evaluate([rule()], FACTS).matched
    assert not evaluate([rule(match="any")], FACTS).matched


def test_it_never_matches_a_malformed_condition_or_unsafe_regex():
    hit = cond("domain", "equals", "acme-widgets.com")
    for bad in (
        "domain",
        cond("nope", "equals", "x"),
        cond("domain", "nope", "x"),
        cond("domain", "regex", "(unclosed"),
        cond("subject", "regex", "(a+)+"),
        cond("subject", "equals", 40),
    ):
        assert not evaluate([rule(hit, bad)], FACTS).matched, bad
        assert evaluate([rule(hit, bad, match="any")], FACTS).matched, bad


def test_it_applies_every_action():
    actions = [
        {"action": "set_category", "value": "support"},
        {"action": "set_queue", "value": "support"},
        {"action": "set_priority", "value": 1},
        {"action": "set_assignee", "value": "dana"},
        {"action": "mark_spam"},
        {"action": "skip_model"},
        {"action": "force_tier", "value": 3},
    ]
    outcome = evaluate([rule(cond("channel", "equals", "email"), actions=actions)], FACTS)
    assert outcome == Outcome(
        category="support",
        queue="support",
        priority=1,
        assignee="dana",
        spam=True,
        skip_model=True,
        force_tier=3,
        matched=[(1, "r")],
    )
    assert outcome.changes == [
        "category → support",
        "queue → support",
        "priority → 1",
        "assignee → dana",
        "mark as spam",
        "skip the model",
        "force tier 3",
    ]


def test_it_changes_nothing_when_nothing_matches():
    outcome = evaluate([rule(cond("channel", "equals", "api"))], FACTS)
    assert outcome == Outcome()
    assert outcome.changes == []


def test_it_lets_later_rules_override_earlier_ones():
    email = cond("channel", "equals", "email")
    first = rule(
        email,
        id=1,
        name="first",
        actions=[
            {"action": "set_queue", "value": "sales"},
            {"action": "set_priority", "value": 2},
            {"action": "force_tier", "value": 3},
        ],
    )
    second = rule(
        email,
        id=2,
        name="second",
        actions=[
            {"action": "set_queue", "value": "enterprise"},
            {"action": "force_tier", "value": 2},
        ],
    )
    outcome = evaluate([first, second], FACTS)
    assert (outcome.queue, outcome.priority, outcome.force_tier) == ("enterprise", 2, 2)
    assert outcome.matched == [(1, "first"), (2, "second")]
    assert outcome.changes == ["queue → enterprise", "priority → 2", "force tier 2"]


def test_it_lets_a_later_action_in_one_rule_override_an_earlier_one():
    actions = [{"action": "set_queue", "value": "a"}, {"action": "set_queue", "value": "b"}]
    assert evaluate([rule(cond("channel", "equals", "email"), actions=actions)], FACTS).queue == "b"


def test_it_stops_after_the_rule_that_says_stop():
    email = cond("channel", "equals", "email")
    skipped = rule(cond("channel", "equals", "api"), id=1, actions=[{"action": "stop"}])
    stopper = rule(
        email,
        id=2,
        name="stopper",
        # stop ends evaluation after this rule, so the action after it still applies.
        actions=[{"action": "stop"}, {"action": "set_queue", "value": "support"}],
    )
    never = rule(email, id=3, name="never", actions=[{"action": "set_queue", "value": "sales"}])
    outcome = evaluate([skipped, stopper, never], FACTS)
    assert outcome.queue == "support"
    assert outcome.matched == [(2, "stopper")]


def test_it_reads_rule_rows_by_their_attributes():
    class Row:
        id, name, match = 7, "row", "any"
        conditions = [cond("domain", "equals", "acme-widgets.com")]
        actions = [{"action": "mark_spam"}]

    assert evaluate([Row()], FACTS).matched == [(7, "row")]
    assert RuleSpec.from_rule(Row()) == RuleSpec(
        7, "row", "any", tuple(Row.conditions), tuple(Row.actions)
    )


def test_it_skips_malformed_actions():
    actions = [
        {"action": "set_priority", "value": 9},
        {"action": "force_tier", "value": 1},
        {"action": "explode"},
        "set_queue",
        {"action": "set_queue", "value": "support"},
    ]
    outcome = evaluate([rule(cond("channel", "equals", "email"), actions=actions)], FACTS)
    assert outcome.changes == ["queue → support"]


# --- Validation ------------------------------------------------------------------------

GOOD_ACTIONS = [{"action": "set_queue", "value": "support"}, {"action": "stop"}]


def errors_for(conditions=None, actions=None, match="all", stage=None):
    conditions = [cond("domain", "equals", "acme.com")] if conditions is None else conditions
    actions = GOOD_ACTIONS if actions is None else actions
    return validate_rule(match, conditions, actions, stage=stage)


def test_it_accepts_a_valid_rule_with_every_operator_and_action():
    conditions = [
        cond("sender", "equals", "dana@acme.com"),
        cond("domain", "in_list", ["acme.com", "acme.de"]),
        cond("domain", "in_list", "acme.com, acme.de"),
        cond("subject", "contains", "invoice"),
        cond("body", "regex", r"\b(refund|invoice)\b"),
        cond("hygiene", "equals", "auto_reply"),
        cond("score", "at_least", 70),
        cond("score", "at_most", 90.5),
        cond("score", "in_list", [80, 90]),
        cond("category", "equals", "pricing"),
    ]
    actions = [
        {"action": "set_category", "value": "support"},
        {"action": "set_queue", "value": "support_eu"},
        {"action": "set_priority", "value": 5},
        {"action": "set_assignee", "value": "dana.b"},
        {"action": "mark_spam"},
        {"action": "skip_model", "value": True},
        {"action": "force_tier", "value": 2},
        {"action": "stop"},
    ]
    assert validate_rule("any", conditions, actions) == []


@pytest.mark.parametrize(
    "pattern",
    [r"(\d{3}-)+", r"(?>a+)+", r"(a++)+", r"([a-z]+)\.com", r"^(re|fwd):", "a{2,5}b+"],
)
def test_it_accepts_safe_regexes(pattern):
    assert errors_for([cond("subject", "regex", pattern)]) == []


@pytest.mark.parametrize(
    "conditions, expected",
    [
        ("domain", "Conditions must be a JSON list"),
        ([], "Add at least one condition"),
        (["domain"], 'Condition 1: write it as {"field"'),
        ([cond("domian", "equals", "x")], "Condition 1: unknown field 'domian'"),
        ([cond("domain", "is", "x")], "Condition 1: unknown operator 'is'"),
        ([{"field": "domain", "operator": "equals"}], "a value is missing"),
        ([{**cond("domain", "equals", "x"), "operater": "x"}], "unknown key 'operater'"),
        ([cond("domain", "equals", "")], "equals takes a non-empty string"),
        ([cond("domain", "contains", 5)], "contains takes a non-empty string"),
        ([cond("domain", "in_list", [1, 2])], "in_list takes a list of strings"),
        ([cond("domain", "in_list", " , ")], "in_list takes a list of strings"),
        ([cond("domain", "at_least", 5)], "at_least compares numbers; domain is text"),
        ([cond("score", "contains", "7")], "score is a number"),
        ([cond("score", "at_least", "70")], 'at_least on score takes a number, e.g. 70 (not "70")'),
        ([cond("score", "at_most", True)], "at_most on score takes a number"),
        ([cond("score", "in_list", ["80"])], "in_list on score takes a list of numbers"),
        ([cond("subject", "regex", "(unclosed")], "the regex does not compile: missing )"),
        ([cond("subject", "regex", "[z-a]")], "the regex does not compile"),
        ([cond("subject", "regex", "a" * 501)], "the regex is 501 characters; the limit is 500"),
        ([cond("subject", "regex", "(a+)+$")], "repeats a repetition"),
        ([cond("subject", "regex", r"(\w*)*x")], "repeats a repetition"),
        ([cond("subject", "regex", r"^(([a-z])+.)+[A-Z]([a-z])+$")], "repeats a repetition"),
        ([cond("subject", "regex", r"(?:x+y?)+z")], "repeats a repetition"),
        ([cond("subject", "regex", r"(a|(b+))*")], "repeats a repetition"),
        ([cond("subject", "ok", "x"), cond("x", "equals", "y")], "Condition 2: unknown field"),
    ],
)
def test_it_rejects_bad_conditions(conditions, expected):
    errors = errors_for(conditions)
    assert any(expected in error for error in errors), errors


@pytest.mark.parametrize(
    "actions, expected",
    [
        ({"action": "stop"}, "Actions must be a JSON list"),
        ([], "Add at least one action"),
        ([{"action": "stop"}], "A rule that only stops changes nothing"),
        ([{"action": "delete_lead"}], "Action 1: unknown action 'delete_lead'"),
        ([{"action": "set_queue"}], 'set_queue takes a name, e.g. "support".'),
        ([{"action": "set_queue", "value": "Sales Team"}], "set_queue takes a slug"),
        ([{"action": "set_assignee", "value": ""}], "set_assignee takes a name"),
        ([{"action": "set_priority", "value": 0}], "set_priority takes a whole number from 1"),
        ([{"action": "set_priority", "value": 6}], "set_priority takes a whole number from 1"),
        ([{"action": "set_priority", "value": "1"}], "set_priority takes a whole number from 1"),
        ([{"action": "set_priority", "value": 2.0}], "set_priority takes a whole number from 1"),
        ([{"action": "set_priority", "value": True}], "set_priority takes a whole number from 1"),
        ([{"action": "force_tier", "value": 1}], "force_tier takes 2 or 3"),
        ([{"action": "force_tier", "value": "3"}], "force_tier takes 2 or 3"),
        ([{"action": "mark_spam", "value": "yes"}], "mark_spam takes no value"),
        ([{"action": "stop", "value": "x", "extra": 1}], "unknown key 'extra'"),
    ],
)
def test_it_rejects_bad_actions(actions, expected):
    errors = errors_for(actions=actions)
    assert any(expected in error for error in errors), errors


def test_it_rejects_an_unknown_match():
    assert errors_for(match="most") == ['Match must be "all" or "any", not \'most\'.']


def test_it_checks_facts_and_actions_against_the_stage():
    category = [cond("category", "equals", "pricing")]
    assert (
        "Condition 1: category is only known after the model"
        in errors_for(category, stage="before")[0]
    )
    assert errors_for(category, stage="after") == []
    skip = [{"action": "skip_model"}]
    assert "skip_model does nothing after the model" in errors_for(actions=skip, stage="after")[0]
    assert errors_for(actions=skip, stage="before") == []


def test_it_describes_a_rule_in_one_line():
    assert (
        describe(
            "any",
            [cond("domain", "in_list", ["acme.com", "acme.de"]), cond("score", "at_least", 80)],
            [{"action": "set_queue", "value": "support"}, {"action": "stop"}],
        )
        == "domain in list acme.com, acme.de or score at least 80 → set queue support; stop"
    )
    assert describe("all", "junk", None) == "(no conditions) → (no actions)"
