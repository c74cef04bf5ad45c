"""Writing changed fields of many rows.

Django's bulk_update builds one CASE expression per field and row: for a few hundred rows its
SQL takes longer to build, and PostgreSQL longer to run, than everything else in a batch. Here
PostgreSQL gets one UPDATE joined to the new values as arrays (one parameter per column, so the
statement text is the same whatever the number of rows), and SQLite, in process, one UPDATE
executed once per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db import connection, models
from django.db.models import Field


def rows_update(*, objects: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write ``fields`` of every object (all of one model, saved before).

    Rows are written in primary-key order; an object given twice is written as its last
    occurrence. Callers hold the rows' locks already (taken in a fixed order), so the order in
    which this statement meets them cannot deadlock.
    """
    if not objects:
        return
    meta = objects[0]._meta
    pk_field = meta.pk
    assert pk_field is not None
    columns = [cast("Field[Any, Any]", meta.get_field(name)) for name in fields]
    latest = {obj.pk: obj for obj in objects}
    ordered = [latest[pk] for pk in sorted(latest)]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(pk_field.column)
    if connection.vendor == "postgresql":
        _update_from_arrays(ordered, columns, table=table, pk=pk,
                            pk_type=_array_element_type(pk_field))
        return
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    # Only model-defined, quoted names are formatted in; every value is a parameter.
    statement = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
    rows = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk]
            for obj in ordered]
    with connection.cursor() as cursor:
        cursor.executemany(statement, rows)


def _update_from_arrays(objects: Sequence[models.Model], columns: Sequence[Field[Any, Any]], *,
                        table: str, pk: str, pk_type: str) -> None:
    quote = connection.ops.quote_name
    names = [quote(f"new_{index}") for index in range(len(columns))]
    assignments = ", ".join(f"{quote(f.column)} = v.{name}"
                            for f, name in zip(columns, names, strict=True))
    arrays = ", ".join([f"%s::{pk_type}[]"] + [f"%s::{_array_element_type(f)}[]"
                                                for f in columns])
    statement = (f"UPDATE {table} SET {assignments} "  # noqa: S608 (names quoted, values bound)
                 f"FROM unnest({arrays}) AS v(new_pk, {', '.join(names)}) "
                 f"WHERE {table}.{pk} = v.new_pk")
    params: list[list[Any]] = [[obj.pk for obj in objects]] + [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in objects]
        for f in columns]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _array_element_type(field: Field[Any, Any]) -> str:
    """The column's type without its suffix (an identity column's type is its integer type)."""
    db_type = field.db_type(connection)
    if db_type is None:
        raise TypeError(f"{field!r} has no column type to cast an array to")
    return db_type
