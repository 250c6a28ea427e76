"""The approve_user permission and the default staff roles (Agent, Team lead, Administrator).

The roles are ordinary rows: admins rename them, change their permissions or delete them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENT = [
    "accounts.view_user",
    "accounts.view_organisation",
    "accounts.view_membership",
    "accounts.view_invitation",
    "accounts.view_department",
]
TEAM_LEAD = [
    *AGENT,
    "accounts.approve_user",
    "accounts.view_organisationdomain",
    "accounts.add_invitation",
    "accounts.change_department",
]
# Everything the portal's own apps define at this point; later apps add their roles' rights.
ADMINISTRATOR_APPS = ["accounts", "branding", "core"]
ROLES = {"Agent": AGENT, "Team lead": TEAM_LEAD}


def _ensure_permissions(apps, schema_editor):
    """Permissions are normally made after all migrations; the roles need them now."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_default_roles(apps, schema_editor):
    _ensure_permissions(apps, schema_editor)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        role, _ = group_model.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            role.permissions.add(
                *permission_model.objects.filter(
                    content_type__app_label=app_label, codename=codename
                )
            )
    administrator, _ = group_model.objects.get_or_create(name="Administrator")
    administrator.permissions.add(
        *permission_model.objects.filter(content_type__app_label__in=ADMINISTRATOR_APPS)
    )


def remove_default_roles(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    group_model.objects.filter(name__in=[*ROLES, "Administrator"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_import"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("branding", "0001_initial"),
        ("core", "0002_audit_event"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="user",
            options={
                "permissions": [("approve_user", "Can approve or reject registrations")],
                "verbose_name": "user",
                "verbose_name_plural": "users",
            },
        ),
        migrations.RunPython(create_default_roles, remove_default_roles),
    ]
