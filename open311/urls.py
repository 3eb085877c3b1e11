"""Open311 GeoReport v2 under /open311/v2/: `<resource>.<xml|json>`, no
trailing slash."""

from django.urls import path, re_path

from . import views as open311

app_name = "open311"

FMT = r"(?P<fmt>xml|json)"

urlpatterns = [
    path("", open311.root, name="root"),
    re_path(rf"^discovery\.{FMT}$", open311.discovery, name="discovery"),
    re_path(rf"^services\.{FMT}$", open311.service_list, name="services"),
    re_path(
        rf"^services/(?P<code>[^/]+)\.{FMT}$",
        open311.service_definition,
        name="service",
    ),
    re_path(rf"^requests\.{FMT}$", open311.requests_view, name="requests"),
    re_path(
        rf"^requests/(?P<request_id>[^/]+)\.{FMT}$",
        open311.request_detail,
        name="request",
    ),
    re_path(r"^(?P<path>.*)$", open311.not_found),
]
