# "All projects" becomes a flag of the token instead of "the token has no project rows".

from django.db import migrations, models


def flag_unlimited_tokens(apps, schema_editor):
    """Tokens with no project rows meant "all projects" until now: they keep that scope explicitly.
    Tokens with rows stay limited to them (the field's default, False)."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    limited = ApiToken.projects.through.objects.values("apitoken_id")
    ApiToken.objects.exclude(pk__in=limited).update(all_projects=True)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_verbose_name'),
        ('projects', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='all_projects',
            field=models.BooleanField(default=False, help_text='Every project the user belongs to, including ones joined later.'),
        ),
        migrations.AlterField(
            model_name='apitoken',
            name='projects',
            field=models.ManyToManyField(blank=True, help_text="The projects a token without 'all projects' may use; none left means it sees nothing.", related_name='+', to='projects.project'),
        ),
        migrations.RunPython(flag_unlimited_tokens, migrations.RunPython.noop, elidable=False),
    ]
