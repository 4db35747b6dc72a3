"""Django settings: every value comes from the environment (see egov.conf and docs/CONFIGURATION.md)."""

from __future__ import annotations

import os
from pathlib import Path

from egov.api.scopes import SCOPE_DESCRIPTIONS
from egov.conf import (
    TRUE_WORDS,
    ensure_folder,
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_database_url,
    resolve_data_dir,
)

BASE_DIR = Path(__file__).resolve().parent


def secure_cookies(raw: str, *, demo: bool) -> bool:
    """EGOV_SECURE_COOKIES as set, else on outside demo mode: a real node's session cookie never goes
    over plain http (a link typed without https:// would hand it to anyone on the network)."""
    from egov.conf import FALSE_WORDS, BadSetting

    value = raw.strip().lower()
    if not value:
        return not demo
    if value not in TRUE_WORDS | FALSE_WORDS:
        raise BadSetting("EGOV_SECURE_COOKIES", value, "true / false", "true / false")
    return value in TRUE_WORDS


DATA_DIR = resolve_data_dir(
    env_str(
        "EGOV_DATA_DIR",
        "",
        "Folder for the SQLite database, uploaded files and keys. Empty: the checkout's var/ when egov runs "
        "from a source checkout; required otherwise (the current directory is never used).",
    ),
    BASE_DIR,
)

SECRET_KEY = env_str(
    "EGOV_SECRET_KEY",
    "insecure-demo-key-change-me-in-production-0123456789abcdef",
    "Django secret key. Set a long random value in production.",
)
DEBUG = env_bool("EGOV_DEBUG", False, "Show debug pages. Never in production.")
ALLOWED_HOSTS = env_list(
    "EGOV_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]", "Host names this node answers to."
)
CSRF_TRUSTED_ORIGINS = env_list("EGOV_CSRF_TRUSTED_ORIGINS", "", "Origins trusted for CSRF (https://…).")

# egov's apps come first: their templates and Vietnamese wording win over the libraries' own.
INSTALLED_APPS = [
    "egov.core",
    "egov.accounts",
    "egov.catalog",
    "egov.dossiers",
    "egov.feedback",
    "egov.portal",
    "egov.backoffice",
    "egov.results",
    "egov.payments",
    "egov.notifications",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "egov.core.apps.TasksDatabaseConfig",  # django_tasks_db, with a Vietnamese name in the admin
    "django_otp",  # second factor: our TOTP and recovery-code devices (egov.accounts.models)
    "egov.accounts.apps.AxesConfig",  # django-axes: sign-in lock-out per account and address
    "egov.accounts.apps.OAuthConfig",  # django-oauth-toolkit: machine clients' client credentials
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "egov.core.middleware.ContentSecurityPolicyMiddleware",
    "egov.core.middleware.RequestGuardMiddleware",  # NUL, non-UTF-8 escapes, oversized bodies: 400/413
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "egov.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "egov.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "egov.urls"
FORM_RENDERER = "egov.core.forms.FormRenderer"
CSRF_FAILURE_VIEW = "egov.core.views.csrf_failure"
WSGI_APPLICATION = "egov.wsgi.application"
ASGI_APPLICATION = "egov.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "egov.core.ui.site",
            ],
        },
    },
]

DATABASE_URL = env_str(
    "EGOV_DATABASE_URL",
    "",
    "Database URL, e.g. postgres://user@127.0.0.1:5432/egov. Empty: SQLite in EGOV_DATA_DIR.",
)
# Read on every node, so `egov config` documents it whatever the environment.
_test_name = env_str(
    "EGOV_TEST_DATABASE_NAME", "", "Name of the database the test suite creates and drops (PostgreSQL)."
)
_prepare_threshold = env_int(
    "EGOV_DATABASE_PREPARE_THRESHOLD",
    5,
    "PostgreSQL: a connection prepares a statement once it has run it this many times (server-side "
    "parameter binding; halves the database's work per dossier transition, docs/PERFORMANCE.md). "
    "0: never prepare, with client-side binding (a connection pooler in transaction mode that "
    "cannot keep prepared statements, e.g. PgBouncer before 1.21 or without max_prepared_statements).",
)
if DATABASE_URL:
    DATABASES = {"default": parse_database_url("EGOV_DATABASE_URL", DATABASE_URL, conn_max_age=60)}
    if _test_name:
        DATABASES["default"]["TEST"] = {"NAME": _test_name}
    if "postgresql" in DATABASES["default"]["ENGINE"] and _prepare_threshold > 0:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=_prepare_threshold
        )
else:
    ensure_folder(DATA_DIR, DATA_DIR)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "egov.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Axes refuses a locked (account, address) pair before the password is even checked.
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

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "egov_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
ensure_folder(STATIC_ROOT, DATA_DIR)
WHITENOISE_USE_FINDERS = True  # serve app static files without collectstatic (demo and tests)
# Pages link assets with a content version (?v=…, the `asset` tag), so browsers may keep them a day.
WHITENOISE_MAX_AGE = env_int("EGOV_STATIC_MAX_AGE", 86400, "Seconds browsers may cache CSS/JS files.")
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded files are never served from MEDIA_URL: views check the reader's rights first.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The first handler drops a file as soon as it passes EGOV_UPLOAD_MAX_BYTES, before it is all read.
FILE_UPLOAD_HANDLERS = [
    "egov.core.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = secure_cookies(
    env_str(
        "EGOV_SECURE_COOKIES",
        "",
        "Send the session and CSRF cookies over HTTPS only (true / false). Empty: true, except on a demo "
        "node (EGOV_DEMO), which is served over plain http on loopback.",
    ),
    demo=os.environ.get("EGOV_DEMO", "").strip().lower() in TRUE_WORDS,
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

REST_FRAMEWORK = {
    # Machines: OAuth2 bearer tokens; people: their session, with the second factor for officers.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "egov.api.auth.MachineTokenAuthentication",
        "egov.api.auth.VerifiedSessionAuthentication",
    ],
    # Every view declares `required_scopes` (egov.api.scopes); a view without them is refused.
    "DEFAULT_PERMISSION_CLASSES": ["egov.api.auth.DeclaredScopes"],
    "DEFAULT_SCHEMA_CLASS": "egov.api.schema.EgovAutoSchema",  # documents each operation's 4xx
    "EXCEPTION_HANDLER": "egov.api.errors.exception_handler",
    # Refuses deep nesting, NaN/1e999, NUL and bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (egov.api.parsers).
    # JSON only (the verify endpoint takes its PDF itself): a form cannot say null, nor keep types.
    "DEFAULT_PARSER_CLASSES": ["egov.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Client addresses for throttles: X-Forwarded-For is trusted only behind this many proxies.
    "NUM_PROXIES": env_int(
        "EGOV_NUM_PROXIES", 0, "Reverse proxies in front of the node that append to X-Forwarded-For."
    ),
    "DEFAULT_THROTTLE_RATES": {
        "public_lookup": env_str(
            "EGOV_LOOKUP_RATE", "20/min", "Public status lookups allowed per client address (DRF rate)."
        ),
        "result_verify": env_str(
            "EGOV_VERIFY_RATE", "30/min", "Public result verifications allowed per client address (DRF rate)."
        ),
        "sign_in": env_str(
            "EGOV_SIGN_IN_RATE", "60/min", "Sign-in attempts (password or code) allowed per client address."
        ),
        "sign_up": env_str("EGOV_SIGN_UP_RATE", "20/hour", "Sign-ups allowed per client address."),
        "oauth_token": env_str(
            "EGOV_TOKEN_RATE", "30/min", "Token requests of machine clients allowed per client address."
        ),
    },
}

# Shared by every process (throttles, lookup lock-outs): nothing is kept in one process's memory.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "egov_cache",
    }
}
SPECTACULAR_SETTINGS = {
    "TITLE": "egov API",
    "DESCRIPTION": "Procedure catalogue and electronic one-stop shop of an egov node. "
    'Every error is {"error": {"code", "message": {"vi", "en"}, "detail"}}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The reference pages load Redoc / Swagger UI from the installed sidecar package, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

TASKS = {
    "default": {
        "BACKEND": env_str(
            "EGOV_TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend",
            "Backend for background tasks (django-tasks). The database backend needs no broker.",
        ),
        "QUEUES": ["default", "outbox"],
    }
}

EGOV = {
    "DEMO": env_bool(
        "EGOV_DEMO",
        False,
        "Demo or test node: default secrets and the payment sandbox are allowed. Outside demo mode the node "
        "refuses to start with them (`egov demo` and the test suite set it).",
    ),
    "NODE_NAME": env_str("EGOV_NODE_NAME", "egov", "Name of this node, shown in the UI and API."),
    "WEB_HOST": env_str("HOST", "127.0.0.1", "Address `egov serve` (and `egov demo`) listens on."),
    "WEB_PORT": env_int("PORT", 8000, "Port `egov serve` (and `egov demo`) listens on."),
    "WEB_WORKERS": env_int("EGOV_WEB_WORKERS", 2, "Web worker processes of `egov serve` (gunicorn)."),
    "WEB_THREADS": env_int(
        "EGOV_WEB_THREADS",
        4,
        "Threads per web worker: one can wait on a slow peer (a payment platform calling back) while the "
        "others serve.",
    ),
    "WORKING_HOURS": env_str(
        "EGOV_WORKING_HOURS",
        "07:30-11:30,13:00-17:00",
        "Office hours of a working day, comma-separated periods (local time).",
    ),
    "CUTOFF": env_str(
        "EGOV_CUTOFF",
        "15:00",
        "Dossiers received after this time start their clock on the next working day.",
    ),
    "PIN_LENGTH": env_int("EGOV_PIN_LENGTH", 6, "Digits of the PIN printed on a receipt for public lookup."),
    "OUTBOX_MAX_ATTEMPTS": env_int(
        "EGOV_OUTBOX_MAX_ATTEMPTS", 12, "Deliveries tried this many times before an outbox row is dead."
    ),
    "WEBHOOK_URLS": env_list(
        "EGOV_WEBHOOK_URLS",
        "",
        "Comma-separated URLs that receive dossier status changes as signed JSON POSTs (empty: none).",
    ),
    "UPLOAD_MAX_BYTES": env_int(
        "EGOV_UPLOAD_MAX_BYTES", 20 * 1024 * 1024, "Largest file a citizen or officer may upload, in bytes."
    ),
    "VIRUS_SCAN_COMMAND": env_str(
        "EGOV_VIRUS_SCAN_COMMAND",
        "",
        "Command that scans an uploaded file given on its standard input (e.g. `clamdscan --no-summary -`): "
        "exit 0 clean, 1 infected (refused), anything else a scan error (refused with 'try again', logged). "
        "Empty: files are not scanned (egov check --deploy warns, egov.W010).",
    ),
    "DRAFT_DAYS": env_int("EGOV_DRAFT_DAYS", 30, "Days an unsent online application (draft) is kept."),
    "LOGIN_MAX_FAILURES": env_int(
        "EGOV_LOGIN_MAX_FAILURES",
        5,
        "Failed sign-ins (password or code) from one address to one account after which that address is "
        "locked out of that account; other addresses are not.",
    ),
    "OFFICER_SESSION_HOURS": env_int(
        "EGOV_OFFICER_SESSION_HOURS", 10, "Hours an officer's sign-in lasts (desk computers are shared)."
    ),
    "LOGIN_LOCK_MINUTES": env_int(
        "EGOV_LOGIN_LOCK_MINUTES", 15, "Minutes an address stays locked out of an account."
    ),
    "MACHINE_TOKEN_SECONDS": env_int(
        "EGOV_MACHINE_TOKEN_SECONDS", 3600, "Lifetime of a machine client's access token, in seconds."
    ),
    "CLIENT_SECRET_GRACE_HOURS": env_int(
        "EGOV_CLIENT_SECRET_GRACE_HOURS",
        24,
        "Hours a machine client's previous credentials keep working after new ones are issued (rotation).",
    ),
    "OFFICER_2FA": env_bool(
        "EGOV_OFFICER_2FA", True, "Officers must confirm each sign-in with a TOTP code (second factor)."
    ),
    "WEBHOOK_SECRET": env_str(
        "EGOV_WEBHOOK_SECRET",
        "",
        "Standard Webhooks signing secret, `whsec_` + base64 of 24 to 64 random bytes. Webhooks are not "
        "sent (kept in the outbox) while EGOV_WEBHOOK_URLS is set and this is empty or malformed.",
    ),
    "SMS_PROTOCOL": env_str(
        "EGOV_SMS_PROTOCOL",
        "http",
        "How SMS leave the node: `http` (JSON POST to EGOV_SMS_URL) or `smpp` (SMPP 3.4 to EGOV_SMPP_HOST).",
    ),
    "SMS_URL": env_str(
        "EGOV_SMS_URL", "", "SMS gateway URL receiving JSON POSTs {to, text, id} (empty: no SMS sent)."
    ),
    "SMS_TOKEN": env_str("EGOV_SMS_TOKEN", "", "Bearer token for the SMS gateway."),
    "SMPP_HOST": env_str("EGOV_SMPP_HOST", "", "SMSC (carrier) host for SMPP (empty: no SMS over SMPP)."),
    "SMPP_PORT": env_int("EGOV_SMPP_PORT", 2775, "SMSC port for SMPP."),
    "SMPP_SYSTEM_ID": env_str("EGOV_SMPP_SYSTEM_ID", "", "SMPP system_id (account) given by the carrier."),
    "SMPP_PASSWORD": env_str("EGOV_SMPP_PASSWORD", "", "SMPP password given by the carrier."),
    "SMPP_SOURCE_ADDR": env_str(
        "EGOV_SMPP_SOURCE_ADDR",
        "",
        "Sender shown on the phone: a registered brand name (letters: TON 5) or a number (TON 1, NPI 1).",
    ),
    "ZALO_APP_ID": env_str(
        "EGOV_ZALO_APP_ID", "", "Zalo app id linked to the Official Account (empty: no Zalo ZNS sent)."
    ),
    "ZALO_SECRET": env_str("EGOV_ZALO_SECRET", "", "Secret key of that Zalo app."),
    "ZALO_REFRESH_TOKEN": env_str(
        "EGOV_ZALO_REFRESH_TOKEN",
        "",
        "Refresh token from authorising the OA. Used once: the rotated tokens are then kept encrypted in the "
        "database; set a new value here to replace them.",
    ),
    "ZALO_TEMPLATES": env_list(
        "EGOV_ZALO_TEMPLATES",
        "",
        "Approved ZNS template id per notification kind, e.g. `dossier.received=231456,dossier.finished="
        "231457`. Kinds without one are not sent by Zalo.",
    ),
    "ZALO_OAUTH_URL": env_str(
        "EGOV_ZALO_OAUTH_URL",
        "https://oauth.zaloapp.com/v4/oa/access_token",
        "Zalo OAuth endpoint that exchanges the refresh token for an access token.",
    ),
    "ZALO_ZNS_URL": env_str(
        "EGOV_ZALO_ZNS_URL",
        "https://business.openapi.zalo.me/message/template",
        "Zalo ZNS endpoint that sends a template message.",
    ),
    "PUBLIC_URL": env_str(
        "EGOV_PUBLIC_URL",
        "http://127.0.0.1:8000",
        "Public base URL of this node: printed in result QR codes, given to the payment platform for its "
        "callback and the payer's return.",
    ),
    "PAYMENT_WHEN": env_str(
        "EGOV_PAYMENT_WHEN",
        "before_receipt",
        "When online applicants pay the fees: `before_receipt` (the desk receives a dossier once it is paid) "
        "or `before_result` (the handler asks for payment, status 6, before the result is returned).",
    ),
    "PDF_FONT_DIR": env_str(
        "EGOV_PDF_FONT_DIR",
        "",
        "Folder with the TrueType fonts for PDF results and forms (empty: the system's font folders).",
    ),
    "CRL_DAYS": env_int(
        "EGOV_CRL_DAYS",
        7,
        "Days a revocation list (CRL) of the node's PKI stays valid. `egov worker` signs a new one when less "
        "than half of that is left; a lapsed CRL makes every signature verify as not checkable (egov.W012).",
    ),
    "PAYMENT_PLATFORM_URL": env_str(
        "EGOV_PAYMENT_PLATFORM_URL",
        "",
        "Base URL of the national payment platform (PayGov-style API). Empty: this node's built-in sandbox.",
    ),
    "PAYMENT_PLATFORM_KIND": env_str(
        "EGOV_PAYMENT_PLATFORM_KIND",
        "national",
        "Which platform takes the payments, reported as DuocThanhToanTrucTuyen in the national sync: "
        "`national` (1, the national payment platform or its sandbox) or `local` (2, a local gateway).",
    ),
    "PAYMENT_CLIENT_ID": env_str(
        "EGOV_PAYMENT_CLIENT_ID", "egov-demo", "Partner id at the payment platform."
    ),
    "PAYMENT_SECRET": env_str(
        "EGOV_PAYMENT_SECRET",
        "sandbox-secret-change-me",
        "Partner secret: HMAC-SHA256 key of every payment message. Set it in production.",
    ),
    "PAYMENT_BENEFICIARY": env_str(
        "EGOV_PAYMENT_BENEFICIARY", "0000000000", "Beneficiary (treasury) account of the fees collected."
    ),
    "PAYMENT_EXPIRY_MINUTES": env_int(
        "EGOV_PAYMENT_EXPIRY_MINUTES", 60, "Minutes after which an unpaid payment expires."
    ),
    "PAYMENT_RECONCILE_MINUTES": env_int(
        "EGOV_PAYMENT_RECONCILE_MINUTES",
        15,
        "Minutes without a callback after which reconciliation asks the platform for a payment's status.",
    ),
}

# Sign-in lock-out (django-axes): by account AND address, so a stranger cannot lock an officer out of
# the desk; limits read EGOV at run time (egov.accounts.throttling).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "egov.accounts.throttling.failure_limit"
AXES_COOLOFF_TIME = "egov.accounts.throttling.cool_off"
AXES_USERNAME_CALLABLE = "egov.accounts.throttling.username_of"
AXES_CLIENT_IP_CALLABLE = "egov.accounts.throttling.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are already recorded as events (egov.core.events)
AXES_VERBOSE = False
# The sign-in view answers a lock-out itself (same page, same words for any user name): no middleware.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]

OTP_THROTTLE_FACTOR = 1  # seconds after a wrong code, doubling with each further one (django-otp)

OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": EGOV["MACHINE_TOKEN_SECONDS"],
    "SCOPES_BACKEND_CLASS": "egov.accounts.oauth.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "egov.accounts.oauth.MachineClientValidator",
    "SCOPES": SCOPE_DESCRIPTIONS,
    "DEFAULT_SCOPES": ["__all__"],  # a client asking for none gets all of its own (ClientScopes)
    "PKCE_REQUIRED": True,
    # RFC 9700 (OAuth 2.0 security BCP), enforced by the toolkit: tokens kept only as a SHA-256 checksum
    # (a copy of the database hands out no live token), no password or implicit grant, no token in a
    # URL, https redirect URIs only (egov has no authorization endpoint anyway).
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}

# Notification email: sent only when EGOV_SMTP_HOST is set (empty: no email planned or sent).
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("EGOV_SMTP_HOST", "", "SMTP server for notification email (empty: email off).")
EMAIL_PORT = env_int("EGOV_SMTP_PORT", 25, "SMTP server port.")
EMAIL_HOST_USER = env_str("EGOV_SMTP_USER", "", "SMTP user name (empty: no authentication).")
EMAIL_HOST_PASSWORD = env_str("EGOV_SMTP_PASSWORD", "", "SMTP password.")
EMAIL_USE_TLS = env_bool("EGOV_SMTP_TLS", False, "Use STARTTLS with the SMTP server.")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str(
    "EGOV_MAIL_FROM", "egov <no-reply@localhost>", "Sender address of notification email."
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("EGOV_LOG_LEVEL", "INFO", "Log level.")},
    # django-axes logs every sign-in at INFO; lock-outs (WARNING) are what an operator needs to see.
    "loggers": {"axes": {"level": "WARNING"}},
}
