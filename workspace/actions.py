"""What reps and managers do to leads in the sales workspace.

Every action is a guarded update (two reps clicking at once get one result and a clear
answer), bumps the lead's `updated_at` so open queue pages pick the change up, and
records an `Activity` row for the lead's timeline.
"""

from datetime import date
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from intake import events, hygiene, leads
from intake.models import Lead
from routing import audits, inputs, rerun
from routing.assign import compute_priority, compute_score
from routing.contract import FACTS, Fact, Qualification
from routing.models import (
    Activity,
    Category,
    Feedback,
    FollowUp,
    Rule,
    Triage,
)
from workspace import labels
from workspace.access import assignable_users, can_take, is_manager, visible_leads

User = get_user_model()


class ActionError(Exception):
    """A rep's action that cannot happen as asked: the message says why, for the rep."""


def _triage(lead: Lead) -> Triage:
    triage, _ = Triage.objects.get_or_create(lead=lead)
    return triage


# --- Claim and assign -------------------------------------------------------------------


def claim_lead(lead: Lead, user) -> None:
    """Take an unassigned lead. Two reps at once: the conditional update lets one win; the
    other is told who has it."""
    if not can_take(user, lead):
        raise ActionError("Only members of this lead's queue (or a manager) can take it.")
    triage = _triage(lead)
    with transaction.atomic():
        won = Triage.objects.filter(pk=triage.pk, assignee__isnull=True).update(assignee=user)
        if not won:
            holder = User.objects.filter(assigned_triages__pk=triage.pk).only("username").first()
            if holder is not None and holder.pk == user.pk:
                return
            raise ActionError(f"{display_name(holder)} has already claimed this lead.")
        Activity.record(lead, user, Activity.Kind.CLAIM)
        record_assigned(lead, user, by=user)


def unclaim_lead(lead: Lead, user) -> None:
    triage = _triage(lead)
    mine = Q(assignee=user) if not is_manager(user) else Q(assignee__isnull=False)
    with transaction.atomic():
        if not Triage.objects.filter(mine, pk=triage.pk).update(assignee=None):
            raise ActionError("Only the rep who has this lead (or a manager) can unclaim it.")
        Activity.record(lead, user, Activity.Kind.UNCLAIM)


def assign_lead(lead: Lead, user, assignee_id: int | None) -> None:
    triage = _triage(lead)
    assignee = None
    if assignee_id:
        assignee = assignable_users(lead).filter(pk=assignee_id).first()
        if assignee is None:
            raise ActionError(
                "That person may not take this lead: not a member of its queue, nor a manager."
            )
    triages = Triage.objects.filter(pk=triage.pk)
    if not is_manager(user):
        # A rep hands on what is free or theirs; a colleague's lead is theirs to give.
        triages = triages.filter(Q(assignee__isnull=True) | Q(assignee=user))
    with transaction.atomic():
        if not triages.update(assignee=assignee):
            holder = User.objects.filter(assigned_triages__pk=triage.pk).first()
            raise ActionError(f"{display_name(holder)} has this lead: ask them or a manager.")
        Activity.record(
            lead,
            user,
            Activity.Kind.ASSIGN,
            f"to {display_name(assignee)}" if assignee else "unassigned",
            assignee=assignee.username if assignee else None,
            assignee_id=assignee.pk if assignee else None,
        )
        if assignee is not None:
            record_assigned(lead, assignee, by=user)


def record_assigned(lead: Lead, assignee, *, by) -> None:
    events.record_event(
        kind=events.Kind.LEAD_ASSIGNED,
        lead_id=lead.pk,
        data={"assignee_id": assignee.pk, "by_user_id": by.pk if by else None},
    )


def display_name(user) -> str:
    if user is None:
        return "nobody"
    return user.get_full_name() or user.username


# --- Status, notes, spam -------------------------------------------------------------------


def set_status(lead: Lead, user, status: str, *, seen: str = "") -> None:
    """Move the lead on the workflow; `seen` is the status the rep's page showed, so a
    change someone made since is not overwritten unnoticed."""
    current = seen if seen in Lead.Status.values else lead.status
    if status == current:
        return
    if status not in Lead.NEXT_STATUSES.get(current, ()):
        raise ActionError(
            f"A lead cannot go from {Lead.Status(current).label} to "
            f"{Lead.Status(status).label if status in Lead.Status.values else status!r}."
        )
    with transaction.atomic():
        # Guarded on the status the rep saw: a concurrent change is not overwritten.
        if not leads.move_status(lead.pk, status, only_from=current):
            now = Lead.objects.filter(pk=lead.pk).values_list("status", flat=True).first()
            raise ActionError(
                f"Someone changed this lead to {Lead.Status(now).label} meanwhile; "
                "look again before changing it."
            )
        Activity.record(
            lead,
            user,
            Activity.Kind.STATUS,
            f"{Lead.Status(current).label} → {Lead.Status(status).label}",
            old=current,
            new=status,
        )
    lead.status = status


def add_note(lead: Lead, user, text: str) -> Activity:
    text = text.strip()
    if not text:
        raise ActionError("A note needs some text.")
    return Activity.record(lead, user, Activity.Kind.NOTE, text[:10_000])


def mark_spam(lead: Lead, user, *, block: str = "") -> Rule | None:
    """Spam now and, if asked, a rule that marks the sender's (or the whole domain's) next
    mail as spam before any model sees it."""
    contact = lead.contact
    if block and contact.is_placeholder:
        raise ActionError("This sender's address could not be read: there is nobody to block.")
    if block == "domain" and (
        contact.is_free_mail or hygiene.is_free_mail(contact.domain) or not contact.domain
    ):
        raise ActionError(
            f"{contact.domain or 'This sender'} is a free-mail domain: block the sender instead."
        )
    with transaction.atomic():
        if lead.status != Lead.Status.SPAM:
            if not leads.move_status(lead.pk, Lead.Status.SPAM, only_from=lead.status):
                raise ActionError("Someone changed this lead meanwhile; look again.")
            Activity.record(
                lead,
                user,
                Activity.Kind.SPAM,
                f"was {Lead.Status(lead.status).label}",
                old=lead.status,
            )
            lead.status = Lead.Status.SPAM
        if not block:
            return None
        field, value = (
            ("domain", contact.domain) if block == "domain" else ("sender", contact.email)
        )
        rule = Rule.objects.create(
            name=f"Block {field} {value}"[:200],
            position=10,
            stage=Rule.Stage.BEFORE_MODEL,
            conditions=[{"field": field, "operator": "equals", "value": value}],
            actions=[{"action": "mark_spam"}, {"action": "stop"}],
        )
        Activity.record(lead, user, Activity.Kind.BLOCK_RULE, rule.name, rule_id=rule.pk)
    return rule


# --- Follow-ups ---------------------------------------------------------------------------


def set_follow_up(lead: Lead, user, *, due_on: date, note: str = "") -> FollowUp:
    """ "Follow up on <day>": until then the lead is snoozed (off the queue's default view);
    from that day it is back, and in the rep's "Follow-ups due". It replaces a pending one."""
    if due_on < timezone.localdate():
        raise ActionError("Choose today or a later day for the follow-up.")
    note = note.strip()[:2000]
    try:
        with transaction.atomic():
            FollowUp.objects.filter(lead=lead, done_at=None).update(done_at=timezone.now())
            follow_up = FollowUp.objects.create(lead=lead, user=user, due_on=due_on, note=note)
            Activity.record(
                lead,
                user,
                Activity.Kind.FOLLOW_UP,
                f"follow up on {labels.day(due_on)}" + (f": {note}" if note else ""),
                due_on=due_on.isoformat(),
            )
    except IntegrityError:  # a colleague set one at the same moment
        raise ActionError("Someone set a follow-up on this lead meanwhile; look again.") from None
    return follow_up


def finish_follow_up(lead: Lead, user) -> None:
    with transaction.atomic():
        if not FollowUp.objects.filter(lead=lead, done_at=None).update(done_at=timezone.now()):
            raise ActionError("This lead has no follow-up to mark done.")
        Activity.record(lead, user, Activity.Kind.FOLLOW_UP_DONE)


# --- Corrections: the ground truth for per-tier agreement ---------------------------------


def correct_category(lead: Lead, user, category_slug: str) -> None:
    triage = _triage(lead)
    category = (
        Category.objects.filter(slug=category_slug, is_active=True).select_related("queue").first()
    )
    if category is None:
        raise ActionError("Choose one of the categories.")
    if category.slug == triage.category:
        return
    names = dict(Category.objects.values_list("slug", "name"))
    with transaction.atomic():
        Feedback.objects.create(
            lead=lead,
            user=user,
            field="category",
            old_value=triage.category,
            new_value=category.slug,
            model=triage.model,
            tier=triage.tier,
        )
        update = {"category": category.slug, "is_lead": category.is_sales}
        if category.queue_id and category.queue_id != triage.queue_id:
            # The correction routes it where it belongs; an owner from the old queue lets go.
            update.update(queue=category.queue, assignee=None)
        Triage.objects.filter(pk=triage.pk).update(**update)
        Activity.record(
            lead,
            user,
            Activity.Kind.CORRECTION,
            f"category {labels.category_label(triage.category, names) or '(none)'} → "
            f"{category.name}",
            field="category",
            old=triage.category,
            new=category.slug,
        )


def correct_qualification(lead: Lead, user, values: dict[str, str]) -> None:
    """Set the qualification facts as the rep knows them; the score follows."""
    triage = _triage(lead)
    old = triage.qualification or {}
    new = {}
    for name in FACTS:
        before = dict(old.get(name) or {})
        value = (values.get(name) or "").strip()[:200] or None
        if value != before.get("value"):
            before.update(value=value, evidence=f"set by {user.username}" if value else "")
        new[name] = before
    if new == old:
        return
    policy = inputs.current_policy()
    scored = SimpleNamespace(
        is_lead=triage.is_lead,
        qualification=Qualification(
            **{name: Fact(fact["value"], fact.get("evidence") or "") for name, fact in new.items()}
        ),
    )
    score = compute_score(scored, policy)
    with transaction.atomic():
        Feedback.objects.create(
            lead=lead,
            user=user,
            field="qualification",
            old_value=old,
            new_value=new,
            model=triage.model,
            tier=triage.tier,
        )
        Triage.objects.filter(pk=triage.pk).update(
            qualification=new, score=score, priority=compute_priority(score, triage.urgency)
        )
        Activity.record(
            lead,
            user,
            Activity.Kind.CORRECTION,
            f"qualification; score {triage.score} → {score}",
            field="qualification",
        )


# --- Re-run triage on a chosen tier ----------------------------------------------------


def request_rerun(lead: Lead, user, tier: int) -> None:
    if tier not in (0, 1, 2, 3):
        raise ActionError("Choose a tier.")
    if tier:
        refusal = rerun.model_refusal()
        if refusal:
            raise ActionError(f"{refusal}: only the local classifier can re-run now.")
    with transaction.atomic():
        Activity.record(
            lead, user, Activity.Kind.RERUN, f"requested on {rerun.TIER_LABELS[tier]}", tier=tier
        )
        lead_id, user_id = lead.pk, user.pk
        transaction.on_commit(
            lambda: async_task("routing.tasks.rerun_triage", lead_id, tier, user_id)
        )


# --- Merge -----------------------------------------------------------------------------


def merge_leads(target: Lead, source: Lead, user) -> None:
    """Fold `source` into `target` (one contact's two threads): messages, model calls and
    audits sent (so cost per lead stays exact), feedback and timeline move; the source lead
    goes."""
    source_triage = Triage.objects.filter(lead=source).first()

    def move_related() -> None:
        source.model_calls.update(lead=target)
        # Audits sent are paid for: their calls land on the target too (answers stay off its
        # decision); those not yet sent are not worth sending.
        audits.skip_waiting(source.pk)
        source.shadow_audits.update(lead=target)
        source.feedback.update(lead=target)
        source.activities.update(lead=target)

    with transaction.atomic():
        try:
            moved = leads.merge_leads(target=target, source=source, move_related=move_related)
        except leads.MergeRefused as exc:
            raise ActionError(str(exc)) from None
        Activity.record(
            target,
            user,
            Activity.Kind.MERGE,
            f"merged lead #{source.pk} ({moved} message{'s' if moved != 1 else ''}): "
            f"{source.subject[:200]}",
            source=source.pk,
            source_category=source_triage.category if source_triage else "",
            source_model=source_triage.model if source_triage else "",
        )


# --- Bulk ------------------------------------------------------------------------------


BULK_ACTIONS = ("assign", "status", "spam")


def bulk(user, lead_ids: list[int], action: str, value: str = "") -> tuple[int, list[str]]:
    """Apply one action to many leads: how many it changed and what it could not do, each
    problem naming the lead by its contact and subject."""
    if action not in BULK_ACTIONS:
        raise ActionError("Choose an action.")
    if not lead_ids:
        raise ActionError("Select at least one lead first.")
    if action == "status" and value not in Lead.Status.values:
        raise ActionError("Choose the status to set.")
    if action == "assign" and value != "none" and not value.isdecimal():
        raise ActionError("Choose who gets the leads.")
    done, problems = 0, []
    found = visible_leads(user).select_related("contact", "triage").filter(pk__in=lead_ids[:500])
    for lead in found.order_by("pk"):
        if action == "status" and lead.status == value:
            problems.append(f"{describe(lead)}: already {Lead.Status(value).label}.")
            continue
        try:
            if action == "assign":
                assign_lead(lead, user, None if value == "none" else int(value))
            elif action == "status":
                set_status(lead, user, value)
            else:
                mark_spam(lead, user)
            done += 1
        except ActionError as exc:
            problems.append(f"{describe(lead)}: {exc}")
    return done, problems


def describe(lead: Lead) -> str:
    """A lead as a rep knows it: who wrote, about what."""
    contact = lead.contact
    subject = lead.subject or "(no subject)"
    if len(subject) > 50:
        subject = subject[:49] + "…"
    return f"{contact.name or contact.email} (“{subject}”)"
