#!/bin/sh
# Regenerates mail.log in this directory: a mostly normal Postfix log (one message,
# 3A1F74C2B19, relayed and sent) polluted with hostile or broken input:
#   NUL bytes, invalid UTF-8 inside from=<...>, ANSI/OSC escape sequences inside a
#   hostname and inside a delivery reply text, a 20,000-byte line, lines in unknown
#   header formats, binary garbage, CRLF line endings on some lines, and a last line
#   cut off mid-record without a newline.
# Deterministic: no randomness, so the output is byte-identical on every run.
set -eu
cd "$(dirname "$0")"
python3 - <<'PY'
H = b"Nov 23 "
def L(t, rest, end=b"\n"):
    return H + t.encode() + b" mx1 " + rest + end

ESC = b"\x1b"
BEL = b"\x07"
out = []
out.append(L("12:00:01", b"CRON[72210]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)"))
out.append(L("12:02:13", b"postfix/anvil[72188]: statistics: max cache size 1 at Nov 23 12:00:33"))
# run of NUL bytes left by an unclean shutdown, followed by a normal record on the same line
out.append(b"\x00" * 512 + L("12:03:30", b"systemd[1]: Starting sysstat-collect.service - system activity accounting tool..."))
out.append(L("12:03:30", b"systemd[1]: sysstat-collect.service: Deactivated successfully."))
# NUL bytes in the middle of a Postfix record
out.append(L("12:04:02", b"postfix/smtpd[72231]: connect from unknown[203.0.113.66]\x00\x00\x00\x00trailing"))
# ANSI colour and OSC "set window title" sequences inside the client hostname
out.append(L("12:05:17", b"postfix/smtpd[72240]: connect from evil" + ESC + b"[31mred" + ESC + b"[0m" + ESC + b"]0;pwned" + BEL + b".example.net[203.0.113.67]"))
out.append(L("12:05:18", b"postfix/smtpd[72240]: NOQUEUE: reject: RCPT from evil" + ESC + b"[31mred" + ESC + b"[0m" + ESC + b"]0;pwned" + BEL
             + b".example.net[203.0.113.67]: 454 4.7.1 <victim@example.org>: Relay access denied; from=<\xff\xfespoof@exa\xe2\x82mple.org> to=<victim@example.org> proto=ESMTP helo=<x>"))
out.append(L("12:05:18", b"postfix/smtpd[72240]: disconnect from evil" + ESC + b"[31mred" + ESC + b"[0m" + ESC + b"]0;pwned" + BEL + b".example.net[203.0.113.67] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4"))
# unknown header formats
out.append(b"@4000000069236e2c1d0a2b3c postfix/smtp[72250]: multilog/tai64n style header\n")
out.append(b"23/11/2026 12:06:01 mx1 postfix/qmgr[1311]: day-first date, not a syslog header\n")
out.append(b"<22>1 2026-11-23T12:06:02.000Z mx1 postfix 72251 - - RFC 5424 raw wire format\n")
out.append(b"mx1 postfix/smtp[72252]: no timestamp at all\n")
# binary garbage (fixed bytes, including CR, NUL, 0x80-0xff and a lone ESC, but no LF inside)
out.append(bytes(c for c in range(0, 32) if c != 10) + bytes(range(128, 256)) + b"\n")
out.append(b"\x89PNG\r\x1a\x00\x00\x00\rIHDR\x00\x00\x01\x00\xff\xd8\xff\xe0garbage" + ESC + b"\n")
# ---- the message of interest (some of its records end in CRLF) ----
out.append(L("12:07:40", b"postfix/smtpd[72263]: connect from app1.example.com[192.0.2.10]"))
out.append(L("12:07:40", b"postfix/smtpd[72263]: 3A1F74C2B19: client=app1.example.com[192.0.2.10]", b"\r\n"))
out.append(L("12:07:40", b"postfix/cleanup[72265]: 3A1F74C2B19: message-id=<20261123110740.7e3a9c@app1.example.com>"))
# invalid UTF-8 in the envelope sender: 0xff 0xfe and a truncated 2-byte sequence (0xc3 without continuation)
out.append(L("12:07:40", b"postfix/qmgr[1311]: 3A1F74C2B19: from=<\xff\xfebilling@exa\xc3mple.com>, size=4127, nrcpt=1 (queue active)", b"\r\n"))
out.append(L("12:07:40", b"postfix/smtpd[72263]: disconnect from app1.example.com[192.0.2.10] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5"))
out.append(L("12:07:41", b"postfix/smtp[72268]: Trusted TLS connection established to smtp.fastmail.com[103.168.172.45]:587: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256", b"\r\n"))
# a 20,000-byte line (a Postfix-looking record with a huge HELO), in between
prefix = L("12:07:41", b"postfix/smtpd[72270]: NOQUEUE: reject: RCPT from unknown[203.0.113.68]: 550 5.7.1 <x@example.com>: Relay access denied; from=<a@example.org> to=<x@example.com> proto=ESMTP helo=<", b"")
pad = 20000 - len(prefix) - 2
out.append(prefix + b"A" * pad + b">\n")
assert len(out[-1]) == 20000
# ANSI and OSC sequences inside the provider's reply text
out.append(L("12:07:41", b"postfix/smtp[72268]: 3A1F74C2B19: to=<customer@example.net>, relay=smtp.fastmail.com[103.168.172.45]:587, delay=0.71, delays=0.04/0.02/0.44/0.21, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4jY2Xq0mB8zD7c1 "
             + ESC + b"[2J" + ESC + b"[31mALERT" + ESC + b"[0m" + ESC + b"]0;owned" + BEL + b")"))
out.append(L("12:07:41", b"postfix/qmgr[1311]: 3A1F74C2B19: removed", b"\r\n"))
# more noise after the message
out.append(L("12:09:55", b"postfix/smtpd[72281]: connect from unknown[203.0.113.69]"))
out.append(L("12:09:55", b"postfix/smtpd[72281]: lost connection after CONNECT from unknown[203.0.113.69]"))
out.append(L("12:09:55", b"postfix/smtpd[72281]: disconnect from unknown[203.0.113.69] commands=0/0"))
out.append(b"\xde\xad\xbe\xef\x00\x01\x02\x03\xfe\xff\x1b[0m\x7f\x7f\x7f\n")
out.append(L("12:10:01", b"CRON[72290]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)"))
# last record cut off in the middle (no trailing newline)
out.append(H + b"12:11:36 mx1 postfix/smtp[7229")
open("mail.log", "wb").write(b"".join(out))
PY
