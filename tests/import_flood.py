#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""For tests/test_import_memory.sh: many connections each send UserImport
pages and never commit, as a delegated administrator with 'users' could.
Prints one line 'ok ...' or 'fail ...' and exits 0 or 1.

usage: import_flood.py SOCKET DAEMON_PID BOUND_BYTES CONNECTIONS [norss]

norss: the daemon is built with AddressSanitizer, whose quarantine and
redzones make its RSS say nothing about what it holds: the RSS is only
reported, the refusals still checked."""
import sys

from ob_client import call_raw, conn

SLACK = 8 << 20  # the daemon's own buffers and allocator, beyond the bound


def vmrss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise SystemExit("fail no VmRSS for the daemon")


def call(s, method, params):
    """The reply, or None when the daemon closed the connection."""
    try:
        return call_raw(s, {"method": method, "parameters": params})
    except OSError:
        return None


def page(conn, first):
    # The largest fields the rules take: what costs the daemon most.
    rows = [{"row": first + i,
             "username": f"f{conn:02d}x{first + i:028d}",
             "first_name": "F" * 64, "last_name": "L" * 64,
             "email": f"{conn}x{first + i}@{'e' * 50}.example.org",
             "phone": "+46701234567"} for i in range(64)]
    return {"rows": rows}


def main():
    path, pid, bound, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    check_rss = sys.argv[5:] != ["norss"]
    baseline = vmrss(pid)
    limit = baseline + bound + SLACK
    conns = []
    for i in range(n):
        conns.append(conn(path))
    next_row = [1] * n
    refused = [None] * n
    peak = vmrss(pid)
    rows_held = 0
    while any(r is None for r in refused):
        for i, s in enumerate(conns):
            if refused[i] is not None:
                continue
            reply = call(s, "io.onboard.Admin.UserImport", page(i, next_row[i]))
            if reply is None:
                print(f"fail the daemon closed connection {i}")
                return 1
            if "error" in reply:
                refused[i] = reply.get("parameters", {}).get("message", reply["error"])
                continue
            next_row[i] += 64
            rows_held += 64
            if next_row[i] > 20001 or rows_held > 20000 * n:
                print(f"fail connection {i} was never refused")
                return 1
        peak = max(peak, vmrss(pid))
        if check_rss and peak > limit:
            # Stop at once: on a daemon without bounds this would go on to
            # more than a gigabyte.
            print(f"fail onboardd's RSS reached {peak / 2**20:.1f} MiB with {rows_held} "
                  f"rows held: over {limit / 2**20:.1f} MiB (baseline {baseline / 2**20:.1f} "
                  f"+ bound {bound / 2**20:.1f} + {SLACK >> 20} MiB)")
            return 1
    unnamed = [m for m in refused if "import_memory" not in m]
    if unnamed:
        print(f"fail a refusal does not name the bound: {unnamed[0]}")
        return 1
    # Still alive and answering while the imports are held.
    if call(conns[0], "io.onboard.Admin.Status", {}) is None:
        print("fail onboardd stopped answering")
        return 1
    print(f"ok onboardd's RSS peaked at {peak / 2**20:.1f} MiB (baseline "
          f"{baseline / 2**20:.1f} MiB, import_memory {bound / 2**20:.1f} MiB) with "
          f"{rows_held} rows held on {n} connections that never commit; each was refused: "
          f"{refused[-1]}")
    for s in conns:
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
