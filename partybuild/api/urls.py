"""/api/v1/ (namespace ``api``), its OpenAPI schema and the browsable docs."""

from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import errors, inspections, ledger, notifications, people, reports, scoring

router = SimpleRouter()
router.register("organisations", people.OrganisationViewSet, basename="organisation")
router.register("problems", ledger.ProblemViewSet, basename="problem")
router.register("items", ledger.ItemViewSet, basename="item")
router.register("extensions", ledger.ExtensionViewSet, basename="extension")
router.register("inspection-rounds", inspections.RoundViewSet, basename="round")
router.register("targets", inspections.TargetViewSet, basename="target")
router.register("visits", inspections.VisitViewSet, basename="visit")
router.register("findings", inspections.FindingViewSet, basename="finding")
router.register("checklists", inspections.ChecklistViewSet, basename="checklist")
router.register("tours", inspections.TourViewSet, basename="tour")
router.register("assessments", scoring.AssessmentViewSet, basename="assessment")
router.register("notifications", notifications.NotificationViewSet, basename="notification")
router.register("reports", reports.ReportViewSet, basename="report")


app_name = "api"

urlpatterns = [
    path("v1/me/", people.Me.as_view(), name="me"),
    path("v1/organisations/<int:pk>/statistics/", people.OrganisationStatistics.as_view(),
         name="organisation-statistics"),
    path("v1/evidence/<int:pk>/", ledger.EvidenceFile.as_view(), name="evidence"),
    path("v1/inspection-evidence/<int:pk>/", inspections.InspectionEvidenceFile.as_view(),
         name="inspection-evidence"),
    path("v1/tour-stops/<int:pk>/score/", inspections.StopScore.as_view(), name="stop-score"),
    path("v1/assessments/<int:pk>/sheets/<int:org_pk>/", scoring.ScoreSheet.as_view(), name="score-sheet"),
    path("v1/report-kinds/", reports.ReportKinds.as_view(), name="report-kinds"),
    path("v1/", include(router.urls)),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    # drf-spectacular's views are marked login-not-required: the schema answers 401 by itself, the docs page
    # (for people) sends them to the login page first
    path("docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    re_path(r"", login_not_required(errors.not_found)),  # last: any other /api/ address is a JSON 404
]
