"""Values kept a while in a process: what is cheap to be a little late about (a table's
row estimate, a filter's options) is made once and reused until it is `seconds` old."""

import time


def kept(store, key, seconds, make):
    """`store[key]` if it was made less than `seconds` ago, else `make()`, kept there.
    (A dict's get and set are atomic: threads at worst make a value twice.)"""
    made_at, value = store.get(key, (None, None))
    if made_at is None or time.monotonic() - made_at >= seconds:
        value = make()
        store[key] = (time.monotonic(), value)
    return value
