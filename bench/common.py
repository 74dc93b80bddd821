"""What the benchmarks share."""

import random
import socket
from pathlib import Path
from urllib.parse import urlsplit


def ensure_database(url):
    """Create the PostgreSQL database named in ``url`` if it does not exist."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname="postgres"
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def free_port():
    """A loopback port that nothing listens on, taken below the kernel's
    ephemeral range. A client that probes a port of that range before its
    server listens may be given that very port as its own source and connect
    to itself (TCP simultaneous open), reading back its own request."""
    try:
        ephemeral = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        low = int(ephemeral[0])
    except (OSError, IndexError, ValueError):
        low = 32768
    for port in random.sample(range(max(1024, low - 12000), low), 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port below {low}")


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, int(round(share * len(ordered))) - 1)]


def worker_pids(master_pid):
    """The process ids of a gunicorn master's workers."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text()
    return sorted(int(pid) for pid in children.split())


def save_table(table, name):
    """Print a result table and write it to var/<name>."""
    base_dir = Path(__file__).resolve().parents[1]
    print()
    print(table)
    target = base_dir / "var" / name
    target.parent.mkdir(exist_ok=True)
    target.write_text(table + "\n")
    return target.relative_to(base_dir)
