"""The managers are texted on the eve of the visit day at their compounds."""

from datetime import date

import pytest

from civic import services as civic_services
from consultations import sms
from consultations.notifications import Queued
from tests.factories import CompanyStaffFactory, PersonFactory, ServiceContractFactory

pytestmark = pytest.mark.django_db


def test_the_manager_is_texted_the_compounds_of_tomorrows_visit_day(
    compound, django_capture_on_commit_callbacks
):
    contract = ServiceContractFactory(compound=compound, start=date(2026, 1, 1))
    CompanyStaffFactory(
        company=contract.company,
        person=PersonFactory(unit=compound.grid, phone="13600002222", email=""),
    )

    with django_capture_on_commit_callbacks(execute=True):
        # 2026-11-14 is November's second Saturday.
        queued = civic_services.send_visit_day_reminders(on=date(2026, 11, 13))

    assert queued == Queued(reminded=1, email=0, sms=1)
    [message] = sms.outbox
    assert message.phone == "+8613600002222"
    assert message.template == "visit_day"
    assert message.params == ["11-14", compound.name]
    assert message.text == f"明天11-14是您服务小区的接待日：{compound.name}。"


def test_no_text_on_other_days(compound):
    contract = ServiceContractFactory(compound=compound, start=date(2026, 1, 1))
    CompanyStaffFactory(company=contract.company, person=PersonFactory())

    civic_services.send_visit_day_reminders(on=date(2026, 11, 12))
    assert sms.outbox == []
