"""Rows read and written on triage's hot path, without the ORM building the same SQL each time.

Triage runs the same few statements for every lead. The ORM builds each statement's SQL anew,
and that costs more CPU than the driver and the wait for PostgreSQL together (measured with
`manage.py benchmark --only triage`: 0.3 to 1 ms a statement in Django, about 0.1 ms in the
driver; a lead's whole budget is 10 ms). Here a statement is built once per process from the
model's metadata, values are prepared as `save()` prepares them (`pre_save`, then
`get_db_prep_save`) and rows come back as the ORM returns them (`from_db`, with each field's
converters). `save()` also sends signals: no model written here has receivers, and one that
gets some must not be written through here.
"""

import functools
from collections.abc import Iterable, Sequence

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models


def insert(row: models.Model) -> models.Model:
    """`row.save()` for a new row with an auto primary key."""
    db = connections[DEFAULT_DB_ALIAS]
    sql, fields = _insert_statement(type(row))
    values = prepared(row, fields, adding=True)
    with db.cursor() as cursor:
        cursor.execute(sql, values)
        (pk,) = cursor.fetchone()
    row.pk = pk
    row._state.adding = False
    row._state.db = db.alias
    return row


def update(row: models.Model, field_names: Iterable[str]) -> None:
    """`row.save(update_fields=field_names)`."""
    db = connections[DEFAULT_DB_ALIAS]
    sql, fields = _update_statement(type(row), tuple(field_names))
    values = prepared(row, fields, adding=False)
    with db.cursor() as cursor:
        cursor.execute(sql, [*values, row.pk])
        if cursor.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")


def prepared(row: models.Model, fields: Sequence[models.Field], *, adding: bool) -> list:
    """The row's values for `fields`, as `save()` sends them (`pre_save`, then
    `get_db_prep_save`)."""
    db = connections[DEFAULT_DB_ALIAS]
    return [field.get_db_prep_save(field.pre_save(row, adding), db) for field in fields]


def loaded_fields(row: models.Model) -> list[str]:
    """What `row.save()` writes: every field but the primary key and the deferred ones."""
    deferred = row.get_deferred_fields()
    return [
        field.name
        for field in row._meta.concrete_fields
        if not field.primary_key and field.attname not in deferred
    ]


def fields_of(model: type[models.Model], names: Iterable[str] | None = None) -> list:
    """The model's concrete fields (the named ones), in the order `from_db` wants them."""
    wanted = None if names is None else {model._meta.get_field(name).attname for name in names}
    return [f for f in model._meta.concrete_fields if wanted is None or f.attname in wanted]


def column_list(fields: Sequence[models.Field], alias: str = "") -> str:
    quote = connection.ops.quote_name
    prefix = f"{quote(alias)}." if alias else ""
    return ", ".join(prefix + quote(field.column) for field in fields)


def from_row(model: type[models.Model], fields: Sequence[models.Field], values: Sequence):
    """A model instance from the `fields` columns of a row, as a queryset would make it (the
    other fields deferred)."""
    db = connections[DEFAULT_DB_ALIAS]
    converted = []
    for field, value in zip(fields, values, strict=True):
        for converter in field.get_db_converters(db):
            value = converter(value, field.cached_col, db)
        converted.append(value)
    return model.from_db(db.alias, [field.attname for field in fields], converted)


def fetch(model: type[models.Model], fields: Sequence[models.Field], sql: str, params) -> list:
    """Instances from `sql`, whose columns are `fields`' in order."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        return [from_row(model, fields, values) for values in cursor.fetchall()]


@functools.cache
def _insert_statement(model: type[models.Model]) -> tuple[str, list[models.Field]]:
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({column_list(fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(meta.pk.column)}"
    )
    return sql, fields


@functools.cache
def _update_statement(
    model: type[models.Model], field_names: tuple[str, ...]
) -> tuple[str, list[models.Field]]:
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in field_names]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    return sql, fields
