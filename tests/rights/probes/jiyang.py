from axes.models import AccessAttempt
from django.urls import reverse

from consultations import services
from tests.consultations.factories import category

from . import Probe


def _waiting_concern(world):
    services.submit_concern(
        compound=world["compound"],
        category=category("sanitation"),
        description="楼道堆放杂物",
    )
    return {}


def _open_my_tasks(client, target):
    response = client.get(reverse("my-tasks"))
    target["body"] = response.content.decode()
    return response


def _open_overview(client, target):
    response = client.get(reverse("overview"))
    target["body"] = response.content.decode()
    return response


def _locked_login(world):
    attempt = AccessAttempt.objects.create(
        username="grid_secretary",
        ip_address="10.0.0.8",
        user_agent="probe",
        http_accept="*/*",
        path_info="/admin/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    return {"pk": attempt.pk}


PROBES = [
    Probe(
        "jiyang.view_my_tasks",
        "page",
        arrange=_waiting_concern,
        act=_open_my_tasks,
        # The page of the user's own list: its heading and either what
        # waits or the empty state.
        happened=lambda target: (
            "我的待办" in target.get("body", "")
            and (
                "task-count" in target["body"]
                or "眼下没有等您处理的事项" in target["body"]
            )
        ),
    ),
    Probe(
        "jiyang.view_overview",
        "page",
        arrange=lambda world: {},
        act=_open_overview,
        # The overview of the user's unit, its figures linking to lists.
        happened=lambda target: (
            "红色物业总览" in target.get("body", "")
            and 'data-figure="compounds"' in target["body"]
        ),
    ),
    Probe(
        "jiyang.lift_login_lockout",
        "page",
        arrange=_locked_login,
        act=lambda client, target: client.post(
            reverse("admin:axes_accessattempt_delete", args=[target["pk"]]),
            {"post": "yes"},
        ),
        happened=lambda target: (
            not AccessAttempt.objects.filter(pk=target["pk"]).exists()
        ),
    ),
]
