#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""onboardd restarted under load with its socket held, as systemd's socket
activation does, for tests/test_restart.sh.

This process binds and listens on SOCKET and keeps it; it starts the
daemon command with the listening socket as fd 3 and LISTEN_FDS=1,
LISTEN_PID set to the daemon's pid (sd_listen_fds), and starts it again
each time it exits, as systemd would.  Subcommands print one line
'ok ...' or 'fail ...' and exit 0 or 1.

  restart_load.py SOCKET load RESTARTS CLIENTS -- DAEMON ARGS...
      CLIENTS threads run complete password logins in a loop while the
      daemon is sent SIGTERM RESTARTS times (and started again): every
      login must succeed.
  restart_load.py SOCKET kill KILLS CLIENTS SEED -- DAEMON ARGS...
      the same with SIGKILL, KILLS times at moments drawn from SEED
      (printed; the same seed draws the same pauses): a login may fail
      only if it was in flight when a daemon was killed (it had connected
      and had no verdict yet); they are counted and reported.
  restart_load.py SOCKET dialogue -- DAEMON ARGS...
      a dialogue at its password prompt when SIGTERM comes still gets its
      verdict; an idle connection does not hold the stop; the next daemon
      answers what queued meanwhile.
"""
import os, random, signal, socket, subprocess, sys, threading, time

import ob_client
from ob_client import call

PASSWORD = "Velvet-Lantern-4417-restart"
REPLY_TIMEOUT = 30  # for set-up and start-up checks
# The logins wait for each reply as long as pam_onboard does by default
# (timeout=10): one that waits longer would have failed for the module.
MODULE_TIMEOUT = 10


class Holder:
    def __init__(self, path, cmd):
        self.path, self.cmd, self.proc = path, cmd, None
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        os.chmod(path, 0o666)
        self.sock.listen(4096)
        # The daemon finds it as fd 3 (SD_LISTEN_FDS_START).
        os.dup2(self.sock.fileno(), 3, inheritable=True)

    def start(self):
        # sh's $$ is the pid exec keeps: LISTEN_PID names the daemon.
        self.proc = subprocess.Popen(
            ["sh", "-c", 'LISTEN_FDS=1 LISTEN_PID=$$ exec "$@"', "sh"] + self.cmd,
            pass_fds=(3,), stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno())
        # Answering means serving: GetInfo waits in the queue until then.
        for _ in range(REPLY_TIMEOUT):
            if self.proc.poll() is not None:
                raise RuntimeError(f"onboardd exited with {self.proc.returncode} at start")
            s = conn(self.path)
            s.settimeout(1)
            try:
                r = call(s, "org.varlink.service.GetInfo", {})
            except (socket.timeout, TimeoutError):
                continue
            finally:
                s.close()
            if r.get("parameters", {}).get("product") != "onboardd":
                raise RuntimeError(f"GetInfo after a start got {r}")
            return
        raise RuntimeError("onboardd did not answer within %d s of its start" % REPLY_TIMEOUT)

    def stop(self, timeout=60):
        """SIGTERM; returns the exit status and the seconds it took."""
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = "killed after %d s" % timeout
        self.proc = None
        return rc, time.monotonic() - t0

    def kill(self):
        """SIGKILL, as the OOM killer or a crash would end it; returns
        the monotonic instant the signal was sent."""
        t = time.monotonic()
        self.proc.kill()
        self.proc.wait()
        self.proc = None
        return t

    def close(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
        self.sock.close()


def conn(path, timeout=REPLY_TIMEOUT):
    return ob_client.conn(path, timeout)


def verdict(r):
    return r.get("parameters", {}).get("verdict") or r.get("error")


def add_person(path, name):
    """A person with PASSWORD set (through an access code; mfa = off)."""
    s = conn(path)
    r = call(s, "io.onboard.Admin.UserAdd",
             {"username": name, "first_name": "Ruth", "last_name": "Lind"})
    if "error" in r:
        raise RuntimeError(f"UserAdd {name}: {r}")
    code = call(s, "io.onboard.Admin.CodeIssue", {"username": name})["parameters"]["code"]
    s.close()
    s = conn(path)
    call(s, "io.onboard.Login.Start", {"phase": "auth", "user": name})
    call(s, "io.onboard.Login.Answer", {"answers": [code]})
    call(s, "io.onboard.Login.Answer", {"answers": [name]})
    r = call(s, "io.onboard.Login.Answer", {"answers": [PASSWORD, PASSWORD]})
    s.close()
    if verdict(r) != "success":
        raise RuntimeError(f"setting the password of {name}: {r}")


def login(path, name, pause=0.0):
    """One complete password login; None when it succeeded, else why."""
    try:
        s = conn(path, MODULE_TIMEOUT)
        try:
            r = call(s, "io.onboard.Login.Start",
                     {"phase": "auth", "user": name, "service": "restart-test"})
            if verdict(r):
                return f"Start: {verdict(r)}"
            if pause:
                time.sleep(pause)
            r = call(s, "io.onboard.Login.Answer", {"answers": [PASSWORD]})
            if verdict(r) != "success":
                return f"Answer: {verdict(r)}"
            return None
        finally:
            s.close()
    except OSError as e:
        return f"{type(e).__name__}: {e}"


def load(path, holder, restarts, clients):
    names = [f"rload{i}" for i in range(clients)]
    for n in names:
        add_person(path, n)
    stop = threading.Event()
    lock = threading.Lock()
    done, failed, slowest = [0], [], [0.0]

    def client(name):
        while not stop.is_set():
            t0 = time.monotonic()
            why = login(path, name)
            took = time.monotonic() - t0
            with lock:
                done[0] += 1
                slowest[0] = max(slowest[0], took)
                if why:
                    failed.append(why)

    threads = [threading.Thread(target=client, args=(n,)) for n in names]
    for t in threads:
        t.start()
    bad_stops = []
    try:
        for i in range(restarts):
            # Let logins run on this daemon, then stop it in their midst.
            time.sleep(random.uniform(0.2, 0.6))
            rc, took = holder.stop()
            if rc != 0:
                bad_stops.append(f"restart {i + 1}: exit status {rc}")
            holder.start()
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    if failed or bad_stops:
        print(f"fail {restarts} restarts, {done[0]} logins by {clients} clients, "
              f"{len(failed)} failed ({'; '.join(sorted(set(failed))[:3])}) "
              f"{'; '.join(bad_stops)}")
        return 1
    print(f"ok {restarts} restarts under load: {done[0]} logins by {clients} clients, "
          f"0 failed; the slowest took {slowest[0]:.2f} s")
    return 0


def kill(path, holder, kills, clients, seed):
    """Logins under SIGKILL: each failure must have been in flight (its
    interval holds a kill); any other is a failure of the test."""
    rnd = random.Random(seed)
    names = [f"rkill{i}" for i in range(clients)]
    for n in names:
        add_person(path, n)
    stop = threading.Event()
    lock = threading.Lock()
    done, failed = [], []  # (t0, t1, why) of every login, of the failed

    def client(name):
        while not stop.is_set():
            t0 = time.monotonic()
            why = login(path, name)
            t1 = time.monotonic()
            with lock:
                done.append((t0, t1, why))
                if why:
                    failed.append((t0, t1, why))

    threads = [threading.Thread(target=client, args=(n,)) for n in names]
    for t in threads:
        t.start()
    killed_at = []
    try:
        for _ in range(kills):
            time.sleep(rnd.uniform(0.2, 0.6))
            killed_at.append(holder.kill())
            holder.start()
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    in_flight = [f for f in done if any(f[0] <= k <= f[1] for k in killed_at)]
    other = [f for f in failed if f not in in_flight]
    head = (f"{kills} SIGKILLs (seed {seed}) under load: {len(done)} logins by {clients} "
            f"clients, {len(failed)} failed")
    if other:
        print(f"fail {head}, {len(other)} of them not in flight at a kill "
              f"({'; '.join(sorted(set(f[2] for f in other))[:3])})")
        return 1
    print(f"ok {head} ({100.0 * len(failed) / max(len(done), 1):.1f}%), each of them in "
          f"flight when a daemon was killed ({len(in_flight)} logins were)")
    return 0


def dialogue(path, holder):
    add_person(path, "rdialog")
    # A dialogue at its prompt, an idle connection after a verdict.
    s = conn(path)
    r = call(s, "io.onboard.Login.Start", {"phase": "auth", "user": "rdialog"})
    if verdict(r):
        print(f"fail Start got {r}")
        return 1
    idle = conn(path)
    call(idle, "org.varlink.service.GetInfo", {})
    holder.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    try:
        r = call(s, "io.onboard.Login.Answer", {"answers": [PASSWORD]})
    except OSError as e:
        print(f"fail the dialogue at its prompt at SIGTERM was cut: {e}")
        return 1
    if verdict(r) != "success":
        print(f"fail the dialogue at its prompt at SIGTERM got {r}")
        return 1
    s.close()
    # The idle connection stays open on our side: it must not hold the
    # stop (login_timeout is 5 minutes; the test allows 60 s).
    rc = holder.proc.wait(60)
    idle.close()
    if rc != 0:
        print(f"fail onboardd exited with {rc} after SIGTERM")
        return 1
    holder.proc = None
    # Meanwhile the socket took a login; the next daemon answers it.
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("why", login(path, "rdialog")))
    t.start()
    time.sleep(0.3)
    holder.start()
    t.join()
    if result.get("why"):
        print(f"fail a login queued while no daemon ran: {result['why']}")
        return 1
    # A person who walked away from the prompt holds the stop only until
    # shutdown_timeout (5 s by default), not for the
    # 5 minutes of login_timeout.
    # A login that connects meanwhile waits for the next daemon, within
    # the module's 10 s.
    s = conn(path)
    call(s, "io.onboard.Login.Start", {"phase": "auth", "user": "rdialog"})
    result = {}
    t0 = time.monotonic()
    holder.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)  # the login connects once the daemon has stopped accepting
    t = threading.Thread(target=lambda: result.setdefault("why", login(path, "rdialog")))
    t.start()
    rc = holder.proc.wait(60)
    took = time.monotonic() - t0
    holder.proc = None
    try:
        cut = s.recv(1) == b""
    except OSError:
        cut = True
    s.close()
    holder.start()
    t.join()
    if rc != 0 or not cut:
        print(f"fail a dialogue left at its prompt: exit status {rc}, connection "
              f"{'closed' if cut else 'still open'} after {took:.1f} s")
        return 1
    if result.get("why"):
        print(f"fail a login that queued behind a dialogue left at its prompt: "
              f"{result['why']}")
        return 1
    print(f"ok a dialogue at its prompt at SIGTERM got its verdict; an idle connection "
          f"did not hold the stop; a login queued meanwhile was served by the next daemon; "
          f"one left at its prompt was closed at shutdown_timeout ({took:.1f} s), and a "
          f"login queued behind it was served by the next daemon")
    return 0


def main():
    path, cmd = sys.argv[1], sys.argv[2]
    rest = sys.argv[3:]
    sep = rest.index("--")
    args, daemon = rest[:sep], rest[sep + 1:]
    holder = Holder(path, daemon)
    try:
        holder.start()
        if cmd == "load":
            return load(path, holder, int(args[0]), int(args[1]))
        if cmd == "kill":
            return kill(path, holder, int(args[0]), int(args[1]), int(args[2]))
        if cmd == "dialogue":
            return dialogue(path, holder)
        return 2
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"fail {type(e).__name__}: {e}")
        return 1
    finally:
        if holder.proc:
            holder.stop()
        holder.close()


if __name__ == "__main__":
    sys.exit(main())
