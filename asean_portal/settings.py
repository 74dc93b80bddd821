"""Settings for the ASEAN cooperation portal.

One module for every environment: production differs only by environment
variables (see the table in README.md). Without DATABASE_URL and REDIS_URL the
portal runs on embedded services: a SQLite file, a local-memory cache and a
Celery broker kept in files under var/.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from asean_portal.ops import broker

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local, git-ignored .env (written by `make run`) may hold the development secret.
env_file = env.str("PORTAL_ENV_FILE", default=str(BASE_DIR / ".env"))
if Path(env_file).is_file():
    env.read_env(env_file, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the portal refuses to start without "
            "a secret key: set the SECRET_KEY environment variable (for example "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'), or set "
            "DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin.
    "modeltranslation",
    "asean_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "reversion",
    "django_prose_editor",
    "csp",
    "asean_portal.apps.SignInThrottlingConfig",
    "dbbackup",
    "django_otp",
    "asean_portal.apps.TwoStepSignInConfig",
    "imagekit",
    "asean_portal",
    "priorities",
    "events",
    "civil_service",
]

MIDDLEWARE = [
    "asean_portal.ops.logs.RequestIdMiddleware",
    # Before the rest: a hit is answered without running them.
    "asean_portal.site.pagecache.AnonymousPageCacheMiddleware",
    # What renders shows the text public at this second (scheduled revisions).
    "asean_portal.site.due_revisions.DueRevisionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "asean_portal.site.middleware.LanguageCookieMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # After the CSRF check: people's text reaches the views in Unicode NFC.
    "asean_portal.site.middleware.NFCInputMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "asean_portal.core.admin_session.KeepExpiredAdminPostMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Staff sign-in is throttled (django-axes, asean_portal/site/lockout.py): after
# AXES_FAILURE_LIMIT wrong passwords for one user name from one address, that
# pair is locked out for AXES_COOLOFF_MINUTES, and after AXES_ADDRESS_FAILURE_LIMIT
# from one address over any user names, that address is; with a page in the
# reader's language. A user name alone is never locked out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Two-step sign-in (TOTP) is optional per staff member; this makes it required.
ADMIN_REQUIRE_2FA = env.bool("ADMIN_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = "ASEAN portal"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# In this order: the handler reads the pair's count, then the address's.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "asean_portal.site.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "asean_portal.core.clients.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"

ROOT_URLCONF = "asean_portal.urls"
WSGI_APPLICATION = "asean_portal.wsgi.application"

TEMPLATE_CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.template.context_processors.i18n",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "asean_portal.site.context_processors.portal",
]
# The public pages are Jinja2 templates (templates/jinja2/, asean_portal/site/jinja2.py);
# the admin, its third-party pages and the emails stay Django templates.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "asean_portal.site.jinja2.environment",
            "context_processors": TEMPLATE_CONTEXT_PROCESSORS,
            "autoescape": True,
            "extensions": ["jinja2.ext.i18n", "asean_portal.site.jinja2.FragmentExtension"],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": TEMPLATE_CONTEXT_PROCESSORS},
    },
]

# --- Database ---------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share the file: wait for locks
    # instead of failing, and let readers run beside one writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    # Persistent connections, checked before reuse so that a restarted
    # database server is picked up again without restarting the workers.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery broker -------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

# The cache of one process without Redis (the embedded default, and tests).
EMBEDDED_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "asean-portal",
    # A page keeps the versions of what it shows, a key each (site/
    # dependencies.py): Django's 300 keys would hold a few pages.
    "OPTIONS": {"MAX_ENTRIES": 20000},
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                # A cache outage must not take the portal down: errors are
                # logged by django-redis and treated as cache misses.
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Tasks are acknowledged late; an unacknowledged task is redelivered
        # after this many seconds. See README, "Scheduled tasks and Redis".
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "socket_connect_timeout": 2,
    }
    # The result store (only the ping's result is kept, see below) waits for
    # Redis to come back, as the broker connection does, instead of giving up
    # after 20 attempts a second apart.
    CELERY_REDIS_RETRY_ON_TIMEOUT = True
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
        "retry_policy": {"max_retries": None, "interval_max": 5}
    }
else:
    CACHES = {"default": EMBEDDED_CACHE}
    CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "celery")))
    # Kombu's file transport, with writes no reader sees half done: the
    # scheme is registered by asean_portal/celery.py (ops/broker.py). The host
    # is a name only: without one kombu warns in each process.
    CELERY_BROKER_URL = "portal-files://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **broker.folders(CELERY_BROKER_DIR),
        "store_processed": False,
        # A consumer looks for the next message this often (seconds) while it
        # has none it may take, and after each task: kombu's 1 s made the
        # worker take two tasks a second, however many waited.
        "polling_interval": 0.1,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"
    for folder in ("queue", "processed", "control", "results"):
        (CELERY_BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)

# A Redis outage is served as cache misses, and the ignored errors are logged
# to this logger, as one line per LOG_OUTAGE_SECONDS (see LOGGING).
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "django_redis.cache"
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
# The sweep has a queue of its own. Every worker takes it (a worker started
# without -Q consumes every queue listed here), and a publisher process takes
# only it, so that a sweep never waits behind other work (a sitemap build, an
# upload to the object store) that holds every slot of the workers.
PUBLISHING_QUEUE = "publishing"
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name) for name in ("celery", PUBLISHING_QUEUE)
]
CELERY_TASK_ROUTES = {"asean_portal.tasks.sweep": {"queue": PUBLISHING_QUEUE}}
# No result is read but the ping's (tasks.py): the sweep writes none to Redis
# every second, and beat never waits on the result store while Redis is away.
CELERY_TASK_IGNORE_RESULT = True
# The worker and beat outlive a broker outage of any length: they retry the
# connection, at start and later, for as long as it takes (Celery's default
# gives up after 100 attempts, and the worker exits).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A sweep running when the broker goes away needs only the database: it is
# left to finish, side effects and emails included, instead of being killed
# half-way (its message, redelivered later, has expired by then). Celery still
# warns at each connection loss that its default becomes True in 6.0.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Anonymous pages are cached per language for at most this many seconds, and
# never past the next scheduled publication or withdrawal (0 turns it off).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# What each web process may keep of the pages it serves, so that a hit needs no
# round trip to Redis (site/nearcache.py); 0 turns it off. Only with Redis.
PAGE_CACHE_NEAR_BYTES = env.int("PAGE_CACHE_NEAR_BYTES", default=32 * 1024 * 1024)
# ...and browsers or proxies for at most this many (also capped at the next transition).
PAGE_BROWSER_SECONDS = env.int("PAGE_BROWSER_SECONDS", default=60)
# A list item or card is kept this long under its object's version, so that a
# page rendered after an edit renders only what changed (0 turns it off).
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=86400)
# A sitemap section is built again by a task after a change; until then the
# previous copy is served, for at most this long (then a request builds it).
SITEMAP_BUILD_GRACE_SECONDS = env.int("SITEMAP_BUILD_GRACE_SECONDS", default=60)
# The build waits this long after the first change, so that one build serves
# the changes of a busy moment (a 10 000-item section takes a few seconds).
SITEMAP_BUILD_DELAY_SECONDS = env.int("SITEMAP_BUILD_DELAY_SECONDS", default=10)

# A caching proxy in front of the web nodes is refreshed, for the pages an
# item shows on, whenever it changes (asean_portal/site/frontcache.py):
# PROXY_PURGE_URL is the proxy's address as seen from the workers (on its own
# host, which alone may ask for a refresh), PROXY_PURGE_HOSTS the host names
# it serves (default: the first of ALLOWED_HOSTS).
FRONTEND_CACHE_BACKENDS = []
if env.str("PROXY_PURGE_URL", default=""):
    FRONTEND_CACHE_BACKENDS.append(
        {
            "BACKEND": "asean_portal.site.frontcache.NginxBackend",
            "LOCATION": env.str("PROXY_PURGE_URL"),
            "HOSTS": env.list("PROXY_PURGE_HOSTS", default=[]),
        }
    )

# Email: notifications to the officers who schedule. EMAIL_URL is an
# smtp://user:password@host:587/?tls=True address; without it, mail is printed.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ASEAN portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The public address of the site (https://asean.example.gov.vn/), used where an
# address leaves the site (embargo links sent by email). Without it the
# address is built from the request that makes the link.
SITE_URL = env.str("SITE_URL", default="")

# One mechanism performs every transition: beat's sweep, every second by
# default. A sweep that finds nothing costs one indexed query per type (and
# a one-row update of each heartbeat that /readyz reads); a sweep message
# older than its interval is dropped instead of piling up while the worker
# is down.
PUBLISHING_SWEEP_SECONDS = env.float("PUBLISHING_SWEEP_SECONDS", default=1.0)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
if REDIS_URL:
    # Exactly one sender whatever the number of beats (celery-redbeat): the
    # schedule is kept in Redis and only the beat holding the lock sends. A
    # waiting beat takes over when the active one stops (it releases the lock)
    # or within CELERY_REDBEAT_LOCK_TIMEOUT seconds when it dies.
    CELERY_BEAT_SCHEDULER = "asean_portal.ops.heartbeats:RedisBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_URL
    CELERY_REDBEAT_KEY_PREFIX = "portal-redbeat:"
    CELERY_REDBEAT_LOCK_KEY = "portal-redbeat:lock"
    CELERY_REDBEAT_LOCK_TIMEOUT = env.int("CELERY_REDBEAT_LOCK_TIMEOUT", default=10)
    # How often a waiting beat tries the lock, and the longest tick.
    CELERY_BEAT_MAX_LOOP_INTERVAL = 1
else:
    # Celery's schedule file: one beat only (`make run` starts one).
    CELERY_BEAT_SCHEDULER = "asean_portal.ops.heartbeats:BeatScheduler"
# Either records a heartbeat for /readyz each time the sweep is sent.
CELERY_BEAT_SCHEDULE = {
    "publish-due": {
        "task": "asean_portal.tasks.sweep",
        "schedule": PUBLISHING_SWEEP_SECONDS,
        "options": {"expires": PUBLISHING_SWEEP_SECONDS},
    },
    "clear-expired-sessions": {
        "task": "asean_portal.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
}

# --- Passwords and sessions --------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages and time ------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [
    ("vi", _("Vietnamese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["asean_portal.formats"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True

TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

MODELTRANSLATION_DEFAULT_LANGUAGE = "vi"
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)
# The admin's language tabs use jQuery UI, served from our own static files.
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"

# --- Static and media files --------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
# Photo renditions (django-imagekit) are made once, when a photo is saved, in
# the default storage; pages derive their addresses without asking it.
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
IMAGEKIT_CACHEFILE_DIR = "renditions"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Serving uploads from Django is for the embedded default only; in production
# the proxy (or an object store) serves MEDIA_URL.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
# The largest document file staff may upload (asean_portal/core/documents.py).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_MB", default=20) * 1024 * 1024
# How long a signed address of a private upload works (staff, embargoed previews).
MEDIA_SIGNED_SECONDS = env.int("MEDIA_SIGNED_SECONDS", default=3600)
STORAGES = {
    # Originals under MEDIA_ROOT, read through signed addresses; a public copy
    # under MEDIA_ROOT/public/ while the item that owns them is published
    # (asean_portal/core/storage.py).
    "default": {"BACKEND": "asean_portal.core.storage.LocalMediaStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Backups of the database and of the uploads (django-dbbackup; README,
    # "Backup and restore"). Keep them on another disk or host in production.
    "dbbackup": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("BACKUP_DIR", default=str(VAR_DIR / "backups"))},
    },
}
# MEDIA_STORAGE=s3 keeps uploads in an S3-compatible object store (django-storages,
# boto3) that every web node and worker shares, instead of MEDIA_ROOT. Originals
# stay private and are linked by signed addresses that expire; while an item is
# public, a copy under public/ is readable by anyone and cached for long
# (asean_portal/core/storage.py). README, "Uploads in an object store".
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local")
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "asean_portal.core.storage.MediaStorage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="us-east-1"),
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "addressing_style": "path",
            "querystring_expire": MEDIA_SIGNED_SECONDS,
            "public_base_url": env.str("MEDIA_PUBLIC_URL", default=""),
            "public_acl": env.str("MEDIA_PUBLIC_ACL", default="public-read"),
            "public_cache_seconds": env.int("MEDIA_PUBLIC_CACHE_SECONDS", default=7 * 24 * 3600),
        },
    }
elif MEDIA_STORAGE != "local":
    raise ImproperlyConfigured(f"MEDIA_STORAGE is {MEDIA_STORAGE!r}: use local or s3.")
DBBACKUP_CLEANUP_KEEP = env.int("BACKUP_KEEP", default=14)
DBBACKUP_SEND_EMAIL = False

# --- Security ----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Staff sessions end after this many seconds without a request (8 hours by
# default); a save posted after that is kept (asean_portal/admin_session.py).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# HTTPS: in production the portal is served only over HTTPS (HTTPS=1), usually
# behind a proxy that terminates TLS and says so in X-Forwarded-Proto
# (BEHIND_PROXY=1). The health checks stay reachable over plain HTTP.
HTTPS = env.bool("HTTPS", default=False)
# Behind the proxy, the reader's address (for sign-in throttling and the log of
# embargo views, asean_portal/core/clients.py) is the one the proxy appends to
# X-Forwarded-For.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
# Content-Security-Policy (django-csp): scripts and styles only from the
# portal's own static files, no inline code (but the one import map that
# carries the request's nonce), never framed. JSON-LD blocks are
# data, not scripts, and are not affected.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # NONCE: the admin's rich text editor has one inline import map.
        "script-src": [SELF, NONCE],
        # The rich text editor (Tiptap, in django-prose-editor) inserts one
        # fixed <style> element; its hash is allowed, nothing else inline.
        # tests/browser/test_csp.py fails if an upgrade changes it.
        "style-src": [SELF, "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if MEDIA_STORAGE == "s3":
    # Uploads are shown from the object store (or the CDN before it).
    from urllib.parse import urlsplit

    _store = STORAGES["default"]["OPTIONS"]
    for _url in (
        _store["public_base_url"],
        _store["endpoint_url"] or f"https://s3.{_store['region_name']}.amazonaws.com",
    ):
        if _url:
            _origin = "{0.scheme}://{0.netloc}".format(urlsplit(_url))
            CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(_origin)
# Browser features the portal never uses (django-permissions-policy).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
CSRF_FAILURE_VIEW = "asean_portal.site.views.csrf_failure"

# --- Portal ------------------------------------------------------------------
# The admin's path (inside the language prefix), configurable so that it is
# not where scanners look first.
ADMIN_PATH = env.str("ADMIN_PATH", default="admin").strip("/") + "/"
# Visitors' reading preferences, kept in cookies so that pages work without
# JavaScript; the values are allow-listed in asean_portal.site.preferences.
PREFERENCE_COOKIE_AGE = 365 * 24 * 3600

# LOG_FORMAT=json writes one JSON object per line (python-json-logger) for a
# log collector; each record carries the request id and the staff member.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
# A dependency that keeps failing (the cache; the broker and the database, for
# beat) is logged once per this many seconds per process, in one line without
# its traceback.
LOG_OUTAGE_SECONDS = env.int("LOG_OUTAGE_SECONDS", default=60)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request": {"()": "asean_portal.ops.logs.RequestContextFilter"},
        "cache_outage": {
            "()": "asean_portal.ops.logs.OncePerInterval",
            "dependency": "cache",
            "seconds": LOG_OUTAGE_SECONDS,
        },
        "broker_outage": {
            "()": "asean_portal.ops.logs.OncePerInterval",
            "dependency": "broker",
            "seconds": LOG_OUTAGE_SECONDS,
        },
        "database_outage": {
            "()": "asean_portal.ops.logs.OncePerInterval",
            "dependency": "database",
            "seconds": LOG_OUTAGE_SECONDS,
        },
    },
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(user)s] %(message)s"
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(user)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        DJANGO_REDIS_LOGGER: {"filters": ["cache_outage"]},
        # Beat's "Message Error" with a traceback for each sweep it cannot send.
        "celery.beat": {"filters": ["broker_outage"]},
        # Beat's heartbeat, each sweep it sends while the database is away.
        "asean_portal.ops.heartbeats": {"filters": ["database_outage"]},
    },
}
