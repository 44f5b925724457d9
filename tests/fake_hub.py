"""A stand-in for the Hugging Face Hub on 127.0.0.1: it answers the requests huggingface_hub 2.x makes for
`list_repo_files`, `snapshot_download` and `hf_hub_download` (and transformers' `from_pretrained`, which uses
the latter) for a few models, each a local folder served at one commit, and records every request.

Routes, as huggingface_hub's hf_api.py and file_download.py call them:
- `GET /api/models/{repo}/revision/{rev}`: the repository's info (`sha`, `siblings`);
- `GET /api/models/{repo}/tree/{rev}[/{path}]`: its files, `[{"type", "path", "size", "oid"}]`;
- `HEAD|GET /{repo}/resolve/{rev}/{file}`: a file, with the headers the client reads: `X-Repo-Commit` (the
  commit the revision names), `ETag` (the file's git blob id, where the cache keeps it), `Content-Length`;
- `HEAD /`: what playground.hub's probe asks;
anything else: 404 with the `X-Error-Code` the Hub sends (RepoNotFound, RevisionNotFound, EntryNotFound).
"""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = r"(?P<repo>[^/]+/[^/]+)"
ROUTES = {
    "info": re.compile(rf"^/api/models/{REPO}/revision/(?P<rev>[^/]+)$"),
    "tree": re.compile(rf"^/api/models/{REPO}/tree/(?P<rev>[^/]+)(?:/(?P<path>.*))?$"),
    "file": re.compile(rf"^/{REPO}/resolve/(?P<rev>[^/]+)/(?P<file>.+)$"),
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with its query string
    route: str  # "info", "tree", "file", "probe" or "unknown"


def blob_id(data: bytes) -> str:
    """The git blob id of a file's content, which the Hub sends as a small file's ETag."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class FakeHub:
    """Serves `models` ({Hub id: (commit, folder)}); `url` while started, `requests` as they came."""

    def __init__(self, models: dict[str, tuple[str, Path]]):
        self.models = {repo: (commit, Path(folder)) for repo, (commit, folder) in models.items()}
        self.requests: list[Request] = []
        self._server: http.server.ThreadingHTTPServer | None = None

    def __enter__(self) -> FakeHub:
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_HEAD(self):
                hub._answer(self, body=False)

            def do_GET(self):
                hub._answer(self, body=True)

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def files(self, repo: str) -> dict[str, bytes]:
        folder = self.models[repo][1]
        return {str(f.relative_to(folder)): f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file()}

    def _answer(self, handler: http.server.BaseHTTPRequestHandler, body: bool) -> None:
        path = unquote(urlsplit(handler.path).path)
        route, match = next(
            ((name, m) for name, pattern in ROUTES.items() if (m := pattern.match(path))), ("unknown", None)
        )
        if path == "/" and handler.command == "HEAD":
            route = "probe"
        self.requests.append(Request(handler.command, handler.path, route))
        if route == "probe":
            return _send(handler, 200, b"", {}, body)
        if match is None:
            return _send(handler, 404, b"", {"X-Error-Code": "EntryNotFound"}, body)
        repo, revision = match["repo"], match["rev"]
        if repo not in self.models:
            return _send(handler, 404, b"", {"X-Error-Code": "RepoNotFound"}, body)
        commit = self.models[repo][0]
        if revision not in (commit, "main"):
            return _send(handler, 404, b"", {"X-Error-Code": "RevisionNotFound"}, body)
        files = self.files(repo)
        if route == "info":
            info = {"id": repo, "sha": commit, "siblings": [{"rfilename": name} for name in files]}
            return _send_json(handler, info, body)
        if route == "tree":
            prefix = (match["path"] or "").strip("/")
            if prefix:  # e.g. transformers asking for additional_chat_templates/: this repo has no folders
                return _send(handler, 404, b"", {"X-Error-Code": "EntryNotFound"}, body)
            tree = [
                {"type": "file", "path": name, "size": len(data), "oid": blob_id(data)}
                for name, data in files.items()
            ]
            return _send_json(handler, tree, body)
        data = files.get(match["file"])
        if data is None:
            return _send(handler, 404, b"", {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": commit}, body)
        headers = {"X-Repo-Commit": commit, "ETag": f'"{blob_id(data)}"'}
        return _send(handler, 200, data, headers, body)


def _send_json(handler, value, body: bool) -> None:
    _send(handler, 200, json.dumps(value).encode(), {"Content-Type": "application/json"}, body)


def _send(handler, status: int, data: bytes, headers: dict[str, str], body: bool) -> None:
    handler.send_response(status)
    for name, value in {**headers, "Content-Length": str(len(data))}.items():
        handler.send_header(name, value)
    handler.end_headers()
    if body:
        handler.wfile.write(data)
