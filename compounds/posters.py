"""扫码说事 posters: what one compound's poster says and where its code leads.

A resident scans the poster at the gate and lands on the public concern
form with the compound already chosen (`/concerns/new/?compound=<id>`,
one of the stable public addresses).
"""

from dataclasses import dataclass

from django.urls import reverse

from common.qr import absolute_url

from .models import Compound


@dataclass(frozen=True)
class Poster:
    compound: Compound
    # The address the QR code carries.
    form_url: str


def form_path(compound: Compound) -> str:
    """The public form with `compound` chosen."""
    return f"{reverse('consultations:create')}?compound={compound.pk}"


def poster_for(compound: Compound, request=None) -> Poster:
    return Poster(
        compound=compound, form_url=absolute_url(form_path(compound), request)
    )


def posters_for(compounds, request=None) -> list[Poster]:
    return [poster_for(compound, request) for compound in compounds]
