from django.urls import path

from fraudhub.reports import views

urlpatterns = [
    path("report/", views.report_new, name="report_new"),
    path("report/status/", views.report_status_lookup, name="report_status_lookup"),
    path("report/status/<str:tracking_code>", views.report_status, name="report_status"),
    path("report/status/<str:tracking_code>/appeal", views.report_appeal, name="report_appeal"),
    path("appeal/<str:token>", views.owner_appeal, name="owner_appeal"),
]
