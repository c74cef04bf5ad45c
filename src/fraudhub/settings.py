"""Django settings for FraudHub, read from the environment.

Every knob an operator may turn is an environment variable documented in docs/configuration.md.
"""

from __future__ import annotations

import os
import re
import secrets
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("FRAUDHUB_DATA_DIR", "./var")).resolve()

DEBUG = _env_bool("FRAUDHUB_DEBUG", False)
HTTPS = _env_bool("FRAUDHUB_HTTPS", False)


def _secret_key() -> str:
    configured = os.environ.get("FRAUDHUB_SECRET_KEY")
    if configured:
        return configured
    # An installed service must survive restarts without logging everybody out, so a key made
    # on first start is kept in the data directory (readable by its owner only).
    key_file = DATA_DIR / "secret_key"
    try:
        if key_file.exists():
            return key_file.read_text().strip()
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.touch(mode=0o600)
        key_file.write_text(key)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"FRAUDHUB_DATA_DIR={DATA_DIR} cannot hold the generated secret key ({exc}); "
            "make it writable or set FRAUDHUB_SECRET_KEY") from None
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = _env_list("FRAUDHUB_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = _env_list("FRAUDHUB_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "fraudhub.core.admin_config.FraudHubAdminConfig",  # django.contrib.admin, behind TOTP
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "fraudhub.core",
    "fraudhub.taxonomy",
    "fraudhub.indicators",
    "fraudhub.reports",
    "fraudhub.cases",
    "fraudhub.agencies",
]

MIDDLEWARE = [
    # GET /api/v1/lookup, the busiest request, with only the hooks of the middleware below
    # that act on it (see its module); every other request passes on.
    "fraudhub.core.hot_path.HotPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered before anything else, the same for every language.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # First of those that may refuse a request: it activates the caller's language for the
    # thread, which otherwise still holds the language of the thread's previous request
    # (Django's sessions no longer hold one, so it need not follow SessionMiddleware).
    "django.middleware.locale.LocaleMiddleware",
    "fraudhub.core.middleware.RequestSizeLimitMiddleware",
    "fraudhub.core.middleware.RequestTextMiddleware",
    # Django's and django-otp's middleware of browser sessions, passed over for the API and
    # /healthz (fraudhub.core.middleware.MACHINE_PATH_PREFIXES), which use none of them.
    "fraudhub.core.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "fraudhub.core.middleware.AuthenticationMiddleware",
    "fraudhub.core.middleware.OTPMiddleware",
    "fraudhub.core.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fraudhub.urls"
WSGI_APPLICATION = "fraudhub.wsgi.application"
ASGI_APPLICATION = "fraudhub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fraudhub.core.context_processors.fraudhub",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'fraudhub.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL, conn_max_age=60
        )
    }
except ValueError as _exc:  # an unknown scheme, a malformed address
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database address FraudHub can use ({_exc}); e.g. "
        "postgres://user:password@host:5432/fraudhub or sqlite:////path/to/fraudhub.sqlite3"
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A server that accepts connections and never answers held requests (/healthz included)
    # without end: libpq gives up after this many seconds and the request answers 503/500.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", _env_int("FRAUDHUB_DB_CONNECT_TIMEOUT_SECONDS", 5))
    # A kept connection that the server dropped (restart, failover, idle timeout of a pooler)
    # failed the first request of every thread holding one: each request's first statement
    # now checks the connection (one round trip) and opens a new one if needed.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = _env_bool("FRAUDHUB_DB_HEALTH_CHECKS", True)
# Applied by `fraudhub serve` to its own connections only (imports, exports, migrations and
# jobs may run long): a request waiting on a lock or running a statement longer than this is
# cancelled and answered 503, instead of holding one of the server's threads indefinitely.
FRAUDHUB_DB_STATEMENT_TIMEOUT_SECONDS = _env_int("FRAUDHUB_DB_STATEMENT_TIMEOUT_SECONDS", 30)
FRAUDHUB_DB_LOCK_TIMEOUT_SECONDS = _env_int("FRAUDHUB_DB_LOCK_TIMEOUT_SECONDS", 10)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections stay open (CONN_MAX_AGE=60 from above), as on PostgreSQL. Opening one per
    # request cost more than the request: each opening reads the schema and switches to WAL,
    # and when the last connection closes SQLite checkpoints and removes the WAL, which the
    # next one has to set up again. bench/lookup.py: /healthz 587 -> 1,941 answers a second.
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the single writer; IMMEDIATE transactions take the write
        # lock up front so concurrent writers queue on busy_timeout instead of deadlocking.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("FRAUDHUB_TEST_SQLITE_NAME") or ""}
    # SQLite creates the file, not its directory: a data directory named but not yet made
    # (FRAUDHUB_DATA_DIR=/srv/fraudhub on a new machine) would fail every command.
    _sqlite_name = str(DATABASES["default"]["NAME"])
    if _sqlite_name and _sqlite_name != ":memory:" and not _sqlite_name.startswith("file:"):
        try:
            Path(_sqlite_name).parent.mkdir(parents=True, exist_ok=True)
        except OSError as _exc:
            raise ImproperlyConfigured(
                f"the directory of the SQLite database {_sqlite_name} cannot be made ({_exc}); "
                "check FRAUDHUB_DATA_DIR or DATABASE_URL") from None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (used for sessions of nothing critical; rate limits have their own store) ---------
REDIS_URL = os.environ.get("FRAUDHUB_REDIS_URL", "")
FRAUDHUB_REDIS_TIMEOUT_SECONDS = _env_float("FRAUDHUB_REDIS_TIMEOUT_SECONDS", 0.5)
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console:queue"
AXES_FAILURE_LIMIT = _env_int("FRAUDHUB_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = _env_int("FRAUDHUB_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# axes locks an account per address; guessing one account's password from many addresses is
# bounded by this many login attempts per account per cool-off window, all addresses together
# (fraudhub.core.ratelimit.login_attempts_limit).
FRAUDHUB_LOGIN_ACCOUNT_ATTEMPT_LIMIT = _env_int("FRAUDHUB_LOGIN_ACCOUNT_ATTEMPT_LIMIT", 30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
OTP_TOTP_ISSUER = "FraudHub"
# The admin's device pages showed every user's TOTP key and its QR code: whoever read them
# could produce that user's codes. Hidden (the QR page answers 403); a lost phone is handled
# by deleting the device, after which the next login sets up a new one.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Messages kept server-side: the cookie storage put what a message says in a signed but
# readable cookie, and the admin's message after making an API key carries the key itself.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Internationalization --------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("FRAUDHUB_LANGUAGE", "en")
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("FRAUDHUB_TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
# Until `fraudhub collectstatic` fills STATIC_ROOT, WhiteNoise serves the files where the finders
# find them; its warning at every start that STATIC_ROOT does not exist yet made `make run`
# look broken.
warnings.filterwarnings("ignore", message=re.escape(f"No directory at: {STATIC_ROOT}") + "/?$",
                        category=UserWarning)
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(MEDIA_ROOT)}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Bodies are capped before Django parses them (RequestSizeLimitMiddleware answers 413); the
# JSON API carries evidence base64-encoded, hence the 4/3 allowance.
FRAUDHUB_EVIDENCE_MAX_BYTES = _env_int("FRAUDHUB_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
FRAUDHUB_EVIDENCE_MAX_FILES = _env_int("FRAUDHUB_EVIDENCE_MAX_FILES", 5)
# Where uploads go under MEDIA_ROOT (report and delisting evidence, authorities' documents).
# Housekeeping removes the files there that no row names, once they are older than the grace
# period: what a filing killed between writing its files and committing left behind.
FRAUDHUB_UPLOAD_DIRECTORIES = ("evidence", "delisting", "agency-documents")
FRAUDHUB_ORPHAN_UPLOAD_GRACE_SECONDS = _env_int("FRAUDHUB_ORPHAN_UPLOAD_GRACE_SECONDS", 3600)
FRAUDHUB_ORPHAN_UPLOAD_SWEEP_HOURS = _env_int("FRAUDHUB_ORPHAN_UPLOAD_SWEEP_HOURS", 6)
# The audit log's head (`fraudhub audit head`) published by each worker this often, to its log
# and, when an address is set, by e-mail: a witness outside the database (0: never).
FRAUDHUB_AUDIT_ANCHOR_HOURS = _env_int("FRAUDHUB_AUDIT_ANCHOR_HOURS", 24)
FRAUDHUB_AUDIT_ANCHOR_EMAIL = os.environ.get("FRAUDHUB_AUDIT_ANCHOR_EMAIL", "").strip()
FRAUDHUB_MAX_BODY_BYTES = _env_int(
    "FRAUDHUB_MAX_BODY_BYTES",
    (FRAUDHUB_EVIDENCE_MAX_BYTES * FRAUDHUB_EVIDENCE_MAX_FILES * 4) // 3 + 1024 * 1024,
)
DATA_UPLOAD_MAX_MEMORY_SIZE = FRAUDHUB_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "FRAUDHUB_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("FRAUDHUB_EMAIL_HOST", "localhost")
EMAIL_PORT = _env_int("FRAUDHUB_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("FRAUDHUB_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("FRAUDHUB_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("FRAUDHUB_EMAIL_USE_TLS", False)
# An SMTP server that hangs held a worker forever and its job stayed RUNNING: give up, retry.
EMAIL_TIMEOUT = _env_int("FRAUDHUB_EMAIL_TIMEOUT_SECONDS", 20)
DEFAULT_FROM_EMAIL = os.environ.get("FRAUDHUB_EMAIL_FROM", "FraudHub <no-reply@localhost>")
FRAUDHUB_BASE_URL = os.environ.get("FRAUDHUB_BASE_URL", "http://127.0.0.1:8000")

# --- Background jobs -------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("FRAUDHUB_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A worker writes a heartbeat this often; a job whose worker has not been heard from for
# FRAUDHUB_WORKER_LOST_SECONDS (killed, out of memory, machine gone) is queued again, and
# failed after it lost FRAUDHUB_JOB_MAX_CLAIMS workers (a job that kills its worker).
FRAUDHUB_WORKER_HEARTBEAT_SECONDS = _env_int("FRAUDHUB_WORKER_HEARTBEAT_SECONDS", 10)
FRAUDHUB_WORKER_LOST_SECONDS = _env_int("FRAUDHUB_WORKER_LOST_SECONDS", 120)
FRAUDHUB_JOB_MAX_CLAIMS = _env_int("FRAUDHUB_JOB_MAX_CLAIMS", 3)

# --- Security --------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "fraudhub.core.views.csrf_failure"  # in the visitor's language
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = _env_int("FRAUDHUB_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- FraudHub policy knobs (DESIGN.md "Deadlines and thresholds") ----------------------------
FRAUDHUB_DEFAULT_REGION = os.environ.get("FRAUDHUB_DEFAULT_REGION", "VN")
FRAUDHUB_REQUIRE_2FA = _env_bool("FRAUDHUB_REQUIRE_2FA", True)
FRAUDHUB_DEMO_BANNER = _env_bool("FRAUDHUB_DEMO_BANNER", False)
# Who answers authority requests: the heading and author of the response PDF.
FRAUDHUB_PLATFORM_NAME = os.environ.get("FRAUDHUB_PLATFORM_NAME", "FraudHub").strip()[:200] \
    or "FraudHub"
FRAUDHUB_INTAKE_RATE_LIMIT = _env_int("FRAUDHUB_INTAKE_RATE_LIMIT", 30)
FRAUDHUB_INTAKE_RATE_WINDOW_SECONDS = _env_int("FRAUDHUB_INTAKE_RATE_WINDOW_SECONDS", 60)
# A single report is answered once stored and filed into its case by the worker, a hundred to a
# transaction (reports/inbox.py); off, it is filed while its reporter waits.
FRAUDHUB_INTAKE_DEFERRED = _env_bool("FRAUDHUB_INTAKE_DEFERRED", True)
# Housekeeping warns in the log when accepted reports wait longer than this to be filed.
FRAUDHUB_INTAKE_OVERDUE_SECONDS = _env_int("FRAUDHUB_INTAKE_OVERDUE_SECONDS", 300)
FRAUDHUB_RATE_LIMITER = os.environ.get(
    "FRAUDHUB_RATE_LIMITER",
    "fraudhub.core.ratelimit.RedisRateLimiter" if REDIS_URL
    else "fraudhub.core.ratelimit.DatabaseRateLimiter",
)
# How often a server process writes the hits it counted to the shared counters (seconds; 0:
# every hit is written at once). See SharedCounterLimiter in fraudhub/core/ratelimit.py.
FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS = _env_float("FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS", 1.0)
FRAUDHUB_AUTHORITY_DEADLINE_HOURS = _env_int("FRAUDHUB_AUTHORITY_DEADLINE_HOURS", 24)
FRAUDHUB_COMPLAINT_DEADLINE_HOURS = _env_int("FRAUDHUB_COMPLAINT_DEADLINE_HOURS", 48)
# Authority requests (agencies app): size limits, when cases are made in the background, and
# who hears of a clock running out (comma-separated e-mails; empty: the desk's own accounts).
FRAUDHUB_AGENCY_MAX_TARGETS = _env_int("FRAUDHUB_AGENCY_MAX_TARGETS", 10_000)
FRAUDHUB_AGENCY_INLINE_TARGETS = _env_int("FRAUDHUB_AGENCY_INLINE_TARGETS", 50)
FRAUDHUB_AGENCY_DOCUMENT_MAX_BYTES = _env_int("FRAUDHUB_AGENCY_DOCUMENT_MAX_BYTES",
                                              20 * 1024 * 1024)
FRAUDHUB_AUTHORITY_TEAM_EMAILS = _env_list("FRAUDHUB_AUTHORITY_TEAM_EMAILS", "")
FRAUDHUB_AUTHORITY_LEAD_EMAILS = _env_list("FRAUDHUB_AUTHORITY_LEAD_EMAILS", "")
# A trusted flagger whose share of upheld reports falls below this is shown for review.
FRAUDHUB_TRUSTED_FLAGGER_MIN_ACCURACY = _env_float("FRAUDHUB_TRUSTED_FLAGGER_MIN_ACCURACY", 0.7)
FRAUDHUB_CLAIM_MINUTES = _env_int("FRAUDHUB_CLAIM_MINUTES", 30)
FRAUDHUB_STRIKES_SHORT_WINDOW_DAYS = 30
FRAUDHUB_STRIKES_SHORT_THRESHOLD = _env_int("FRAUDHUB_STRIKES_SHORT_THRESHOLD", 5)
FRAUDHUB_STRIKES_LONG_WINDOW_DAYS = 90
FRAUDHUB_STRIKES_LONG_THRESHOLD = _env_int("FRAUDHUB_STRIKES_LONG_THRESHOLD", 10)
FRAUDHUB_TEMPORARY_LOCK_MIN_DAYS = 7
FRAUDHUB_TEMPORARY_LOCK_MAX_DAYS = 30
FRAUDHUB_LOCKS_BEFORE_TERMINATION = _env_int("FRAUDHUB_LOCKS_BEFORE_TERMINATION", 3)
FRAUDHUB_APPEAL_WINDOW_DAYS = _env_int("FRAUDHUB_APPEAL_WINDOW_DAYS", 183)
# Contact data (reporters', appellants', delisting requesters') is erased this many days after
# nothing it serves can change any more: a report final and its case's decisions past appeal,
# an appeal or a delisting request decided (fraudhub.core.retention). 0: never erased.
FRAUDHUB_CONTACT_RETENTION_DAYS = _env_int("FRAUDHUB_CONTACT_RETENTION_DAYS", 30)
# How long the link in a receipt that confirms the reporter's e-mail address stays valid.
FRAUDHUB_REPORT_CONFIRM_DAYS = _env_int("FRAUDHUB_REPORT_CONFIRM_DAYS", 14)

# Enforcement on the platform: "local" records statuses in FraudHub, "webhook" POSTs signed
# orders to the platform; tests select "recording".
FRAUDHUB_PLATFORM_ADAPTER = os.environ.get("FRAUDHUB_PLATFORM_ADAPTER", "local")
FRAUDHUB_WEBHOOK_URL = os.environ.get("FRAUDHUB_WEBHOOK_URL", "")
FRAUDHUB_WEBHOOK_SECRET = os.environ.get("FRAUDHUB_WEBHOOK_SECRET", "")
FRAUDHUB_WEBHOOK_TIMEOUT_SECONDS = _env_float("FRAUDHUB_WEBHOOK_TIMEOUT_SECONDS", 10.0)
FRAUDHUB_WEBHOOK_MAX_ATTEMPTS = _env_int("FRAUDHUB_WEBHOOK_MAX_ATTEMPTS", 8)
FRAUDHUB_WEBHOOK_BACKOFF_SECONDS = _env_float("FRAUDHUB_WEBHOOK_BACKOFF_SECONDS", 30.0)
# An order still pending or retrying this long after its attempt was due, with no job queued or
# running for it (its job failed or was lost), is queued again by housekeeping, flagged, and
# counted as an attempt (given up and flagged after FRAUDHUB_WEBHOOK_MAX_ATTEMPTS).
FRAUDHUB_ENFORCEMENT_OVERDUE_SECONDS = _env_int("FRAUDHUB_ENFORCEMENT_OVERDUE_SECONDS", 600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "filters": ["redact_personal_data"]}},
    "filters": {"client_errors_without_traceback": {
        "()": "fraudhub.core.logfilters.ClientErrorsWithoutTraceback"},
        # E-mail addresses masked, API keys and appeal tokens cut off (docs/operations.md).
        "redact_personal_data": {"()": "fraudhub.core.logfilters.RedactPersonalData"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FRAUDHUB_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"},
                "django.request": {"filters": ["client_errors_without_traceback"]}},
}


def _proxy_count(name: str) -> int:
    """How many reverse proxies of ours stand before the server: "1"/"true" is one."""
    value = os.environ.get(name, "").strip().lower()
    if value in {"", "0", "false", "no", "off"}:
        return 0
    if value in {"true", "yes", "on"}:
        return 1
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a number of proxies (0, 1, 2...) or true/false, "
            f"not {value!r}") from None


# Behind reverse proxies of ours, the client address comes from X-Forwarded-For (only then):
# the address the outermost of them saw, counted from the right, since every address left of
# it is whatever the client chose to send.
FRAUDHUB_TRUST_X_FORWARDED_FOR = _proxy_count("FRAUDHUB_TRUST_X_FORWARDED_FOR")
# Failed logins are counted per user name and client address, the same address as everywhere
# else: behind a proxy, REMOTE_ADDR is the proxy's, shared by everyone.
AXES_CLIENT_IP_CALLABLE = "fraudhub.core.http.login_client_ip"
AXES_VERBOSE = False

# --- Indicator lookups (national anti-fraud database) ----------------------------------------
# Off: GET /api/v1/lookup goes through the whole middleware chain like every other request
# (fraudhub.core.hot_path; the answers are the same, the lookup costs more server time).
FRAUDHUB_HOT_PATH = _env_bool("FRAUDHUB_HOT_PATH", True)
# Anonymous single lookups (API and the /check/ page share one budget) per client IP.
FRAUDHUB_LOOKUP_RATE_LIMIT = _env_int("FRAUDHUB_LOOKUP_RATE_LIMIT", 60)
FRAUDHUB_LOOKUP_RATE_WINDOW_SECONDS = _env_int("FRAUDHUB_LOOKUP_RATE_WINDOW_SECONDS", 60)
# Calls per minute of one API key to the lookup and scan endpoints (a bulk call of up to 1,000
# values counts once), counted by the key's prefix with the configured rate limiter.
FRAUDHUB_API_KEY_QUOTA_PER_MINUTE = _env_int("FRAUDHUB_API_KEY_QUOTA_PER_MINUTE", 6000)
# How long a server process trusts its memory of an API key before reading it again: the most
# a revocation or an organization change made in another process takes to be seen (0: never
# remember).
FRAUDHUB_API_KEY_CACHE_SECONDS = _env_int("FRAUDHUB_API_KEY_CACHE_SECONDS", 5)
