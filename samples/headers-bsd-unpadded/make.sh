#!/bin/sh
# Regenerates mail.log in every samples/headers-*/ directory from one
# story (the TLS failure of samples/tls-untrusted-noconfig, moved to
# Nov 3 2026 so the BSD day is a single digit), written in a different
# syslog header form per directory. Every directory must give the same
# diagnosis. Deterministic: byte-identical output on every run.
set -eu
cd "$(dirname "$0")/.."
python3 - <<'PY'
import re

src = open("tls-untrusted-noconfig/mail.log").read().splitlines()
MON = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
recs = []
for line in src:
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\+0100 (\S+) (\S+?)\[(\d+)\]: (.*)", line)
    y, mo, d, H, M, S, host, ident, pid, text = m.groups()
    recs.append(dict(mo=int(mo), d=3, H=H, M=M, S=S, host=host, ident=ident, pid=pid, text=text))

def fac(r):
    return {"CRON": 9, "systemd": 3}.get(r["ident"], 2)

def sev(r):
    return 4 if r["text"].startswith("warning: ") else 6

def pri(r):
    return fac(r) * 8 + sev(r)

def bsd(r, pad=" "):
    return "%s %s %s:%s:%s" % (MON[r["mo"] - 1], ("%2d" % r["d"]).replace(" ", pad) if pad else str(r["d"]), r["H"], r["M"], r["S"])

def iso(r, sep="T", frac="", zone="+01:00"):
    return "2026-%02d-%02d%s%s:%s:%s%s%s" % (r["mo"], r["d"], sep, r["H"], r["M"], r["S"], frac, zone)

def tag(r):
    return "%s[%s]: %s" % (r["ident"], r["pid"], r["text"])

def utc(r):
    return "2026-%02d-%02dT%02d:%s:%s.171226+00:00" % (r["mo"], r["d"], int(r["H"]) - 1, r["M"], r["S"])

LEVEL = {4: "WARNING", 6: "INFO"}
FACN = {2: "mail", 3: "daemon", 9: "cron"}
LVLN = {4: "warn", 6: "info"}

def rfc5424(r, cut):
    app = r["ident"].split("/")[0] if cut else r["ident"]
    # rsyslog keeps the MSG's leading space: two blanks after SD
    return "<%d>1 %s %s %s %s - -  %s" % (pri(r), iso(r, frac=".%06d" % (int(r["pid"]) % 999983)), r["host"], app, r["pid"], r["text"])

forms = {
    # rsyslog traditional with an unpadded day ("Nov 3")
    "headers-bsd-unpadded": lambda r, i: "%s %s %s" % (bsd(r, pad=""), r["host"], tag(r)),
    # glibc syslog(3) on the wire: <PRI>, space-padded day, no host
    "headers-pri-nohost": lambda r, i: "<%d>%s %s" % (pri(r), bsd(r), tag(r)),
    # busybox syslogd: host, then facility.level before the tag
    "headers-busybox": lambda r, i: "%s %s %s.%s %s" % (bsd(r), r["host"], FACN[fac(r)], LVLN[sev(r)], tag(r)),
    # syslog-ng ts-format(full): a leading year, fraction
    "headers-bsd-year": lambda r, i: "2026 %s.%03d %s %s" % (bsd(r), (i * 37) % 1000, r["host"], tag(r)),
    # ISO 8601 without zone, blank between date and time
    "headers-iso-local": lambda r, i: "%s %s %s" % (iso(r, sep=" ", frac=".%06d" % (i * 7919 % 1000000), zone=""), r["host"], tag(r)),
    # a container's stdout: UTC time, no host, a level word and blanks
    "headers-docker": lambda r, i: "%s %-7s %s" % (utc(r), LEVEL[sev(r)], tag(r)),
    # rsyslog RSYSLOG_SyslogProtocol23Format, permitSlashInProgramName="on"
    "headers-rfc5424": lambda r, i: rfc5424(r, False),
    # the same template with rsyslog's default: APP-NAME cut at the '/'
    "headers-rfc5424-cut": lambda r, i: rfc5424(r, True),
    # forms mixed line by line, tabs and runs of blanks between fields
    "headers-mixed": lambda r, i: [
        "%s\t%s\t%s" % (bsd(r), r["host"], tag(r)),
        "%s  %s   %s" % (iso(r, zone="+0100"), r["host"], tag(r)),
        "Tue %s CET %s %s" % (iso(r, sep=" ", zone=""), r["host"], tag(r)),
        "<%d>%s %s %s" % (pri(r), iso(r, zone="+01:00"), r["host"], tag(r)),
    ][i % 4],
}
for d, f in forms.items():
    import os
    os.makedirs(d, exist_ok=True)
    with open(d + "/mail.log", "w") as out:
        for i, r in enumerate(recs):
            out.write(f(r, i) + "\n")
PY
