from django.urls import path

from . import views

urlpatterns = [
    path("account/second-factor/", views.verify, name="second-factor"),
    path("account/second-factor/enrol/", views.enrol, name="second-factor-enrol"),
]
