"""Inspections and rectification, tried by every role.

The panel of every target is the inspector cadre and the resident
representative of the cast (both posted in the street, neither living in
the compound's grid nor working for its company), so the representative
sits on every inspection it is asked to act on.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from assessments.default_scheme import ensure_default_scheme
from assessments.models import (
    Inspection,
    InspectionPanelMember,
    InspectionPlan,
    RectificationNotice,
)
from assessments.services.inspections import (
    answer_rectification,
    raise_rectification,
    record_item,
    start_inspection,
    submit_inspection,
)
from common.periods import Month
from org.rights import Role

from . import Probe, form_data, superuser_client

Seat = InspectionPanelMember.Role


def _panel(world):
    login_of = world["login_of"]
    return [
        (login_of[Role.INSPECTOR].person, Seat.CADRE),
        (login_of[Role.RESIDENT_REP].person, Seat.RESIDENT_REP),
    ]


def _draft(world):
    ensure_default_scheme()
    return start_inspection(
        compound=world["compound"],
        date=timezone.localdate(),
        panel=_panel(world),
        actor=world["login_of"][Role.SUPERUSER],
    )


def _submitted(world, **occurrences):
    inspection = _draft(world)
    root = world["login_of"][Role.SUPERUSER]
    for code, n in occurrences.items():
        record_item(
            inspection=inspection,
            item=inspection.scheme.items().get(code=code),
            occurrences=n,
            actor=root,
        )
    return submit_inspection(inspection=inspection, actor=root)


def _notice(world):
    inspection = _submitted(world, E1=2)
    return raise_rectification(
        result=inspection.results.get(item__code="E1"),
        deadline=timezone.localdate() + timedelta(days=7),
        actor=world["login_of"][Role.SUPERUSER],
    )


def _answered(world):
    notice = _notice(world)
    return answer_rectification(
        notice=notice, note="已清理", actor=world["login_of"][Role.COMPANY_STAFF]
    )


# Viewing: the act keeps the response, so `happened` can read what it showed.


def _seen(client, target, url):
    target["response"] = client.get(url)
    return target["response"]


def _shows_score(target):
    response = target["response"]
    return response.status_code == 200 and str(target["score"]) in (
        response.content.decode()
    )


def _to_view(world):
    inspection = _submitted(world, A1=1)
    return {"pk": inspection.pk, "score": inspection.score}


def _api_shows_score(target):
    response = target["response"]
    return response.status_code == 200 and response.json()["score"] == str(
        target["score"]
    )


# Starting ------------------------------------------------------------------


def _new_inspection(world):
    ensure_default_scheme()
    cadre, rep = (person for person, _role in _panel(world))
    return {
        "compound": world["compound"],
        "data": {
            "compound": world["compound"].pk,
            "date": timezone.localdate().isoformat(),
            "cadres": [cadre.pk],
            "resident_reps": [rep.pk],
        },
        "api": {
            "compound": world["compound"].pk,
            "date": timezone.localdate().isoformat(),
            "panel": [
                {"person": cadre.pk, "role": Seat.CADRE},
                {"person": rep.pk, "role": Seat.RESIDENT_REP},
            ],
            "submit": False,
        },
    }


def _started(target):
    return Inspection.objects.filter(compound=target["compound"]).exists()


# Submitting ----------------------------------------------------------------


def _to_submit(world):
    draft = _draft(world)
    url = reverse("assessments:inspection", args=[draft.pk])
    data = form_data(superuser_client(world), url, submit="1")
    return {"pk": draft.pk, "url": url, "data": data}


def _is_submitted(target):
    return Inspection.objects.get(pk=target["pk"]).is_locked


# Amending, drawing, rectification -----------------------------------------


def _to_amend(world):
    return _submitted(world)


def _amended(inspection):
    return Inspection.objects.filter(supersedes=inspection).exists()


def _to_draw(world):
    ensure_default_scheme()
    return {"street": world["street"], "month": Month.current()}


def _drawn(target):
    return InspectionPlan.objects.filter(
        street=target["street"], month=target["month"].start
    ).exists()


def _failed_item(world):
    return _submitted(world, E1=2).results.get(item__code="E1")


def _raised(result):
    return RectificationNotice.objects.filter(item_result=result).exists()


def _status_is(status):
    def happened(notice):
        notice.refresh_from_db()
        return notice.status == status and notice.rounds.exists()

    return happened


S = RectificationNotice.Status

PROBES = [
    Probe(
        "assessments.view_inspections",
        "page",
        arrange=_to_view,
        act=lambda client, target: _seen(
            client, target, reverse("assessments:inspection", args=[target["pk"]])
        ),
        happened=_shows_score,
    ),
    Probe(
        "assessments.view_inspections",
        "api",
        arrange=_to_view,
        act=lambda client, target: _seen(
            client, target, f"/api/v1/inspections/{target['pk']}/"
        ),
        happened=_api_shows_score,
    ),
    Probe(
        "assessments.start_inspection",
        "page",
        arrange=_new_inspection,
        act=lambda client, target: client.post(
            reverse("assessments:inspection-new"), target["data"]
        ),
        happened=_started,
    ),
    Probe(
        "assessments.start_inspection",
        "api",
        arrange=_new_inspection,
        act=lambda client, target: client.post(
            "/api/v1/inspections/", target["api"], content_type="application/json"
        ),
        happened=_started,
    ),
    Probe(
        "assessments.submit_inspection",
        "page",
        arrange=_to_submit,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=_is_submitted,
    ),
    Probe(
        "assessments.submit_inspection",
        "api",
        arrange=_to_submit,
        act=lambda client, target: client.post(
            f"/api/v1/inspections/{target['pk']}/submit/"
        ),
        happened=_is_submitted,
    ),
    Probe(
        "assessments.amend_inspection",
        "page",
        arrange=_to_amend,
        act=lambda client, inspection: client.post(
            reverse("assessments:inspection-amend", args=[inspection.pk]),
            {"reason": "C6 记错了次数"},
        ),
        happened=_amended,
    ),
    Probe(
        "assessments.amend_inspection",
        "api",
        arrange=_to_amend,
        act=lambda client, inspection: client.post(
            f"/api/v1/inspections/{inspection.pk}/amend/",
            {"reason": "C6 记错了次数"},
            content_type="application/json",
        ),
        happened=_amended,
    ),
    Probe(
        "assessments.draw_plan",
        "page",
        arrange=_to_draw,
        act=lambda client, target: client.post(
            reverse("assessments:plans"),
            {"street": target["street"].pk, "month": str(target["month"])},
        ),
        happened=_drawn,
    ),
    Probe(
        "assessments.raise_rectification",
        "page",
        arrange=_failed_item,
        act=lambda client, result: client.post(
            reverse("assessments:rectification-raise", args=[result.pk]),
            {
                "deadline": (timezone.localdate() + timedelta(days=5)).isoformat(),
                "requirement": "清理楼道堆物",
            },
        ),
        happened=_raised,
    ),
    Probe(
        "assessments.answer_rectification",
        "page",
        arrange=_notice,
        act=lambda client, notice: client.post(
            reverse("assessments:rectification", args=[notice.pk]),
            {"note": "楼道堆物已全部清走"},
        ),
        happened=_status_is(S.ANSWERED),
    ),
    Probe(
        "assessments.recheck_rectification",
        "page",
        arrange=_answered,
        act=lambda client, notice: client.post(
            reverse("assessments:rectification", args=[notice.pk]),
            {"accepted": "1", "note": "现场复查已整改"},
        ),
        happened=_status_is(S.VERIFIED),
    ),
]
