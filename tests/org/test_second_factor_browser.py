"""A street-office login in Chromium: the password, enrolling an
authenticator from its QR page, and the code at the next sign-in."""

import base64
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.second_factor,
]

PASSWORD = "pass-word-123"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def code_for(secret_typed: str, *, steps_ahead: int = 0) -> str:
    """The code a phone computes from the key as the page types it out."""
    secret = secret_typed.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def sign_in(page, base):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "street_admin")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")


def test_the_street_office_enrols_then_signs_in_with_a_code(
    live_server, page, street_admin
):
    base = live_server.url
    sign_in(page, base)

    page.wait_for_url("**/account/second-factor/enrol/**")
    expect(page.locator(".second-factor-qr svg")).to_be_visible()
    secret = page.locator("#second-factor-secret").inner_text()
    page.fill("#id_code", code_for(secret))
    page.click("#second-factor-form [type=submit]")
    page.wait_for_url("**/my-tasks/")

    page.goto(f"{base}/admin/")
    page.click("#logout-form button")
    sign_in(page, base)
    page.wait_for_url("**/account/second-factor/?**")
    page.fill("#id_code", "000000")
    page.click("#second-factor-form [type=submit]")
    expect(page.locator(".errornote")).to_contain_text("验证码错误")
    # The throttle makes the next try wait a second.
    page.wait_for_timeout(1100)
    # The code of the next step: the first one was used at enrolment.
    page.fill("#id_code", code_for(secret, steps_ahead=1))
    page.click("#second-factor-form [type=submit]")
    page.wait_for_url("**/my-tasks/")
