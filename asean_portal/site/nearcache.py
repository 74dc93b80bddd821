"""Each web process's own copies of the pages it serves: the near cache.

A hit in the shared page cache (Redis) costs a round trip to Redis, and on a
busy machine that round trip costs as much as the rest of the hit. A process
therefore keeps the entries it has found current, and serves one again without
asking Redis while the count of changes (dependencies.CHANGES_KEY) is still the
one it was found current at.

Every change moves that count and announces the new count on a channel of the
same name, in one script (MOVE): Redis runs it whole, so the count never moves
unannounced. A thread of each process listens on the channel and keeps the
latest count (``Listener``); it also reads the count itself every
HEARTBEAT_SECONDS. Copies are served only while that thread is subscribed and
has heard from Redis within two heartbeats, and all of them are dropped when
it has to subscribe again, so a process cut off from Redis serves none.

The process that makes a change learns its count at once; the others as soon
as the announcement reaches them, a few milliseconds later. That is the only
delay, and it is shorter than the front cache's (within a second, see
frontcache.py). Transitions do not depend on it: a copy is never served past
its entry's ``until``, which no scheduled transition outlives (pagecache.py).
"""

import logging
import os
import threading
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse

REDIS_BACKEND = "django_redis.cache.RedisCache"
HEARTBEAT_SECONDS = 1.0

# Move the count of changes (by ARGV[1], or to ARGV[2] when Redis does not
# hold it) and announce it. The count is read back as a string: Lua's numbers
# are doubles, and a count is larger than they hold exactly.
MOVE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCRBY', KEYS[1], ARGV[1])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
local count = redis.call('GET', KEYS[1])
redis.call('PUBLISH', KEYS[1], count)
return count
"""

logger = logging.getLogger(__name__)


def on_redis():
    return settings.CACHES["default"]["BACKEND"] == REDIS_BACKEND


def changes_key(cache):
    from .dependencies import CHANGES_KEY

    return str(cache.client.make_key(CHANGES_KEY))


def move(step, initial):
    """Move the count of changes and announce it; False when the cache is
    not Redis (the caller moves it itself). A Redis outage is ignored and
    logged, as django-redis ignores it (settings.DJANGO_REDIS_LOGGER)."""
    if not on_redis():
        return False
    cache = caches["default"]
    try:
        count = cache.client.get_client(write=True).eval(MOVE, 1, changes_key(cache), step, initial)
    except redis.RedisError:
        logging.getLogger(settings.DJANGO_REDIS_LOGGER).exception("Exception ignored")
        return True
    current = _listener
    if current is not None and current.pid == os.getpid():
        current.hear(count)
    return True


@dataclass(frozen=True, slots=True)
class Copy:
    count: int
    until: float
    status: int
    content: bytes
    headers: tuple

    def entry(self):
        """The entry as the page cache reads it, with a response of its own:
        the caller changes its headers for the reader."""
        response = HttpResponse(self.content, status=self.status)
        for header, value in self.headers:
            response[header] = value
        return {"until": self.until, "response": response}


class Listener:
    """This process's view of the count of changes, and its copies."""

    def __init__(self, location):
        self.location = location
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.latest = None
        self.heard = 0.0
        self.copies = {}
        self.size = 0
        self.stopped = False
        threading.Thread(target=self.run, name="near-cache", daemon=True).start()

    def serving(self):
        return (
            self.latest is not None
            and not self.stopped
            and time.monotonic() - self.heard < 2 * HEARTBEAT_SECONDS
        )

    def hear(self, value):
        """A count of changes read from Redis (None: Redis holds none)."""
        with self.lock:
            if value is None:
                self.latest = None
            else:
                count = int(value)
                # An announcement read after a later reading of the count.
                if self.latest is None or count > self.latest:
                    self.latest = count
            self.heard = time.monotonic()

    def forget(self):
        with self.lock:
            self.latest = None
            self.copies = {}
            self.size = 0

    def run(self):
        while not self.stopped:
            try:
                self.listen()
            except Exception:
                logger.debug("the near cache lost Redis", exc_info=True)
            self.forget()
            time.sleep(HEARTBEAT_SECONDS)

    def listen(self):
        cache = caches["default"]
        client = cache.client.get_client(write=True)
        key = changes_key(cache)
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(key)
            # Subscribed before the count is read: no change falls between.
            deadline = time.monotonic() + 5 * HEARTBEAT_SECONDS
            while (message := pubsub.get_message(timeout=HEARTBEAT_SECONDS)) is None or message[
                "type"
            ] != "subscribe":
                if time.monotonic() > deadline:
                    raise TimeoutError("no subscription")
            self.hear(client.get(key))
            while not self.stopped:
                message = pubsub.get_message(timeout=HEARTBEAT_SECONDS)
                if message is not None and message["type"] == "message":
                    self.hear(message["data"])
                if time.monotonic() - self.heard >= HEARTBEAT_SECONDS:
                    self.hear(client.get(key))
        finally:
            pubsub.close()

    def get(self, key, now):
        found = self.copies.get(key)
        if found is None or found.until <= now or found.count != self.latest:
            return None
        return found.entry() if self.serving() else None

    def keep(self, key, entry, count):
        response = entry["response"]
        found = Copy(
            count=count,
            until=entry["until"],
            status=response.status_code,
            content=response.content,
            headers=tuple(response.items()),
        )
        with self.lock:
            if self.size + len(found.content) > settings.PAGE_CACHE_NEAR_BYTES:
                self.copies = {}
                self.size = 0
            self.copies[key] = found
            self.size += len(found.content)


_listener = None
_creating = threading.Lock()


def listener():
    """This process's listener, started on first use (in a web worker, after
    the fork); None when the cache is not Redis or the near cache is off."""
    global _listener
    if not settings.PAGE_CACHE_NEAR_BYTES or not on_redis():
        return None
    location = settings.CACHES["default"]["LOCATION"]
    current = _listener
    if current is not None and current.pid == os.getpid() and current.location == location:
        return current
    with _creating:
        current = _listener
        if current is None or current.pid != os.getpid() or current.location != location:
            if current is not None:
                current.stopped = True
            current = _listener = Listener(location)
    return current


def get(key, now):
    """A current copy of the entry at ``key``, or None."""
    current = listener()
    return current.get(key, now) if current is not None else None


def keep(key, entry, count):
    """Keep a copy of ``entry``, current at the count of changes ``count``."""
    current = listener()
    if current is not None and count is not None:
        current.keep(key, entry, count)
