"""Static files under addresses that name their content, so browsers keep them for a year.

Every page links the style sheet. Served with ``no-cache``, a browser asked the server again on
each page whether it had changed: one more round trip per page, which is what a slow link feels.
Each address now carries the file's content hash; the file at that address never changes (a
release that changes the file changes its address), so it is served as immutable. A request
without the hash, or with an old one (a page kept from before a release), gets the file as
before, checked again each time.
"""

from __future__ import annotations

import hashlib
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Flask, request, url_for
from werkzeug.wrappers import Response

ONE_YEAR = 365 * 24 * 3600
ADDRESSES_KEPT = 64


def register_static_files(app: Flask) -> None:
    """Add ``static_file(name)`` to templates and keep versioned static files a year."""
    assert app.static_folder is not None
    folder = Path(app.static_folder)
    # Hashed once, when the application is built: the files change only with a release.
    versions = {path.relative_to(folder).as_posix():
                hashlib.sha256(path.read_bytes()).hexdigest()[:16]
                for path in folder.rglob("*") if path.is_file()}

    addresses: dict[tuple[str, str], str] = {}

    def static_file(filename: str) -> str:
        """The file's address with its content hash."""
        # Every page asks for the same few addresses; only the prefix the platform is served
        # under (a proxy's) could change one.
        key = (request.script_root, filename)
        address = addresses.get(key)
        if address is None:
            if len(addresses) >= ADDRESSES_KEPT:  # a prefix comes from the request's server
                addresses.clear()
            address = addresses[key] = url_for("static", filename=filename,
                                               v=versions.get(filename))
        return address

    app.jinja_env.globals["static_file"] = static_file
    serve = app.view_functions["static"]

    @wraps(serve)
    def serve_versioned(filename: str, **kwargs: Any) -> Response:
        response = serve(filename=filename, **kwargs)
        assert isinstance(response, Response)  # Flask's own view sends the file
        version = versions.get(filename)
        if response.status_code in (200, 304) and version and version == request.args.get("v"):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
        return response

    app.view_functions["static"] = serve_versioned
