from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from civic import services as civic_services
from civic.models import (
    ActionItem,
    Disclosure,
    Meeting,
    VisitDayOverride,
    VisitNeed,
    VisitReport,
)
from consultations.services import submit_concern
from tests.consultations.factories import category

from . import Probe, form_data, superuser_client, today


def _meeting(world, **kwargs) -> Meeting:
    return civic_services.create_meeting(
        kind=Meeting.Kind.TEA_TABLE,
        title="流动茶桌：停车难",
        date=timezone.localdate(),
        place="小区广场",
        host="社区书记",
        compound=world["compound"],
        **kwargs,
    )


def _concern(world):
    return submit_concern(
        compound=world["compound"],
        category=category("parking"),
        description="小区停车位不够，夜里车辆乱停",
        source="tea_table",
    )


# Meetings ------------------------------------------------------------------


def _new_meeting(world):
    return {
        "kind": Meeting.Kind.TEA_TABLE,
        "title": "流动茶桌：电动车充电",
        "compound": world["compound"].pk,
        "date": today(),
        "place": "小区广场",
        "host": "社区书记",
    }


def _meeting_to_close(world):
    meeting = _meeting(world)
    url = reverse("civic:meeting-close", args=[meeting.pk])
    data = form_data(
        superuser_client(world),
        url,
        minutes="居民与物业协商停车位划线方案。",
        attendee_count="15",
        **{"d-0-text": "停车位划线由物业两周内完成。", "d-0-publish": "on"},
    )
    return {"url": url, "data": data, "pk": meeting.pk}


def _open_action_item(world):
    concern = _concern(world)
    meeting = _meeting(world, agenda=[("停车难", concern)])
    civic_services.close_meeting(
        meeting=meeting,
        minutes="现场协商。",
        attendee_count=12,
        decisions=[
            civic_services.DecisionInput(
                text="物业两周内完成停车位划线。",
                actions=[
                    civic_services.ActionInput(
                        concern=concern,
                        owner="物业公司",
                        deadline=timezone.localdate() + timedelta(days=14),
                    )
                ],
            )
        ],
    )
    item = ActionItem.objects.get(concern=concern)
    return {
        "pk": item.pk,
        "url": reverse("civic:action-item-done", args=[item.pk]),
        "next": reverse("consultations:staff-detail", args=[concern.pk]),
    }


def _item_done(target) -> bool:
    item = ActionItem.objects.select_related("hold").get(pk=target["pk"])
    return item.done_at is not None and not item.hold.is_open


# Visit days ------------------------------------------------------------------


def _visit_report(world):
    return {
        "compound": world["compound"].pk,
        "date": today(),
        "households_visited": 21,
        "notes": "逐户走访",
    }


def _reported(target) -> bool:
    return VisitReport.objects.filter(
        compound_id=target["compound"], households_visited=21
    ).exists()


def _need(world):
    report = civic_services.file_visit_report(
        compound=world["compound"],
        manager=None,
        date=timezone.localdate(),
        households_visited=10,
        needs=["3号楼门禁坏了"],
    )
    need = VisitNeed.objects.get(report=report)
    return {
        "pk": need.pk,
        "url": reverse("civic:visit-need-concern", args=[need.pk]),
        "data": {"category": category("facility_repair").pk, "urgency": "normal"},
    }


def _override(world):
    url = reverse("admin:civic_visitdayoverride_add")
    month = timezone.localdate().replace(day=1) + timedelta(days=40)
    day = date(month.year, month.month, 20)
    data = form_data(
        superuser_client(world),
        url,
        month=day.replace(day=1).isoformat(),
        street=world["street"].pk,
        date=day.isoformat(),
        reason="国庆假期顺延",
    )
    return {"url": url, "data": data, "day": day}


# Disclosures -----------------------------------------------------------------


def _disclosure(kind):
    def arrange(world):
        return {
            "compound": world["compound"].pk,
            "kind": kind,
            "title": f"公示：{kind}",
            "content": "详见附件。",
            "published_on": today(),
            "objection_days": "7",
        }

    return arrange


def _published(target) -> bool:
    return Disclosure.objects.filter(title=target["title"]).exists()


PROBES = [
    Probe(
        "civic.plan_meeting",
        "page",
        arrange=_new_meeting,
        act=lambda client, target: client.post(reverse("civic:meeting-new"), target),
        happened=lambda target: Meeting.objects.filter(title=target["title"]).exists(),
    ),
    Probe(
        "civic.record_decisions",
        "page",
        arrange=_meeting_to_close,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=lambda target: Meeting.objects.get(pk=target["pk"]).is_closed,
    ),
    Probe(
        "civic.complete_action_item",
        "page",
        arrange=_open_action_item,
        # From the concern page, which sends the user back there.
        act=lambda client, target: client.post(
            target["url"], {"note": "已划线", "next": target["next"]}
        ),
        happened=_item_done,
    ),
    Probe(
        "civic.complete_action_item",
        "api",
        arrange=_open_action_item,
        act=lambda client, target: client.post(
            f"/api/v1/action-items/{target['pk']}/done/",
            {"note": "已划线"},
            content_type="application/json",
        ),
        happened=_item_done,
    ),
    Probe(
        "civic.file_visit_report",
        "page",
        arrange=_visit_report,
        act=lambda client, target: client.post(
            reverse("civic:visit-report-new"), target
        ),
        happened=_reported,
    ),
    Probe(
        "civic.file_visit_report",
        "api",
        arrange=_visit_report,
        act=lambda client, target: client.post(
            "/api/v1/visit-reports/", target, content_type="application/json"
        ),
        happened=_reported,
    ),
    Probe(
        "civic.turn_need_into_concern",
        "page",
        arrange=_need,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=lambda target: (
            VisitNeed.objects.get(pk=target["pk"]).concern_id is not None
        ),
    ),
    Probe(
        "civic.set_visit_day",
        "page",
        arrange=_override,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=lambda target: VisitDayOverride.objects.filter(
            date=target["day"]
        ).exists(),
    ),
    Probe(
        "civic.publish_disclosure",
        "page",
        arrange=_disclosure(Disclosure.Kind.PARTY_AFFAIRS),
        act=lambda client, target: client.post(reverse("civic:disclosure-new"), target),
        happened=_published,
    ),
    Probe(
        "civic.publish_service_disclosure",
        "page",
        arrange=_disclosure(Disclosure.Kind.FEES),
        act=lambda client, target: client.post(reverse("civic:disclosure-new"), target),
        happened=_published,
    ),
]
