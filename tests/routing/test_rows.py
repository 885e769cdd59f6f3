"""routing.rows: triage's hot-path statements read and write rows exactly as the ORM would."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError
from django.utils import timezone

from routing import rows
from routing.models import ModelCall, ModelPrice, Triage
from tests.helpers import make_lead

pytestmark = pytest.mark.django_db


def orm_values(model, pk) -> dict:
    return model.objects.filter(pk=pk).values().get()


def test_it_inserts_a_row_as_save_would(db):
    lead = make_lead()
    fields = {"lead": lead, "model": "claude-haiku-5-5", "tier": 1, "purpose": "triage"}

    written = rows.insert(ModelCall(**fields, error="interrupted"))
    saved = ModelCall(**fields, error="interrupted")
    saved.save()

    assert written.pk is not None and not written._state.adding
    ours, theirs = orm_values(ModelCall, written.pk), orm_values(ModelCall, saved.pk)
    assert ours.pop("id") != theirs.pop("id")
    assert ours.pop("created_at") == written.created_at
    theirs.pop("created_at")
    assert ours == theirs
    assert (ours["batch"], ours["retries"], ours["cost_usd"]) == (False, 0, None)


def test_it_updates_only_the_named_fields(db):
    call = rows.insert(ModelCall(lead=make_lead(), model="claude-haiku-5-5", error="interrupted"))
    price = ModelPrice.objects.filter(model="claude-haiku-5-5").first()
    call.price, call.cost_usd, call.error = price, Decimal("0.00029"), ""
    call.model = "not written"

    rows.update(call, ["price", "cost_usd", "error"])

    stored = ModelCall.objects.get(pk=call.pk)
    assert (stored.price, stored.cost_usd, stored.error) == (price, Decimal("0.00029"), "")
    assert stored.model == "claude-haiku-5-5"


def test_it_refuses_to_update_a_row_that_is_gone(db):
    call = rows.insert(ModelCall(lead=make_lead(), model="claude-haiku-5-5"))
    ModelCall.objects.filter(pk=call.pk).delete()

    with pytest.raises(DatabaseError):
        rows.update(call, ["error"])


def test_it_reads_rows_as_a_queryset_would_with_the_rest_deferred(db):
    lead = make_lead()
    Triage.objects.create(
        lead=lead,
        qualification={"need": {"value": "a demo", "evidence": "a demo"}},
        outputs=[{"tier": 1, "model": "claude-haiku-5-5"}],
        confidence=Decimal("0.91"),
        claimed_until=timezone.now() + timedelta(minutes=4),
    )
    fields = rows.fields_of(
        Triage, ["id", "lead", "qualification", "outputs", "confidence", "claimed_until"]
    )
    sql = f"SELECT {rows.column_list(fields)} FROM routing_triage WHERE lead_id = %s"

    (read,) = rows.fetch(Triage, fields, sql, [lead.pk])

    expected = Triage.objects.get(lead=lead)
    for field in fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
    assert read.get_deferred_fields() == {
        f.attname for f in Triage._meta.concrete_fields if f not in fields
    }
    assert set(rows.loaded_fields(read)) == {
        "lead",
        "qualification",
        "outputs",
        "confidence",
        "claimed_until",
    }
