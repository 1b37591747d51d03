"""URLs a page asks for again and again, built once a view: Flask-Admin's layout asks
for some twenty static files' URLs on every page, and a list links to itself a dozen
times (sort headers, pager, page sizes)."""

from urllib.parse import urlencode

from flask import request
from werkzeug.datastructures import iter_multi_items

# The characters Werkzeug leaves as they are in a URL's query (werkzeug.urls._urlencode).
URL_SAFE = "!$'()*,/:;?@"


class KeptUrls:
    """A view's `get_url`: such paths built once for each path the app is served under;
    a list's link adds its query as url_for would (_external and the like go to url_for
    each time)."""

    def get_url(self, endpoint, **kwargs):
        if any(name.startswith("_") for name in kwargs):
            return super().get_url(endpoint, **kwargs)
        if endpoint.endswith(".static"):
            return self._kept_url(endpoint, **kwargs)
        if endpoint == ".index_view" and request.blueprint == self.endpoint:
            query = urlencode(
                [item for item in iter_multi_items(kwargs) if item[1] is not None],
                safe=URL_SAFE,
            )
            path = self._kept_url(endpoint)
            return f"{path}?{query}" if query else path
        return super().get_url(endpoint, **kwargs)

    def _kept_url(self, endpoint, **kwargs):
        key = (endpoint, request.script_root, tuple(sorted(kwargs.items())))
        urls = self.__dict__.setdefault("_kept_urls", {})
        url = urls.get(key)
        if url is None:
            url = urls[key] = super().get_url(endpoint, **kwargs)
        return url
