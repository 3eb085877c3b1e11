"""Staff pages of compounds."""

from django.urls import path

from . import ledger_views, views

app_name = "compounds"

urlpatterns = [
    path("ledgers/", ledger_views.ledger_index, name="ledgers"),
    path(
        "ledgers/<slug:slug>/template.xlsx",
        ledger_views.ledger_template,
        name="ledger-template",
    ),
    path(
        "ledgers/<slug:slug>/export.xlsx",
        ledger_views.ledger_export,
        name="ledger-export",
    ),
    path(
        "ledgers/<slug:slug>/import/",
        ledger_views.ledger_import,
        name="ledger-import",
    ),
    path(
        "ledgers/<slug:slug>/jobs/<int:pk>/",
        ledger_views.ledger_job,
        name="ledger-job",
    ),
    path(
        "ledgers/<slug:slug>/jobs/<int:pk>/confirm/",
        ledger_views.ledger_job_confirm,
        name="ledger-job-confirm",
    ),
    path("posters/", views.poster_index, name="posters"),
    path("posters/compound/<int:pk>/", views.compound_poster, name="poster"),
    path(
        "posters/community/<int:pk>/",
        views.community_posters,
        name="community-posters",
    ),
]
