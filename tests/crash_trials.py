#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Crash trials, for tests/test_crash.sh: onboardd killed with SIGKILL at a
random moment during a CSV import, a bulk code issue or a stream of
redemptions, started again (its socket held, as systemd's socket
activation holds it: restart_load.Holder), and the invariants checked:

  the database opens (the new daemon answers Status);
  at most one usable code per person, none both used and usable (CodeList,
    and each acknowledged redemption's code tried again);
  an import all or nothing (the people it adds: none or every row), and an
    import onboardctl said was done is there;
  no acknowledged redemption lost (the person is registered, their new
    password logs in);
  the audit agrees with the data (one import event for an import that is
    there, none for one that is not; a login.code event for each person
    registered, none for the others; a code.issue event for each code
    issued in bulk);
  a bulk issue interrupted leaves no person whose code was replaced but
    not written to the file, unless onboardctl named them.

  crash_trials.py SOCKET KIND TRIALS SEED -- DAEMON ARGS...

KIND is import, bulk or redeem.  The moments of the kills come from SEED
(printed with each trial's moment: the same seed draws the same ones).
ONBOARDCTL names onboardctl.  Prints 'ok ...' or 'fail ...' lines and
exits 0 or 1."""
import csv, os, random, subprocess, sys, threading, time

import ob_client
from ob_client import call
from restart_load import Holder

PASSWORD = "Velvet-Lantern-4417-crash"
IMPORT_ROWS = int(os.environ.get("OB_CRASH_IMPORT_ROWS", "2000"))
BULK_PEOPLE = int(os.environ.get("OB_CRASH_BULK_PEOPLE", "350"))
REDEEM_PEOPLE = 40
REDEEM_SPAN = 2.0  # seconds the redemptions of REDEEM_PEOPLE take, about


class TrialFailed(Exception):
    pass


def admin(s, method, params=None):
    r = call(s, "io.onboard.Admin." + method, params or {})
    if "error" in r:
        raise TrialFailed(f"{method} {params}: {r}")
    return r["parameters"]


def pages(s, method, key, params=None):
    """Every item of a paged list call."""
    out, after = [], None
    while True:
        p = dict(params or {})
        if after is not None:
            p["after"] = after
        r = admin(s, method, p)
        out += r.get(key, [])
        after = r.get("next")
        if after is None:
            return out


def ctl(sock, *args):
    return subprocess.run([os.environ["ONBOARDCTL"], "--socket", sock] + list(args),
                          capture_output=True, text=True, timeout=600)


def import_csv(path, prefix, org, rows):
    with open(path, "w") as f:
        f.write("username,first_name,last_name\n")
        for i in range(rows):
            f.write(f"{prefix}{i:05d},Ada,Lovelace\n")


def audit_since(s, since):
    return pages(s, "Audit", "events", {"since": since, "limit": 500})


def verdict(r):
    return r.get("parameters", {}).get("verdict") or r.get("error")


def code_accepted(path, name, code):
    """Whether code opens name's registration (the dialogue is dropped
    there: nothing is used)."""
    s = ob_client.conn(path, 30)
    try:
        call(s, "io.onboard.Login.Start", {"phase": "auth", "user": name,
                                            "service": "crash-test"})
        r = call(s, "io.onboard.Login.Answer", {"answers": [code]})
        texts = [m.get("text", "") for m in r.get("parameters", {}).get("messages", [])]
        return any("accepted" in t for t in texts)
    finally:
        s.close()


def password_works(path, name):
    s = ob_client.conn(path, 30)
    try:
        r = call(s, "io.onboard.Login.Start", {"phase": "auth", "user": name,
                                                "service": "crash-test"})
        if verdict(r):
            return False
        return verdict(call(s, "io.onboard.Login.Answer", {"answers": [PASSWORD]})) == "success"
    finally:
        s.close()


def codes_at_most_one_usable(s):
    """At most one active code per person, over the whole database."""
    seen = {}
    for c in pages(s, "CodeList", "codes", {"limit": 256}):
        if c["status"] == "active":
            seen[c["username"]] = seen.get(c["username"], 0) + 1
    twice = [n for n, k in seen.items() if k > 1]
    if twice:
        raise TrialFailed(f"more than one usable code for {twice[:5]}")
    return seen


def crash(holder, how, done, span):
    """Kill the daemon as `how` says while an operation runs (done()
    tells when it has ended; span is how long it takes undisturbed), and
    start the next one.  how is ("time", f): SIGKILL after f * span
    seconds; or ("reply", K): the preloaded
    tests/crash_reply.c kills it before its K-th reply, armed before the
    operation began (arm); if the operation ends first, it is killed
    then.  Returns what happened, for the trial's line."""
    if how[0] == "time":
        time.sleep(how[1] * span)
        holder.kill()
        holder.start()
        return f"SIGKILL at {how[1] * span:.3f} s of {span:.3f}"
    while holder.proc.poll() is None and not done():
        time.sleep(0.005)
    try:
        # A killed process closes its sockets before it can be reaped:
        # the operation may end a moment before the death shows.
        holder.proc.wait(0.5)
    except subprocess.TimeoutExpired:
        pass
    if holder.proc.poll() is None:
        disarm()
        holder.kill()
        holder.start()
        return f"SIGKILL after the end (fewer than {how[1]} replies)"
    holder.proc.wait()
    holder.proc = None
    holder.start()
    return f"SIGKILL before reply {how[1]}"


def arm(how):
    if how[0] == "reply":
        with open(os.environ["OB_CRASH_FILE"], "w") as f:
            f.write(f"{how[1]}\n")


def disarm():
    try:
        os.unlink(os.environ["OB_CRASH_FILE"])
    except FileNotFoundError:
        pass


# ------------------------------------------------------------ the kinds

def trial_import(path, holder, t, how, state):
    prefix, org = f"i{t:03d}x", f"imp{t:03d}"
    f = os.path.join(state["dir"], f"import{t}.csv")
    if "import_span" not in state:
        # How long an import of this size takes here, undisturbed.
        import_csv(f, "icalib", org, IMPORT_ROWS)
        t0 = time.monotonic()
        r = ctl(path, "user", "import", f, "--org", "calibration")
        state["import_span"] = time.monotonic() - t0
        if r.returncode != 0:
            raise TrialFailed(f"the calibration import: {r.stderr.strip()}")
    import_csv(f, prefix, org, IMPORT_ROWS)
    s = ob_client.conn(path, 60)
    before = admin(s, "Status")["people"]
    s.close()
    since = int(time.time())
    arm(how)
    proc = subprocess.Popen([os.environ["ONBOARDCTL"], "--socket", path, "user", "import", f,
                             "--org", org],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    what = crash(holder, how, lambda: proc.poll() is not None, state["import_span"])
    out, err = proc.communicate(timeout=600)
    s = ob_client.conn(path, 60)
    n = admin(s, "Status")["people"] - before
    if n not in (0, IMPORT_ROWS):
        raise TrialFailed(f"a partial import: {n} of {IMPORT_ROWS} people")
    if proc.returncode == 0 and n != IMPORT_ROWS:
        raise TrialFailed(f"onboardctl said '{out.strip()}' but {n} people are there")
    events = [e for e in audit_since(s, since - 1) if e["event"] == "user.import" and
              e["result"] == "ok" and e.get("org") == org and (e.get("detail") or "").startswith(f"{IMPORT_ROWS} people")]
    if len(events) != (1 if n else 0):
        raise TrialFailed(f"{n} people imported but {len(events)} import events")
    codes_at_most_one_usable(s)
    s.close()
    said = err.strip().splitlines()[-1] if err.strip() else out.strip()
    return (f"{what}: {'imported' if n else 'not imported'}, onboardctl exit "
            f"{proc.returncode} ({said[:100]})")


def trial_bulk(path, holder, t, how, state):
    org = f"bulk{t:03d}"
    f = os.path.join(state["dir"], f"people{t}.csv")
    import_csv(f, f"b{t:03d}x", org, BULK_PEOPLE)
    r = ctl(path, "user", "import", f, "--org", org)
    if r.returncode != 0:
        raise TrialFailed(f"setting up {org}: {r.stderr.strip()}")
    names = {f"b{t:03d}x{i:05d}" for i in range(BULK_PEOPLE)}
    # A first issue, so that the interrupted one replaces codes.
    out = os.path.join(state["dir"], f"codes{t}a.csv")
    t0 = time.monotonic()
    r = ctl(path, "code", "issue", "--all-without-email", "--org", org, "--output", out)
    span = time.monotonic() - t0
    if r.returncode != 0:
        raise TrialFailed(f"the first bulk issue: {r.stderr.strip()}")
    time.sleep(1.1)  # the second run's codes are issued in a later second
    since = int(time.time())
    out = os.path.join(state["dir"], f"codes{t}.csv")
    arm(how)
    proc = subprocess.Popen([os.environ["ONBOARDCTL"], "--socket", path, "code", "issue",
                             "--all-without-email", "--org", org, "--output", out],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    what = crash(holder, how, lambda: proc.poll() is not None, span)
    _, err = proc.communicate(timeout=600)
    written = {}
    if os.path.exists(out):
        with open(out, newline="") as fh:
            for row in csv.DictReader(fh):
                if row["username"] in written:
                    raise TrialFailed(f"{row['username']} twice in the file")
                written[row["username"]] = row["code"]
    s = ob_client.conn(path, 60)
    admin(s, "Status")
    codes_at_most_one_usable(s)
    replaced = {c["username"]: c for c in pages(s, "CodeList", "codes", {"limit": 256})
                if c["username"] in names and c["status"] == "active" and c["issued"] >= since}
    lost = [n for n in replaced if n not in written and n not in err]
    if lost:
        raise TrialFailed(f"{len(lost)} people's codes replaced, neither written nor named "
                          f"(onboardctl exit {proc.returncode}: {err.strip()[:200]}): "
                          f"{sorted(lost)[:5]}")
    stale = [n for n in written if n not in replaced]
    if stale:
        raise TrialFailed(f"{len(stale)} codes in the file are not the usable ones: "
                          f"{sorted(stale)[:5]}")
    issued = {e.get("subject") for e in audit_since(s, since)
              if e["event"] == "code.issue" and e["result"] == "ok"}
    missing = [n for n in replaced if n not in issued]
    if missing:
        raise TrialFailed(f"codes without a code.issue event: {sorted(missing)[:5]}")
    s.close()
    # The file's codes open the registration (a few, each costs a dialogue).
    for n in sorted(written)[:3]:
        if not code_accepted(path, n, written[n]):
            raise TrialFailed(f"the code written for {n} is refused")
    return (f"{what}: {len(written)} of {len(names)} written, onboardctl exit {proc.returncode}"
            f"{', retried' if 'again' in err else ''}")


def trial_redeem(path, holder, t, how, state):
    prefix = f"r{t:03d}x"
    s = ob_client.conn(path, 60)
    codes = {}
    for i in range(REDEEM_PEOPLE):
        n = f"{prefix}{i:03d}"
        admin(s, "UserAdd", {"username": n, "first_name": "Ada", "last_name": "Lind"})
        codes[n] = admin(s, "CodeIssue", {"username": n})["code"]
    s.close()
    since = int(time.time())
    acked, stop = [], threading.Event()

    def stream():
        for n, code in codes.items():
            if stop.is_set():
                return
            try:
                c = ob_client.conn(path, 30)
                call(c, "io.onboard.Login.Start", {"phase": "auth", "user": n,
                                                   "service": "crash-test"})
                call(c, "io.onboard.Login.Answer", {"answers": [code]})
                call(c, "io.onboard.Login.Answer", {"answers": [n]})
                r = call(c, "io.onboard.Login.Answer", {"answers": [PASSWORD, PASSWORD]})
                c.close()
            except OSError:
                return  # the dialogue in flight at the kill
            if verdict(r) == "success":
                acked.append(n)

    th = threading.Thread(target=stream)
    arm(how)
    th.start()
    what = crash(holder, how, lambda: not th.is_alive(), REDEEM_SPAN)
    stop.set()
    th.join()
    s = ob_client.conn(path, 60)
    admin(s, "Status")
    active = codes_at_most_one_usable(s)
    registered = set()
    for n in codes:
        p = admin(s, "UserShow", {"username": n})
        if p["person"]["state"] != "unfinished":
            registered.add(n)
            if n in active:
                raise TrialFailed(f"{n} registered with their code still usable")
    lost = [n for n in acked if n not in registered]
    if lost:
        raise TrialFailed(f"acknowledged redemptions lost: {lost}")
    audited = {e.get("subject") for e in audit_since(s, since - 1)
               if e["event"] == "login.code" and e["result"] == "ok"}
    if audited & set(codes) != registered:
        raise TrialFailed(f"the audit disagrees: registered {sorted(registered)}, "
                          f"login.code events {sorted(audited & set(codes))}")
    s.close()
    for n in acked:
        if code_accepted(path, n, codes[n]):
            raise TrialFailed(f"{n}'s code is used and still accepted")
        if not password_works(path, n):
            raise TrialFailed(f"{n}'s new password does not log in")
    return f"{what}: {len(acked)} acknowledged, {len(registered)} registered"


# Each kind: its trial and the number of replies the operation gets (the
# reply kills draw K from 1 to it; the timed ones a fraction of the
# operation's length, measured undisturbed): onboardctl's import sends its rows in
# batches of 64 (OB_IMPORT_BATCH_MAX), then commits; a bulk issue is a page per 100 people; a
# redemption is four replies.
KINDS = {
    "import": (trial_import, IMPORT_ROWS // 64 + 2),
    "bulk": (trial_bulk, BULK_PEOPLE // 100 + 1),
    "redeem": (trial_redeem, 4 * REDEEM_PEOPLE),
}


def main():
    path, kind, trials, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    daemon = sys.argv[sys.argv.index("--") + 1:]
    fn, replies = KINDS[kind]
    rnd = random.Random(seed)
    holder = Holder(path, daemon)
    state = {"dir": os.path.dirname(path)}
    disarm()
    failed = 0
    try:
        holder.start()
        for t in range(trials):
            # Half the kills at a moment in time, half before a reply
            # (the work of its call committed, the reply not sent).
            if t % 2 == 0 or not os.environ.get("OB_CRASH_FILE"):
                how = ("time", rnd.uniform(0.0, 1.1))
            else:
                how = ("reply", rnd.randint(1, replies))
            try:
                what = fn(path, holder, t, how, state)
                print(f"  trial {t + 1} (seed {seed}): {what}")
            except TrialFailed as e:
                failed += 1
                print(f"  trial {t + 1} (seed {seed}, {how[0]} {how[1]}): FAILED: {e}")
            disarm()
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"fail {kind}: {type(e).__name__}: {e}")
        return 1
    finally:
        if holder.proc:
            holder.stop()
        holder.close()
    if failed:
        print(f"fail {kind}: {failed} of {trials} trials broke an invariant (seed {seed})")
        return 1
    print(f"ok {kind}: {trials} SIGKILLs (seed {seed}), every invariant held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
