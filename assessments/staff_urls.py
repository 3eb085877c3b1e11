from django.urls import path

from . import staff_views

app_name = "scores"

urlpatterns = [
    path("rankings/", staff_views.ranking_list, name="ranking"),
    path("rankings/export/", staff_views.ranking_export, name="ranking-export"),
    path("rankings/notice/", staff_views.notice_detail, name="notice"),
    path("companies/<int:pk>/", staff_views.score_company, name="company"),
    path("months/", staff_views.score_month_list, name="months"),
    path("months/export/", staff_views.score_month_export, name="months-export"),
    path("runs/", staff_views.score_runs, name="runs"),
    path("rewards/", staff_views.reward_list, name="rewards"),
    path("exits/", staff_views.exit_list, name="exits"),
]
