import re

import pytest
from playwright.sync_api import expect

from assessments.models import Inspection

from .factories import cadre, default_scheme, resident_rep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-123"


def log_in(page, live_server, username, next_path):
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_inspector_files_on_a_phone_and_the_street_admin_sees_the_score(
    live_server, page, browser, compound, street, street_admin
):
    default_scheme()
    cadre(street, username="phone_inspector")
    rep = resident_rep(street)
    page.set_viewport_size({"width": 390, "height": 844})
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(
        page,
        live_server,
        "phone_inspector",
        f"/assessments/inspections/new/%3Fcompound%3D{compound.pk}",
    )
    expect(page.locator("h1")).to_have_text(compound.name)
    page.get_by_label(rep.name).check()
    page.get_by_role("button", name=re.compile("开始|Start")).click()

    # On the sheet: two occurrences of A1 (−3 each, capped at its 3 points)
    # and three of C1 (−0.2 each), a poll of 10 households.
    a1 = page.locator(".insp-item", has=page.locator(".insp-code", has_text="A1"))
    a1.locator("button[data-step='1']").click()
    a1.locator("button[data-step='1']").click()
    c1 = page.locator(".insp-item", has=page.locator(".insp-code", has_text="C1"))
    c1.locator("input[type=number]").fill("3")
    page.fill("input[name=satisfied]", "8")
    page.fill("input[name=basically_satisfied]", "1")
    page.fill("input[name=dissatisfied]", "1")
    # 100 − 3 − 0.6 − 15 × 0.1 = 94.90
    expect(page.locator("#insp-total")).to_have_text("94.90")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#insp-submit").click()
    expect(page.get_by_test_id("inspection-score")).to_contain_text("94.90")

    inspection = Inspection.objects.get()
    assert inspection.status == Inspection.Status.SUBMITTED
    assert str(inspection.score) == "94.90"

    admin_user = street_admin
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    desk = context.new_page()
    log_in(
        desk,
        live_server,
        admin_user.username,
        f"/assessments/inspections/{inspection.pk}/",
    )
    expect(desk.get_by_test_id("inspection-score")).to_contain_text("94.90")
    context.close()
