"""A Redis cache that degrades instead of failing the request.

Everything we keep in the cache (company settings, API throttle counters, a
customer import's pending upload) can be read again from the database or
simply lost, so a Redis outage must not turn every page into a 500. When a
call fails the backend logs one warning, answers as a cache miss and leaves
Redis alone for ``RETRY_AFTER`` seconds, so pages do not pay a connection
attempt per cache call while Redis is away.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _degrades_to(fallback):
    """Run the cache call; when Redis is unreachable, return ``fallback(*args, **kwargs)``."""

    def wrap(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            if self.is_resting():
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as exc:
                self.rest(exc)
                return fallback(*args, **kwargs)

        return call

    return wrap


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _all_failed(data, *args, **kwargs):
    return list(data)


class ResilientRedisCache(RedisCache):
    RETRY_AFTER = 10.0  # seconds without trying Redis after a failure

    def __init__(self, server, params):
        super().__init__(server, params)
        self._resting_until = 0.0

    def is_resting(self) -> bool:
        return time.monotonic() < self._resting_until

    def rest(self, exc: BaseException) -> None:
        logger.warning(
            "Cache unavailable (%s: %s); reading from the database for %.0f s.",
            exc.__class__.__name__,
            exc,
            self.RETRY_AFTER,
        )
        self._resting_until = time.monotonic() + self.RETRY_AFTER

    get = _degrades_to(_default)(RedisCache.get)
    get_many = _degrades_to(_empty)(RedisCache.get_many)
    has_key = _degrades_to(_false)(RedisCache.has_key)
    # A failed add stores nothing: answering False ("not added") keeps add-based locks safe.
    add = _degrades_to(_false)(RedisCache.add)
    set = _degrades_to(_nothing)(RedisCache.set)
    set_many = _degrades_to(_all_failed)(RedisCache.set_many)
    touch = _degrades_to(_false)(RedisCache.touch)
    delete = _degrades_to(_false)(RedisCache.delete)
    delete_many = _degrades_to(_nothing)(RedisCache.delete_many)
    clear = _degrades_to(_false)(RedisCache.clear)
