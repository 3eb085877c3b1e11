"""The second factor (TOTP): who must have one, enrolment, the code after the
password, wrong and reused codes, the street office's reset, and that a
session that has not passed it reaches neither the admin nor the API."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from org import second_factor
from org.models import AuditEvent

from ..second_factor import code_of, confirmed_device

pytestmark = pytest.mark.django_db

# The logins of these tests pass no second factor by themselves.
by_hand = pytest.mark.second_factor

A = AuditEvent.Action
PASSWORD = "pass-word-123"
ENROL = reverse("second-factor-enrol")
VERIFY = reverse("second-factor")


def sign_in(client, user):
    return client.post(
        reverse("admin:login"),
        {"username": user.username, "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="10.1.2.3",
    )


def enrolling_device(user):
    return TOTPDevice.objects.get(user=user, confirmed=False)


@by_hand
def test_the_street_office_without_an_authenticator_is_sent_to_enrol(
    client, street_admin
):
    response = sign_in(client, street_admin)
    assert response.status_code == 302

    admin_home = client.get("/admin/")
    assert admin_home.status_code == 302
    assert admin_home["Location"].startswith(ENROL)
    page = client.get(admin_home["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    device = enrolling_device(street_admin)
    assert second_factor.secret_for_typing(device) in html
    assert "otpauth://totp/" in device.config_url
    assert "设置身份验证器" in html


@by_hand
def test_enrolment_confirmed_with_a_code_opens_the_admin_and_is_recorded(
    client, street_admin
):
    sign_in(client, street_admin)
    client.get(ENROL)
    device = enrolling_device(street_admin)

    response = client.post(
        ENROL, {"code": code_of(device), "next": "/admin/"}, REMOTE_ADDR="10.1.2.3"
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    event = AuditEvent.objects.get(action=A.SECOND_FACTOR_ENROLLED)
    assert event.actor == street_admin
    assert event.address == "10.1.2.3"


@by_hand
def test_a_wrong_enrolment_code_is_refused_in_chinese(client, street_admin):
    sign_in(client, street_admin)
    client.get(ENROL)
    device = enrolling_device(street_admin)
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"

    response = client.post(ENROL, {"code": wrong})

    assert response.status_code == 400
    assert "验证码错误或已用过" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/admin/").status_code == 302


@by_hand
def test_an_enrolled_login_enters_its_code_after_the_password(client, street_admin):
    device = confirmed_device(street_admin)
    sign_in(client, street_admin)

    refused = client.get("/admin/consultations/concern/")
    assert refused.status_code == 302
    assert refused["Location"].startswith(VERIFY)
    # A password alone cannot replace the authenticator.
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    assert "验证码" in client.get(refused["Location"]).content.decode()

    response = client.post(
        VERIFY, {"code": code_of(device), "next": "/admin/consultations/concern/"}
    )

    assert response["Location"] == "/admin/consultations/concern/"
    assert client.get("/admin/consultations/concern/").status_code == 200


@by_hand
def test_an_unverified_session_gets_nothing_from_the_api(client, street_admin):
    confirmed_device(street_admin)
    sign_in(client, street_admin)

    response = client.get("/api/v1/compounds/")

    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    assert "身份验证器" in response.json()["detail"]


@by_hand
def test_a_wrong_code_is_refused_recorded_and_slows_the_next_try(client, street_admin):
    device = confirmed_device(street_admin)
    sign_in(client, street_admin)
    right = code_of(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    first = client.post(VERIFY, {"code": wrong}, REMOTE_ADDR="10.1.2.3")
    assert first.status_code == 400
    assert "验证码错误或已用过" in first.content.decode()
    failed = AuditEvent.objects.get(action=A.SECOND_FACTOR_FAILED)
    assert failed.actor == street_admin
    assert failed.address == "10.1.2.3"

    # Even the right code waits out the throttle after a wrong one.
    second = client.post(VERIFY, {"code": right})
    assert second.status_code == 400
    assert "错误次数过多" in second.content.decode()
    assert client.get("/admin/").status_code == 302


@by_hand
@pytest.mark.parametrize("typed", ["", "12345", "abcdef", "1234567", "１２３４５６"])
def test_a_code_not_of_six_digits_is_refused_in_chinese(client, street_admin, typed):
    confirmed_device(street_admin)
    sign_in(client, street_admin)

    response = client.post(VERIFY, {"code": typed})

    assert response.status_code == 400
    assert "验证码" in response.content.decode()


@by_hand
def test_a_code_is_accepted_only_once(client, street_admin, django_user_model):
    from django.test import Client

    device = confirmed_device(street_admin)
    code = code_of(device)
    sign_in(client, street_admin)
    assert client.post(VERIFY, {"code": code}).status_code == 302

    other = Client()
    sign_in(other, street_admin)
    reused = other.post(VERIFY, {"code": code})

    assert reused.status_code == 400
    assert other.get("/admin/").status_code == 302


@by_hand
def test_the_superuser_must_enrol_too(client, superuser):
    sign_in(client, superuser)

    assert client.get("/admin/")["Location"].startswith(ENROL)


@by_hand
def test_community_staff_may_work_without_one_and_may_enrol(client, community_staff):
    sign_in(client, community_staff)
    assert client.get("/admin/").status_code == 200

    page = client.get(ENROL)
    assert page.status_code == 200
    assert "保护此登录" in page.content.decode()
    device = enrolling_device(community_staff)
    assert client.post(ENROL, {"code": code_of(device)}).status_code == 302

    # Once enrolled, the next sign-in asks for the code.
    client.post(reverse("admin:logout"))
    sign_in(client, community_staff)
    assert client.get("/admin/")["Location"].startswith(VERIFY)


@by_hand
def test_otp_required_off_lets_the_street_office_in_without_one(
    client, street_admin, settings
):
    settings.OTP_REQUIRED = False
    sign_in(client, street_admin)

    assert client.get("/admin/").status_code == 200


@by_hand
def test_the_street_office_resets_a_login_which_then_enrols_again(
    client, street_admin, community_staff
):
    confirmed_device(community_staff)
    client.force_login(street_admin)
    client.post(VERIFY, {"code": code_of(confirmed_device(street_admin))})

    response = client.post(
        reverse("admin:org_user_changelist"),
        {
            "action": "reset_second_factors",
            "_selected_action": [community_staff.pk],
        },
        REMOTE_ADDR="10.1.2.3",
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=community_staff).exists()
    event = AuditEvent.objects.get(action=A.SECOND_FACTOR_RESET)
    assert event.actor == street_admin
    assert event.object_id == str(community_staff.pk)
    assert event.address == "10.1.2.3"
    # Optional for community staff: with no authenticator the login works.
    other = client.__class__()
    sign_in(other, community_staff)
    assert other.get("/admin/").status_code == 200


@by_hand
def test_a_reset_street_office_login_enrols_again(street_admin, superuser, client):
    confirmed_device(street_admin)
    second_factor.reset(by=superuser, login=street_admin)

    sign_in(client, street_admin)

    assert client.get("/admin/")["Location"].startswith(ENROL)


def test_community_staff_may_not_reset_a_second_factor(community_staff, grid_secretary):
    confirmed_device(grid_secretary)

    with pytest.raises(PermissionDenied):
        second_factor.reset(by=community_staff, login=grid_secretary)

    assert TOTPDevice.objects.filter(user=grid_secretary).exists()
    assert not AuditEvent.objects.filter(action=A.SECOND_FACTOR_RESET).exists()


def test_the_reset_action_is_refused_to_community_staff(
    client, community_staff, grid_secretary
):
    confirmed_device(grid_secretary)
    client.force_login(community_staff)

    client.post(
        reverse("admin:org_user_changelist"),
        {"action": "reset_second_factors", "_selected_action": [grid_secretary.pk]},
    )

    assert TOTPDevice.objects.filter(user=grid_secretary).exists()


@by_hand
def test_a_token_costs_the_code_too(anon, street_admin):
    device = confirmed_device(street_admin)
    url = reverse("api-token")

    without = anon.post(url, {"username": "street_admin", "password": PASSWORD})
    assert without.status_code == 400
    assert "token" not in without.json()

    granted = anon.post(
        url,
        {"username": "street_admin", "password": PASSWORD, "code": code_of(device)},
    )
    assert granted.status_code == 200
    assert granted.json()["token"]


@by_hand
def test_no_token_for_a_street_office_login_not_yet_enrolled(anon, street_admin):
    response = anon.post(
        reverse("api-token"), {"username": "street_admin", "password": PASSWORD}
    )

    assert response.status_code == 400
    assert "token" not in response.json()


def test_test_logins_pass_the_second_factor_by_themselves(
    client, street_admin, superuser
):
    client.force_login(street_admin)
    assert client.get("/admin/").status_code == 200

    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
    assert client.login(username="street_admin", password=PASSWORD)
    assert client.get("/api/v1/compounds/").status_code == 200


def test_no_one_reads_the_authenticators_keys_in_the_admin(client, superuser):
    client.force_login(superuser)

    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
