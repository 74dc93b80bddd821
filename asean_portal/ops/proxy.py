"""The caching proxy's configuration (nginx), rendered from the template in
deploy/nginx/ for given ports and folders: `make cluster` and the tests run
Debian's nginx with it; a real host can use the rendered file."""

import os
import subprocess
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
TEMPLATE = BASE_DIR / "deploy" / "nginx" / "portal.conf.template"
NGINX = "/usr/sbin/nginx"


def render(*, listen, upstreams, prefix, static_root):
    """The configuration text. ``listen``: nginx's listen argument (e.g.
    "127.0.0.1:8080"); ``upstreams``: "host:port" of each web node;
    ``prefix``: a folder for nginx's pid, logs, temporary files and cache."""
    values = {
        # Started as root (CI), nginx's workers would otherwise run as nobody,
        # who cannot reach a private temporary folder.
        "USER": "user root;" if os.geteuid() == 0 else "",
        "PREFIX": str(prefix),
        "LISTEN": listen,
        "STATIC_ROOT": str(static_root).rstrip("/"),
        "UPSTREAMS": "\n".join(
            f"        server {address} max_fails=1 fail_timeout=2s;" for address in upstreams
        ),
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@@{name}@@", value)
    return text


def write(folder, **options):
    """Render into ``folder``/nginx.conf, with the folders nginx needs; returns its path."""
    folder = Path(folder)
    for sub in ("cache", "client-body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    path = folder / "nginx.conf"
    path.write_text(render(prefix=folder, **options))
    return path


def start(config):
    """nginx in the foreground (``daemon off``) as a child process."""
    folder = Path(config).parent
    subprocess.run([NGINX, "-t", "-q", "-p", str(folder), "-c", str(config)], check=True)
    return subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
