"""Small serializer pieces shared by the resources."""

from django.urls import reverse
from rest_framework import serializers

from orgs.models import Organization


class OrgBrief(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "code", "name"]


class Files(serializers.ListField):
    """Several files under one multipart name (``files``), each checked by the kernel's upload rules."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", list)
        super().__init__(child=serializers.FileField(), **kwargs)


def file_url(request, name, pk):
    return request.build_absolute_uri(reverse(name, args=[pk]))


def user_name(user):
    return (user.get_full_name() or user.username) if user else ""
