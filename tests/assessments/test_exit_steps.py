"""Each exit-ladder step is a dated record; the exit ends the contracts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.models import ExitCase, ExitEvent, ExitLadderStep, QuarterlyRanking
from assessments.services.cycle import (
    decide_exit,
    move_exit_case,
    record_ladder_step,
)
from common.periods import Quarter
from compounds.models import ServiceContract
from tests.factories import CompoundFactory, PropertyCompanyFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def ladder_step(company, street, kind=ExitLadderStep.Kind.INTERVIEW):
    quarter = Quarter.current().previous()
    ranking = QuarterlyRanking.objects.create(
        company=company,
        street=street,
        quarter=str(quarter),
        quarter_start=quarter.start,
        inspection_average=Decimal("60"),
        score=Decimal("60"),
        rank=9,
        is_bottom=True,
        consecutive_bottom=2,
    )
    return ExitLadderStep.objects.create(
        ranking=ranking,
        company=company,
        street=street,
        quarter=ranking.quarter,
        kind=kind,
        consecutive=2,
    )


def exit_case(company, street, status=ExitCase.Status.OPENED):
    return ExitCase.objects.create(
        company=company,
        street=street,
        run_start=date(2026, 1, 1),
        opened_quarter="2026Q3",
        status=status,
    )


def test_two_interviews_are_two_records_and_the_step_shows_the_latest(
    client, street_admin, street, serving_contract
):
    step = ladder_step(serving_contract.company, street)
    url = reverse("assessments:ladder-step", args=[step.pk])
    client.force_login(street_admin)
    first = TODAY() - timedelta(days=20)

    client.post(
        url,
        {"on": first, "deadline": first + timedelta(days=15), "note": "第一次约谈"},
    )
    client.post(
        url,
        {"on": TODAY(), "deadline": TODAY() + timedelta(days=10), "note": "再次约谈"},
    )

    events = list(ExitEvent.objects.of_step(step))
    assert [e.note for e in events] == ["第一次约谈", "再次约谈"]
    assert {e.recorded_by for e in events} == {street_admin}
    step.refresh_from_db()
    assert step.interview_on == TODAY()
    assert step.rectification_deadline == TODAY() + timedelta(days=10)
    page = client.get(url).content.decode()
    assert "第一次约谈" in page and "再次约谈" in page


def test_an_interview_needs_a_deadline_after_it(
    client, street_admin, street, serving_contract
):
    step = ladder_step(serving_contract.company, street)
    client.force_login(street_admin)

    response = client.post(
        reverse("assessments:ladder-step", args=[step.pk]),
        {"on": TODAY(), "deadline": TODAY(), "note": ""},
    )

    assert "整改期限须晚于约谈日期" in response.content.decode()
    assert not ExitEvent.objects.exists()


def test_a_record_is_never_rewritten(street_admin, street, serving_contract):
    case = exit_case(serving_contract.company, street)
    event = move_exit_case(
        case_id=case.pk,
        status=ExitCase.Status.OWNERS_CONSULTED,
        actor=street_admin,
        on=TODAY(),
        note="业主大会",
    )

    event.note = "改写"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert ExitEvent.objects.get().note == "业主大会"


def test_a_step_in_the_future_is_refused(street_admin, street, serving_contract):
    case = exit_case(serving_contract.company, street)
    with pytest.raises(ValidationError):
        move_exit_case(
            case_id=case.pk,
            status=ExitCase.Status.OWNERS_CONSULTED,
            actor=street_admin,
            on=TODAY() + timedelta(days=1),
        )
    case.refresh_from_db()
    assert case.status == ExitCase.Status.OPENED


def test_exit_decision_ends_the_contracts_and_lists_the_compounds_left(
    client, street_admin, street, compound, serving_contract
):
    company = serving_contract.company
    second = CompoundFactory(grid=compound.grid, name="后营小区")
    ServiceContract.objects.create(
        compound=second, company=company, start=date(2020, 1, 1)
    )
    handover = TODAY() + timedelta(days=30)
    elsewhere = ServiceContract.objects.create(
        compound=CompoundFactory(), company=company, start=date(2020, 1, 1)
    )
    case = exit_case(company, street, ExitCase.Status.OWNERS_CONSULTED)
    client.force_login(street_admin)

    client.post(
        reverse("assessments:exit-case", args=[case.pk]),
        {"action": "decide", "on": TODAY(), "handover_on": handover, "note": "决定"},
    )

    case.refresh_from_db()
    assert case.status == ExitCase.Status.HANDOVER
    assert case.handover_on == handover
    serving_contract.refresh_from_db()
    assert serving_contract.end == handover
    assert ServiceContract.objects.get(compound=second, company=company).end == (
        handover
    )
    elsewhere.refresh_from_db()
    assert elsewhere.end is None, "another street's contract is not this case's"
    assert list(case.compounds_needing_company()) == [second, compound]
    # The successor of the second compound signs from the day after.
    ServiceContract.objects.create(
        compound=second,
        company=PropertyCompanyFactory(registered_with=street),
        start=handover + timedelta(days=1),
    )
    assert list(case.compounds_needing_company()) == [compound]
    decision = case.events.get(kind=ExitEvent.Kind.DECISION)
    assert (decision.handover_on, decision.recorded_by) == (handover, street_admin)
    page = client.get(reverse("assessments:exit-case", args=[case.pk]))
    assert "需要新物业企业的小区" in page.content.decode()
    assert compound.name in page.content.decode()


def test_exit_is_decided_only_after_the_owners_were_consulted(
    street_admin, street, serving_contract
):
    case = exit_case(serving_contract.company, street)
    with pytest.raises(ValidationError):
        decide_exit(
            case_id=case.pk,
            actor=street_admin,
            on=TODAY(),
            handover_on=TODAY() + timedelta(days=30),
        )
    serving_contract.refresh_from_db()
    assert serving_contract.end is None


def test_a_decided_exit_can_no_longer_be_withdrawn(
    street_admin, street, serving_contract
):
    case = exit_case(serving_contract.company, street, ExitCase.Status.OWNERS_CONSULTED)
    decide_exit(
        case_id=case.pk,
        actor=street_admin,
        on=TODAY(),
        handover_on=TODAY() + timedelta(days=30),
    )
    with pytest.raises(ValidationError):
        move_exit_case(
            case_id=case.pk,
            status=ExitCase.Status.WITHDRAWN,
            actor=street_admin,
            on=TODAY(),
        )
    move_exit_case(
        case_id=case.pk, status=ExitCase.Status.CLOSED, actor=street_admin, on=TODAY()
    )
    assert [e.kind for e in case.events.all()] == ["decision", "closed"]


def test_history_outlives_a_reranking_of_the_quarter(
    street_admin, street, serving_contract
):
    step = ladder_step(serving_contract.company, street, ExitLadderStep.Kind.WARNING)
    record_ladder_step(step_id=step.pk, actor=street_admin, on=TODAY(), note="预警")
    quarter, company = step.quarter, step.company
    step.delete()

    assert ExitEvent.objects.filter(quarter=quarter, company=company).count() == 1
