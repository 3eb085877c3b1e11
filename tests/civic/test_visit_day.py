from datetime import date

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from civic import services as civic_services
from civic.models import VisitDayOverride, VisitNeed, VisitReport
from civic.tasks import send_visit_day_reminders_task
from consultations.models import Concern, ConcernEvent, Notification
from consultations.notifications import Queued
from tests.civic.civic_factories import VisitReportFactory
from tests.consultations.factories import category
from tests.consultations.images import jpeg_bytes
from tests.factories import (
    CompanyStaffFactory,
    CompoundFactory,
    PersonFactory,
    ServiceContractFactory,
)

pytestmark = pytest.mark.django_db


# The date rule --------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 11, date(2026, 11, 14)),  # the 1st is a Sunday
        (2026, 8, date(2026, 8, 8)),  # the 1st is a Saturday
        (2026, 10, date(2026, 10, 10)),
        (2025, 2, date(2025, 2, 8)),
    ],
)
def test_visit_day_is_the_second_saturday_of_the_month(year, month, expected):
    assert civic_services.visit_day(year, month) == expected
    assert expected.weekday() == 5


def test_override_replaces_the_second_saturday_of_its_month_only():
    # National Day week: the street moves October's visit day.
    VisitDayOverride.objects.create(month=date(2026, 10, 20), date=date(2026, 10, 17))

    assert civic_services.visit_day(2026, 10) == date(2026, 10, 17)
    assert civic_services.visit_day(2026, 11) == date(2026, 11, 14)
    assert VisitDayOverride.objects.get().month == date(2026, 10, 1)


def test_override_outside_its_month_is_refused():
    override = VisitDayOverride(month=date(2026, 10, 1), date=date(2026, 11, 1))

    with pytest.raises(ValidationError):
        override.full_clean()


def test_next_visit_day_moves_to_next_month_after_this_months():
    assert civic_services.next_visit_day(date(2026, 11, 14)) == date(2026, 11, 14)
    assert civic_services.next_visit_day(date(2026, 11, 15)) == date(2026, 12, 12)
    assert civic_services.next_visit_day(date(2026, 12, 13)) == date(2027, 1, 9)


# Missing reports ------------------------------------------------------------


def test_missing_report_list_names_served_compounds_without_a_report(
    compound, other_compound
):
    ServiceContractFactory(compound=compound, start=date(2026, 1, 1))
    ServiceContractFactory(compound=other_compound, start=date(2026, 1, 1))
    unserved = CompoundFactory(grid=compound.grid)
    VisitReportFactory(compound=compound, date=date(2026, 10, 10))
    VisitReportFactory(compound=other_compound, date=date(2026, 9, 12))

    missing = civic_services.compounds_missing_report(date(2026, 10, 1))

    assert list(missing) == [other_compound]
    assert unserved not in missing


def test_missing_report_page_shows_the_street_its_compounds(
    client, street_admin, compound, other_compound
):
    ServiceContractFactory(compound=compound, start=date(2026, 1, 1))
    ServiceContractFactory(compound=other_compound, start=date(2026, 1, 1))
    VisitReportFactory(compound=compound, date=date(2026, 10, 10))
    client.force_login(street_admin)

    response = client.get(reverse("civic:visit-missing"), {"month": "2026-10"})

    assert response.status_code == 200
    assert list(response.context["missing"]) == [other_compound]
    assert other_compound.name in response.content.decode()


def test_missing_report_page_is_refused_to_company_staff(client, property_manager):
    client.force_login(property_manager)

    assert client.get(reverse("civic:visit-missing")).status_code == 403


# Filing a report and turning a need into a concern ---------------------------


def test_file_visit_report_stores_report_needs_and_company(property_manager, compound):
    day = civic_services.visit_day(2026, 11)
    with time_machine.travel(date(2026, 11, 14), tick=False):
        report = civic_services.file_visit_report(
            compound=compound,
            manager=property_manager,
            date=day,
            households_visited=35,
            notes="逐户走访",
            needs=["3号楼门禁坏了", " ", "希望增设晾衣架"],
        )

    assert report.company == compound.current_company
    assert report.manager == property_manager
    assert [n.text for n in report.needs.all()] == ["3号楼门禁坏了", "希望增设晾衣架"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"date": date(2026, 11, 15)}, "date"),
        ({"households_visited": 100000}, "households_visited"),
        ({"households_visited": -1}, "households_visited"),
    ],
)
def test_bad_visit_report_is_refused_and_nothing_is_stored(
    property_manager, compound, kwargs, field
):
    values = {"date": date(2026, 11, 14), "households_visited": 10, **kwargs}
    with (
        time_machine.travel(date(2026, 11, 14), tick=False),
        pytest.raises(ValidationError) as error,
    ):
        civic_services.file_visit_report(
            compound=compound, manager=property_manager, **values
        )

    assert field in error.value.message_dict
    assert not VisitReport.objects.exists()


def test_second_report_for_the_same_compound_and_day_is_refused(
    property_manager, compound
):
    VisitReportFactory(compound=compound, date=date(2026, 11, 14))

    with (
        time_machine.travel(date(2026, 11, 14), tick=False),
        pytest.raises(ValidationError),
    ):
        civic_services.file_visit_report(
            compound=compound,
            manager=property_manager,
            date=date(2026, 11, 14),
            households_visited=5,
        )
    assert VisitReport.objects.count() == 1


def test_need_becomes_a_concern_linked_to_the_report(property_manager, compound):
    report = VisitReportFactory(compound=compound)
    need = VisitNeed.objects.create(report=report, text="5号楼楼道灯坏了")

    concern = civic_services.need_to_concern(
        need=need, category=category("facility_repair"), actor=property_manager
    )

    need.refresh_from_db()
    assert need.concern == concern
    assert concern.source == Concern.Source.VISIT_DAY
    assert concern.visit_need.report == report
    assert concern.compound == compound
    assert concern.description == "5号楼楼道灯坏了"
    assert ConcernEvent.objects.filter(concern=concern, action="submit").exists()


def test_a_need_becomes_a_concern_only_once(property_manager, compound):
    need = VisitNeed.objects.create(
        report=VisitReportFactory(compound=compound), text="门禁坏了"
    )
    civic_services.need_to_concern(need=need, category=category("facility_repair"))

    with pytest.raises(ValidationError):
        civic_services.need_to_concern(need=need, category=category("facility_repair"))
    assert Concern.objects.count() == 1


# The manager's pages -------------------------------------------------------


def test_manager_files_report_with_photo_and_turns_need_into_concern(
    client, property_manager, compound
):
    client.force_login(property_manager)
    today = timezone.localdate()

    response = client.post(
        reverse("civic:visit-report-new"),
        {
            "compound": compound.pk,
            "date": today.isoformat(),
            "households_visited": 12,
            "notes": "走访",
            "needs": "2号楼下水道堵塞\n希望增设充电桩",
            "photos": [SimpleUploadedFile("a.jpg", jpeg_bytes(), "image/jpeg")],
        },
    )

    report = VisitReport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("civic:visit-report", args=[report.pk])
    assert report.photos.count() == 1
    need = report.needs.get(text="2号楼下水道堵塞")

    response = client.post(
        reverse("civic:visit-need-concern", args=[need.pk]),
        {"category": category("facility_repair").pk, "urgency": "normal"},
    )

    need.refresh_from_db()
    assert response.status_code == 302
    assert need.concern.visit_need.report == report
    assert need.concern.source == Concern.Source.VISIT_DAY
    page = client.get(reverse("civic:visit-report", args=[report.pk])).content.decode()
    assert need.concern.tracking_code in page


def test_report_form_refuses_a_fake_photo_and_stores_nothing(
    client, property_manager, compound
):
    client.force_login(property_manager)

    response = client.post(
        reverse("civic:visit-report-new"),
        {
            "compound": compound.pk,
            "date": timezone.localdate().isoformat(),
            "households_visited": 12,
            "photos": [SimpleUploadedFile("a.jpg", b"not an image", "image/jpeg")],
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["photos"]
    assert not VisitReport.objects.exists()


def test_manager_sees_and_reports_only_their_companys_compounds(
    client, property_manager, compound, other_compound
):
    ServiceContractFactory(compound=other_compound)
    foreign = VisitReportFactory(compound=other_compound)
    client.force_login(property_manager)

    page = client.get(reverse("civic:visit-day"))
    assert list(page.context["compounds"]) == [compound]
    assert (
        client.get(reverse("civic:visit-report", args=[foreign.pk])).status_code == 404
    )

    response = client.post(
        reverse("civic:visit-report-new"),
        {
            "compound": other_compound.pk,
            "date": timezone.localdate().isoformat(),
            "households_visited": 3,
        },
    )
    assert "compound" in response.context["form"].errors
    assert VisitReport.objects.count() == 1


def test_manager_cannot_turn_another_companys_need_into_a_concern(
    client, property_manager, other_compound
):
    ServiceContractFactory(compound=other_compound)
    need = VisitNeed.objects.create(
        report=VisitReportFactory(compound=other_compound), text="门禁坏了"
    )
    client.force_login(property_manager)

    response = client.post(
        reverse("civic:visit-need-concern", args=[need.pk]),
        {"category": category("facility_repair").pk, "urgency": "normal"},
    )

    assert response.status_code == 404
    assert not Concern.objects.exists()


# The reminder ---------------------------------------------------------------


def test_reminder_mails_managers_on_the_eve_of_the_visit_day(
    compound, django_capture_on_commit_callbacks
):
    contract = ServiceContractFactory(compound=compound, start=date(2026, 1, 1))
    manager = PersonFactory(unit=compound.grid, email="manager@example.com")
    CompanyStaffFactory(company=contract.company, person=manager)
    CompanyStaffFactory(
        company=contract.company,
        person=PersonFactory(unit=compound.grid, email="gone@example.com"),
        end=date(2026, 6, 30),
    )

    with (
        time_machine.travel(date(2026, 11, 13), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = send_visit_day_reminders_task.delay().get()

    # Through the outbox, like every other mail.
    assert sent == {"reminded": 1, "email": 1, "sms": 1}
    assert Notification.objects.get(channel="email").to_email == "manager@example.com"
    assert mail.outbox[0].to == ["manager@example.com"]
    assert compound.name in mail.outbox[0].body
    assert "2026-11-14" in mail.outbox[0].subject


def test_no_reminder_on_other_days(compound):
    contract = ServiceContractFactory(compound=compound, start=date(2026, 1, 1))
    CompanyStaffFactory(
        company=contract.company,
        person=PersonFactory(unit=compound.grid, email="manager@example.com"),
    )

    assert civic_services.send_visit_day_reminders(on=date(2026, 11, 12)) == Queued()
    assert civic_services.send_visit_day_reminders(on=date(2026, 11, 14)) == Queued()
    assert mail.outbox == []


def test_reminder_follows_the_override(compound):
    contract = ServiceContractFactory(compound=compound, start=date(2026, 1, 1))
    CompanyStaffFactory(
        company=contract.company,
        person=PersonFactory(unit=compound.grid, email="manager@example.com"),
    )
    VisitDayOverride.objects.create(month=date(2026, 10, 1), date=date(2026, 10, 17))

    assert civic_services.send_visit_day_reminders(on=date(2026, 10, 9)) == Queued()
    assert civic_services.send_visit_day_reminders(on=date(2026, 10, 16)).email == 1


def test_visit_day_page_marks_compounds_reported_on_their_visit_day(
    client, property_manager, compound
):
    with time_machine.travel(date(2026, 11, 20), tick=False):
        client.force_login(property_manager)
        before = client.get(reverse("civic:visit-day")).context["compounds"]
        VisitReportFactory(compound=compound, date=date(2026, 11, 14))

        after = client.get(reverse("civic:visit-day")).context["compounds"]

    assert [c.reported for c in before] == [False]
    assert [c.reported for c in after] == [True]


# Only the visit day counts ---------------------------------------------------


def test_a_report_on_another_day_is_kept_but_does_not_count(compound):
    ServiceContractFactory(compound=compound, start=date(2026, 1, 1))
    VisitReportFactory(compound=compound, date=date(2026, 10, 3))

    missing = civic_services.compounds_missing_report(
        date(2026, 10, 1), on=date(2026, 11, 1)
    )

    assert list(missing) == [compound]
    assert not civic_services.counts_for_month(VisitReport.objects.get())


def test_a_month_is_missed_only_after_its_visit_day(compound):
    ServiceContractFactory(compound=compound, start=date(2026, 1, 1))

    def missing(on):
        return list(civic_services.compounds_missing_report(date(2026, 12, 1), on=on))

    assert missing(date(2026, 12, 2)) == []
    assert missing(date(2026, 12, 12)) == []  # the visit day itself
    assert missing(date(2026, 12, 13)) == [compound]


def test_street_and_compound_overrides_move_their_own_visit_day(
    street, compound, other_compound
):
    ServiceContractFactory(compound=compound, start=date(2026, 1, 1))
    ServiceContractFactory(compound=other_compound, start=date(2026, 1, 1))
    far = CompoundFactory()
    ServiceContractFactory(compound=far, start=date(2026, 1, 1))
    VisitDayOverride.objects.create(
        month=date(2026, 10, 1), street=street, date=date(2026, 10, 17)
    )
    VisitDayOverride.objects.create(
        month=date(2026, 10, 1), compound=compound, date=date(2026, 10, 24)
    )

    assert civic_services.visit_day(2026, 10, compound=compound) == date(2026, 10, 24)
    assert civic_services.visit_day(2026, 10, compound=other_compound) == date(
        2026, 10, 17
    )
    assert civic_services.visit_day(2026, 10, compound=far) == date(2026, 10, 10)
    days = dict(
        civic_services.with_visit_day(
            CompoundFactory._meta.model.objects.all(), date(2026, 10, 1)
        ).values_list("pk", "visit_day")
    )
    assert days == {
        compound.pk: date(2026, 10, 24),
        other_compound.pk: date(2026, 10, 17),
        far.pk: date(2026, 10, 10),
    }
    # Each compound's own day is the one its report must carry.
    VisitReportFactory(compound=compound, date=date(2026, 10, 24))
    VisitReportFactory(compound=other_compound, date=date(2026, 10, 10))
    missing = civic_services.compounds_missing_report(
        date(2026, 10, 1), on=date(2026, 11, 1)
    )
    assert set(missing) == {other_compound, far}


def test_a_compound_override_must_lie_in_its_street(compound, outsider):
    other_street = outsider.person.unit.parent.parent
    override = VisitDayOverride(
        month=date(2026, 10, 1),
        street=other_street,
        compound=compound,
        date=date(2026, 10, 17),
    )

    with pytest.raises(ValidationError) as error:
        override.full_clean()
    assert "compound" in error.value.message_dict


def test_the_reminder_goes_to_the_compounds_whose_day_is_tomorrow(compound):
    contract = ServiceContractFactory(compound=compound, start=date(2026, 1, 1))
    CompanyStaffFactory(
        company=contract.company,
        person=PersonFactory(unit=compound.grid, email="manager@example.com"),
    )
    VisitDayOverride.objects.create(
        month=date(2026, 10, 1), compound=compound, date=date(2026, 10, 24)
    )

    assert civic_services.send_visit_day_reminders(on=date(2026, 10, 9)) == Queued()
    assert civic_services.send_visit_day_reminders(on=date(2026, 10, 23)).email == 1


def test_manager_is_told_when_a_report_is_not_on_the_visit_day(
    client, property_manager, compound
):
    with time_machine.travel(date(2026, 11, 20), tick=False):
        client.force_login(property_manager)
        response = client.post(
            reverse("civic:visit-report-new"),
            {"compound": compound.pk, "date": "2026-11-18", "households_visited": 9},
            follow=True,
        )

    page = response.content.decode()
    assert VisitReport.objects.get().date == date(2026, 11, 18)
    assert "不计入本月走访" in page
    assert "2026-11-14" in page


def test_missing_page_waits_for_the_visit_day_and_names_the_company(
    client, street_admin, compound
):
    contract = ServiceContractFactory(compound=compound, start=date(2026, 1, 1))

    with time_machine.travel(date(2026, 12, 5), tick=False):
        client.force_login(street_admin)
        before = client.get(reverse("civic:visit-missing"), {"month": "2026-12"})
    with time_machine.travel(date(2026, 12, 14), tick=False):
        client.force_login(street_admin)
        after = client.get(reverse("civic:visit-missing"), {"month": "2026-12"})

    assert before.context["missing"] == []
    assert before.context["not_yet"] == 1
    assert "尚未过去" in before.content.decode()
    assert after.context["missing"] == [compound]
    assert contract.company.name in after.content.decode()


def test_street_office_moves_its_visit_day_in_the_admin(
    client, street_admin, street, compound
):
    client.force_login(street_admin)

    response = client.post(
        reverse("admin:civic_visitdayoverride_add"),
        {
            "month": "2026-10-01",
            "street": street.pk,
            "compound": compound.pk,
            "date": "2026-10-17",
            "reason": "国庆假期",
        },
    )

    assert response.status_code == 302
    assert civic_services.visit_day(2026, 10, compound=compound) == date(2026, 10, 17)


def test_community_staff_cannot_move_the_visit_day(client, community_staff, street):
    client.force_login(community_staff)

    response = client.post(
        reverse("admin:civic_visitdayoverride_add"),
        {"month": "2026-10-01", "street": street.pk, "date": "2026-10-17"},
    )

    assert response.status_code == 403
    assert not VisitDayOverride.objects.exists()
