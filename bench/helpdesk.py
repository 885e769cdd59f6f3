"""Section 6: django-helpdesk and `import_mail` ingesting the same .eml files.

django-helpdesk is installed from PyPI into its own virtualenv (.tools/helpdesk-<version>,
kept between runs) and runs in a minimal Django project written to a temporary directory,
on SQLite, with one Queue reading a local mailbox directory (email_box_type "local") through
its `get_email` command: the way it takes mail from a directory. Both sides are timed around
the command inside their process, so start-up is not counted for either.

Fair comparison: `get_email` parses each message and creates its ticket in one go, while
`import_mail` stores the raw message and leaves parsing to the worker. So the ratio is given
twice: against `import_mail` alone, and against `import_mail` plus the worker's processing
of the same messages (parse, hygiene gate, contact, threading: the lead exists after it).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import scratch
from bench.intake import write_copies
from bench.labelled import mail_files
from bench.report import Row, at_least, rate

VERSION = "2.6.1"
VENV = scratch.REPO / ".tools" / f"helpdesk-{VERSION}"

SETTINGS = """
from pathlib import Path
HERE = Path(__file__).resolve().parent
SECRET_KEY = "helpdesk-bench"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.humanize", "rest_framework", "helpdesk",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
ROOT_URLCONF = "hd_urls"
SITE_ID = 1
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": HERE / "db.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
STATIC_URL = "/static/"
MEDIA_ROOT = HERE / "media"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
HELPDESK_TEAMS_MODE_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "root": {"handlers": [], "level": "ERROR"}}
"""

URLS = """
from django.contrib import admin
from django.urls import include, path
urlpatterns = [path("admin/", admin.site.urls), path("", include("helpdesk.urls"))]
"""

RUN = """
import json, os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ["DJANGO_SETTINGS_MODULE"] = "hd_settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from helpdesk.models import FollowUp, Queue, Ticket
mail_dir = sys.argv[1]
Queue.objects.create(
    title="Sales", slug="sales", email_address="sales@tidewater.io", email_box_type="local",
    email_box_local_dir=mail_dir, allow_email_submission=True, email_box_interval=0,
)
files = len(os.listdir(mail_dir))
started = time.perf_counter()
call_command("get_email", quiet=True)
seconds = time.perf_counter() - started
print(json.dumps({"files": files, "tickets": Ticket.objects.count(),
                  "followups": FollowUp.objects.count(), "left": len(os.listdir(mail_dir)),
                  "seconds": seconds}))
"""


def helpdesk_python() -> Path:
    """The virtualenv's python, installing django-helpdesk on first use."""
    python = VENV / "bin" / "python"
    check = [str(python), "-c", "import helpdesk"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"django-helpdesk=={VERSION}",
        ],
        capture_output=True,
        text=True,
    )
    if install.returncode:
        raise scratch.BenchError(f"pip install django-helpdesk failed:\n{install.stderr[-2000:]}")
    return python


def run_helpdesk(files: Path) -> dict:
    python = helpdesk_python()
    project = Path(tempfile.mkdtemp(prefix="helpdesk-bench-"))
    try:
        (project / "hd_settings.py").write_text(SETTINGS)
        (project / "hd_urls.py").write_text(URLS)
        (project / "run.py").write_text(RUN)
        mailbox = project / "mailbox"
        shutil.copytree(files, mailbox)  # get_email deletes what it turned into tickets
        env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
        env["PYTHONPATH"] = str(project)
        result = subprocess.run(
            [str(python), str(project / "run.py"), str(mailbox)],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise scratch.BenchError(f"django-helpdesk get_email failed:\n{result.stderr[-3000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(project, ignore_errors=True)


def helpdesk_section(ctx) -> list[Row]:
    name = "6 vs helpdesk"
    if ctx.quick:
        return [
            Row(
                name,
                f"django-helpdesk {VERSION} vs import_mail",
                "skipped in --quick (installs from PyPI, runs ~1 min)",
            )
        ]
    db = ctx.scratch
    db.fresh()
    workdir = Path(tempfile.mkdtemp(prefix="leadrouter-bench-side-"))
    try:
        written = write_copies(mail_files(), workdir, ctx.sizes.helpdesk_copies)
        theirs = run_helpdesk(workdir)
        env = db.env()
        ours = scratch.run_child(env, "bench.intake:run_import", path=str(workdir), process=None)
        processed = ours["processed"]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    (stored,) = db.count("SELECT count(*) FROM intake_message")
    (leads,) = db.count("SELECT count(*) FROM intake_lead")
    their_rate = theirs["tickets"] / theirs["seconds"] if theirs["seconds"] else 0.0
    our_rate = stored / ours["seconds"]
    end_to_end = stored / (ours["seconds"] + processed["seconds"])
    ratio = our_rate / their_rate if their_rate else 0.0
    ratio_end = end_to_end / their_rate if their_rate else 0.0
    return [
        Row(
            name,
            f"django-helpdesk {VERSION} get_email (SQLite): {written} files, "
            f"{theirs['tickets']} tickets, {theirs['left']} left",
            rate(their_rate),
            "",
            None,
            round(their_rate, 1),
        ),
        Row(
            name,
            f"import_mail (PostgreSQL): {stored} stored",
            rate(our_rate),
            "",
            None,
            round(our_rate, 1),
        ),
        Row(
            name,
            "ratio import_mail / helpdesk",
            f"{ratio:.1f}x",
            ">= 10x",
            at_least(ratio, 10),
            round(ratio, 2),
        ),
        Row(
            name,
            f"import_mail + worker processing ({leads} leads: a copy threads into the first)",
            rate(end_to_end),
            "",
            None,
            round(end_to_end, 1),
        ),
        # Not the target's figure (the issue sets it on import_mail, our ingest): shown so
        # no one mistakes stored for triage-ready. helpdesk parses while it stores.
        Row(
            name,
            "ratio with processing / helpdesk (for reference)",
            f"{ratio_end:.1f}x",
            "",
            None,
            round(ratio_end, 2),
        ),
    ]
