import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django_q.conf import Conf

from tests.helpers import CORPUS_DATA  # noqa: F401  (re-exported for tests)


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    """django-q2 tasks run synchronously in tests, unless a test is about the worker."""
    previous = Conf.SYNC
    Conf.SYNC = True
    yield
    Conf.SYNC = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs about half a second a user; tests do not test the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters and cached certificates never leak between tests.

    With REDIS_URL the cache outlives the test transaction, so it is emptied
    around every test; the database cache is rolled back with the test.
    """
    cache = caches["default"]
    shared = not isinstance(cache, DatabaseCache)
    if shared:
        cache.clear()
    yield
    if shared:
        cache.clear()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit hooks (task enqueueing) inside a db test, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The fault suite restores the migrated data between its tests (serialized rollback),
    which only works on a database that no other transactional test has flushed and
    re-filled first: it runs first among the transactional tests (after pytest-django has
    put those last)."""
    faults = [item for item in items if item.get_closest_marker("faults")]
    if not faults:
        return
    rest = [item for item in items if not item.get_closest_marker("faults")]
    first = next((i for i, item in enumerate(rest) if _transactional(item)), len(rest))
    items[:] = rest[:first] + faults + rest[first:]
