"""manage.py import_mail: .eml files, directories and mbox files through the real intake path."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from intake import services, tasks
from intake.management.commands import import_mail as import_mail_command
from intake.models import Lead, Message
from tests.corpus import CORPUS, dedupe_key, expected_flag, split_corpus, stored
from tests.helpers import make_email
from tests.intake.conftest import run_queued

DIALECTS = ("bsd", "dos", "mac")
SUMMARY = re.compile(r"^imported (\d+), duplicates (\d+), rejected (\d+)", re.M)


def import_mail(*args) -> tuple[str, tuple[int, int, int]]:
    out = StringIO()
    call_command("import_mail", *map(str, args), "--no-progress", stdout=out)
    output = out.getvalue()
    match = SUMMARY.search(output)
    assert match, output
    return output, tuple(int(n) for n in match.groups())


@pytest.mark.django_db(transaction=True)
def test_it_imports_the_shared_corpus():
    mail, not_mail = split_corpus()
    assert sum(len(raws) for raws in mail.values()) > 250
    assert {p.name for p, _ in not_mail} >= {"winmail.tnef", "body.tnef", "gmail.html"}

    output, (imported, duplicates, rejected) = import_mail(CORPUS)

    total_mail = sum(len(raws) for raws in mail.values())
    assert imported + duplicates == total_mail
    assert rejected == len(not_mail)
    assert imported == Message.objects.count()
    assert imported == len({dedupe_key(raw) for raws in mail.values() for raw in raws})
    assert f"rejected {len(not_mail)}: not an email" in output
    for path, raws in mail.items():
        for raw in raws:
            message = stored(raw)
            assert message.provider == "import", path
            assert message.lead_id is not None, f"{path} was not processed"
            assert message.parse_state != Message.ParseState.PENDING, path
    for path, raw in not_mail:
        assert not Message.objects.filter(dedupe_key=services.content_key(raw)).exists(), path

    # Each message of an mbox is its own Message.
    mboxes = {
        "sisimai-set-of-emails/mailbox/mbox-1": 1,
        "mimekit/mbox/simple.mbox.txt": 3,
        "mimekit/mbox/unmunged.mbox.txt": 2,
        "mimekit/mbox/issue1189.mbox.txt": 4,
    }
    for relative, count in mboxes.items():
        raws = mail[CORPUS / relative]
        assert len(raws) == count, relative
        assert len({stored(raw).pk for raw in raws}) == count, relative

    # Bounces, auto-replies and complaints are flagged and kept out of the sales queue.
    flagged = 0
    sales_queue = set(Lead.objects.in_sales_queue().values_list("pk", flat=True))
    for path, raws in mail.items():
        expected = expected_flag(path)
        if expected is None:
            continue
        message = stored(raws[0])
        assert message.hygiene == expected, path
        assert message.lead.status == Lead.Status.FILTERED, path
        assert message.lead_id not in sales_queue, path
        flagged += 1
    assert flagged > 70

    # sisimai's maildir/dos and maildir/mac hold bsd's arf-01 with other line endings: one
    # Message by its Message-ID. lhost-activehunter-01 has no Message-ID, so its two line-ending
    # variants hash differently and are two Messages.
    arf = [mail[CORPUS / f"sisimai-set-of-emails/maildir/{d}/arf-01.eml"][0] for d in DIALECTS]
    assert len({stored(raw).pk for raw in arf}) == 1
    hunter = [
        mail[CORPUS / f"sisimai-set-of-emails/maildir/{d}/lhost-activehunter-01.eml"][0]
        for d in ("dos", "mac")
    ]
    assert len({stored(raw).pk for raw in hunter}) == 2

    _, again = import_mail(CORPUS)
    assert again == (0, total_mail, len(not_mail))
    assert Message.objects.count() == imported


@pytest.fixture
def mail_dir(tmp_path):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "one.eml").write_bytes(make_email(message_id="<one@acme.test>"))
    (tmp_path / "inbox" / "nested").mkdir()
    (tmp_path / "inbox" / "nested" / "two.eml").write_bytes(
        make_email(message_id="<two@acme.test>", subject="Quote for 12 licences")
    )
    (tmp_path / "inbox" / "notes.txt").write_text("just some notes, no headers\n")
    (tmp_path / "inbox" / "README.md").write_text("Subject: not a message\n\nskipped\n")
    (tmp_path / "inbox" / "LICENSE").write_text("From: a licence that looks like mail\n")
    (tmp_path / "inbox" / ".hidden.eml").write_bytes(make_email(message_id="<hidden@acme.test>"))
    mbox = b""
    for n, message_id in enumerate(["<three@acme.test>", "<four@acme.test>", "<one@acme.test>"]):
        raw = make_email(message_id=message_id, subject=f"Order {n}").replace(b"\r\n", b"\n")
        mbox += b"From dana@acme-widgets.com Mon Nov 23 10:00:00 2026\n" + raw + b"\n"
    (tmp_path / "archive.mbox").write_bytes(mbox)
    return tmp_path


@pytest.mark.django_db(transaction=True)
def test_it_imports_files_directories_and_mbox(mail_dir):
    output, counts = import_mail(mail_dir / "inbox", mail_dir / "archive.mbox")

    assert counts == (4, 1, 1)
    lines = output.splitlines()
    assert (
        lines[0]
        == "imported 4, duplicates 1, rejected 1, skipped 3 (README, LICENSE, *.md, hidden)"
    )
    assert lines[1] == "rejected 1: not an email (no RFC 822 header lines)"
    assert lines[2] == f"  {mail_dir / 'inbox' / 'notes.txt'}"
    ids = set(Message.objects.values_list("message_id", flat=True))
    assert ids == {"one@acme.test", "two@acme.test", "three@acme.test", "four@acme.test"}
    assert set(Message.objects.values_list("provider", flat=True)) == {"import"}
    assert not Message.objects.filter(parse_state=Message.ParseState.PENDING).exists()
    assert Lead.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_it_imports_nothing_new_the_second_time(mail_dir):
    import_mail(mail_dir)
    output, counts = import_mail(mail_dir)
    assert counts == (0, 5, 1)
    assert Message.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_it_tries_a_named_file_even_if_a_directory_walk_would_skip_it(mail_dir):
    _, counts = import_mail(mail_dir / "inbox" / "LICENSE", mail_dir / "inbox" / ".hidden.eml")
    assert counts == (2, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_it_records_the_provider(mail_dir):
    call_command(
        "import_mail",
        str(mail_dir / "inbox" / "one.eml"),
        "--no-progress",
        "--provider",
        "mbox-2019",
        stdout=StringIO(),
    )
    assert Message.objects.get().provider == "mbox-2019"


@pytest.mark.django_db(transaction=True)
def test_it_rejects_a_file_over_the_size_cap(mail_dir, settings):
    settings.INTAKE_MAX_BYTES = 2000
    big = make_email(message_id="<big@acme.test>", body="x" * 5000)
    (mail_dir / "inbox" / "big.eml").write_bytes(big)
    output, counts = import_mail(mail_dir / "inbox" / "big.eml", mail_dir / "archive.mbox")
    assert counts == (3, 0, 1)
    assert "rejected 1: too large (over INTAKE_MAX_BYTES=2000)" in output
    assert f"  {mail_dir / 'inbox' / 'big.eml'}" in output
    assert not Message.objects.filter(message_id="big@acme.test").exists()


@pytest.mark.django_db(transaction=True)
def test_it_lists_the_first_few_paths_per_reason(tmp_path):
    for n in range(5):
        (tmp_path / f"note-{n}.txt").write_text("no headers here\n")
    output, counts = import_mail(tmp_path)
    assert counts == (0, 0, 5)
    assert output.count("note-") == 3
    assert "  ... and 2 more" in output


@pytest.mark.django_db
def test_it_fails_for_a_path_that_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="no such file or directory"):
        call_command("import_mail", str(tmp_path / "missing.eml"), "--no-progress")
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_enqueues_the_processing_a_few_messages_per_task(tmp_path, broker):
    for n in range(23):
        raw = make_email(sender=f"Buyer {n} <b{n}@buyer{n}.example>", message_id=f"<b{n}@x>")
        (tmp_path / f"{n:02d}.eml").write_bytes(raw)

    _, counts = import_mail(tmp_path)

    assert counts == (23, 0, 0)
    assert Message.objects.filter(parse_state=Message.ParseState.PENDING).count() == 23
    ran = run_queued(broker)
    assert ran.count("intake.tasks.process_messages") == 3
    assert "intake.tasks.process_message" not in ran
    assert not Message.objects.filter(parse_state=Message.ParseState.PENDING).exists()
    assert Lead.objects.count() == 23


@pytest.mark.django_db(transaction=True)
def test_it_closes_a_batch_early_when_its_messages_are_large(tmp_path, broker, monkeypatch):
    # A batch never holds more than BATCH_BYTES of mail: here one message each.
    monkeypatch.setattr(import_mail_command, "BATCH_BYTES", 1)
    for n in range(3):
        raw = make_email(sender=f"Buyer {n} <b{n}@buyer{n}.example>", message_id=f"<l{n}@x>")
        (tmp_path / f"{n}.eml").write_bytes(raw)

    _, counts = import_mail(tmp_path)

    assert counts == (3, 0, 0)
    assert run_queued(broker).count("intake.tasks.process_messages") == 3


@pytest.mark.django_db
def test_one_failing_message_does_not_hold_back_the_rest_of_its_task():
    ids = [
        services.ingest_email(
            raw=make_email(sender=f"b{n}@buyer{n}.example", message_id=f"<f{n}@x>"),
            provider="raw",
            enqueue=False,
        ).message.pk
        for n in range(3)
    ]
    # The database refuses to save the middle message (a fault at the boundary, not a mock).
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER refuse BEFORE UPDATE ON intake_message FOR EACH ROW "
            f"WHEN (OLD.id = {ids[1]}) EXECUTE FUNCTION refuse()"
        )

    with pytest.raises(RuntimeError, match=rf"\[{ids[1]}\]"):  # the task fails: retried
        tasks.process_messages(ids)

    states = dict(Message.objects.values_list("pk", "parse_state"))
    assert [states[pk] for pk in ids] == ["parsed", "pending", "parsed"]
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER refuse ON intake_message")
    tasks.process_messages(ids)  # the retry: the two done are skipped
    assert not Message.objects.filter(parse_state=Message.ParseState.PENDING).exists()
    assert Lead.objects.count() == 3
