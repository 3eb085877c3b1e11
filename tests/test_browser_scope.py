"""In real Chromium, a grid secretary's admin lists only their grid's compounds."""

import pytest

from org.roles import GRID_BRANCH, assign_role, ensure_role_groups

from .factories import CompoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def test_grid_secretary_sees_only_their_grids_compounds(
    live_server, page, grid, other_grid, grid_secretary, tmp_path
):
    CompoundFactory(grid=grid, name="水景花苑")
    CompoundFactory(grid=grid, name="运河小区")
    CompoundFactory(grid=other_grid, name="柳行小区")
    CompoundFactory(grid=other_grid, name="古槐小区")
    ensure_role_groups()
    assign_role(grid_secretary, GRID_BRANCH)

    page.goto(f"{live_server.url}/admin/login/?next=/admin/compounds/compound/")
    page.fill("#id_username", "grid_secretary")
    page.fill("#id_password", "pass-word-123")
    page.click("#login-form [type=submit]")
    page.wait_for_url("**/admin/compounds/compound/")
    page.screenshot(path=tmp_path / "grid-secretary-compounds.png", full_page=True)

    assert page.locator("#site-name").inner_text() == "济阳街道红色物业管理平台"
    listed = page.locator("#result_list tbody").inner_text()
    assert "水景花苑" in listed
    assert "运河小区" in listed
    assert "柳行小区" not in listed
    assert "古槐小区" not in listed
    assert page.locator("#result_list tbody tr").count() == 2
    assert (tmp_path / "grid-secretary-compounds.png").stat().st_size > 0
