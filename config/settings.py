"""Threadline settings: one module, driven by the environment.

With no environment set, Threadline runs embedded: SQLite under var/, a local-memory cache and
Celery tasks executed in-process. DATABASE_URL and REDIS_URL switch to PostgreSQL, a Redis cache
and a Redis Celery broker. See README.md ("Configuration") for every variable.
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

from .env import (
    database_from_url,
    email_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("THREADLINE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# The fallback key is deliberately marked insecure: `check --deploy` flags it until SECRET_KEY is set.
SECRET_KEY = env_str("SECRET_KEY") or "django-insecure-threadline-development-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# HTTPS hardening is on whenever DEBUG is off; set HTTPS=0 to serve plain HTTP (e.g. a laptop).
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
# X-Forwarded-* headers are believed only behind a proxy we control (BEHIND_PROXY=1), which sets them;
# otherwise any client could claim HTTPS, another host or another address. PROXY_COUNT: how many proxies
# in front append to X-Forwarded-For (the client's address is the one the outermost added). Gunicorn's
# side of the same switch: config/gunicorn.py.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
PROXY_COUNT = env_int("PROXY_COUNT", 1) if BEHIND_PROXY else 0
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# The client address of allauth's login rate limits (0: the peer's address, never X-Forwarded-For).
ALLAUTH_TRUSTED_PROXY_COUNT = PROXY_COUNT
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "apps.core",
    "apps.accounts",
    "apps.projects",
    "apps.requirements",
    "apps.architecture",
    "apps.contracts",
    "apps.testruns",
    "apps.deployments",
]

MIDDLEWARE = [
    "apps.core.middleware.HealthzMiddleware",
    "apps.core.limits.RequestSizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.core.middleware.ChangeSourceMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "apps.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": database_from_url("DATABASE_URL", f"sqlite:///{VAR_DIR / 'threadline.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = redis_url("REDIS_URL")
if REDIS_URL:
    from .cache import redis_cache

    # Redis, failing over to each process's memory while Redis is down (logins keep working): config/cache.py.
    CACHES = {"default": redis_cache(REDIS_URL, key_prefix=env_str("CACHE_KEY_PREFIX", "threadline"))}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "projects:project_list"

# The product's name as users see it: navbar, page titles, allauth's emails and the TOTP issuer.
SITE_NAME = env_str("SITE_NAME", "Threadline")

# django-allauth: username or email login, mandatory verification, TOTP 2FA, rate limits (defaults on).
# The adapter names the site SITE_NAME in allauth's emails (no django.contrib.sites: it would say the host).
ACCOUNT_ADAPTER = "apps.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# STATIC_MANIFEST=1 (set in the Docker image, after collectstatic) serves hashed, compressed,
# forever-cached files; without it whitenoise serves straight from static/ (dev, tests).
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

for _key, _value in email_from_url("EMAIL_URL").items():
    globals()[_key] = _value
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <threadline@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.StandardPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# The client address of API throttles: DRF's default (None) believes any X-Forwarded-For.
REST_FRAMEWORK["NUM_PROXIES"] = PROXY_COUNT
SPECTACULAR_SETTINGS = {
    "TITLE": "Threadline API",
    "DESCRIPTION": (
        "Requirements, architecture, API contracts, test runs and deployments of a backend project. "
        "Authenticate with a personal API token: `Authorization: Bearer <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Tags come from the first path segment after this prefix: projects, members, requirements, test-runs …
    "SCHEMA_PATH_PREFIX": r"/api/v1(/projects/\{project_slug\})?",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI comes from static/vendor, never a CDN.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui-dist",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui-dist/favicon-32x32.png",
    # validatorUrl None: Swagger UI would otherwise send the schema URL to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": True, "validatorUrl": None},
}

# Celery: with no REDIS_URL, tasks run in-process (eager) so the embedded default needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # a host, or kombu warns it has none
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 15 * 60)
# No global soft limit: Celery refuses to send a task whose own time_limit is below it, and every
# task sets its own (shorter) time_limit. Set the variable only to impose one deliberately.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 0) or None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BEAT_SCHEDULE = {
    "purge-dead-api-tokens": {
        "task": "apps.accounts.tasks.api_tokens_purge_task",
        "schedule": crontab(hour=3, minute=17),
    },
    "prune-change-log": {
        "task": "apps.core.tasks.change_log_prune_task",
        "schedule": crontab(hour=3, minute=47),
    },
    "purge-report-uploads": {
        "task": "apps.testruns.tasks.report_uploads_purge_task",
        "schedule": crontab(hour=4, minute=7),
    },
    # Runs whose Celery message or worker was lost (broker down, worker killed) are handed out again.
    "sweep-test-runs": {
        "task": "apps.testruns.tasks.test_runs_sweep_task",
        "schedule": 60.0,
    },
    "sweep-contract-versions": {
        "task": "apps.contracts.tasks.contract_versions_sweep_task",
        "schedule": 60.0,
    },
}

# Threadline's own knobs.
THREADLINE_CHANGE_LOG_RETENTION = timedelta(days=env_int("CHANGE_LOG_RETENTION_DAYS", 365))
THREADLINE_DEAD_TOKEN_RETENTION = timedelta(days=env_int("DEAD_TOKEN_RETENTION_DAYS", 30))

# Request body limits, checked on Content-Length before the body is read or spooled to disk
# (apps.core.limits): an API endpoint reads at most API_MAX_REQUEST_BYTES (CSV imports are 10 MB)
# unless it raises its own limit (report uploads: the report limit + 1 MB); pages at most
# PAGE_MAX_REQUEST_BYTES.
API_MAX_REQUEST_BYTES = env_int("API_MAX_REQUEST_BYTES", 11 * 1024 * 1024)
PAGE_MAX_REQUEST_BYTES = env_int("PAGE_MAX_REQUEST_BYTES", 11 * 1024 * 1024)

# Test runs: raw report retention, report size limit (decompressed), flaky-detection window.
TESTRUNS_UPLOAD_RETENTION_DAYS = env_int("TESTRUNS_UPLOAD_RETENTION_DAYS", 30)
TESTRUNS_MAX_REPORT_BYTES = env_int("TESTRUNS_MAX_REPORT_BYTES", 100 * 1024 * 1024)
# The largest body any API endpoint takes (a report upload): apps.core.limits refuses more at once.
API_MAX_UPLOAD_BYTES = TESTRUNS_MAX_REPORT_BYTES + 1024 * 1024
TESTRUNS_FLAKY_WINDOW = env_int("TESTRUNS_FLAKY_WINDOW", 30)
TESTRUNS_FLAKY_MIN_FLIPS = env_int("TESTRUNS_FLAKY_MIN_FLIPS", 2)
# A run queued or processing this long with no worker finishing it is handed out again by the sweeper:
# the ingestion task's time limit (30 min) plus a margin. A live ingestion holds its run's row lock and
# is never swept on PostgreSQL, so there the lease may be set as short as a few minutes.
TESTRUNS_LEASE_SECONDS = env_int("TESTRUNS_LEASE_SECONDS", 35 * 60)
# A queued run whose message may have been lost is sent again after this (duplicates are harmless).
TESTRUNS_RESEND_SECONDS = env_int("TESTRUNS_RESEND_SECONDS", 5 * 60)
# On PostgreSQL a processing run whose row nobody holds lost its worker (killed): handed out again
# this long after it was claimed, whatever the lease.
TESTRUNS_DEAD_WORKER_SECONDS = env_int("TESTRUNS_DEAD_WORKER_SECONDS", 2 * 60)
# Workers that took a run this many times without finishing it (killed, e.g. out of memory): it fails.
TESTRUNS_MAX_ATTEMPTS = env_int("TESTRUNS_MAX_ATTEMPTS", 3)
# One OpenAPI enum name per test-run choice set (run status vs test status).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "TestRunStatusEnum": "apps.testruns.models.RunStatus",
    "TestStatusEnum": "apps.testruns.models.Status",
    "DecisionStatusEnum": "apps.architecture.models.Decision.Status",
    "ContractVersionStatusEnum": "apps.contracts.models.ContractVersion.Status",
    "DeploymentStatusEnum": "apps.deployments.models.Deployment.Status",
    "DeploymentKindEnum": "apps.deployments.models.Deployment.Kind",
    "ComponentKindEnum": "apps.architecture.models.Component.Kind",
    "RelationKindEnum": "apps.architecture.models.Relation.Kind",
    "IncidentSeverityEnum": "apps.deployments.models.Incident.Severity",
})

# Architecture (apps.architecture): the largest Backstage catalog, schema version (DBML/DDL) and ADR
# zip it reads, and the longest hand-written diagram. Larger input gets a clear error, not a parse.
ARCHITECTURE_MAX_CATALOG_BYTES = env_int("ARCHITECTURE_MAX_CATALOG_BYTES", 5 * 1024 * 1024)
ARCHITECTURE_MAX_SCHEMA_BYTES = env_int("ARCHITECTURE_MAX_SCHEMA_BYTES", 5 * 1024 * 1024)
ARCHITECTURE_MAX_ADR_ZIP_BYTES = env_int("ARCHITECTURE_MAX_ADR_ZIP_BYTES", 10 * 1024 * 1024)
ARCHITECTURE_MAX_DIAGRAM_CHARS = env_int("ARCHITECTURE_MAX_DIAGRAM_CHARS", 100_000)

# Contracts (apps.contracts): the largest spec (or zip of spec files) a version takes and the largest
# candidate the synchronous CI check reads; how versions are handed to workers (apps.core.jobs).
CONTRACTS_MAX_SPEC_BYTES = env_int("CONTRACTS_MAX_SPEC_BYTES", 20 * 1024 * 1024)
CONTRACTS_CHECK_MAX_BYTES = env_int("CONTRACTS_CHECK_MAX_BYTES", 10 * 1024 * 1024)
CONTRACTS_LEASE_SECONDS = env_int("CONTRACTS_LEASE_SECONDS", 15 * 60)
CONTRACTS_RESEND_SECONDS = env_int("CONTRACTS_RESEND_SECONDS", 120)
CONTRACTS_DEAD_WORKER_SECONDS = env_int("CONTRACTS_DEAD_WORKER_SECONDS", 30)
CONTRACTS_MAX_ATTEMPTS = env_int("CONTRACTS_MAX_ATTEMPTS", 3)

# Deployments (apps.deployments): the largest report body and the most changes one report may carry.
DEPLOYMENTS_MAX_REPORT_BYTES = env_int("DEPLOYMENTS_MAX_REPORT_BYTES", 5 * 1024 * 1024)
DEPLOYMENTS_MAX_CHANGES = env_int("DEPLOYMENTS_MAX_CHANGES", 5000)
# An incident is blamed on the last deployment to its environment that finished this long before it.
DEPLOYMENTS_CAUSE_WINDOW_HOURS = env_int("DEPLOYMENTS_CAUSE_WINDOW_HOURS", 72)

# Content Security Policy (django-csp): scripts only from our own static files — no inline script,
# no eval — so injected markup can't run. Inline *styles* stay allowed: Bootstrap's progress widths,
# htmx's indicators, Swagger UI and Mermaid's SVG set them, and a style can't run code.
# Markdown may show images from these hosts (besides our own pages): MARKDOWN_IMAGE_HOSTS.
MARKDOWN_IMAGE_HOSTS = env_list("MARKDOWN_IMAGE_HOSTS", [])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *(f"https://{host}" for host in MARKDOWN_IMAGE_HOSTS)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# How long an invitation link to a project stays valid (apps.projects: Invitation).
INVITATION_DAYS = env_int("INVITATION_DAYS", 14)

# django-filter: an unset choice filter reads "Any" (not "---------").
FILTERS_EMPTY_CHOICE_LABEL = "Any"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
