"""Cheaper test-case inserts: no database-level FK to the project; on PostgreSQL, a "C" collation
for the identity hash (byte comparisons in its unique index)."""

import django.db.models.deletion
from django.db import migrations, models


def identity_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE testruns_testcase ALTER COLUMN identity TYPE varchar(40) COLLATE "C"')


def default_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE testruns_testcase ALTER COLUMN identity TYPE varchar(40) COLLATE pg_catalog.\"default\"")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("testruns", "0002_postgres_fillfactor"),
    ]

    operations = [
        migrations.AlterField(
            model_name="testcase",
            name="project",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="projects.project",
            ),
        ),
        migrations.RunPython(identity_collation, default_collation),
    ]
