"""intake 0005: API submissions stored before external_ids were scoped get their caller."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from intake import services, submissions
from intake.models import Channel, Message
from tests.helpers import make_user

BEFORE = [("intake", "0004_lead_search")]
AFTER = [("intake", "0005_message_api_user")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    """Back to every app's newest migration, as the rest of the suite expects."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_it_gives_stored_api_submissions_their_caller():
    caller, gone = make_user("crm-sync"), make_user("gone")
    old = migrate(BEFORE)
    try:
        old_message = old.get_model("intake", "Message")
        for n, (user_pk, external_id) in enumerate([(caller.pk, "crm-42"), (gone.pk, "crm-7")]):
            raw = json.dumps({"n": n}).encode()
            old_message.objects.create(
                channel=Channel.API,
                provider="api",
                provider_message_id=external_id,
                dedupe_key=f"sub:api:{external_id}",
                raw=raw,
                provider_payload={"api_user": user_pk},
            )
        old_message.objects.create(
            provider="postmark", provider_message_id="pm-1", dedupe_key="pm", raw=b"x"
        )
        with connection.cursor() as cursor:  # today's User would look for api_user
            cursor.execute("DELETE FROM auth_user WHERE id = %s", [gone.pk])
    finally:
        migrate(AFTER)
        migrate_to_latest()

    assert dict(Message.objects.values_list("provider_message_id", "api_user")) == {
        "crm-42": caller.pk,
        "crm-7": None,
        "pm-1": None,
    }
    # The caller's key is still its own; another caller may use the same ids now.
    with pytest.raises(services.ExternalIdReused):
        submissions.ingest_submission(
            channel=Channel.API,
            email="a@example.com",
            message="hi",
            external_id="crm-42",
            api_user=caller,
        )
    other = make_user("portal")
    for external_id in ("crm-42", "crm-7"):
        created = submissions.ingest_submission(
            channel=Channel.API,
            email="b@example.com",
            message=external_id,
            external_id=external_id,
            api_user=other,
        )
        assert created.created
