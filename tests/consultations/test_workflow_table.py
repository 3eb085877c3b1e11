"""The verb table (consultations/workflow.py) and what is made from it."""

import ast
import inspect
from pathlib import Path

import pytest

from consultations import api, forms, roles, services, workflow
from consultations.models import ConcernEvent
from consultations.workflow import ACTIONS, VERBS
from org.rights import COMPANY, ORG_STAFF, STREET, Role, task

APP = Path(workflow.__file__).parent


@pytest.mark.parametrize("name", VERBS)
def test_each_verb_names_a_service_taking_its_inputs(name):
    action = VERBS[name]
    parameters = inspect.signature(getattr(services, action.service)).parameters

    assert {"concern", "actor", "note", *action.inputs} <= set(parameters)
    assert all(
        parameters[p].kind == inspect.Parameter.KEYWORD_ONLY for p in action.inputs
    )


def test_each_input_has_a_page_field_and_an_api_entry():
    inputs = {name for action in VERBS.values() for name in action.inputs}

    assert inputs <= set(forms.INPUT_FIELDS)
    assert inputs <= set(api.API_INPUTS)


def test_the_event_choices_are_the_table():
    field = ConcernEvent._meta.get_field("action")

    assert [value for value, _label in field.choices] == list(ACTIONS)


def test_the_api_has_one_post_action_per_verb():
    paths = {extra.url_path for extra in api.ConcernViewSet.get_extra_actions()}

    # Besides the verbs, one action reads: the resident's number, in full.
    assert paths == {name.replace("_", "-") for name in VERBS} | {"reveal-phone"}
    assert "submit" not in VERBS and "rate" not in VERBS


def test_company_staff_may_use_the_handlers_verbs_only():
    company = {n for n, a in VERBS.items() if Role.COMPANY_STAFF in a.roles}

    assert company == {"sign", "start", "respond", "return", "request_extension"}


def test_escalation_is_the_street_offices_and_the_rest_org_staffs():
    assert VERBS["escalate"].roles == STREET
    assert all(
        a.roles in (ORG_STAFF, ORG_STAFF | COMPANY)
        for n, a in VERBS.items()
        if n != "escalate"
    )


def test_no_inspecting_role_has_a_verb():
    inspecting = {Role.INSPECTOR, Role.RESIDENT_REP}

    assert not [n for n, a in ACTIONS.items() if a.roles & inspecting]


@pytest.mark.parametrize("name", [n for n, a in ACTIONS.items() if a.roles])
def test_each_verb_is_a_task_of_the_rights_table_with_its_roles(name):
    action = ACTIONS[name]

    assert task(f"consultations.{name}").roles == action.roles
    assert action.task in {t.name for t in roles.VERB_TASKS}


def test_the_residents_rating_is_no_task():
    assert not ACTIONS["rate"].roles
    assert "consultations.rate" not in {t.name for t in roles.TASKS}


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, function-level imports included."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = "consultations." * (node.level > 0) + (node.module or "")
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def test_the_table_and_the_models_do_not_reach_back_into_the_app():
    table = imported_modules(APP / "workflow.py")
    models = imported_modules(APP / "models" / "concerns.py")

    assert not [m for m in table if m.startswith("consultations")]
    assert not [
        m
        for m in models
        if m.startswith(("consultations.services", "consultations.api")) or "views" in m
    ]
