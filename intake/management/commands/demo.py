"""`make demo`: migrate, create logins, load sample mail, run web server and worker.

Without ANTHROPIC_API_KEY the demo starts the simulated Messages API (`python -m
bench.simulator`, a process of its own: intake imports nothing from bench) on a free local
port and gives the web server and the worker a dummy key, ANTHROPIC_BASE_URL pointing at it
and LEADROUTER_SIMULATED_API=1, so a newcomer sees tiers, escalations, costs and savings, with
every page saying "simulated". `--local` keeps the plain no-key path: rules and the local
classifier, at no cost.
"""

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
# Not a credential: the simulated API takes any non-empty key, and the real one refuses this.
SIMULATED_KEY = "simulated-api-no-key"

# Example rules an admin would write, shown in the rule admin and applied to the samples:
# the Northwind request (about 900 employees) and Helix Pharma's (SSO, a DPA) go to the
# Enterprise queue. Rows of routing.Rule, created once, by name.
DEMO_RULES = [
    {
        "name": "Enterprise-size companies to the Enterprise queue",
        "position": 10,
        "stage": "after",
        "match": "any",
        "conditions": [
            {"field": "employees", "operator": "at_least", "value": 500},
            {"field": "budget_usd", "operator": "at_least", "value": 50000},
        ],
        "actions": [
            {"action": "set_queue", "value": "enterprise"},
            {"action": "set_priority", "value": 1},
        ],
    },
    {
        "name": "Security and procurement questions to the Enterprise queue",
        "position": 20,
        "stage": "after",
        "match": "all",
        "conditions": [
            {
                "field": "category",
                "operator": "in_list",
                "value": ["sales_inquiry", "pricing_request", "demo_request"],
            },
            {"field": "body", "operator": "regex", "value": r"\b(SSO|SAML|DPA|procurement)\b"},
        ],
        "actions": [{"action": "set_queue", "value": "enterprise"}],
    },
    {
        "name": "Job applications skip the model",
        "position": 30,
        "stage": "before",
        "match": "any",
        "conditions": [
            {"field": "subject", "operator": "regex", "value": r"\b(application|CV|résumé)\b"},
        ],
        "actions": [
            {"action": "set_category", "value": "job_application"},
            {"action": "skip_model"},
        ],
    },
]

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
            "--local",
            action="store_true",
            help="Without an API key, decide by rules and the local classifier only (no "
            "simulated Messages API).",
        )

        parser.add_argument(
            "--debug",
            action="store_true",
            help="Run the web server with DEBUG on (Django's technical error pages); by default "
            "it runs production settings, so error pages are the product's own.",
        )

    def handle(self, *args, host, port, setup_only, local, debug=False, **options):
        call_command("migrate", interactive=False, verbosity=0)
        logins = self.create_users()
        self.create_rules()
        loaded = self.load_samples()
        self.stdout.write(self.style.SUCCESS("leadrouter demo is ready"))
        self.stdout.write(f"  sample messages: {loaded} new (processed by the worker)")
        simulate = not settings.ANTHROPIC_API_KEY and not local
        if simulate:
            self.stdout.write(
                "  ANTHROPIC_API_KEY is unset: the model tiers answer from a simulated Messages "
                "API (bench/simulator), not Claude; every page says 'simulated'. "
                "`make demo DEMO_MODEL=local` (manage.py demo --local) uses the local "
                "classifier instead."
            )
        elif not settings.ANTHROPIC_API_KEY:
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
        self.run_processes(host, port, simulate=simulate, debug=debug)

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

    def create_rules(self) -> None:
        # Rules belong to routing, as queues do: looked up by name, not imported. One an
        # admin has edited or deleted since is left as it is.
        rule_model = apps.get_model("routing", "Rule")
        for rule in DEMO_RULES:
            fields = {key: value for key, value in rule.items() if key != "name"}
            rule_model.objects.get_or_create(name=rule["name"], defaults=fields)

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

    def run_processes(self, host: str, port: int, *, simulate: bool, debug: bool = False) -> None:
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
        processes = []
        if simulate:
            simulator, base_url = start_simulated_api(python)
            processes.append(simulator)
            env.update(simulated_environment(base_url))
            self.stdout.write(f"  simulated Messages API: {base_url} (seeded; not Claude)")
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
        processes[:0] = [web, worker]
        self.stdout.write(f"  web: http://{host}:{port}/  admin: http://{host}:{port}/admin/")
        self.stdout.write("  Ctrl-C stops the web server and the worker.")
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and all(process.poll() is None for process in processes):
            time.sleep(0.3)
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.stdout.write("stopped web server and worker")


def start_simulated_api(python: str = sys.executable) -> tuple[subprocess.Popen, str]:
    """`python -m bench.simulator` on a free loopback port: (its process, its base URL). It
    serves until its stdin closes or it is sent SIGTERM."""
    process = subprocess.Popen(
        [python, "-m", "bench.simulator"],
        cwd=settings.BASE_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    base_url = process.stdout.readline().strip()
    if not base_url.startswith("http://127.0.0.1:"):
        process.kill()
        process.wait()
        raise CommandError("the simulated Messages API (python -m bench.simulator) did not start")
    return process, base_url


def simulated_environment(base_url: str) -> dict[str, str]:
    """What the web server and the worker are given to call the simulated API."""
    return {
        "ANTHROPIC_API_KEY": SIMULATED_KEY,
        "ANTHROPIC_BASE_URL": base_url,
        "LEADROUTER_SIMULATED_API": "1",
    }


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
