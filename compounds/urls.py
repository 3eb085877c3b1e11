"""Staff pages of compounds."""

from django.urls import path

from . import views

app_name = "compounds"

urlpatterns = [
    path("posters/", views.poster_index, name="posters"),
    path("posters/compound/<int:pk>/", views.compound_poster, name="poster"),
    path(
        "posters/community/<int:pk>/",
        views.community_posters,
        name="community-posters",
    ),
]
