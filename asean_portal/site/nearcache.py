"""Each web process's own copies of the pages it serves: the near cache.

A hit in the shared page cache (Redis) costs a round trip to Redis, and on a
busy machine that round trip costs as much as the rest of the hit. A process
therefore keeps the entries it has found current, and serves one again without
asking Redis while the count of changes (dependencies.CHANGES_KEY) is still the
one it was found current at.

Every change moves the versions of what it changed and the count, and
announces the new count on a channel of the count's name, in one script
(MOVE): Redis runs it whole, so nothing moves unannounced, and no page can be
stored with the new versions and the count from before. A thread of each
process listens on the channel (``Listener``) and takes the count from what it
hears, in the order Redis sent it. Every HEARTBEAT_SECONDS it has Redis
announce the count as it stands (BEAT), on the same channel: that proves the
subscription alive, and tells of a count that Redis lost and made anew.

Copies are served only while that thread is subscribed and has heard an
announcement within two heartbeats (it subscribes again when it has not), and
all of them are dropped when it has to subscribe again: a process cut off
from Redis serves none. The process that makes a change serves none from the
moment it starts the change until it hears it announced (at most two
heartbeats); the others serve the older copies until the announcement reaches
them, a few milliseconds later. That delay is shorter than the front cache's
(within a second, see frontcache.py), and the proxy's refresh never reads a
copy (pagecache.py). Transitions do not depend on it: a copy is never served
past its entry's ``until``, which no scheduled transition outlives.
"""

import collections
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
# A page larger than this share of PAGE_CACHE_NEAR_BYTES is not kept: it would
# push out many others.
LARGEST_SHARE = 4

# KEYS: the count of changes, then the versions to move (to ARGV[2]). The
# count moves by ARGV[1], or to ARGV[2] when Redis does not hold it. It is
# read back as a string: Lua's numbers are doubles, and a count is larger than
# they hold exactly.
MOVE = """
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], ARGV[2])
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCRBY', KEYS[1], ARGV[1])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
local count = redis.call('GET', KEYS[1])
redis.call('PUBLISH', KEYS[1], count)
return count
"""
# The count as it stands, announced (an empty message: Redis holds none).
BEAT = """
local count = redis.call('GET', KEYS[1]) or ''
redis.call('PUBLISH', KEYS[1], count)
return count
"""


def on_redis():
    return settings.CACHES["default"]["BACKEND"] == REDIS_BACKEND


def changes_key(cache):
    from .dependencies import CHANGES_KEY

    return cache.client.make_key(CHANGES_KEY)


def move(keys, step, initial):
    """Set the versions at ``keys`` to ``initial``, move the count of changes
    by ``step`` and announce it, at once; False when the cache is not Redis
    (the caller moves them itself). A Redis that cannot be reached or refuses
    the script is ignored and logged, as django-redis ignores it, and this
    process drops its copies."""
    if not on_redis():
        return False
    cache = caches["default"]
    client = cache.client.get_client(write=True)
    names = [changes_key(cache), *(cache.client.make_key(key) for key in keys)]
    current = _listener if _listener is not None and _listener.pid == os.getpid() else None
    count = None
    if current is not None:
        current.begin()
    try:
        count = client.eval(MOVE, len(names), *names, step, initial)
    except redis.RedisError:
        logging.getLogger(settings.DJANGO_REDIS_LOGGER).exception("Exception ignored")
    finally:
        if current is not None:
            current.end(count)
    return True


@dataclass(frozen=True, slots=True)
class Copy:
    count: int
    until: float
    status: int
    content: bytes
    headers: tuple

    @property
    def size(self):
        return len(self.content) + sum(len(name) + len(value) for name, value in self.headers)

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
        # The counts heard lately, and this process's own changes: being made
        # (changing), or made and not heard yet ({count: until when to wait}).
        self.recent = collections.deque(maxlen=256)
        self.changing = 0
        self.pending = {}
        self.copies = {}
        self.size = 0
        # Moved each time the copies are dropped: a copy read before is not kept.
        self.epoch = 0
        self.stopped = False
        threading.Thread(target=self.run, name="near-cache", daemon=True).start()

    def serving(self):
        return (
            self.latest is not None
            and not self.stopped
            and not self.changing
            and time.monotonic() - self.heard < 2 * HEARTBEAT_SECONDS
            and not (self.pending and self.waiting())
        )

    def waiting(self):
        """Whether a change of this process is still to be heard; one that
        never will be (Redis lost the count meanwhile) is given up after two
        heartbeats."""
        now = time.monotonic()
        with self.lock:
            for count, until in list(self.pending.items()):
                if until <= now:
                    del self.pending[count]
            return bool(self.pending)

    def begin(self):
        """A change of this process is being made: no copy is served."""
        with self.lock:
            self.changing += 1

    def end(self, count):
        """It was made at ``count``, or failed (None: the copies go)."""
        with self.lock:
            self.changing -= 1
            if count is None:
                self.drop()
            elif int(count) not in self.recent:
                self.pending[int(count)] = time.monotonic() + 2 * HEARTBEAT_SECONDS

    def hear(self, data):
        """An announcement of the count (empty: Redis holds none)."""
        with self.lock:
            self.latest = int(data) if data else None
            self.recent.append(self.latest)
            self.pending.pop(self.latest, None)
            self.heard = time.monotonic()

    def drop(self):
        self.copies = {}
        self.size = 0
        self.epoch += 1

    def forget(self):
        with self.lock:
            self.latest = None
            self.pending = {}
            self.recent.clear()
            self.drop()

    def run(self):
        failures = 0
        while not self.stopped:
            try:
                self.listen()
            except Exception:
                # A Redis that keeps failing is reported as django-redis
                # reports it: one short line per interval (ops/logs.py).
                logging.getLogger(settings.DJANGO_REDIS_LOGGER).exception("Exception ignored")
                failures = 1 if self.latest is not None else failures + 1
            self.forget()
            time.sleep(HEARTBEAT_SECONDS * min(failures, 5))

    def listen(self):
        cache = caches["default"]
        client = cache.client.get_client(write=True)
        key = changes_key(cache)
        beat = client.register_script(BEAT)
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(key)
            deadline = time.monotonic() + 5 * HEARTBEAT_SECONDS
            while True:
                message = pubsub.get_message(timeout=HEARTBEAT_SECONDS)
                if message is not None and message["type"] == "subscribe":
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError("no subscription")
            self.heard = time.monotonic()
            while not self.stopped:
                if time.monotonic() - self.heard > 2 * HEARTBEAT_SECONDS:
                    raise TimeoutError("no announcement heard, not even this process's own")
                beat(keys=[key])
                next_beat = time.monotonic() + HEARTBEAT_SECONDS
                while (left := next_beat - time.monotonic()) > 0 and not self.stopped:
                    message = pubsub.get_message(timeout=left)
                    if message is not None and message["type"] == "message":
                        self.hear(message["data"])
        finally:
            pubsub.close()

    def get(self, key, now):
        found = self.copies.get(key)
        if found is None or found.until <= now or found.count != self.latest:
            return None
        return found.entry() if self.serving() else None

    def keep(self, key, entry, count, epoch):
        kept = self.copies.get(key)
        if kept is not None and kept.count == count and kept.until == entry["until"]:
            return
        response = entry["response"]
        found = Copy(
            count=count,
            until=entry["until"],
            status=response.status_code,
            content=response.content,
            headers=tuple(response.items()),
        )
        budget = settings.PAGE_CACHE_NEAR_BYTES
        if found.size > budget // LARGEST_SHARE:
            return
        with self.lock:
            if epoch != self.epoch:
                return
            if (replaced := self.copies.pop(key, None)) is not None:
                self.size -= replaced.size
            # The oldest copies go first.
            while self.copies and self.size + found.size > budget:
                self.size -= self.copies.pop(next(iter(self.copies))).size
            self.copies[key] = found
            self.size += found.size


class Lookup:
    """A page's key looked up in this process's copies: ``entry`` is a
    current copy (or None), and ``keep`` keeps the entry found elsewhere,
    unless the copies were dropped since the lookup."""

    __slots__ = ("current", "key", "epoch", "entry")

    def __init__(self, current, key, now, serve):
        self.current = current
        self.key = key
        self.epoch = current.epoch if current is not None else None
        self.entry = current.get(key, now) if current is not None and serve else None

    def keep(self, entry, count):
        """Keep a copy of ``entry``, current at the count of changes ``count``."""
        if self.current is not None and count is not None:
            self.current.keep(self.key, entry, count, self.epoch)


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


def lookup(key, now, serve=True):
    """The copy of the entry at ``key``, when it is current and ``serve``."""
    return Lookup(listener(), key, now, serve)
