import pytest

from handoff.models import Endpoint
from tests.fakes.receiver import Receiver


@pytest.fixture
def receiver(settings):
    """A local webhook receiver; private addresses allowed, as only tests need."""
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    settings.OUTBOUND_TIMEOUT_SECONDS = 5
    with Receiver() as fake:
        yield fake


@pytest.fixture
def endpoint(receiver, db):
    return Endpoint.objects.create(url=receiver.url, description="test receiver")
