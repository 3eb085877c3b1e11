"""Content security policy, production settings, idle sessions, login
lockout and password rules."""

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from org.roles import STREET_OFFICE, assign_role, ensure_role_groups

pytestmark = pytest.mark.django_db

ROOT = Path(django_settings.BASE_DIR)
PASSWORD = "pass-word-123"


# Content security policy -----------------------------------------------------


def directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    pairs = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return dict(pairs)


@pytest.mark.parametrize("url", ["/", "/concerns/new/", "/admin/login/"])
def test_every_page_sends_a_policy_without_inline_script_or_style(client, url):
    response = client.get(url)

    policy = directives(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_api_docs_allow_inline_style_but_load_their_script_from_a_file(client):
    response = client.get("/api/docs/")

    policy = directives(response)
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["script-src"] == "'self'"
    script = re.search(rb'<script src="([^"]*\?script[^"]*)"', response.content)
    assert script, "the Swagger set-up code is a script file of its own"
    assert client.get(script.group(1).decode().replace("&amp;", "&")).status_code == 200


def test_only_the_browsable_api_pages_allow_inline_style(client, street_admin):
    client.force_login(street_admin)

    page = client.get("/api/v1/", HTTP_ACCEPT="text/html")
    data = client.get("/api/v1/", HTTP_ACCEPT="application/json")

    assert page["Content-Type"].startswith("text/html")
    assert directives(page)["style-src"] == "'self' 'unsafe-inline'"
    assert directives(page)["script-src"] == "'self'"
    assert directives(data)["style-src"] == "'self'"


INLINE = [
    ("inline script", re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)")),
    ("event handler attribute", re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)),
    ("style attribute", re.compile(r"\sstyle\s*=\s*[\"'{]", re.I)),
]


def project_files(*suffixes):
    """The project's own files: not vendored libraries (static/vendor/), whose
    scripts set styles through the CSSOM, which the policy allows (the CSP
    browser test opens the pages that use them)."""
    skip = {".venv", "var", "node_modules", ".git", "tests", "vendor"}
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if path.suffix in suffixes and not parts & skip and path.is_file():
            yield path


def test_templates_and_admin_code_hold_no_inline_script_handler_or_style():
    found = []
    for path in project_files(".html", ".py", ".js"):
        text = path.read_text(encoding="utf-8")
        for what, pattern in INLINE:
            if path.suffix == ".js" and what == "inline script":
                continue
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert found == []


# Production settings -----------------------------------------------------------


def documented_production_environment() -> dict[str, str]:
    """The variables of docs/operations.md's production example."""
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = text.split("## Environment", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    values = {}
    for line in block.splitlines():
        name, sep, value = line.partition("=")
        if sep and re.fullmatch(r"[A-Z_]+", name):
            values[name] = value
    return values


def test_check_deploy_is_silent_in_the_documented_production_configuration():
    values = documented_production_environment()
    for name in (
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    ):
        assert name in values, f"{name} is missing from docs/operations.md"
    values["SECRET_KEY"] = secrets.token_urlsafe(50)
    # A clean environment: the test run's own variables (the browser
    # plugin's DJANGO_ALLOW_ASYNC_UNSAFE, say) are not production's. DEBUG
    # is given, so that a developer's .env cannot switch it on.
    environment = {"PATH": os.environ["PATH"], **values, "DEBUG": "0"}

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_demo_defaults_keep_plain_http_working():
    assert django_settings.SECURE_SSL_REDIRECT is False
    assert django_settings.SESSION_COOKIE_SECURE is False
    assert django_settings.SECURE_HSTS_SECONDS == 0


# Idle sessions -------------------------------------------------------------------


def test_a_staff_session_ends_after_30_idle_minutes(client, street_admin):
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(street_admin)
        assert client.get("/admin/").status_code == 200

        # Each request pushes the end back: 29 + 29 minutes stay signed in.
        clock.shift(timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200

        clock.shift(timedelta(minutes=31))
        response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# Login lockout -------------------------------------------------------------------


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True


def admin_login(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )


def fail_five_times(client, username, address="10.0.0.1"):
    for _ in range(5):
        response = admin_login(client, username, "wrong-password", address)
    return response


def test_five_wrong_passwords_lock_the_login_even_with_the_right_one(
    lockout, client, grid_secretary
):
    assert fail_five_times(client, "grid_secretary").status_code == 429

    response = admin_login(client, "grid_secretary", PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "此账号已暂时锁定" in page
    assert "密码已连续输错 5 次" in page
    assert "请 30 分钟后再试，或请街道物业办解除锁定。" in page
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_do_not_lock(lockout, client, grid_secretary):
    for _ in range(4):
        assert admin_login(client, "grid_secretary", "wrong").status_code == 200

    assert admin_login(client, "grid_secretary", PASSWORD).status_code == 302


def test_the_lock_is_per_login_and_address(
    lockout, client, grid_secretary, community_staff
):
    fail_five_times(client, "grid_secretary")

    # Another login from the same address, and the same login from another.
    assert admin_login(Client(), "community_staff", PASSWORD).status_code == 302
    other_address = admin_login(Client(), "grid_secretary", PASSWORD, "10.0.0.2")
    assert other_address.status_code == 302


def test_the_lock_ends_after_the_lock_time(lockout, client, grid_secretary):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        fail_five_times(client, "grid_secretary")
        clock.shift(timedelta(minutes=29))
        assert admin_login(client, "grid_secretary", PASSWORD).status_code == 429

    # The refused try above started the 30 minutes again.
    with time_machine.travel(start + timedelta(minutes=60), tick=False):
        assert admin_login(client, "grid_secretary", PASSWORD).status_code == 302


def test_the_street_office_sees_and_lifts_a_lock_in_the_admin(
    lockout, client, grid_secretary, street_admin
):
    ensure_role_groups()
    assign_role(street_admin, STREET_OFFICE)
    fail_five_times(client, "grid_secretary")
    attempt = AccessAttempt.objects.get(username="grid_secretary")
    office = Client()
    office.force_login(street_admin)

    changelist = office.get(
        reverse("admin:axes_accessattempt_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert changelist.status_code == 200
    assert "grid_secretary" in changelist.content.decode()
    assert "登录尝试" in changelist.content.decode()
    deleted = office.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert deleted.status_code == 302
    assert not AccessAttempt.objects.filter(username="grid_secretary").exists()
    assert admin_login(client, "grid_secretary", PASSWORD).status_code == 302


def test_only_the_street_office_may_lift_locks(lockout, client, community_staff):
    ensure_role_groups()
    client.force_login(community_staff)

    response = client.get(reverse("admin:axes_accessattempt_changelist"))

    assert response.status_code == 403


# Passwords -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("k7#qz!w2", "密码太短，至少需要 10 个字符。"),
        ("password123", "这个密码太常见了。"),
        ("3141592653589", "密码只包含数字。"),
        ("grid_secretary1", "密码跟 用户名 太相似了。"),
    ],
)
def test_a_weak_password_is_refused_in_chinese(grid_secretary, password, message):
    form = AdminPasswordChangeForm(
        grid_secretary, {"password1": password, "password2": password}
    )

    with translation.override("zh-hans"):
        assert not form.is_valid()
        assert message in form.errors["password2"]


def test_the_demo_password_passes_the_rules(grid_secretary):
    validate_password("jiyang2022", grid_secretary)


def test_no_password_rule_is_left_in_english():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_password("abc")

    for message in refused.value.messages:
        assert not re.search(r"[A-Za-z]{4,}", message), message


def test_the_api_token_endpoint_obeys_the_same_lock(lockout, client, grid_secretary):
    def token(password):
        return client.post(
            reverse("api-token"),
            {"username": "grid_secretary", "password": password},
            REMOTE_ADDR="10.0.0.1",
        )

    for _ in range(5):
        token("wrong-password")

    refused = token(PASSWORD)

    # Refused like a wrong password: the lock is not told apart here.
    assert refused.status_code == 400
    assert "token" not in refused.json()
    assert (
        AccessAttempt.objects.get(username="grid_secretary").failures_since_start >= 5
    )
