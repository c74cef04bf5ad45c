from django.urls import path, register_converter

from fraudhub.reports import views
from fraudhub.reports.selectors import TRACKING_CODE


class TrackingCodeConverter:
    """Only what a tracking code can be reaches the views: anything else in the address is a
    plain 404, and the status page never repeats text somebody put in a link (a NUL, a page of
    right-to-left text passed off as a "report code")."""

    regex = TRACKING_CODE.pattern

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TrackingCodeConverter, "tracking_code")

urlpatterns = [
    path("report/", views.report_new, name="report_new"),
    path("report/status/", views.report_status_lookup, name="report_status_lookup"),
    path("report/status/<tracking_code:tracking_code>", views.report_status,
         name="report_status"),
    path("report/status/<tracking_code:tracking_code>/appeal", views.report_appeal,
         name="report_appeal"),
    path("report/confirm/<str:token>", views.report_confirm_email, name="report_confirm_email"),
    path("appeal/<str:token>", views.owner_appeal, name="owner_appeal"),
]
