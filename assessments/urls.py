from django.urls import include, path

from .views import cycle, inspections, scores

app_name = "assessments"

score_patterns = [
    path("rankings/", scores.ranking_list, name="ranking"),
    path("rankings/<int:pk>/", scores.ranking_detail, name="ranking-detail"),
    path("rankings/export/", scores.ranking_export, name="ranking-export"),
    path("rankings/notice/", scores.notice_detail, name="ranking-notice"),
    path("rankings/publish/", scores.notice_publish, name="ranking-publish"),
    path("rankings/rerank/", scores.ranking_rerank, name="ranking-rerank"),
    path("companies/<int:pk>/", scores.score_company, name="company-scores"),
    path("months/", scores.score_month_list, name="months"),
    path("months/export/", scores.score_month_export, name="months-export"),
    path("runs/", cycle.run_list, name="runs"),
    path("runs/<int:pk>/", cycle.run_detail, name="run"),
    path("rewards/", scores.reward_list, name="rewards"),
    path("rewards/<int:pk>/", cycle.reward_detail, name="reward"),
    path("rewards/<int:pk>/approve/", cycle.reward_approve, name="reward-approve"),
    path("rewards/<int:pk>/pay/", cycle.reward_pay, name="reward-pay"),
    path("exits/", scores.exit_list, name="exits"),
    path("exits/<int:pk>/", cycle.exit_case_detail, name="exit-case"),
    path("exits/steps/<int:pk>/", cycle.ladder_step_detail, name="ladder-step"),
]

urlpatterns = [
    # Inspections (phone pages for inspectors, read-only for other staff).
    path("inspections/", inspections.inspection_list, name="inspections"),
    path("inspections/new/", inspections.inspection_new, name="inspection-new"),
    path("inspections/plans/", inspections.plan_list, name="plans"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection"),
    path(
        "inspections/<int:pk>/panel/",
        inspections.inspection_panel,
        name="inspection-panel",
    ),
    path(
        "inspections/<int:pk>/delete/",
        inspections.inspection_delete,
        name="inspection-delete",
    ),
    path(
        "inspections/<int:pk>/amend/",
        inspections.inspection_amend,
        name="inspection-amend",
    ),
    path(
        "inspections/results/<int:pk>/rectify/",
        inspections.rectification_raise,
        name="rectification-raise",
    ),
    # Rectification notices.
    path("rectifications/", inspections.rectification_list, name="rectifications"),
    path(
        "rectifications/<int:pk>/",
        inspections.rectification_detail,
        name="rectification",
    ),
    # Scores, rankings, rewards and exits (staff pages).
    path("scores/", include(score_patterns)),
]
