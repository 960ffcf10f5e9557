import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server):
    """A page in a phone-sized window, with a helper to sign in."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # confirms what cannot be undone, as the user would

    def sign_in(user, password="pw-test-123"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")
        page.wait_for_load_state()

    page.sign_in = sign_in
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """A live-server test flushes the database when it ends, the migrations' reference data (problem taxonomy,
    checklists, schemes) included; the next browser test gets it back."""
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from inspections.checklists import load as load_checklists
    from inspections.models import ChecklistTemplate
    from rectification.models import ProblemCategory
    from rectification.taxonomy import load as load_taxonomy
    from scoring.models import Scheme
    from scoring.schemes import load as load_schemes
    from scoring.schemes import load_low_grade_category

    if not ProblemCategory.objects.exists():
        load_taxonomy(apps, None)
    if not ChecklistTemplate.objects.exists():
        load_checklists(apps, None)
    if not Scheme.objects.exists():
        load_schemes(apps, None)
        load_low_grade_category(apps, None)
