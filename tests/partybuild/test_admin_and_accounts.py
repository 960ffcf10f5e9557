import pytest
from django.contrib import admin
from django.urls import reverse


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_admin_page_opens_for_the_administrator(world, login, model):
    client = login(world.users["admin"])
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code in (200, 403)  # some records are only created through the application


def test_admin_is_closed_to_organisation_staff(world, login):
    response = login(world.users["staff"]).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_password_change_in_chinese(world, login):
    client = login(world.users["secretary"])
    assert "修改密码" in client.get("/accounts/password_change/").content.decode()
    response = client.post("/accounts/password_change/", {
        "old_password": "wrong", "new_password1": "Xk9!pq-long", "new_password2": "Xk9!pq-long"})
    assert "你的旧密码不正确" in response.content.decode()
    response = client.post("/accounts/password_change/", {
        "old_password": "pw-test-123", "new_password1": "Xk9!pq-long", "new_password2": "Xk9!pq-long"}, follow=True)
    assert "密码已修改" in response.content.decode()
    world.users["secretary"].refresh_from_db()
    assert world.users["secretary"].check_password("Xk9!pq-long")


def test_logout_is_a_post_and_ends_the_session(world, login):
    client = login(world.users["leader"])
    assert client.get("/accounts/logout/").status_code == 405  # a link or an image cannot sign anyone out
    assert client.get("/rectification/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
