"""Production settings: Django's deployment checklist, and no redirect ever answers a webhook."""

import subprocess
import sys

import pytest

from tests.faults import stack
from tests.faults.stack import MAILGUN, POSTMARK, SENDGRID, SES
from tests.processes import REPO_ROOT, process_env

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.reliability(22)
def test_it_passes_the_deployment_checklist_with_production_settings(stack_root):
    """`manage.py check --deploy --fail-level WARNING` with the settings the stack runs under
    (DEBUG off, a real secret key, HTTPS defaults) reports no issue."""
    env = stack.production_env(stack_root, ALLOWED_HOSTS="leadrouter.example.com")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=process_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


WEBHOOKS = [POSTMARK, MAILGUN, SENDGRID, SES, stack.RAW]


@pytest.mark.reliability(7, 22)
def test_it_never_redirects_a_webhook_to_https(web):
    """With SECURE_SSL_REDIRECT on, a plain-HTTP webhook post (or health check) is answered
    itself, never with a 3xx a provider would not follow; staff pages are redirected."""
    answers = {
        path: web.post(path, b"{}", {"Content-Type": "application/json"}) for path in WEBHOOKS
    }
    answers["/healthz"] = web.get("/healthz")

    redirected = {path: a.status for path, a in answers.items() if 300 <= a.status < 400}
    assert redirected == {}
    assert web.get("/admin/").status == 301  # the redirect is on: webhooks are exempt


@pytest.mark.reliability(7, 22)
def test_it_never_redirects_a_webhook_posted_without_its_trailing_slash(web):
    """A webhook URL configured without its trailing slash gets an answer, never the 301 of
    APPEND_SLASH that would turn the provider's POST into a lost GET."""
    answers = {
        path: web.post(path.rstrip("/"), b"{}", {"Content-Type": "application/json"})
        for path in WEBHOOKS
    }

    redirected = {path: a.status for path, a in answers.items() if 300 <= a.status < 400}
    assert redirected == {}
