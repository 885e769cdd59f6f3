"""Admin rules: conditions on a lead's facts, actions on its routing. Pure: no ORM, no I/O.

A rule is `match` ("all" or "any"), a list of conditions and a list of actions, as stored in
`routing.Rule` (JSON). The caller builds `LeadFacts` for a lead, picks the enabled rules of one
stage in order, and calls `evaluate()`. Evaluation never raises: a rule that slipped past
validation (edited in the database, a regex that no longer compiles) simply does not match.

    conditions: [{"field": "domain", "operator": "in_list", "value": ["acme.com", "acme.de"]}]
    actions:    [{"action": "set_queue", "value": "support"}, {"action": "stop"}]
"""

import functools
import re
import re._constants as sre_constants  # the parser's own opcodes, for the backtracking guard
import re._parser as sre_parser
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

TEXT_FIELDS = (
    "sender",
    "domain",
    "subject",
    "body",
    "channel",
    "form",
    "language",
    "category",
    "hygiene",
)
# employees and budget_usd are the qualification facts' numbers (company size, budget in USD).
NUMBER_FIELDS = ("score", "employees", "budget_usd")
FIELDS = TEXT_FIELDS + NUMBER_FIELDS
# Facts only the model provides: a rule that runs before the model cannot see them.
MODEL_FIELDS = frozenset({"category", "score", "language", "employees", "budget_usd"})

TEXT_OPERATORS = ("equals", "contains", "regex", "in_list")
NUMBER_OPERATORS = ("equals", "in_list", "at_least", "at_most")
OPERATORS = ("equals", "contains", "regex", "in_list", "at_least", "at_most")

VALUE_ACTIONS = ("set_category", "set_queue", "set_priority", "set_assignee", "force_tier")
FLAG_ACTIONS = ("mark_spam", "skip_model", "stop")
ACTIONS = VALUE_ACTIONS + FLAG_ACTIONS

PRIORITIES = range(1, 6)
FORCED_TIERS = (2, 3)
REGEX_MAX_CHARS = 500
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
STAGES = ("before", "after")

# What the rule editor shows for each name (the names are what is stored).
FIELD_LABELS = {
    "sender": "Sender address",
    "domain": "Sender domain",
    "subject": "Subject",
    "body": "Message text",
    "channel": "Channel",
    "form": "Web form",
    "hygiene": "Machine mail",
    "language": "Language",
    "category": "Category",
    "score": "Score (0-100)",
    "employees": "Employees",
    "budget_usd": "Budget (USD)",
}
OPERATOR_LABELS = {
    "equals": "is",
    "contains": "contains",
    "regex": "matches the regex",
    "in_list": "is one of",
    "at_least": "is at least",
    "at_most": "is at most",
}
ACTION_LABELS = {
    "set_queue": "Send to queue",
    "set_category": "Set category",
    "set_priority": "Set priority",
    "set_assignee": "Assign to",
    "force_tier": "Force tier",
    "mark_spam": "Mark as spam",
    "skip_model": "Skip the model",
    "stop": "Stop (no later rule runs)",
}


@dataclass(frozen=True)
class LeadFacts:
    """What a rule can look at. An empty string or None is a fact nobody knows yet."""

    sender: str = ""  # the sender's email address
    domain: str = ""
    subject: str = ""
    body: str = ""  # the new text of the first message, without quotes
    channel: str = ""  # email, form, api
    form: str = ""  # the web form's slug
    language: str = ""
    category: str = ""
    score: int | None = None
    hygiene: str = ""  # auto_reply, bounce, complaint, list
    employees: int | None = None  # the company size the qualification found
    budget_usd: int | float | Decimal | None = None  # the budget it found, in US dollars

    def before_model(self) -> "LeadFacts":
        """These facts as a rule of the "before" stage sees them: nothing from the model."""
        return replace(self, category="", score=None, language="", employees=None, budget_usd=None)


@dataclass(frozen=True)
class RuleSpec:
    """One rule as `evaluate()` reads it. A `routing.Rule` row has the same attributes."""

    id: int | None
    name: str
    match: str = "all"
    conditions: Sequence[dict] = ()
    actions: Sequence[dict] = ()

    @classmethod
    def from_rule(cls, rule: Any) -> "RuleSpec":
        return cls(
            id=rule.id,
            name=rule.name,
            match=rule.match,
            conditions=tuple(rule.conditions or ()),
            actions=tuple(rule.actions or ()),
        )


@dataclass
class Outcome:
    """What the matching rules decided. None / False: no rule said anything about it."""

    category: str | None = None
    queue: str | None = None
    priority: int | None = None
    assignee: str | None = None
    spam: bool = False
    skip_model: bool = False
    force_tier: int | None = None
    matched: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def changes(self) -> list[str]:
        """The decision in words, one entry per target: ["queue → support", "mark as spam"]."""
        changes = [
            f"{label} → {value}"
            for label, value in (
                ("category", self.category),
                ("queue", self.queue),
                ("priority", self.priority),
                ("assignee", self.assignee),
            )
            if value is not None
        ]
        if self.spam:
            changes.append("mark as spam")
        if self.skip_model:
            changes.append("skip the model")
        if self.force_tier is not None:
            changes.append(f"force tier {self.force_tier}")
        return changes


# --- Evaluation ---------------------------------------------------------------------------


def evaluate(rules: Iterable[Any], facts: LeadFacts) -> Outcome:
    """Apply `rules` (enabled, in order) to `facts`.

    A later action overrides an earlier one for the same target; `stop` ends evaluation after
    the rule that holds it.
    """
    outcome = Outcome()
    for rule in rules:
        if not matches(rule, facts):
            continue
        outcome.matched.append((rule.id, rule.name))
        stop = False
        for action in rule.actions or ():
            stop = _apply(action, outcome) or stop
        if stop:
            break
    return outcome


def matches(rule: Any, facts: LeadFacts) -> bool:
    conditions = list(rule.conditions or ())
    if not conditions:
        return False  # a rule without conditions would catch every lead: never by accident
    # A malformed condition is one that does not match, so it can never widen an "all" rule.
    results = (isinstance(c, dict) and condition_matches(c, facts) for c in conditions)
    return any(results) if rule.match == "any" else all(results)


def condition_matches(condition: dict, facts: LeadFacts) -> bool:
    name, operator, value = (
        condition.get("field"),
        condition.get("operator"),
        condition.get("value"),
    )
    if name not in FIELDS:
        return False
    fact = getattr(facts, name)
    if fact is None or fact == "":
        return False  # a missing fact never matches, whatever the operator
    if name in NUMBER_FIELDS:
        return _number_matches(fact, operator, value)
    return _text_matches(str(fact), operator, value)


def _text_matches(fact: str, operator: str, value: Any) -> bool:
    if operator == "regex":
        pattern = _compiled(value) if isinstance(value, str) else None
        return pattern is not None and pattern.search(fact) is not None
    folded = fact.casefold()
    if operator == "in_list":
        return folded in {str(item).strip().casefold() for item in _items(value)}
    if not isinstance(value, str) or not value.strip():
        return False
    if operator == "equals":
        return folded == value.strip().casefold()
    if operator == "contains":
        return value.strip().casefold() in folded
    return False  # at_least / at_most compare numbers only


def _number_matches(fact: int | float | Decimal, operator: str, value: Any) -> bool:
    if operator == "in_list":
        return any(_number(item) == fact for item in _items(value))
    number = _number(value)
    if number is None:
        return False
    if operator == "equals":
        return fact == number
    if operator == "at_least":
        return fact >= number
    if operator == "at_most":
        return fact <= number
    return False  # contains / regex compare text only


def _apply(action: Any, outcome: Outcome) -> bool:
    """Apply one action; True when it is `stop`. Malformed actions are skipped."""
    if not isinstance(action, dict) or _action_error(action) is not None:
        return False
    kind, value = action["action"], action.get("value")
    if kind == "set_category":
        outcome.category = value.strip()
    elif kind == "set_queue":
        outcome.queue = value.strip()
    elif kind == "set_assignee":
        outcome.assignee = value.strip()
    elif kind == "set_priority":
        outcome.priority = value
    elif kind == "force_tier":
        outcome.force_tier = value
    elif kind == "mark_spam":
        outcome.spam = True
    elif kind == "skip_model":
        outcome.skip_model = True
    return kind == "stop"


def _items(value: Any) -> list:
    """An in_list value: a JSON list, or one string of items split by commas or newlines."""
    if isinstance(value, str):
        return [item.strip() for item in re.split(r"[,\n]", value) if item.strip()]
    if isinstance(value, list | tuple):
        return [item for item in value if item is not None and str(item).strip()]
    return []


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern | None:
    """Each pattern is compiled once per process; a bad or risky one is None (never matches)."""
    if _regex_error(pattern) is not None:
        return None
    return re.compile(pattern, re.IGNORECASE)


# --- Validation ---------------------------------------------------------------------------


def validate_rule(
    match: str, conditions: Any, actions: Any, *, stage: str | None = None
) -> list[str]:
    """Everything wrong with a rule, in words an admin can act on; [] when it is valid."""
    errors = []
    if match not in ("all", "any"):
        errors.append(f'Match must be "all" or "any", not {match!r}.')
    errors += validate_conditions(conditions, stage=stage)
    return errors + validate_actions(actions, stage=stage)


def validate_conditions(conditions: Any, *, stage: str | None = None) -> list[str]:
    if not isinstance(conditions, list):
        return ['Conditions must be a JSON list: [{"field": ..., "operator": ..., "value": ...}].']
    if not conditions:
        return ["Add at least one condition: a rule without conditions would catch every lead."]
    errors = []
    for number, condition in enumerate(conditions, start=1):
        error = _condition_error(condition, stage)
        if error:
            errors.append(f"Condition {number}: {error}")
    return errors


def validate_actions(actions: Any, *, stage: str | None = None) -> list[str]:
    if not isinstance(actions, list):
        return ['Actions must be a JSON list: [{"action": ..., "value": ...}].']
    if not actions:
        return ["Add at least one action."]
    errors = []
    for number, action in enumerate(actions, start=1):
        error = _action_error(action)
        if error is None and stage == "after" and action.get("action") == "skip_model":
            error = 'skip_model does nothing after the model has run; use the "before" stage.'
        if error:
            errors.append(f"Action {number}: {error}")
    if not any(isinstance(a, dict) and a.get("action") != "stop" for a in actions):
        errors.append("A rule that only stops changes nothing; add an action before stop.")
    return errors


def _condition_error(condition: Any, stage: str | None) -> str | None:
    if not isinstance(condition, dict):
        return 'write it as {"field": ..., "operator": ..., "value": ...}.'
    unknown = set(condition) - {"field", "operator", "value"}
    if unknown:
        return f"unknown key {_names(unknown)}; a condition has field, operator and value."
    name, operator = condition.get("field"), condition.get("operator")
    if name not in FIELDS:
        return f"unknown field {name!r}; fields are {', '.join(FIELDS)}."
    if operator not in OPERATORS:
        return f"unknown operator {operator!r}; operators are {', '.join(OPERATORS)}."
    if stage == "before" and name in MODEL_FIELDS:
        return f'{name} is only known after the model; set the stage to "after".'
    if "value" not in condition:
        return "a value is missing."
    value = condition["value"]
    if name in NUMBER_FIELDS:
        if operator not in NUMBER_OPERATORS:
            return f"{name} is a number: use {', '.join(NUMBER_OPERATORS)}."
        if operator == "in_list":
            if not isinstance(value, list) or not value or any(_number(v) is None for v in value):
                return f"in_list on {name} takes a list of numbers, e.g. [80, 90]."
        elif _number(value) is None:
            return f'{operator} on {name} takes a number, e.g. 70 (not "70").'
        return None
    if operator not in TEXT_OPERATORS:
        return f"{operator} compares numbers; {name} is text: use {', '.join(TEXT_OPERATORS)}."
    if operator == "in_list":
        ok = isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
        if not ok or not _items(value):
            return 'in_list takes a list of strings, e.g. ["acme.com", "acme.de"], or "a, b".'
        return None
    if not isinstance(value, str) or not value.strip():
        return f"{operator} takes a non-empty string."
    if operator == "regex":
        return _regex_error(value)
    return None


def _action_error(action: Any) -> str | None:
    if not isinstance(action, dict):
        return 'write it as {"action": ..., "value": ...}.'
    unknown = set(action) - {"action", "value"}
    if unknown:
        return f"unknown key {_names(unknown)}; an action has action and value."
    kind, value = action.get("action"), action.get("value")
    if kind not in ACTIONS:
        return f"unknown action {kind!r}; actions are {', '.join(ACTIONS)}."
    if kind in FLAG_ACTIONS:
        if value not in (None, True):
            return f"{kind} takes no value."
        return None
    if kind == "set_priority":
        if not _whole(value) or value not in PRIORITIES:
            return "set_priority takes a whole number from 1 (most urgent) to 5."
        return None
    if kind == "force_tier":
        if not _whole(value) or value not in FORCED_TIERS:
            return "force_tier takes 2 or 3."
        return None
    if not isinstance(value, str) or not value.strip():
        return f"{kind} takes a name, e.g. " + (
            '"dana".' if kind == "set_assignee" else '"support".'
        )
    if kind in ("set_category", "set_queue") and not SLUG.match(value.strip()):
        return f"{kind} takes a slug (letters, digits, - and _), not {value!r}."
    return None


def _names(keys: set) -> str:
    return ", ".join(repr(k) for k in sorted(map(str, keys)))


def _regex_error(pattern: str) -> str | None:
    if len(pattern) > REGEX_MAX_CHARS:
        return f"the regex is {len(pattern)} characters; the limit is {REGEX_MAX_CHARS}."
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        return f"the regex does not compile: {exc}."
    except (RecursionError, OverflowError):
        return "the regex is too deeply nested."
    if _nested_quantifier(sre_parser.parse(pattern)):
        # Python's re has no timeout: (a+)+ against a long body can run for minutes.
        return (
            "the regex repeats a repetition, as in (a+)+, which can take exponential time; "
            "simplify it, or make the inner part possessive (a++) or atomic ((?>a+))."
        )
    return None


_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT)


def _nested_quantifier(items: Any, inside_repeat: bool = False) -> bool:
    """A variable-length repeat inside a repeat that can run more than once: (a+)+, (\\w*)*.

    (\\d{3}-)+ is fine (the inner part has a fixed length), and so are possessive repeats and
    atomic groups, which never give characters back. A guard, not a proof: (a|aa)+ passes.
    """
    for op, av in items:
        if op in _REPEATS:
            low, high, sub = av
            if inside_repeat and low != high:
                return True
            if _nested_quantifier(sub, inside_repeat or high > 1):
                return True
        elif op in (sre_constants.POSSESSIVE_REPEAT, sre_constants.ATOMIC_GROUP):
            if any(_nested_quantifier(sub) for sub in _subpatterns(av)):
                return True
        elif any(_nested_quantifier(sub, inside_repeat) for sub in _subpatterns(av)):
            return True
    return False


def _subpatterns(av: Any) -> Iterable:
    if isinstance(av, sre_parser.SubPattern):
        yield av
    elif isinstance(av, list | tuple):
        for item in av:
            yield from _subpatterns(item)


# --- Description --------------------------------------------------------------------------


def describe(match: str, conditions: Any, actions: Any) -> str:
    """One line for the rule list: 'domain in acme.com, acme.de → queue support; stop'."""
    parts = []
    for c in conditions if isinstance(conditions, list) else ():
        if isinstance(c, dict):
            value = c.get("value")
            shown = ", ".join(map(str, _items(value))) if c.get("operator") == "in_list" else value
            operator = str(c.get("operator", "?")).replace("_", " ")
            parts.append(f"{c.get('field', '?')} {operator} {shown}")
    joiner = " or " if match == "any" else " and "
    doing = []
    for a in actions if isinstance(actions, list) else ():
        if isinstance(a, dict):
            kind = str(a.get("action", "?"))
            value = a.get("value")
            doing.append(
                kind.replace("_", " ") + (f" {value}" if value not in (None, True) else "")
            )
    return f"{joiner.join(parts) or '(no conditions)'} → {'; '.join(doing) or '(no actions)'}"
