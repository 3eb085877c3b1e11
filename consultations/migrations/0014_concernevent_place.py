"""Events carry their concern's street, community and grid (PlacedInTree),
backfilled from the concerns in one UPDATE each, indexed for subtree lists."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from org.place import optional_grid


def copy_places(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        # One join instead of three correlated look-ups a row.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE consultations_concernevent e SET street_id = c.street_id, "
                "community_id = c.community_id, grid_id = c.grid_id "
                "FROM consultations_concern c WHERE c.id = e.concern_id"
            )
        return
    Concern = apps.get_model("consultations", "Concern")
    ConcernEvent = apps.get_model("consultations", "ConcernEvent")
    concern = Concern.objects.filter(pk=OuterRef("concern_id"))
    ConcernEvent.objects.update(
        street_id=Subquery(concern.values("street_id")[:1]),
        community_id=Subquery(concern.values("community_id")[:1]),
        grid_id=Subquery(concern.values("grid_id")[:1]),
    )


def place_field(null, name=""):
    return models.ForeignKey(
        editable=False,
        null=null,
        verbose_name=name,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="org.orgunit",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0013_seed_article_themes"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="concernevent",
            name="street",
            field=place_field(True),
        ),
        migrations.AddField(
            model_name="concernevent",
            name="community",
            field=place_field(True),
        ),
        migrations.AddField(
            model_name="concernevent",
            name="grid",
            field=place_field(True),
        ),
        migrations.RunPython(copy_places, migrations.RunPython.noop),
        *(
            migrations.AlterField(
                model_name="concernevent", name=name, field=place_field(False, name)
            )
            for name in ("street", "community")
        ),
        migrations.AlterField(
            model_name="concernevent", name="grid", field=optional_grid()
        ),
        migrations.AddIndex(
            model_name="concernevent",
            index=models.Index(
                fields=["street", "-created_at", "-id"], name="event_street_recent"
            ),
        ),
        migrations.AddIndex(
            model_name="concernevent",
            index=models.Index(
                fields=["community", "-created_at", "-id"],
                name="event_community_recent",
            ),
        ),
        migrations.AddIndex(
            model_name="concernevent",
            index=models.Index(
                fields=["grid", "-created_at", "-id"], name="event_grid_recent"
            ),
        ),
    ]
