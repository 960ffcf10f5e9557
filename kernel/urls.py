from django.urls import path

from . import views

app_name = "kernel"

urlpatterns = [
    path("audit/", views.audit_trail, name="audit"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("users/<int:user_pk>/sessions/", views.user_sessions, name="sessions"),
    path("users/<int:user_pk>/sessions/end/", views.end_sessions, name="end_sessions"),
]
