"""Django settings for Contento, read from environment variables (see `.env.example`).

Defaults are safe for development on one machine: SQLite in `var/`, tasks run by the
in-process database worker, mail printed to the console. Setting `DATABASE_URL` switches to
PostgreSQL, `REDIS_URL` to a Redis-backed task queue and cache shared by many processes.
"""

import importlib.util
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from contento.env import env_bool, env_int, env_list, env_str, read_or_create_secret

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("CONTENTO_VAR_DIR", str(BASE_DIR.parent / "var")))

DEBUG = env_bool("DEBUG", False)
DATABASE_URL = env_str("DATABASE_URL")
# Every web process and worker that shares a database must sign with the same key, or sessions,
# forms and links made by one are refused by the others: with a shared database (DATABASE_URL)
# the key must come from the environment. One machine on SQLite keeps its own in var/.
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY and DATABASE_URL:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DATABASE_URL is: every process that shares the database "
        "needs the same key (generate one with: python3 -c 'import secrets; "
        "print(secrets.token_urlsafe(50))')."
    )
SECRET_KEY = SECRET_KEY or read_or_create_secret(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",  # serves the API docs' JavaScript from its static files instead of a CDN
    "django_tasks",
    "django_tasks_db",
    "contento.core",
    "contento.accounts",
    "contento.customers",
    "contento.surveys",
    "contento.insights",
    "contento.support",
    "contento.distribution",
    "contento.api",
    "contento.demo",
    "contento.project",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "contento.core.middleware.StripNul",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "contento.accounts.middleware.WorkspaceMiddleware",
    "contento.accounts.middleware.TwoFactorRequired",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "contento.urls"
WSGI_APPLICATION = "contento.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "contento.accounts.context_processors.workspace",
            ],
        },
    },
]

# How long (seconds) a thread keeps its database connection between requests; 0 closes it
# after each request. A broken connection is noticed and replaced at the next request.
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 600)
# Database: SQLite in WAL mode by default, PostgreSQL (or anything dj-database-url reads) when
# DATABASE_URL is set.
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)  # SQLite creates no folder itself
    DATABASES = {
        "default": {
            # Django's SQLite backend, with a process's writers queued on a lock (see there).
            "ENGINE": "contento.core.sqlite",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "contento.sqlite3")),
            # Each thread keeps its connection between requests: opening the file and running
            # the pragmas below again on every request cost more than most pages' queries.
            "CONN_MAX_AGE": DB_CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # WAL lets the web process read while the worker writes; IMMEDIATE makes a
                # writer take the lock up front instead of failing half-way with "locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
# Authenticator apps list Contento's codes under this name.
OTP_TOTP_ISSUER = env_str("CONTENTO_OTP_ISSUER", "Contento")
# A password-reset link works this long (seconds).
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if env_bool("CONTENTO_FAST_PASSWORD_HASHER", False):
    # Tests only: hashing cost is irrelevant there and dominates run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Background tasks (Django's Tasks API through the django-tasks backport), in three queues
# served by separate worker lanes so mail never waits behind analysis (contento.core.queues).
REDIS_URL = env_str("REDIS_URL")
TASKS_IMMEDIATE = env_bool("TASKS_IMMEDIATE", False)
TASK_QUEUES = ["mail", "default", "analysis"]
if TASKS_IMMEDIATE:
    TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": TASK_QUEUES,
        }
    }
elif REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
    RQ_QUEUES = {
        name: {
            "URL": REDIS_URL,
            "DEFAULT_TIMEOUT": 600,
            "QUEUE_CLASS": "contento.core.rq.RetryingQueue",
        }
        for name in TASK_QUEUES
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
# A worker silent this long is taken for dead, and the tasks it was running run again.
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 30)
# Jobs every worker's scheduler runs once per period across the installation: (task, seconds).
PERIODIC_TASKS = [
    ("contento.support.tasks.desk_tick", 60),
    ("contento.distribution.tasks.campaign_tick", 60),
    ("contento.distribution.tasks.notice_digest", 86400),
    ("contento.support.tasks.sweep", 300),
    ("contento.surveys.tasks.sweep", 300),
    ("contento.insights.tasks.check_recent_drops", 900),
    ("contento.core.tasks.housekeeping", 3600),
]

# Caches hold rate-limit counters and the progress of background imports; they must be shared
# by every process of an installation: Redis when there is one, else the shared database, else
# (one machine) files in CONTENTO_VAR_DIR.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
elif DATABASE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "contento_cache",
        }
    }
else:
    # On one machine the web processes and the worker share a cache in files (progress of
    # background imports, rate-limit counters); a per-process memory cache would not be shared.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_PUBLIC = env_str("RATELIMIT_PUBLIC", "120/m")
RATELIMIT_LOGIN = env_str("RATELIMIT_LOGIN", "20/m")
# A live chat asks for news several times a second (cheaply: 204 until a message arrives).
RATELIMIT_POLL = env_str("RATELIMIT_POLL", "600/m")
# A process asks for comments to be read at most once in this many seconds (the drain looks
# twice as long for new comments before it ends): see contento.surveys.analysis.
ANALYSIS_REQUEST_MEMO_SECONDS = 1.0
RATELIMIT_VIEW = "contento.core.ratelimits.ratelimited"
RATELIMIT_IP_META_KEY = "contento.core.ratelimits.client_ip"

# Internationalisation. The interface and every survey work in these languages at least.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("vi", _("Vietnamese")),
    ("id", _("Indonesian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "UTC")

# Static files are served by the app itself (WhiteNoise): nothing comes from a CDN. The
# install step collects them (`make install`), so every host has them before it serves. A host
# whose files were not collected serves them straight from the apps instead of failing.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR.parent / "build" / "static")))
_STATIC_COLLECTED = (STATIC_ROOT / "staticfiles.json").exists()
# Uploaded and received files (attachments, raw mail, imports) live where every host sees them
# and an erasure reaches them: the database by default, an S3-compatible store with
# FILE_STORAGE=s3 (pip install contento[s3]), or this machine's disk with
# FILE_STORAGE=filesystem (one host only). See contento.core.storage and docs/scaling.md.
FILE_STORAGE = env_str("FILE_STORAGE", "database")
_FILE_STORAGES = {
    "database": {"BACKEND": "contento.core.storage.DatabaseStorage"},
    "filesystem": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "s3": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    },
}
if FILE_STORAGE not in _FILE_STORAGES:
    raise ImproperlyConfigured(
        f"FILE_STORAGE={FILE_STORAGE!r}: use one of {', '.join(_FILE_STORAGES)}."
    )
if FILE_STORAGE == "s3":
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "FILE_STORAGE=s3 needs django-storages: pip install contento[s3]"
        )
    if not env_str("S3_BUCKET"):
        raise ImproperlyConfigured("FILE_STORAGE=s3 needs S3_BUCKET (and the S3_* variables).")
STORAGES = {
    "default": _FILE_STORAGES[FILE_STORAGE],
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _STATIC_COLLECTED and not DEBUG and not env_bool("CONTENTO_PLAIN_STATIC", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or not _STATIC_COLLECTED
MEDIA_ROOT = VAR_DIR / "media"
# The most an uploaded spreadsheet may unpack to (an XLSX is a zip: a small file can expand
# to gigabytes); larger ones are refused with a clear message.
IMPORT_MAX_EXPANDED_BYTES = env_int("IMPORT_MAX_EXPANDED_BYTES", 256 * 1024 * 1024)
# Stored files hold personal data: readable by Contento's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Mail.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Contento <contento@localhost>")

# Text messages (contento.core.sms): written to the console unless a provider is set.
SMS_BACKEND = env_str("SMS_BACKEND", "contento.core.sms.ConsoleBackend")
SMS_FROM = env_str("SMS_FROM")
SMS_WHATSAPP = env_bool("SMS_WHATSAPP", False)
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")

# Security headers. Behind TLS set SECURE_COOKIES=1.
SECURE_COOKIES = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a reverse proxy: trust its X-Forwarded-Proto, and take the client's address from
# X-Forwarded-For as written by the TRUSTED_PROXY_COUNT proxies in front (for rate limits).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy on every page (django-csp): scripts and styles come from the
# project's own static files only, so an injected <script>, on*= handler or style attribute
# does nothing. Pages declare behaviour with data- attributes that contento/app.js reads.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Product settings.
SURVEY_LINK_MAX_AGE_DAYS = env_int("SURVEY_LINK_MAX_AGE_DAYS", 365)
# How long a customer's link to their ticket or its rating works (agents can revoke sooner).
CUSTOMER_LINK_MAX_AGE_DAYS = env_int("CUSTOMER_LINK_MAX_AGE_DAYS", 90)
TEXT_EVAL_DIR = env_str(
    "CONTENTO_TEXT_EVAL_DIR", str(BASE_DIR.parent.parent / "shared/data/text-eval")
)
MAIL_DIR = env_str("CONTENTO_MAIL_DIR", str(BASE_DIR.parent.parent / "shared/data/mail"))

# The support desk. Inbound mail arrives through `contento mailserver` (SMTP on MAIL_PORT) or
# IMAP polling; replies leave through EMAIL_HOST. Message-IDs are made in CONTENTO_MAIL_DOMAIN.
SUPPORT_EMAIL = env_str("SUPPORT_EMAIL", "support@contento.localhost")
CONTENTO_MAIL_DOMAIN = env_str("CONTENTO_MAIL_DOMAIN", SUPPORT_EMAIL.partition("@")[2])
MAIL_HOST = env_str("MAIL_HOST", "127.0.0.1")
MAIL_PORT = env_int("MAIL_PORT", 2525)
MAIL_MAX_BYTES = env_int("MAIL_MAX_BYTES", 25 * 1024 * 1024)
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_MAX_COUNT = env_int("ATTACHMENT_MAX_COUNT", 50)
# Mail from one sender beyond this many messages in ten minutes is treated as a loop.
MAIL_LOOP_LIMIT = env_int("MAIL_LOOP_LIMIT", 20)
# imaps://user:password@host/INBOX?address=help@example.com: a mailbox the worker polls every
# minute (and `contento pollmail`); see contento/support/channels/email/imap.py.
IMAP_URL = env_str("IMAP_URL")

# Structured logging: one JSON object a line in production, readable lines with DEBUG.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "contento.logs.JsonFormatter"},
        "plain": {
            "()": "contento.logs.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain" if env_bool("LOG_PLAIN", DEBUG) else "json",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "rq.worker": {"level": "WARNING"},
        # aiosmtpd logs every SMTP command at INFO.
        "mail.log": {"level": "WARNING"},
    },
}
