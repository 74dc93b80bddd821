"""The caching proxy's configuration (nginx), rendered from the template in
deploy/nginx/ for given ports and folders: `make cluster` and the tests run
Debian's nginx with it; a real host can use the rendered file, and
deploy/nginx/compose.conf is the rendering for compose.yaml's proxy
(``python -m asean_portal.ops.proxy`` writes it again)."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
TEMPLATE = BASE_DIR / "deploy" / "nginx" / "portal.conf.template"
NGINX = "/usr/sbin/nginx"
COMPOSE_CONFIG = BASE_DIR / "deploy" / "nginx" / "compose.conf"
# What nginx sends when no node answers (`manage.py proxy_error_page` writes
# it), and where compose.yaml's proxy has it.
ERROR_PAGE = BASE_DIR / "deploy" / "nginx" / "unavailable.html"
COMPOSE_ERROR_PAGE = "/etc/nginx/unavailable.html"
# compose.yaml's network (its default one, with a fixed range): the workers
# refresh pages from it; its gateway is where the host's own clients of the
# published port come from, and they may not.
COMPOSE_SUBNET = "172.30.89.0/24"
COMPOSE_GATEWAY = "172.30.89.1"


# Who may ask for a fresh copy of a page (the purge): the proxy's own host.
OWN_HOST = ("127.0.0.1", "::1")


def render(
    *,
    listen,
    upstreams,
    prefix,
    static_root=None,
    refresh_from=OWN_HOST,
    refresh_refused=(),
    error_log=None,
    access_log=None,
    user=None,
    error_page=ERROR_PAGE,
):
    """The configuration text. ``listen``: nginx's listen argument (e.g.
    "127.0.0.1:8080"); ``upstreams``: "host:port" of each web node;
    ``prefix``: a folder for nginx's pid, temporary files and cache (and its
    logs unless ``error_log``, ``access_log`` are given); ``static_root``:
    the collected static files, served by nginx itself (None: by the nodes);
    ``refresh_from``: the addresses or networks allowed to refresh a page,
    except those in ``refresh_refused``; ``error_page``: the page sent when
    no node answers, as nginx finds it; ``user``: nginx's user directive
    (None: root's own when started as root, as CI does)."""
    geo = [f"        {address} 0;" for address in refresh_refused]
    geo += [f"        {address} 1;" for address in refresh_from]
    values = {
        # Started as root (CI), nginx's workers would otherwise run as nobody,
        # who cannot reach a private temporary folder.
        "USER": ("user root;" if os.geteuid() == 0 else "") if user is None else user,
        "PREFIX": str(prefix),
        "ERROR_LOG": error_log or f"{prefix}/error.log",
        "ACCESS_LOG": access_log or f"{prefix}/access.log",
        "LISTEN": listen,
        "ERROR_PAGE": str(error_page),
        "REFRESH_FROM": "\n".join(geo),
        "UPSTREAMS": "\n".join(
            f"        server {address} max_fails=1 fail_timeout=2s;" for address in upstreams
        ),
    }
    text = TEMPLATE.read_text()
    begin, end = "        # @@STATIC_BEGIN@@", "        # @@STATIC_END@@\n"
    head, _, rest = text.partition(begin)
    block, _, tail = rest.partition(end)
    if static_root is None:
        text = head + tail.lstrip("\n")
    else:
        values["STATIC_ROOT"] = str(static_root).rstrip("/")
        text = head + block.partition("\n")[2].split("\n", 1)[1] + tail
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


def compose_config():
    """The proxy of compose.yaml: the web service's replicas behind it, the
    static files served by them (whitenoise) and kept by the cache, its logs
    to the container's output, and refreshes only from the compose network."""
    header = (
        "# Rendered from portal.conf.template by `python -m asean_portal.ops.proxy`\n"
        "# for compose.yaml's proxy: do not edit, edit the template.\n"
    )
    return header + render(
        listen="80",
        upstreams=["web:8000"],
        prefix="/var/cache/nginx",
        refresh_from=[COMPOSE_SUBNET],
        refresh_refused=[COMPOSE_GATEWAY],
        error_log="/dev/stderr",
        access_log="/dev/stdout",
        user="",
        error_page=COMPOSE_ERROR_PAGE,
    )


if __name__ == "__main__":
    COMPOSE_CONFIG.write_text(compose_config())
    sys.stdout.write(f"wrote {COMPOSE_CONFIG.relative_to(BASE_DIR)}\n")
