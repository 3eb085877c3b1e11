"""In real Chromium on a phone: a 12 MB photo is made smaller before it is
sent and goes through; after an error the photo is kept (issue 13)."""

import io
import os

import pytest
from PIL import Image
from playwright.sync_api import expect

from consultations.models import Concern, ConcernPhoto, HeldPhoto
from consultations.uploads import max_photo_bytes

from .factories import ensure_categories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PHONE = {
    "locale": "zh-CN",
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, **PHONE}


@pytest.fixture(scope="module")
def big_photo(tmp_path_factory) -> str:
    """A 4000×3000 JPEG of noise, which does not compress: over 12 MB."""
    image = Image.frombytes("RGB", (4000, 3000), os.urandom(4000 * 3000 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    path = tmp_path_factory.mktemp("photos") / "IMG_20261202_093000.jpg"
    path.write_bytes(out.getvalue())
    assert path.stat().st_size > 12 * 1024 * 1024
    return str(path)


def choose_compound(page, name):
    page.fill("#compound-search", name)
    page.locator("#compound-options li", has_text=name).click()


def submit(page):
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state()


def test_a_12_mb_phone_photo_goes_through_made_smaller(
    live_server, page, compound, big_photo
):
    ensure_categories()
    page.goto(f"{live_server.url}/concerns/new/")
    choose_compound(page, compound.name)
    page.select_option("select[name=category]", label="环境卫生")
    page.fill("textarea[name=description]", "楼顶漏水，照片在这里")

    page.set_input_files("input[name=photos]", big_photo)
    expect(page.locator("#photos-status")).to_contain_text("照片已压缩好")
    sent = page.evaluate("document.querySelector('input[name=photos]').files[0].size")
    assert sent < 2 * 1024 * 1024
    submit(page)

    expect(page.locator("#tracking-code")).to_be_visible()
    stored = Concern.objects.get().photos.get(stage=ConcernPhoto.Stage.SUBMITTED)
    assert stored.image.size <= max_photo_bytes()
    with Image.open(stored.image) as image:
        assert max(image.size) <= 2000
        assert not image.getexif()


def test_after_an_error_the_photo_is_kept_and_sent_with_the_fix(
    live_server, page, compound, big_photo
):
    ensure_categories()
    page.goto(f"{live_server.url}/concerns/new/")
    choose_compound(page, compound.name)
    page.fill("textarea[name=description]", "电动车棚的灯不亮")
    page.set_input_files("input[name=photos]", big_photo)
    expect(page.locator("#photos-status")).to_contain_text("照片已压缩好")
    submit(page)  # no category

    expect(page.locator("#held-photos")).to_contain_text("已为您保留")
    expect(page.locator("#held-photos img")).to_have_count(1)
    expect(page.locator("textarea[name=description]")).to_have_value("电动车棚的灯不亮")
    assert HeldPhoto.objects.count() == 1
    page.select_option("select[name=category]", label="环境卫生")
    submit(page)

    expect(page.locator("#tracking-code")).to_be_visible()
    assert Concern.objects.get().photos.count() == 1
    assert not HeldPhoto.objects.exists()
