"""The exchange's HTTP client to the department systems: one aiohttp session per process.

A prefill asks four or five systems at once. Through httpx each of those GETs cost the platform
1-1.5 ms of CPU on the reference machine, most of a prefill's CPU beside the database: its pool
probes every idle connection on every request, and h11 parses in Python. aiohttp's client, with
its C parser and a plain keep-alive pool, takes about a fifth of that (four GETs at once: 6.1 ms
of CPU through httpx, 1.1 ms through aiohttp; ``docs/performance.md``). httpx stays the client
of everything else (the population registry at sign-in, the tests).

The session is opened on first use, inside the running event loop, and closed with the app
(``Exchange.aclose``). It carries no cookies: one process asks the systems for many people. A
proxy named in the environment (``HTTP_PROXY``, ``NO_PROXY`` …) is honoured as httpx honoured
it, read once: aiohttp's own ``trust_env`` reads the environment and ``~/.netrc`` again on every
request, 0.7 ms of CPU each here.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

# As the app's httpx client had: at most this many connections; a request beyond waits for one.
MAX_CONNECTIONS = 100
# uvicorn (and most servers) close a connection idle for 5 s: one idle for 4 s is not reused.
KEEPALIVE_SECONDS = 4.0


@dataclass(frozen=True, slots=True)
class Answer:
    """A department system's answer, read whole: what the connectors look at."""

    status_code: int
    headers: Mapping[str, str]  # names case-insensitive
    content: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.content)


class DepartmentClient:
    """GETs to department systems over kept-alive connections."""

    def __init__(self, *, headers: Mapping[str, str] | None = None) -> None:
        self.headers = dict(headers or {})
        self._session: aiohttp.ClientSession | None = None
        self._proxies = urllib.request.getproxies()
        self._proxy_of: dict[tuple[str, str], str | None] = {}

    def proxy(self, url: str) -> str | None:
        """The proxy the environment names for a URL (``HTTP_PROXY``, ``HTTPS_PROXY``, then
        ``ALL_PROXY``), unless ``NO_PROXY`` names its host, or its host and port."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc.rpartition("@")[2])
        if key not in self._proxy_of:
            bypass = not self._proxies or urllib.request.proxy_bypass_environment(
                key[1], self._proxies
            )
            named = self._proxies.get(key[0]) or self._proxies.get("all")
            self._proxy_of[key] = None if bypass else named
        return self._proxy_of[key]

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=MAX_CONNECTIONS, keepalive_timeout=KEEPALIVE_SECONDS
                ),
                headers=self.headers,
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float,  # noqa: ASYNC109 - the whole request's, as the connectors give it
    ) -> Answer:
        """One GET, its body read; ``aiohttp.ClientError`` or ``TimeoutError`` if it fails."""
        async with self._open().get(
            url,
            params={k: str(v) for k, v in params.items()} if params else None,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
            proxy=self.proxy(url),
            # A redirect is the system's answer, not an address to fetch its data from.
            allow_redirects=False,
        ) as response:
            return Answer(response.status, response.headers, await response.read())

    async def aclose(self) -> None:
        """Close the kept-alive connections (the app's shutdown)."""
        if self._session is not None:
            await self._session.close()
            self._session = None
