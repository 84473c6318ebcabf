# SPDX-License-Identifier: BSD-3-Clause
"""What the Python test clients share (server_client.py, restart_load.py,
import_flood.py): a connection to onboardd's socket and one varlink call
on it, a JSON message ended by a NUL byte each way."""
import json, socket


def conn(path, timeout=None):
    """A connected Unix stream socket; timeout in seconds for each
    operation on it (None: wait as long as it takes)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if timeout is not None:
        s.settimeout(timeout)
    s.connect(path)
    return s


def recv_reply(s):
    """The next message on s, without its NUL byte; OSError when the
    daemon closes the connection before a whole one."""
    buf = b""
    while not buf.endswith(b"\0"):
        chunk = s.recv(65536)
        if not chunk:
            raise OSError("connection closed without a reply")
        buf += chunk
    return buf[:-1]


def call_raw(s, msg):
    """Send msg as it is and return the reply; OSError when the daemon
    closes the connection before a whole reply."""
    s.sendall(json.dumps(msg).encode() + b"\0")
    return json.loads(recv_reply(s))


def call(s, method, params):
    """call_raw of the method with its parameters."""
    return call_raw(s, {"method": method, "parameters": params})
