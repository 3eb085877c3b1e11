"""The verb table (consultations/workflow.py) and what is made from it."""

import ast
import inspect
from pathlib import Path

import pytest

from consultations import api, forms, services, workflow
from consultations.models import ConcernEvent
from consultations.workflow import ACTIONS, VERBS, Role

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

    assert paths == {name.replace("_", "-") for name in VERBS}
    assert "submit" not in VERBS and "rate" not in VERBS


def test_company_staff_may_use_the_handlers_verbs_only():
    company = {n for n, a in VERBS.items() if Role.COMPANY_STAFF in a.roles}

    assert company == {"sign", "start", "respond", "return", "extend"}
    assert all(Role.ORG_STAFF in a.roles for a in VERBS.values())


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
