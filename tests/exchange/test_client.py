"""The exchange's client to the department systems (aiohttp): the demo systems answer it as
they answer httpx, it keeps connections alive, carries no cookie from one person's request to
the next, and every failure reaches the exchange as the system being unavailable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from tests.conftest import ServerThread, free_port
from yiwang.exchange.connectors.base import SourceUnavailable, get
from yiwang.exchange.connectors.client import DepartmentClient

pytestmark = pytest.mark.anyio

CITIZEN1 = "330523199003072317"


@pytest.fixture
async def client() -> AsyncIterator[DepartmentClient]:
    carried = DepartmentClient(headers={"User-Agent": "yiwang/test"})
    yield carried
    await carried.aclose()


class Scripted:
    """A loopback server answering the n-th request with ``answer(n, head)`` (raw bytes; None
    closes the connection unanswered), closing the connection after each answer if ``close``;
    it keeps what it was sent and counts connections."""

    def __init__(
        self, answer: Callable[[int, bytes], bytes | None], *, close: bool = False
    ) -> None:
        self.answer, self.close = answer, close
        self.requests: list[bytes] = []
        self.connections = 0

    async def __aenter__(self) -> Scripted:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                self.requests.append(head)
                answer = self.answer(len(self.requests), head)
                if answer is None:
                    return
                writer.write(answer)
                await writer.drain()
                if self.close:
                    return
        finally:
            writer.close()


def ok(body: bytes = b"{}", *extra: str) -> bytes:
    head = "".join(f"{h}\r\n" for h in extra)
    return f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode() + body


async def test_the_demo_systems_answer_it_as_they_answer_httpx(
    demo_systems: ServerThread, client: DepartmentClient
) -> None:
    asks: list[tuple[str, dict[str, str], dict[str, str] | None]] = [
        ("/population/v1/persons", {"idCardNo": CITIZEN1}, None),
        ("/population/v1/persons", {"idCardNo": "330523200001010016"}, None),  # nobody
        ("/market/services/NameReservation", {"cerNo": CITIZEN1}, None),  # XML
        ("/hrss/api/v2/insured", {"aac002": CITIZEN1}, None),
        ("/health/no-such-system", {}, None),  # 404
        ("/realestate/export/qlr.csv", {}, None),  # GBK
    ]
    async with httpx.AsyncClient() as reference:
        export = await reference.get(f"{demo_systems.url}/realestate/export/qlr.csv")
        asks.append(("/realestate/export/qlr.csv", {}, {"If-None-Match": export.headers["etag"]}))
        for path, params, headers in asks:
            url = f"{demo_systems.url}{path}"
            expected = await reference.get(url, params=params, headers=headers)
            answer = await client.get(url, params=params, headers=headers, timeout=5.0)
            assert answer.status_code == expected.status_code, path
            assert answer.content == expected.content, path
            assert answer.headers.get("ETag") == expected.headers.get("etag"), path
            if expected.headers.get("content-type") == "application/json":
                assert answer.json() == expected.json()
    assert answer.status_code == 304  # the export has not changed since


async def test_it_keeps_connections_and_no_cookies(client: DepartmentClient) -> None:
    def answer(n: int, head: bytes) -> bytes:
        return ok(b'{"n": %d}' % n, "Set-Cookie: session=person-a; Path=/")

    async with Scripted(answer) as server:
        # By name, not by address: cookie jars keep no cookies of bare IP addresses anyway.
        named = server.url.replace("127.0.0.1", "localhost")
        for n in range(1, 6):
            found = await client.get(
                f"{named}/v1/persons", params={"idCardNo": "中 文&="}, timeout=5.0
            )
            assert found.json() == {"n": n}
    assert server.connections == 1
    first = server.requests[0].decode("latin-1")
    assert first.startswith("GET /v1/persons?idCardNo=%E4%B8%AD+%E6%96%87%26%3D HTTP/1.1")
    assert "User-Agent: yiwang/test" in first
    # One process asks for many people: what a system set for one is not sent for the next.
    assert not any(b"cookie" in r.lower() for r in server.requests)


async def test_every_failure_is_the_system_being_unavailable(client: DepartmentClient) -> None:
    refused = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(SourceUnavailable, match="hrss: ClientConnectorError"):
        await get(client, refused, {}, 5.0, "hrss")
    broken: dict[bytes, bytes | None] = {
        b"/ssh": b"SSH-2.0-OpenSSH\r\n\r\n",
        b"/short": b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        b"/unanswered": None,
        b"/not-gzip": ok(b"not gzip", "Content-Encoding: gzip"),
        b"/busy": ok(b"", "Content-Type: text/plain").replace(b"200 OK", b"503 Busy"),
        b"/moved": ok(b"").replace(b"200 OK", b"302 Found")[:-2] + b"Location: /elsewhere\r\n\r\n",
        b"/elsewhere": ok(b'{"from": "elsewhere"}'),
    }
    async with Scripted(lambda n, head: broken[head.split(b" ")[1]], close=True) as server:
        for path in ("/ssh", "/short", "/unanswered", "/not-gzip"):
            with pytest.raises(SourceUnavailable, match="^hrss: "):
                await get(client, f"{server.url}{path}", {}, 5.0, "hrss")
        with pytest.raises(SourceUnavailable, match="hrss: HTTP 503"):
            await get(client, f"{server.url}/busy", {}, 5.0, "hrss")
        # A redirect is the system's answer, not an address to take its data from.
        with pytest.raises(SourceUnavailable, match="hrss: HTTP 302"):
            await get(client, f"{server.url}/moved", {}, 5.0, "hrss")

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    mute = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = mute.sockets[0].getsockname()[1]
    started = asyncio.get_running_loop().time()
    with pytest.raises(SourceUnavailable, match="hrss: "):
        await get(client, f"http://127.0.0.1:{port}/", {}, 0.2, "hrss")
    assert asyncio.get_running_loop().time() - started < 2
    mute.close()


async def test_a_proxy_named_in_the_environment_is_used_unless_bypassed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with (
        Scripted(lambda n, head: ok(b'{"via": "proxy"}')) as proxy,
        Scripted(lambda n, head: ok(b'{"via": "direct"}')) as direct,
    ):
        port = direct.url.rsplit(":", 1)[1]
        for variable, bypass in (("HTTP_PROXY", "127.0.0.1"), ("ALL_PROXY", f"127.0.0.1:{port}")):
            monkeypatch.delenv("HTTP_PROXY", raising=False)
            monkeypatch.setenv(variable, proxy.url)
            monkeypatch.setenv("NO_PROXY", bypass)
            behind = DepartmentClient()
            try:
                found = await behind.get("http://hrss.example.invalid/v2?a=1", timeout=5.0)
                assert found.json() == {"via": "proxy"}
                assert proxy.requests[-1].startswith(
                    b"GET http://hrss.example.invalid/v2?a=1 HTTP/1.1"
                )
                direct_answer = await behind.get(f"{direct.url}/v2", timeout=5.0)
                assert direct_answer.json() == {"via": "direct"}
            finally:
                await behind.aclose()
        assert len(proxy.requests) == 2
