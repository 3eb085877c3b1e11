"""Settings for the Jiyang red-property portal.

One module, driven by environment variables. The defaults run the demo:
SQLite under var/ and Celery tasks in-process. DATABASE_URL switches to
PostgreSQL, REDIS_URL to Redis for the Celery broker and the cache.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Core
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "mptt",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "jiyang.apps.LoginProtectionConfig",
    "jiyang",
    "org",
    "compounds",
    "consultations",
    "civic",
    "open311",
    "assessments",
]

MIDDLEWARE = [
    # First, so that every log line of the request carries its id.
    "common.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Then the code of the authenticator app, before any staff page.
    "org.middleware.SecondFactorRequired",
    # A password someone else chose is changed before anything else.
    "org.middleware.PasswordChangeRequired",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiyang.urls"
WSGI_APPLICATION = "jiyang.wsgi.application"

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
            ],
        },
    },
]

# Database (the folder of a SQLite file is created by JiyangConfig.ready)
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
    )
}
# Persistent connections: without them every request pays a connect.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock
    # at BEGIN so concurrent writers queue instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

# Login protection
AUTHENTICATION_BACKENDS = [
    # First: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Permissions of the roles a login holds through its posts (org.rights).
    "org.roles.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# The first page after login: 我的待办 (jiyang/my_tasks.py).
LOGIN_REDIRECT_URL = "my-tasks"
# Lockout (django-axes): a login name is locked from one address after
# LOGIN_FAILURE_LIMIT wrong passwords, for LOGIN_LOCKOUT_MINUTES. Per name
# and address together, so a stranger cannot lock a colleague out from
# elsewhere; the street office lifts a lock in the admin (access attempts).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "jiyang.views.login_locked_out"
AXES_RESET_ON_SUCCESS = True
# The same client address as the concern form (CONCERN_TRUST_X_FORWARDED_FOR).
AXES_CLIENT_IP_CALLABLE = "consultations.ratelimit.client_address"
# Staff sessions end after SESSION_IDLE_MINUTES without a request: every
# request saves the session and so pushes the expiry back.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True

# Second factor (TOTP, django-otp): required of street-office logins and
# superusers while OTP_REQUIRED is on, optional for every other login. A
# wrong code waits twice as long as the one before (django-otp's throttle).
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="济阳街道红色物业")
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_TOTP_THROTTLE_FACTOR", default=1)

# Transport and headers: the secure flags are off by default so that the
# demo runs over plain HTTP; production behind TLS switches them on.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# Only behind a TLS proxy that sets X-Forwarded-Proto itself (and strips it
# from clients): otherwise any client could claim HTTPS.
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = env.str("SECURE_REFERRER_POLICY", default="same-origin")
X_FRAME_OPTIONS = "DENY"
# Everything is served from the portal itself: no inline script or style.
# The API documentation pages and DRF's browsable API relax style-src for
# themselves (jiyang/api.py, common.api.BrowsableAPIRenderer).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # The admin draws its icons from files and inline <svg>; only the
        # API docs need data: images (jiyang/api.py).
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Logging: warnings and errors (django.request's 500s, the apps' loggers) to
# stderr, one JSON object a line with the request id, user id and path.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "common.logging.RequestContextFilter"}},
    "formatters": {"json": {"()": "common.logging.JsonFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_context"],
            "formatter": "json",
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}

# Internationalisation
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static and uploaded files
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Ledger workbooks: rows per file, bytes per upload.
LEDGER_IMPORT_MAX_ROWS = env.int("LEDGER_IMPORT_MAX_ROWS", default=20_000)
LEDGER_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
# Ledger jobs (imports, large exports): their uploaded and exported files
# wait here, private and never served (not under MEDIA_ROOT), until the
# job expires LEDGER_JOB_HOURS later.
LEDGER_JOB_DIR = env.path("LEDGER_JOB_DIR", default=BASE_DIR / "var" / "ledger_jobs")
LEDGER_JOB_HOURS = env.int("LEDGER_JOB_HOURS", default=24)
# An export of more rows than this runs as a job with a download link.
LEDGER_EXPORT_JOB_ROWS = env.int("LEDGER_EXPORT_JOB_ROWS", default=5000)

# The quarterly notice's document number (文号): the prefix a street's series
# starts with ({street}: the street's name), changed per street in the admin.
RANKING_NOTICE_PREFIX = env.str("RANKING_NOTICE_PREFIX", default="{street}物业")

# Cache and Celery
REDIS_URL = env.str("REDIS_URL", default="")
# Redis down degrades, not fails: the cache fails open (common/cache.py),
# every Redis socket gives up within REDIS_SOCKET_TIMEOUT seconds, a task
# that cannot be published stays an outbox row for the sweep, and /healthz
# says which part is down.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "common.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Seconds the street overview keeps its figures per unit (at most a minute).
OVERVIEW_CACHE_SECONDS = min(env.int("OVERVIEW_CACHE_SECONDS", default=30), 60)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker the portal still works: tasks run in-process.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish gives up at once when the broker is down: the caller keeps the
# work as a row (the outbox) and a sweep sends it later.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT * 4,
    "max_retries": 0,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT * 4
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
# Assessments: the month before, at 02:00 on the 1st; the quarter before, at
# 03:00 on the 1st of January, April, July and October (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE["score-previous-month"] = {
    "task": "assessments.tasks.score_month_task",
    "schedule": crontab(minute=0, hour=2, day_of_month=1),
}
CELERY_BEAT_SCHEDULE["rank-previous-quarter"] = {
    "task": "assessments.tasks.rank_quarter_task",
    "schedule": crontab(minute=0, hour=3, day_of_month=1, month_of_year="1,4,7,10"),
}
# Rectification notices: each morning at 08:00, companies are reminded of
# notices due in two days and today.
CELERY_BEAT_SCHEDULE["rectification-reminders"] = {
    "task": "assessments.tasks.send_rectification_reminders_task",
    "schedule": crontab(minute=0, hour=8),
}
# Visit days: every evening at 18:00; it mails only on the eve of one.
CELERY_BEAT_SCHEDULE["visit-day-reminders"] = {
    "task": "civic.tasks.send_visit_day_reminders_task",
    "schedule": crontab(minute=0, hour=18),
}
# Committee terms ending in 90 and 30 days, seats emptied yesterday: 08:30.
CELERY_BEAT_SCHEDULE["term-ending-reminders"] = {
    "task": "civic.tasks.send_term_ending_reminders_task",
    "schedule": crontab(minute=30, hour=8),
}
CELERY_BEAT_SCHEDULE["empty-seat-reminders"] = {
    "task": "civic.tasks.send_empty_seat_reminders_task",
    "schedule": crontab(minute=30, hour=8),
}
# Concerns: deadline flags and escalation every 15 minutes; the outbox sweep
# re-sends e-mails the broker never delivered.
CELERY_BEAT_SCHEDULE["sweep-concern-deadlines"] = {
    "task": "consultations.tasks.sweep_deadlines_task",
    "schedule": crontab(minute="*/15"),
}
# The handlers of concerns due tomorrow are told at 09:00.
CELERY_BEAT_SCHEDULE["remind-concerns-due-tomorrow"] = {
    "task": "consultations.tasks.remind_due_tomorrow_task",
    "schedule": crontab(minute=0, hour=9),
}
CELERY_BEAT_SCHEDULE["sweep-outbox"] = {
    "task": "consultations.tasks.sweep_outbox_task",
    "schedule": crontab(minute="*/5"),
}
# Photos held for a form sent back with errors last an hour.
CELERY_BEAT_SCHEDULE["purge-held-photos"] = {
    "task": "consultations.tasks.purge_held_photos_task",
    "schedule": crontab(minute="*/30"),
}
# Ledger jobs past LEDGER_JOB_HOURS go with their files.
CELERY_BEAT_SCHEDULE["purge-ledger-jobs"] = {
    "task": "org.tasks.purge_ledger_jobs_task",
    "schedule": crontab(minute="*/30"),
}
# The audit trail: events older than AUDIT_RETENTION_DAYS (at least the
# 180 days of the Cybersecurity Law) are deleted each night at 04:00.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)
CELERY_BEAT_SCHEDULE["purge-audit-events"] = {
    "task": "org.tasks.purge_audit_events_task",
    "schedule": crontab(minute=0, hour=4),
}
# Residents' contact data (PIPL): erased from concerns done more than
# RESIDENT_CONTACT_RETENTION_MONTHS ago, each night at 04:30.
RESIDENT_CONTACT_RETENTION_MONTHS = env.int(
    "RESIDENT_CONTACT_RETENTION_MONTHS", default=24
)
CELERY_BEAT_SCHEDULE["erase-expired-resident-contacts"] = {
    "task": "jiyang.tasks.erase_expired_resident_contacts_task",
    "schedule": crontab(minute=30, hour=4),
}

# E-mail
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@jiyang.invalid")

# SMS (consultations/sms.py): the console backend prints them; the file
# backend appends JSON lines to SMS_FILE_PATH; TencentBackend sends them.
SMS_BACKEND = env.str("SMS_BACKEND", default="consultations.sms.ConsoleBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(BASE_DIR / "var" / "sms.jsonl"))
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="济阳红色物业")
# Provider template id per event, e.g. "receipt=1234567,answered=1234568".
SMS_TEMPLATE_CODES = env.dict("SMS_TEMPLATE_CODES", default={})
SMS_TENCENT_SECRET_ID = env.str("SMS_TENCENT_SECRET_ID", default="")
SMS_TENCENT_SECRET_KEY = env.str("SMS_TENCENT_SECRET_KEY", default="")
SMS_TENCENT_APP_ID = env.str("SMS_TENCENT_APP_ID", default="")
SMS_TENCENT_REGION = env.str("SMS_TENCENT_REGION", default="ap-guangzhou")
SMS_TENCENT_ENDPOINT = env.str(
    "SMS_TENCENT_ENDPOINT", default="https://sms.tencentcloudapi.com"
)

# DRF
REST_FRAMEWORK = {
    # Token first: an anonymous call is answered 401 with a Token challenge.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["common.api.ScopedAccess"],
    "DEFAULT_FILTER_BACKENDS": ["common.api.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "common.api.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "common.api.AnonThrottle",
        "common.api.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="60/minute"),
        "user": env.str("API_USER_RATE", default="1200/minute"),
        "open311": env.str("OPEN311_READ_RATE", default="120/minute"),
    },
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "common.api.BrowsableAPIRenderer",
    ],
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jiyang red-property portal API",
    "DESCRIPTION": (
        "Read what the portal's pages show and act where they act. Sign in "
        "(session) or send `Authorization: Token <key>`; every list holds only "
        "the rows under the caller's posts. Errors: "
        '`{"code", "detail", "fields"}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrgUnitKindEnum": "org.models.OrgUnit.Kind",
        "LiaisonDepartmentKindEnum": "org.models.LiaisonDepartment.Kind",
        "CompoundKindEnum": "compounds.models.Compound.Kind",
        "FacilityKindEnum": "compounds.models.Facility.Kind",
        "CommitteeKindEnum": "compounds.models.Committee.Kind",
        "ConcernKindEnum": "consultations.models.Concern.Kind",
        "ConcernSourceEnum": "consultations.models.Concern.Source",
        "IntakeSourceEnum": "consultations.api.INTAKE_SOURCES",
        "ConcernStatusEnum": "consultations.models.Concern.Status",
        "ConcernHandlerEnum": "consultations.models.ConcernCategory.Handler",
        "MeetingKindEnum": "civic.models.Meeting.Kind",
        "MeetingStatusEnum": "civic.models.Meeting.Status",
        "DisclosureKindEnum": "civic.models.Disclosure.Kind",
        "InspectionStatusEnum": "assessments.models.Inspection.Status",
        "RectificationStatusEnum": "assessments.models.RectificationNotice.Status",
        "ExitCaseStatusEnum": "assessments.models.ExitCase.Status",
    },
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}
OPEN311_DEMO_API_KEY = env.str("OPEN311_DEMO_API_KEY", default="")
# Open311 clients may send this; any other non-empty value is answered 404.
OPEN311_JURISDICTION_ID = env.str("OPEN311_JURISDICTION_ID", default="370811012")
OPEN311_CONTACT = env.str(
    "OPEN311_CONTACT", default="Jiyang Sub-district property office"
)
OPEN311_KEY_SERVICE = env.str("OPEN311_KEY_SERVICE", default="/admin/")

# Portal
PORTAL_NAME = _("Jiyang Red Property Portal")
# Absolute links in e-mails, e.g. https://wy.example.gov.cn
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="")

# Concerns: public form limits ("count/seconds"; empty switches one off)
CONCERN_RATE_LIMITS = {
    "address": env.str("CONCERN_RATE_LIMIT_ADDRESS", default="20/3600"),
    "phone": env.str("CONCERN_RATE_LIMIT_PHONE", default="5/86400"),
}
CONCERN_TRUST_X_FORWARDED_FOR = env.bool("CONCERN_TRUST_X_FORWARDED_FOR", default=False)
CONCERN_MAX_DESCRIPTION = env.int("CONCERN_MAX_DESCRIPTION", default=4000)
CONCERN_MAX_PHOTOS = env.int("CONCERN_MAX_PHOTOS", default=3)
CONCERN_MAX_PHOTO_BYTES = env.int("CONCERN_MAX_PHOTO_BYTES", default=5 * 1024 * 1024)
CONCERN_MAX_REQUEST_BYTES = env.int(
    "CONCERN_MAX_REQUEST_BYTES", default=20 * 1024 * 1024
)
# Response deadline of a category that sets neither hours nor working days.
CONCERN_DEFAULT_WORKING_DAYS = env.int("CONCERN_DEFAULT_WORKING_DAYS", default=5)

# Disclosures
DISCLOSURE_ATTACHMENT_MAX_BYTES = env.int(
    "DISCLOSURE_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024
)

# Uploads by staff and managers (common/uploads.py; the concern form and the
# disclosures have theirs above): bytes per file, files per upload
UPLOAD_PHOTO_MAX_BYTES = env.int("UPLOAD_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
INSPECTION_MAX_PHOTOS = env.int("INSPECTION_MAX_PHOTOS", default=6)
RECTIFICATION_MAX_PHOTOS = env.int("RECTIFICATION_MAX_PHOTOS", default=6)
VISIT_MAX_PHOTOS = env.int("VISIT_MAX_PHOTOS", default=6)
EXIT_DOCUMENT_MAX_BYTES = env.int("EXIT_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
CALENDAR_FILE_MAX_BYTES = env.int("CALENDAR_FILE_MAX_BYTES", default=1024 * 1024)
# Every /media/ request passes the access check of jiyang/media.py. Then
# Django sends the file itself (SERVE_MEDIA: the demo) or, with
# MEDIA_ACCEL_REDIRECT, hands it to nginx's internal location of that
# prefix (production, docs/operations.md).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
MEDIA_ACCEL_REDIRECT = env.str("MEDIA_ACCEL_REDIRECT", default="")
# How long a signed media link (a resident's photos on the tracking page)
# works without a login.
MEDIA_LINK_SECONDS = env.int("MEDIA_LINK_SECONDS", default=3600)
