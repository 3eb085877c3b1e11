from django.urls import path

from . import views

urlpatterns = [
    path("form/", views.form, name="form"),
    path("list/", views.concern_list, name="list"),
    path("page/", views.page, name="page"),
]
