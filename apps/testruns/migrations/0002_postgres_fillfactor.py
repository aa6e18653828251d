"""PostgreSQL only: leave room in test-case pages so a status change is a HOT update."""

from django.db import migrations


def fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE testruns_testcase SET (fillfactor = 70)")


class Migration(migrations.Migration):
    dependencies = [("testruns", "0001_initial")]

    operations = [migrations.RunPython(fillfactor, migrations.RunPython.noop)]
