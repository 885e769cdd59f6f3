"""`make demo` serves the product's own error pages: its web server runs production settings
(DEBUG off), with static files from WhiteNoise's manifest, over plain HTTP on this machine."""

import re
import subprocess
import sys

import httpx
import pytest
from django.test import override_settings

from intake.management.commands.demo import serving_env
from routing import defaults
from routing.models import Category, Queue, RoutingPolicy
from tests.processes import (
    REPO_ROOT,
    free_port,
    process_env,
    start_web,
    stop,
    wait_for_http,
)
from tests.workspace.people import make_rep, support_lead

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_serves_product_error_pages_and_static_files(tmp_path, monkeypatch):
    defaults.seed_defaults(Queue, Category, RoutingPolicy)
    hidden = support_lead(1)
    rep = make_rep("dana", queues=("sales",))
    # The suite hashes with MD5 for speed; the server has production's hashers only.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        rep.set_password("pw-for-tests-1")
        rep.save(update_fields=["password"])
    monkeypatch.delenv("DEBUG", raising=False)
    env = serving_env("127.0.0.1")
    assert env["DEBUG"] == "0"
    env = {**process_env(), **{k: v for k, v in env.items() if k != "DATABASE_URL"}}
    env.update(STATIC_ROOT=str(tmp_path / "static"), LOG_LEVEL="WARNING", DEBUG="0")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    web = start_web(port, log=tmp_path / "web.log", workers=1, threads=2, **env)
    try:
        assert wait_for_http(port) == 200
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base) as http:
            login = http.get("/login/")
            assert login.status_code == 200
            head = http.head("/login/")
            assert head.status_code == 200 and head.content == b""
            assert head.headers["content-type"] == login.headers["content-type"]
            css = re.search(r'href="(/static/leadrouter\.[0-9a-f]+\.css)"', login.text)
            assert css, "the stylesheet comes from the manifest (a hashed name)"
            assert http.get(css.group(1)).headers["content-type"].startswith("text/css")
            assert http.get("/favicon.ico").status_code == 200

            missing = http.get("/no/such/page/")
            assert missing.status_code == 404
            assert "<h1>Not found</h1>" in missing.text and "URLconf" not in missing.text

            # Signed in over plain HTTP (the cookies are not Secure-only in the demo), a
            # rep's forbidden lead is the product's 404 too.
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)[1]
            signed_in = http.post(
                "/login/",
                data={
                    "username": "dana",
                    "password": "pw-for-tests-1",
                    "csrfmiddlewaretoken": token,
                },
                headers={"Referer": f"{base}/login/"},
            )
            assert signed_in.status_code == 302, re.findall(r"form-error[^<]*<", signed_in.text)
            forbidden = http.get(f"/leads/{hidden.pk}/")
            assert forbidden.status_code == 404
            assert "Back to the queue" in forbidden.text and "URLconf" not in forbidden.text
    finally:
        stop(web)
