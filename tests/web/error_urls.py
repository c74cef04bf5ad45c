"""The site's addresses and one whose view fails, for the 500 page's tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from fraudhub.urls import urlpatterns as site_urlpatterns


def failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("failing/", failing_view), *site_urlpatterns]
