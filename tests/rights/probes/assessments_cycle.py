"""The street office's assessment cycle: scheme versions, scoring runs,
bonus points, rewards and the exit ladder."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from assessments.models import (
    AssessmentScheme,
    ExitCase,
    ExitEvent,
    ExitLadderStep,
    QuarterlyBonus,
    QuarterlyRanking,
    QuarterNotice,
    Reward,
    SchemeCategory,
    SchemeItem,
    ScoringRun,
)
from common.periods import Month, Quarter

from . import Probe, form_data, superuser_client, today


def _draft_scheme(world):
    scheme = AssessmentScheme.objects.create(
        name="试行考核办法",
        version=1,
        valid_from=timezone.localdate() + timedelta(days=400),
    )
    category = SchemeCategory.objects.create(
        scheme=scheme, code="A", name="综合管理", max_points=Decimal("10")
    )
    item = SchemeItem.objects.create(
        category=category,
        code="A1",
        name="制度公开",
        max_points=Decimal("10"),
        deduction=Decimal("1"),
    )
    return scheme, category, item


def _scheme_change(world):
    scheme, _, _ = _draft_scheme(world)
    url = reverse("admin:assessments_assessmentscheme_change", args=[scheme.pk])
    data = form_data(superuser_client(world), url, description="新版说明")
    return {"url": url, "data": data, "pk": scheme.pk}


def _item_change(world):
    _, category, item = _draft_scheme(world)
    url = reverse("admin:assessments_schemecategory_change", args=[category.pk])
    data = form_data(superuser_client(world), url, **{"items-0-deduction": "1.50"})
    return {"url": url, "data": data, "pk": item.pk}


def _ranking(world, **fields):
    quarter = Quarter.current().previous()
    return QuarterlyRanking.objects.create(
        company=world["company"],
        street=world["street"],
        quarter=str(quarter),
        quarter_start=quarter.start,
        inspection_average=Decimal("90"),
        score=Decimal("90"),
        rank=1,
        ranked_count=3,
        inspections=3,
        **fields,
    )


def _reward(world, *, approved=False):
    reward = Reward.objects.create(
        ranking=_ranking(world), title="一等奖", amount=Decimal("5000")
    )
    if approved:
        reward.approved_at = timezone.now() - timedelta(days=1)
        reward.approved_by = world["login_of"]["superuser"]
        reward.save()
    return reward


def _interview_step(world):
    ranking = _ranking(world, is_bottom=True, consecutive_bottom=2)
    return ExitLadderStep.objects.create(
        ranking=ranking,
        company=world["company"],
        street=world["street"],
        quarter=ranking.quarter,
        kind=ExitLadderStep.Kind.INTERVIEW,
        consecutive=2,
    )


def _case(world, status=ExitCase.Status.OPENED):
    return ExitCase.objects.create(
        company=world["company"],
        street=world["street"],
        run_start=Quarter.current().previous().start,
        opened_quarter=str(Quarter.current().previous()),
        status=status,
    )


def _ranked_quarter(world):
    ranking = _ranking(world)
    return {"quarter": ranking.quarter, "street": world["street"].pk}


def _published_quarter(world):
    target = _ranked_quarter(world)
    QuarterNotice.objects.create(
        street=world["street"],
        quarter=target["quarter"],
        year=2026,
        sequence=1,
        number="济阳街道物业〔2026〕1号",
        published_by=world["login_of"]["superuser"],
    )
    return target


def _print_notice(client, target):
    target["response"] = client.get(reverse("assessments:ranking-notice"), target)
    return target["response"]


def _notice_printed(target):
    response = target["response"]
    return response.status_code == 200 and 'id="notice-ranking"' in (
        response.content.decode()
    )


PROBES = [
    Probe(
        "assessments.publish_notice",
        "page",
        arrange=_ranked_quarter,
        act=lambda client, target: client.post(
            reverse("assessments:ranking-publish"), target
        ),
        happened=lambda target: QuarterNotice.objects.filter(
            quarter=target["quarter"], street_id=target["street"]
        ).exists(),
    ),
    Probe(
        "assessments.print_notice",
        "page",
        arrange=_ranked_quarter,
        act=_print_notice,
        happened=_notice_printed,
    ),
    Probe(
        "assessments.rerank_published_quarter",
        "page",
        arrange=_published_quarter,
        act=lambda client, target: client.post(
            reverse("assessments:ranking-rerank"),
            {**target, "reason": "检查记录更正", "confirm": "on"},
        ),
        happened=lambda target: ScoringRun.objects.filter(
            kind="quarter", period=target["quarter"], street_id=target["street"]
        ).exists(),
    ),
    Probe(
        "assessments.edit_scheme",
        "page",
        arrange=_scheme_change,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=lambda target: (
            AssessmentScheme.objects.get(pk=target["pk"]).description == "新版说明"
        ),
        name="weights-and-rules",
    ),
    Probe(
        "assessments.edit_scheme",
        "page",
        arrange=_item_change,
        act=lambda client, target: client.post(target["url"], target["data"]),
        happened=lambda target: (
            SchemeItem.objects.get(pk=target["pk"]).deduction == Decimal("1.5")
        ),
        name="items",
    ),
    Probe(
        "assessments.start_scoring_run",
        "page",
        arrange=lambda world: {
            "period": str(Month.current().previous()),
            "street": world["street"].pk,
        },
        act=lambda client, target: client.post(
            reverse("assessments:runs"),
            {"kind": "month", "period": target["period"], "street": target["street"]},
        ),
        happened=lambda target: ScoringRun.objects.filter(
            period=target["period"], street_id=target["street"]
        ).exists(),
    ),
    Probe(
        "assessments.enter_bonus",
        "page",
        arrange=lambda world: {
            "company": world["company"].pk,
            "street": world["street"].pk,
            "quarter": str(Quarter.current().previous()),
            "points": "2",
            "reason": "获区住建局通报表扬",
        },
        act=lambda client, target: client.post(
            reverse("admin:assessments_quarterlybonus_add"), target
        ),
        happened=lambda target: QuarterlyBonus.objects.filter(
            company_id=target["company"], reason=target["reason"]
        ).exists(),
    ),
    Probe(
        "assessments.approve_reward",
        "page",
        arrange=_reward,
        act=lambda client, reward: client.post(
            reverse("assessments:reward-approve", args=[reward.pk])
        ),
        happened=lambda reward: (
            Reward.objects.get(pk=reward.pk).approved_at is not None
        ),
    ),
    Probe(
        "assessments.pay_reward",
        "page",
        arrange=lambda world: _reward(world, approved=True),
        act=lambda client, reward: client.post(
            reverse("assessments:reward-pay", args=[reward.pk]),
            {"payment_reference": "JYWY-PROBE-01", "paid_on": today()},
        ),
        happened=lambda reward: Reward.objects.get(pk=reward.pk).is_paid,
    ),
    Probe(
        "assessments.record_exit_step",
        "page",
        arrange=_interview_step,
        act=lambda client, step: client.post(
            reverse("assessments:ladder-step", args=[step.pk]),
            {
                "on": today(),
                "deadline": (timezone.localdate() + timedelta(days=15)).isoformat(),
                "note": "约谈企业负责人",
            },
        ),
        happened=lambda step: ExitEvent.objects.of_step(step).exists(),
        name="interview",
    ),
    Probe(
        "assessments.record_exit_step",
        "page",
        arrange=_case,
        act=lambda client, case: client.post(
            reverse("assessments:exit-case", args=[case.pk]),
            {"action": "owners_consulted", "on": today(), "note": "业主大会表决"},
        ),
        happened=lambda case: (
            ExitCase.objects.get(pk=case.pk).status == ExitCase.Status.OWNERS_CONSULTED
            and case.events.filter(kind=ExitEvent.Kind.OWNERS_CONSULTED).exists()
        ),
        name="owners-consulted",
    ),
    Probe(
        "assessments.decide_exit",
        "page",
        arrange=lambda world: {
            "case": _case(world, ExitCase.Status.OWNERS_CONSULTED),
            "contract": world["contract"],
        },
        act=lambda client, target: client.post(
            reverse("assessments:exit-case", args=[target["case"].pk]),
            {
                "action": "decide",
                "on": today(),
                "handover_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
                "note": "退出决定",
            },
        ),
        happened=lambda target: (
            ExitCase.objects.get(pk=target["case"].pk).status
            == ExitCase.Status.HANDOVER
            and type(target["contract"]).objects.get(pk=target["contract"].pk).end
            == timezone.localdate() + timedelta(days=30)
        ),
    ),
]
