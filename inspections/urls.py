from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/teams/new/", views.team_new, name="team_new"),
    path("rounds/<int:pk>/finish/", views.round_finish, name="round_finish"),
    path("today/", views.today, name="today"),
    path("targets/<int:pk>/visit/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/findings/", views.finding_new, name="finding_new"),
    path("visits/<int:pk>/checklists/<int:template_pk>/", views.checklist, name="checklist"),
    path("visits/<int:pk>/accept-failures/", views.accept_failures, name="accept_failures"),
    path("findings/<int:pk>/raise/", views.finding_raise, name="finding_raise"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("evidence/<int:pk>/thumbnail/", views.evidence, {"variant": "thumbnail"}, name="thumbnail"),
    path("answers/<int:pk>/photo/", views.answer_photo, name="answer_photo"),
    path("tours/", views.tours, name="tours"),
    path("tours/new/", views.tour_new, name="tour_new"),
    path("tours/<int:pk>/", views.tour_detail, name="tour"),
    path("tours/<int:pk>/ranking/", views.tour_ranking, name="tour_ranking"),
    path("tours/<int:pk>/file/", views.tour_file, name="tour_file"),
    path("tours/<int:pk>/raise/", views.tour_raise, name="tour_raise"),
    path("tours/<int:pk>/export/", views.tour_export, name="tour_export"),
    path("stops/<int:pk>/score/", views.tour_score, name="tour_score"),
]
