#!/bin/sh
# Regenerates mail.log in samples/unreadable-*/: logs the tool cannot
# diagnose and must say so (exit 65) instead of "No problems found".
#   unreadable-header     the story of tls-untrusted-noconfig with a
#                         day-first timestamp no collector template writes
#   unreadable-queue-ids  the lines of the story's two messages (as grep for
#                         their queue IDs gives them) after an anonymiser
#                         replaced each queue ID by lower-case hex, which is
#                         no valid Postfix queue ID
#   unreadable-other-programs  a mail host's log without any Postfix line
# Deterministic: byte-identical output on every run.
set -eu
cd "$(dirname "$0")/.."
python3 - <<'PY'
import hashlib, os, re

src = open("tls-untrusted-noconfig/mail.log").read().splitlines()
hdr, qid = [], []
for line in src:
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d)\+0100 (.*)", line)
    y, mo, d, t, rest = m.groups()
    hdr.append("%s/%s/%s %s %s" % (d, mo, y, t, rest))
    if "4jY1" in line:
        qid.append(re.sub(r"\b(4jY1\w{11}): ",
                          lambda q: hashlib.md5(q.group(1).encode()).hexdigest()[:11] + ": ", line))
other = """Nov 23 06:25:01 mx1 CRON[40112]: (root) CMD (test -x /usr/sbin/anacron || run-parts --report /etc/cron.daily)
Nov 23 06:31:17 mx1 sshd[40188]: Accepted publickey for admin from 198.51.100.23 port 50522 ssh2: ED25519 SHA256:0GqkQ1l0Zl2mW3lJ5cY3b3F0dC4y8rW2uVbq9c2Xx1Q
Nov 23 06:31:17 mx1 sshd[40188]: pam_unix(sshd:session): session opened for user admin(uid=1000) by (uid=0)
Nov 23 06:31:17 mx1 systemd-logind[611]: New session 412 of user admin.
Nov 23 06:32:40 mx1 dovecot: imap-login: Login: user=<alice@example.com>, method=PLAIN, rip=203.0.113.40, lip=192.0.2.5, mpid=40231, TLS, session=<q0bI9u8KJN3LgHEo>
Nov 23 06:32:44 mx1 dovecot: imap(alice@example.com)<40231><q0bI9u8KJN3LgHEo>: Logged out in=212 out=1554 deleted=0 expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 body_count=0 body_bytes=0
Nov 23 06:35:02 mx1 dovecot: lmtp(40250): Connect from local
Nov 23 06:35:02 mx1 dovecot: lmtp(bob@example.com)<40250><ZV7xNf5aXmU6nQAA>: msgid=<20261123063501.1a2b@example.org>: saved mail to INBOX
Nov 23 06:35:02 mx1 dovecot: lmtp(40250): Disconnect from local: Client has quit the connection (state=READY)
Nov 23 06:40:01 mx1 CRON[40301]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)
Nov 23 06:44:09 mx1 sshd[40188]: pam_unix(sshd:session): session closed for user admin
Nov 23 06:44:09 mx1 systemd-logind[611]: Session 412 logged out. Waiting for processes to exit.
"""
for d, lines in (("unreadable-header", hdr), ("unreadable-queue-ids", qid)):
    os.makedirs(d, exist_ok=True)
    open(d + "/mail.log", "w").write("\n".join(lines) + "\n")
os.makedirs("unreadable-other-programs", exist_ok=True)
open("unreadable-other-programs/mail.log", "w").write(other)
PY
