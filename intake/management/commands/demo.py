"""`make demo`: migrate, create logins, load sample mail, run web server and worker."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from intake import services, submissions
from intake.models import Channel, Form

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"

DEMO_FORM_SUBMISSIONS = [
    {
        "email": "maria.gonzalez@terranova-foods.es",
        "name": "María González",
        "company": "Terranova Foods",
        "subject": "Precios para 60 usuarios",
        "message": "Hola, somos una empresa de alimentación con 350 empleados. "
        "Necesitamos precios para 60 usuarios y una demo en diciembre.",
    },
    {
        "email": "sam@tinyshop.example",
        "name": "Sam",
        "company": "",
        "subject": "",
        "message": "Do you have a free plan for a one-person shop?",
    },
]


class Command(BaseCommand):
    help = "Set up demo data and run the web server and a worker on 127.0.0.1:8000 (Ctrl-C stops)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--setup-only", action="store_true", help="Load data and print logins, run nothing."
        )
        parser.add_argument(
            "--debug",
            action="store_true",
            help="Run the web server with DEBUG on (Django's technical error pages); by default "
            "it runs production settings, so error pages are the product's own.",
        )

    def handle(self, *args, host, port, setup_only, debug=False, **options):
        call_command("migrate", interactive=False, verbosity=0)
        logins = self.create_users()
        loaded = self.load_samples()
        self.stdout.write(self.style.SUCCESS("leadrouter demo is ready"))
        self.stdout.write(f"  sample messages: {loaded} new (processed by the worker)")
        if not settings.ANTHROPIC_API_KEY:
            self.stdout.write(
                "  Claude is off (ANTHROPIC_API_KEY is unset): leads are decided by rules and "
                "the local classifier, labelled 'local'."
            )
        for role, (username, password) in logins.items():
            self.stdout.write(f"  {role:<6} login: {username} / {password}")
        token = self.create_integration()
        self.stdout.write(
            f"  API token (integration user 'crm': reads every lead, creates leads): "
            f'curl -H "Authorization: Token {token}" http://{host}:{port}/api/leads/'
        )
        if setup_only:
            return
        self.run_processes(host, port, debug=debug)

    def create_users(self) -> dict[str, tuple[str, str]]:
        groups = {name: Group.objects.get_or_create(name=name)[0] for name in ("sales", "manager")}
        logins = {}
        for role, username in [("admin", "admin"), ("manager", "manager"), ("sales", "sales")]:
            password = secrets.token_urlsafe(9)
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@leadrouter.test"}
            )
            user.set_password(password)
            user.is_staff = role == "admin"
            user.is_superuser = role == "admin"
            user.save()
            if role in groups:
                user.groups.add(groups[role])
            logins[role] = (username, password)
        self.join_queues(User.objects.get(username="sales"), ["sales", "enterprise"])
        return logins

    def create_integration(self) -> str:
        """A REST API caller as an admin sets one up: a user in the integration group
        (no password, no workspace) and its token from the Token admin."""
        user, _ = User.objects.get_or_create(
            username="crm", defaults={"email": "crm@leadrouter.test"}
        )
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get_or_create(name="integration")[0])
        return Token.objects.get_or_create(user=user)[0].key

    def join_queues(self, user, slugs: list[str]) -> None:
        # Queues belong to routing, which builds on intake: looked up by name, not imported.
        queue_model = apps.get_model("routing", "Queue")
        membership = apps.get_model("routing", "QueueMembership")
        for queue in queue_model.objects.filter(slug__in=slugs):
            membership.objects.get_or_create(queue=queue, user=user)

    def load_samples(self) -> int:
        created = 0
        for path in sorted(DEMO_DIR.glob("*.eml")):
            result = services.ingest_email(raw=path.read_bytes(), provider="demo")
            created += result.created
        form, _ = Form.objects.get_or_create(
            slug="contact",
            defaults={"name": "Website contact form", "default_queue": "sales"},
        )
        for submission in DEMO_FORM_SUBMISSIONS:
            result = submissions.ingest_submission(channel=Channel.FORM, form=form, **submission)
            created += result.created
        return created

    def run_processes(self, host: str, port: int, *, debug: bool = False) -> None:
        with socket.socket() as probe:
            if probe.connect_ex((host, port)) == 0:
                raise CommandError(f"{host}:{port} is already in use: stop what runs there first")
        python = sys.executable
        bindir = Path(python).parent
        env = serving_env(host, debug=debug)
        if not debug:
            # DEBUG off serves static files from WhiteNoise's manifest, as in production.
            subprocess.run(
                [python, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, check=True
            )
        web = subprocess.Popen(
            [
                str(bindir / "gunicorn"),
                f"--config={settings.BASE_DIR / 'config' / 'gunicorn.py'}",
                f"--bind={host}:{port}",
                "--access-logfile=-",
                "--graceful-timeout=5",
            ],
            env=env,
        )
        worker = subprocess.Popen([python, "manage.py", "qcluster"], env=env)
        self.stdout.write(f"  web: http://{host}:{port}/  admin: http://{host}:{port}/admin/")
        self.stdout.write("  Ctrl-C stops the web server and the worker.")
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and web.poll() is None and worker.poll() is None:
            time.sleep(0.3)
        for process in (web, worker):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.stdout.write("stopped web server and worker")


def serving_env(host: str, *, debug: bool = False) -> dict[str, str]:
    """The environment the demo's web server and worker run with: production settings
    (DEBUG off: the product's own 404, 403 and 500 pages, never Django's technical pages
    listing every URL), relaxed only for plain HTTP on this machine. Whatever the caller set
    wins, except DEBUG, which `--debug` turns on."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if debug:
        env["DEBUG"] = "1"
        return env
    defaults = {
        "SECRET_KEY": demo_secret_key(),
        "ALLOWED_HOSTS": ",".join(dict.fromkeys([host, "127.0.0.1", "localhost"])),
        # http://127.0.0.1: no TLS to redirect to, cookies that travel without it.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    for name, value in defaults.items():
        if not env.get(name):
            env[name] = value
    env["DEBUG"] = "0"
    return env


def demo_secret_key() -> str:
    """One random key per checkout (var/, git-ignored), so sign-ins survive a restart."""
    path = Path(settings.VAR_DIR) / "demo-secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()
