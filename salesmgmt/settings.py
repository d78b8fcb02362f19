"""Settings come only from environment variables.

Defaults suit development (SQLite under var/, console e-mail, in-process
Celery). With DEBUG off the strict, production defaults apply.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
# Under pytest the development-safe defaults apply even with DEBUG off.
TESTING = env_bool("SALESMGMT_TESTING", default="pytest" in sys.modules)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "simple_history",
    "salesmgmt",
    "activities",
    "plans",
    "reporting",
    "coaching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After authentication: the audit trail reads request.user when a row is saved (an
    # API call's token user too, set on this request by DRF when it authenticates).
    "simple_history.middleware.HistoryRequestMiddleware",
    "salesmgmt.middleware.UserTimezoneMiddleware",
    "salesmgmt.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "salesmgmt.urls"
WSGI_APPLICATION = "salesmgmt.wsgi.application"

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
                "django.template.context_processors.i18n",
                "salesmgmt.context_processors.company",
                "salesmgmt.notifications.context.notifications",
            ],
            # Every template may translate and format without loading these first.
            "builtins": [
                "django.templatetags.i18n",
                "django.templatetags.l10n",
                "salesmgmt.templatetags.formatting",
            ],
        },
    },
]

VAR_DIR = Path(env("SALESMGMT_VAR_DIR", str(BASE_DIR / "var")))
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Without a busy timeout concurrent writers fail at once on SQLite.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT on the app's connections: our queries are short and many, and correlated
    # subqueries inflate the planner's cost estimates past the JIT threshold, so
    # PostgreSQL spent most of a dashboard compiling (1.5 of 1.6 s on the team dashboard
    # at 2,000 reps; 2.1 s -> 0.8 s with it off). DB_JIT=on gives it back.
    jit = "on" if env_bool("DB_JIT") else "off"
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c jit={jit}"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "salesmgmt.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Real hashing costs ~0.3 s per user; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# English is the source language; see salesmgmt/i18n.py for how a page's language is
# chosen. Django ships no Filipino: its language info is added here, its formats are in
# salesmgmt/formats/fil/, and Django's own messages a user sees are in our catalogue.
LANG_INFO["fil"] = {"bidi": False, "code": "fil", "name": "Filipino", "name_local": "Filipino"}
LANGUAGE_CODE = "en"
# Each named in its own language: that is how someone looking for theirs finds it.
LANGUAGES = [
    ("en", "English"),
    ("id", "Bahasa Indonesia"),
    ("fil", "Filipino"),
    ("el", "Ελληνικά"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Named formats ("DATE_MEDIUM", "MONEY_PATTERN", ...) and Filipino's number formats.
FORMAT_MODULE_PATH = ["salesmgmt.formats"]
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Redis: broker and cache when configured; in-process otherwise ---------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Degrades to cache misses (and a logged warning) while Redis is away:
            # nothing in the cache is needed to serve a page.
            "BACKEND": "salesmgmt.cache.ResilientRedisCache",
            # A separate Redis database keeps cache flushes away from the task queue.
            "LOCATION": env("REDIS_CACHE_URL", REDIS_URL),
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "salesmgmt"),
            # Fail fast when Redis is unreachable instead of holding the request.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_RESULT_EXPIRES = 3600
# Tests run tasks in-process unless a test asks for the real worker.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL or TESTING
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# acks_late + a killed worker: Redis hands the unacknowledged task to another worker
# once this timeout has passed since it was delivered. It must exceed the longest task,
# or a task still running is redelivered and runs twice at once. Long jobs are split
# into short pieces (monthly reviews: one team per task), so the longest task takes
# minutes; 30 minutes leaves ample room and still redoes a killed piece the same hour.
#
# socket_connect_timeout: a Redis that drops packets (rather than refusing them) must
# not hold a request that queues a task for long; see salesmgmt.tasks.enqueue.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 1800, "socket_connect_timeout": 2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
# The Redis result backend has no visibility timeout (it only stores results), but it
# retries a lost Redis for ~20 s by default, and a .delay() that keeps its result
# subscribes to it first: retry briefly so nothing waits that long.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 3, "interval_start": 0, "interval_step": 0.5},
}
# The e-mail outbox (salesmgmt.notifications) gives an e-mail up after this many
# failed attempts (the pauses double from a minute: 8 attempts span about 4 hours).
NOTIFICATION_EMAIL_MAX_ATTEMPTS = int(env("NOTIFICATION_EMAIL_MAX_ATTEMPTS", "8"))

# --- Webhooks out (salesmgmt.webhooks) -----------------------------------------
# Receivers on loopback, private, link-local or other internal addresses are refused
# (no server-side request forgery) unless the operator sets this, e.g. for a receiver
# on the company's own network. Off in production unless you mean it.
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", default=False)
# Short: a slow receiver must not hold a worker.
WEBHOOK_CONNECT_TIMEOUT = float(env("WEBHOOK_CONNECT_TIMEOUT", "3"))
WEBHOOK_READ_TIMEOUT = float(env("WEBHOOK_READ_TIMEOUT", "5"))
# A claimed delivery is not retried by the sweep for this long (it is being sent); a
# worker killed mid-delivery leaves it to be retried once this has passed. Must exceed
# the time-outs above plus the name lookup.
WEBHOOK_LEASE_SECONDS = int(env("WEBHOOK_LEASE_SECONDS", "30"))
# An endpoint is disabled (and admins told) after this many failed attempts in a row.
WEBHOOK_DISABLE_AFTER_FAILURES = int(env("WEBHOOK_DISABLE_AFTER_FAILURES", "15"))

# --- E-mail -----------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "587"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# The outbox sends while it holds the notification's row: a hung mail server must give
# up well inside the broker's visibility timeout (the sweep retries it later).
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "20"))
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Salesmgmt <salesmgmt@localhost>")

# --- Brute-force protection (django-axes) -------------------------------------
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "0.25"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "salesmgmt.api_support.lockout_response"
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "salesmgmt.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "salesmgmt.api_support.FilterBackend",
        "salesmgmt.api_support.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "salesmgmt.api_support.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "salesmgmt.api_schema.SalesmgmtAutoSchema",
    "EXCEPTION_HANDLER": "salesmgmt.api_support.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", "60/min"),
        "user": env("API_THROTTLE_USER", "1200/min"),
        "token": env("API_THROTTLE_TOKEN", "10/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Salesmgmt API",
    "DESCRIPTION": (
        "Weekly plans, activities, customers, deals, tasks, goals, KPIs, reviews and "
        "commissions of the sales organisation. Every data endpoint needs credentials: "
        "`Authorization: Token <key>`, with a key created on your profile page or by "
        "`POST /api/v1/auth/token/` with your username and password, or a signed-in "
        "session. Each user sees through the API what their role sees on the pages. "
        "Errors share one body: `status`, `code`, `detail` and, for invalid input, "
        "`errors` by field. Writes to objects that several people edit carry the "
        "`version` they read; a stale one answers 409. Webhooks: admins register "
        "endpoints at `/api/v1/webhooks/`; what Salesmgmt POSTs to them, with the "
        "signature header and how to verify it, is described under `webhooks`."
    ),
    "VERSION": "1.0.0",
    # 3.1: the document's ``webhooks`` section describes what Salesmgmt POSTs to
    # receivers, one entry per event type (salesmgmt.webhooks.schema).
    "OAS_VERSION": "3.1.0",
    "DEFAULT_GENERATOR_CLASS": "salesmgmt.api_schema.SalesmgmtSchemaGenerator",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The document and docs are public so a newcomer finds the token endpoint;
    # every data endpoint still needs credentials.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVERS": [{"url": "/", "description": "The server that serves this document"}],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "salesmgmt.models.Role",
        "PlanStatusEnum": "plans.models.PlanStatus",
        # Customers and the search's customer results share it: one name, not a hash.
        "CustomerStatusEnum": "activities.models.CustomerStatus",
        "DeviationActionKindEnum": "reporting.models.DeviationActionKind",
        # An improvement plan's outcome (four values) beside the two a plan closes with.
        "ImprovementPlanOutcomeEnum": "coaching.models.PlanOutcome",
        "AwardKindEnum": "coaching.models.AwardKind",
        "SessionKindEnum": "coaching.models.SessionKind",
    },
}

# --- Security: strict when DEBUG is off ----------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# How many reverse proxies stand in front of the app. Only then are the
# X-Forwarded-* headers trusted (client address for throttling and lockout,
# https for secure cookies); otherwise a client could forge them.
NUM_PROXIES = int(env("NUM_PROXIES", "0"))
REST_FRAMEWORK["NUM_PROXIES"] = NUM_PROXIES
if NUM_PROXIES:
    AXES_IPWARE_PROXY_COUNT = NUM_PROXIES
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Content-Security-Policy (django-csp), enforced ------------------------------
# Every script and stylesheet is a file served by this site and nothing inline runs:
# no <script> body, no on*= handler, no style="" attribute, no eval. Pages hang their
# behaviour on data-* attributes (static/js/app.js) and pass data with json_script;
# tests/salesmgmt/test_csp.py keeps templates to that rule. The API docs load Swagger
# UI's set-up script from the view itself (SpectacularSwaggerSplitView).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Spreadsheet imports (salesmgmt.imports): the largest file taken, in MB (its bytes are
# kept in the database until the import is done), and the most rows one file holds.
IMPORT_MAX_MB = int(env("IMPORT_MAX_MB", "10"))
IMPORT_MAX_ROWS = int(env("IMPORT_MAX_ROWS", "20000"))
# Imports (and the files they keep) are deleted this many days after their upload.
IMPORT_KEEP_DAYS = int(env("IMPORT_KEEP_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
