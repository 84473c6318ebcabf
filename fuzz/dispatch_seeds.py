#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_dispatch (fuzz/corpus/dispatch/) from
the dialogues the tests run: each seed is one scenario of
tests/test_pam_*.c, tests/test_admin*.c or tests/test_restart.sh, as
calls on connections with a peer uid each (the format is fuzz_dispatch.c's:
CONTROL JSON NUL).

  fuzz/dispatch_seeds.py [DIR]

Run it again after changing a dialogue below; FUZZ_TRACE=1
fuzz/replay_dispatch FILE prints a seed's calls and the replies."""
import json, os, sys

# uid 0 is index 1 too: index 0 with connection 0 would make a NUL.
ROOT, SYSTEM, USER, USER2, NOBODY, NOBODY_UID = 1, 2, 3, 4, 5, 6
STEP = {0: 0, "1s": 1, "10min": 2, "1day": 3}
PW = "Velvet-Lantern-4417-fuzz"
PW2 = "Copper-Harbour-9021-fuzz"


def rec(conn, method, params, uid=ROOT, step=0, reopen=False):
    ctl = conn | (uid << 2) | (STEP[step] << 5) | (0x80 if reopen else 0)
    return bytes([ctl]) + json.dumps({"method": method, "parameters": params}).encode() + b"\0"


def admin(method, params=None, conn=0, uid=ROOT, **kw):
    return rec(conn, "io.onboard.Admin." + method, params or {}, uid, **kw)


def start(user, conn=1, phase="auth", uid=ROOT, **extra):
    p = {"phase": phase, "service": "sshd", "rhost": "192.0.2.7"}
    if user is not None:
        p["user"] = user
    p.update(extra)
    return rec(conn, "io.onboard.Login.Start", p, uid, reopen=True)


def answer(*answers, conn=1, step=0):
    return rec(conn, "io.onboard.Login.Answer", {"answers": list(answers)}, step=step)


def person(name, **kw):
    p = {"username": name, "first_name": "Ada", "last_name": "Lovelace"}
    p.update(kw)
    return admin("UserAdd", p)


def redeem(name, conn=1):
    """test_pam_login's first login: the code, the name, a password."""
    return start(name, conn) + answer("@code", conn=conn) + answer(name, conn=conn) + \
        answer(PW, PW, conn=conn)


SEEDS = {
    # test_pam_login: add, issue, redeem, log in with the password.
    "code_then_password": person("ada") + admin("CodeIssue", {"username": "ada"}) +
    redeem("ada") + answer("@totp") + start("ada") + answer(PW) +
    answer("@totp", step="10min") + start("ada", phase="account"),
    # test_pam_lockout: wrong passwords until the lock, then an unlock.
    "lockout_unlock": person("bob") + admin("CodeIssue", {"username": "bob"}) +
    redeem("bob") + b"".join(start("bob") + answer("wrong-" + str(i), step="1s")
                             for i in range(6)) +
    admin("Unlock", {"username": "bob"}) + start("bob") + answer(PW, step="10min"),
    # test_pam_passwd: the password change.
    "passwd_change": person("cyd") + admin("CodeIssue", {"username": "cyd"}) + redeem("cyd") +
    start("cyd", phase="password_check") + answer(PW) +
    start("cyd", phase="password") + answer(PW) + answer(PW2, PW2),
    # test_pam_kiosk: a login without a username.
    "kiosk": person("dee") + admin("CodeIssue", {"username": "dee"}) +
    start(None, kiosk=True) + answer("@code") + answer("dee") + answer(PW, PW),
    # test_pam_mfa: mfa required for a person, enrolment prompt.
    "mfa_reset": person("eve") + admin("CodeIssue", {"username": "eve", "reset_mfa": True}) +
    redeem("eve") + answer("000000") + answer("@totp") +
    admin("MfaReset", {"username": "eve"}) + start("eve") + answer(PW) + answer("@totp"),
    # test_pam_invite / test_admin: invitations.
    "invite": person("fay", email="fay@example.org") +
    admin("InviteSend", {"username": "fay", "code_to_me": True}) +
    admin("InviteList") + start("fay") + answer("@code") + answer("fay") +
    admin("InviteRevoke", {"username": "fay"}),
    # test_admin: the people's calls one after another.
    "admin_people": person("gus", org="north") + admin("UserShow", {"username": "gus"}) +
    admin("UserModify", {"username": "gus", "phone": "+15550100"}) + admin("UserList") +
    admin("GroupAdd", {"name": "staff", "org": "north"}) + admin("GroupAssign", {"username": "gus",
                                                                   "group": "staff"}) +
    admin("PoolAdd", {"name": "lab", "seats": 2, "org": "north"}) +
    admin("PoolAssign", {"username": "gus", "pool": "lab"}) + admin("GroupList") +
    admin("PoolList") + admin("UserDelete", {"username": "gus"}) + admin("BankList") +
    admin("UserRestore", {"username": "gus"}) + admin("UserDelete", {"username": "gus"}) +
    admin("UserPurge", {"username": "gus"}) + admin("Audit", {"limit": 10}) +
    admin("Status"),
    # test_admin: the import, all or none: refused with its failures, then
    # taken with invitations and their codes.
    "import_refused": admin("UserImport", {"rows": [
        {"row": 2, "username": "hal", "first_name": "Hal", "last_name": "Abelson"},
        {"row": 3, "username": "bad name", "first_name": "", "last_name": "X"}]}) +
    admin("UserImport", {"commit": True}) + admin("UserImportFailures", {"after": 0}),
    "import": admin("UserImport", {"rows": [
        {"row": 2, "username": "hal", "first_name": "Hal", "last_name": "Abelson",
         "email": "hal@example.org"},
        {"row": 3, "username": "ida", "first_name": "Ida", "last_name": "Rhodes",
         "email": "ida@example.org", "role": "admin"}], "invite": True}) +
    admin("UserImport", {"commit": True}) + admin("UserImportCodes", {"after": 0}) +
    start("ida") + answer("@code") + answer("ida") + answer(PW, PW),
    "import_dry_run": admin("UserImport", {"rows": [
        {"row": 2, "username": "jo", "first_name": "Jo", "last_name": "Ng", "org": "south"}],
        "dry_run": True}) + admin("UserImport", {"commit": True}),
    # test_admin_ctl.sh: codes in bulk, a page at a time.
    "bulk": person("kim") + person("lee") + person("max") +
    admin("CodeIssueBulk", {"limit": 2}) + admin("CodeIssueBulk", {"after": "lee"}) +
    admin("CodeList") + admin("CodeRevoke", {"username": "kim"}) + redeem("max"),
    # test_admin_org / test_delegated.sh: a delegated administrator.
    # (fuzz_host.c's dana is uid 1000, bob 1001: regular Unix accounts.)
    "delegated": person("dana", role="admin", permissions=["users", "codes"],
                        existing_account=True) +
    admin("UserList", uid=USER) + admin("UserAdd", {"username": "ned", "first_name": "N",
                                                    "last_name": "D"}, uid=USER, conn=2) +
    admin("CodeIssue", {"username": "ned"}, uid=USER, conn=2) +
    admin("UserShow", {"username": "dana"}, uid=USER2, conn=3) +
    admin("Status", uid=NOBODY, conn=3, reopen=True),
    # test_create_account.sh: useradd and userdel (fuzz_host.c only
    # pretends), adopting bob's account (usermod --lock, pretended too).
    "create_account": person("uma", create_account=True) +
    admin("UserDelete", {"username": "uma"}) + admin("UserPurge", {"username": "uma"}) +
    person("bob", existing_account=True) + admin("CodeIssue", {"username": "bob"}) +
    start("bob", phase="account"),
    # test_server.sh: a non-root peer's own login, another's refused.
    "peer_not_root": person("oli") + admin("CodeIssue", {"username": "oli"}) +
    start("oli", uid=USER) + answer("@code") + start("oli", conn=2, uid=NOBODY_UID) +
    answer("x", conn=2),
    # The login protocol out of order.
    "out_of_order": answer("nothing") + start("nobody-here") + answer("a", "b", "c") +
    answer("a") + start("ada", phase="unknown") +
    rec(1, "io.onboard.Login.Nope", {}) + rec(0, "org.varlink.service.GetInfo", {}),
    # test_pam_host: groups and a pool asked for at the account phase.
    "host_account": person("pia") + admin("CodeIssue", {"username": "pia"}) + redeem("pia") +
    admin("GroupAdd", {"name": "ops"}) + admin("GroupAssign", {"username": "pia",
                                                              "group": "ops"}) +
    start("pia", phase="account", groups=["ops"], pool="lab"),
    # The code lifetime passing, then a login after a day.
    "expired_code": person("quy") + admin("CodeIssue", {"username": "quy", "lifetime": 60}) +
    start("quy") + answer("@code", step="1day") +
    admin("SourceUnlock", {"source": "rhost=192.0.2.7"}),
    # userdb (issue 12): io.systemd.UserDatabase calls (GetUserRecord,
    # GetGroupRecord, GetMemberships) join here, as rec(conn,
    # "io.systemd.UserDatabase.GetUserRecord", {...}), once the daemon
    # answers them and fuzz_dispatch.c's fuzz_call sends them on.
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus", "dispatch")
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(SEEDS)} seeds in {out}")


if __name__ == "__main__":
    main()
