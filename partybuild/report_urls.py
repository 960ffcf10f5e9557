from django.urls import path

from . import report_views as views

app_name = "reports"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("request/", views.request_report, name="request"),
    path("<int:pk>/row/", views.row, name="row"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/<str:fmt>/", views.download, name="download"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
