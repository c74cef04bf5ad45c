"""Pages of the agency portal (/agency/) and the trusted-flagger console page."""

from django.urls import path

from fraudhub.agencies import flagger_views, views

app_name = "portal"

urlpatterns = [
    path("agency/", views.request_list, name="list"),
    path("agency/requests/new/", views.request_new, name="new"),
    path("agency/requests/<int:request_id>/", views.request_page, name="request"),
    path("agency/requests/<int:request_id>/document.pdf", views.document_download,
         name="document"),
    path("agency/requests/<int:request_id>/document", views.document_upload,
         name="document_upload"),
    path("agency/requests/<int:request_id>/targets/<int:target_id>/answer",
         views.target_answer, name="answer"),
    path("agency/requests/<int:request_id>/targets/<int:target_id>/<str:action>",
         views.target_respond, name="respond"),
    path("console/flaggers/", flagger_views.flaggers, name="flaggers"),
    path("console/flaggers/grant", flagger_views.flagger_grant, name="flagger_grant"),
    path("console/flaggers/<int:organization_id>/suspend", flagger_views.flagger_suspend,
         name="flagger_suspend"),
]
