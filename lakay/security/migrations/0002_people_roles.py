"""Create the people's role groups (analyst, compliance_officer, ml_engineer, operator, admin)."""

from django.db import migrations

ROLES = ("analyst", "compliance_officer", "ml_engineer", "operator", "admin")


def create_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    group_model = apps.get_model("auth", "Group")
    for name in ROLES:
        group_model.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
