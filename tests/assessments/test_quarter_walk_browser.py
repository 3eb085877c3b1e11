"""In Chromium, the street office walks a quarter on its own (no superuser):
from 我的待办 it scores the quarter's three months and ranks the quarter on
the run page, approves and pays a prize, records the exit ladder's steps for
the company at the bottom and decides its exit, and sees the compounds that
then need a new company. The walk is described in docs/walks.md."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import (
    ExitCase,
    ExitEvent,
    MonthlyCompanyScore,
    QuarterlyRanking,
    Reward,
    ScoringRun,
)
from assessments.services.cycle import approve_reward, pay_reward
from assessments.services.scoring import rank_quarter
from common.periods import Quarter
from compounds.models import ServiceContract
from tests.factories import PropertyCompanyFactory

from .score_data import compound_in, inspect, serve, small_scheme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-123"

# Deductions on each of the quarter's inspections, best company first: the
# first three win the prizes, the last two form the bottom group.
QUARTER_DEDUCTIONS = {
    "水景物业": {},
    "京杭物业": {"A2": 1},
    "鲁润物业": {"A2": 2},
    "运河物业": {"A1": 2},
    "佳和物业": {"A1": 3, "A2": 3},
}
# Monthly company scores of the two quarters before: 佳和 is at the bottom
# both times, so the walked quarter is its third in a row (an exit case).
HISTORY = [
    {"水景物业": 95, "京杭物业": 92, "鲁润物业": 89, "运河物业": 80, "佳和物业": 60},
    {"水景物业": 95, "京杭物业": 92, "鲁润物业": 70, "运河物业": 89, "佳和物业": 60},
]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "viewport": {"width": 1366, "height": 900},
    }


@pytest.fixture
def quarter():
    return Quarter.current().previous()


@pytest.fixture
def companies(street, grid, quarter, street_admin):
    """Five companies of the street: a finished quarter of submitted
    inspections, not yet scored, and two ranked quarters before it."""
    scheme = small_scheme()
    companies = {}
    for name, deductions in QUARTER_DEDUCTIONS.items():
        company = PropertyCompanyFactory(registered_with=street, name=name)
        served = 2 if name == "佳和物业" else 1
        for n in range(served):
            compound = compound_in(grid, name=f"{name[:2]}{'东西'[n]}苑")
            serve(compound, company)
            for month in quarter.months:
                inspect(
                    compound,
                    scheme,
                    month.start + timedelta(days=9),
                    deductions,
                    poll=(8, 2, 0),
                )
        companies[name] = company
    for back, scores in zip((2, 1), HISTORY, strict=True):
        earlier = quarter.shifted(-back)
        for name, score in scores.items():
            for month in earlier.months:
                MonthlyCompanyScore.objects.create(
                    company=companies[name],
                    street=street,
                    month=month.start,
                    score=Decimal(score),
                    inspections=1,
                )
        rank_quarter(earlier)
    # The earlier prizes were approved and paid long ago.
    for reward in Reward.objects.all():
        approve_reward(reward_id=reward.pk, actor=street_admin)
        pay_reward(
            reward_id=reward.pk,
            actor=street_admin,
            reference=f"JYWY-{reward.ranking.quarter}-{reward.ranking.rank}",
            paid_on=timezone.localdate(),
        )
    return companies


def log_in(page, live_server):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "street_admin")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url("**/my-tasks/")


def run(page, kind: str, period: str) -> None:
    """Queue a run on the run page and wait until its page says finished."""
    form = page.locator("#run-form")
    form.locator("[name=kind]").select_option(kind)
    form.locator("[name=period]").fill(period)
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/scores/runs/*/")
    expect(page.locator("#run .badge-run-ok")).to_be_visible(timeout=30_000)


def ladder_row(page, quarter: Quarter, company: str):
    return page.locator(
        "table.scores tr", has_text=str(quarter), has=page.get_by_text(company)
    ).filter(has=page.locator("a[href*='/exits/steps/']"))


def test_street_office_walks_a_quarter_from_scoring_to_an_exit_decision(
    live_server, page, street_admin, companies, quarter, tmp_path
):
    today = timezone.localdate()
    log_in(page, live_server)

    # 我的待办 links to the run page.
    page.locator(".tasks-links a[href='/assessments/scores/runs/']").click()
    page.wait_for_url("**/assessments/scores/runs/")
    for month in quarter.months:
        run(page, "month", str(month))
        page.get_by_role("link", name="全部计分记录").click()
    run(page, "quarter", str(quarter))
    runs = ScoringRun.objects.filter(started_by=street_admin).order_by("pk")
    assert [(r.kind, r.period, r.outcome) for r in runs] == [
        *(("month", str(month), "ok") for month in quarter.months),
        ("quarter", str(quarter), "ok"),
    ]
    assert all(r.rows_written for r in runs)

    # The ranking: three prizes, 佳和 at the bottom for the third time.
    page.get_by_role("link", name="查看结果").click()
    page.wait_for_url(f"**/rankings/?quarter={quarter}")
    table = page.locator("#ranking-table")
    prizes = table.locator(".prize-row")
    expect(prizes).to_have_count(3)
    expect(prizes.nth(0)).to_contain_text("水景物业")
    expect(prizes.nth(0)).to_contain_text("一等奖")
    expect(prizes.nth(1)).to_contain_text("京杭物业")
    expect(prizes.nth(2)).to_contain_text("鲁润物业")
    bottom = table.locator(".bottom-row", has_text="佳和物业")
    expect(bottom.locator(".badge-exit")).to_be_visible()
    expect(bottom).to_contain_text("3")
    page.screenshot(path=tmp_path / "ranking.png", full_page=True)

    # Back on 我的待办, the three new prizes wait for approval.
    page.goto(f"{live_server.url}/my-tasks/")
    to_approve = page.locator("a.task", has_text="待审批的奖励")
    expect(to_approve.locator(".task-count")).to_have_text("3")
    to_approve.click()
    page.wait_for_url("**/scores/rewards/")
    page.locator(
        "#rewards tr", has_text=str(quarter), has=page.get_by_text("水景物业")
    ).locator("a[href*='/rewards/']").click()
    page.wait_for_url("**/scores/rewards/*/")
    reward = Reward.objects.get(
        ranking__quarter=str(quarter), ranking__company=companies["水景物业"]
    )

    page.get_by_role("button", name="审批该奖励").click()
    expect(page.locator(".messages")).to_contain_text("奖励已审批。")
    page.fill("#id_payment_reference", f"JYWY-{quarter}-01")
    page.fill("#id_paid_on", today.isoformat())
    page.get_by_role("button", name="登记支付").click()
    expect(page.locator(".messages")).to_contain_text("支付已登记。")
    facts = page.locator("#reward")
    expect(facts).to_contain_text(f"JYWY-{quarter}-01")
    expect(facts).to_contain_text("已支付")
    # Paid: no form on the page, and the admin shows it read-only.
    expect(page.locator("form.cycle-form")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("不能再修改或删除")
    page.goto(f"{live_server.url}/admin/assessments/reward/{reward.pk}/change/")
    expect(page.locator("input[name=payment_reference]")).to_have_count(0)
    expect(page.locator("input[name=_save]")).to_have_count(0)
    reward.refresh_from_db()
    assert reward.is_paid
    assert reward.approved_by == street_admin
    assert reward.paid_recorded_by == street_admin
    assert reward.payment_reference == f"JYWY-{quarter}-01"

    # The exit ladder of 佳和: the warning delivered, the interview held.
    page.goto(f"{live_server.url}/assessments/scores/exits/")
    ladder_row(page, quarter.shifted(-2), "佳和物业").locator("a").click()
    page.wait_for_url("**/exits/steps/*/")
    page.fill("#id_note", "已送达预警通知书。")
    page.get_by_role("button", name="记录", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已记录。")
    expect(page.locator("#exit-history")).to_contain_text("已送达预警通知书。")

    page.goto(f"{live_server.url}/assessments/scores/exits/")
    ladder_row(page, quarter.shifted(-1), "佳和物业").locator("a").click()
    page.wait_for_url("**/exits/steps/*/")
    page.fill("#id_deadline", (today + timedelta(days=15)).isoformat())
    page.fill("#id_note", "约谈项目经理，限期整改。")
    page.get_by_role("button", name="记录", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已记录。")
    expect(page.locator("#ladder-step")).to_contain_text(today.isoformat())

    # The exit case: owners consulted, then the decision with a handover date.
    page.goto(f"{live_server.url}/assessments/scores/exits/")
    page.locator("#exit-cases tr", has_text="佳和物业").locator(
        "a[href*='/exits/']"
    ).last.click()
    page.wait_for_url("**/exits/*/")
    case = ExitCase.objects.get(company=companies["佳和物业"])
    assert case.opened_quarter == str(quarter)
    consult = page.locator("#case-owners_consulted")
    consult.locator("[name=note]").fill("两个小区业主代表会议同意更换物业。")
    consult.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已记录。")
    handover = today + timedelta(days=30)
    decide = page.locator("#case-decide")
    decide.locator("[name=handover_on]").fill(handover.isoformat())
    decide.locator("[name=note]").fill("街道物业办会议决定佳和物业退出。")
    decide.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已记录。")

    # The contracts end on the handover day; both compounds need a company.
    expect(page.locator("#ended-contracts tbody tr")).to_have_count(2)
    orphans = page.locator("#orphans li")
    expect(orphans).to_have_count(2)
    expect(page.locator("#orphans")).to_contain_text("佳和东苑")
    expect(page.locator("#orphans")).to_contain_text("佳和西苑")
    expect(page.locator("#exit-history li")).to_have_count(2)
    page.screenshot(path=tmp_path / "exit-case.png", full_page=True)

    case.refresh_from_db()
    assert case.status == ExitCase.Status.HANDOVER
    assert case.handover_on == handover
    contracts = ServiceContract.objects.filter(company=companies["佳和物业"])
    assert {c.end for c in contracts} == {handover}
    events = ExitEvent.objects.filter(company=companies["佳和物业"])
    assert events.count() == 4
    assert {e.recorded_by for e in events} == {street_admin}
    assert (
        QuarterlyRanking.objects.get(
            quarter=str(quarter), company=companies["佳和物业"]
        ).consecutive_bottom
        == 3
    )
