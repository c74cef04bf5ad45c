from django.urls import path

from fraudhub.agencies import dashboard_views

urlpatterns = [
    path("agency/requests/<int:request_id>/response.pdf", dashboard_views.response_pdf,
         name="agency_response_pdf"),
    path("agency/dashboard/", dashboard_views.dashboard, name="agency_dashboard"),
    path("console/transparency/", dashboard_views.transparency, name="transparency"),
]
