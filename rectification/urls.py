from django.urls import path

from . import list_views, views

app_name = "rectification"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("export/", views.ledger_export, name="export"),
    path("import/", views.ledger_import, name="import"),
    path("import/confirm/", views.ledger_import_confirm, name="import_confirm"),
    path("problems/new/", views.problem_new, name="problem_new"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/do/<slug:action>/", views.item_action, name="item_action"),
    path("items/<int:pk>/plan/", views.item_plan, name="item_plan"),
    path("items/<int:pk>/progress/", views.item_progress, name="item_progress"),
    path("items/<int:pk>/follow-up/", views.item_follow_up, name="item_follow_up"),
    path("items/<int:pk>/milestones/", views.item_milestone, name="item_milestone"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("follow-ups/", views.follow_ups_due, name="follow_ups"),
    path("overdue/", views.overdue, name="overdue"),
    path("orgs/<int:pk>/supervise/", views.supervise, name="supervise"),
    path("orgs/<int:pk>/notice.pdf", views.rectification_notice_pdf, name="rectification_notice"),
    path("notices/<int:pk>.pdf", views.notice_pdf, name="notice_pdf"),
    path("self-checks/", list_views.self_checks, name="self_checks"),
    path("self-checks/new/", list_views.self_check_new, name="self_check_new"),
    path("self-checks/<int:pk>/answer/", list_views.self_check_answer, name="self_check_answer"),
    path("tasks/", list_views.tasks, name="tasks"),
    path("tasks/new/", list_views.task_new, name="task_new"),
    path("tasks/<int:pk>/report/", list_views.task_report, name="task_report"),
    path("orgs/<int:pk>/responsibilities/<int:year>/", list_views.responsibilities, name="responsibilities"),
    path("letters/<int:pk>/", list_views.letter_download, name="letter"),
]
