from django.urls import path

from . import views

app_name = "scoring"

urlpatterns = [
    path("", views.assessments, name="assessments"),
    path("new/", views.assessment_new, name="assessment_new"),
    path("schemes/", views.schemes, name="schemes"),
    path("schemes/import/", views.scheme_import, name="scheme_import"),
    path("schemes/import/confirm/", views.scheme_import_confirm, name="scheme_import_confirm"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/export/", views.scheme_export, name="scheme_export"),
    path("schemes/<int:pk>/copy/", views.scheme_copy, name="scheme_copy"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("<int:pk>/", views.assessment_detail, name="assessment"),
    path("<int:pk>/raters/<int:rater_pk>/grid/", views.grid, name="grid"),
    path("<int:pk>/raters/<int:rater_pk>/cell/", views.cell, name="cell"),
    path("<int:pk>/raters/<int:rater_pk>/save/", views.sheet_save, name="sheet_save"),
    path("<int:pk>/raters/<int:rater_pk>/export/", views.sheet_export, name="sheet_export"),
    path("<int:pk>/raters/<int:rater_pk>/import/", views.sheet_import, name="sheet_import"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("plaques/", views.plaques, name="plaques"),
    path("plaques/new/", views.plaque_new, name="plaque_new"),
    path("plaques/<int:pk>/remove/", views.plaque_remove, name="plaque_remove"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/dynamic/", views.dynamic, name="dynamic"),
    path("<int:pk>/orgs/<int:org_pk>/", views.sheet, name="sheet"),
    path("scores/<int:pk>/evidence/", views.score_evidence, name="score_evidence"),
    path("<int:pk>/trials/", views.trial_list, name="trials"),
    path("<int:pk>/trials/<int:trial_pk>/", views.trial_detail, name="trial"),
    path("<int:pk>/trials/<int:trial_pk>/export/", views.trial_export, name="trial_export"),
    path("<int:pk>/trials/<int:trial_pk>/apply/", views.trial_apply, name="trial_apply"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/bulletin/", views.bulletin, name="bulletin"),
]
