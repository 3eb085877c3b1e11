from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("compounds/<int:pk>/", views.compound_board, name="compound-board"),
    path("", include("compounds.urls")),
    path("", include("civic.urls")),
    path("", include("consultations.urls")),
    path("assessments/", include("assessments.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("my-tasks/", views.my_tasks, name="my-tasks"),
    path("overview/", views.overview, name="overview"),
    path("", include("org.urls")),
    # Before the admin's own: the login lands on 我的待办.
    path("admin/login/", views.staff_login),
    path("admin/", admin.site.urls),
    path("", include("jiyang.api")),
    path("open311/v2/", include("open311.urls")),
    # Stored uploads, when SERVE_MEDIA is on; in production the web server
    # serves MEDIA_ROOT by the same rules (docs/operations.md).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media, name="media"),
]

handler400 = "jiyang.views.bad_request"
