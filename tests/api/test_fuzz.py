"""Schema-driven fuzzing: no input generated from /api/schema/ (nor any
Open311 parameter) makes the portal answer with a server error.

Bounded so the whole file runs in well under two minutes; it runs with the
rest of the suite in CI (marker `fuzz`).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from tests.clients import PARTNER_KEY
from tests.factories import CompoundFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

FUZZ_SETTINGS = settings(
    max_examples=6,
    # Generated inputs only: the explicit coverage cases multiply the run time.
    phases=[Phase.generate],
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def load_schema():
    from jiyang.wsgi import application

    # Generating the document touches no table, so it can run at collection.
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


schema = load_schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Requests go straight to the WSGI app, whose end-of-request signal
    # would close the connection holding the test's transaction (Django's
    # test client unhooks it the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_token(settings, grid):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "anon": None,
            "user": None,
            "open311": None,
        },
    }
    CompoundFactory(grid=grid)
    user = UserFactory(username="fuzzer", is_superuser=True, person=None)
    return Token.objects.create(user=user).key


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_generated_request_causes_a_server_error(case, fuzz_token):
    case.call_and_validate(
        headers={"Authorization": f"Token {fuzz_token}"}, checks=[not_a_server_error]
    )


OPEN311_TEXT = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["", "parking", "open,closed", "2026-10-01T00:00:00+08:00", "1"]),
)


@FUZZ_SETTINGS
@given(
    fmt=st.sampled_from(["xml", "json"]),
    path=st.sampled_from(
        ["requests", "services", "services/parking", "requests/1", "discovery"]
    ),
    method=st.sampled_from(["get", "post"]),
    params=st.dictionaries(
        st.sampled_from(
            [
                "service_code",
                "service_request_id",
                "start_date",
                "end_date",
                "status",
                "lat",
                "long",
                "address_string",
                "description",
                "attribute[compound]",
                "attribute[kind]",
                "media_url",
                "email",
                "phone",
                "jurisdiction_id",
                "page",
                "page_size",
            ]
        ),
        OPEN311_TEXT.filter(lambda v: v is not None),
        max_size=8,
    ),
    with_key=st.booleans(),
)
def test_no_open311_input_causes_a_server_error(
    client, fuzz_token, partner, fmt, path, method, params, with_key
):
    if with_key and method == "post":
        params = {**params, "api_key": PARTNER_KEY}
    send = getattr(client, method)

    response = send(f"/open311/v2/{path}.{fmt}", params)

    assert response.status_code < 500, response.content
    assert response["Content-Type"].startswith(
        "text/xml" if fmt == "xml" else "application/json"
    )
