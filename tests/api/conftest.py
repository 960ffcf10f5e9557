import pytest

from partybuild import tokens


@pytest.fixture
def as_user(client):
    """``as_user(user)`` → a function sending API requests with a fresh token of ``user``."""

    def make(user):
        secret = tokens.issue(user, name="测试", days=30)[1]

        def send(method, url, data=None, json=True, **headers):
            extra = {"content_type": "application/json"} if json and method != "get" else {}
            return getattr(client, method)(f"/api/v1/{url}", data or {}, HTTP_AUTHORIZATION=f"Token {secret}",
                                           **extra, **headers)

        send.secret = secret
        return send

    return make
