"""Test runs are numbered per project (unit #1 is a project's first run). Existing runs are numbered in
the order they were uploaded; each project's counter (core.ProjectCounter "testrun") continues from there."""

from django.db import migrations, models


def number_existing(apps, schema_editor):
    TestRun = apps.get_model("testruns", "TestRun")
    ProjectCounter = apps.get_model("core", "ProjectCounter")
    last: dict[int, int] = {}
    batch = []
    for run in TestRun.objects.order_by("project_id", "created_at", "id").only("id", "project_id").iterator():
        last[run.project_id] = last.get(run.project_id, 0) + 1
        run.number = last[run.project_id]
        batch.append(run)
        if len(batch) >= 1000:
            TestRun.objects.bulk_update(batch, ["number"])
            batch = []
    TestRun.objects.bulk_update(batch, ["number"])
    ProjectCounter.objects.bulk_create(
        [ProjectCounter(project_id=project, name="testrun", last_number=n) for project, n in last.items()]
    )


def forget(apps, schema_editor):
    apps.get_model("core", "ProjectCounter").objects.filter(name="testrun").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("testruns", "0006_testrun_warnings"),
        ("core", "0002_projectcounter"),
    ]

    operations = [
        migrations.AddField(
            model_name="testrun", name="number", field=models.PositiveIntegerField(editable=False, null=True)
        ),
        migrations.RunPython(number_existing, forget),
        migrations.AlterField(model_name="testrun", name="number", field=models.PositiveIntegerField(editable=False)),
        migrations.AddConstraint(
            model_name="testrun",
            constraint=models.UniqueConstraint(fields=("project", "number"), name="testrun_unique_number_per_project"),
        ),
    ]
