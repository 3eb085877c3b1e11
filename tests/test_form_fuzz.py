"""Hostile values in every form: no answer is a server error.

The forms are found, not listed: the add and change form of every registered
ModelAdmin, and every POST form on the portal's pages, reached by following
the links from the staff start pages (`test_every_page_with_a_form_is_reached`
fails for a URL pattern the walk misses and the file gives no reason for).
Each form is posted with one hostile value in every field at a time
(management fields of inline formsets kept, so the inlines are parsed too)
and once in latin-1 with a `charset=latin-1` header, as the superuser and as
a street-office login (the portal pages also as a company login), on the
demo street. The public form, the tracking lookup, the compound search and
the Open311 POST get every value as residents and partners send them.

Every form gets every kind of value (`HOSTILE`) and latin-1, for every
login. The rows the demo never holds in the state that shows a form (an open
meeting, a draft inspection, a notice, a reward to approve…) are built with
the factories once the demo is loaded (`unshown_states`), so every staff form
is fuzzed. Bounded to at most `PAGES_PER_PATTERN` pages of one URL pattern;
it runs with the rest of the suite in CI (marker `fuzz`).
"""

import traceback
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from org.models import User
from tests.clients import PARTNER_KEY

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

FAST_HASHER = f"{MD5PasswordHasher.__module__}.{MD5PasswordHasher.__name__}"
FORM = "application/x-www-form-urlencoded"

# One of each kind of value that has made an input answer 500 somewhere.
HOSTILE = {
    "empty": "",
    "huge": "界" * 100_000,
    "nul": "1\x00<",
    "invalid-utf8": b"\xff\xfe\xc3(",
    "superscript": "²",
    "circled": "①",
    "far-date": "9999-12-31",
    "negative-huge": "-99999999999999999999999999",
    "huge-number": "1e309",
    "wrong-type": "[1, {'a': 2}]",
}
# Every form, whoever posts it, gets every kind (and latin-1 besides).
KINDS = tuple(HOSTILE)


MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")

START_PAGES = (
    "/my-tasks/",
    "/overview/",
    "/",
    "/concerns/track/",
    "/concerns/staff/",
    "/concerns/manager/",
    "/visit-day/",
)
# Not walked: their own tests fuzz them (API, Open311), or no form lives there.
NOT_WALKED = ("/admin", "/api", "/open311", "/static", "/media", "/i18n", "/healthz")
PAGES_PER_PATTERN = 3
MAX_PAGES = 440
# URL patterns without a POST form of their own, or whose only form the walk
# cannot reach from a link (why, beside each).
NO_FORM_PATTERNS = {
    "compounds": "JSON for the type-ahead; fuzzed in test_public_inputs",
    "track": "reached with a tracking code; fuzzed in test_public_inputs",
    "rate": "reached with a signed token from the e-mail",
    "reveal-phone": "a POST button on the concern page (walked there)",
    "media": "stored uploads (tests/common/test_upload_policy.py)",
    "set_language": "the language switch (Django's own view)",
    "healthz": "monitoring",
    "second-factor": "shown only to a session that owes its code, which the test "
    "logins never do; its bad codes are tried in tests/org/test_second_factor.py",
    "second-factor-enrol": "likewise, and linked only for a login that may enrol; "
    "tried in tests/org/test_second_factor.py",
    "ledger-job-status": "JSON the job page's script polls",
    "ledger-job-download": "a finished export's workbook",
    # Made by an upload or a large export; their forms are tried in
    # tests/compounds/test_ledger_jobs.py and tests/test_ledger_export_jobs.py.
    "ledger-job": "no ledger job in the demo",
    "ledger-job-confirm": "no ledger job in the demo",
    "ranking-rerank": "no demo quarter is published; its hostile values are tried "
    "in tests/assessments/test_rerank_published.py",
}
# Forms the demo street never shows, built by `unshown_states`; the walk
# must reach each (test_every_page_with_a_form_is_reached).
UNSHOWN_ON_THE_DEMO = (
    "civic:meeting-close",
    "civic:decision-publish",
    "civic:action-item-done",
    "civic:disclosure-object",
    "consultations:assign-compound",
    "assessments:inspection-panel",
    "assessments:inspection-delete",
    "assessments:rectification",
    "assessments:reward-approve",
    "assessments:reward-pay",
)


def unshown_states() -> None:
    """The rows, in the states that show a form, that the demo never holds:
    an open meeting, a closed one with a decision still to publish and an
    open action item, a disclosure inside its objection window, a concern
    waiting for its compound, a draft inspection, a rectification notice,
    a reward to approve beside one to pay."""
    from datetime import timedelta

    from django.utils import timezone

    from assessments.models import Reward
    from assessments.services.inspections import raise_rectification
    from civic.models import ActionItem, Meeting, MeetingDecision
    from compounds.models import CompanyStaff, ServiceContract
    from consultations import services
    from consultations.models import Concern, ConcernCategory
    from tests.assessments.factories import (
        cadre,
        draft_inspection,
        submitted_inspection,
    )
    from tests.civic.civic_factories import DisclosureFactory, MeetingFactory

    today = timezone.localdate()
    manager = User.objects.get(username="property_manager")
    company = CompanyStaff.objects.filter(person=manager.person).first().company
    compound = (
        ServiceContract.objects.filter(company=company, end__isnull=True)
        .order_by("pk")
        .first()
        .compound
    )
    MeetingFactory(compound=compound)
    closed = MeetingFactory(
        compound=compound, status=Meeting.Status.CLOSED, closed_at=timezone.now()
    )
    decision = MeetingDecision.objects.create(meeting=closed, text="增设非机动车棚")
    ActionItem.objects.create(
        decision=decision,
        concern=Concern.objects.filter(compound=compound).order_by("pk").first(),
        owner="物业项目经理",
        deadline=today + timedelta(days=10),
    )
    DisclosureFactory(compound=compound)
    services.submit_concern(
        compound=None,
        place="老粮站家属院3号楼",
        community=compound.community,
        category=ConcernCategory.objects.order_by("pk").first(),
        description="楼下垃圾没人清",
    )
    leader = cadre(compound.street, username="fuzz_cadre")
    inspection = submitted_inspection(compound, leader, occurrences={"E1": 1})
    raise_rectification(result=inspection.results.get(item__code="E1"), actor=leader)
    draft_inspection(compound, leader, on=today - timedelta(days=1))
    unpaid = Reward.objects.filter(paid_on__isnull=True).order_by("-pk")
    Reward.objects.filter(pk=unpaid.first().pk).update(
        approved_at=None, approved_by=None
    )


@pytest.fixture(scope="module", autouse=True)
def demo_street(django_db_setup, django_db_blocker):
    """The demo loaded once for the module, with the rows of
    `unshown_states`; each test runs in a savepoint."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=[FAST_HASHER]),
        transaction.atomic(),
    ):
        call_command("load_demo", verbosity=0)
        unshown_states()
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _no_limits(settings):
    # Hundreds of posts from one address: the rate limits would answer 429
    # before the input is read.
    settings.CONCERN_RATE_LIMITS = {"address": "", "phone": ""}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(
            settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        ),
    }


def login(username: str) -> Client:
    # A server error is judged by its status, as a browser would see it.
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    return client


LOGINS = {"superuser": "admin", "street_office": "street_admin"}
# The portal's pages also as the serving company's login: its pages (the
# dispatched concerns, the rectifications to answer) are no one else's.
PAGE_LOGINS = {**LOGINS, "company": "property_manager"}


# Reading forms


class Forms(HTMLParser):
    """Every POST form of a page: its action and the values it posts."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self.links: list[str] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._select_chosen = False
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self._fields = []
                self.forms.append((attrs.get("action") or "", self._fields))
        elif tag == "option" and self._select and self._fields is not None:
            value = attrs.get("value") or ""
            if "selected" in attrs:
                self._fields.append((self._select, value))
                self._select_chosen = True
            elif self._first_option is None and value:
                self._first_option = value
        elif self._fields is None or not name or name == "csrfmiddlewaretoken":
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._fields.append((name, attrs.get("value") or "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._fields.append((name, attrs.get("value") or ""))
        elif tag == "select":
            self._select, self._select_chosen, self._first_option = name, False, None
        elif tag == "textarea":
            self._textarea = name
            self._fields.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select" and self._select:
            if not self._select_chosen and self._first_option is not None:
                self._fields.append((self._select, self._first_option))
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._fields:
            name, value = self._fields[-1]
            self._fields[-1] = (name, value + data)


def parsed(response) -> Forms:
    page = Forms()
    page.feed(response.content.decode("utf-8", "replace"))
    return page


# Posting


def is_management(name: str) -> bool:
    return name.endswith(MANAGEMENT)


def hostile_bodies(fields: list[tuple[str, str]], kinds) -> dict[str, tuple]:
    """Label → (body, content type): each value in every field, then latin-1."""
    names = list(dict.fromkeys(name for name, _ in fields))
    kept = [(n, v) for n, v in fields if is_management(n)]
    bodies = {}
    for label in kinds:
        value = HOSTILE[label]
        pairs = kept + [(n, value) for n in names if not is_management(n)]
        if label == "wrong-type":  # a list where one value is expected
            pairs += [(n, "2") for n in names if not is_management(n)]
        bodies[label] = (urlencode(pairs).encode("ascii"), FORM)
    latin = kept + [(n, "Café ²") for n in names if not is_management(n)]
    bodies["latin-1"] = (
        urlencode(latin, encoding="latin-1").encode("ascii"),
        f"{FORM}; charset=latin-1",
    )
    return bodies


def post_all(client: Client, url: str, bodies: dict, failures: list) -> None:
    for label, (body, content_type) in bodies.items():
        try:
            response = client.post(url, data=body, content_type=content_type)
        except Exception:
            failures.append((url, label, traceback.format_exc(limit=-3)))
            continue
        if response.status_code >= 500:
            failures.append((url, label, why(response)))


def why(response) -> str:
    if getattr(response, "exc_info", None):
        return "".join(traceback.format_exception(*response.exc_info))
    return str(response.status_code)


def report(failures: list) -> str:
    return "\n".join(f"{url} [{label}]: {what}" for url, label, what in failures)


# Admin


def admin_forms() -> list[tuple[str, str]]:
    """(label, URL) of each ModelAdmin's add form and of one change form."""
    urls = []
    for model in admin.site._registry:
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}"
        urls.append((f"{opts.label} add", f"{base}/add/"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append((f"{opts.label} change", f"{base}/{first.pk}/change/"))
    return urls


@pytest.mark.parametrize("role", LOGINS)
def test_admin_forms_answer_hostile_values_without_a_server_error(role):
    client = login(LOGINS[role])
    failures, fuzzed = [], 0
    for _label, url in admin_forms():
        page = client.get(url)
        if page.status_code >= 500:
            failures.append((url, "GET", page.status_code))
        if page.status_code != 200:
            continue  # not this role's, or the admin allows no adding
        forms = [fields for _action, fields in parsed(page).forms if fields]
        if not forms:
            continue
        fuzzed += 1
        bodies = hostile_bodies(forms[-1], KINDS)
        post_all(client, url, bodies, failures)

    assert fuzzed >= (50 if role == "superuser" else 10)
    assert not failures, report(failures)


# Portal pages


def pattern_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


# Pages whose forms depend on the row's state (a draft inspection, an open
# meeting, a reward to approve): one row in each state starts the walk too,
# as the lists show only this month's or the open ones. The state is the
# row's status, or what the function gives.
STATEFUL_PAGES = {
    "assessments:inspection": ("assessments", "Inspection", None),
    "assessments:rectification": ("assessments", "RectificationNotice", None),
    "assessments:reward": (
        "assessments",
        "Reward",
        lambda row: (row.approved_at is None, row.paid_on is None),
    ),
    "civic:meeting": ("civic", "Meeting", None),
    "civic:disclosure": ("civic", "Disclosure", None),
    "consultations:staff-detail": (
        "consultations",
        "Concern",
        lambda row: (row.status, row.compound_id is None),
    ),
}


def stateful_pages() -> list[str]:
    from django.apps import apps
    from django.urls import reverse

    pages = []
    for name, (app, model_name, state_of) in STATEFUL_PAGES.items():
        model = apps.get_model(app, model_name)
        if state_of is None:
            has_status = any(f.name == "status" for f in model._meta.fields)

            def state_of(row, has_status=has_status):
                return row.status if has_status else None

        one_per_state: dict = {}
        for row in model._default_manager.order_by("-pk")[:300]:
            one_per_state.setdefault(state_of(row), row.pk)
        pages += [reverse(name, args=[pk]) for pk in one_per_state.values()]
    return pages


def walk(client: Client) -> dict[str, list[tuple[str, list]]]:
    """URL pattern name → the POST forms (URL, fields) found on its pages."""
    seen_paths: set[str] = set()
    per_pattern: Counter = Counter()
    # The pages of one row in each state are walked whatever the cap: the
    # links visited first may have used it up.
    stateful = stateful_pages()
    queue = [*START_PAGES, *stateful]
    found: dict[str, list[tuple[str, list]]] = {}
    while queue and len(seen_paths) < MAX_PAGES:
        path = queue.pop(0)
        name = pattern_name(urlsplit(path).path)
        capped = per_pattern[name] >= PAGES_PER_PATTERN and path not in stateful
        if path in seen_paths or name is None or capped:
            continue
        seen_paths.add(path)
        per_pattern[name] += 1
        response = client.get(path)
        assert response.status_code < 500, (path, why(response))
        if response.status_code != 200 or "html" not in response["Content-Type"]:
            found.setdefault(name, [])
            continue
        page = parsed(response)
        found.setdefault(name, []).extend(
            (url, fields)
            for url, fields in (
                (urljoin(path, action) or path, fields) for action, fields in page.forms
            )
            # The header's sign-out and language forms are not the page's: a
            # sign-out would end the walk's session.
            if not urlsplit(url).path.startswith(NOT_WALKED)
        )
        for href in page.links:
            target = urlsplit(urljoin(path, href))
            if target.netloc or target.path.startswith(NOT_WALKED):
                continue
            if target.query:  # filters and pages of a list: after the rest
                queue.append(f"{target.path}?{target.query}")
            else:
                queue.insert(0, target.path)
    return found


@pytest.mark.parametrize("role", PAGE_LOGINS)
def test_portal_forms_answer_hostile_values_without_a_server_error(role):
    client = login(PAGE_LOGINS[role])
    failures, posted = [], set()
    forms = [form for found in walk(client).values() for form in found]
    # Deletes last: a deleted draft would leave its other forms nothing to
    # post to.
    forms.sort(key=lambda form: form[0].rstrip("/").endswith("/delete"))
    for url, fields in forms:
        target = pattern_name(urlsplit(url).path)
        if (target, tuple(n for n, _ in fields)) in posted or target is None:
            continue
        posted.add((target, tuple(n for n, _ in fields)))
        bodies = hostile_bodies(fields, KINDS)
        post_all(client, url, bodies, failures)

    assert len(posted) >= (3 if role == "company" else 10)
    assert not failures, report(failures)


def portal_patterns(resolver=None, namespace="", prefix="") -> list[str]:
    """The names of the portal's URL patterns outside the admin, API, Open311."""
    names = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern).lstrip("^")
        if route.startswith(("admin/", "api/", "open311/")):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names += portal_patterns(entry, inner, route)
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(f"{namespace}{entry.name}")
    return names


def test_every_page_with_a_form_is_reached():
    """A new page shows up in the walk, or its reason is written above."""
    reached = set()
    for username in PAGE_LOGINS.values():
        pages = walk(login(username))
        # A POST-only view is reached through the form that posts to it.
        reached |= set(pages) | {
            pattern_name(urlsplit(url).path)
            for forms in pages.values()
            for url, _fields in forms
        }

    missed = [
        name
        for name in portal_patterns()
        if name not in reached and name.rsplit(":", 1)[-1] not in NO_FORM_PATTERNS
    ]
    assert not missed, "\n".join(missed)
    assert set(UNSHOWN_ON_THE_DEMO) <= reached


# Public inputs and Open311


def public_requests(compound_pk: int) -> list[tuple[str, str, list]]:
    """(method, URL, fields) of the residents' and partners' inputs."""
    return [
        (
            "POST",
            "/concerns/new/",
            [
                ("compound", str(compound_pk)),
                ("category", "1"),
                ("description", "楼道堆物"),
                ("name", "王"),
                ("phone", "13800000000"),
                ("form_token", "0" * 32),
            ],
        ),
        ("GET", "/concerns/track/", [("code", "ABCD1234")]),
        ("GET", "/concerns/new/", [("q", "花园")]),
        ("GET", "/concerns/compounds.json", [("q", "花园")]),
        (
            "POST",
            "/open311/v2/requests.json",
            [
                ("api_key", PARTNER_KEY),
                ("service_code", "sanitation"),
                ("description", "垃圾"),
                ("lat", "35.4"),
                ("long", "116.5"),
                ("address_string", "济阳"),
                ("attribute[compound]", str(compound_pk)),
                ("phone", "13800000000"),
                ("requested_datetime", "2026-01-01T00:00:00+08:00"),
            ],
        ),
    ]


def test_public_inputs_answer_hostile_values_without_a_server_error(partner):
    from compounds.models import Compound

    client = Client(raise_request_exception=False)
    failures = []
    for method, url, fields in public_requests(Compound.objects.first().pk):
        bodies = hostile_bodies(fields, HOSTILE)
        if method == "POST":
            post_all(client, url, bodies, failures)
            continue
        for label, (body, _content_type) in bodies.items():
            try:
                response = client.get(f"{url}?{body.decode('ascii')}")
            except Exception:
                failures.append((url, label, traceback.format_exc(limit=-3)))
                continue
            if response.status_code >= 500:
                failures.append((url, label, why(response)))

    assert not failures, report(failures)


# Found by the fuzz


def test_a_visit_day_override_in_the_last_month_of_the_calendar_is_a_form_answer():
    client = login("admin")

    response = client.post(
        "/admin/civic/visitdayoverride/add/",
        {"month": "9999-12-31", "date": "9999-12-31", "reason": "试"},
    )

    assert response.status_code in (200, 302)


def test_a_visit_report_whose_manager_is_gone_shows_a_dash():
    from civic.models import VisitReport

    report = VisitReport.objects.first()
    report.manager = None
    report.save(update_fields=["manager"])

    response = login("admin").get(f"/visit-day/reports/{report.pk}/")

    assert response.status_code == 200


def test_an_open311_post_in_latin_1_is_a_400_in_open311_form(partner):
    client = Client(raise_request_exception=False)

    response = client.post(
        "/open311/v2/requests.json",
        data="api_key=x&description=Caf\xe9",  # the client encodes it in latin-1
        content_type=f"{FORM}; charset=latin-1",
    )

    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


@pytest.mark.parametrize("value", ["²", "1\x00", "99999999999999999999"])
def test_an_autocomplete_field_posted_with_no_key_is_a_form_error(value):
    from compounds.models import BuildingHead

    head = BuildingHead.objects.order_by("pk").first()
    client = login("admin")
    url = f"/admin/compounds/buildinghead/{head.pk}/change/"
    fields = parsed(client.get(url)).forms[-1][1]
    data = dict(fields) | {"compound": value}

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["compound"]
