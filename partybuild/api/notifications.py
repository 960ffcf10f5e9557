"""The user's own notifications: list and mark read."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from partybuild import notifications
from partybuild.models import Notification

from .base import ReadOnlyViewSet


class NotificationOut(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "text", "url", "created_at", "read"]


MARKED = inline_serializer("Marked", {"marked": serializers.IntegerField(help_text="标为已读的条数")})


class NotificationViewSet(ReadOnlyViewSet):
    """The calling user's own notifications, newest first."""

    queryset = Notification.objects.none()
    serializer_class = NotificationOut
    filterset_fields = ["read"]
    ordering_fields = ["id", "created_at"]

    def get_queryset(self):
        return Notification.objects.filter(user=self.request.user)

    @extend_schema(request=None, responses=NotificationOut)
    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request, pk=None):
        """Mark one notification read."""
        notification = get_object_or_404(self.get_queryset(), pk=pk)
        notifications.mark_read(request.user, notification.pk)
        notification.refresh_from_db()
        return Response(NotificationOut(notification).data)

    @extend_schema(request=None, responses=MARKED)
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[])
    def read_all(self, request):
        """Mark every notification read."""
        return Response({"marked": notifications.mark_read(request.user)})
