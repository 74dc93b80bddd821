"""The Celery broker of the embedded default: kombu's file transport, made
safe for the three processes of `make run` (web, worker, beat) that share it.

Kombu's own transport (kombu issue #1551) lets a reader see a file half
written: a message is created under its final name and written after, and the
worker may move and read it in between; an exchange's table is truncated
before it is locked, and a reader may lock it in between. Either way the
reader gets an empty file, its JSON decoding raises, and the worker stops
(and `make run` with it). Here:

- a message is written under a name no reader looks at and renamed into the
  queue when complete, which POSIX makes atomic;
- a message is claimed by a rename into the processed folder, so that of two
  consumers exactly one gets it (kombu moves it to the system's temporary
  folder, a copy across file systems): the queue and processed folders must
  be on one file system, as they are under CELERY_BROKER_DIR;
- an exchange's table is never truncated before its lock is held, and an empty
  one reads as no bindings;
- a message that cannot be read (left by a process killed mid-write under
  kombu's transport) is logged and set aside in the processed folder, and the
  next message is delivered;
- a message that a process killed mid-write left under its writing name is
  removed by a consumer once it is older than any write takes.
"""

import contextlib
import logging
import os
import time
import uuid
from pathlib import Path
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads
from kombu.utils.objects import cached_property

logger = logging.getLogger(__name__)

# The broker URL's scheme that names this transport (CELERY_BROKER_URL).
SCHEME = "portal-files"

# A message being written: `_get` only takes names ending in ".<queue>.msg".
WRITING = ".writing"
# Where an unreadable message is kept, in the processed folder.
UNREADABLE = ".unreadable"
# A message still under its writing name after this long was abandoned (its
# producer was killed): a write takes milliseconds.
ABANDONED_SECONDS = 600


def folders(root):
    """The transport's folders under ``root`` (CELERY_BROKER_DIR): the queue
    and the processed folder on one file system, for the rename that claims."""
    return {
        "data_folder_in": str(root / "queue"),
        "data_folder_out": str(root / "queue"),
        "processed_folder": str(root / "processed"),
        "control_folder": str(root / "control"),
    }


class Channel(filesystem.Channel):
    @cached_property
    def processed_folder(self):
        # Made once: a claim into a missing folder would look like a message
        # another consumer took, and be passed over.
        folder = super().processed_folder
        Path(folder).mkdir(parents=True, exist_ok=True)
        return folder

    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        try:
            with open(final + WRITING, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(final + WRITING, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.remove(final + WRITING)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue):
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                if name.endswith(WRITING):
                    _remove_if_abandoned(os.path.join(self.data_folder_in, name))
                continue
            claimed = os.path.join(self.processed_folder, name)
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except FileNotFoundError:
                # Another consumer claimed it first.
                continue
            except OSError as exc:
                # A rename cannot cross file systems: both folders are in
                # CELERY_BROKER_DIR.
                raise ChannelError(f"Cannot claim {name!r} into {claimed!r}") from exc
            try:
                with open(claimed, "rb") as file:
                    payload = file.read()
            except OSError as exc:
                raise ChannelError(f"Cannot read file {claimed!r} from queue.") from exc
            try:
                message = loads(bytes_to_str(payload))
            except ValueError:
                os.replace(claimed, claimed + UNREADABLE)
                logger.error(
                    "the broker set aside an unreadable message (%d bytes) as %s",
                    len(payload),
                    claimed + UNREADABLE,
                )
                continue
            if not self.store_processed:
                os.remove(claimed)
            return message
        raise Empty()

    def get_table(self, exchange):
        file = self._exchange_file(exchange)
        try:
            with file.open("rb") as table:
                filesystem.lock(table, filesystem.LOCK_SH)
                try:
                    content = table.read()
                finally:
                    filesystem.unlock(table)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc
        return _rows(content)

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._change_table(exchange, lambda rows: rows if binding in rows else [binding, *rows])

    def _delete(self, queue, exchange, routing_key, pattern, *args, **kwargs):
        # The virtual channel's own bookkeeping, then the table's.
        super(filesystem.Channel, self)._delete(
            queue, exchange, routing_key, pattern, *args, **kwargs
        )
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._change_table(exchange, lambda rows: [row for row in rows if row != binding])

    def _change_table(self, exchange, change):
        """Read, change and write an exchange's table under its lock: opened
        without truncation, so that a reader never finds it empty."""
        file = self._exchange_file(exchange)
        self.control_folder.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(file, os.O_RDWR | os.O_CREAT, 0o644)
            with os.fdopen(descriptor, "rb+", buffering=0) as table:
                filesystem.lock(table, filesystem.LOCK_EX)
                try:
                    rows = _rows(table.read())
                    changed = change(rows)
                    if changed != rows:
                        table.seek(0)
                        table.write(str_to_bytes(dumps(changed)))
                        table.truncate()
                finally:
                    filesystem.unlock(table)
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc


def _remove_if_abandoned(path):
    with contextlib.suppress(FileNotFoundError):  # renamed or removed meanwhile
        if time.time() - os.stat(path).st_mtime > ABANDONED_SECONDS:
            os.remove(path)
            logger.warning("the broker removed a message left half written: %s", path)


def _rows(content):
    """An exchange's bindings: an empty table (just created) has none."""
    return [filesystem.exchange_queue_t(*row) for row in loads(bytes_to_str(content) or "[]")]


class Transport(filesystem.Transport):
    Channel = Channel


def register():
    """Make ``portal-files://`` name this transport: kombu looks a URL's scheme
    up in its aliases, and an import path is never taken from a URL."""
    TRANSPORT_ALIASES.setdefault(SCHEME, f"{__name__}:Transport")
