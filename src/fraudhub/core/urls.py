from django.urls import path

from fraudhub.core import apikey_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/2fa/verify/", views.twofa_verify, name="2fa_verify"),
    path("accounts/2fa/setup/", views.twofa_setup, name="2fa_setup"),
    path("console/api-keys/", apikey_views.apikey_list, name="apikeys"),
    path("console/api-keys/new", apikey_views.apikey_new, name="apikey_new"),
    path("console/api-keys/<int:api_key_id>/revoke", apikey_views.apikey_revoke,
         name="apikey_revoke"),
]
