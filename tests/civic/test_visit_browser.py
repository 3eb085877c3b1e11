"""In Chromium on a phone, a manager files a visit report and turns a need
heard on the visit day into a concern."""

import pytest

from civic import services as civic_services
from civic.models import VisitReport
from consultations.models import Concern, ConcernCategory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    }


def test_manager_files_visit_report_and_turns_a_need_into_a_concern(
    live_server, page, property_manager, compound, tmp_path
):
    # Transactional tests flush the seeded categories: make sure ours exists.
    ConcernCategory.objects.get_or_create(
        code="facility_repair",
        defaults={"name": "设施维修", "name_en": "Repairs", "sla_working_days": 5},
    )
    page.goto(f"{live_server.url}/visit-day/")
    page.fill("#id_username", "property_manager")
    page.fill("#id_password", "pass-word-123")
    page.click("#login-form [type=submit]")
    page.wait_for_url("**/visit-day/")

    # My compounds for this visit day: one, not yet reported.
    row = page.locator(".task-list li.todo")
    assert compound.name in row.inner_text()
    row.locator("a.button").click()
    page.wait_for_url("**/visit-day/reports/new/?compound=*")
    assert page.locator("#id_compound").input_value() == str(compound.pk)
    page.fill("#id_households_visited", "28")
    page.fill("#id_notes", "逐户走访，看望独居老人")
    page.fill("#id_needs", "3号楼单元门禁坏了\n希望增设公共晾衣架")
    page.screenshot(path=tmp_path / "visit-report-form.png", full_page=True)
    page.click("form.form-card button[type=submit]")
    page.wait_for_url("**/visit-day/reports/*/")

    report = VisitReport.objects.get()
    assert report.households_visited == 28
    need = page.locator("article.need").filter(has_text="3号楼单元门禁坏了")
    need.locator("select[name=category]").select_option(
        label=str(ConcernCategory.objects.get(code="facility_repair"))
    )
    need.locator("button[type=submit]").click()
    page.wait_for_load_state()

    concern = Concern.objects.get()
    assert concern.source == Concern.Source.VISIT_DAY
    assert concern.visit_need.report == report
    assert concern.description == "3号楼单元门禁坏了"
    assert concern.tracking_code in page.locator(".messages").inner_text()
    assert concern.tracking_code in page.locator("article.need").first.inner_text()
    # The other need is still waiting, with its own button.
    assert page.locator("article.need form").count() == 1
    page.screenshot(path=tmp_path / "visit-report-detail.png", full_page=True)

    # The report counts for the month only when it is dated on the visit day
    # (the form proposes today until the visit day has come).
    page.goto(f"{live_server.url}/visit-day/")
    if civic_services.counts_for_month(report):
        assert page.locator(".task-list li.done").count() == 1
    else:
        assert page.locator(".task-list li.done").count() == 0
        assert "非走访日的报告不计入" in page.locator(".task-list").inner_text()
