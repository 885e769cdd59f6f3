"""`evaluate_router --record`: every labelled message through the production request at tier 1
and at tier 2, one JSON line per message per tier, resumable.

Each message is parsed the way intake parses a stored email (`intake.mime.parse_message` with
the same limits) and goes through the hygiene gate: mail the gate keeps from the model in
production (auto-replies, bounces, list mail) is recorded as `filtered` and sent nowhere,
unless `include_filtered`. The request is the one triage sends (`routing.tiers.tier_request`:
the system prompt, the email between random delimiters, the contract's schema); tier 2 is
shown tier 1's validated draft, as an escalation is, so replaying any threshold gives the
answer production would have given. Answers are validated with the production contract.

Every call is a `ModelCall` with purpose `evaluation` and no lead (never counted in cost per
lead, savings or the daily budget), priced from `ModelPrice` (batch results at the batch
rate). One attempt per tier: production retries invalid output once, evaluation records the
first answer.

The file is the state. Lines (`kind`):
- `result`: file, tier, model, batch, output (the validated contract) or errors, stop_reason,
  usage, cost_usd (a Decimal as a string), prompt_hash, request_id, model_call, and for tier
  1 `escalate` (the reasons production would escalate for whatever the threshold);
- `filtered`: file, hygiene (the gate's flag);
- `batch`: a Message Batch sent (batch_id, tier, model, files by custom_id), written before
  waiting for it, so an interrupted run picks the batch up instead of paying again;
- `batch_done`: batch_id, once its results are written.
A re-run skips every (file, tier) with a result and resumes every batch not done.
"""

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from intake import contacts, hygiene, mime
from intake.models import Contact, Lead, Message
from routing import calls, contract, llm, rows, tiers
from routing.evaluation.labelled import LabelledItem, LabelledSet
from routing.models import ModelCall

MAX_PER_BATCH = 10_000  # the API takes 100,000 requests or 256 MB; a prompt is ~10 kB


class RecordError(Exception):
    """The recording stopped (the API is unavailable, or the file belongs to another
    prompt); what was recorded stays, and a re-run resumes."""


@dataclass
class State:
    """What a recording file holds so far."""

    results: dict[tuple[str, int], dict] = field(default_factory=dict)
    filtered: dict[str, str] = field(default_factory=dict)
    batches: dict[str, dict] = field(default_factory=dict)  # not done, by id
    prompt_hashes: set[str] = field(default_factory=set)
    models: dict[int, set[str]] = field(default_factory=dict)


def read_lines(path: Path) -> list[dict]:
    """The file's JSON lines; a last line cut off by a kill is dropped (it is re-recorded)."""
    if not path.exists():
        return []
    lines = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                lines.append(json.loads(line))
            except ValueError:
                if not line.endswith("\n"):
                    break  # an interrupted write
                raise RecordError(f"{path}: line {number} is not JSON") from None
    return lines


def read_state(path: Path) -> State:
    state = State()
    for line in read_lines(path):
        kind = line.get("kind")
        if kind == "result":
            state.results[(line["file"], int(line["tier"]))] = line
            state.prompt_hashes.add(line.get("prompt_hash", ""))
            state.models.setdefault(int(line["tier"]), set()).add(line.get("model", ""))
        elif kind == "filtered":
            state.filtered[line["file"]] = line.get("hygiene", "")
        elif kind == "batch":
            state.batches[line["batch_id"]] = line
        elif kind == "batch_done":
            state.batches.pop(line.get("batch_id"), None)
    return state


def prompt_hash(request: llm.LlmRequest) -> str:
    """The static part of a request, hashed: the system prompt and the output schema."""
    static = {"system": request.system, "schema": request.output_schema}
    return hashlib.sha256(json.dumps(static, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Prepared:
    item: LabelledItem
    lead: Lead  # unsaved: what tier_request reads of a lead
    message: Message  # unsaved: what intake stores of the parsed email
    hygiene: str


def prepare(item: LabelledItem) -> Prepared:
    """The message as intake would store it, and the lead it would open (both unsaved)."""
    raw = item.path.read_bytes()
    parsed = mime.parse_message(raw, limits=mime.Limits(max_bytes=settings.INTAKE_MAX_BYTES))
    try:
        verdict = hygiene.classify(parsed)
    except Exception:  # as intake: the gate never stops a message
        verdict = hygiene.NONE
    email = contacts.normalize_email(parsed.from_email) or "unknown-sender@unknown.invalid"
    contact = Contact(email=email, domain=email.rpartition("@")[2])
    message = Message(
        subject=parsed.subject,
        text=parsed.text,
        text_new=parsed.text_new,
        hidden_text=parsed.hidden_text,
        hygiene=verdict.flag,
    )
    return Prepared(item, Lead(subject=parsed.subject, contact=contact), message, verdict.flag)


class Recorder:
    """Records one labelled set into one file; `run()` does what is left."""

    def __init__(
        self,
        path,
        labelled: LabelledSet,
        *,
        policy,
        categories,
        batch: bool = True,
        poll_seconds: float = 30.0,
        include_filtered: bool = False,
        progress: Callable[[int, int], object] | None = None,
    ) -> None:
        self.path = Path(path)
        self.labelled = labelled
        self.policy = policy
        self.categories = list(categories)
        self.slugs = [c.slug for c in self.categories]
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.include_filtered = include_filtered
        self.progress = progress or (lambda done, total: None)
        self.state = read_state(self.path)
        self.models = {1: policy.tier1_model, 2: policy.tier2_model}
        self.prepared: dict[str, Prepared] = {}

    # -- the plan

    def check_compatible(self) -> str:
        sample = self.request_for(self.prepare(self.labelled.items[0]), 1)[0]
        current = prompt_hash(sample)
        others = self.state.prompt_hashes - {current}
        if others:
            raise RecordError(
                f"{self.path} was recorded with another prompt or schema (hash "
                f"{', '.join(sorted(others))}, now {current}): record into a new file"
            )
        for tier, model in self.models.items():
            recorded = self.state.models.get(tier, set()) - {model}
            if recorded:
                raise RecordError(
                    f"{self.path} has tier {tier} answers from {', '.join(sorted(recorded))}; "
                    f"the policy's tier {tier} model is now {model}: record into a new file"
                )
        return current

    def prepare(self, item: LabelledItem) -> Prepared:
        if item.file not in self.prepared:
            self.prepared[item.file] = prepare(item)
        return self.prepared[item.file]

    def wanted(self) -> list[LabelledItem]:
        """The items to send to the model (the rest are filtered by the gate)."""
        items = []
        for item in self.labelled.items:
            if item.file in self.state.filtered:
                continue
            if (item.file, 1) not in self.state.results and not self.include_filtered:
                flag = self.prepare(item).hygiene
                if flag:
                    self.write({"kind": "filtered", "file": item.file, "hygiene": flag})
                    self.state.filtered[item.file] = flag
                    continue
            items.append(item)
        return items

    def pending(self, items: list[LabelledItem], tier: int) -> list[LabelledItem]:
        in_flight = {
            file
            for line in self.state.batches.values()
            if int(line["tier"]) == tier
            for file in line["files"].values()
        }
        return [
            item
            for item in items
            if (item.file, tier) not in self.state.results
            and item.file not in in_flight
            and (tier == 1 or (item.file, 1) in self.state.results)
        ]

    def request_for(self, prepared: Prepared, tier: int) -> tuple[llm.LlmRequest, str]:
        previous = None
        if tier == 2:
            draft = self.state.results.get((prepared.item.file, 1), {}).get("output")
            if draft is not None:
                previous = contract.validate(
                    draft, categories=self.slugs, message_text=self.shown(prepared)
                )
        return tiers.tier_request(
            prepared.lead,
            prepared.message,
            self.policy,
            model=self.models[tier],
            categories=self.categories,
            previous=previous,
            tier=tier,
        )

    def shown(self, prepared: Prepared) -> str:
        return tiers.tier_request(
            prepared.lead,
            prepared.message,
            self.policy,
            model=self.models[1],
            categories=self.categories,
        )[1]

    # -- the run

    def run(self) -> dict:
        self.hash = self.check_compatible()
        items = self.wanted()
        total = 2 * len(items)
        self.done = sum(
            1 for item in items for tier in (1, 2) if (item.file, tier) in self.state.results
        )
        self.total = total
        self.progress(self.done, total)
        for batch_id in list(self.state.batches):
            self.finish_batch(self.state.batches[batch_id])
        for tier in (1, 2):
            todo = self.pending(items, tier)
            if self.batch:
                for start in range(0, len(todo), MAX_PER_BATCH):
                    self.send_batch(todo[start : start + MAX_PER_BATCH], tier)
            else:
                for item in todo:
                    self.call_direct(item, tier)
        missing = [
            (item.file, tier)
            for item in items
            for tier in (1, 2)
            if (item.file, tier) not in self.state.results
        ]
        return {
            "messages": len(self.labelled),
            "filtered": len(self.state.filtered),
            "recorded": self.done,
            "expected": total,
            "missing": missing,
        }

    def call_direct(self, item: LabelledItem, tier: int) -> None:
        prepared = self.prepare(item)
        request, shown = self.request_for(prepared, tier)
        made: list[ModelCall] = []

        def before_attempt(attempt: int) -> None:
            made.append(
                rows.insert(
                    ModelCall(
                        lead=None,
                        model=request.model,
                        tier=tier,
                        purpose=ModelCall.Purpose.EVALUATION,
                        retries=attempt - 1,
                        error="no answer recorded (the call was interrupted)",
                    )
                )
            )

        def on_attempt(attempt: int, outcome) -> None:
            calls.complete_call(made[-1], outcome)

        try:
            outcome = llm.call(request, before_attempt=before_attempt, on_attempt=on_attempt)
        except llm.LlmError as exc:
            if not exc.permanent or exc.spend_limit or exc.status in calls.ACCOUNT_ERRORS:
                # Not this message's fault (down, key, spend limit): stop, resume later.
                raise RecordError(
                    f"the API did not answer {item.file} at tier {tier}: {exc}; "
                    "what was recorded is kept, run the command again to resume"
                ) from exc
            outcome = exc  # this request refused for good (400, 413): recorded as an error
        self.record(prepared, tier, request, shown, outcome, made, batch=False)

    def send_batch(self, items: list[LabelledItem], tier: int) -> None:
        if not items:
            return
        requests, files = [], {}
        for n, item in enumerate(items):
            custom_id = f"eval-t{tier}-{n}"
            requests.append((custom_id, self.request_for(self.prepare(item), tier)[0]))
            files[custom_id] = item.file
        try:
            batch_id = llm.submit_batch(requests)
        except llm.LlmError as exc:
            raise RecordError(f"the batch for tier {tier} was not sent: {exc}") from exc
        line = {
            "kind": "batch",
            "batch_id": batch_id,
            "tier": tier,
            "model": self.models[tier],
            "files": files,
            "submitted_at": timezone.now().isoformat(),
        }
        self.write(line)
        self.state.batches[batch_id] = line
        self.finish_batch(line)

    def finish_batch(self, line: dict) -> None:
        batch_id, tier = line["batch_id"], int(line["tier"])
        try:
            while llm.batch_status(batch_id)["processing_status"] != "ended":
                time.sleep(self.poll_seconds)
            outcomes = list(llm.batch_results(batch_id))
        except llm.LlmError as exc:
            raise RecordError(
                f"batch {batch_id} (tier {tier}) is recorded in {self.path} but could not be "
                f"read now: {exc}; run the command again to pick it up"
            ) from exc
        by_file = self.labelled.by_file()
        for custom_id, outcome in outcomes:
            file = line["files"].get(custom_id)
            if file is None or (file, tier) in self.state.results or file not in by_file:
                continue
            if isinstance(outcome, llm.LlmError) and outcome.error_type in llm.BATCH_UNPROCESSED:
                continue  # never ran: sent again by the next run
            prepared = self.prepare(by_file[file])
            request, shown = self.request_for(prepared, tier)
            call = ModelCall(
                lead=None,
                model=line["model"],
                tier=tier,
                purpose=ModelCall.Purpose.EVALUATION,
                batch=True,
                created_at=timezone.now(),
            )
            calls.complete_call(call, outcome)
            self.record(prepared, tier, request, shown, outcome, [call], batch=True)
        self.write({"kind": "batch_done", "batch_id": batch_id})
        self.state.batches.pop(batch_id, None)

    def record(self, prepared, tier, request, shown, outcome, made, *, batch: bool) -> None:
        output, errors = None, None
        if isinstance(outcome, llm.LlmError):
            errors = [f"api: {outcome}"]
        elif outcome.stop_reason == "refusal":
            errors = ["refusal"]
        else:
            try:
                output = contract.validate(outcome.text, categories=self.slugs, message_text=shown)
            except contract.ContractError as exc:
                errors = exc.problems[:20]
        usage = outcome.usage
        costs = [call.cost_usd for call in made if call.cost_usd is not None]
        line = {
            "kind": "result",
            "file": prepared.item.file,
            "tier": tier,
            "model": request.model,
            "batch": batch,
            "output": output.to_dict() if output else None,
            "errors": errors,
            "stop_reason": getattr(outcome, "stop_reason", None),
            "usage": usage_dict(usage),
            "cost_usd": str(sum(costs, Decimal(0))) if costs else None,
            "prompt_hash": self.hash,
            "request_id": getattr(outcome, "request_id", None),
            "model_call": made[-1].pk if made else None,
        }
        if tier == 1:
            line["escalate"] = forced_escalation(
                output, outcome, self.policy, self.categories, shown
            )
        self.write(line)
        self.state.results[(prepared.item.file, tier)] = line
        self.done += 1
        self.progress(self.done, self.total)

    def write(self, line: dict) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


def usage_dict(usage) -> dict | None:
    if usage is None:
        return None
    return {name: value for name, value in vars(usage).items() if value is not None}


def forced_escalation(output, outcome, policy, categories, shown) -> list[str]:
    """The reasons production escalates tier 1's answer for whatever the threshold: the
    reasons of `routing.tiers.escalation_reasons` other than low confidence."""
    first = tiers.TierResult(output=output, model=policy.tier1_model, tier=1)
    usage = getattr(outcome, "usage", None)
    if isinstance(outcome, llm.LlmError):
        first.stop_reason = ""
    else:
        first.stop_reason = outcome.stop_reason or ""
    if usage is not None:
        first.input_tokens = (
            (usage.input_tokens or 0)
            + (usage.cache_read_input_tokens or 0)
            + (usage.cache_creation_input_tokens or 0)
        )
    reasons = tiers.escalation_reasons(first, None, policy, categories, shown)
    return [reason for reason in reasons if not reason.startswith("low_confidence")]
