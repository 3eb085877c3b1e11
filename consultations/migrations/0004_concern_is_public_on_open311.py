"""Open311 publishes a concern only when it is marked public: the concerns
already stored from the residents' own channels (web form, Open311) are
marked, those staff took in are not."""

from django.db import migrations, models

SELF_SERVICE_SOURCES = ("web", "open311")


def mark_self_service(apps, schema_editor):
    Concern = apps.get_model("consultations", "Concern")
    Concern.objects.filter(source__in=SELF_SERVICE_SOURCES).update(
        is_public_on_open311=True
    )


class Migration(migrations.Migration):
    dependencies = [("consultations", "0003_normalise_concern_phones")]

    operations = [
        migrations.AddField(
            model_name="concern",
            name="is_public_on_open311",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Whether partner platforms may read this concern (its "
                    "public text, compound and submitted photos; never the "
                    "contact details)."
                ),
                verbose_name="published on Open311",
            ),
        ),
        migrations.RunPython(mark_self_service, migrations.RunPython.noop),
    ]
