"""Values kept a while in a process, one way: a cachetools cache per kind of value and app
(in `app.extensions`, so every app, a test's too, has its own), keyed by everything the
value depends on, bounded in size, and read under a lock (a worker may serve requests in
threads).

What is kept, and why, measured on the benchmark province (PostgreSQL, 1,000,000 reports,
2,000 units) on five list pages, each made afresh instead (Python calls of one request,
statements, and the median of interleaved requests):

| cache | key | kept | a list page without it |
|---|---|---|---|
| `table estimate` | table | 60 s | a statement more (PostgreSQL), about 0.35 ms |
| `list count` | the count's SQL and values | 60 s | a full count of a long list (SQLite) |
| `filter groups` | list, language, role and unit | 30 s | +3-6% calls, the options' query and ~60 KB of JSON: +10-29% |
| `menu` | language, path prefix, screen, items shown | while the process runs | +13-25% calls |

Dropped by the same measure (under a tenth of a page): a filter's options apart from its
groups (no difference while the groups are kept), the URLs of static files and of a list's
links to itself (+4-7% calls), a request's translation catalogue (+2-4%).
"""

import threading

from cachetools import LRUCache, TTLCache
from flask import current_app


class Cache:
    """One kind of kept value: `get(key, make)` gives the kept one or makes and keeps it."""

    def __init__(self, maxsize, seconds=None):
        self.limits = (maxsize, seconds)
        self.store = LRUCache(maxsize) if seconds is None else TTLCache(maxsize, seconds)
        self.lock = threading.Lock()

    def peek(self, key):
        """The kept value, or None."""
        with self.lock:
            return self.store.get(key)

    def put(self, key, value):
        with self.lock:
            self.store[key] = value
        return value

    def get(self, key, make):
        value = self.peek(key)
        # Made outside the lock: two threads at worst make a value twice.
        return self.put(key, make()) if value is None else value


def cache(name, maxsize, seconds=None):
    """This app's cache `name`: made on first use, and again when its limits change."""
    caches = current_app.extensions.setdefault("ducha_caches", {})
    found = caches.get(name)
    if found is None or found.limits != (maxsize, seconds):
        found = caches[name] = Cache(maxsize, seconds)
    return found
