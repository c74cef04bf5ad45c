"""Rate-limit counters in an UNLOGGED table on PostgreSQL.

Every anonymous lookup and report bumps a counter. In a logged table each bump is a commit that
waits for its WAL to reach the disk while it holds the counter's row lock, so the hits of one
address queue behind each other's fsync and the server's workers wait instead of answering.
An unlogged table writes no WAL: a crash empties it, which for counters of one-minute windows
only means that the current minute starts again from zero. Nothing else is stored there.
SQLite has no such table kind (and commits there do not fsync: WAL with synchronous=NORMAL).
"""

from collections.abc import Callable

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def _set(*, logged: bool) -> Callable[[Apps, BaseDatabaseSchemaEditor], None]:
    def apply(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(apps.get_model("core", "RateLimitCounter")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} SET {'LOGGED' if logged else 'UNLOGGED'}")

    return apply


class Migration(migrations.Migration):
    dependencies = [("core", "0002_organization_contact_email_and_more")]

    operations = [
        migrations.RunPython(_set(logged=False), _set(logged=True), elidable=False),
    ]
