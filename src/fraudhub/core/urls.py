from django.urls import path

from fraudhub.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/2fa/verify/", views.twofa_verify, name="2fa_verify"),
    path("accounts/2fa/setup/", views.twofa_setup, name="2fa_setup"),
]
