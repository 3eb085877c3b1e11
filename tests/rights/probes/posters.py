from django.urls import reverse

from . import Probe


def _poster(world):
    compound = world["compound"]
    return {
        "url": reverse("compounds:poster", args=[compound.pk]),
        "name": compound.name,
        "seen": [],
    }


def _print(client, target):
    response = client.get(target["url"])
    target["seen"].append(response.content.decode())
    return response


PROBES = [
    Probe(
        "compounds.print_posters",
        "page",
        arrange=_poster,
        act=_print,
        # A read changes nothing: "done" is the poster, with its code, shown.
        happened=lambda target: any(
            target["name"] in html and 'class="qr"' in html for html in target["seen"]
        ),
    ),
]
