import hashlib

from django.db import migrations, models
from django.utils.crypto import salted_hmac

# Frozen copy of fraudhub.reports.identity.email_identity as of this migration.
_EMAIL_SALT = "fraudhub.reports.reporter-identity.email"


def _keyed(email: str) -> str:
    digest = salted_hmac(_EMAIL_SALT, email.strip().lower(), algorithm="sha256").hexdigest()
    return "email:" + digest[:40]


def rekey_email_identities(apps, schema_editor):
    """Reporters known by an e-mail address were named by its plain SHA-256, which anyone can
    recompute from a list of addresses: key them, where a report still holds the address."""
    Reporter = apps.get_model("reports", "Reporter")
    Report = apps.get_model("reports", "Report")
    for reporter in Reporter.objects.filter(identity__startswith="email:").iterator():
        addresses = (Report.objects.filter(reporter=reporter).exclude(reporter_email="")
                     .values_list("reporter_email", flat=True).distinct())
        for address in addresses:
            plain = hashlib.sha256(address.strip().lower().encode()).hexdigest()[:40]
            if reporter.identity == "email:" + plain:
                keyed = _keyed(address)
                if not Reporter.objects.filter(identity=keyed).exists():
                    Reporter.objects.filter(pk=reporter.pk).update(identity=keyed)
                break


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0003_report_case_reporter_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='report',
            name='email_confirmed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(rekey_email_identities, migrations.RunPython.noop),
    ]
