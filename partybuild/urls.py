from django.contrib import admin
from django.urls import include, path

from kernel import views as kernel_views

from . import views

admin.site.site_header = "党建督考 管理后台"
admin.site.site_title = "党建督考"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("healthz", views.healthz, name="healthz"),
    path("offline/", views.offline, name="offline"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("readyz", kernel_views.readyz, name="readyz"),
    path("ops/", include("kernel.urls")),
    path("accounts/", include("partybuild.account_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("partybuild.api.urls")),
    path("orgs/", include("orgs.urls")),
    path("inspections/", include("inspections.urls")),
    path("rectification/", include("rectification.urls")),
    path("scoring/", include("scoring.urls")),
    path("reports/", include("partybuild.report_urls")),
    path("admin/", admin.site.urls),
]
