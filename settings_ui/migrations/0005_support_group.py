"""The support console's Support group with exactly its permissions, on every deployment."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SUPPORT_GROUP = "Support"
# As settings_ui.support.SUPPORT_PERMISSIONS read when this migration was written.
PERMISSIONS = (
    ("accounts", "view_tenant"),
    ("accounts", "view_user"),
    ("accounts", "view_roleassignment"),
    ("accounts", "view_signinsession"),
    ("accounts", "change_signinsession"),
    ("settings_ui", "view_redirectionchange"),
    ("settings_ui", "change_portal_redirection"),
    ("settings_ui", "view_feedback"),
    ("settings_ui", "change_feedback"),
    ("axes", "change_accessattempt"),
)
LOCKOUT_APP = "axes"


def create_support_group(apps, schema_editor):
    # Django creates permissions after all migrations have run; this one needs them now.
    for label in ("accounts", "settings_ui", "axes"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=SUPPORT_GROUP)
    wanted = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in PERMISSIONS
    ]
    wanted += Permission.objects.filter(
        content_type__app_label=LOCKOUT_APP, codename__startswith="view_"
    )
    group.permissions.set(wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_support_console_list_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("axes", "0010_accessattemptexpiration"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("settings_ui", "0004_support_console_list_indexes"),
    ]

    operations = [migrations.RunPython(create_support_group, migrations.RunPython.noop)]
