"""A concern reopened after its rating kept the rating, which then counted
in 三率 for the new round. Clear the rating fields of those concerns; the
rating itself stays on the timeline, in its rate or follow-up event."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forget_earlier_ratings(apps, schema_editor):
    Concern = apps.get_model("consultations", "Concern")
    ConcernEvent = apps.get_model("consultations", "ConcernEvent")

    def last(actions):
        return Subquery(
            ConcernEvent.objects.filter(concern=OuterRef("pk"), action__in=actions)
            .order_by("-created_at", "-id")
            .values("created_at")[:1]
        )

    stale = (
        Concern.objects.filter(reopened_count__gt=0)
        .exclude(rating="", is_resolved__isnull=True)
        .annotate(reopened=last(["reopen"]), rated=last(["rate", "follow_up"]))
        .values("pk", "reopened", "rated")
    )
    ids = [
        row["pk"]
        for row in stale
        if row["reopened"] and (row["rated"] is None or row["reopened"] > row["rated"])
    ]
    Concern.objects.filter(pk__in=ids).update(
        rating="", rating_comment="", is_resolved=None, extended=False
    )


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0007_extension_requests_and_rating_links"),
    ]

    operations = [
        migrations.RunPython(forget_earlier_ratings, migrations.RunPython.noop),
    ]
