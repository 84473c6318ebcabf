#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Misbehaving clients for tests/test_server.sh.  Each subcommand prints
one line 'ok ...' or 'fail ...' and exits 0 or 1."""
import json, os, socket, sys, threading, time

from ob_client import call, call_raw, conn, recv_reply

def closed_within(s, seconds):
    """Whether the daemon closes s within seconds (reads until EOF)."""
    s.settimeout(seconds)
    start = time.monotonic()
    try:
        while s.recv(4096):
            pass
        return time.monotonic() - start
    except (socket.timeout, TimeoutError):
        return None
    except OSError:
        return time.monotonic() - start

def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime

def unread_replies(path, pid):
    # A small receive buffer makes the daemon wait for the socket to
    # become writable (EPOLLOUT) while we do not read.
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(path)
    call = b'{"method":"org.varlink.service.GetInfo"}\0'
    s.sendall(call * 1000)
    time.sleep(0.5)
    s.settimeout(5)
    got = b""
    while got.count(b"\0") < 1000:
        chunk = s.recv(65536)
        if not chunk:
            n = got.count(b"\0")
            print(f"fail the daemon closed after {n} of 1000 replies")
            return 1
        got += chunk
    before, t0 = cpu_ticks(pid), time.monotonic()
    time.sleep(2)
    used = (cpu_ticks(pid) - before) / os.sysconf("SC_CLK_TCK")
    wall = time.monotonic() - t0
    s.close()
    if used > 0.25 * wall:
        print(f"fail daemon used {used:.2f} s CPU in {wall:.1f} s while idle")
        return 1
    print(f"ok daemon used {used:.2f} s CPU in {wall:.1f} s idle after 1000 replies")
    return 0

def slow_clients(path):
    silent = conn(path)
    trickle = conn(path)
    results = {}
    def trickler():
        trickle.sendall(b'{"method":')
        for _ in range(8):
            time.sleep(2)
            try:
                trickle.sendall(b" ")
            except OSError:
                return
    t = threading.Thread(target=trickler, daemon=True)
    t.start()
    results["silent"] = closed_within(silent, 15)
    results["trickle"] = closed_within(trickle, 15)
    bad = [k for k, v in results.items() if v is None]
    if bad:
        print(f"fail still open after 15 s: {', '.join(bad)}")
        return 1
    print("ok silent and trickling connections closed")
    return 0

def uid0_not_capped(path, n):
    socks = [conn(path) for _ in range(n)]
    for s in socks:
        s.sendall(b'{"method":"org.varlink.service.GetInfo"}\0')
    for i, s in enumerate(socks):
        s.settimeout(5)
        if b"onboardd" not in s.recv(65536):
            print(f"fail connection {i} of uid 0 got no reply")
            return 1
    print(f"ok {n} connections of uid 0 all answered")
    return 0

def capped(path, n):
    """Run as a non-root uid: connection n+1 is refused."""
    socks = [conn(path) for _ in range(n + 1)]
    answered = 0
    for s in socks:
        try:
            s.sendall(b'{"method":"org.varlink.service.GetInfo"}\0')
            s.settimeout(5)
            if b"onboardd" in s.recv(65536):
                answered += 1
        except OSError:
            pass
    if answered != n:
        print(f"fail {answered} of {n + 1} connections answered, want {n}")
        return 1
    print(f"ok uid {os.getuid()} capped at {n} connections")
    return 0

def setuid_capped(path, n):
    """As a setuid program run by an ordinary user connects (effective uid
    0, real uid 4242): the daemon counts its connections for uid 4242 from
    the moment they are accepted, before any call names anyone: n are
    answered, connection n+1 gets Busy at its first call."""
    pid = os.fork()
    if pid == 0:
        os.setresuid(4242, 0, 0)
        socks = [conn(path) for _ in range(n + 1)]
        replies = []
        for s in socks:
            try:
                s.sendall(b'{"method":"org.varlink.service.GetInfo"}\0')
                s.settimeout(5)
                replies.append(s.recv(65536))
            except OSError:
                replies.append(b"")
        answered = sum(b"onboardd" in r for r in replies)
        if answered != n or b"Busy" not in replies[-1]:
            print(f"fail {answered} of {n + 1} connections of real uid 4242 answered "
                  f"(want {n}), the last got {replies[-1][:80]!r}")
            os._exit(1)
        print(f"ok real uid 4242 behind effective uid 0 capped at {n} connections")
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)

def lock_race(path):
    """30 wrong passwords in parallel, then the right one: with one worker
    and lockout_attempts = 5, the right one is checked after the lock and
    must get the lock's answer, not the next step."""
    a = conn(path)
    call(a, "io.onboard.Admin.UserAdd",
         {"username": "racer", "first_name": "Rita", "last_name": "Racer"})
    code = call(a, "io.onboard.Admin.CodeIssue", {"username": "racer"})["parameters"]["code"]
    a.close()
    pw = "Velvet-Lantern-4417"
    s = conn(path)
    call(s, "io.onboard.Login.Start", {"phase": "auth", "user": "racer"})
    call(s, "io.onboard.Login.Answer", {"answers": [code]})
    call(s, "io.onboard.Login.Answer", {"answers": ["racer"]})
    r = call(s, "io.onboard.Login.Answer", {"answers": [pw, pw]})
    s.close()  # at the enrolment: the password is set
    socks = []
    for i in range(31):
        c = conn(path)
        call(c, "io.onboard.Login.Start", {"phase": "auth", "user": "racer"})
        socks.append(c)
    # All 31 answers go out at once: the right one arrives before the
    # wrong ones have been hashed, and is hashed after them.
    msgs = [json.dumps({"method": "io.onboard.Login.Answer",
                        "parameters": {"answers": ["wrong-password-%d" % i]}}).encode() + b"\0"
            for i in range(30)]
    for c, m in zip(socks[:30], msgs):
        c.sendall(m)
    # Let the daemon read (and queue) the wrong ones first; at 8 MiB a
    # hash takes ~10 ms, so hardly any is counted yet when the right one
    # arrives and passes the gate.
    time.sleep(0.005)
    last = call(socks[30], "io.onboard.Login.Answer", {"answers": [pw]})["parameters"]
    for c in socks:
        c.close()
    if last.get("verdict") != "maxtries":
        print(f"fail the right password after 30 parallel wrong ones got {last}")
        return 1
    print("ok the right password checked after the lock got the lock's answer")
    return 0

def more(path):
    """A call with "more": true (or "upgrade": true) is answered with an
    error naming the parameter, and the connection stays usable."""
    s = conn(path)
    s.settimeout(5)
    for flag in ("more", "upgrade"):
        for method in ("org.varlink.service.GetInfo", "io.onboard.Login.Start"):
            try:
                r = call_raw(s, {"method": method, "parameters": {}, flag: True})
            except OSError as e:
                print(f"fail {method} with {flag}: {e} (no error reply)")
                return 1
            if (r.get("error") != "org.varlink.service.InvalidParameter" or
                    r.get("parameters", {}).get("parameter") != flag):
                print(f"fail {method} with {flag} got {r}")
                return 1
    try:
        r = call_raw(s, {"method": "org.varlink.service.GetInfo"})
    except OSError as e:
        print(f"fail the connection did not survive: {e}")
        return 1
    if r.get("parameters", {}).get("product") != "onboardd":
        print(f"fail GetInfo afterwards got {r}")
        return 1
    print("ok more and upgrade get InvalidParameter; the connection stays")
    return 0

def huge_answer(path):
    """Answers of 100,000 bytes sent past the module, at the access code and
    as the username to start with: refused (an error or the connection
    closed, never a dialogue that goes on), the code not spent, and the
    daemon still serving."""
    huge = "x" * 100000
    a = conn(path)
    call(a, "io.onboard.Admin.UserAdd",
         {"username": "hugh", "first_name": "Hugh", "last_name": "Huge"})
    code = call(a, "io.onboard.Admin.CodeIssue", {"username": "hugh"})["parameters"]["code"]
    a.close()
    for what, steps in (("an answer", [("io.onboard.Login.Start", {"phase": "auth", "user": "hugh"}),
                                       ("io.onboard.Login.Answer", {"answers": [huge]})]),
                        ("a username", [("io.onboard.Login.Start", {"phase": "auth", "user": huge})])):
        s = conn(path)
        try:
            for method, params in steps:
                r = call(s, method, params)
        except OSError:
            r = None  # closed: refused
        s.close()
        if r is not None and "error" not in r:
            p = r.get("parameters", {})
            if "verdict" not in p or p["verdict"] == "success":
                print(f"fail {what} of 100,000 bytes got {str(r)[:200]}")
                return 1
    try:
        s = conn(path)
        call(s, "io.onboard.Login.Start", {"phase": "auth", "user": "hugh"})
        r = call(s, "io.onboard.Login.Answer", {"answers": [code]})
        s.close()
    except OSError as e:
        print(f"fail the daemon no longer answers after 100,000 bytes: {e}")
        return 1
    if "verdict" in r.get("parameters", {}) or not r.get("parameters", {}).get("messages"):
        print(f"fail after 100,000 bytes the access code got {str(r)[:200]}")
        return 1
    print("ok answers of 100,000 bytes refused; the code still valid, the daemon serving")
    return 0

def near_cap(path):
    """A call of exactly 65,536 bytes (the cap, without its NUL), sent in
    pieces, is answered, on a connection that then goes on; one of 65,537
    bytes gets the connection closed, as it always did."""
    cap = 64 * 1024
    def of_length(n):
        head = b'{"method":"org.varlink.service.GetInfo","parameters":{"pad":"'
        return head + b"x" * (n - len(head) - 3) + b'"}}'
    s = conn(path)
    s.settimeout(10)
    msg = of_length(cap)
    for i in range(0, len(msg), 1000):
        s.sendall(msg[i:i + 1000])
        time.sleep(0.001)
    s.sendall(b"\0")
    try:
        r = json.loads(recv_reply(s))
        if r.get("parameters", {}).get("product") == "onboardd":
            r = call_raw(s, {"method": "org.varlink.service.GetInfo"})
    except (OSError, ValueError) as e:
        print(f"fail a call of {cap} bytes: {e}")
        return 1
    if r.get("parameters", {}).get("product") != "onboardd":
        print(f"fail a call of {cap} bytes got {str(r)[:200]}")
        return 1
    s.close()
    s = conn(path)
    try:
        s.sendall(of_length(cap + 1) + b"\0")
    except OSError:
        pass
    if closed_within(s, 10) is None:
        print(f"fail a call of {cap + 1} bytes left the connection open")
        return 1
    print(f"ok a call of {cap} bytes answered; one of {cap + 1} bytes closed")
    return 0

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def idle_memory(path, pid):
    """A burst of 100 connections, each holding a call of 60,000 bytes at
    once, grows the daemon's heap by several MiB; once they have all
    closed and the daemon is idle, it gives that memory back (glibc keeps
    a freed heap otherwise): its RSS comes back near where it was."""
    fresh = rss_kib(pid)
    head = b'{"method":"org.varlink.service.GetInfo","parameters":{"pad":"'
    socks = []
    for _ in range(100):
        s = conn(path)
        s.settimeout(10)
        s.sendall(head + b"x" * (60000 - len(head) - 3) + b'"}}')
        socks.append(s)
    # The peak is read while every call is held unfinished: the daemon
    # frees a reader's buffer once its call is answered, so read after
    # the replies it would depend on how many were still open.
    time.sleep(0.2)
    peak = rss_kib(pid)
    for s in socks:
        s.sendall(b"\0")
    for s in socks:
        try:
            recv_reply(s)
        except OSError:
            print("fail a connection of the burst was closed unanswered")
            return 1
    peak = max(peak, rss_kib(pid))
    for s in socks[::2]:
        s.close()
    time.sleep(0.2)
    for s in socks[1::2]:
        s.close()
    limit = fresh + (peak - fresh) // 3
    now = rss_kib(pid)
    for _ in range(60):  # a bound, not a measure: usually the first look
        if now <= limit:
            break
        time.sleep(0.5)
        now = rss_kib(pid)
    if peak - fresh < 2048 or now > limit:
        print(f"fail RSS {fresh} KiB before, {peak} KiB in the burst, {now} KiB idle after "
              f"(want at most {limit})")
        return 1
    print(f"ok RSS {fresh} KiB before, {peak} KiB in the burst, {now} KiB idle after")
    return 0

def flood_starves(path):
    """One connection that pipelines 400,000 calls (oneway: no reply to
    read, so it is never dropped for not reading them), then GetInfo,
    must not keep the daemon from the others: GetInfo on a second
    connection, sent while the flood goes on, is answered before the
    flood's own GetInfo at its end."""
    import select
    flood = conn(path)
    try:  # room for a second or so of the daemon's work in the socket
        flood.setsockopt(socket.SOL_SOCKET, 32, 8 << 20)  # SO_SNDBUFFORCE
    except OSError:
        flood.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
    batch = b'{"method":"org.varlink.service.GetInfo","oneway":true}\0' * 4000
    writer = os.fork()
    if writer == 0:
        try:
            for _ in range(100):
                flood.sendall(batch)
            flood.sendall(b'{"method":"org.varlink.service.GetInfo"}\0')
        except OSError:
            pass
        os._exit(0)
    time.sleep(0.5)
    other = conn(path)
    other.sendall(b'{"method":"org.varlink.service.GetInfo"}\0')
    t0 = time.monotonic()
    ready, _, _ = select.select([other, flood], [], [], 300)
    took = time.monotonic() - t0
    first = "the other connection" if other in ready else "the flood" if ready else None
    os.kill(writer, 9)
    os.waitpid(writer, 0)
    flood.close()
    other.close()
    if first != "the other connection":
        print(f"fail a second connection was answered only after 400,000 pipelined calls "
              f"of one client, {took:.1f} s (first: {first})")
        return 1
    print(f"ok a second connection was answered in {took * 1000:.0f} ms while one client "
          "pipelined 400,000 calls")
    return 0

if __name__ == "__main__":
    cmd, path = sys.argv[1], sys.argv[2]
    # Each command, and whether a number follows the socket's path.
    commands = {
        "unread-replies": (unread_replies, True),
        "slow-clients": (slow_clients, False),
        "uid0-not-capped": (uid0_not_capped, True),
        "lock-race": (lock_race, False),
        "more": (more, False),
        "huge-answer": (huge_answer, False),
        "idle-memory": (idle_memory, True),
        "near-cap": (near_cap, False),
        "flood-starves": (flood_starves, False),
        "setuid-capped": (setuid_capped, True),
        "capped": (capped, True),
    }
    if cmd not in commands:
        sys.exit(2)
    fn, numbered = commands[cmd]
    sys.exit(fn(path, int(sys.argv[3])) if numbered else fn(path))
