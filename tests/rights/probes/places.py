from django.urls import reverse

from consultations.models import Concern
from consultations.services import submit_concern
from tests.consultations.factories import category

from . import Probe


def _unlisted(world):
    concern = submit_concern(
        compound=None,
        place="老粮站家属院",
        community=world["community"],
        category=category("sanitation"),
        description="楼下垃圾没人清",
    )
    return {
        "url": reverse("consultations:assign-compound", args=[concern.pk]),
        "pk": concern.pk,
        "compound": world["compound"].pk,
    }


PROBES = [
    Probe(
        "consultations.assign_compound",
        "page",
        arrange=_unlisted,
        act=lambda client, target: client.post(
            target["url"], {"compound": target["compound"]}
        ),
        happened=lambda target: (
            Concern.objects.get(pk=target["pk"]).compound_id == target["compound"]
        ),
    ),
]
