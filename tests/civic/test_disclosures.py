from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from civic import services as civic_services
from civic.models import Disclosure
from consultations.models import Concern
from tests.civic.civic_factories import DisclosureFactory
from tests.consultations.factories import category
from tests.consultations.images import jpeg_bytes, png_bytes
from tests.factories import CompoundFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def publish(compound, **kwargs):
    values = {
        "compound": compound,
        "kind": Disclosure.Kind.MAINTENANCE_FUND,
        "title": "专项维修资金使用公示",
        "content": "使用维修资金修复外墙保温。",
        "published_on": date(2026, 11, 1),
        "objection_days": 7,
        **kwargs,
    }
    return civic_services.publish_disclosure(**values)


def test_objection_window_runs_from_publication_through_its_last_day(compound):
    disclosure = publish(compound)

    assert disclosure.objection_until == date(2026, 11, 8)
    assert not disclosure.accepts_objections(date(2026, 10, 31))
    assert disclosure.accepts_objections(date(2026, 11, 1))
    assert disclosure.accepts_objections(date(2026, 11, 8))
    assert not disclosure.accepts_objections(date(2026, 11, 9))


def test_disclosure_without_window_takes_no_objections(compound):
    disclosure = publish(compound, objection_days=0)

    assert disclosure.objection_until is None
    assert not disclosure.accepts_objections(date(2026, 11, 2))


def test_objection_target_is_refused_outside_the_window(compound):
    disclosure = publish(compound)

    assert (
        civic_services.disclosure_for_objection(disclosure.pk, on=date(2026, 11, 5))
        == disclosure
    )
    for bad in (date(2026, 11, 9), date(2026, 10, 30)):
        with pytest.raises(ValidationError):
            civic_services.disclosure_for_objection(disclosure.pk, on=bad)
    for forged in ("abc", "999999", ""):
        with pytest.raises(ValidationError):
            civic_services.disclosure_for_objection(forged, on=date(2026, 11, 5))


def test_window_ending_before_publication_is_refused(compound):
    disclosure = Disclosure(
        compound=compound,
        kind=Disclosure.Kind.FEES,
        title="收费公示",
        content="内容",
        published_on=date(2026, 11, 10),
        objection_until=date(2026, 11, 1),
    )

    with pytest.raises(ValidationError):
        disclosure.full_clean()


@pytest.mark.parametrize(
    ("name", "content"),
    [("fees.pdf", PDF), ("board.jpg", jpeg_bytes()), ("board.png", png_bytes())],
)
def test_pdf_and_image_attachments_are_accepted(compound, name, content):
    disclosure = publish(compound, attachment=SimpleUploadedFile(name, content))

    assert disclosure.attachment.name.startswith("disclosures/")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", b"just text"),
        ("fake.pdf", b"<html>not a pdf</html>"),
        ("fake.jpg", b"\xff\xd8\xff\xe0 truncated jpeg"),
        ("script.png", b"<script>alert(1)</script>"),
    ],
)
def test_attachment_that_is_neither_pdf_nor_image_is_refused(compound, name, content):
    with pytest.raises(ValidationError) as error:
        publish(compound, attachment=SimpleUploadedFile(name, content))

    assert "attachment" in error.value.message_dict
    assert not Disclosure.objects.exists()


def test_too_large_attachment_is_refused(compound, settings):
    settings.DISCLOSURE_ATTACHMENT_MAX_BYTES = 1024

    with pytest.raises(ValidationError):
        publish(compound, attachment=SimpleUploadedFile("big.pdf", PDF + b"0" * 2048))
    assert not Disclosure.objects.exists()


def test_public_page_links_to_the_objection_form_only_within_the_window(
    client, compound
):
    today = timezone.localdate()
    open_one = DisclosureFactory(compound=compound, published_on=today)
    closed_one = DisclosureFactory(
        compound=compound,
        published_on=today - timedelta(days=20),
        objection_until=today - timedelta(days=10),
    )

    open_page = client.get(reverse("civic:disclosure", args=[open_one.pk]))
    closed_page = client.get(reverse("civic:disclosure", args=[closed_one.pk]))

    assert f"/disclosures/{open_one.pk}/object/" in open_page.content.decode()
    assert "/object/" not in closed_page.content.decode()


def test_draft_and_future_disclosures_are_not_public(client, compound):
    draft = DisclosureFactory(compound=compound, published_on=None)
    future = DisclosureFactory(
        compound=compound, published_on=timezone.localdate() + timedelta(days=3)
    )

    for disclosure in (draft, future):
        response = client.get(reverse("civic:disclosure", args=[disclosure.pk]))
        assert response.status_code == 404


def test_staff_publish_a_disclosure_with_an_attachment(
    client, community_staff, compound
):
    client.force_login(community_staff)

    response = client.post(
        reverse("civic:disclosure-new"),
        {
            "compound": compound.pk,
            "kind": "public_income",
            "title": "第三季度公共收益",
            "content": "收入3200元",
            "objection_days": 7,
            "attachment": SimpleUploadedFile("q3.pdf", PDF),
        },
    )

    disclosure = Disclosure.objects.get()
    assert response.status_code == 302
    assert disclosure.published_on == timezone.localdate()
    assert disclosure.created_by == community_staff


def test_staff_cannot_publish_for_a_compound_outside_their_scope(
    client, grid_secretary, other_compound
):
    client.force_login(grid_secretary)

    response = client.post(
        reverse("civic:disclosure-new"),
        {
            "compound": other_compound.pk,
            "kind": "fees",
            "title": "收费",
            "content": "内容",
            "objection_days": 0,
        },
    )

    assert response.status_code == 200
    assert "compound" in response.context["form"].errors
    assert not Disclosure.objects.exists()


# Who publishes -------------------------------------------------------------


def disclosure_post(compound, kind, title="公示"):
    return {
        "compound": compound.pk,
        "kind": kind,
        "title": title,
        "content": "详见公示内容。",
        "objection_days": 7,
    }


def test_serving_company_publishes_its_fees(client, property_manager, compound):
    client.force_login(property_manager)

    response = client.post(
        reverse("civic:disclosure-new"), disclosure_post(compound, "fees", "收费标准")
    )

    assert response.status_code == 302
    assert Disclosure.objects.get().created_by == property_manager


def test_serving_company_is_offered_only_its_own_kinds(client, property_manager):
    client.force_login(property_manager)

    form = client.get(reverse("civic:disclosure-new")).context["form"]

    offered = {value for value, _label in form.fields["kind"].choices if value}
    assert offered == {
        "service_standard",
        "fees",
        "finances",
        "public_income",
        "maintenance_fund",
    }


@pytest.mark.parametrize("kind", ["party_affairs", "meeting_decision"])
def test_serving_company_cannot_publish_the_offices_kinds(
    client, property_manager, compound, kind
):
    client.force_login(property_manager)

    response = client.post(
        reverse("civic:disclosure-new"), disclosure_post(compound, kind)
    )

    assert response.status_code == 403
    assert "发布各类公开" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_company_cannot_publish_for_a_compound_it_does_not_serve(
    property_manager, other_compound
):
    with pytest.raises(PermissionDenied):
        civic_services.publish_disclosure(
            compound=other_compound,
            kind="fees",
            title="收费",
            content="内容",
            actor=property_manager,
        )
    assert not Disclosure.objects.exists()


def test_resident_representative_publishes_nothing(client, inspector, compound):
    client.force_login(inspector)

    page = client.get(reverse("civic:disclosures"))
    form = client.get(reverse("civic:disclosure-new"))
    response = client.post(
        reverse("civic:disclosure-new"), disclosure_post(compound, "fees")
    )

    assert reverse("civic:disclosure-new") not in page.content.decode()
    assert form.status_code == 403
    assert response.status_code == 403
    assert not Disclosure.objects.exists()


# Objections -----------------------------------------------------------------


def objection_data(disclosure, **changes):
    data = {
        "compound": disclosure.compound_id,
        "category": category("property_service").pk,
        "kind": "complaint",
        "description": "收费不合理",
        "name": "",
        "phone": "",
        "email": "",
        "token": "",
    }
    data.update(changes)
    return data


def test_objection_form_opens_on_the_disclosures_compound(client, compound):
    disclosure = DisclosureFactory(compound=compound)

    page = client.get(reverse("civic:disclosure-object", args=[disclosure.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "异议" in text
    assert f'value="{compound.pk}" selected' in text


def test_objection_is_a_concern_linked_to_the_disclosure(client, compound):
    disclosure = DisclosureFactory(compound=compound)

    response = client.post(
        reverse("civic:disclosure-object", args=[disclosure.pk]),
        objection_data(disclosure),
    )

    concern = Concern.objects.get()
    assert response.status_code == 200
    assert concern.tracking_code in response.content.decode()
    assert concern.disclosure_objection.disclosure == disclosure
    assert list(disclosure.objections.all()) == [concern.disclosure_objection]


def test_objection_about_another_compound_is_refused_and_stores_nothing(
    client, compound
):
    disclosure = DisclosureFactory(compound=compound)
    other = CompoundFactory(grid=compound.grid)

    response = client.post(
        reverse("civic:disclosure-object", args=[disclosure.pk]),
        objection_data(disclosure, compound=other.pk),
    )

    assert response.status_code == 400
    assert not Concern.objects.exists()


def test_no_objection_once_the_window_has_closed(client, compound):
    today = timezone.localdate()
    closed = DisclosureFactory(
        compound=compound,
        published_on=today - timedelta(days=20),
        objection_until=today - timedelta(days=10),
    )

    response = client.get(reverse("civic:disclosure-object", args=[closed.pk]))

    assert response.status_code == 404
