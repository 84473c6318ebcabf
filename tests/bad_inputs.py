#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The protocol rows of the bad-input table (tests/test_bad_inputs.sh).

  bad_inputs.py SOCKET setup        add the person the health check logs in
  bad_inputs.py SOCKET health       GetInfo on a fresh connection and one
                                    complete password login
  bad_inputs.py SOCKET proto PID    every protocol row

Each row sends one kind of bad input and checks what it must get: a
varlink error by name with a one-line message, or, for what is not a
varlink message at all (not JSON, over the cap, invalid UTF-8...), a
hang-up without a reply (the README: "is disconnected").  After each
row: the daemon (PID) is alive, a fresh connection gets GetInfo, a real
password login succeeds, and the people and codes are what they were.
Prints 'ok - NAME' or 'FAIL - NAME: why' a row."""
import json, os, resource, socket, sys, threading, time

import ob_client
from ob_client import call

PASSWORD = "Quiet-Harbour-5521-table"
HEALTHY = "healthy"
VICTIM = "victim"  # a person the rows aim at; never logs in
TIMEOUT = 10
# The daemon closes a connection whose message has not arrived whole
# within SERVER_MESSAGE_MS (10 s, daemon/core/server_private.h); its
# timer runs every second or so.
SLOW_CLOSE = 16


def conn(path, timeout=TIMEOUT):
    return ob_client.conn(path, timeout)


def verdict(r):
    return r.get("parameters", {}).get("verdict") or r.get("error")


def setup(path):
    s = conn(path)
    for name in (HEALTHY, VICTIM):
        r = call(s, "io.onboard.Admin.UserAdd",
                 {"username": name, "first_name": "Ada", "last_name": "Quill"})
        if "error" in r:
            raise RuntimeError(f"UserAdd {name}: {r}")
    code = call(s, "io.onboard.Admin.CodeIssue", {"username": HEALTHY})["parameters"]["code"]
    # The victim keeps an unused code: a row must not change it either.
    call(s, "io.onboard.Admin.CodeIssue", {"username": VICTIM})
    s.close()
    s = conn(path)
    call(s, "io.onboard.Login.Start", {"phase": "auth", "user": HEALTHY})
    call(s, "io.onboard.Login.Answer", {"answers": [code]})
    call(s, "io.onboard.Login.Answer", {"answers": [HEALTHY]})
    r = call(s, "io.onboard.Login.Answer", {"answers": [PASSWORD, PASSWORD]})
    s.close()
    if verdict(r) != "success":
        raise RuntimeError(f"setting the password of {HEALTHY}: {r}")


def health(path):
    """None when the daemon serves a newcomer, else why not."""
    try:
        s = conn(path)
        r = call(s, "org.varlink.service.GetInfo", {})
        s.close()
        if r.get("parameters", {}).get("product") != "onboardd":
            return f"GetInfo on a fresh connection got {r}"
        s = conn(path)
        r = call(s, "io.onboard.Login.Start",
                 {"phase": "auth", "user": HEALTHY, "service": "bad-inputs"})
        if verdict(r):
            return f"a real login's Start got {verdict(r)}"
        r = call(s, "io.onboard.Login.Answer", {"answers": [PASSWORD]})
        s.close()
        if verdict(r) != "success":
            return f"a real login ended in {verdict(r)}"
    except OSError as e:
        return f"the health check failed: {type(e).__name__}: {e}"
    return None


def snapshot(path):
    s = conn(path)
    users = call(s, "io.onboard.Admin.UserList", {})
    codes = call(s, "io.onboard.Admin.CodeList", {})
    s.close()
    return json.dumps([users, codes], sort_keys=True)


# ------------------------------------------------------------- helpers

def recv_all(s, seconds):
    """What the daemon sends until it closes s: (bytes, closed)."""
    s.settimeout(seconds)
    got = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return got, True
            got += chunk
    except (socket.timeout, TimeoutError):
        return got, False
    except OSError:
        return got, True


def hangup(path, data, seconds=5):
    """data is no varlink message: the daemon must close without a reply."""
    s = conn(path)
    try:
        s.sendall(data)
    except OSError:
        return None  # closed while we sent: that is the answer too
    got, closed = recv_all(s, seconds)
    s.close()
    if got:
        return f"expected a hang-up, got {got[:200]!r}"
    if not closed:
        return f"the connection is still open after {seconds} s"
    return None


def raw_reply(s, data):
    s.sendall(data)
    buf = b""
    while not buf.endswith(b"\0"):
        chunk = s.recv(65536)
        if not chunk:
            raise OSError("connection closed without a reply")
        buf += chunk
    return json.loads(buf[:-1])


def expect_error(r, name, param=None):
    """r is the error name, with a one-line message if any."""
    if r.get("error") != name:
        return f"expected {name}, got {json.dumps(r)[:300]}"
    p = r.get("parameters", {})
    if param is not None and p.get("parameter") != param:
        return f"expected the parameter {param!r} named, got {p}"
    msg = p.get("message", "")
    if "\n" in msg:
        return f"the message is more than one line: {msg!r}"
    return None


def error_and_serves(path, data, name, param=None):
    """An error reply by name, and the same connection still answers."""
    s = conn(path)
    r = raw_reply(s, data)
    why = expect_error(r, name, param)
    if why:
        return why
    r = call(s, "org.varlink.service.GetInfo", {})
    s.close()
    if r.get("parameters", {}).get("product") != "onboardd":
        return f"the connection did not serve the next call: {r}"
    return None


def login_reply(path, start, answer=None):
    s = conn(path)
    r = call(s, "io.onboard.Login.Start", start)
    if answer is not None and not verdict(r):
        r = raw_reply(s, answer)
    s.close()
    return r


def msg(obj):
    return json.dumps(obj).encode() + b"\0"


# ---------------------------------------------------------------- rows

ROWS = []


def row(fn):
    ROWS.append(fn)
    return fn


@row
def proto_not_json_is_disconnected_and_daemon_serves(path):
    return hangup(path, b"hello onboardd, this is not JSON\0")


@row
def proto_empty_message_is_disconnected_and_daemon_serves(path):
    return hangup(path, b"\0")


@row
def proto_top_level_array_is_disconnected_and_daemon_serves(path):
    return hangup(path, b'[{"method":"org.varlink.service.GetInfo"}]\0')


@row
def proto_trailing_garbage_is_disconnected_and_daemon_serves(path):
    return hangup(path, b'{"method":"org.varlink.service.GetInfo"} x\0')


@row
def proto_single_quoted_strings_are_disconnected_and_daemon_serves(path):
    return hangup(path, b"{'method':'org.varlink.service.GetInfo'}\0")


@row
def proto_over_64k_cap_is_disconnected_and_daemon_serves(path):
    pad = "x" * (64 * 1024)
    return hangup(path, msg({"method": "org.varlink.service.GetInfo",
                             "parameters": {"pad": pad}}))


@row
def proto_over_cap_without_nul_is_disconnected_and_daemon_serves(path):
    return hangup(path, b'{"method":"' + b"a" * (200 * 1024))


@row
def proto_deep_nesting_is_disconnected_and_daemon_serves(path):
    deep = b'{"a":' * 5000 + b"1" + b"}" * 5000
    return hangup(path, b'{"method":"org.varlink.service.GetInfo","parameters":'
                  + deep + b"}\0")


@row
def proto_duplicate_method_key_is_disconnected_and_daemon_serves(path):
    return hangup(path, b'{"method":"io.onboard.Admin.UserDelete",'
                  b'"method":"org.varlink.service.GetInfo","parameters":'
                  b'{"username":"victim"}}\0')


@row
def proto_duplicate_parameter_key_is_disconnected_and_daemon_serves(path):
    return hangup(path, b'{"method":"io.onboard.Admin.CodeRevoke","parameters":'
                  b'{"username":"nobody","username":"victim"}}\0')


@row
def proto_escaped_nul_in_a_string_is_disconnected_and_daemon_serves(path):
    return hangup(path, b'{"method":"io.onboard.Admin.CodeRevoke","parameters":'
                  b'{"username":"victim\\u0000x"}}\0')


@row
def proto_raw_nul_inside_a_string_is_disconnected_and_daemon_serves(path):
    # The NUL ends the message early: what came before is not JSON.
    return hangup(path, b'{"method":"io.onboard.Admin.CodeRevoke","parameters":'
                  b'{"username":"vic\0tim"}}\0')


@row
def proto_invalid_utf8_is_disconnected_and_daemon_serves(path):
    return hangup(path, b'{"method":"io.onboard.Admin.UserShow","parameters":'
                  b'{"username":"vi\xffctim"}}\0')


@row
def proto_overlong_utf8_is_disconnected_and_daemon_serves(path):
    # "/" written in two bytes (C0 AF): a classic filter bypass.
    return hangup(path, b'{"method":"io.onboard.Admin.UserShow","parameters":'
                  b'{"username":"\xc0\xafvictim"}}\0')


@row
def proto_utf16_surrogate_is_disconnected_and_daemon_serves(path):
    return hangup(path, b'{"method":"io.onboard.Admin.UserShow","parameters":'
                  b'{"username":"\xed\xa0\x80victim"}}\0')


@row
def proto_method_not_a_string_is_disconnected_and_daemon_serves(path):
    return hangup(path, msg({"method": 42, "parameters": {}}))


@row
def proto_parameters_not_an_object_is_disconnected_and_daemon_serves(path):
    return hangup(path, msg({"method": "org.varlink.service.GetInfo", "parameters": [1]}))


@row
def proto_unknown_method_gets_method_not_found_and_daemon_serves(path):
    return error_and_serves(path, msg({"method": "org.varlink.service.Reboot"}),
                            "org.varlink.service.MethodNotFound")


@row
def proto_unknown_interface_gets_interface_not_found_and_daemon_serves(path):
    return error_and_serves(path, msg({"method": "com.example.Nothing.Here"}),
                            "org.varlink.service.InterfaceNotFound")


@row
def proto_unknown_admin_method_gets_method_not_found_and_daemon_serves(path):
    return error_and_serves(path, msg({"method": "io.onboard.Admin.DropDatabase"}),
                            "org.varlink.service.MethodNotFound")


@row
def proto_unknown_interface_description_gets_interface_not_found(path):
    return error_and_serves(path, msg({"method": "org.varlink.service.GetInterfaceDescription",
                                       "parameters": {"interface": "com.example.X"}}),
                            "org.varlink.service.InterfaceNotFound")


@row
def proto_more_flag_gets_invalid_parameter_and_keeps_the_connection(path):
    return error_and_serves(path, msg({"method": "org.varlink.service.GetInfo", "more": True}),
                            "org.varlink.service.InvalidParameter", "more")


@row
def proto_more_flag_not_a_boolean_is_disconnected_and_daemon_serves(path):
    return hangup(path, msg({"method": "org.varlink.service.GetInfo", "more": "yes"}))


@row
def proto_login_user_a_number_gets_invalid_parameter(path):
    r = login_reply(path, {"phase": "auth", "user": 1001})
    return expect_error(r, "org.varlink.service.InvalidParameter", "user")


@row
def proto_login_unknown_phase_gets_invalid_parameter(path):
    r = login_reply(path, {"phase": "reboot", "user": VICTIM})
    return expect_error(r, "org.varlink.service.InvalidParameter", "phase")


@row
def proto_login_huge_user_field_gets_invalid_parameter(path):
    r = login_reply(path, {"phase": "auth", "user": "v" * 60000})
    return expect_error(r, "org.varlink.service.InvalidParameter", "user")


@row
def proto_answer_without_start_gets_no_session(path):
    s = conn(path)
    r = call(s, "io.onboard.Login.Answer", {"answers": ["x"]})
    s.close()
    return expect_error(r, "io.onboard.Login.NoSession")


@row
def proto_answers_not_an_array_gets_invalid_parameter(path):
    r = login_reply(path, {"phase": "auth", "user": VICTIM},
                    msg({"method": "io.onboard.Login.Answer",
                         "parameters": {"answers": "ABCD-EFGH"}}))
    return expect_error(r, "org.varlink.service.InvalidParameter", "answers")


@row
def proto_answer_a_number_gets_invalid_parameter(path):
    r = login_reply(path, {"phase": "auth", "user": VICTIM},
                    msg({"method": "io.onboard.Login.Answer", "parameters": {"answers": [7]}}))
    return expect_error(r, "org.varlink.service.InvalidParameter", "answers")


@row
def proto_huge_answer_is_refused_in_one_line(path):
    r = login_reply(path, {"phase": "auth", "user": VICTIM},
                    msg({"method": "io.onboard.Login.Answer",
                         "parameters": {"answers": ["A" * 60000]}}))
    if verdict(r) != "auth_err":
        return f"expected the verdict auth_err, got {json.dumps(r)[:300]}"
    texts = [p.get("text", "") for p in r["parameters"].get("messages", [])]
    if not texts or any("\n" in t for t in texts):
        return f"expected one line saying why, got {texts}"
    return None


@row
def proto_admin_username_a_number_gets_invalid_argument(path):
    s = conn(path)
    r = call(s, "io.onboard.Admin.UserAdd",
             {"username": 5, "first_name": "A", "last_name": "B"})
    s.close()
    if r.get("error") not in ("io.onboard.Admin.InvalidArgument",
                              "org.varlink.service.InvalidParameter"):
        return f"expected InvalidArgument or InvalidParameter, got {r}"
    return expect_error(r, r["error"])


@row
def proto_admin_huge_first_name_gets_invalid_argument(path):
    s = conn(path)
    r = call(s, "io.onboard.Admin.UserAdd",
             {"username": "hugename", "first_name": "F" * 60000, "last_name": "B"})
    s.close()
    if r.get("error") not in ("io.onboard.Admin.InvalidArgument",
                              "org.varlink.service.InvalidParameter"):
        return f"expected InvalidArgument or InvalidParameter, got {json.dumps(r)[:300]}"
    return expect_error(r, r["error"])


@row
def proto_admin_control_characters_in_a_name_get_invalid_argument(path):
    s = conn(path)
    r = call(s, "io.onboard.Admin.UserAdd",
             {"username": "ctlname", "first_name": "Evil\nLine", "last_name": "B"})
    s.close()
    if r.get("error") not in ("io.onboard.Admin.InvalidArgument",
                              "org.varlink.service.InvalidParameter"):
        return f"expected InvalidArgument or InvalidParameter, got {json.dumps(r)[:300]}"
    return expect_error(r, r["error"])


@row
def proto_oneway_bad_call_gets_no_reply_and_daemon_serves(path):
    # A oneway call wants no reply, an error included; the next call is
    # answered on the same connection.
    s = conn(path)
    s.sendall(msg({"method": "org.varlink.service.Reboot", "oneway": True}))
    r = call(s, "org.varlink.service.GetInfo", {})
    s.close()
    if r.get("parameters", {}).get("product") != "onboardd":
        return f"the call after a oneway one got {r}"
    return None


@row
def proto_never_reading_replies_is_dropped_while_others_are_served(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(path)
    s.settimeout(10)
    call_bytes = msg({"method": "org.varlink.service.GetInterfaceDescription",
                      "parameters": {"interface": "io.onboard.Admin"}})
    dropped = False
    try:
        for _ in range(400):
            s.sendall(call_bytes)
    except OSError:
        dropped = True
    # Others are served while this one sits on its replies.
    why = health(path)
    if why:
        return "while a client did not read: " + why
    if not dropped:
        _, closed = recv_all(s, 10)
        dropped = closed
    s.close()
    if not dropped:
        return "a client that never reads 400 replies was not dropped"
    return None


@row
def proto_thousands_of_connections_do_not_stop_the_daemon(path):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 3000
    if soft < want + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, want + 100), hard))
    socks, failed = [], 0
    try:
        for _ in range(want):
            try:
                socks.append(conn(path, 2))
            except OSError:
                failed += 1
        # Past the caps each newcomer is told "busy" or closed, not hung.
        s = socks[-1] if socks else None
        if s is not None:
            try:
                r = call(s, "org.varlink.service.GetInfo", {})
                if r.get("error") not in ("io.onboard.Login.Busy", None):
                    return f"the last of {len(socks)} connections got {r}"
            except OSError:
                pass  # closed: refused at accept
    finally:
        for s in socks:
            s.close()
    if not socks:
        return f"none of {want} connections got through"
    return None


def slow_rows(path):
    """Rows that take the daemon's 10 s: started first, judged last."""
    results = {}

    def partial(name, first, then=b""):
        s = conn(path)
        s.sendall(first)
        t0 = time.monotonic()
        if then:
            for b in then:
                try:
                    s.sendall(bytes([b]))
                except OSError:
                    break
                _, closed = recv_all(s, 1)
                if closed:
                    results[name] = None if time.monotonic() - t0 < SLOW_CLOSE else \
                        "closed too late"
                    s.close()
                    return
        got, closed = recv_all(s, SLOW_CLOSE)
        s.close()
        if got:
            results[name] = f"expected a hang-up, got {got[:200]!r}"
        elif not closed:
            results[name] = f"still open after {SLOW_CLOSE} s"
        else:
            results[name] = None

    steps = [
        ("proto_no_nul_terminator_is_closed_within_10_s_and_daemon_serves",
         (b'{"method":"org.varlink.service.GetInfo"}',)),
        ("proto_one_byte_a_second_is_closed_within_10_s_and_daemon_serves",
         (b"{", b'"method":"org.varlink.service.GetInfo"        ')),
        ("proto_connection_that_never_calls_is_closed_and_daemon_serves", (b"",)),
    ]
    threads = []
    for name, args in steps:
        t = threading.Thread(target=partial, args=(name,) + args, daemon=True)
        t.start()
        threads.append((name, t))
    return threads, results


def proto(path, pid):
    failed = 0

    def report(name, why):
        nonlocal failed
        if why:
            failed += 1
            print(f"FAIL - {name}: {why}", flush=True)
        else:
            print(f"ok - {name}", flush=True)

    def after(why, before):
        try:
            os.kill(pid, 0)
        except OSError:
            return (why + "; " if why else "") + "the daemon is gone"
        why = why or health(path)
        if not why and snapshot(path) != before:
            why = "the people or codes changed"
        return why

    threads, results = slow_rows(path)
    for fn in ROWS:
        before = snapshot(path)
        try:
            why = fn(path)
        except (OSError, ValueError, KeyError) as e:
            why = f"{type(e).__name__}: {e}"
        report(fn.__name__, after(why, before))
    before = snapshot(path)
    for name, t in threads:
        t.join(SLOW_CLOSE + 5)
        why = results.get(name, "did not finish")
        report(name, after(why, before))
    return 1 if failed else 0


def main():
    path, cmd = sys.argv[1], sys.argv[2]
    if cmd == "setup":
        setup(path)
        return 0
    if cmd == "health":
        why = health(path)
        if why:
            print(why)
            return 1
        return 0
    if cmd == "snapshot":
        print(snapshot(path))
        return 0
    if cmd == "proto":
        return proto(path, int(sys.argv[3]))
    print(f"unknown command {cmd}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
