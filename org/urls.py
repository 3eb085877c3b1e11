from django.urls import path

from . import job_views, views

urlpatterns = [
    path("account/second-factor/", views.verify, name="second-factor"),
    path("account/second-factor/enrol/", views.enrol, name="second-factor-enrol"),
    path("jobs/", job_views.job_list, name="ledger-jobs"),
    path("jobs/<int:pk>/", job_views.job_detail, name="ledger-job"),
    path("jobs/<int:pk>/status.json", job_views.job_status, name="ledger-job-status"),
    path("jobs/<int:pk>/download/", job_views.job_download, name="ledger-job-download"),
]
