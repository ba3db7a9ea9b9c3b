"""A remote web server for URL imports, on 127.0.0.1 only: images, redirects, slow, endless and
failing answers, optionally over TLS with a certificate of a test CA."""

from __future__ import annotations

import asyncio
import datetime
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.images import png_declaring

ENDLESS_CAP = 64 * 1024 * 1024


@dataclass
class Origin:
    image: bytes
    port: int = 0
    tls_port: int = 0
    # (path, Host header) of every request, in order; the server names TLS clients sent (SNI).
    requests: list[tuple[str, str]] = field(default_factory=list)
    sni_names: list[str | None] = field(default_factory=list)
    endless_sent: int = 0
    endless_done: asyncio.Event = field(default_factory=asyncio.Event)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/garden.png", self.garden)
        app.router.add_get("/hops/{n}", self.hops)
        app.router.add_get("/to", self.to)
        app.router.add_get("/endless", self.endless)
        app.router.add_get("/declared-big", self.declared_big)
        app.router.add_get("/slow", self.slow)
        app.router.add_get("/page.html", self.page)
        app.router.add_get("/status/{code}", self.status)
        app.router.add_get("/bomb.png", self.bomb)
        app.router.add_get("/no-location", self.no_location)
        app.middlewares.append(self.record)
        return app

    @web.middleware
    async def record(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        self.requests.append((request.path, request.headers.get("Host", "")))
        return await handler(request)

    async def garden(self, request: web.Request) -> web.Response:
        # A misleading declared type: the bytes decide.
        return web.Response(body=self.image, content_type="text/plain")

    async def hops(self, request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        if n == 0:
            return await self.garden(request)
        raise web.HTTPFound(f"/hops/{n - 1}")

    async def to(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["location"])

    async def endless(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "image/png"})
        await response.prepare(request)
        chunk = self.image[:4096] + b"\0" * (64 * 1024 - 4096)
        try:
            while self.endless_sent < ENDLESS_CAP:
                await response.write(chunk)
                self.endless_sent += len(chunk)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            self.endless_done.set()
        return response

    async def declared_big(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "image/png"})
        response.content_length = 10**9
        await response.prepare(request)
        await response.write(self.image[:1024])
        await self.stop.wait()
        return response

    async def slow(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "image/png"})
        await response.prepare(request)
        await response.write(self.image[:100])
        await self.stop.wait()
        return response

    async def page(self, request: web.Request) -> web.Response:
        return web.Response(body=b"<!doctype html><title>not an image</title>" * 20, content_type="image/png")

    async def bomb(self, request: web.Request) -> web.Response:
        return web.Response(body=png_declaring(30000, 30000), content_type="image/png")

    async def no_location(self, request: web.Request) -> web.Response:
        return web.Response(status=302)

    async def status(self, request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="no")


def _listening(host: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    return sock


@asynccontextmanager
async def serving(origin: Origin, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> AsyncIterator[Origin]:
    runner = web.AppRunner(origin.app(), shutdown_timeout=1)
    await runner.setup()
    plain, secure = _listening(host), _listening(host)
    origin.port, origin.tls_port = plain.getsockname()[1], secure.getsockname()[1]
    await web.SockSite(runner, plain).start()
    if tls is not None:
        tls.sni_callback = lambda _obj, name, _ctx: origin.sni_names.append(name)  # type: ignore[assignment,misc]
        await web.SockSite(runner, secure, ssl_context=tls).start()
    try:
        yield origin
    finally:
        origin.stop.set()
        await runner.cleanup()
        plain.close()
        secure.close()


@dataclass(frozen=True)
class TestCertificates:
    ca_file: Path
    server: ssl.SSLContext

    def client(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))


def certificates(directory: Path, server_name: str) -> TestCertificates:
    """A CA of the test's own, and a server certificate it signed for `server_name` only."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pixelflow test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, server_name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(server_name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    return TestCertificates(ca_file=ca_file, server=server)
