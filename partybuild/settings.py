"""PartyBuild settings, read from the environment (12-factor).

Production is the default: DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS must be set, and the safety
settings are on. DJANGO_DEBUG=true (set by `make run` and by the tests themselves) is the development
mode. With no DATABASE_URL: SQLite in the project folder; with no REDIS_URL: Celery tasks
run eagerly in the web process.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
else:
    # without them wsgi.py refuses to serve and `check --deploy` fails (kernel.E002); commands that need no
    # secret (makemigrations --check, migrate) still run
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "simple_history",
    "treebeard",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "kernel",
    "partybuild",
    "orgs",
    "inspections",
    "rectification",
    "scoring",
]

MIDDLEWARE = [
    "partybuild.api.errors.JsonErrors",  # first: under /api/, every error any layer answers is JSON in Chinese
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "kernel.middleware.AuditMiddleware",
    "kernel.middleware.SessionActivityMiddleware",
    "kernel.middleware.PasswordChangeRequiredMiddleware",
    "kernel.middleware.RecordsOnlyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "partybuild.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partybuild.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "partybuild.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    # no JIT compiling: a page's query whose cost is overestimated spent 166 ms compiling to save nothing
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # keys carry the database's name: deployments sharing one Redis never read each other's cached lists,
    # figures or sessions
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": env("CACHE_KEY_PREFIX", default=str(DATABASES["default"]["NAME"]))}}
    # sessions read from the shared cache (written through to the database): one query less per page.
    # Only with a shared cache: a per-process cache would keep a signed-out session alive in other workers.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "kernel.passwords.ComplexityValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "kernel.passwords.HistoryValidator",
     "OPTIONS": {"remember": env.int("PASSWORD_HISTORY", default=5)}},
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Login throttling (django-axes): locked after AXES_FAILURE_LIMIT failures of one user from one address,
# for AXES_COOLOFF_MINUTES; an administrator unlocks earlier in the admin (访问尝试: delete the row).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_DISABLE_ACCESS_LOG = True  # logins and logouts are in the audit trail
# Idle sessions end SESSION_COOKIE_AGE seconds after their last use (a working day by default). The expiry is
# moved forward at most once per SESSION_RENEW_SECONDS (not SESSION_SAVE_EVERY_REQUEST: a write on every page).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded and generated files go through Django's storage API only. With DJANGO_S3_BUCKET set they live in an
# S3-compatible object store (MinIO, Ceph, a cloud's), shared by every web and worker machine; otherwise on disk.
S3_BUCKET = env("DJANGO_S3_BUCKET", default="")
FILE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if S3_BUCKET:
    FILE_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env("DJANGO_S3_ENDPOINT_URL", default="") or None,
        "region_name": env("DJANGO_S3_REGION", default="") or None,
        "location": env("DJANGO_S3_PREFIX", default="partybuild"),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }}
STORAGES = {
    "default": FILE_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: Redis when REDIS_URL is set, otherwise tasks run eagerly in the web process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# Without a worker, a report is built in a thread of the web process after the request has been answered,
# so that asking for one never blocks the page (see partybuild.tasks.queue).
REPORTS_IN_BACKGROUND_THREAD = CELERY_TASK_ALWAYS_EAGER
# Run eagerly, a task behaves as under a worker: retries happen (at once), failures land on the report row.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process that holds more than this (KiB) after a task is replaced by a fresh one: report parts
# (Typst keeps ~100 KB a row until it writes the PDF) would otherwise leave their high-water mark behind.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=300_000)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Asking for a report must not hang when Redis is down: fail fast and tell the user.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                                   "socket_connect_timeout": 2}
CELERY_BEAT_SCHEDULE = {
    "monthly-progress-reports": {"task": "partybuild.tasks.monthly_reports",
                                 "schedule": crontab(minute=0, hour=6, day_of_month=1)},
    "daily-reminders": {"task": "partybuild.tasks.daily_reminders", "schedule": crontab(minute=30, hour=7)},
    "prune-audit-trail": {"task": "kernel.tasks.prune_audit", "schedule": crontab(minute=15, hour=3)},
    "worker-heartbeat": {"task": "kernel.tasks.heartbeat", "schedule": 60.0},
    "purge-unconfirmed-imports": {"task": "kernel.tasks.purge_unconfirmed_imports",
                                  "schedule": crontab(minute=15)},
    "requeue-robot-messages": {"task": "partybuild.tasks.requeue_robot_messages", "schedule": 300.0},
}
NOTIFICATION_SENDERS = env.list("NOTIFICATION_SENDERS", default=[])
# 企业微信 / 钉钉 group robots per organisation (besides those kept in the admin), a JSON list of
# {"org": "organisation code", "kind": "wecom" | "dingtalk", "webhook": "https://…", "secret": "SEC…" (钉钉 加签)}
GROUP_ROBOTS = env.json("GROUP_ROBOTS", default=[])
# the service worker's cache name: change it (e.g. per release) to make devices fetch the offline page's files again
SERVICE_WORKER_VERSION = env("SERVICE_WORKER_VERSION", default="1")
# the address links in messages sent outside the browser start with (e.g. https://djdk.example.gov.cn)
SITE_URL = env("SITE_URL", default="")
# E-mail of notifications: sent through SMTP when EMAIL_HOST is set (to users with an address), else not at all.
EMAIL_HOST = env("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="partybuild@localhost")
NOTIFICATION_EMAIL = env.bool("NOTIFICATION_EMAIL", default=bool(EMAIL_HOST))
# Fonts of issued documents (GB/T 9704): the official fonts first where installed, then free substitutes
# (Debian's fonts-noto-cjk), which WeasyPrint embeds in the PDF.
DOCUMENT_FONTS = {
    "title": env.list("DOCUMENT_FONT_TITLE", default=["方正小标宋简体", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC"]),
    "body": env.list("DOCUMENT_FONT_BODY", default=["仿宋_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC"]),
    "heading": env.list("DOCUMENT_FONT_HEADING", default=["黑体", "SimHei", "Noto Sans CJK SC"]),
}
# Folders of the fonts Typst embeds in the ranked report (kernel.typeset): Debian's fonts-noto-cjk.
TYPST_FONT_PATHS = [Path(p) for p in env.list("TYPST_FONT_PATHS", default=["/usr/share/fonts/opentype/noto"])]
# A ranked report over more organisations than this is rendered per child scope (per county) in parallel tasks.
REPORT_FAN_OUT_ABOVE = env.int("REPORT_FAN_OUT_ABOVE", default=1000)

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}
# Content-Security-Policy: only the application's own scripts, styles and images; no inline script or style.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"], "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"], "connect-src": ["'self'"], "object-src": ["'none'"], "base-uri": ["'self'"],
    "frame-ancestors": ["'self'"], "form-action": ["'self'"]}}
# Permissions-Policy: no page uses a device or browser feature except the camera (photos taken in the field,
# ``capture`` on file inputs, served by this site only).
PERMISSIONS_POLICY = {"accelerometer": [], "autoplay": [], "browsing-topics": [], "camera": ["self"],
                      "display-capture": [], "geolocation": [], "gyroscope": [], "magnetometer": [],
                      "microphone": [], "midi": [], "payment": [], "usb": [], "fullscreen": ["self"]}
# Audit trail kept this many days (等保 2.0: at least 180), pruned nightly by beat.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)
# /readyz: the worker must have answered within this many minutes, and media must have this much free space.
READYZ_WORKER_MINUTES = env.int("READYZ_WORKER_MINUTES", default=5)
READYZ_MIN_FREE_MB = env.int("READYZ_MIN_FREE_MB", default=500)
# An uploaded workbook must be confirmed within this time; after it, the upload is deleted (hourly beat task).
IMPORT_CONFIRM_MINUTES = env.int("IMPORT_CONFIRM_MINUTES", default=60)
RECTIFICATION_FOLLOW_UP_MONTHS = env.int("RECTIFICATION_FOLLOW_UP_MONTHS", default=3)

# The JSON API (partybuild/api): token or session authentication, throttled per token, cursor-paginated.
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="120/min")
# wrong tokens from one address: past this, every token from it answers 429 until the window has passed
API_AUTH_FAILURE_RATE = env("API_AUTH_FAILURE_RATE", default="10/min")
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["partybuild.api.auth.TokenAuthentication",
                                       "partybuild.api.auth.SessionWithCsrf"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "partybuild.api.permissions.MayOpen"],
    "DEFAULT_THROTTLE_CLASSES": ["partybuild.api.auth.PerTokenThrottle"],
    "DEFAULT_PAGINATION_CLASS": "partybuild.api.pagination.Cursor",
    "DEFAULT_FILTER_BACKENDS": ["partybuild.api.pagination.StrictFilters",
                                "partybuild.api.pagination.StrictOrdering"],
    "DEFAULT_METADATA_CLASS": "partybuild.api.metadata.Metadata",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON; the operations where files travel take multipart (partybuild.api.base.UPLOAD_PARSERS)
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "partybuild.api.schema.Schema",
    "EXCEPTION_HANDLER": "partybuild.api.errors.handle",
    "PAGE_SIZE": 50,
    "COERCE_DECIMAL_TO_STRING": False,  # scores and means are JSON numbers
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "党建督考 API",
    "DESCRIPTION": "PartyBuild JSON API v1: the same permission policy as the web pages. "
                   "Authenticate with `Authorization: Token <secret>` (a token created on the profile page).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated", "partybuild.api.permissions.MayOpen"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "partybuild.api.schema.add_links",
                             "partybuild.api.schema.drop_parameter_titles"],
    "ENUM_NAME_OVERRIDES": {
        "ItemStatusEnum": "rectification.models.RectificationItem.Status",
        "ItemKindEnum": "rectification.models.RectificationItem.Kind",
        "RoundKindEnum": "inspections.models.Round.Kind",
        "RoundStatusEnum": "inspections.models.Round.Status",
        "FindingKindEnum": "inspections.models.Finding.Kind",
        "TourKindEnum": "inspections.models.Tour.Kind",
        "AssessmentStatusEnum": "scoring.models.Assessment.Status",
        "ReportStatusEnum": "partybuild.models.Report.Status",
        "OrgKindEnum": "orgs.models.Kind",
    },
}
