"""Writing changed fields of many rows.

Django's bulk_update builds one CASE expression per field and row: for a few hundred rows its
SQL takes longer to build, and PostgreSQL longer to run, than everything else in a batch. One
UPDATE statement executed once per row (executemany) costs a fraction of that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db import connection, models
from django.db.models import Field


def rows_update(*, objects: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write ``fields`` of every object (all of one model, saved before), in primary-key order
    so that concurrent writers lock rows in the same order."""
    if not objects:
        return
    meta = objects[0]._meta
    columns = [cast("Field[Any, Any]", meta.get_field(name)) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    pk = quote(meta.pk.column) if meta.pk is not None else "id"
    # Only model-defined, quoted names are formatted in; every value is a parameter.
    statement = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {pk} = %s"  # noqa: S608
    rows = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk]
            for obj in sorted(objects, key=lambda o: o.pk)]
    with connection.cursor() as cursor:
        cursor.executemany(statement, rows)
