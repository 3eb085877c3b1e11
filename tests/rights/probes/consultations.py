"""Residents' concerns: each workflow verb on the staff page and through the
API, staff intake, reading a concern and keeping the categories.

Every target concern is at the shared compound and, where a verb needs a
handler, dispatched to the company of `property_manager`, so the company
sees it and a refusal can only come from the table.
"""

from django.urls import reverse

from consultations import services
from consultations.models import Concern, ConcernCategory, ConcernEvent, Theme
from consultations.workflow import VERBS
from org.rights import Role

from . import Probe, form_data, superuser_client

S = Concern.Status
API = "/api/v1"
PHONE = "13712345678"


def _admin(world):
    return world["login_of"][Role.SUPERUSER]


def _submitted(world, description="楼道堆放杂物", **extra):
    return services.submit_concern(
        compound=world["compound"],
        category=ConcernCategory.objects.get(code="sanitation"),
        description=description,
        phone=PHONE,
        **extra,
    )


def _accepted(world):
    concern = _submitted(world)
    return services.accept(concern=concern, actor=_admin(world))


def _dispatched(world):
    concern = _accepted(world)
    return services.dispatch(concern=concern, actor=_admin(world), to="company")


def _signed(world):
    concern = _dispatched(world)
    return services.sign(concern=concern, actor=world["login_of"][Role.COMPANY_STAFF])


def _in_progress(world):
    concern = _signed(world)
    return services.start(concern=concern, actor=world["login_of"][Role.COMPANY_STAFF])


def _responded(world):
    # Answered by the company, so every org role is independent of it.
    concern = _in_progress(world)
    return services.respond(
        concern=concern, actor=world["login_of"][Role.COMPANY_STAFF], note="已清理"
    )


def _closed(world):
    return services.close(concern=_responded(world), actor=_admin(world))


def _extension_asked(world):
    return services.request_extension(
        concern=_dispatched(world),
        actor=world["login_of"][Role.COMPANY_STAFF],
        days=2,
        note="需采购配件",
    )


def _hidden(world):
    return services.hide(concern=_submitted(world), actor=_admin(world), note="隐私")


def _duplicate(world):
    kept = _submitted(world, description="垃圾桶满了")
    duplicate = _submitted(world, description="垃圾桶又满了")
    duplicate.into = kept
    return duplicate


def _status(concern) -> str:
    return Concern.objects.get(pk=concern.pk).status


def _fresh(concern) -> Concern:
    return Concern.objects.get(pk=concern.pk)


def _noted(action: str):
    return lambda concern: ConcernEvent.objects.filter(
        concern=concern, action=action
    ).exists()


# verb → (arrange, the verb's inputs, happened)
VERB_CASES = {
    "accept": (_submitted, {}, lambda c: _status(c) == S.ACCEPTED),
    "reject": (
        _submitted,
        {"note": "不属于物业范围"},
        lambda c: _status(c) == S.REJECTED,
    ),
    "dispatch": (_accepted, {"to": "company"}, lambda c: _status(c) == S.DISPATCHED),
    "sign": (_dispatched, {}, lambda c: _status(c) == S.SIGNED),
    "start": (_signed, {}, lambda c: _status(c) == S.IN_PROGRESS),
    "respond": (
        _in_progress,
        {"note": "已清理完毕"},
        lambda c: _status(c) == S.RESPONDED,
    ),
    "request_extension": (
        _dispatched,
        {"days": 3, "note": "需采购配件"},
        lambda c: _fresh(c).extension_requested,
    ),
    "extend": (_extension_asked, {}, lambda c: _fresh(c).extended),
    "decline_extension": (
        _extension_asked,
        {"note": "两天内可完成"},
        _noted("decline_extension"),
    ),
    "return": (
        _dispatched,
        {"note": "不属于物业维修范围"},
        lambda c: _status(c) == S.ACCEPTED,
    ),
    "escalate": (_accepted, {"note": "请加快"}, lambda c: _status(c) == S.ESCALATED),
    "follow_up": (
        _responded,
        {"rating": "satisfied", "note": "电话回访"},
        lambda c: _status(c) == S.CLOSED and _fresh(c).rating == "satisfied",
    ),
    "close": (_responded, {}, lambda c: _status(c) == S.CLOSED),
    "reopen": (_closed, {"note": "复发"}, lambda c: _status(c) == S.REOPENED),
    "merge": (_duplicate, {}, lambda c: _status(c) == S.MERGED),
    "hide": (_submitted, {"note": "含他人姓名"}, lambda c: _fresh(c).is_hidden),
    "unhide": (_hidden, {"note": "已核实"}, lambda c: not _fresh(c).is_hidden),
    "note": (_submitted, {"note": "已电话联系居民"}, _noted("note")),
}


def _inputs(concern, data: dict) -> dict:
    into = getattr(concern, "into", None)
    return {**data, "into": into.pk} if into is not None else data


def _page_act(name: str, data: dict):
    def act(client, concern):
        return client.post(
            reverse("consultations:act", args=[concern.pk]),
            {"action": name, **_inputs(concern, data)},
        )

    return act


def _api_act(name: str, data: dict):
    path = name.replace("_", "-")

    def act(client, concern):
        return client.post(
            f"{API}/concerns/{concern.pk}/{path}/",
            _inputs(concern, data),
            content_type="application/json",
        )

    return act


def _verb_probes():
    probes = []
    for name, (arrange, data, happened) in VERB_CASES.items():
        task = VERBS[name].task
        probes.append(Probe(task, "page", arrange, _page_act(name, data), happened))
        probes.append(Probe(task, "api", arrange, _api_act(name, data), happened))
    return probes


# Staff intake ----------------------------------------------------------------

INTAKE = "敲门行动中居民反映：单元门禁损坏"


def _intake_page(world):
    url = reverse("consultations:staff-create")
    data = form_data(
        superuser_client(world),
        url,
        compound=world["compound"].pk,
        category=ConcernCategory.objects.get(code="sanitation").pk,
        description=INTAKE,
        source="door_knock",
        phone=PHONE,
    )
    return {"url": url, "data": data}


def _intake_api(world):
    return {
        "compound": world["compound"].pk,
        "category": "sanitation",
        "description": INTAKE,
        "source": "door_knock",
    }


def _taken_in(target) -> bool:
    return Concern.objects.filter(description=INTAKE).exists()


# Reading a concern -----------------------------------------------------------


def _readable(world):
    return {"concern": _dispatched(world), "seen": ""}


def _read(url_of):
    def act(client, target):
        response = client.get(url_of(target["concern"]), follow=True)
        target["seen"] = response.content.decode()
        return response

    return act


# Categories ------------------------------------------------------------------


def _renamed_category(world):
    category = ConcernCategory.objects.get(code="sanitation")
    url = reverse("admin:consultations_concerncategory_change", args=[category.pk])
    data = form_data(superuser_client(world), url, name="环境卫生（含垃圾分类）")
    return {"url": url, "data": data, "pk": category.pk}


def _untagged_concern(world):
    concern = _submitted(world, description="楼前车辆停放杂乱")
    theme = Theme.objects.get(name="车辆停放")
    url = reverse("consultations:themes", args=[concern.pk])
    return {"url": url, "data": {"themes": [theme.pk]}, "concern": concern}


def _renamed_theme(world):
    theme = Theme.objects.get(name="卫生提升")
    url = reverse("admin:consultations_theme_change", args=[theme.pk])
    data = form_data(superuser_client(world), url, name="环境卫生提升")
    return {"url": url, "data": data, "pk": theme.pk}


PROBES = [
    *_verb_probes(),
    Probe(
        "consultations.tag_themes",
        "page",
        arrange=_untagged_concern,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=lambda target: target["concern"].themes.exists(),
    ),
    Probe(
        "consultations.edit_themes",
        "page",
        arrange=_renamed_theme,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=lambda target: (
            Theme.objects.get(pk=target["pk"]).name == "环境卫生提升"
        ),
    ),
    Probe(
        "consultations.submit",
        "page",
        arrange=_intake_page,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=_taken_in,
    ),
    Probe(
        "consultations.submit",
        "api",
        arrange=_intake_api,
        act=lambda client, data: client.post(
            f"{API}/concerns/", data, content_type="application/json"
        ),
        happened=_taken_in,
    ),
    Probe(
        "consultations.read_concerns",
        "page",
        arrange=_readable,
        act=_read(lambda c: reverse("consultations:staff-detail", args=[c.pk])),
        happened=lambda target: "楼道堆放杂物" in target["seen"],
    ),
    Probe(
        "consultations.read_concerns",
        "api",
        arrange=_readable,
        act=_read(lambda c: f"{API}/concerns/{c.pk}/"),
        # The number stays masked: revealing it is its own task (audit.py).
        happened=lambda target: "137****5678" in target["seen"],
    ),
    Probe(
        "consultations.edit_categories",
        "page",
        arrange=_renamed_category,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=lambda target: (
            ConcernCategory.objects.get(pk=target["pk"]).name
            == "环境卫生（含垃圾分类）"
        ),
    ),
]
