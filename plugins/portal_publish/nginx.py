"""An nginx server block for a built portal: precompressed files, cache lifetimes, each
language's own 404 page, no directory listings, and security headers on every response."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from portal_assets import FINGERPRINTED

from .policy import CACHE_IMMUTABLE, CACHE_SHORT, CHARSET_TYPES, security_headers


def _headers(cache: str, indent: str, security: dict[str, str]) -> list[str]:
    """add_header lines; ``always`` puts them on error responses (404, 403, 400) too. nginx
    drops a level's add_header lines once a nested level has its own, so every location
    repeats the whole set."""
    lines = [f'{indent}add_header Cache-Control "{cache}" always;']
    lines += [f'{indent}add_header {name} "{value}" always;' for name, value in security.items()]
    return lines


def server_block(*, root: str, prefixes: Iterable[str], server_name: str = "_",
                 port: int = 80, address: str = "", form_endpoint: str = "") -> str:
    """The server block's text. ``prefixes`` are the URL prefixes of the languages that are
    not at the root ('en', 'ja', …); ``address`` limits listening to one address;
    ``form_endpoint`` is where the mailbox form posts (``PORTAL_FORM_ENDPOINT``)."""
    security = security_headers(form_endpoint)
    listen = [f"    listen {address}:{port};"] if address else [
        f"    listen {port};", f"    listen [::]:{port};"]
    lines = [
        "# The portal's server block, written by `invoke nginx-conf`. Include it inside the",
        "# http {} block (Debian: /etc/nginx/sites-enabled/), whose `include mime.types` gives",
        "# the types. brotli_static needs libnginx-mod-http-brotli-static. TLS is terminated",
        "# in front of it or added here (listen 443 ssl; ssl_certificate …).",
        "server {",
        *listen,
        f"    server_name {server_name};",
        f"    root {root};",
        "    index index.html;",
        "",
        "    autoindex off;",
        "    server_tokens off;",
        "    absolute_redirect off;  # /en -> /en/ whatever host or proxy is in front",
        "    charset utf-8;",
        f"    charset_types {' '.join(CHARSET_TYPES)};",
        "",
        "    # The build wrote name.br and name.gz beside every text file: send them as they are.",
        "    gzip_static on;",
        "    brotli_static on;",
        "    gzip_vary on;",
        "",
        "    error_page 403 404 =404 /404.html;",
        *_headers(CACHE_SHORT, "    ", security),
        "",
        "    # Nothing hidden is served (.git, .env, editor files), but ACME challenges are.",
        r'    location ~ "/\.(?!well-known/)" {',
        "        return 404;",
        "    }",
        "",
        "    # Fingerprinted assets: the name changes whenever the content does.",
        f'    location ~ "{FINGERPRINTED.pattern}" {{',
        "        try_files $uri =404;",
        *_headers(CACHE_IMMUTABLE, "        ", security),
        "    }",
    ]
    for prefix in ["", *prefixes]:
        path = f"/{prefix}/" if prefix else "/"
        lines += [
            "",
            f"    location {path} {{",
            f"        error_page 403 404 =404 {path}404.html;",
            "        try_files $uri $uri/ =404;",
            *_headers(CACHE_SHORT, "        ", security),
            "    }",
        ]
    lines.append("}")
    return "\n".join(lines) + "\n"


BROTLI_MODULES = ("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so",
                  "/usr/share/nginx/modules/ngx_http_brotli_static_module.so")
MIME_TYPES = "/etc/nginx/mime.types"


def main_config(workdir: Path, server_conf: Path) -> str:
    """A whole nginx.conf around a server block, everything it writes kept in ``workdir``:
    for tests and benchmarks that run a private nginx, never the machine's own."""
    module = next((m for m in BROTLI_MODULES if Path(m).exists()), None)
    if module is None:
        raise FileNotFoundError("nginx's brotli_static module is missing: install "
                                "libnginx-mod-http-brotli-static (scripts/setup.sh does)")
    temp = {name: workdir / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    return "\n".join([
        f"load_module {module};",
        # As root, workers would drop to nobody, who may not read a private temporary folder.
        "user root;" if os.geteuid() == 0 else "",
        "worker_processes 1;",
        f"pid {workdir / 'nginx.pid'};",
        f"error_log {workdir / 'error.log'} warn;",
        "events { worker_connections 128; }",
        "http {",
        f"    include {MIME_TYPES};",
        "    default_type application/octet-stream;",
        f"    access_log {workdir / 'access.log'};",
        *[f"    {name}_temp_path {path};" for name, path in temp.items()],
        f"    include {server_conf};",
        "}",
        "",
    ])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(root: Path, workdir: Path, prefixes: Iterable[str], form_endpoint: str = ""
          ) -> Iterator[str]:
    """Run Debian's nginx in the foreground on 127.0.0.1 (a free port) with the portal's
    server block over ``root``; yields the base URL and stops nginx afterwards."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server_conf = workdir / "portal.conf"
    server_conf.write_text(server_block(root=str(root.resolve()), prefixes=prefixes,
                                        server_name="localhost", port=port,
                                        address="127.0.0.1", form_endpoint=form_endpoint),
                           encoding="utf-8")
    conf = workdir / "nginx.conf"
    conf.write_text(main_config(workdir, server_conf), encoding="utf-8")
    command = [nginx, "-p", str(workdir), "-c", str(conf), "-e", str(workdir / "error.log")]
    check = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, check=False)
    if check.returncode:
        raise RuntimeError(f"nginx rejected the configuration:\n{check.stderr}")
    process = subprocess.Popen([*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {process.stderr.read()}") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
