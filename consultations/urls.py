"""Concern pages: public form and tracking, staff and manager pages."""

from django.urls import path

from . import place_views, public_views, staff_views

app_name = "consultations"

urlpatterns = [
    path("concerns/new/", public_views.concern_create, name="create"),
    path(
        "concerns/compounds.json",
        public_views.compound_suggestions,
        name="compounds",
    ),
    path("concerns/track/", public_views.concern_lookup, name="lookup"),
    path("concerns/track/<str:code>/", public_views.concern_track, name="track"),
    path("concerns/rate/<str:token>/", public_views.concern_rate, name="rate"),
    path("concerns/staff/", staff_views.staff_concern_list, name="staff-list"),
    path("concerns/staff/new/", staff_views.staff_concern_create, name="staff-create"),
    path("concerns/staff/rates/", staff_views.staff_rates, name="staff-rates"),
    path(
        "concerns/staff/places/",
        place_views.needing_compound,
        name="needing-compound",
    ),
    path(
        "concerns/staff/places/<int:pk>/",
        place_views.assign_compound,
        name="assign-compound",
    ),
    path(
        "concerns/staff/<int:pk>/",
        staff_views.staff_concern_detail,
        name="staff-detail",
    ),
    path("concerns/staff/<int:pk>/act/", staff_views.concern_act, name="act"),
    path(
        "concerns/staff/<int:pk>/themes/",
        staff_views.concern_themes,
        name="themes",
    ),
    path(
        "concerns/staff/<int:pk>/phone/",
        staff_views.reveal_phone,
        name="reveal-phone",
    ),
    path("concerns/manager/", staff_views.manager_concern_list, name="manager-list"),
    path(
        "concerns/manager/<int:pk>/",
        staff_views.manager_concern_detail,
        name="manager-detail",
    ),
]
