"""services.process_messages: a batch of stored messages processed together, as the tasks a
bulk import enqueues run it, gives what processing them one at a time gives."""

import threading
from email.message import EmailMessage

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_q.signing import SignedPackage

from intake import contacts, services
from intake.models import Attachment, Contact, Event, Lead, Message
from tests.helpers import make_email


def store(raw: bytes) -> int:
    return services.ingest_email(raw=raw, provider="raw", enqueue=False).message.pk


def with_attachment(*, sender: str, message_id: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "sales@leadrouter.test"
    mail["Subject"] = "Our RFP"
    mail["Message-ID"] = message_id
    mail.set_content("The RFP is attached.")
    mail.add_attachment(b"%PDF-1.4 rfp", maintype="application", subtype="pdf", filename="rfp.pdf")
    return mail.as_bytes()


def earlier_state() -> dict[str, Lead]:
    """Leads that were there before the batch: one to answer by its reply address, one by
    a References header, one marked spam, and a contact without a name."""
    known = {}
    for label, raw in [
        ("token", make_email(sender="olga@omega.example", message_id="<base1@omega>")),
        ("old", make_email(sender="pete@delta.example", message_id="<old1@delta>")),
        ("spam", make_email(sender="win@spam.example", subject="Win a prize", message_id="<s@s>")),
        ("eve", make_email(sender="eve@eps.example", subject="Hello", message_id="<e0@eps>")),
    ]:
        known[label] = services.process_message(store(raw)).lead
    Lead.objects.filter(pk=known["spam"].pk).update(status=Lead.Status.SPAM)
    return known


def the_batch(token_lead: Lead) -> list[bytes]:
    reply_address = contacts.reply_address(token_lead)
    return [
        make_email(message_id="<m1@acme>"),  # a new lead
        # Threads into the first by In-Reply-To, from another sender, in the same batch.
        make_email(
            sender="cfo@acme-widgets.com",
            subject="Budget",
            message_id="<m2@acme>",
            headers={"In-Reply-To": "<m1@acme>"},
        ),
        # By subject, same contact, same batch.
        make_email(subject="RE: AW: Pricing for 40 seats", message_id="<m3@acme>"),
        # An auto-reply opens a filtered lead; a person answering it puts it back to triage.
        make_email(
            sender="ooo@beta.example",
            subject="Out of Office: back on Monday",
            message_id="<ooo1@beta>",
            headers={"Auto-Submitted": "auto-replied"},
        ),
        make_email(
            sender="ooo@beta.example",
            subject="A real question",
            message_id="<q1@beta>",
            headers={"In-Reply-To": "<ooo1@beta>"},
        ),
        # Into leads stored before the batch: by reply address, and by References.
        make_email(
            sender="stranger@gamma.example",
            subject="Whatever",
            to=reply_address,
            message_id="<t1@gamma>",
        ),
        make_email(
            sender="new@delta.example",
            subject="Following up",
            message_id="<r1@delta>",
            headers={"References": "<nothing@x> <old1@delta>"},
        ),
        # The same subject as a lead marked spam: a lead of its own.
        make_email(sender="win@spam.example", subject="Win a prize", message_id="<s2@s>"),
        # An unreadable sender gets its own placeholder contact.
        make_email(sender="not an address", subject="Hi there", message_id="<u1@u>"),
        make_email(sender="not an address", subject="Hi there", message_id="<u2@u>"),
        # Names: the known contact gains one; a new contact keeps the first one given.
        make_email(
            sender="Eve Example <eve@eps.example>", subject="Pricing", message_id="<e1@eps>"
        ),
        make_email(sender="frank@phi.example", subject="One", message_id="<f1@phi>"),
        make_email(sender="Frank Phi <frank@phi.example>", subject="Two", message_id="<f2@phi>"),
        make_email(sender="Frank Other <frank@phi.example>", subject="Two", message_id="<f3@phi>"),
        with_attachment(sender="grace@chi.example", message_id="<g1@chi>"),
    ]


def outcome(known: dict[str, Lead], ids: list[int], queued: list[tuple[str, list]]) -> dict:
    """What processing left, named by message position and earlier-lead label (not by pk)."""
    names = {lead.pk: label for label, lead in known.items()}
    position = {pk: n for n, pk in enumerate(ids)}
    messages = {m.pk: m for m in Message.objects.filter(pk__in=ids)}
    for pk in ids:  # a lead opened by the batch is named after its first message
        names.setdefault(messages[pk].lead_id, f"opened by {position[pk]}")
    leads = {lead.pk: lead for lead in Lead.objects.select_related("contact")}
    received = {m.received_at: position.get(m.pk, "before") for m in Message.objects.all()}
    events = Event.objects.filter(kind=Event.Kind.LEAD_CREATED)
    triaged = sorted(names[args[0]] for func, args in queued if func.endswith("triage_lead"))
    return {
        "messages": [
            (names[messages[pk].lead_id], messages[pk].parse_state, messages[pk].hygiene)
            for pk in ids
        ],
        "leads": {
            names[pk]: (
                lead.status,
                lead.filter_reason,
                received[lead.last_message_at],
                lead.contact.email if not lead.contact.is_placeholder else "placeholder",
                lead.contact.name,
            )
            for pk, lead in leads.items()
        },
        "contacts": Contact.objects.count(),
        "created events": sorted(names[e.lead_id] for e in events if e.lead_id in names),
        "triage tasks": triaged,
        "attachments": [
            (position[a.message_id], a.filename, a.sniffed_type) for a in Attachment.objects.all()
        ],
    }


def queued_tasks(queue) -> list[tuple[str, list]]:
    tasks = []
    while batch := queue.dequeue():
        for task_id, payload in batch:
            task = SignedPackage.loads(payload)
            tasks.append((task["func"], list(task["args"])))
            queue.acknowledge(task_id)
    return tasks


def run(process, broker, capture) -> dict:
    known = earlier_state()
    queued_tasks(broker)  # what the earlier state queued is not the batch's
    ids = [store(raw) for raw in the_batch(known["token"])]
    with capture(execute=True):
        process(ids)
    return outcome(known, ids, queued_tasks(broker))


def forget_everything() -> None:
    Attachment.objects.all().delete()
    Event.objects.all().delete()
    Message.objects.all().delete()
    Lead.objects.all().delete()
    Contact.objects.all().delete()


@pytest.mark.django_db
def test_a_batch_gives_what_processing_its_messages_one_by_one_gives(
    settings, tmp_path, broker, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.INTAKE_REPLY_DOMAIN = "reply.leadrouter.test"

    def one_by_one(ids):
        for pk in ids:
            services.process_message(pk)

    alone = run(one_by_one, broker, django_capture_on_commit_callbacks)
    forget_everything()
    together = run(services.process_messages, broker, django_capture_on_commit_callbacks)

    assert together == alone
    # And the cases are what the batch means them to be.
    messages = together["messages"]
    assert [lead for lead, _state, _flag in messages[:3]] == ["opened by 0"] * 3
    assert messages[4][0] == messages[3][0] == "opened by 3"
    assert together["leads"]["opened by 3"][0] == Lead.Status.AWAITING_TRIAGE  # reopened
    assert "opened by 3" in together["triage tasks"]
    assert "opened by 3" not in together["created events"]
    assert (messages[5][0], messages[6][0], messages[7][0]) == ("token", "old", "opened by 7")
    assert messages[8][0] != messages[9][0]  # placeholders never thread together
    assert together["leads"]["eve"][4] == "Eve Example"
    assert together["leads"]["opened by 11"][4] == "Frank Phi"
    assert together["attachments"] == [(14, "rfp.pdf", "application/pdf")]


@pytest.mark.django_db
def test_a_batch_costs_the_same_statements_whatever_its_size(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def statements(count: int, prefix: str) -> int:
        ids = [
            store(make_email(sender=f"b{n}@{prefix}{n}.example", message_id=f"<{prefix}{n}@x>"))
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            processed = services.process_messages(ids)
        assert len(processed) == count
        return len(queries)

    statements(1, "warm")  # what a connection asks once (type information)
    few, many = statements(2, "few"), statements(10, "many")
    assert few == many  # one per message would be 8 each, as before batches
    assert many <= 12
    assert not Message.objects.filter(parse_state=Message.ParseState.PENDING).exists()


@pytest.mark.django_db
def test_a_failed_batch_leaves_no_attachment_files_behind(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ids = [
        store(with_attachment(sender="a@one.example", message_id="<a1@one>")),
        store(make_email(sender="b@two.example", message_id="<b1@two>")),
    ]
    # The database refuses the second message's update: the batch rolls back whole, and
    # each message is processed again on its own.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER refuse BEFORE UPDATE ON intake_message FOR EACH ROW "
            f"WHEN (OLD.id = {ids[1]}) EXECUTE FUNCTION refuse()"
        )

    with pytest.raises(services.ProcessingFailed, match=rf"\[{ids[1]}\]"):
        services.process_messages(ids)

    on_disk = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert on_disk == [a.file.name for a in Attachment.objects.all()]
    assert len(on_disk) == 1
    assert Message.objects.get(pk=ids[0]).parse_state == Message.ParseState.PARSED


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_from_the_same_new_senders_both_go_through(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    senders = ["x@same.example", "y@same.example", "z@same.example"]
    batches = [
        [store(make_email(sender=s, subject=f"{s} {n}", message_id=f"<{n}{s}>")) for s in order]
        for n, order in enumerate([senders, senders[::-1]])
    ]
    barrier = threading.Barrier(2)
    errors = []

    def process(ids):
        try:
            barrier.wait()
            services.process_messages(ids)
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=process, args=(ids,)) for ids in batches]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert sorted(Contact.objects.values_list("email", flat=True)) == senders
    assert not Message.objects.filter(parse_state=Message.ParseState.PENDING).exists()
    assert Lead.objects.count() == 6
