"""Sign-in through the directory: tenant ids, session references instead of keys, no hand-off."""

import uuid

from django.db import migrations, models
from django.utils.crypto import salted_hmac


def give_tenants_ids(apps, schema_editor):
    Tenant = apps.get_model("accounts", "Tenant")
    for tenant in Tenant.objects.filter(directory_id__isnull=True).only("pk"):
        tenant.directory_id = uuid.uuid4()
        tenant.save(update_fields=["directory_id"])


def hash_session_keys(apps, schema_editor):
    # The same keyed hash as accounts.models.session_reference, fixed here as it was written.
    SignInSession = apps.get_model("accounts", "SignInSession")
    for row in SignInSession.objects.exclude(session_key="").only("pk", "session_key").iterator():
        row.session_ref = salted_hmac(
            "accounts.session_reference", row.session_key, algorithm="sha256"
        ).hexdigest()
        row.save(update_fields=["session_ref"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_handoff_redemption"),
    ]

    operations = [
        migrations.DeleteModel(name="HandoffRedemption"),
        migrations.AddField(
            model_name="signinsession",
            name="session_ref",
            field=models.CharField(
                db_index=True, default="", max_length=64, verbose_name="session reference"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(hash_session_keys, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="signinsession", name="session_key"),
        migrations.AddField(
            model_name="tenant",
            name="directory_id",
            field=models.UUIDField(null=True, verbose_name="tenant id"),
        ),
        migrations.RunPython(give_tenants_ids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="tenant",
            name="directory_id",
            field=models.UUIDField(default=uuid.uuid4, unique=True, verbose_name="tenant id"),
        ),
        migrations.AddField(
            model_name="user",
            name="sessions_ended_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Every sign-in before this moment, in the directory and both portals, ended.",
                null=True,
                verbose_name="sessions ended",
            ),
        ),
        migrations.AlterField(
            model_name="signinsession",
            name="end_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("signed_out", "Signed out"),
                    ("expired", "Expired"),
                    ("ended_by_support", "Ended by support"),
                    ("replaced", "Replaced by another sign-in"),
                    ("account_changed", "Password changed or account disabled"),
                ],
                max_length=20,
                verbose_name="end reason",
            ),
        ),
        migrations.AlterField(
            model_name="signinsession",
            name="method",
            field=models.CharField(
                choices=[("password", "Password"), ("directory", "Through the directory")],
                default="password",
                max_length=20,
                verbose_name="sign-in method",
            ),
        ),
        migrations.AlterField(
            model_name="signinsession",
            name="portal",
            field=models.CharField(
                choices=[
                    ("defender", "Defender portal"),
                    ("legacy", "Legacy portal"),
                    ("directory", "Directory"),
                ],
                max_length=20,
                verbose_name="portal",
            ),
        ),
    ]
