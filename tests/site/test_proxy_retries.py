"""Which requests the proxy sends again to the next node when one fails
(deploy/nginx/portal.conf.template): a node that is refused or dies before
it is sent a request costs no request of any method; a request that reached
a node which then failed is sent again only if sending it twice is harmless.
A form sent twice would store a reader's message twice, or an editor's new
item twice, so a POST that a node received is never sent to another.

The nodes here are sockets that read a whole request and close without an
answer, as a node killed while working on it does."""

import http.client
import shutil
import socket
import threading
import time

import pytest

from asean_portal.ops import proxy
from tests.conftest import free_port, unavailable


class FailingNode:
    """Accepts connections, reads each request whole, records its method, and
    closes the connection without answering."""

    def __init__(self):
        self.port = free_port()
        self.methods = []
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.2)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopped.is_set():
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            # The file holds the socket open until it is closed too.
            with connection, connection.makefile("rb") as request:
                connection.settimeout(5)
                line = request.readline()
                if not line:
                    continue
                length = 0
                while (header := request.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = header.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                request.read(length)
                self.methods.append(line.split()[0].decode())

    def stop(self):
        self.stopped.set()
        self.thread.join(5)
        self.listener.close()


@pytest.fixture
def failing(tmp_path, request):
    if not shutil.which(proxy.NGINX):
        unavailable("nginx is not installed (apt-get install nginx)")
    nodes = [FailingNode(), FailingNode()]
    port = free_port()
    config = proxy.write(
        tmp_path / "nginx",
        listen=f"127.0.0.1:{port}",
        upstreams=[f"127.0.0.1:{node.port}" for node in nodes],
        error_page=getattr(request, "param", proxy.ERROR_PAGE),
    )
    nginx = proxy.start(config)
    try:
        yield port, nodes
    finally:
        nginx.terminate()
        nginx.wait(10)
        for node in nodes:
            node.stop()


def send(port, method, path, body=None):
    return request(port, method, path, body)[0]


def request(port, method, path, body=None):
    for _attempt in range(50):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        try:
            connection.request(
                method,
                path,
                body=body,
                headers={
                    "Host": "127.0.0.1",
                    # Past the proxy's cache, as every form's request goes.
                    "Cookie": "csrftoken=x",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            response = connection.getresponse()
            return response.status, response.read().decode(), response.headers
        except ConnectionRefusedError:
            # nginx is still starting.
            time.sleep(0.1)
        finally:
            connection.close()
    raise AssertionError("the proxy never answered")


def received(nodes):
    return sorted(method for node in nodes for method in node.methods)


def test_a_form_that_reached_a_failing_node_is_not_sent_to_another(failing):
    port, nodes = failing
    status = send(port, "POST", "/vi/gioi-thieu/", body="message=xin+ch%C3%A0o")
    assert status == 502
    assert received(nodes) == ["POST"]


def test_a_page_that_reached_a_failing_node_is_asked_of_the_next(failing):
    port, nodes = failing
    status = send(port, "GET", "/vi/tin-tuc/?retry=1")
    assert status == 502
    assert received(nodes) == ["GET", "GET"]


def test_a_form_goes_to_the_next_node_when_one_refuses_it(tmp_path):
    """A node that is down (its port refuses) has not received the form: the
    next node answers it."""
    if not shutil.which(proxy.NGINX):
        unavailable("nginx is not installed (apt-get install nginx)")
    down, node = free_port(), FailingNode()
    port = free_port()
    config = proxy.write(
        tmp_path / "nginx",
        listen=f"127.0.0.1:{port}",
        upstreams=[f"127.0.0.1:{down}", f"127.0.0.1:{node.port}"],
    )
    nginx = proxy.start(config)
    try:
        for n in range(2):
            send(port, "POST", f"/vi/gioi-thieu/?n={n}", body="message=a")
    finally:
        nginx.terminate()
        nginx.wait(10)
        node.stop()
    # Round robin sends one of the two to the refusing port first; both reach
    # the working node, once each.
    assert node.methods == ["POST", "POST"]


def test_the_reader_gets_the_portals_page_in_both_languages_not_nginxs(failing):
    port, _nodes = failing
    status, body, headers = request(port, "POST", "/en/about/", body="message=a")
    assert status == 502
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    assert "nginx" not in body
    assert '<section lang="vi">' in body and '<section lang="en">' in body
    assert "Cổng thông tin chưa phản hồi" in body
    assert "If you were sending a form, it may have been received" in body


@pytest.mark.parametrize("failing", ["/nonexistent/unavailable.html"], indirect=True)
def test_without_its_page_the_proxy_still_answers_502(failing):
    port, _nodes = failing
    status, body, _headers = request(port, "GET", "/vi/")
    assert status == 502
    assert "Bad Gateway" in body
