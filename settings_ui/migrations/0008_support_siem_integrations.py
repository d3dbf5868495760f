"""Support registers and removes tenants' SIEM integrations: the group gets those permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SUPPORT_GROUP = "Support"
# Added to settings_ui.support.SUPPORT_PERMISSIONS with the Security Center's SIEM API.
PERMISSIONS = (
    ("portal", "view_siemintegration"),
    ("portal", "add_siemintegration"),
    ("portal", "delete_siemintegration"),
)


def grant(apps, schema_editor):
    # Django creates permissions after all migrations have run; this one needs them now.
    app_config = apps.get_app_config("portal")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=SUPPORT_GROUP)
    group.permissions.add(
        *(
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in PERMISSIONS
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_siem_integration"),
        ("settings_ui", "0007_feedback_from_the_security_center"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
