#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A client of onboardd's userdb socket for tests/test_userdb.sh: each
subcommand prints one line 'ok ...' or 'fail ...' and exits 0 or 1."""
import json, socket, sys

from ob_client import conn, call_raw

IFACE = "io.systemd.UserDatabase"


def replies(s, msg):
    """Send msg and read replies until one without "continues"."""
    s.sendall(json.dumps(msg).encode() + b"\0")
    buf, out = b"", []
    while True:
        while b"\0" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                raise OSError("connection closed after %d replies" % len(out))
            buf += chunk
        one, buf = buf.split(b"\0", 1)
        r = json.loads(one)
        out.append(r)
        if not r.get("continues"):
            return out


def enumerate_all(path, service):
    """Every record and membership, with "more"."""
    got = {}
    for method in ("GetUserRecord", "GetGroupRecord", "GetMemberships"):
        s = conn(path, 10)
        got[method] = replies(s, {"method": IFACE + "." + method,
                                  "parameters": {"service": service}, "more": True})
        s.close()
    return got


def cmd_dump(path, service):
    """Print every reply of the three enumerations, one a line."""
    for method, rs in enumerate_all(path, service).items():
        for r in rs:
            print(method, json.dumps(r, sort_keys=True))
    return 0


def cmd_call(path, msg):
    """One call; print its replies."""
    s = conn(path, 10)
    for r in replies(s, json.loads(msg)):
        print(json.dumps(r, sort_keys=True))
    return 0


def still_serving(path, service, name):
    s = conn(path, 10)
    r = call_raw(s, {"method": IFACE + ".GetUserRecord",
                     "parameters": {"userName": name, "service": service}})
    return r.get("parameters", {}).get("record", {}).get("userName") == name


def refused(path, raw):
    """Send raw bytes; the answer must be an error or a closed connection."""
    s = conn(path, 10)
    try:
        s.sendall(raw)
        buf = b""
        while b"\0" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                return "closed"
            buf += chunk
        r = json.loads(buf.split(b"\0", 1)[0])
        return "error " + r["error"] if "error" in r else None
    except OSError:
        return "closed"
    finally:
        s.close()


def cmd_bad(path, service, name):
    """Malformed and oversized calls are refused; the daemon keeps serving."""
    def call(params, more=False, method="GetUserRecord"):
        m = {"method": IFACE + "." + method, "parameters": params}
        if more:
            m["more"] = True
        return json.dumps(m).encode() + b"\0"

    cases = [
        ("not json", b"{nope\0"),
        ("no method", b'{"parameters":{}}\0'),
        ("parameters not an object", b'{"method":"%s.GetUserRecord","parameters":[1]}\0' % IFACE.encode()),
        ("unknown parameter", call({"service": service, "userName": name, "fuzzyNames": ["x"]})),
        ("uid a string", call({"service": service, "uid": "65536"})),
        ("uid negative", call({"service": service, "uid": -1})),
        ("uid too big", call({"service": service, "uid": 2**40})),
        ("userName a number", call({"service": service, "userName": 7})),
        ("no service", call({"userName": name})),
        ("another service", call({"service": "io.systemd.Multiplexer", "userName": name})),
        ("enumeration without more", call({"service": service})),
        ("a login call on the userdb socket",
         b'{"method":"io.onboard.Login.Start","parameters":{"user":"x"}}\0'),
        ("an admin call on the userdb socket",
         b'{"method":"io.onboard.Admin.Status","parameters":{}}\0'),
        ("no such method", call({"service": service}, method="DropAll")),
        ("a long name", call({"service": service, "userName": "a" * 5000})),
        ("oversized", call({"service": service, "userName": "a" * 70000})),
        ("nul inside", b'{"method":"%s.GetUserRecord","parameters":{"service":"%s","userName":"a\\u0000b"}}\0'
         % (IFACE.encode(), service.encode())),
    ]
    bad = []
    for what, raw in cases:
        r = refused(path, raw)
        if r is None:
            bad.append(what + ": answered")
        if not still_serving(path, service, name):
            bad.append(what + ": the daemon stopped serving")
            break
    if bad:
        print("fail", "; ".join(bad))
        return 1
    print("ok %d bad calls refused, the daemon still serves" % len(cases))
    return 0


def cmd_errors(path, service, name, uid):
    """The errors systemd's clients expect, by name."""
    want = [
        ({"service": service, "userName": "nosuchperson"}, False, IFACE + ".NoRecordFound"),
        ({"service": service, "uid": 4000000000}, False, IFACE + ".NoRecordFound"),
        ({"service": "io.onboard.other", "userName": name}, False, IFACE + ".BadService"),
        ({"userName": name}, False, IFACE + ".BadService"),
        ({"service": service, "userName": name, "uid": int(uid) + 1000}, False,
         IFACE + ".ConflictingRecordFound"),
        ({"service": service}, False, "org.varlink.service.ExpectedMore"),
        ({"service": service, "bogus": 1}, False, "org.varlink.service.InvalidParameter"),
    ]
    bad = []
    for params, more, err in want:
        s = conn(path, 10)
        m = {"method": IFACE + ".GetUserRecord", "parameters": params}
        if more:
            m["more"] = True
        r = replies(s, m)[-1]
        s.close()
        if r.get("error") != err:
            bad.append("%s: got %s, want %s" % (json.dumps(params), json.dumps(r), err))
    if bad:
        print("fail", "; ".join(bad))
        return 1
    print("ok %d errors as systemd names them" % len(want))
    return 0


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    return {"dump": cmd_dump, "call": cmd_call, "bad": cmd_bad,
            "errors": cmd_errors}[cmd](*args)


if __name__ == "__main__":
    sys.exit(main())
