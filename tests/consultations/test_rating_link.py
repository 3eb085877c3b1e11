"""Only the resident rates, through a one-time rating link (not the bare
tracking code, which staff and the company read)."""

import pytest
from django.urls import reverse

from consultations import services
from consultations.models import Concern, ConcernEvent, Notification

from .factories import category

pytestmark = pytest.mark.django_db
S = Concern.Status


def submitted(compound, email="resident@example.org"):
    return services.submit_concern(
        compound=compound,
        category=category(),
        description="下水道堵了",
        email=email,
    )


def answered(compound, actor):
    concern = submitted(compound)
    services.accept(concern=concern, actor=actor)
    return services.respond(concern=concern, actor=actor, note="已疏通")


def test_the_receipt_page_shows_the_rating_link(client, compound):
    response = client.post(
        "/concerns/new/",
        {
            "compound": compound.pk,
            "category": category().pk,
            "kind": "complaint",
            "description": "楼道灯坏了",
            "token": "",
        },
    )

    concern = Concern.objects.get(description="楼道灯坏了")
    html = response.content.decode()
    assert concern.get_rating_url() in html
    assert concern.tracking_code not in concern.rating_token


def test_the_receipt_and_the_answer_mail_carry_the_rating_link(
    compound, grid_secretary
):
    concern = answered(compound, grid_secretary)

    bodies = list(
        Notification.objects.filter(
            concern=concern, to_email="resident@example.org"
        ).values_list("body", flat=True)
    )
    assert len(bodies) == 2
    assert all(concern.get_rating_url() in body for body in bodies)


def test_the_tracking_page_takes_no_rating(client, compound, grid_secretary):
    # What a company could do with the code it reads through the API.
    concern = answered(compound, grid_secretary)

    response = client.post(concern.get_absolute_url(), {"rating": "satisfied"})

    assert response.status_code == 405
    concern.refresh_from_db()
    assert concern.status == S.RESPONDED
    assert concern.rating == ""
    page = client.get(concern.get_absolute_url()).content.decode()
    assert 'id="rating-form"' not in page
    assert "评价链接" in page


def test_the_link_rates_once(client, compound, grid_secretary):
    concern = answered(compound, grid_secretary)
    url = concern.get_rating_url()
    assert "评价答复" in client.get(url).content.decode()

    first = client.post(url, {"rating": "dissatisfied", "comment": "还是堵"})
    again = client.post(url, {"rating": "satisfied"})

    assert first.status_code == 302
    assert again.status_code == 404
    assert "不能使用" in again.content.decode()
    concern.refresh_from_db()
    assert concern.status == S.REOPENED
    assert list(
        ConcernEvent.objects.filter(concern=concern, action="rate").values_list(
            "note", flat=True
        )
    ) == ["不满意：还是堵"]


def test_the_next_answer_mails_a_new_link_and_the_old_one_stays_used(
    client, compound, grid_secretary
):
    concern = answered(compound, grid_secretary)
    old = concern.get_rating_url()
    client.post(old, {"rating": "dissatisfied"})
    services.dispatch(concern=concern, actor=grid_secretary, to="grid")
    services.sign(concern=concern, actor=grid_secretary)
    concern = services.respond(concern=concern, actor=grid_secretary, note="已更换管道")
    new = concern.get_rating_url()

    assert new != old
    assert client.post(old, {"rating": "satisfied"}).status_code == 404
    assert new in Notification.objects.filter(concern=concern).order_by("-id")[0].body
    assert client.post(new, {"rating": "satisfied"}).status_code == 302
    concern.refresh_from_db()
    assert concern.status == S.CLOSED
    assert concern.rating == Concern.Rating.SATISFIED


@pytest.mark.parametrize(
    "forge",
    [
        lambda concern: concern.tracking_code,
        lambda concern: f"{concern.pk}.0",
        lambda concern: concern.rating_token[:-2] + "xx",
        lambda concern: concern.rating_token.replace(f"{concern.pk}.", "999999."),
    ],
    ids=["tracking-code", "unsigned", "bad-signature", "other-concern"],
)
def test_a_forged_link_rates_nothing(client, compound, grid_secretary, forge):
    concern = answered(compound, grid_secretary)

    response = client.post(
        reverse("consultations:rate", args=[forge(concern)]), {"rating": "satisfied"}
    )

    assert response.status_code == 404
    concern.refresh_from_db()
    assert concern.status == S.RESPONDED


def test_a_bad_rating_changes_nothing(client, compound, grid_secretary):
    concern = answered(compound, grid_secretary)

    response = client.post(concern.get_rating_url(), {"rating": "superb"})

    assert response.status_code == 400
    concern.refresh_from_db()
    assert concern.status == S.RESPONDED


def test_before_the_answer_the_link_waits(client, compound):
    concern = submitted(compound)
    url = concern.get_rating_url()

    page = client.get(url)
    refused = client.post(url, {"rating": "satisfied"})

    assert page.status_code == 200
    assert "尚未答复" in page.content.decode()
    assert refused.status_code == 409
    concern.refresh_from_db()
    assert concern.status == S.SUBMITTED
    assert concern.rating_round == 0
