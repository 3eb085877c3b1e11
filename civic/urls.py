"""Visit days, meetings and disclosures."""

from django.urls import path

from . import views

app_name = "civic"

urlpatterns = [
    path("visit-day/", views.visit_day, name="visit-day"),
    path("visit-day/reports/new/", views.visit_report_create, name="visit-report-new"),
    path("visit-day/reports/<int:pk>/", views.visit_report_detail, name="visit-report"),
    path(
        "visit-day/needs/<int:pk>/concern/",
        views.visit_need_to_concern,
        name="visit-need-concern",
    ),
    path("visit-day/missing/", views.visit_missing, name="visit-missing"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting-new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting-close"),
    path(
        "meetings/decisions/<int:pk>/publish/",
        views.decision_publish,
        name="decision-publish",
    ),
    path(
        "meetings/action-items/<int:pk>/done/",
        views.action_item_done,
        name="action-item-done",
    ),
    path("disclosures/", views.disclosure_list, name="disclosures"),
    path("disclosures/new/", views.disclosure_create, name="disclosure-new"),
    path("disclosures/<int:pk>/", views.disclosure_detail, name="disclosure"),
    path(
        "disclosures/<int:pk>/object/",
        views.disclosure_object,
        name="disclosure-object",
    ),
]
