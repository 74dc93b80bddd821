"""The embedded default's broker (asean_portal/ops/broker.py) shared by
processes: a message or an exchange's table is never read half written, and a
message that cannot be read does not stop the consumer."""

import contextlib
import errno
import json
import logging
import multiprocessing
import os
from queue import Empty

import pytest
from kombu import Connection
from kombu.exceptions import ChannelError
from kombu.transport import filesystem

from asean_portal.ops import broker
from asean_portal.ops.broker import Transport, folders

MESSAGES = 400


def channel(transport, root):
    for folder in folders(root).values():
        os.makedirs(folder, exist_ok=True)
    return Connection(transport=transport, transport_options=folders(root)).default_channel


def produce(transport, root, count):
    sender = channel(transport, root)
    for number in range(count):
        sender._put("celery", {"body": "x" * 20_000, "number": number})


def bind_queues(transport, root, name, count):
    binder = channel(transport, root)
    for number in range(count):
        binder._queue_bind("portal", "", "", f"{name}-{number}")


def processes(target, *argument_lists):
    """Run ``target`` in a forked process per argument list, all at once, and
    wait for each to end well."""
    context = multiprocessing.get_context("fork")
    started = [context.Process(target=target, args=arguments) for arguments in argument_lists]
    for process in started:
        process.start()
    for process in started:
        process.join(timeout=60)
        assert process.exitcode == 0


def test_a_consumer_never_reads_a_message_half_written(tmp_path):
    """One process writes messages while this one takes them as fast as it
    can: each arrives whole, once. (Kombu's own transport let the consumer
    take a file before it was written: an empty message, a JSONDecodeError
    that stopped the worker.)"""
    producer = multiprocessing.get_context("fork").Process(
        target=produce, args=(Transport, tmp_path, MESSAGES)
    )
    receiver = channel(Transport, tmp_path)
    received = []
    producer.start()
    try:
        while len(received) < MESSAGES:
            try:
                received.append(receiver._get("celery")["number"])
            except Empty:
                if not producer.is_alive() and not receiver._size("celery"):
                    break
    finally:
        producer.join(timeout=60)
    assert sorted(received) == list(range(MESSAGES))


def test_a_message_is_out_of_sight_until_it_is_written_whole(tmp_path, monkeypatch):
    """At the moment a message is being put in place, a consumer finds
    nothing to take: it is written under a name no consumer reads."""
    sender, receiver = channel(Transport, tmp_path), channel(Transport, tmp_path)
    seen = []
    replace = os.replace

    def watched(source, target):
        with pytest.raises(Empty):
            receiver._get("celery")
        seen.append((receiver._size("celery"), os.path.getsize(source)))
        replace(source, target)

    monkeypatch.setattr("asean_portal.ops.broker.os.replace", watched)
    sender._put("celery", {"number": 1})
    assert seen and seen[0][0] == 0 and seen[0][1] > 0
    assert receiver._get("celery") == {"number": 1}


def test_an_exchange_table_just_created_reads_as_no_bindings(tmp_path):
    """A table is created before it is written: a reader between the two
    finds it empty. Kombu's own transport raises there."""
    (tmp_path / "control").mkdir()
    (tmp_path / "control" / "portal.exchange").write_bytes(b"")
    assert channel(Transport, tmp_path).get_table("portal") == []
    with pytest.raises(ValueError):
        channel(filesystem.Transport, tmp_path).get_table("portal")


def test_two_processes_binding_at_once_lose_no_binding(tmp_path):
    """Each process reads, changes and writes the table under its lock."""
    processes(bind_queues, *((Transport, tmp_path, name, 150) for name in ("first", "second")))
    table = channel(Transport, tmp_path).get_table("portal")
    assert sorted(row.queue for row in table) == sorted(
        f"{name}-{number}" for name in ("first", "second") for number in range(150)
    )


def test_bindings_are_kept_and_removed_one_by_one(tmp_path):
    table = channel(Transport, tmp_path)
    table._queue_bind("portal", "a", "", "first")
    table._queue_bind("portal", "b", "", "second")
    table._queue_bind("portal", "a", "", "first")
    assert table.get_table("portal") == [("b", "", "second"), ("a", "", "first")]
    table._delete("first", "portal", "a", "")
    assert table.get_table("portal") == [("b", "", "second")]
    assert json.loads((tmp_path / "control" / "portal.exchange").read_text()) == [
        ["b", "", "second"]
    ]


def drain(root, found):
    """Take messages until the queue is empty, and write their numbers."""
    receiver = channel(Transport, root)
    numbers = []
    with contextlib.suppress(Empty):
        while True:
            numbers.append(receiver._get("celery")["number"])
    found.write_text(json.dumps(numbers))


def test_two_consumers_at_once_never_get_the_same_message(tmp_path):
    sender = channel(Transport, tmp_path)
    for number in range(600):
        sender._put("celery", {"number": number})
    processes(drain, *((tmp_path, tmp_path / f"found-{name}.json") for name in ("a", "b")))
    found = [json.loads((tmp_path / f"found-{name}.json").read_text()) for name in ("a", "b")]
    assert sorted(found[0] + found[1]) == list(range(600))
    assert os.listdir(tmp_path / "processed") == []


def test_a_message_that_cannot_be_claimed_is_an_error_not_a_skip(tmp_path, monkeypatch):
    """Only a message another consumer took is passed over: a claim that
    fails otherwise (folders on two file systems, no permission) says so."""
    queue = channel(Transport, tmp_path)
    queue._put("celery", {"number": 1})

    def refused(source, target):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr("asean_portal.ops.broker.os.rename", refused)
    with pytest.raises(ChannelError):
        queue._get("celery")
    assert queue._size("celery") == 1


def test_a_message_that_cannot_be_written_leaves_nothing_behind(tmp_path, monkeypatch):
    queue = channel(Transport, tmp_path)

    def full(source, target):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("asean_portal.ops.broker.os.replace", full)
    with pytest.raises(ChannelError):
        queue._put("celery", {"number": 1})
    assert os.listdir(tmp_path / "queue") == []


def test_an_unreadable_message_is_set_aside_and_the_next_one_delivered(tmp_path, caplog):
    """An empty message file (a process killed between creating and writing
    it under kombu's own transport) used to stop the worker."""
    queue = channel(Transport, tmp_path)
    # Names that sort before any message's (its time in milliseconds).
    (tmp_path / "queue" / "0_empty.celery.msg").write_bytes(b"")
    (tmp_path / "queue" / "0_cut.celery.msg").write_bytes(b'{"body": "')
    queue._put("celery", {"number": 7})
    with caplog.at_level(logging.ERROR, logger="asean_portal.ops.broker"):
        assert queue._get("celery") == {"number": 7}
    assert sorted(os.listdir(tmp_path / "processed")) == [
        "0_cut.celery.msg.unreadable",
        "0_empty.celery.msg.unreadable",
    ]
    assert [record.getMessage().split(" (")[0] for record in caplog.records] == [
        "the broker set aside an unreadable message"
    ] * 2
    with pytest.raises(Empty):
        queue._get("celery")


def test_a_message_being_written_is_not_taken(tmp_path):
    queue = channel(Transport, tmp_path)
    (tmp_path / "queue" / "1_partial.celery.msg.writing").write_bytes(b'{"num')
    with pytest.raises(Empty):
        queue._get("celery")
    assert queue._size("celery") == 0


def test_a_missing_processed_folder_is_made_rather_than_every_message_passed_over(tmp_path):
    (tmp_path / "queue").mkdir()
    queue = Connection(transport=Transport, transport_options=folders(tmp_path)).default_channel
    queue._put("celery", {"number": 1})
    assert queue._get("celery") == {"number": 1}


def test_a_message_left_half_written_by_a_killed_producer_is_removed(tmp_path, caplog):
    """A producer killed mid-write leaves its ``.writing`` file: no consumer
    reads it, and once it is older than any write takes, a consumer removes
    it, and says so. A message being written now stays."""
    queue = channel(Transport, tmp_path)
    left = tmp_path / "queue" / "1_left.celery.msg.writing"
    left.write_bytes(b'{"num')
    long_ago = left.stat().st_mtime - broker.ABANDONED_SECONDS - 1
    os.utime(left, (long_ago, long_ago))
    current = tmp_path / "queue" / "2_current.celery.msg.writing"
    current.write_bytes(b'{"num')
    with caplog.at_level(logging.WARNING, logger="asean_portal.ops.broker"):
        with pytest.raises(Empty):
            queue._get("celery")
    assert os.listdir(tmp_path / "queue") == [current.name]
    assert [record.getMessage() for record in caplog.records] == [
        f"the broker removed a message left half written: {left}"
    ]
