from django.urls import path

from fraudhub.indicators import views

urlpatterns = [
    path("check/", views.check, name="check"),
]
