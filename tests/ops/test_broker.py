"""config/broker.py: every enqueue in a process shares one Redis client (django-q2's own
broker opened a connection per `async_task`)."""

from config.broker import PooledRedis


def test_it_gives_every_broker_the_same_client():
    first, second = PooledRedis("leadrouter-test-broker"), PooledRedis("leadrouter-test-broker")
    assert first.connection is second.connection
    first.purge_queue()
    first.enqueue("a task")
    assert second.queue_size() == 1
    second.delete_queue()
