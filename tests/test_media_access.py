"""Stored uploads are served only to those who may read the row that holds
them (`jiyang/media.py`): a concern's submitted photo is public while
Open311 publishes the concern and its text is not hidden; everything else
needs a login that sees the concern, inspection or notice, or a signed link
from a page that showed it. The random names are not the protection."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone

from assessments.models import InspectionPhoto, RectificationPhoto
from assessments.services.inspections import raise_rectification
from consultations import services
from consultations.models import Concern, ConcernPhoto
from tests.assessments.factories import cadre, submitted_inspection
from tests.clients import make_concern
from tests.consultations.images import jpeg_bytes
from tests.factories import (
    CompanyStaffFactory,
    PersonFactory,
    PropertyCompanyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _served(settings):
    settings.SERVE_MEDIA = True
    settings.MEDIA_ACCEL_REDIRECT = ""


def _photo(concern, stage=ConcernPhoto.Stage.SUBMITTED):
    return ConcernPhoto.objects.create(
        concern=concern, image=ContentFile(jpeg_bytes(), name="p.jpg"), stage=stage
    )


@pytest.fixture
def public_concern(compound):
    concern = make_concern(compound, phone="13700001111")
    assert concern.is_public_on_open311
    return concern


def _get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_a_public_photo_of_a_public_concern_is_public(client, public_concern):
    photo = _photo(public_concern)

    response = _get(client, None, photo.image.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=3600"


ROLES = [
    # (role, may read a hidden or non-public photo of the compound's concern)
    ("anonymous", False),
    ("outsider", False),
    ("inspector", False),
    ("grid_secretary", True),
    ("community_staff", True),
    ("street_admin", True),
    ("superuser", True),
]


def _user(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


def _not_public_photo(kind, compound, street_admin):
    """A photo no one reads without a login that sees its concern."""
    if kind == "staff-entered":
        return _photo(make_concern(compound, source=Concern.Source.WALK_IN))
    concern = make_concern(compound, phone="13700001111")
    assert concern.is_public_on_open311
    if kind == "answer":
        return _photo(concern, stage=ConcernPhoto.Stage.RESPONSE)
    photo = _photo(concern)
    services.hide(concern=concern, actor=street_admin, note="含个人信息")
    return photo


@pytest.mark.parametrize("kind", ["hidden", "staff-entered", "answer"])
@pytest.mark.parametrize(("role", "reads"), ROLES)
def test_a_photo_that_is_not_public_only_for_roles_that_see_its_concern(
    client, request, compound, street_admin, kind, role, reads
):
    photo = _not_public_photo(kind, compound, street_admin)

    response = _get(client, _user(request, role), photo.image.url)

    assert response.status_code == (200 if reads else 404)


def test_the_company_reads_the_photos_of_its_dispatched_concern_only(
    client, compound, serving_contract, property_manager, community_staff
):
    dispatched = make_concern(compound, source=Concern.Source.WALK_IN)
    services.accept(concern=dispatched, actor=community_staff)
    services.dispatch(concern=dispatched, actor=community_staff, to="company")
    other = make_concern(compound, source=Concern.Source.WALK_IN)

    ours = _get(client, property_manager, _photo(dispatched).image.url)
    theirs = _get(client, property_manager, _photo(other).image.url)

    assert ours.status_code == 200
    assert theirs.status_code == 404


def test_the_tracking_page_links_the_residents_photos_with_signed_links(
    client, compound
):
    concern = make_concern(compound, source=Concern.Source.WALK_IN)
    _photo(concern)

    page = client.get(f"/concerns/track/{concern.tracking_code}/").content.decode()
    links = sorted(set(re.findall(r'src="(/media/[^"]+)"', page)))

    assert len(links) == 1
    for link in links:
        assert "?t=" in link
        assert client.get(link.replace("&amp;", "&")).status_code == 200
        bare = link.split("?")[0]
        assert client.get(bare).status_code == 404


def test_a_signed_link_ends_and_cannot_be_moved_to_another_file(
    client, compound, settings
):
    concern = make_concern(compound, source=Concern.Source.WALK_IN)
    first, second = _photo(concern), _photo(concern)
    link = first.signed_url
    token = link.split("?t=")[1]

    assert client.get(link).status_code == 200
    assert client.get(f"{second.image.url}?t={token}").status_code == 404
    assert client.get(f"{first.image.url}?t={token}x").status_code == 404
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.MEDIA_LINK_SECONDS + 5)
    ):
        assert client.get(link).status_code == 404


@pytest.fixture
def inspection_photo(compound, street, serving_contract):
    leader = cadre(street, username="leader")
    inspection = submitted_inspection(compound, leader, occurrences={"E1": 1})
    result = inspection.results.get(item__code="E1")
    photo = InspectionPhoto.objects.create(
        result=result, image=ContentFile(jpeg_bytes(), name="i.jpg")
    )
    return photo, leader, result


@pytest.mark.parametrize(
    ("role", "reads"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("leader", True),
        ("street_admin", True),
        ("superuser", True),
    ],
)
def test_an_inspection_photo_only_for_roles_that_see_the_inspection(
    client, request, inspection_photo, role, reads
):
    photo, leader, _result = inspection_photo
    user = leader if role == "leader" else _user(request, role)

    response = _get(client, user, photo.image.url)

    assert response.status_code == (200 if reads else 404)


def test_a_rectification_photo_for_the_addressed_company_not_another(
    client, inspection_photo, serving_contract, property_manager, street_admin
):
    _photo_row, leader, result = inspection_photo
    notice = raise_rectification(result=result, actor=leader)
    photo = RectificationPhoto.objects.create(
        notice=notice, image=ContentFile(jpeg_bytes(), name="r.jpg")
    )
    stranger = UserFactory(
        person=CompanyStaffFactory(
            company=PropertyCompanyFactory(), person=PersonFactory()
        ).person,
        username="other_company",
    )

    assert _get(client, property_manager, photo.image.url).status_code == 200
    assert _get(client, street_admin, photo.image.url).status_code == 200
    assert _get(client, stranger, photo.image.url).status_code == 404
    assert _get(client, None, photo.image.url).status_code == 404


def test_a_file_no_row_holds_is_for_the_superuser_only(
    client, settings, street_admin, superuser
):
    path = settings.MEDIA_ROOT / "concerns/2026/01/stray.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_bytes())
    url = "/media/concerns/2026/01/stray.jpg"

    assert _get(client, street_admin, url).status_code == 404
    assert _get(client, superuser, url).status_code == 200


def test_production_hands_the_file_to_nginx_with_the_headers(
    client, settings, public_concern
):
    settings.SERVE_MEDIA = False
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    photo = _photo(public_concern)

    response = _get(client, None, photo.image.url)

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.image.name}"
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == b""


def test_a_refused_file_is_not_handed_to_nginx(client, settings, compound):
    settings.SERVE_MEDIA = False
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    photo = _photo(make_concern(compound, source=Concern.Source.WALK_IN))

    response = _get(client, None, photo.image.url)

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response
