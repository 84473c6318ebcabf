# SPDX-License-Identifier: BSD-3-Clause
"""A stand-in for journald's native socket, for tests where no journald
runs, or for systemd's notify socket: binds the datagram socket
sd_journal_send(3) or sd_notify(3) writes to, and writes each message it
receives as one JSON object a line to OUT.  Usage: journal_double.py
SOCKET OUT (runs until killed).

The native protocol: an entry is fields, each "NAME=value\\n", or for a
value holding a newline "NAME\\n", its length as 64-bit little-endian,
the value and "\\n"."""
import json, os, socket, struct, sys


def parse(data):
    fields, i = {}, 0
    while i < len(data):
        # sd_notify's messages may end without a newline.
        nl = data.find(b"\n", i)
        if nl < 0:
            nl = len(data)
        line = data[i:nl]
        if b"=" in line:
            name, value = line.split(b"=", 1)
            i = nl + 1
        else:
            name = line
            (size,) = struct.unpack_from("<Q", data, nl + 1)
            value = data[nl + 9:nl + 9 + size]
            i = nl + 9 + size + 1
        fields[name.decode()] = value.decode("utf-8", "replace")
    return fields


def main():
    path, out = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    with open(out, "a") as f:
        print(json.dumps({"double": "ready"}), file=f, flush=True)
        while True:
            data = s.recv(1 << 20)
            print(json.dumps(parse(data)), file=f, flush=True)


main()
