#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hold the manual pages to the programs' --help (tests/test_man.sh).

    man_help.py ONBOARDCTL ONBOARDD MANDIR

onboardctl: the commands of "onboardctl --help" are the entries of
onboardctl(8)'s COMMANDS; each command's options, as "onboardctl COMMAND
--help" lists them, are those of its entry's synopsis (the .TP tag and
the lines up to .br); the options under "Options:" are the tags of
OPTIONS.  onboardd: the options of "onboardd --help" are the tags of
onboardd(8)'s OPTIONS.  Each way round: what one lists and the other
lacks is a failure, named.  Prints "ok - NAME" or "FAIL - NAME: WHY" a
line, and exits 1 after any failure.
"""
import re
import subprocess
import sys

OPTION = re.compile(r"--[a-z][a-z-]*[a-z]")
failed = 0


def report(name, missing_in_man, missing_in_help, man, helps):
    global failed
    if not missing_in_man and not missing_in_help:
        print("ok - " + name)
        return
    failed += 1
    why = []
    if missing_in_man:
        why.append("in %s but not in %s: %s" % (helps, man, ", ".join(sorted(missing_in_man))))
    if missing_in_help:
        why.append("in %s but not in %s: %s" % (man, helps, ", ".join(sorted(missing_in_help))))
    print("FAIL - %s: %s" % (name, "; ".join(why)))


def run(*argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode != 0:
        sys.exit("%s exited with %d: %s" % (" ".join(argv), p.returncode, p.stderr))
    return p.stdout


def plain(line):
    """A roff line's text: no macro name, quotes, font escapes or \\-."""
    line = re.sub(r"^\.[A-Za-z]+\s*", "", line)
    line = re.sub(r"\\f[A-Z]|\\f\(..|\\f\[[^]]*\]", "", line)
    line = line.replace("\\-", "-").replace("\\(dq", '"').replace("\\&", "")
    return line.replace('"', " ")


def sections(path):
    """{section name: [lines]} of a page's source."""
    out, name = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f.read().splitlines():
            m = re.match(r'^\.SH\s+"?([^"]*)"?\s*$', line)
            if m:
                name = m.group(1)
                out[name] = []
            elif name:
                out[name].append(line)
    return out


def tags(lines):
    """The tags of .TP/.TQ entries, each with the synopsis lines that
    follow up to a .br (the commands' entries wrap their synopsis so)."""
    out = []
    for i, line in enumerate(lines):
        if line not in (".TP", ".TQ") or i + 1 >= len(lines):
            continue
        tag = [lines[i + 1]]
        j = i + 2
        more = []
        while j < len(lines) and re.match(r"^\.(B|I|BI|IB|RB|BR|RI|IR)\b", lines[j]):
            more.append(lines[j])
            j += 1
        if j < len(lines) and lines[j] == ".br":
            tag += more
        out.append(" ".join(plain(t) for t in tag))
    return out


def command_of(text):
    """The command words at the start of a synopsis: "user add"."""
    words = []
    for w in text.split():
        if not re.match(r"^[a-z]+(\|[a-z]+)?$", w) or len(words) == 2:
            break
        words.append(w)
    return words


def expand(words):
    """group assign|unassign: two commands."""
    if len(words) == 2 and "|" in words[1]:
        return [words[0] + " " + w for w in words[1].split("|")]
    return [" ".join(words)]


def between(text, start, end):
    """The lines of text after the line start up to the line end."""
    lines = text.splitlines()
    i = lines.index(start) + 1
    j = lines.index(end, i) if end in lines[i:] else len(lines)
    return lines[i:j]


def check_onboardctl(ctl, man):
    helptext = run(ctl, "--help")
    help_cmds = set()
    for line in between(helptext, "Commands:", "Options:"):
        if re.match(r"^  [a-z]", line):
            help_cmds.update(expand(command_of(line[:34])))
    help_global = set(OPTION.findall("\n".join(between(helptext, "Options:", ""))))

    page = sections(man)
    man_cmds = {}
    for tag in tags(page.get("COMMANDS", [])):
        for cmd in expand(command_of(tag)):
            man_cmds.setdefault(cmd, set()).update(OPTION.findall(tag))
    man_global = set()
    for tag in tags(page.get("OPTIONS", [])):
        man_global.update(OPTION.findall(tag))

    report("onboardctl_commands", help_cmds - set(man_cmds), set(man_cmds) - help_cmds,
           "onboardctl(8) COMMANDS", "onboardctl --help")
    report("onboardctl_options", help_global - man_global, man_global - help_global,
           "onboardctl(8) OPTIONS", "onboardctl --help")
    for cmd in sorted(help_cmds & set(man_cmds)):
        text = run(ctl, *cmd.split(), "--help")
        block = between(text, text.splitlines()[0], "Options:")
        opts = set(OPTION.findall("\n".join(block)))
        report("onboardctl_%s_options" % cmd.replace(" ", "_"), opts - man_cmds[cmd],
               man_cmds[cmd] - opts, "its entry in onboardctl(8)",
               "onboardctl %s --help" % cmd)


def check_onboardd(daemon, man):
    helptext = run(daemon, "--help")
    help_opts = set(OPTION.findall(helptext))
    man_opts = set()
    for tag in tags(sections(man).get("OPTIONS", [])):
        man_opts.update(OPTION.findall(tag))
    report("onboardd_options", help_opts - man_opts, man_opts - help_opts,
           "onboardd(8) OPTIONS", "onboardd --help")
    global failed
    for opt in ("--help", "--version"):
        lacking = [w for w, have in (("onboardd --help", help_opts),
                                     ("onboardd(8) OPTIONS", man_opts)) if opt not in have]
        if lacking:
            failed += 1
            print("FAIL - onboardd_lists_%s: %s is not in %s" % (opt[2:], opt, " nor in ".join(lacking)))
        else:
            print("ok - onboardd_lists_" + opt[2:])


def main():
    ctl, daemon, mandir = sys.argv[1:4]
    check_onboardctl(ctl, mandir + "/onboardctl.8")
    check_onboardd(daemon, mandir + "/onboardd.8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
