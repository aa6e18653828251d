"""Requirement key counters move to core's ProjectCounter (name "requirement"), which test runs share."""

from django.db import migrations


def to_core(apps, schema_editor):
    old = apps.get_model("requirements", "RequirementCounter")
    new = apps.get_model("core", "ProjectCounter")
    new.objects.bulk_create(
        [new(project_id=row.project_id, name="requirement", last_number=row.last_number) for row in old.objects.all()]
    )


def back(apps, schema_editor):
    old = apps.get_model("requirements", "RequirementCounter")
    new = apps.get_model("core", "ProjectCounter")
    old.objects.bulk_create(
        [old(project_id=row.project_id, last_number=row.last_number) for row in new.objects.filter(name="requirement")]
    )


class Migration(migrations.Migration):

    dependencies = [
        ("requirements", "0002_label_description"),
        ("core", "0002_projectcounter"),
    ]

    operations = [
        migrations.RunPython(to_core, back),
        migrations.DeleteModel(name="RequirementCounter"),
    ]
