"""Every cell of the rights table, tried through the test client.

For each probe (tests/rights/probes/) and each role: a role the table
allows does the task and the change is stored; a role it refuses gets a
clear refusal (403, in Chinese) and nothing changes.
"""

import importlib
import pkgutil
import re

import pytest

from org.rights import Role, roles_of, tasks
from tests.rights import probes as probes_package

pytestmark = pytest.mark.django_db


def all_probes():
    found = []
    for module in pkgutil.iter_modules(probes_package.__path__):
        found += importlib.import_module(
            f"{probes_package.__name__}.{module.name}"
        ).PROBES
    return found


PROBES = all_probes()
CJK = re.compile("[\u4e00-\u9fff]")


def test_every_task_has_a_probe():
    probed = {probe.task for probe in PROBES}
    assert sorted(set(tasks()) - probed) == []


def test_probes_name_real_tasks():
    assert sorted({probe.task for probe in PROBES} - set(tasks())) == []


@pytest.fixture
def world(street, community, grid, compound, serving_contract, login_of):
    return {
        "street": street,
        "community": community,
        "grid": grid,
        "compound": compound,
        "company": serving_contract.company,
        "contract": serving_contract,
        "login_of": login_of,
    }


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("probe", PROBES, ids=lambda probe: probe.id)
def test_cell(probe, role, world, client):
    user = world["login_of"][role]
    assert roles_of(user) == {role}, "the cast holds one role each"
    target = probe.arrange(world)
    client.force_login(user)
    response = probe.act(client, target)
    if tasks()[probe.task].allows({role}):
        assert response.status_code < 400, response.content[:400]
        assert probe.happened(target)
    else:
        assert response.status_code == 403, response.status_code
        if probe.via == "page":
            assert CJK.search(response.content.decode()), "the refusal is in Chinese"
        assert not probe.happened(target)
