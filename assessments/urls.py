from django.urls import path

from . import inspect_views

app_name = "assessments"

urlpatterns = [
    # Inspections (phone pages for inspectors, read-only for other staff).
    path("inspections/", inspect_views.inspection_list, name="inspections"),
    path("inspections/new/", inspect_views.inspection_new, name="inspection-new"),
    path("inspections/plans/", inspect_views.plan_list, name="plans"),
    path("inspections/<int:pk>/", inspect_views.inspection_detail, name="inspection"),
    path(
        "inspections/<int:pk>/amend/",
        inspect_views.inspection_amend,
        name="inspection-amend",
    ),
    path(
        "inspections/results/<int:pk>/rectify/",
        inspect_views.rectification_raise,
        name="rectification-raise",
    ),
    # Rectification notices.
    path("rectifications/", inspect_views.rectification_list, name="rectifications"),
    path(
        "rectifications/<int:pk>/",
        inspect_views.rectification_detail,
        name="rectification",
    ),
]
