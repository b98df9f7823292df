#!/bin/bash
# stop.sh - stop what run.sh started (after FMRD_PF_KEEP=1 or an aborted
# run): the client and provider instances ("postfix -c DIR stop") and the
# test name server, the private rsyslogd and the probe cases' silent
# listener, each found through its own pid file. Touches nothing else.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ -f "$PF_CLI/main.cf" ] && pf_stop "$PF_CLI" "$PF_CLI_Q"
pf_rsyslog_stop
[ -f "$PF_PROV/main.cf" ] && pf_stop "$PF_PROV" "$PF_PROV_Q"
pf_dns_stop
pf_silent_stop
exit 0
