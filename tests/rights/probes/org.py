from django.urls import reverse

from org.models import OrgUnit

from . import Probe, form_data, superuser_client


def _renamed_grid(world):
    grid = world["grid"]
    url = reverse("admin:org_orgunit_change", args=[grid.pk])
    data = form_data(superuser_client(world), url, name="改名后的网格党支部")
    return {"url": url, "data": data, "pk": grid.pk}


PROBES = [
    Probe(
        "org.edit_tree",
        "page",
        arrange=_renamed_grid,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=lambda target: (
            OrgUnit.objects.get(pk=target["pk"]).name == "改名后的网格党支部"
        ),
    ),
]
