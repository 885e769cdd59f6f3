"""The real-world mail corpus and generated torture mail through gunicorn and the worker."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from intake.models import Lead, Message
from routing.models import ModelCall
from tests.corpus import expected_flag, split_corpus, stored
from tests.faults import stack
from tests.intake.mail_samples import fixture, multipart, nested_messages, nested_multipart

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TORTURE = {
    "ten thousand parts": multipart(10_000),
    "multipart nested 500 deep": nested_multipart(500),
    "attached messages nested 500 deep": nested_messages(500),
    "a 300 KB header": b"From: a@example.com\nSubject: hi\nX-Huge: " + b"a" * 300_000 + b"\n\nhi\n",
    "8,000 headers": b"From: a@example.com\nSubject: hi\n"
    + b"X-Spam: 0123456789\n" * 8000
    + b"\nhi\n",
    "multipart without a boundary": (
        b"From: a@example.com\nSubject: no boundary\nContent-Type: multipart/mixed\n\n"
        b"--\nContent-Type: text/plain\n\nlost\n"
    ),
    "NUL bytes": fixture("nul_bytes.eml"),
    "lying charsets": fixture("lying_charsets.eml"),
    "hostile HTML": fixture("hostile_html.eml"),
    "hostile attachment names": fixture("attachments.eml"),
}


def drained() -> bool:
    return not (
        Message.objects.filter(parse_state=Message.ParseState.PENDING).exists()
        or Lead.objects.filter(status=Lead.Status.AWAITING_TRIAGE).exists()
    )


@pytest.mark.reliability(9, 10)
def test_it_takes_the_mail_corpus_over_http_without_a_5xx(web, workers, fake_api, model_env):
    """Every file of the real-world corpus and ten torture messages posted to /webhooks/raw/: no
    5xx, mail stored byte for byte and parsed or marked parse_failed, the rest refused with a
    400; auto-replies, bounces and complaints kept out of sales queues with no model call."""
    mail, not_mail = split_corpus()
    worker = workers(Q_WORKERS="2", **model_env)
    posts = [raw for raws in mail.values() for raw in raws] + list(TORTURE.values())

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda raw: stack.post_raw(web, raw), posts))
        refusals = list(pool.map(lambda item: stack.post_raw(web, item[1]), not_mail))

    assert Counter(a.status for a in answers) == {202: len(posts)}, stack.tail(worker.log)
    assert {a.status for a in refusals} <= {400}, Counter(a.status for a in refusals)
    first = [raw for raw, a in zip(posts, answers, strict=True) if not a.json()["duplicate"]]
    assert len(first) == Message.objects.count()
    for raw in first:
        assert bytes(stored(raw).raw) == raw

    assert stack.poll(drained, timeout=300), stack.tail(worker.log)
    states = Counter(Message.objects.values_list("parse_state", flat=True))
    assert set(states) <= {Message.ParseState.PARSED, Message.ParseState.FAILED}, states
    for name, raw in TORTURE.items():
        assert stored(raw).lead_id is not None, name

    sales_queue = set(Lead.objects.in_sales_queue().values_list("pk", flat=True))
    flagged = [(path, stored(raws[0])) for path, raws in mail.items() if expected_flag(path)]
    for path, message in flagged:
        assert message.hygiene == expected_flag(path), path
        assert message.lead_id not in sales_queue, path
        assert not ModelCall.objects.filter(lead_id=message.lead_id).exists(), path
    assert len(flagged) > 70
    assert ModelCall.objects.count() == len(stack.messages_calls(fake_api)) > 0
