from django.urls import path

from fraudhub.indicators import delisting_views, views

urlpatterns = [
    path("check/", views.check, name="check"),
    path("delisting/", delisting_views.delisting_new, name="delisting_new"),
    path("console/delisting/", delisting_views.delisting_queue, name="delisting_queue"),
    path("console/delisting/<int:request_id>/decision", delisting_views.delisting_decision,
         name="delisting_decision"),
]
