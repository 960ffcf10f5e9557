from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/add-child/", views.add_child, name="add_child"),
    path("<int:pk>/statistics/<int:year>/", views.edit_statistics, name="edit_statistics"),
    path("pick/", views.pick, name="pick"),
    path("export/", views.export, name="export"),
    path("import/", views.import_upload, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
]
