"""django-q2's Redis broker with one connection pool per process.

django-q2 builds a broker for every `async_task` call, and its Redis broker opens a new
client (a new pool, a new TCP connection) each time: on the webhook and worker paths that
was a connect per enqueued task. redis-py clients are thread-safe and their pool notices a
fork (it checks the pid), so one client per process serves every enqueue.
"""

import threading

import redis
from django_q.brokers.redis_broker import Redis
from django_q.conf import Conf

_client: redis.Redis | None = None
_lock = threading.Lock()


class PooledRedis(Redis):
    @staticmethod
    def get_connection(list_key: str | None = None) -> redis.Redis:
        global _client
        if _client is None:
            with _lock:
                if _client is None:
                    settings = Conf.REDIS
                    if isinstance(settings, str):
                        _client = redis.from_url(settings)
                    else:
                        _client = redis.Redis(**settings)
        return _client
