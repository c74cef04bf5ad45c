from django.urls import path

from fraudhub.cases import views

app_name = "console"

urlpatterns = [
    path("console/", views.queue, name="queue"),
    path("console/cases/<int:case_id>/", views.case_page, name="case"),
    path("console/cases/<int:case_id>/claim", views.claim, name="claim"),
    path("console/cases/<int:case_id>/release", views.release, name="release"),
    path("console/cases/<int:case_id>/decision", views.decide, name="decide"),
    path("console/cases/<int:case_id>/appeals/<int:appeal_id>/decision", views.decide_appeal,
         name="decide_appeal"),
    path("console/cases/<int:case_id>/reporters/<int:reporter_id>/bad-faith",
         views.mark_bad_faith, name="bad_faith"),
    path("console/cases/<int:case_id>/enforcements/<int:enforcement_id>/retry",
         views.retry_enforcement, name="enforcement_retry"),
    path("console/evidence/<int:evidence_id>", views.evidence_download, name="evidence"),
]
