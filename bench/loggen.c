/*
 * loggen - deterministic synthetic Postfix mail log generator (relay client).
 *
 * Part of the fmrelay-doctor benchmark kit (bench/).  Self-contained C11,
 * libc only (no libm):
 *
 *     cc -std=c11 -O2 -Wall -Wextra -o loggen loggen.c
 *
 * Usage:
 *     loggen [--seed N] [--size BYTES[k|M|G] | --messages N]
 *            [--format bsd|rfc3339|postlogd] [--long-ids | --mixed-ids]
 *            [--start YYYY-MM-DD] [--truth FILE] [--healthy] [--direct]
 *
 * The output is a discrete-event simulation of one Postfix host ("mx1",
 * myhostname mx1.example.com) that relays everything through
 * [smtp.fastmail.com]:587 with SASL + STARTTLS and smtp_tls_loglevel=1.
 * Mail enters via pickup (local sendmail), via smtpd (app servers in
 * mynetworks) and via the submission service (SASL users).  Many messages
 * are in flight at once, so the lifecycles interleave as in a real log.
 * Mixed in: deferrals (connect timeouts, 4xx replies, qmgr "delivery
 * temporarily suspended"), bounces with their non-delivery notifications
 * (delivered by local(8) or relayed), expiries (simulated
 * maximal_queue_lifetime = 2h so that they occur in short logs),
 * connection reuse (conn_use=), orig_to=, NOQUEUE relay rejects, SASL
 * brute-force noise, anvil statistics, master reloads, and (except in
 * postlogd format) non-Postfix CRON/systemd lines.
 *
 * --direct: the host has no relayhost and delivers straight to the
 * recipients' MX hosts on port 25 (a few big providers with several MX
 * hosts, hundreds of small domains with mx.DOMAIN).  Mixed in:
 * greylisting, full mailboxes, unknown users, mistyped domains (DNS
 * "Host not found"), block-list refusals, throttling by a big provider,
 * connect timeouts to one dead domain, opportunistic TLS
 * (Trusted/Untrusted/Anonymous).  The default (relay) output does not
 * change: the direct code paths draw random numbers only in direct mode.
 *
 * Message texts follow the Postfix 3.10 source (log_adhoc.c, format_tv.c,
 * smtpd.c, tls_misc.c, qmgr_active.c, mail_queue.h ...).  All lines are
 * "<header><ident>[<pid>]: <text>".  Times are UTC, starting
 * 2026-11-23 00:00:00 (or --start), monotonically non-decreasing.
 *
 * Ground truth (--truth FILE) is written as "key value" lines, see
 * bench/README.md for the exact definitions.
 *
 * Same seed + same options => byte-identical output.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Constants                                                            */
/* ------------------------------------------------------------------ */

#define US          1000000LL           /* microseconds per second */
#define MS          1000LL
#define T0_DEFAULT  1795392000LL        /* 2026-11-23T00:00:00Z */
#define MAXR        16                  /* max recipients per message */
#define LIFETIME    (2 * 3600 * US)     /* simulated maximal_queue_lifetime */
#define MIN_BACKOFF (300 * US)
#define MAX_BACKOFF (4000 * US)
#define CACHE_TTL   (2 * US)            /* smtp_connection_cache_time_limit */
#define REUSE_LIMIT (300 * US)          /* smtp_connection_reuse_time_limit */
#define HOSTNAME    "mx1"
#define MYHOST      "mx1.example.com"
#define RELAYHOST   "smtp.fastmail.com"
#define PF_VERSION  "3.10.4"
#define OUR_IP      "203.0.113.25"      /* this host's public address (--direct) */

static int64_t t0_epoch = T0_DEFAULT;    /* simulated time 0, UTC */

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64                                                     */
/* ------------------------------------------------------------------ */

static uint64_t rng_state;

static inline uint64_t rnd64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* uniform integer in [0, n) */
static inline uint32_t rnd_below(uint32_t n)
{
    return (uint32_t) (((rnd64() >> 32) * (uint64_t) n) >> 32);
}

/* uniform double in [0, 1) */
static inline double rnd_unit(void)
{
    return (double) (rnd64() >> 11) * (1.0 / 9007199254740992.0);
}

static inline int chance(double p)
{
    return rnd_unit() < p;
}

/* uniform int64 in [lo, hi] */
static inline int64_t rnd_range(int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int64_t) (rnd64() % (uint64_t) (hi - lo + 1));
}

/* natural log without libm (x > 0); ~1e-12 relative accuracy */
static double ln(double x)
{
    uint64_t bits;
    double m, s, s2, r;
    int e;

    memcpy(&bits, &x, sizeof bits);
    e = (int) ((bits >> 52) & 0x7ff) - 1023;
    bits = (bits & 0x000FFFFFFFFFFFFFULL) | 0x3FF0000000000000ULL;
    memcpy(&m, &bits, sizeof m);
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e++;
    }
    s = (m - 1.0) / (m + 1.0);
    s2 = s * s;
    r = 2.0 * s * (1.0 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9
            + s2 * (1.0 / 11 + s2 * (1.0 / 13 + s2 / 15)))))));
    return r + e * 0.6931471805599453;
}

/* exponentially distributed duration with the given mean (in us) */
static int64_t rnd_exp(double mean)
{
    double u = 1.0 - rnd_unit();        /* (0, 1] */
    return (int64_t) (-ln(u) * mean);
}

/* ------------------------------------------------------------------ */
/* Output buffer                                                        */
/* ------------------------------------------------------------------ */

#define OBUF_SIZE (8u << 20)
#define OBUF_SLACK 16384

static char *obuf;
static char *op;
static char *line_start;
static uint64_t out_bytes, out_lines;
static uint64_t target_bytes;           /* 0 = no size limit */
static int healthy_only;          /* --healthy: no failures at all */
static int direct_mode;                 /* --direct: no relayhost, MX delivery */
static int stopping;                    /* no new arrivals */

static void flush_out(void)
{
    size_t n = (size_t) (op - obuf);

    if (n && fwrite(obuf, 1, n, stdout) != n) {
        perror("loggen: write");
        exit(1);
    }
    op = obuf;
}

static inline void put_c(char c)
{
    *op++ = c;
}

static inline void put_n(const char *s, size_t n)
{
    memcpy(op, s, n);
    op += n;
}

static inline void put_s(const char *s)
{
    put_n(s, strlen(s));
}

static inline void put_u(uint64_t v)
{
    char tmp[24];
    int n = 0;

    do {
        tmp[n++] = (char) ('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *op++ = tmp[--n];
}

static inline void put_u0(uint64_t v, int width)   /* zero padded */
{
    char tmp[24];
    int n = 0;

    do {
        tmp[n++] = (char) ('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    while (n)
        *op++ = tmp[--n];
}

static const char HEXU[] = "0123456789ABCDEF";
static const char HEXL[] = "0123456789abcdef";

static inline void put_hex(uint64_t v, int width, const char *digits)
{
    char tmp[24];
    int n = 0;

    do {
        tmp[n++] = digits[v & 15];
        v >>= 4;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    while (n)
        *op++ = tmp[--n];
}

/*
 * Postfix format_tv(): large values rounded to whole seconds, small values
 * with 2 significant digits, at most 2 decimals (delay_logging_resolution_limit).
 */
static void put_tv(int64_t us)
{
    static const long p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    const int sig_dig = 2, max_dig = 2;
    long sec, usec, ures, wid, n, rem;

    if (us < 0)
        us = 0;
    sec = (long) (us / US);
    usec = (long) (us % US);
    ures = 1000000 / p10[max_dig];
    wid = p10[sig_dig];
    if (ures < 1000000) {
        if (sec > 0) {
            for (n = 1; sec >= n && n <= wid / 10; n *= 10)
                /* void */ ;
            ures = (1000000 / wid) * n;
        } else {
            while (usec >= wid * ures)
                ures *= 10;
        }
    }
    if (ures > 1) {
        usec += ures / 2;
        if (usec >= 1000000) {
            sec += 1;
            usec -= 1000000;
        }
    }
    put_u((uint64_t) sec);
    if (usec >= ures) {
        put_c('.');
        for (rem = usec, n = 100000; rem >= ures && n > 0; n /= 10) {
            put_c((char) ('0' + rem / n));
            rem %= n;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Calendar and record headers                                          */
/* ------------------------------------------------------------------ */

enum { FMT_BSD, FMT_RFC3339, FMT_POSTLOGD };
static int out_format = FMT_BSD;

static const char *MON[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

typedef struct {
    int year, mon, day, hour, min, sec;
} Civil;

/* days since 1970-01-01 -> y/m/d (proleptic Gregorian) */
static void civil_from_epoch(int64_t esec, Civil *c)
{
    int64_t z = esec / 86400, sod = esec % 86400, era, doe, yoe, y, doy, mp;

    if (sod < 0) {
        sod += 86400;
        z -= 1;
    }
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    c->day = (int) (doy - (153 * mp + 2) / 5 + 1);
    c->mon = (int) (mp < 10 ? mp + 3 : mp - 9);
    c->year = (int) (y + (c->mon <= 2));
    c->hour = (int) (sod / 3600);
    c->min = (int) (sod / 60 % 60);
    c->sec = (int) (sod % 60);
}

/* YYYY-MM-DD -> seconds since the epoch (UTC midnight) */
static int64_t epoch_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (era * 146097 + doe - 719468) * 86400;
}

static int64_t hdr_cached_sec = -1;
static char hdr_cache[64];
static size_t hdr_cache_len;

/* "Nov 23 12:07:52" (space padded day, like ctime()+4) into dst */
static size_t fmt_ctime15(char *dst, int64_t esec, int zero_pad)
{
    Civil c;

    civil_from_epoch(esec, &c);
    memcpy(dst, MON[c.mon - 1], 3);
    dst[3] = ' ';
    dst[4] = c.day >= 10 ? (char) ('0' + c.day / 10) : (zero_pad ? '0' : ' ');
    dst[5] = (char) ('0' + c.day % 10);
    dst[6] = ' ';
    dst[7] = (char) ('0' + c.hour / 10);
    dst[8] = (char) ('0' + c.hour % 10);
    dst[9] = ':';
    dst[10] = (char) ('0' + c.min / 10);
    dst[11] = (char) ('0' + c.min % 10);
    dst[12] = ':';
    dst[13] = (char) ('0' + c.sec / 10);
    dst[14] = (char) ('0' + c.sec % 10);
    return 15;
}

static void put_header(int64_t t)
{
    int64_t esec = t0_epoch + t / US;

    if (esec != hdr_cached_sec) {
        hdr_cached_sec = esec;
        if (out_format == FMT_RFC3339) {
            Civil c;
            char *save = op;

            civil_from_epoch(esec, &c);
            op = hdr_cache;
            put_u0((uint64_t) c.year, 4);
            put_c('-');
            put_u0((uint64_t) c.mon, 2);
            put_c('-');
            put_u0((uint64_t) c.day, 2);
            put_c('T');
            put_u0((uint64_t) c.hour, 2);
            put_c(':');
            put_u0((uint64_t) c.min, 2);
            put_c(':');
            put_u0((uint64_t) c.sec, 2);
            hdr_cache_len = (size_t) (op - hdr_cache);
            op = save;
        } else {
            hdr_cache_len = fmt_ctime15(hdr_cache, esec, out_format == FMT_POSTLOGD);
            memcpy(hdr_cache + hdr_cache_len, " " HOSTNAME " ", sizeof(HOSTNAME) + 1);
            hdr_cache_len += sizeof(HOSTNAME) + 1;
        }
    }
    put_n(hdr_cache, hdr_cache_len);
    if (out_format == FMT_RFC3339) {
        put_c('.');
        put_u0((uint64_t) (t % US), 6);
        put_s("+00:00 " HOSTNAME " ");
    }
}

static void line_begin(int64_t t, const char *ident, int pid)
{
    line_start = op;
    put_header(t);
    put_s(ident);
    put_c('[');
    put_u((uint64_t) pid);
    put_s("]: ");
}

static void line_end(void)
{
    put_c('\n');
    out_bytes += (uint64_t) (op - line_start);
    out_lines++;
    if (target_bytes && out_bytes >= target_bytes)
        stopping = 1;
    if (op - obuf > (long) (OBUF_SIZE - OBUF_SLACK))
        flush_out();
}

/* ------------------------------------------------------------------ */
/* Queue IDs                                                            */
/* ------------------------------------------------------------------ */

enum { QID_SHORT, QID_LONG, QID_MIXED };
static int qid_mode = QID_SHORT;
static uint64_t file_counter;

/* Postfix long-queue-id alphabet (global/safe_ultostr.c: no vowels) */
static const char SAFE[] = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";

static int enc_base(char *out, uint64_t v, unsigned base, int pad)
{
    char tmp[32];
    int n = 0, i;

    do {
        tmp[n++] = SAFE[v % base];
        v /= base;
    } while (v);
    while (n < pad)
        tmp[n++] = '0';
    for (i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/*
 * A unique pseudo "inode" per queue file, so that queue IDs never repeat
 * within a run (short ID = %05X usec + %X inode, so a unique inode gives a
 * unique ID).  Three disjoint inode ranges give short IDs of 10, 11 and 12
 * characters (about 30/60/10 %): [0x10000, 0x8FFFF], [0x100000, 0x8FFFFF]
 * (each filled through an odd-multiplier permutation, i.e. a bijection) and
 * 0x1000000 + counter for the rest and for overflow.
 */
static uint64_t next_inode(void)
{
    uint64_t c = file_counter++, slot = c % 10, k = c / 10, idx;

    if (slot < 3) {
        idx = k * 3 + slot;
        if (idx < (1u << 19))
            return 0x10000 + ((idx * 0x9E3BULL) & 0x7FFFF);
    } else if (slot < 9) {
        idx = k * 6 + (slot - 3);
        if (idx < (1u << 23))
            return 0x100000 + ((idx * 0x9E3B5ULL) & 0x7FFFFF);
    }
    return 0x1000000 + (c ^ 0x5A5A5);
}

/* builds a queue ID for a queue file created at time t; returns length */
static int make_qid(char *dst, int64_t t, int longid)
{
    uint64_t inode = next_inode();
    int64_t esec = t0_epoch + t / US;
    uint64_t usec = (uint64_t) (t % US);
    int n;

    if (!longid) {
        char *save = op;

        op = dst;
        put_hex(usec, 5, HEXU);
        put_hex(inode, 1, HEXU);
        n = (int) (op - dst);
        op = save;
    } else {
        n = enc_base(dst, (uint64_t) esec, 52, 6);
        n += enc_base(dst + n, usec, 52, 4);
        dst[n++] = 'z';
        n += enc_base(dst + n, inode, 51, 0);
    }
    dst[n] = 0;
    return n;
}

/*
 * The provider's queue ID from "250 2.0.0 Ok: queued as ..." (Postfix long
 * form, e.g. "4WDH3k2QZbz2xBL"); one per SMTP transaction, i.e. shared by
 * all recipients accepted in that transaction.
 */
static char foreign_qid[40];
static int foreign_qid_len;

static void new_foreign_qid(int64_t t)
{
    char *b = foreign_qid;
    int n;

    n = enc_base(b, (uint64_t) (t0_epoch + t / US - 1), 52, 6);
    n += enc_base(b + n, rnd_below(1000000), 52, 4);
    b[n++] = 'z';
    n += enc_base(b + n, 0x100000 + rnd_below(0x3000000), 51, 0);
    foreign_qid_len = n;
}

/* ------------------------------------------------------------------ */
/* Static data                                                          */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *given;          /* pickup from=<...> as submitted */
    const char *addr;           /* envelope sender as seen by qmgr */
    int uid;
    int local;                  /* 1: mailbox on this host (NDR via local) */
} Sender;

static const Sender PICKUP_SENDERS[] = {
    {"root", "root@" MYHOST, 0, 1},
    {"root", "root@" MYHOST, 0, 1},
    {"www-data", "www-data@" MYHOST, 33, 1},
    {"backup", "backup@" MYHOST, 34, 1},
    {"nagios", "nagios@" MYHOST, 112, 1},
    {"logwatch", "logwatch@" MYHOST, 0, 1},
    {"alice@" MYHOST, "alice@" MYHOST, 1000, 1},
    {"deploy", "deploy@" MYHOST, 1001, 1},
};
#define N_PICKUP_SENDERS (sizeof PICKUP_SENDERS / sizeof PICKUP_SENDERS[0])

static const char *APP_SENDERS[] = {
    "noreply@example.com",
    "noreply@example.com",
    "alerts@example.com",
    "billing+invoices@example.com",
    "wordpress@blog.example.com",
    "monitoring@ops.example.com",
    "no-reply@shop.example.com",
    "bounce-4711-carol=example.net@lists.example.com",
    "jenkins@ci.example.com",
};
#define N_APP_SENDERS (sizeof APP_SENDERS / sizeof APP_SENDERS[0])

typedef struct {
    const char *name;
    const char *addr;
    int starttls;               /* client uses STARTTLS (logged by smtpd) */
    const char *sasl_user;      /* submission clients only */
    const char *sender;         /* submission clients only */
} Client;

static const Client RELAY_CLIENTS[] = {
    {"localhost", "127.0.0.1", 0, 0, 0},
    {"localhost", "::1", 0, 0, 0},
    {"app1.example.com", "192.0.2.10", 1, 0, 0},
    {"app1.example.com", "192.0.2.10", 1, 0, 0},
    {"app2.example.com", "192.0.2.11", 1, 0, 0},
    {"web1.example.com", "192.0.2.20", 0, 0, 0},
    {"unknown", "192.0.2.33", 0, 0, 0},
    {"printer.example.com", "192.0.2.50", 0, 0, 0},
    {"app3.example.com", "2001:db8:10::25", 1, 0, 0},
};
#define N_RELAY_CLIENTS (sizeof RELAY_CLIENTS / sizeof RELAY_CLIENTS[0])

static const Client SUBMIT_CLIENTS[] = {
    {"laptop.example.com", "198.51.100.23", 1, "alice", "alice@example.com"},
    {"unknown", "198.51.100.88", 1, "bob", "bob@example.com"},
    {"phone.example.net", "2001:db8:77::4", 1, "carol", "carol@example.com"},
};
#define N_SUBMIT_CLIENTS (sizeof SUBMIT_CLIENTS / sizeof SUBMIT_CLIENTS[0])

static const char *RCPT_NAMES[] = {
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
    "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil",
    "trent", "victor", "walter", "ops", "support", "billing", "info",
    "admin", "j.smith", "mary.jones", "t.nguyen", "k.mueller", "s.garcia",
    "p.rossi", "accounts-payable", "newsletter+weekly",
};
#define N_RCPT_NAMES (sizeof RCPT_NAMES / sizeof RCPT_NAMES[0])

static const char *RCPT_DOMAINS[] = {
    "example.net", "example.net", "example.org", "mail.example.net",
    "customer1.example", "customer2.example", "corp.example.org",
    "gmail.com", "outlook.com", "yahoo.com", "fastmail.com", "example.com",
};
#define N_RCPT_DOMAINS (sizeof RCPT_DOMAINS / sizeof RCPT_DOMAINS[0])

static const char *RELAY_IPS[] = {"103.168.172.45", "103.168.172.60"};

static const char *HELOS[] = {
    "User", "ylmf-pc", "WIN-CLJ1B0GQ6JP", "mail.example.biz", "[203.0.113.5]",
    "localhost", "example.com", "ADMIN",
};
#define N_HELOS (sizeof HELOS / sizeof HELOS[0])

static const char *BRUTE_USERS[] = {
    "admin", "info", "test", "user", "postmaster", "sales", "alice", "webmaster",
};
#define N_BRUTE_USERS (sizeof BRUTE_USERS / sizeof BRUTE_USERS[0])

/* relative arrival rate per hour of day (UTC) */
static const double HOUR_WEIGHT[24] = {
    0.35, 0.3, 0.3, 0.3, 0.35, 0.45, 0.6, 0.9, 1.3, 1.6, 1.7, 1.7,
    1.6, 1.6, 1.7, 1.7, 1.6, 1.4, 1.1, 0.9, 0.7, 0.6, 0.5, 0.4,
};

/* ------------------------------------------------------------------ */
/* Processes (pids)                                                     */
/* ------------------------------------------------------------------ */

static int next_pid_val = 1893;

static int new_pid(void)
{
    next_pid_val += 1 + (int) rnd_below(48);
    if (next_pid_val > 4194000)
        next_pid_val = 300 + (int) rnd_below(200);
    return next_pid_val;
}

typedef struct {
    int pid;
    int uses;
    int64_t busy_until;
    int64_t last_used;
} Proc;

typedef struct {
    const char *ident;
    int n, max, max_use;
    int64_t max_idle;
    Proc p[32];
} Pool;

static Pool smtp_pool = {.ident = "postfix/smtp", .max = 20, .max_use = 100, .max_idle = 100 * US};
static Pool smtpd_pool = {.ident = "postfix/smtpd", .max = 20, .max_use = 100, .max_idle = 100 * US};
static Pool subm_pool = {.ident = "postfix/submission/smtpd", .max = 10, .max_use = 100, .max_idle = 100 * US};
static Pool cleanup_pool = {.ident = "postfix/cleanup", .max = 6, .max_use = 100, .max_idle = 100 * US};
static Pool bounce_pool = {.ident = "postfix/bounce", .max = 3, .max_use = 100, .max_idle = 100 * US};
static Pool local_pool = {.ident = "postfix/local", .max = 4, .max_use = 100, .max_idle = 100 * US};
static Pool pickup_pool = {.ident = "postfix/pickup", .max = 1, .max_use = 100, .max_idle = 1000000 * US};
static Pool anvil_pool = {.ident = "postfix/anvil", .max = 1, .max_use = 1000000, .max_idle = 100 * US};

static int qmgr_pid, master_pid;

/* returns the pid of a process that is busy from now until 'until' */
static int proc_acquire(Pool *pl, int64_t now, int64_t until)
{
    int i, idle[32], nidle = 0, pick = -1;
    Proc *p;

    /* idle processes past max_idle have exited */
    for (i = 0; i < pl->n;) {
        if (pl->p[i].busy_until <= now && pl->p[i].last_used + pl->max_idle < now) {
            pl->p[i] = pl->p[--pl->n];
            continue;
        }
        i++;
    }
    for (i = 0; i < pl->n; i++)
        if (pl->p[i].busy_until <= now)
            idle[nidle++] = i;
    if (nidle > 0) {
        pick = idle[rnd_below((uint32_t) (nidle < 3 ? nidle : 3))];
    } else if (pl->n < pl->max) {
        pick = pl->n++;
        pl->p[pick].pid = new_pid();
        pl->p[pick].uses = 0;
    } else {
        pick = 0;
        for (i = 1; i < pl->n; i++)
            if (pl->p[i].busy_until < pl->p[pick].busy_until)
                pick = i;
    }
    p = &pl->p[pick];
    if (p->uses >= pl->max_use) {
        p->pid = new_pid();     /* max_use reached or reloaded: new process */
        p->uses = 0;
    }
    p->uses++;
    if (until > p->busy_until)
        p->busy_until = until;
    p->last_used = p->busy_until;
    return p->pid;
}

/* release a session process early/late: set its busy time to 'now' */
static void proc_release(Pool *pl, int pid, int64_t now)
{
    int i;

    for (i = 0; i < pl->n; i++)
        if (pl->p[i].pid == pid) {
            pl->p[i].busy_until = now;
            pl->p[i].last_used = now;
            return;
        }
}

static void pool_reload(Pool *pl)
{
    int i;

    /* every process that exists now is replaced when next used */
    for (i = 0; i < pl->n; i++)
        pl->p[i].uses = pl->max_use;
}

/* ------------------------------------------------------------------ */
/* Event queue                                                          */
/* ------------------------------------------------------------------ */

enum {
    E_ARRIVAL = 1, E_REJ_ARRIVAL, E_AUTHFAIL_ARRIVAL, E_SCAN_ARRIVAL,
    E_ANVIL, E_CRON, E_SYSSTAT, E_DAILY, E_RELOAD, E_SSH,
    E_SESS_CONNECT, E_SESS_TLS, E_SESS_MAIL, E_SESS_DISCONNECT,
    E_SESS_REJECT, E_SESS_AUTHWARN, E_SESS_LOST,
    E_PICKUP, E_CLEANUP, E_QMGR_ACTIVE, E_DELIVER, E_SMTP_TLS,
    E_SMTP_CONNFAIL, E_SMTP_RCPTFAIL, E_SMTP_DONE, E_QMGR_DONE,
    E_NDR_CLEANUP, E_BOUNCE_LOG, E_REMOVED, E_NOISE
};

typedef struct {
    int64_t t;
    uint64_t seq;
    uint32_t type;
    uint32_t id;
} Ev;

static Ev *heap;
static size_t hn, hcap;
static uint64_t ev_seq;
static int64_t now_t;

static inline int ev_less(const Ev *a, const Ev *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void push(int64_t t, uint32_t type, uint32_t id)
{
    size_t i;
    Ev e;

    if (t < now_t)
        t = now_t;
    if (hn == hcap) {
        hcap = hcap ? hcap * 2 : 4096;
        heap = realloc(heap, hcap * sizeof *heap);
        if (!heap) {
            fputs("loggen: out of memory\n", stderr);
            exit(1);
        }
    }
    e.t = t;
    e.seq = ev_seq++;
    e.type = type;
    e.id = id;
    i = hn++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;

        if (!ev_less(&e, &heap[parent]))
            break;
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = e;
}

static Ev pop(void)
{
    Ev top = heap[0], last = heap[--hn];
    size_t i = 0;

    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= hn)
            break;
        if (c + 1 < hn && ev_less(&heap[c + 1], &heap[c]))
            c++;
        if (!ev_less(&heap[c], &last))
            break;
        heap[i] = heap[c];
        i = c;
    }
    if (hn)
        heap[i] = last;
    return top;
}

/* ------------------------------------------------------------------ */
/* Messages and sessions                                                */
/* ------------------------------------------------------------------ */

enum { SRC_PICKUP, SRC_SMTPD, SRC_SUBMIT, SRC_NDR };
enum { R_PENDING, R_SENT, R_BOUNCED, R_EXPIRED };
enum {
    O_NONE, O_SENT, O_BOUNCE_UNKNOWN, O_BOUNCE_DENIED, O_DEFER_LOOKUP,
    /* --direct */
    O_GREY, O_FULL_DEFER, O_FULL_BOUNCE, O_SPAM, O_NXDOMAIN, O_D_TIMEOUT, O_D_THROTTLE
};
enum {
    F_NORMAL, F_CONN_TIMEOUT, F_GREETING_TIMEOUT, F_LOST_BODY, F_RATE,
    F_SENDER_REJ, F_SIZE, F_THROTTLED, F_LOCAL,
    F_NXDOMAIN, F_D_THROTTLE    /* --direct */
};
/* --direct: what a recipient's server does with this recipient */
enum { FATE_OK, FATE_GREY, FATE_FULL_SENT, FATE_FULL_BOUNCE, FATE_UNKNOWN };
enum { ORIG_NONE, ORIG_ROOT, ORIG_ALIAS };
enum { MID_GEN, MID_APP, MID_UUID, MID_NONE };

typedef struct {
    uint8_t name, dom, orig, state, out;
    uint16_t num;
    uint16_t ddom;              /* --direct: index into ddoms[] */
    uint8_t fate, tries, k, tried;      /* --direct */
} Rcpt;

typedef struct {
    char qid[32];
    uint8_t qlen, src, longid, doomed, in_use, nrcpt;
    uint8_t mid_kind, fail, ip, new_conn, tls_kind;
    uint8_t attempt_bounced, expired, counted_deferred;
    uint8_t mxi, mxi2, counted_grey, counted_thr;      /* --direct */
    uint16_t dgroup;            /* --direct: domain of the current delivery */
    int sender;                 /* index into PICKUP/APP senders, -1 = <> */
    int client;                 /* smtpd/submission client index */
    int session;
    int ndr_to_local;           /* NDR: recipient is a local mailbox */
    const char *ndr_to;         /* NDR: recipient address */
    const char *ndr_to_alias;   /* NDR via local: alias expansion target */
    int ndr_msg;                /* index of the NDR being created */
    uint32_t size;
    uint64_t mid_rand;
    int64_t t_arrival, t_active, t_handoff, t_conn, t_end, conn_first;
    int cleanup_pid, deliver_pid, conn_use, attempts;
    Rcpt r[MAXR];
} Msg;

typedef struct {
    uint8_t kind, in_use, client, nmsg, nmsg_left, starttls, nrej, helo, bare;
    int pid;
    int rcpts;
    uint32_t ip;                /* attackers */
    int cur_msg;
} Sess;

enum { SK_RELAY, SK_SUBMIT, SK_REJECT, SK_AUTHFAIL, SK_SCAN };

static Msg *msgs;
static uint32_t n_msgs, cap_msgs, *free_msgs, n_free_msgs;
static Sess *sess;
static uint32_t n_sess, cap_sess, *free_sess, n_free_sess;

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fputs("loggen: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static uint32_t msg_alloc(void)
{
    uint32_t i;

    if (n_free_msgs) {
        i = free_msgs[--n_free_msgs];
    } else {
        if (n_msgs == cap_msgs) {
            cap_msgs = cap_msgs ? cap_msgs * 2 : 1024;
            msgs = xrealloc(msgs, cap_msgs * sizeof *msgs);
            free_msgs = xrealloc(free_msgs, cap_msgs * sizeof *free_msgs);
        }
        i = n_msgs++;
    }
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].in_use = 1;
    msgs[i].session = -1;
    msgs[i].ndr_msg = -1;
    return i;
}

static void msg_free(uint32_t i)
{
    msgs[i].in_use = 0;
    free_msgs[n_free_msgs++] = i;
}

static uint32_t sess_alloc(void)
{
    uint32_t i;

    if (n_free_sess) {
        i = free_sess[--n_free_sess];
    } else {
        if (n_sess == cap_sess) {
            cap_sess = cap_sess ? cap_sess * 2 : 256;
            sess = xrealloc(sess, cap_sess * sizeof *sess);
            free_sess = xrealloc(free_sess, cap_sess * sizeof *free_sess);
        }
        i = n_sess++;
    }
    memset(&sess[i], 0, sizeof sess[i]);
    sess[i].in_use = 1;
    sess[i].cur_msg = -1;
    return i;
}

static void sess_free(uint32_t i)
{
    sess[i].in_use = 0;
    free_sess[n_free_sess++] = i;
}

/* ------------------------------------------------------------------ */
/* Ground truth                                                         */
/* ------------------------------------------------------------------ */

static struct {
    uint64_t messages, recipients, sent, deferred, deferred_messages, bounced;
    uint64_t expired, expired_recipients, ndr_messages, rejected;
    uint64_t pickup, smtpd, submission, local_sent, reused, tls_lines;
    /* --direct */
    uint64_t grey_messages, grey_recipients, grey_sent, full_deferred, full_sent;
    uint64_t full_bounced, unknown_bounced, nx_bounced, policy_bounced;
    uint64_t throttled_deferred, throttled_messages, timeout_deferred, suspended_deferred;
    uint64_t tls_trusted, tls_untrusted, tls_anonymous, domains_used, grey_failed;
} truth;

static uint64_t planned_msgs, max_msgs;

/* ------------------------------------------------------------------ */
/* Simulation state                                                     */
/* ------------------------------------------------------------------ */

typedef struct {
    int64_t expires, first_use;
    int uses;
    uint8_t ip, used;
    uint16_t dom;               /* --direct: destination domain */
} CachedConn;

static CachedConn conn_cache[6];
static int64_t throttle_until = -1;
static uint8_t throttle_ip;

/* anvil per-window statistics */
static int anvil_conns;
static int anvil_cnt[N_RELAY_CLIENTS + N_SUBMIT_CLIENTS + 1];
static int64_t anvil_when[N_RELAY_CLIENTS + N_SUBMIT_CLIENTS + 1];
static uint32_t anvil_attacker_ip;
static int session_no = 1100;

static void note_anvil(int slot, int64_t t, uint32_t attacker_ip)
{
    anvil_conns++;
    anvil_cnt[slot]++;
    anvil_when[slot] = t;
    if (attacker_ip)
        anvil_attacker_ip = attacker_ip;
}

/* ------------------------------------------------------------------ */
/* --direct: recipient domains and their MX hosts                       */
/* ------------------------------------------------------------------ */

#define MAXMX   5
#define N_SMALL 320

enum { DK_HUB, DK_BIG, DK_SMALL, DK_DEAD, DK_NX };
enum { DL_POSTFIX, DL_GMAIL, DL_OUTLOOK, DL_YAHOO };     /* reply dialects */
enum { TK_TRUSTED, TK_VERIFIED, TK_UNTRUSTED, TK_ANON, TK_NONE };
enum { GREY_NONE, GREY_POSTGREY, GREY_MILTER };

typedef struct {
    char name[64];
    char mx[MAXMX][80];
    char ip[MAXMX][40];
    uint8_t nmx, kind, dialect, tls, grey, rbl, used;
    uint32_t weight;
} DDom;

typedef struct {
    const char *name;
    int dialect;
    uint32_t weight;
    const char *mx[MAXMX];
    const char *ip[MAXMX];
} BigDom;

/* weights are relative (the small domains add about 46000 more) */
static const BigDom BIG_DOMS[] = {
    {"gmail.example", DL_GMAIL, 23000,
     {"gmail-smtp-in.l.google.example", "alt1.gmail-smtp-in.l.google.example",
      "alt2.gmail-smtp-in.l.google.example", "alt3.gmail-smtp-in.l.google.example",
      "alt4.gmail-smtp-in.l.google.example"},
     {"192.0.2.27", "192.0.2.28", "192.0.2.29", "192.0.2.30", "192.0.2.31"}},
    {"googlemail.example", DL_GMAIL, 1500,
     {"gmail-smtp-in.l.google.example", "alt1.gmail-smtp-in.l.google.example",
      "alt2.gmail-smtp-in.l.google.example", "alt3.gmail-smtp-in.l.google.example",
      "alt4.gmail-smtp-in.l.google.example"},
     {"192.0.2.27", "192.0.2.28", "192.0.2.29", "192.0.2.30", "192.0.2.31"}},
    {"outlook.example", DL_OUTLOOK, 9000,
     {"outlook-example.mail.protection.outlook.example",
      "outlook-example.mail.protection.outlook.example"},
     {"192.0.2.40", "192.0.2.41"}},
    {"hotmail.example", DL_OUTLOOK, 4000,
     {"hotmail-example.olc.protection.outlook.example",
      "hotmail-example.olc.protection.outlook.example"},
     {"192.0.2.42", "192.0.2.43"}},
    {"yahoo.example", DL_YAHOO, 7000,
     {"mta5.am0.yahoodns.example", "mta6.am0.yahoodns.example", "mta7.am0.yahoodns.example"},
     {"192.0.2.50", "192.0.2.51", "192.0.2.52"}},
    {"gmx.example", DL_POSTFIX, 4000,
     {"mx00.gmx.example", "mx01.gmx.example"},
     {"192.0.2.60", "192.0.2.61"}},
    {"icloud.example", DL_POSTFIX, 3000,
     {"mx01.mail.icloud.example", "mx02.mail.icloud.example"},
     {"192.0.2.70", "192.0.2.71"}},
};
#define N_BIG_DOMS (sizeof BIG_DOMS / sizeof BIG_DOMS[0])

/* mistyped recipient domains: the MX lookup says "Host not found" */
static const char *NX_DOMS[] = {
    "gmial.example", "yaho.example", "outlok.example", "hotmial.example", "icluod.example",
};
#define N_NX_DOMS (sizeof NX_DOMS / sizeof NX_DOMS[0])

static const char *SMALL_WORDS[] = {
    "acme", "bakery", "harbor", "lumen", "nordwind", "pixel", "quarry", "riverside",
    "summit", "tandem", "umbra", "vertex", "willow", "zephyr", "alpine", "beacon",
    "cedar", "delta", "ember", "fjord", "granite", "horizon", "indigo", "juniper",
    "kestrel", "lagoon", "meadow", "nimbus", "orchard", "prairie",
};
#define N_SMALL_WORDS (sizeof SMALL_WORDS / sizeof SMALL_WORDS[0])

static const char *SMALL_SUFFIX[] = {
    ".example", ".example.net", ".example.org", "-mail.example", "-shop.example",
    "-law.example", "-club.example.org", "-design.example.net", "-consulting.example",
    "-media.example", "-clinic.example.org",
};

static DDom *ddoms;
static int n_ddoms;
static uint64_t *dcum, dtotal;          /* cumulative weights for picking */
static int dd_hub, dd_dead;
static int64_t dead_until = -1;         /* qmgr: dead domain suspended until */
static int64_t gmail_throttle_until = -1;
static uint32_t gmail_deliveries;

static void ddom_add_mx(DDom *d, const char *mx, const char *ip)
{
    snprintf(d->mx[d->nmx], sizeof d->mx[0], "%s", mx);
    snprintf(d->ip[d->nmx], sizeof d->ip[0], "%s", ip);
    d->nmx++;
}

static DDom *ddom_new(const char *name, int kind, int dialect, int tls, uint32_t weight)
{
    DDom *d = &ddoms[n_ddoms++];

    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", name);
    d->kind = (uint8_t) kind;
    d->dialect = (uint8_t) dialect;
    d->tls = (uint8_t) tls;
    d->weight = weight;
    return d;
}

/* builds the domain table; draws random numbers only in --direct mode */
static void direct_init(void)
{
    char name[64], mx[80], ip[40];
    size_t i, j;
    DDom *d;

    ddoms = xrealloc(0, (1 + N_BIG_DOMS + N_NX_DOMS + 1 + N_SMALL) * sizeof *ddoms);
    dcum = xrealloc(0, (1 + N_BIG_DOMS + N_NX_DOMS + 1 + N_SMALL) * sizeof *dcum);
    /* this site's own mail server: notifications to non-local senders, root alias */
    dd_hub = n_ddoms;
    d = ddom_new("example.com", DK_HUB, DL_POSTFIX, TK_TRUSTED, 0);
    ddom_add_mx(d, "mail.example.com", "192.0.2.25");
    for (i = 0; i < N_BIG_DOMS; i++) {
        const BigDom *b = &BIG_DOMS[i];

        d = ddom_new(b->name, DK_BIG, b->dialect, TK_TRUSTED, b->weight);
        for (j = 0; j < MAXMX && b->mx[j]; j++)
            ddom_add_mx(d, b->mx[j], b->ip[j]);
    }
    for (i = 0; i < N_NX_DOMS; i++)
        ddom_new(NX_DOMS[i], DK_NX, DL_POSTFIX, TK_NONE, 70);
    dd_dead = n_ddoms;
    d = ddom_new("oldshop.example", DK_DEAD, DL_POSTFIX, TK_NONE, 120);
    ddom_add_mx(d, "mx.oldshop.example", "192.0.2.199");
    for (i = 0; i < N_SMALL; i++) {
        uint32_t x = rnd_below(100), g = rnd_below(100);

        snprintf(name, sizeof name, "%s%s", SMALL_WORDS[i % N_SMALL_WORDS],
                 SMALL_SUFFIX[i / N_SMALL_WORDS]);
        d = ddom_new(name, DK_SMALL, DL_POSTFIX,
                     x < 45 ? TK_TRUSTED : x < 78 ? TK_UNTRUSTED : x < 84 ? TK_ANON : TK_NONE,
                     14000 / (uint32_t) (i + 12));
        d->grey = (uint8_t) (g < 12 ? GREY_POSTGREY : g < 17 ? GREY_MILTER : GREY_NONE);
        /* a few domains use a block list that lists this host */
        d->rbl = (uint8_t) (i == 41 || i == 133 || i == 257);
        snprintf(mx, sizeof mx, "mx.%s", name);
        if (i % 5 == 4)
            snprintf(ip, sizeof ip, "2001:db8:%x::25", (unsigned) (0x100 + i));
        else
            snprintf(ip, sizeof ip, "%s.%u", (i & 1) ? "198.51.100" : "203.0.113",
                     (unsigned) (1 + (i * 7) % 120));
        ddom_add_mx(d, mx, ip);
    }
    for (i = 0; i < (size_t) n_ddoms; i++) {
        dtotal += ddoms[i].weight;
        dcum[i] = dtotal;
    }
}

static uint16_t pick_ddom(void)
{
    uint64_t x = rnd64() % dtotal;
    int lo = 0, hi = n_ddoms - 1;

    while (lo < hi) {
        int mid = (lo + hi) / 2;

        if (dcum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return (uint16_t) lo;
}

/* MX preference: the first host mostly, equal-preference hosts at random */
static uint8_t pick_mx(const DDom *d)
{
    if (d->nmx < 2)
        return 0;
    if (d->dialect == DL_OUTLOOK)
        return (uint8_t) rnd_below(d->nmx);
    return chance(0.9) ? 0 : (uint8_t) (1 + rnd_below((uint32_t) d->nmx - 1));
}

static void put_mx(const DDom *d, int mxi)
{
    put_s(d->mx[mxi]);
    put_c('[');
    put_s(d->ip[mxi]);
    put_c(']');
}

/* ------------------------------------------------------------------ */
/* Formatting helpers                                                   */
/* ------------------------------------------------------------------ */

static void put_ip4(uint32_t ip)
{
    put_u(ip >> 24);
    put_c('.');
    put_u((ip >> 16) & 255);
    put_c('.');
    put_u((ip >> 8) & 255);
    put_c('.');
    put_u(ip & 255);
}

static void put_attacker(const Sess *s)
{
    if (s->bare) {
        put_s("unknown[");
    } else {
        put_s("host-");
        put_u(s->ip >> 24);
        put_c('-');
        put_u((s->ip >> 16) & 255);
        put_c('-');
        put_u((s->ip >> 8) & 255);
        put_c('-');
        put_u(s->ip & 255);
        put_s(".dyn.example-isp.net[");
    }
    put_ip4(s->ip);
    put_c(']');
}

static void put_client(const Client *c)
{
    put_s(c->name);
    put_c('[');
    put_s(c->addr);
    put_c(']');
}

static const Client *sess_client(const Sess *s)
{
    return s->kind == SK_SUBMIT ? &SUBMIT_CLIENTS[s->client] : &RELAY_CLIENTS[s->client];
}

static void put_relay(int ip)
{
    put_s(RELAYHOST "[");
    put_s(RELAY_IPS[ip]);
    put_s("]:587");
}

static void put_rcpt_addr(const Rcpt *r)
{
    put_s(RCPT_NAMES[r->name]);
    if (r->num)
        put_u(r->num);
    put_c('@');
    put_s(direct_mode ? ddoms[r->ddom].name : RCPT_DOMAINS[r->dom]);
}

static const char *msg_sender(const Msg *m)
{
    if (m->sender < 0)
        return "";
    if (m->src == SRC_PICKUP)
        return PICKUP_SENDERS[m->sender].addr;
    if (m->src == SRC_SUBMIT)
        return SUBMIT_CLIENTS[m->client].sender;
    return APP_SENDERS[m->sender];
}

/* "QID: to=<...>[, orig_to=<...>]" */
static void put_to(const Msg *m, int i)
{
    const Rcpt *r = &m->r[i];

    put_n(m->qid, m->qlen);
    put_s(": to=<");
    if (m->src == SRC_NDR) {
        put_s(m->ndr_to_alias ? m->ndr_to_alias : m->ndr_to);
        put_c('>');
        if (m->ndr_to_alias) {
            put_s(", orig_to=<");
            put_s(m->ndr_to);
            put_c('>');
        }
        return;
    }
    put_rcpt_addr(r);
    put_c('>');
    if (r->orig == ORIG_ROOT) {
        put_s(", orig_to=<root>");
    } else if (r->orig == ORIG_ALIAS) {
        put_s(", orig_to=<");
        put_s(RCPT_NAMES[r->name]);
        put_s(".old@example.com>");
    }
}

/* ", delay=T, delays=a/b/c/d" following Postfix log_adhoc() */
static void put_delays(int64_t arrival, int64_t active, int64_t handoff,
                       int64_t conn_done, int64_t done)
{
    put_s(", delay=");
    put_tv(done - arrival);
    put_s(", delays=");
    if (active) {
        put_tv(active - arrival);
        put_c('/');
        if (handoff) {
            put_tv(handoff - active);
            put_c('/');
            if (conn_done) {
                put_tv(conn_done - handoff);
                put_c('/');
                put_tv(done - conn_done);
            } else {
                put_s("0/");
                put_tv(done - handoff);
            }
        } else {
            put_tv(done - active);
            put_s("/0/0");
        }
    } else {
        put_tv(done - arrival);
        put_s("/0/0/0");
    }
}

static void put_tls_summary(int kind)
{
    static const char *W[] = {"Trusted", "Verified", "Untrusted"};

    put_s(W[kind]);
    put_s(" TLS connection established to ");
}

static const char TLS_TAIL[] =
    ": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"
    " key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256";

/* ------------------------------------------------------------------ */
/* Message creation                                                     */
/* ------------------------------------------------------------------ */

static int pick_longid(void)
{
    if (qid_mode == QID_SHORT)
        return 0;
    if (qid_mode == QID_LONG)
        return 1;
    return (int) (rnd64() & 1);
}

/* --direct: recipients spread over many domains, each with its fate */
static void gen_recipients_direct(Msg *m)
{
    uint32_t x = rnd_below(1000);
    int n, i, j;

    if (m->src == SRC_PICKUP)
        n = x < 930 ? 1 : x < 990 ? 2 : 3;
    else
        n = x < 840 ? 1 : x < 950 ? 2 + (int) rnd_below(3) : 5 + (int) rnd_below(MAXR - 4);
    m->nrcpt = (uint8_t) n;
    for (i = 0; i < n; i++) {
        Rcpt *r = &m->r[i];
        const DDom *d;

        r->name = (uint8_t) rnd_below(N_RCPT_NAMES);
        do                      /* --healthy: only domains that work */
            r->ddom = pick_ddom();
        while (healthy_only && (ddoms[r->ddom].kind == DK_DEAD || ddoms[r->ddom].kind == DK_NX
                                || ddoms[r->ddom].rbl));
        r->num = chance(0.25) ? (uint16_t) (1 + rnd_below(999)) : 0;
        r->orig = ORIG_NONE;
        if (m->src == SRC_PICKUP && i == 0 && chance(0.45)) {
            r->orig = ORIG_ROOT;        /* root -> ops@example.com via virtual_alias_maps */
            r->name = 19;               /* "ops" */
            r->ddom = (uint16_t) dd_hub;
            r->num = 0;
        } else if (chance(0.03)) {
            r->orig = ORIG_ALIAS;
        }
        d = &ddoms[r->ddom];
        r->fate = FATE_OK;
        r->k = 0;
        if (!healthy_only && d->kind != DK_HUB) {
            double y = rnd_unit();

            if (y < 0.008) {
                r->fate = FATE_UNKNOWN;
            } else if (y < 0.011) {
                r->fate = FATE_FULL_SENT;
                r->k = (uint8_t) (1 + rnd_below(2));
            } else if (y < 0.013) {
                r->fate = FATE_FULL_BOUNCE;
                r->k = (uint8_t) rnd_below(3);
            } else if (d->grey != GREY_NONE && chance(0.6)) {
                r->fate = FATE_GREY;    /* a new (client, sender, recipient) triplet */
            }
        }
        r->state = R_PENDING;
        for (j = 0; j < i; j++)
            if (m->r[j].name == r->name && m->r[j].num == r->num && m->r[j].ddom == r->ddom)
                break;
        if (j < i) {
            i--;
            continue;
        }
        if (!ddoms[r->ddom].used) {
            ddoms[r->ddom].used = 1;
            truth.domains_used++;
        }
    }
    truth.recipients += (uint64_t) n;
}

static void gen_recipients(Msg *m)
{
    uint32_t x;
    int n, i, j;

    if (direct_mode) {
        gen_recipients_direct(m);
        return;
    }
    x = rnd_below(1000);

    if (m->src == SRC_PICKUP)
        n = x < 930 ? 1 : x < 990 ? 2 : 3;
    else
        n = x < 840 ? 1 : x < 950 ? 2 + (int) rnd_below(3) : 5 + (int) rnd_below(MAXR - 4);
    m->nrcpt = (uint8_t) n;
    for (i = 0; i < n; i++) {
        Rcpt *r = &m->r[i];

        r->name = (uint8_t) rnd_below(N_RCPT_NAMES);
        r->dom = (uint8_t) rnd_below(N_RCPT_DOMAINS);
        r->num = chance(0.25) ? (uint16_t) (1 + rnd_below(999)) : 0;
        r->orig = ORIG_NONE;
        if (m->src == SRC_PICKUP && i == 0 && chance(0.45)) {
            r->orig = ORIG_ROOT;        /* root -> sysadmin via virtual_alias_maps */
            r->name = 19;               /* "ops" */
            r->dom = 0;
            r->num = 0;
        } else if (chance(0.03)) {
            r->orig = ORIG_ALIAS;
        }
        r->state = R_PENDING;
        /* cleanup(8) drops duplicate recipients: keep addresses unique */
        for (j = 0; j < i; j++)
            if (m->r[j].name == r->name && m->r[j].num == r->num &&
                !strcmp(RCPT_DOMAINS[m->r[j].dom], RCPT_DOMAINS[r->dom]))
                break;
        if (j < i) {
            i--;
            continue;
        }
    }
    truth.recipients += (uint64_t) n;
}

static uint32_t gen_size(void)
{
    if (chance(0.02))
        return 100000 + rnd_below(4000000);
    return 600 + (uint32_t) rnd_exp(7000.0);
}

static uint32_t new_message(int src, int64_t t)
{
    uint32_t id = msg_alloc();
    Msg *m = &msgs[id];

    m->src = (uint8_t) src;
    m->longid = (uint8_t) pick_longid();
    m->qlen = (uint8_t) make_qid(m->qid, t, m->longid);
    m->t_arrival = t;
    m->size = gen_size();
    m->mid_rand = rnd64();
    m->doomed = (uint8_t) (!healthy_only && chance(0.0015));
    if (src == SRC_PICKUP) {
        m->sender = (int) rnd_below(N_PICKUP_SENDERS);
        m->mid_kind = chance(0.75) ? MID_GEN : MID_APP;
        truth.pickup++;
    } else if (src == SRC_SUBMIT) {
        m->sender = 0;
        m->mid_kind = MID_UUID;
        truth.submission++;
    } else {
        m->sender = (int) rnd_below(N_APP_SENDERS);
        m->mid_kind = chance(0.01) ? MID_NONE : chance(0.5) ? MID_APP : MID_UUID;
        truth.smtpd++;
    }
    gen_recipients(m);
    truth.messages++;
    return id;
}

/* ------------------------------------------------------------------ */
/* Event handlers: arrivals and smtpd sessions                          */
/* ------------------------------------------------------------------ */

static int64_t arrival_gap(int64_t t)
{
    int hour = (int) ((t / US) % 86400 / 3600);

    return 1 + rnd_exp(0.55 * US / HOUR_WEIGHT[hour]);
}

static int want_more_messages(void)
{
    if (stopping)
        return 0;
    if (max_msgs && planned_msgs >= max_msgs) {
        stopping = 1;
        return 0;
    }
    return 1;
}

static void start_origin(int64_t t)
{
    uint32_t x = rnd_below(100);

    planned_msgs++;
    if (x < 30) {
        push(t, E_PICKUP, 0);
    } else {
        uint32_t s = sess_alloc();
        Sess *ss = &sess[s];

        if (x < 90) {
            ss->kind = SK_RELAY;
            ss->client = (uint8_t) rnd_below(N_RELAY_CLIENTS);
        } else {
            ss->kind = SK_SUBMIT;
            ss->client = (uint8_t) rnd_below(N_SUBMIT_CLIENTS);
        }
        ss->starttls = (uint8_t) sess_client(ss)->starttls;
        ss->nmsg = ss->nmsg_left = 1;
        /* a few sessions carry more than one message */
        if (chance(0.05)) {
            uint8_t extra = (uint8_t) (1 + rnd_below(3));
            uint8_t k;

            for (k = 0; k < extra && want_more_messages(); k++) {
                planned_msgs++;
                ss->nmsg++;
                ss->nmsg_left++;
            }
        }
        push(t, E_SESS_CONNECT, s);
    }
}

static void ev_arrival(void)
{
    if (!want_more_messages())
        return;
    start_origin(now_t);
    /* bursts: batch jobs / newsletters */
    if (chance(0.01)) {
        int k = 4 + (int) rnd_below(20), i;
        int64_t t = now_t;

        for (i = 0; i < k && want_more_messages(); i++) {
            t += rnd_range(20 * MS, 400 * MS);
            start_origin(t);
        }
    }
    if (want_more_messages())
        push(now_t + arrival_gap(now_t), E_ARRIVAL, 0);
}

static uint32_t attacker_ip(void)
{
    if (chance(0.5))
        return (203u << 24) | (0u << 16) | (113u << 8) | (1 + rnd_below(254));
    return (198u << 24) | (51u << 16) | (100u << 8) | (128 + rnd_below(126));
}

static void ev_noise_session(int kind, uint32_t evtype, double mean_gap)
{
    uint32_t s;
    Sess *ss;

    if (stopping)
        return;
    s = sess_alloc();
    ss = &sess[s];
    ss->kind = (uint8_t) kind;
    ss->ip = attacker_ip();
    ss->bare = (uint8_t) chance(0.7);
    ss->helo = (uint8_t) rnd_below(N_HELOS);
    ss->starttls = kind == SK_AUTHFAIL;
    ss->nrej = (uint8_t) (1 + (chance(0.2) ? rnd_below(3) : 0));
    push(now_t, E_SESS_CONNECT, s);
    push(now_t + rnd_exp(mean_gap), evtype, 0);
}

static Pool *sess_pool(const Sess *s)
{
    return (s->kind == SK_SUBMIT || s->kind == SK_AUTHFAIL) ? &subm_pool : &smtpd_pool;
}

static void ev_sess_connect(uint32_t s)
{
    Sess *ss = &sess[s];
    Pool *pl = sess_pool(ss);

    ss->pid = proc_acquire(pl, now_t, now_t + 3600 * US);
    line_begin(now_t, pl->ident, ss->pid);
    put_s("connect from ");
    if (ss->kind == SK_RELAY || ss->kind == SK_SUBMIT) {
        put_client(sess_client(ss));
        note_anvil(ss->kind == SK_SUBMIT ? (int) N_RELAY_CLIENTS + ss->client : ss->client,
                   now_t, 0);
    } else {
        put_attacker(ss);
        note_anvil((int) (N_RELAY_CLIENTS + N_SUBMIT_CLIENTS), now_t, ss->ip);
    }
    line_end();
    switch (ss->kind) {
    case SK_RELAY:
    case SK_SUBMIT:
        push(now_t + rnd_range(2 * MS, 40 * MS), ss->starttls ? E_SESS_TLS : E_SESS_MAIL, s);
        break;
    case SK_REJECT:
        push(now_t + rnd_range(300 * MS, 3 * US), E_SESS_REJECT, s);
        break;
    case SK_AUTHFAIL:
        push(now_t + rnd_range(100 * MS, 600 * MS), E_SESS_TLS, s);
        break;
    default:
        push(now_t + rnd_range(50 * MS, 10 * US), E_SESS_LOST, s);
        break;
    }
}

static void ev_sess_tls(uint32_t s)
{
    Sess *ss = &sess[s];

    line_begin(now_t, sess_pool(ss)->ident, ss->pid);
    put_s("Anonymous TLS connection established from ");
    if (ss->kind == SK_AUTHFAIL)
        put_attacker(ss);
    else
        put_client(sess_client(ss));
    put_s(TLS_TAIL);
    line_end();
    if (ss->kind == SK_AUTHFAIL)
        push(now_t + rnd_range(500 * MS, 4 * US), E_SESS_AUTHWARN, s);
    else
        push(now_t + rnd_range(10 * MS, 80 * MS), E_SESS_MAIL, s);
}

static void ev_sess_mail(uint32_t s)
{
    Sess *ss = &sess[s];
    const Client *c = sess_client(ss);
    uint32_t id = new_message(ss->kind == SK_SUBMIT ? SRC_SUBMIT : SRC_SMTPD, now_t);
    Msg *m = &msgs[id];

    m->session = (int) s;
    m->client = ss->client;
    ss->cur_msg = (int) id;
    ss->nmsg_left--;
    ss->rcpts += m->nrcpt;
    m->cleanup_pid = proc_acquire(&cleanup_pool, now_t, now_t + 50 * MS);
    line_begin(now_t, sess_pool(ss)->ident, ss->pid);
    put_n(m->qid, m->qlen);
    put_s(": client=");
    put_client(c);
    if (ss->kind == SK_SUBMIT) {
        put_s(", sasl_method=PLAIN, sasl_username=");
        put_s(c->sasl_user);
    }
    line_end();
    /* RCPT, DATA and the message body take a while */
    push(now_t + rnd_range(20 * MS, 150 * MS) + (int64_t) m->size * 2, E_CLEANUP, id);
}

static void put_cmd_stats_ok(const Sess *ss)
{
    int cmds = 0;

    if (ss->starttls) {
        put_s(" ehlo=2 starttls=1");
        cmds += 3;
    } else {
        put_s(" ehlo=1");
        cmds += 1;
    }
    if (ss->kind == SK_SUBMIT) {
        put_s(" auth=1");
        cmds++;
    }
    put_s(" mail=");
    put_u(ss->nmsg);
    put_s(" rcpt=");
    put_u((uint64_t) ss->rcpts);
    put_s(" data=");
    put_u(ss->nmsg);
    put_s(" quit=1 commands=");
    cmds += 2 * ss->nmsg + ss->rcpts + 1;
    put_u((uint64_t) cmds);
}

static void ev_sess_disconnect(uint32_t s)
{
    Sess *ss = &sess[s];
    Pool *pl = sess_pool(ss);

    line_begin(now_t, pl->ident, ss->pid);
    put_s("disconnect from ");
    switch (ss->kind) {
    case SK_RELAY:
    case SK_SUBMIT:
        put_client(sess_client(ss));
        put_cmd_stats_ok(ss);
        break;
    case SK_REJECT:
        put_attacker(ss);
        put_s(" ehlo=1 mail=1 rcpt=0/");
        put_u(ss->nrej);
        if (ss->helo & 1) {
            put_s(" rset=1 quit=1 commands=4/");
            put_u(4u + ss->nrej);
        } else {
            put_s(" quit=1 commands=3/");
            put_u(3u + ss->nrej);
        }
        break;
    case SK_AUTHFAIL:
        put_attacker(ss);
        put_s(" ehlo=2 starttls=1 auth=0/1 commands=3/4");
        break;
    default:
        put_attacker(ss);
        if (ss->helo & 1)
            put_s(" ehlo=1 commands=1");
        else
            put_s(" commands=0/0");
        break;
    }
    line_end();
    proc_release(pl, ss->pid, now_t);
    sess_free(s);
}

static void ev_sess_reject(uint32_t s)
{
    Sess *ss = &sess[s];
    int i;
    uint32_t victim = rnd_below(10000);

    for (i = 0; i < ss->nrej; i++) {
        line_begin(now_t, smtpd_pool.ident, ss->pid);
        put_s("NOQUEUE: reject: RCPT from ");
        put_attacker(ss);
        put_s(": 554 5.7.1 <");
        put_s(RCPT_NAMES[(victim + (uint32_t) i) % N_RCPT_NAMES]);
        put_u(victim + (uint32_t) i);
        put_s("@example.biz>: Relay access denied; from=<");
        put_s(RCPT_NAMES[victim % 7]);
        put_s("@example.info> to=<");
        put_s(RCPT_NAMES[(victim + (uint32_t) i) % N_RCPT_NAMES]);
        put_u(victim + (uint32_t) i);
        put_s("@example.biz> proto=ESMTP helo=<");
        put_s(HELOS[ss->helo]);
        put_s(">");
        line_end();
        truth.rejected++;
    }
    push(now_t + rnd_range(50 * MS, 900 * MS), E_SESS_DISCONNECT, s);
}

static void ev_sess_authwarn(uint32_t s)
{
    Sess *ss = &sess[s];
    const char *user = BRUTE_USERS[rnd_below(N_BRUTE_USERS)];

    line_begin(now_t, subm_pool.ident, ss->pid);
    put_s("warning: ");
    put_attacker(ss);
    if (ss->helo & 1)
        put_s(": SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=");
    else
        put_s(": SASL PLAIN authentication failed: authentication failure, sasl_username=");
    put_s(user);
    line_end();
    push(now_t + rnd_range(100 * MS, 600 * MS), E_SESS_LOST, s);
}

static void ev_sess_lost(uint32_t s)
{
    Sess *ss = &sess[s];
    Pool *pl = sess_pool(ss);

    line_begin(now_t, pl->ident, ss->pid);
    put_s("NOQUEUE: lost connection after ");
    if (ss->kind == SK_AUTHFAIL)
        put_s("AUTH");
    else
        put_s((ss->helo & 1) ? "EHLO" : "CONNECT");
    put_s(" from ");
    put_attacker(ss);
    line_end();
    ev_sess_disconnect(s);
}

static void ev_pickup(void)
{
    uint32_t id = new_message(SRC_PICKUP, now_t);
    Msg *m = &msgs[id];
    const Sender *sd = &PICKUP_SENDERS[m->sender];
    int pid = proc_acquire(&pickup_pool, now_t, now_t + 5 * MS);

    m->cleanup_pid = proc_acquire(&cleanup_pool, now_t, now_t + 20 * MS);
    line_begin(now_t, pickup_pool.ident, pid);
    put_n(m->qid, m->qlen);
    put_s(": uid=");
    put_u((uint64_t) sd->uid);
    put_s(" from=<");
    put_s(sd->given);
    put_c('>');
    line_end();
    push(now_t + rnd_range(1 * MS, 15 * MS), E_CLEANUP, id);
}

/* ------------------------------------------------------------------ */
/* Event handlers: queue manager and delivery                           */
/* ------------------------------------------------------------------ */

static void put_generated_mid(const Msg *m, int64_t t_qid)
{
    if (!m->longid) {
        Civil c;

        civil_from_epoch(t0_epoch + t_qid / US, &c);
        put_u0((uint64_t) c.year, 4);
        put_u0((uint64_t) c.mon, 2);
        put_u0((uint64_t) c.day, 2);
        put_u0((uint64_t) c.hour, 2);
        put_u0((uint64_t) c.min, 2);
        put_u0((uint64_t) c.sec, 2);
        put_c('.');
    }
    put_n(m->qid, m->qlen);
    put_s("@" MYHOST);
}

static void ev_cleanup(uint32_t id)
{
    Msg *m = &msgs[id];

    line_begin(now_t, cleanup_pool.ident, m->cleanup_pid);
    put_n(m->qid, m->qlen);
    put_s(": message-id=<");
    switch (m->mid_kind) {
    case MID_GEN:
        put_generated_mid(m, m->t_arrival);
        break;
    case MID_APP:
        put_hex(m->mid_rand, 16, HEXL);
        put_c('@');
        put_s(m->src == SRC_SMTPD ? RELAY_CLIENTS[m->client].name : MYHOST);
        if (m->src == SRC_SMTPD && RELAY_CLIENTS[m->client].name[0] == 'l')
            put_s(".localdomain");      /* "localhost.localdomain" */
        else if (m->src == SRC_SMTPD && RELAY_CLIENTS[m->client].name[0] == 'u')
            put_s(".invalid");
        break;
    case MID_UUID:
        put_hex(m->mid_rand >> 32, 8, HEXL);
        put_c('-');
        put_hex((m->mid_rand >> 16) & 0xFFFF, 4, HEXL);
        put_c('-');
        put_hex(m->mid_rand & 0xFFFF, 4, HEXL);
        put_c('-');
        put_hex((m->mid_rand >> 20) & 0xFFFF, 4, HEXL);
        put_c('-');
        put_hex((m->mid_rand * 0x9E3779B97F4A7C15ULL) >> 16, 12, HEXL);
        put_s("@example.com");
        break;
    default:
        break;
    }
    put_c('>');
    line_end();
    push(now_t + rnd_range(1 * MS, 25 * MS), E_QMGR_ACTIVE, id);
    if (m->session >= 0) {
        Sess *ss = &sess[m->session];

        ss->cur_msg = -1;
        if (ss->nmsg_left > 0)
            push(now_t + rnd_range(5 * MS, 60 * MS), E_SESS_MAIL, (uint32_t) m->session);
        else
            push(now_t + rnd_range(2 * MS, 30 * MS), E_SESS_DISCONNECT, (uint32_t) m->session);
        m->session = -1;
    }
}

static void ev_qmgr_active(uint32_t id)
{
    Msg *m = &msgs[id];
    int i;

    m->t_active = now_t;
    if (direct_mode)
        for (i = 0; i < m->nrcpt; i++)
            m->r[i].tried = 0;
    line_begin(now_t, "postfix/qmgr", qmgr_pid);
    put_n(m->qid, m->qlen);
    put_s(": from=<");
    put_s(msg_sender(m));
    put_s(">, size=");
    put_u(m->size);
    put_s(", nrcpt=");
    put_u(m->nrcpt);
    put_s(" (queue active)");
    line_end();
    push(now_t + (chance(0.9) ? rnd_range(200, 20 * MS) : rnd_range(20 * MS, 600 * MS)),
         E_DELIVER, id);
}

static int take_cached_conn(int64_t t, int *uses, int *ip, int64_t *first_use)
{
    int i;

    for (i = 0; i < (int) (sizeof conn_cache / sizeof conn_cache[0]); i++) {
        CachedConn *c = &conn_cache[i];

        if (c->used && c->expires > t) {
            *uses = c->uses;
            *ip = c->ip;
            *first_use = c->first_use;
            c->used = 0;
            return 1;
        }
        if (c->used && c->expires <= t)
            c->used = 0;
    }
    return 0;
}

static void cache_conn(int64_t t, int uses, int ip, int64_t first_use)
{
    int i;

    if (t - first_use > REUSE_LIMIT)
        return;
    for (i = 0; i < (int) (sizeof conn_cache / sizeof conn_cache[0]); i++) {
        CachedConn *c = &conn_cache[i];

        if (!c->used || c->expires <= t) {
            c->used = 1;
            c->expires = t + CACHE_TTL;
            c->uses = uses;
            c->ip = (uint8_t) ip;
            c->first_use = first_use;
            return;
        }
    }
}

/* ------------------------------------------------------------------ */
/* --direct: delivery straight to the recipients' MX hosts              */
/* ------------------------------------------------------------------ */

static int take_cached_conn_direct(int64_t t, int dom, int *uses, int *mxi, int64_t *first_use)
{
    int i;

    for (i = 0; i < (int) (sizeof conn_cache / sizeof conn_cache[0]); i++) {
        CachedConn *c = &conn_cache[i];

        if (c->used && c->expires <= t)
            c->used = 0;
        if (c->used && c->dom == dom) {
            *uses = c->uses;
            *mxi = c->ip;
            *first_use = c->first_use;
            c->used = 0;
            return 1;
        }
    }
    return 0;
}

static void cache_conn_direct(int64_t t, int dom, int uses, int mxi, int64_t first_use)
{
    int i;

    if (t - first_use > REUSE_LIMIT)
        return;
    for (i = 0; i < (int) (sizeof conn_cache / sizeof conn_cache[0]); i++) {
        CachedConn *c = &conn_cache[i];

        if (!c->used || c->expires <= t) {
            c->used = 1;
            c->expires = t + CACHE_TTL;
            c->uses = uses;
            c->ip = (uint8_t) mxi;
            c->dom = (uint16_t) dom;
            c->first_use = first_use;
            return;
        }
    }
}

/* the reply of a recipient's server to this recipient, at this attempt */
static uint8_t direct_outcome(const Msg *m, const DDom *d, const Rcpt *r)
{
    if (m->src == SRC_NDR || d->kind == DK_HUB)
        return O_SENT;
    if (d->rbl)
        return O_SPAM;
    switch (r->fate) {
    case FATE_GREY:
        return r->tries == 0 ? O_GREY : O_SENT;
    case FATE_FULL_SENT:
        return r->tries < r->k ? O_FULL_DEFER : O_SENT;
    case FATE_FULL_BOUNCE:
        return r->tries < r->k ? O_FULL_DEFER : O_FULL_BOUNCE;
    case FATE_UNKNOWN:
        return O_BOUNCE_UNKNOWN;
    default:
        return O_SENT;
    }
}

/*
 * One delivery to one destination domain: qmgr hands smtp(8) the pending
 * recipients of one domain at a time (per-destination queues); the other
 * domains of the message follow (ev_qmgr_done) before the message is
 * deferred, bounced or removed.
 */
static void deliver_direct(uint32_t id)
{
    Msg *m = &msgs[id];
    const DDom *d;
    int i, g = -1, uses = 0, mxi = 0, ngroup = 0, nsent = 0;
    int64_t c, dt, first_use = 0;

    for (i = 0; i < m->nrcpt; i++)
        if (m->r[i].state == R_PENDING && !m->r[i].tried) {
            g = m->r[i].ddom;
            break;
        }
    if (g < 0)
        g = dd_hub;             /* not reached: ev_qmgr_done checks first */
    m->dgroup = (uint16_t) g;
    d = &ddoms[g];
    for (i = 0; i < m->nrcpt; i++) {
        Rcpt *r = &m->r[i];

        if (r->state == R_PENDING && !r->tried && r->ddom == g) {
            r->tried = 1;
            r->out = O_SENT;
            ngroup++;
        }
    }
    m->fail = F_NORMAL;

    if (d->kind == DK_NX) {
        /* the MX lookup fails: no connection */
        m->fail = F_NXDOMAIN;
        m->t_conn = now_t + rnd_range(3 * MS, 400 * MS);
        m->t_end = m->t_conn;
        for (i = 0; i < m->nrcpt; i++)
            if (m->r[i].out != O_NONE)
                m->r[i].out = O_NXDOMAIN;
        m->deliver_pid = proc_acquire(&smtp_pool, now_t, m->t_end);
        push(m->t_end, E_SMTP_DONE, id);
        return;
    }
    if (d->kind == DK_DEAD) {
        for (i = 0; i < m->nrcpt; i++)
            if (m->r[i].out != O_NONE)
                m->r[i].out = O_D_TIMEOUT;
        if (now_t < dead_until) {
            /* qmgr: the destination is dead for a while, no delivery agent */
            m->fail = F_THROTTLED;
            m->t_handoff = 0;
            m->t_end = now_t;
            push(now_t, E_SMTP_DONE, id);
            return;
        }
        m->fail = F_CONN_TIMEOUT;
        m->mxi = 0;
        m->t_conn = now_t + 30 * US + rnd_range(0, 5 * MS);
        m->t_end = m->t_conn;
        m->deliver_pid = proc_acquire(&smtp_pool, now_t, m->t_end);
        push(m->t_end, E_SMTP_DONE, id);
        return;
    }
    if (d->dialect == DL_GMAIL && !healthy_only) {
        /* the first window comes early, so that every log but the smallest has one */
        if (now_t >= gmail_throttle_until && (++gmail_deliveries == 300 || chance(0.0005)))
            gmail_throttle_until = now_t + rnd_range(60 * US, 240 * US);
        if (now_t < gmail_throttle_until) {
            /* 421 to EHLO from two MX hosts (smtp_mx_session_limit = 2) */
            int64_t c1 = rnd_range(150 * MS, 700 * MS);

            m->fail = F_D_THROTTLE;
            m->mxi2 = pick_mx(d);
            m->mxi = (uint8_t) ((m->mxi2 + 1) % d->nmx);
            for (i = 0; i < m->nrcpt; i++)
                if (m->r[i].out != O_NONE)
                    m->r[i].out = O_D_THROTTLE;
            m->t_conn = now_t + c1 + rnd_range(150 * MS, 700 * MS);
            m->t_end = m->t_conn;
            m->deliver_pid = proc_acquire(&smtp_pool, now_t, m->t_end);
            push(now_t + c1, E_SMTP_CONNFAIL, id);
            push(m->t_end, E_SMTP_DONE, id);
            return;
        }
    }

    if (take_cached_conn_direct(now_t, g, &uses, &mxi, &first_use)) {
        m->conn_use = uses + 1;
        m->conn_first = first_use;
        c = rnd_range(100, 3 * MS);
        truth.reused++;
    } else {
        m->new_conn = 1;
        mxi = pick_mx(d);
        m->conn_first = now_t;
        c = rnd_range(150 * MS, 1200 * MS) + (chance(0.05) ? rnd_range(0, 3 * US) : 0);
        m->tls_kind = healthy_only && d->tls != TK_NONE ? TK_TRUSTED : d->tls;
    }
    m->mxi = (uint8_t) mxi;
    for (i = 0; i < m->nrcpt; i++) {
        Rcpt *r = &m->r[i];

        if (r->out == O_NONE)
            continue;
        r->out = direct_outcome(m, d, r);
        r->tries++;
        if (r->out == O_SENT)
            nsent++;
    }
    /* no recipient accepted: no DATA, the session ends after RCPT */
    dt = nsent ? 40 * MS + (int64_t) m->size / 3 + rnd_range(0, 400 * MS) : rnd_range(5 * MS, 40 * MS);
    m->t_conn = now_t + c;
    m->t_end = m->t_conn + dt;
    m->deliver_pid = proc_acquire(&smtp_pool, now_t, m->t_end);
    if (m->new_conn && d->tls != TK_NONE)
        push(now_t + c * 6 / 10, E_SMTP_TLS, id);
    if (nsent < ngroup)
        push(m->t_conn + dt / 5, E_SMTP_RCPTFAIL, id);
    push(m->t_end, E_SMTP_DONE, id);
}

static void smtp_tls_direct(uint32_t id)
{
    Msg *m = &msgs[id];
    const DDom *d = &ddoms[m->dgroup];
    static const char *W[] = {"Trusted", "Verified", "Untrusted", "Anonymous"};

    line_begin(now_t, smtp_pool.ident, m->deliver_pid);
    put_s(W[m->tls_kind]);
    put_s(" TLS connection established to ");
    put_mx(d, m->mxi);
    put_s(":25");
    switch (m->tls_kind) {
    case TK_ANON:
        put_s(": TLSv1.2 with cipher ADH-AES256-GCM-SHA384 (256/256 bits)");
        truth.tls_anonymous++;
        break;
    case TK_UNTRUSTED:
        put_s(": TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)"
              " key-exchange X25519 server-signature RSA (2048 bits) server-digest SHA256");
        truth.tls_untrusted++;
        break;
    default:
        if (d->kind == DK_BIG)
            put_s(": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"
                  " key-exchange X25519 server-signature ECDSA (P-256) server-digest SHA256");
        else
            put_s(TLS_TAIL);
        truth.tls_trusted++;
        break;
    }
    line_end();
    truth.tls_lines++;
}

/* Google's trailer: "<id> - gsmtp" */
static void put_gsmtp_id(void)
{
    put_hex(rnd64() & 0xFFFFFFFFFFFFULL, 13, HEXL);
    put_c('-');
    put_hex(rnd64() >> 32, 8, HEXL);
    put_s("si");
    put_u(rnd_below(10000000));
    put_c('.');
    put_u(1 + rnd_below(400));
    put_s(" - gsmtp");
}

static void put_gmail_throttle(void)
{
    put_s("421-4.7.0 Try again later, closing connection. (EHLO) 421-4.7.0  For more"
          " information, go to 421 4.7.0  https://support.google.com/a/answer/3221692 ");
    put_gsmtp_id();
    put_s(" (in reply to EHLO command)");
}

/* the first of two throttled sessions: smtp_bulk_fail() logs it, no status */
static void smtp_connfail_direct(uint32_t id)
{
    Msg *m = &msgs[id];

    line_begin(now_t, smtp_pool.ident, m->deliver_pid);
    put_n(m->qid, m->qlen);
    put_s(": host ");
    put_mx(&ddoms[m->dgroup], m->mxi2);
    put_s(" said: ");
    put_gmail_throttle();
    line_end();
}

static void log_status_direct(Msg *m, int i, const char *ident, int pid)
{
    Rcpt *r = &m->r[i];
    const DDom *d = &ddoms[m->dgroup];
    int deferred = 0, bounced = 0;
    const char *dsn = "2.0.0";

    switch (r->out) {
    case O_SENT:
        break;
    case O_GREY:
        deferred = 1;
        dsn = d->grey == GREY_POSTGREY ? "4.2.0" : "4.7.1";
        break;
    case O_FULL_DEFER:
        deferred = 1;
        dsn = "4.2.2";
        break;
    case O_FULL_BOUNCE:
        bounced = 1;
        dsn = "5.2.2";
        break;
    case O_BOUNCE_UNKNOWN:
        bounced = 1;
        dsn = d->dialect == DL_OUTLOOK ? "5.5.0" : d->dialect == DL_YAHOO ? "5.0.0" : "5.1.1";
        break;
    case O_SPAM:
        bounced = 1;
        dsn = "5.7.1";
        break;
    case O_NXDOMAIN:
        bounced = 1;
        dsn = "5.4.4";
        break;
    case O_D_THROTTLE:
        deferred = 1;
        dsn = "4.7.0";
        break;
    default:                    /* O_D_TIMEOUT */
        deferred = 1;
        dsn = "4.4.1";
        break;
    }

    line_begin(now_t, ident, pid);
    put_to(m, i);
    put_s(", relay=");
    if (m->fail == F_LOCAL)
        put_s("local");
    else if (m->fail == F_THROTTLED || m->fail == F_CONN_TIMEOUT || m->fail == F_NXDOMAIN)
        put_s("none");
    else {
        put_mx(d, m->mxi);
        put_s(":25");
    }
    if (m->conn_use > 1) {
        put_s(", conn_use=");
        put_u((uint64_t) m->conn_use);
    }
    if (m->fail == F_THROTTLED)
        put_delays(m->t_arrival, m->t_active, 0, 0, now_t);
    else if (m->fail == F_LOCAL)
        put_delays(m->t_arrival, m->t_active, m->t_handoff, 0, now_t);
    else
        put_delays(m->t_arrival, m->t_active, m->t_handoff, m->t_conn, now_t);
    put_s(", dsn=");
    put_s(dsn);
    put_s(deferred ? ", status=deferred (" : bounced ? ", status=bounced (" : ", status=sent (");
    switch (r->out) {
    case O_SENT:
        if (m->fail == F_LOCAL) {
            put_s("delivered to mailbox");
        } else if (d->dialect == DL_GMAIL) {
            put_s("250 2.0.0 OK  ");
            put_u((uint64_t) (t0_epoch + now_t / US));
            put_c(' ');
            put_gsmtp_id();
        } else if (d->dialect == DL_YAHOO) {
            put_s("250 ok dirdel");
        } else if (d->dialect == DL_OUTLOOK) {
            put_s("250 2.6.0 <");
            put_n(foreign_qid, (size_t) foreign_qid_len);
            put_s("@" MYHOST "> [InternalId=");
            put_u(1000000000000ULL + (rnd64() % 9000000000000ULL));
            put_s(", Hostname=DB9PR04MB");
            put_u(1000 + rnd_below(9000));
            put_s(".eurprd04.prod.outlook.example] ");
            put_u(m->size + 1200);
            put_s(" bytes in 0.");
            put_u0(rnd_below(1000), 3);
            put_s(", ");
            put_u(20 + rnd_below(400));
            put_c('.');
            put_u(rnd_below(10));
            put_s(" KB/sec Queued mail for delivery");
        } else {
            put_s("250 2.0.0 Ok: queued as ");
            put_n(foreign_qid, (size_t) foreign_qid_len);
        }
        break;
    case O_NXDOMAIN:
        put_s("Host or domain name not found. Name service error for name=");
        put_s(d->name);
        put_s(" type=MX: Host not found");
        break;
    case O_D_TIMEOUT:
        if (m->fail == F_THROTTLED)
            put_s("delivery temporarily suspended: ");
        put_s("connect to ");
        put_mx(d, 0);
        put_s(":25: Connection timed out");
        break;
    default:
        put_s("host ");
        put_mx(d, m->mxi);
        put_s(" said: ");
        switch (r->out) {
        case O_GREY:
            if (d->grey == GREY_POSTGREY) {
                put_s("450 4.2.0 <");
                put_rcpt_addr(r);
                put_s(">: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/");
                put_s(d->name);
                put_s(".html");
            } else {
                put_s("451 4.7.1 Greylisting in action, please come back later");
            }
            break;
        case O_FULL_DEFER:
        case O_FULL_BOUNCE:
            if (d->dialect == DL_GMAIL) {
                if (r->out == O_FULL_DEFER)
                    put_s("452-4.2.2 The recipient's inbox is out of storage space. Please direct"
                          " the 452-4.2.2 recipient to 452 4.2.2 "
                          " https://support.google.com/mail/?p=OverQuotaTemp ");
                else
                    put_s("552-5.2.2 The recipient's inbox is out of storage space and inbound"
                          " mail 552-5.2.2 cannot be delivered. Please direct the recipient to"
                          " 552 5.2.2  https://support.google.com/mail/?p=OverQuotaPerm ");
                put_gsmtp_id();
            } else if (d->dialect == DL_POSTFIX) {
                put_s(r->out == O_FULL_DEFER ? "452 4.2.2 <" : "552 5.2.2 <");
                put_rcpt_addr(r);
                put_s(">: Recipient address rejected: Quota exceeded (mailbox for user is full)");
            } else {
                put_s(r->out == O_FULL_DEFER ? "452 4.2.2 Mailbox full" : "552 5.2.2 Mailbox full");
            }
            break;
        case O_BOUNCE_UNKNOWN:
            if (d->dialect == DL_GMAIL) {
                put_s("550-5.1.1 The email account that you tried to reach does not exist."
                      " Please try 550-5.1.1 double-checking the recipient's email address for"
                      " typos or 550-5.1.1 unnecessary spaces. For more information, go to"
                      " 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser ");
                put_gsmtp_id();
            } else if (d->dialect == DL_OUTLOOK) {
                put_s("550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302)"
                      " [DB9PR04MB");
                put_u(1000 + rnd_below(9000));
                put_s(".eurprd04.prod.outlook.example]");
            } else if (d->dialect == DL_YAHOO) {
                put_s("554 delivery error: dd This user doesn't have a yahoo.example account (");
                put_rcpt_addr(r);
                put_s(") [0] - mta");
                put_u(1000 + rnd_below(9000));
                put_s(".mail.gq1.yahoo.example");
            } else {
                put_s("550 5.1.1 <");
                put_rcpt_addr(r);
                put_s(m->dgroup & 1 ? ">: Recipient address rejected: User unknown in local recipient table"
                      : ">: Recipient address rejected: User unknown in virtual mailbox table");
            }
            break;
        case O_SPAM:
            put_s("554 5.7.1 Service unavailable; Client host [" OUR_IP "] blocked using"
                  " zen.spamhaus.org; https://www.spamhaus.org/query/ip/" OUR_IP);
            break;
        default:                /* O_D_THROTTLE */
            put_gmail_throttle();
            break;
        }
        if (r->out != O_D_THROTTLE) {
            /* O_D_THROTTLE carries its own "(in reply to EHLO command)" */
            put_s(" (in reply to RCPT TO command)");
        }
        break;
    }
    put_c(')');
    line_end();

    if (!deferred && !bounced) {
        r->state = R_SENT;
        truth.sent++;
        if (m->fail == F_LOCAL)
            truth.local_sent++;
        if (r->fate == FATE_GREY && m->src != SRC_NDR)
            truth.grey_sent++;
        if (r->fate == FATE_FULL_SENT && m->src != SRC_NDR)
            truth.full_sent++;
    } else if (deferred) {
        truth.deferred++;
        switch (r->out) {
        case O_GREY:
            truth.grey_recipients++;
            if (!m->counted_grey) {
                m->counted_grey = 1;
                truth.grey_messages++;
            }
            break;
        case O_FULL_DEFER:
            truth.full_deferred++;
            break;
        case O_D_THROTTLE:
            truth.throttled_deferred++;
            break;
        default:
            if (m->fail == F_THROTTLED)
                truth.suspended_deferred++;
            else
                truth.timeout_deferred++;
            break;
        }
    } else {
        r->state = R_BOUNCED;
        truth.bounced++;
        m->attempt_bounced = 1;
        switch (r->out) {
        case O_FULL_BOUNCE:
            truth.full_bounced++;
            break;
        case O_BOUNCE_UNKNOWN:
            truth.unknown_bounced++;
            break;
        case O_SPAM:
            truth.policy_bounced++;
            break;
        default:
            truth.nx_bounced++;
            break;
        }
    }
    r->out = O_NONE;
}

static void smtp_rcptfail_direct(uint32_t id)
{
    Msg *m = &msgs[id];
    int i;

    for (i = 0; i < m->nrcpt; i++)
        if (m->r[i].out != O_NONE && m->r[i].out != O_SENT)
            log_status_direct(m, i, smtp_pool.ident, m->deliver_pid);
}

static void smtp_done_direct(uint32_t id)
{
    Msg *m = &msgs[id];
    const DDom *d = &ddoms[m->dgroup];
    int i, any_sent = 0, throttled = 0;
    const char *ident = smtp_pool.ident;
    int pid = m->deliver_pid;

    if (m->fail == F_THROTTLED) {
        ident = "postfix/qmgr";
        pid = qmgr_pid;
    } else if (m->fail == F_LOCAL) {
        ident = local_pool.ident;
    }
    new_foreign_qid(now_t);
    if (m->fail == F_CONN_TIMEOUT) {
        /* smtp_connect(): every failed address is logged, then the status */
        line_begin(now_t, ident, pid);
        put_s("connect to ");
        put_mx(d, 0);
        put_s(":25: Connection timed out");
        line_end();
        /* qmgr marks the destination dead until the next retry */
        dead_until = now_t + MIN_BACKOFF;
    }
    for (i = 0; i < m->nrcpt; i++) {
        if (m->r[i].out == O_NONE)
            continue;
        if (m->r[i].out == O_SENT)
            any_sent = 1;
        if (m->r[i].out == O_D_THROTTLE)
            throttled = 1;
        log_status_direct(m, i, ident, pid);
    }
    if (throttled && !m->counted_thr) {
        m->counted_thr = 1;
        truth.throttled_messages++;
    }
    if (m->fail == F_NORMAL && any_sent && chance(0.35))
        cache_conn_direct(now_t, m->dgroup, m->conn_use ? m->conn_use : 1, m->mxi, m->conn_first);
    push(now_t + rnd_range(100, 4 * MS), E_QMGR_DONE, id);
}

static void ev_deliver(uint32_t id)
{
    Msg *m = &msgs[id];
    int i, uses = 0, ip = 0;
    int64_t c, d, first_use = 0;

    m->t_handoff = now_t;
    m->t_conn = 0;
    m->conn_use = 0;
    m->new_conn = 0;
    m->attempt_bounced = 0;
    m->attempts++;
    for (i = 0; i < m->nrcpt; i++)
        m->r[i].out = O_NONE;

    /* NDR to a local mailbox: local(8) */
    if (m->src == SRC_NDR && m->ndr_to_local) {
        m->fail = F_LOCAL;
        m->t_end = now_t + rnd_range(2 * MS, 40 * MS);
        m->deliver_pid = proc_acquire(&local_pool, now_t, m->t_end);
        m->r[0].out = O_SENT;
        push(m->t_end, E_SMTP_DONE, id);
        return;
    }
    if (direct_mode) {
        deliver_direct(id);
        return;
    }

    /* destination throttled: qmgr defers without a delivery agent */
    if (now_t < throttle_until) {
        m->fail = F_THROTTLED;
        m->t_handoff = 0;
        for (i = 0; i < m->nrcpt; i++)
            if (m->r[i].state == R_PENDING)
                m->r[i].out = O_DEFER_LOOKUP;
        m->t_end = now_t;
        push(now_t, E_SMTP_DONE, id);
        return;
    }

    m->fail = F_NORMAL;
    if (take_cached_conn(now_t, &uses, &ip, &first_use)) {
        m->conn_use = uses + 1;
        m->conn_first = first_use;
        m->ip = (uint8_t) ip;
        c = rnd_range(100, 3 * MS);
        truth.reused++;
    } else {
        m->new_conn = 1;
        m->ip = chance(0.9) ? 0 : 1;
        m->conn_first = now_t;
        c = rnd_range(180 * MS, 900 * MS) + (chance(0.05) ? rnd_range(0, 3 * US) : 0);
        m->tls_kind = chance(0.97) ? 0 : chance(0.5) || healthy_only ? 1 : 2;
        if (m->src != SRC_NDR && !healthy_only) {
            if (chance(0.003))
                m->fail = F_CONN_TIMEOUT;
            else if (chance(0.0005))
                m->fail = F_GREETING_TIMEOUT;
        }
    }
    d = 40 * MS + (int64_t) m->size / 3 + rnd_range(0, 400 * MS);

    if (m->fail == F_NORMAL && m->src != SRC_NDR && !healthy_only) {
        double x = rnd_unit();

        if (m->doomed)
            m->fail = F_NORMAL;
        else if (x < 0.003)
            m->fail = F_LOST_BODY;
        else if (x < 0.007)
            m->fail = F_RATE;
        else if (x < 0.009)
            m->fail = F_SENDER_REJ;
        else if (x < 0.010 && m->size > 50000)
            m->fail = F_SIZE;
    }

    switch (m->fail) {
    case F_CONN_TIMEOUT:
        /* 30s per address; sometimes both A records are tried */
        c = 30 * US + rnd_range(0, 5 * MS);
        if (chance(0.5)) {
            push(now_t + c, E_SMTP_CONNFAIL, id);
            m->ip = 1;
            c += 30 * US + rnd_range(0, 5 * MS);
        } else {
            m->ip = 0;
        }
        d = 0;
        break;
    case F_GREETING_TIMEOUT:
        c = 300 * US + rnd_range(0, 20 * MS);
        d = 0;
        break;
    case F_LOST_BODY:
        d = d / 2;
        break;
    case F_RATE:
        d = rnd_range(10 * MS, 60 * MS);
        break;
    default:
        break;
    }
    m->t_conn = now_t + c;
    m->t_end = m->t_conn + d;
    m->deliver_pid = proc_acquire(&smtp_pool, now_t, m->t_end);

    if (m->new_conn && m->fail != F_CONN_TIMEOUT && m->fail != F_GREETING_TIMEOUT)
        push(now_t + c * 6 / 10, E_SMTP_TLS, id);

    /* per-recipient outcomes */
    for (i = 0; i < m->nrcpt; i++) {
        Rcpt *r = &m->r[i];

        if (r->state != R_PENDING)
            continue;
        switch (m->fail) {
        case F_NORMAL:
            if (m->src == SRC_NDR)
                r->out = O_SENT;
            else if (m->doomed && i == 0)
                r->out = O_DEFER_LOOKUP;
            else if (!healthy_only && chance(0.005))
                r->out = chance(0.7) ? O_BOUNCE_UNKNOWN : O_BOUNCE_DENIED;
            else if (!healthy_only && chance(0.004))
                r->out = O_DEFER_LOOKUP;
            else
                r->out = O_SENT;
            break;
        case F_SENDER_REJ:
        case F_SIZE:
            r->out = O_BOUNCE_DENIED;
            break;
        default:
            r->out = O_DEFER_LOOKUP;
            break;
        }
    }
    if (m->fail == F_NORMAL || m->fail == F_SENDER_REJ)
        push(m->t_conn + d / 5, E_SMTP_RCPTFAIL, id);
    push(m->t_end, E_SMTP_DONE, id);
}

static void ev_smtp_tls(uint32_t id)
{
    Msg *m = &msgs[id];

    if (direct_mode) {
        smtp_tls_direct(id);
        return;
    }

    line_begin(now_t, smtp_pool.ident, m->deliver_pid);
    put_tls_summary(m->tls_kind);
    put_relay(m->ip);
    put_s(TLS_TAIL);
    line_end();
    truth.tls_lines++;
}

static void ev_smtp_connfail(uint32_t id)
{
    Msg *m = &msgs[id];

    if (direct_mode) {
        smtp_connfail_direct(id);
        return;
    }

    line_begin(now_t, smtp_pool.ident, m->deliver_pid);
    put_s("connect to " RELAYHOST "[");
    put_s(RELAY_IPS[0]);
    put_s("]:587: Connection timed out");
    line_end();
}

/* the status line of one recipient */
static void log_status(Msg *m, int i, int64_t done, const char *ident, int pid)
{
    Rcpt *r = &m->r[i];
    const char *status;

    line_begin(now_t, ident, pid);
    put_to(m, i);
    put_s(", relay=");
    if (m->fail == F_LOCAL)
        put_s("local");
    else if (m->fail == F_THROTTLED || m->fail == F_CONN_TIMEOUT)
        put_s("none");
    else
        put_relay(m->ip);
    if (m->conn_use > 1) {
        put_s(", conn_use=");
        put_u((uint64_t) m->conn_use);
    }
    if (m->fail == F_THROTTLED)
        put_delays(m->t_arrival, m->t_active, 0, 0, done);
    else if (m->fail == F_LOCAL)
        put_delays(m->t_arrival, m->t_active, m->t_handoff, 0, done);
    else
        put_delays(m->t_arrival, m->t_active, m->t_handoff, m->t_conn, done);

    switch (r->out) {
    case O_SENT:
        status = "sent";
        break;
    case O_DEFER_LOOKUP:
        status = "deferred";
        break;
    default:
        status = "bounced";
        break;
    }
    /* dsn */
    put_s(", dsn=");
    if (r->out == O_SENT) {
        put_s("2.0.0");
    } else if (r->out == O_BOUNCE_UNKNOWN) {
        put_s("5.1.1");
    } else if (r->out == O_BOUNCE_DENIED) {
        put_s(m->fail == F_SIZE ? "5.3.4" : "5.7.1");
    } else {
        switch (m->fail) {
        case F_THROTTLED:
        case F_CONN_TIMEOUT:
            put_s("4.4.1");
            break;
        case F_GREETING_TIMEOUT:
        case F_LOST_BODY:
            put_s("4.4.2");
            break;
        case F_RATE:
            put_s("4.7.1");
            break;
        default:
            put_s("4.3.0");
            break;
        }
    }
    put_s(", status=");
    put_s(status);
    put_s(" (");
    if (r->out == O_SENT) {
        if (m->fail == F_LOCAL) {
            put_s("delivered to mailbox");
        } else {
            put_s("250 2.0.0 Ok: queued as ");
            put_n(foreign_qid, (size_t) foreign_qid_len);
        }
    } else if (r->out == O_DEFER_LOOKUP) {
        switch (m->fail) {
        case F_THROTTLED:
            put_s("delivery temporarily suspended: connect to " RELAYHOST "[");
            put_s(RELAY_IPS[throttle_ip]);
            put_s("]:587: Connection timed out");
            break;
        case F_CONN_TIMEOUT:
            put_s("connect to " RELAYHOST "[");
            put_s(RELAY_IPS[m->ip]);
            put_s("]:587: Connection timed out");
            break;
        case F_GREETING_TIMEOUT:
            put_s("conversation with " RELAYHOST "[");
            put_s(RELAY_IPS[m->ip]);
            put_s("] timed out while receiving the initial server greeting");
            break;
        case F_LOST_BODY:
            put_s("lost connection with " RELAYHOST "[");
            put_s(RELAY_IPS[m->ip]);
            put_s("] while sending message body");
            break;
        case F_RATE:
            put_s("host " RELAYHOST "[");
            put_s(RELAY_IPS[m->ip]);
            put_s("] said: 451 4.7.1 Rate limit exceeded, please try again later"
                  " (in reply to MAIL FROM command)");
            break;
        default:
            put_s("host " RELAYHOST "[");
            put_s(RELAY_IPS[m->ip]);
            put_s("] said: 451 4.3.0 <");
            put_rcpt_addr(r);
            put_s(">: Temporary lookup failure (in reply to RCPT TO command)");
            break;
        }
    } else {
        put_s("host " RELAYHOST "[");
        put_s(RELAY_IPS[m->ip]);
        put_s("] said: ");
        if (m->fail == F_SIZE) {
            put_s("552 5.3.4 Message size exceeds fixed limit (in reply to end of DATA command)");
        } else if (m->fail == F_SENDER_REJ) {
            put_s("553 5.7.1 <");
            put_s(msg_sender(m));
            put_s(">: Sender address rejected: not owned by user relay@fastmail.com"
                  " (in reply to RCPT TO command)");
        } else if (r->out == O_BOUNCE_UNKNOWN) {
            put_s("550 5.1.1 <");
            put_rcpt_addr(r);
            put_s(">: Recipient address rejected: User unknown in virtual mailbox table"
                  " (in reply to RCPT TO command)");
        } else {
            put_s("554 5.7.1 <");
            put_rcpt_addr(r);
            put_s(">: Recipient address rejected: Access denied (in reply to RCPT TO command)");
        }
    }
    put_c(')');
    line_end();

    switch (r->out) {
    case O_SENT:
        r->state = R_SENT;
        truth.sent++;
        if (m->fail == F_LOCAL)
            truth.local_sent++;
        break;
    case O_DEFER_LOOKUP:
        truth.deferred++;
        break;
    default:
        r->state = R_BOUNCED;
        truth.bounced++;
        m->attempt_bounced = 1;
        break;
    }
    r->out = O_NONE;
}

/* recipient-level failures, logged while the RCPT replies come in */
static void ev_smtp_rcptfail(uint32_t id)
{
    Msg *m = &msgs[id];
    int i;

    if (direct_mode) {
        smtp_rcptfail_direct(id);
        return;
    }

    for (i = 0; i < m->nrcpt; i++) {
        uint8_t o = m->r[i].out;

        if (o == O_BOUNCE_UNKNOWN || o == O_BOUNCE_DENIED ||
            (o == O_DEFER_LOOKUP && m->fail == F_NORMAL))
            log_status(m, i, now_t, smtp_pool.ident, m->deliver_pid);
    }
}

static void ev_smtp_done(uint32_t id)
{
    Msg *m = &msgs[id];
    int i, any_sent = 0;
    const char *ident;
    int pid;

    if (direct_mode) {
        smtp_done_direct(id);
        return;
    }
    if (m->fail == F_THROTTLED) {
        ident = "postfix/qmgr";
        pid = qmgr_pid;
    } else if (m->fail == F_LOCAL) {
        ident = local_pool.ident;
        pid = m->deliver_pid;
    } else {
        ident = smtp_pool.ident;
        pid = m->deliver_pid;
    }
    new_foreign_qid(now_t);
    if (m->fail == F_CONN_TIMEOUT) {
        line_begin(now_t, ident, pid);
        put_s("connect to " RELAYHOST "[");
        put_s(RELAY_IPS[m->ip]);
        put_s("]:587: Connection timed out");
        line_end();
        /* sometimes the destination is marked dead for a short while */
        if (chance(0.3)) {
            throttle_until = now_t + rnd_range(2 * US, 15 * US);
            throttle_ip = m->ip;
        }
    }
    for (i = 0; i < m->nrcpt; i++) {
        if (m->r[i].out == O_NONE)
            continue;
        if (m->r[i].out == O_SENT)
            any_sent = 1;
        log_status(m, i, now_t, ident, pid);
    }
    if (m->fail != F_LOCAL && m->fail != F_THROTTLED && m->fail != F_CONN_TIMEOUT &&
        m->fail != F_GREETING_TIMEOUT && m->fail != F_LOST_BODY && any_sent && chance(0.35)) {
        cache_conn(now_t, m->conn_use ? m->conn_use : 1, m->ip, m->conn_first);
    }
    push(now_t + rnd_range(100, 4 * MS), E_QMGR_DONE, id);
}

static uint32_t make_ndr(uint32_t orig_id)
{
    uint32_t nid = msg_alloc();        /* may move msgs[]: take pointers after */
    Msg *m = &msgs[orig_id];
    Msg *n = &msgs[nid];

    n->src = SRC_NDR;
    n->longid = (uint8_t) pick_longid();
    n->qlen = (uint8_t) make_qid(n->qid, now_t, n->longid);
    n->t_arrival = now_t;
    n->sender = -1;
    n->nrcpt = 1;
    n->r[0].state = R_PENDING;
    n->r[0].ddom = (uint16_t) dd_hub;   /* --direct: the senders' own MX */
    n->mid_kind = MID_GEN;
    n->size = 2400 + (m->size < 4000 ? m->size : 900) + rnd_below(600);
    if (m->src == SRC_PICKUP) {
        const Sender *sd = &PICKUP_SENDERS[m->sender];

        n->ndr_to_local = sd->local;
        n->ndr_to = sd->addr;
        if (sd->uid == 0 && strncmp(sd->addr, "root@", 5) == 0)
            n->ndr_to_alias = "sysadmin@" MYHOST;
    } else {
        n->ndr_to_local = 0;
        n->ndr_to = msg_sender(m);
    }
    n->cleanup_pid = proc_acquire(&cleanup_pool, now_t, now_t + 5 * MS);
    truth.ndr_messages++;
    return nid;
}

static void ev_qmgr_done(uint32_t id)
{
    Msg *m = &msgs[id];
    int i, left = 0;

    if (direct_mode) {
        /* the message's next destination domain in this queue run */
        for (i = 0; i < m->nrcpt; i++)
            if (m->r[i].state == R_PENDING && !m->r[i].tried) {
                push(now_t + rnd_range(200, 5 * MS), E_DELIVER, id);
                return;
            }
    }

    for (i = 0; i < m->nrcpt; i++)
        if (m->r[i].state == R_PENDING)
            left++;
    if (left && !m->counted_deferred) {
        truth.deferred_messages++;      /* distinct messages with a deferral */
        m->counted_deferred = 1;
    }
    if (left && m->src != SRC_NDR && now_t > m->t_arrival + LIFETIME) {
        /* maximal_queue_lifetime exceeded: expire and return to sender */
        line_begin(now_t, "postfix/qmgr", qmgr_pid);
        put_n(m->qid, m->qlen);
        put_s(": from=<");
        put_s(msg_sender(m));
        put_s(">, status=expired, returned to sender");
        line_end();
        truth.expired++;
        for (i = 0; i < m->nrcpt; i++)
            if (m->r[i].state == R_PENDING) {
                m->r[i].state = R_EXPIRED;
                truth.expired_recipients++;
            }
        m->expired = 1;
        m->attempt_bounced = 1;
        left = 0;
    }
    if (m->attempt_bounced && m->src != SRC_NDR) {
        uint32_t nid = make_ndr(id);

        m = &msgs[id];
        m->ndr_msg = (int) nid;
        m->attempt_bounced = (uint8_t) (left ? 2 : 3);  /* 2: retry later, 3: remove */
        push(now_t + rnd_range(2 * MS, 12 * MS), E_NDR_CLEANUP, (uint32_t) m->ndr_msg);
        push(now_t + rnd_range(13 * MS, 20 * MS), E_BOUNCE_LOG, id);
        return;
    }
    if (left) {
        int64_t delay = now_t - m->t_arrival;

        if (delay < MIN_BACKOFF)
            delay = MIN_BACKOFF;
        if (delay > MAX_BACKOFF)
            delay = MAX_BACKOFF;
        push(now_t + delay + rnd_range(0, 300 * US), E_QMGR_ACTIVE, id);
        return;
    }
    push(now_t + rnd_range(100, 2 * MS), E_REMOVED, id);
}

static void ev_ndr_cleanup(uint32_t nid)
{
    Msg *n = &msgs[nid];

    line_begin(now_t, cleanup_pool.ident, n->cleanup_pid);
    put_n(n->qid, n->qlen);
    put_s(": message-id=<");
    put_generated_mid(n, n->t_arrival);
    put_c('>');
    line_end();
}

static void ev_bounce_log(uint32_t id)
{
    Msg *m = &msgs[id];
    Msg *n = &msgs[m->ndr_msg];
    int pid = proc_acquire(&bounce_pool, now_t, now_t + 3 * MS);

    line_begin(now_t, bounce_pool.ident, pid);
    put_n(m->qid, m->qlen);
    put_s(": sender non-delivery notification: ");
    put_n(n->qid, n->qlen);
    line_end();
    push(now_t + rnd_range(200, 5 * MS), E_QMGR_ACTIVE, (uint32_t) m->ndr_msg);
    m->ndr_msg = -1;
    if (m->attempt_bounced == 3) {
        push(now_t + rnd_range(100, 2 * MS), E_REMOVED, id);
    } else {
        int64_t delay = now_t - m->t_arrival;

        if (delay < MIN_BACKOFF)
            delay = MIN_BACKOFF;
        if (delay > MAX_BACKOFF)
            delay = MAX_BACKOFF;
        push(now_t + delay + rnd_range(0, 300 * US), E_QMGR_ACTIVE, id);
    }
    m->attempt_bounced = 0;
}

static void ev_removed(uint32_t id)
{
    Msg *m = &msgs[id];

    line_begin(now_t, "postfix/qmgr", qmgr_pid);
    put_n(m->qid, m->qlen);
    put_s(": removed");
    line_end();
    if (direct_mode && m->counted_grey) {
        int i;

        for (i = 0; i < m->nrcpt; i++)
            if (m->r[i].state == R_BOUNCED || m->r[i].state == R_EXPIRED)
                break;
        if (i < m->nrcpt)
            truth.grey_failed++;
    }
    msg_free(id);
}

/* ------------------------------------------------------------------ */
/* Event handlers: periodic noise                                       */
/* ------------------------------------------------------------------ */

static int64_t next_boundary(int64_t t, int64_t period, int64_t offset)
{
    int64_t b = (t - offset) / period * period + offset;

    while (b <= t)
        b += period;
    return b;
}

static void ev_anvil(void)
{
    int i, best = -1, distinct = 0;
    char when[16];
    int pid;

    if (stopping)
        return;
    if (anvil_conns > 0) {
        for (i = 0; i < (int) (N_RELAY_CLIENTS + N_SUBMIT_CLIENTS + 1); i++) {
            if (anvil_cnt[i] > 0)
                distinct++;
            if (anvil_cnt[i] > 0 && (best < 0 || anvil_cnt[i] > anvil_cnt[best]))
                best = i;
        }
        pid = proc_acquire(&anvil_pool, now_t, now_t);
        fmt_ctime15(when, t0_epoch + anvil_when[best] / US, 0);
        when[15] = 0;
        for (i = 0; i < 2; i++) {
            line_begin(now_t, anvil_pool.ident, pid);
            put_s(i == 0 ? "statistics: max connection rate " : "statistics: max connection count ");
            if (i == 0) {
                put_u((uint64_t) (1 + anvil_cnt[best] / 6));
                put_s("/60s");
            } else {
                put_u((uint64_t) (1 + (anvil_cnt[best] > 20)));
            }
            put_s(" for (");
            if (best >= (int) N_RELAY_CLIENTS && best < (int) (N_RELAY_CLIENTS + N_SUBMIT_CLIENTS))
                put_s("submission:");
            else
                put_s("smtp:");
            if (best < (int) N_RELAY_CLIENTS)
                put_s(RELAY_CLIENTS[best].addr);
            else if (best < (int) (N_RELAY_CLIENTS + N_SUBMIT_CLIENTS))
                put_s(SUBMIT_CLIENTS[best - (int) N_RELAY_CLIENTS].addr);
            else
                put_ip4(anvil_attacker_ip);
            put_s(") at ");
            put_s(when);
            line_end();
        }
        line_begin(now_t, anvil_pool.ident, pid);
        put_s("statistics: max cache size ");
        put_u((uint64_t) distinct);
        put_s(" at ");
        put_s(when);
        line_end();
        anvil_conns = 0;
        memset(anvil_cnt, 0, sizeof anvil_cnt);
    }
    push(now_t + 600 * US, E_ANVIL, 0);
}

/*
 * Multi-line noise is emitted one line per event ("steps"), so that every
 * line carries the time at which it is written and the log stays ordered.
 */
enum { NK_CRON, NK_SYSSTAT, NK_DAILY, NK_SSH, NK_RELOAD };

static int cron_pid, ssh_pid, reload_pid;

static const char *DAILY_LINES[] = {
    "Starting logrotate.service - Rotate log files...",
    "Starting man-db.service - Daily man-db regeneration...",
    "logrotate.service: Deactivated successfully.",
    "Finished logrotate.service - Rotate log files.",
    "man-db.service: Deactivated successfully.",
    "Finished man-db.service - Daily man-db regeneration.",
};

static const char *SYSSTAT_LINES[] = {
    "Starting sysstat-collect.service - system activity accounting tool...",
    "sysstat-collect.service: Deactivated successfully.",
    "Finished sysstat-collect.service - system activity accounting tool.",
};

static void noise_next(int kind, int step, int64_t after)
{
    push(now_t + after, E_NOISE, (uint32_t) (kind << 8 | step));
}

static void ev_noise(uint32_t id)
{
    int kind = (int) (id >> 8), step = (int) (id & 255);

    switch (kind) {
    case NK_CRON:
        if (step == 0) {
            cron_pid = new_pid();
            line_begin(now_t, "CRON", cron_pid);
            put_s("pam_unix(cron:session): session opened for user root(uid=0) by root(uid=0)");
            noise_next(kind, 1, rnd_range(1 * MS, 4 * MS));
        } else if (step == 1) {
            line_begin(now_t, "CRON", cron_pid + 1);
            put_s("(root) CMD (cd / && run-parts --report /etc/cron.hourly)");
            noise_next(kind, 2, rnd_range(20 * MS, 400 * MS));
        } else {
            line_begin(now_t, "CRON", cron_pid);
            put_s("pam_unix(cron:session): session closed for user root");
        }
        break;
    case NK_SYSSTAT:
        line_begin(now_t, "systemd", 1);
        put_s(SYSSTAT_LINES[step]);
        if (step < 2)
            noise_next(kind, step + 1, rnd_range(1 * MS, 30 * MS));
        break;
    case NK_DAILY:
        line_begin(now_t, "systemd", 1);
        put_s(DAILY_LINES[step]);
        if (step < 5)
            noise_next(kind, step + 1, rnd_range(5 * MS, 900 * MS));
        break;
    case NK_SSH:
        if (step == 0) {
            ssh_pid = new_pid();
            line_begin(now_t, "sshd", ssh_pid);
            put_s("Accepted publickey for root from 198.51.100.77 port ");
            put_u(40000 + rnd_below(25000));
            put_s(" ssh2: ED25519 SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8");
            noise_next(kind, 1, rnd_range(10 * MS, 40 * MS));
        } else if (step == 1) {
            line_begin(now_t, "systemd-logind", 712);
            put_s("New session ");
            put_u((uint64_t) ++session_no);
            put_s(" of user root.");
            noise_next(kind, 2, rnd_range(1 * MS, 10 * MS));
        } else {
            line_begin(now_t, "systemd", 1);
            put_s("Started session-");
            put_u((uint64_t) session_no);
            put_s(".scope - Session ");
            put_u((uint64_t) session_no);
            put_s(" of User root.");
        }
        break;
    default:                    /* NK_RELOAD */
        if (step == 0) {
            reload_pid = new_pid();
            line_begin(now_t, "postfix/postfix-script", reload_pid);
            put_s("refreshing the Postfix mail system");
            noise_next(kind, 1, rnd_range(3 * MS, 15 * MS));
        } else {
            line_begin(now_t, "postfix/master", master_pid);
            put_s("reload -- version " PF_VERSION ", configuration /etc/postfix");
            /* qmgr, pickup, anvil restart; other daemons when next used */
            qmgr_pid = new_pid();
            pool_reload(&smtp_pool);
            pool_reload(&smtpd_pool);
            pool_reload(&subm_pool);
            pool_reload(&cleanup_pool);
            pool_reload(&bounce_pool);
            pool_reload(&local_pool);
            pool_reload(&pickup_pool);
            pool_reload(&anvil_pool);
        }
        break;
    }
    line_end();
}

/* periodic timers: start a noise sequence and re-arm */
static void ev_timer(uint32_t type)
{
    int syslog_only = out_format != FMT_POSTLOGD;       /* postlogd: Postfix only */

    if (stopping)
        return;
    switch (type) {
    case E_CRON:
        if (syslog_only)
            noise_next(NK_CRON, 0, 0);
        push(next_boundary(now_t, 3600 * US, 17 * 60 * US), E_CRON, 0);
        break;
    case E_SYSSTAT:
        if (syslog_only)
            noise_next(NK_SYSSTAT, 0, 0);
        push(next_boundary(now_t, 600 * US, 0) + rnd_range(0, 900 * MS), E_SYSSTAT, 0);
        break;
    case E_DAILY:
        if (syslog_only)
            noise_next(NK_DAILY, 0, 0);
        push(next_boundary(now_t, 86400 * US, 0) + rnd_range(0, 20 * MS), E_DAILY, 0);
        break;
    case E_SSH:
        if (syslog_only)
            noise_next(NK_SSH, 0, 0);
        push(now_t + rnd_range(2 * 3600 * US, 9 * 3600 * US), E_SSH, 0);
        break;
    default:                    /* E_RELOAD */
        noise_next(NK_RELOAD, 0, 0);
        push(now_t + rnd_range(10 * 3600 * US, 30 * 3600 * US), E_RELOAD, 0);
        break;
    }
}

/* ------------------------------------------------------------------ */
/* Main                                                                 */
/* ------------------------------------------------------------------ */

static void usage(void)
{
    fputs("usage: loggen [--seed N] [--size BYTES[k|M|G] | --messages N]\n"
          "              [--format bsd|rfc3339|postlogd] [--long-ids | --mixed-ids]\n"
          "              [--start YYYY-MM-DD] [--truth FILE] [--healthy] [--direct]\n"
          "Writes a synthetic Postfix relay-client mail log to stdout\n"
          "(--direct: delivery straight to the recipients' MX hosts).\n"
          "Default: --seed 1 --messages 10000 --format bsd (short queue IDs).\n",
          stderr);
    exit(2);
}

static uint64_t parse_u64(const char *s, int allow_suffix)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);

    if (end == s)
        usage();
    if (allow_suffix && *end) {
        switch (*end) {
        case 'k':
        case 'K':
            v <<= 10;
            break;
        case 'm':
        case 'M':
            v <<= 20;
            break;
        case 'g':
        case 'G':
            v <<= 30;
            break;
        default:
            usage();
        }
        end++;
    }
    if (*end)
        usage();
    return (uint64_t) v;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    const char *truth_path = 0;
    int i;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (!strcmp(a, "--seed") && i + 1 < argc)
            seed = parse_u64(argv[++i], 0);
        else if (!strcmp(a, "--size") && i + 1 < argc)
            target_bytes = parse_u64(argv[++i], 1);
        else if (!strcmp(a, "--messages") && i + 1 < argc)
            max_msgs = parse_u64(argv[++i], 0);
        else if (!strcmp(a, "--format") && i + 1 < argc) {
            a = argv[++i];
            if (!strcmp(a, "bsd"))
                out_format = FMT_BSD;
            else if (!strcmp(a, "rfc3339"))
                out_format = FMT_RFC3339;
            else if (!strcmp(a, "postlogd"))
                out_format = FMT_POSTLOGD;
            else
                usage();
        } else if (!strcmp(a, "--healthy"))
            healthy_only = 1;
        else if (!strcmp(a, "--direct"))
            direct_mode = 1;
        else if (!strcmp(a, "--long-ids"))
            qid_mode = QID_LONG;
        else if (!strcmp(a, "--mixed-ids"))
            qid_mode = QID_MIXED;
        else if (!strcmp(a, "--start") && i + 1 < argc) {
            int y, mo, d;
            char extra;

            if (sscanf(argv[++i], "%4d-%2d-%2d%c", &y, &mo, &d, &extra) != 3 ||
                y < 1971 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31)
                usage();
            t0_epoch = epoch_from_civil(y, mo, d);
        } else if (!strcmp(a, "--truth") && i + 1 < argc)
            truth_path = argv[++i];
        else
            usage();
    }
    if (target_bytes && max_msgs) {
        fputs("loggen: --size and --messages are mutually exclusive\n", stderr);
        usage();
    }
    if (!target_bytes && !max_msgs)
        max_msgs = 10000;
    if ((target_bytes == 0 && max_msgs == 0))
        usage();

    rng_state = seed * 0xD1B54A32D192ED03ULL + 0x8BB84B93962EACC9ULL;
    obuf = malloc(OBUF_SIZE);
    if (!obuf) {
        fputs("loggen: out of memory\n", stderr);
        return 1;
    }
    op = obuf;
    master_pid = 1203 + (int) rnd_below(200);
    next_pid_val = master_pid + 5;
    qmgr_pid = new_pid();
    if (direct_mode)
        direct_init();

    now_t = 0;
    push(rnd_range(1 * MS, 900 * MS), E_ARRIVAL, 0);
    push(rnd_exp(120.0 * US), E_REJ_ARRIVAL, 0);
    push(rnd_exp(400.0 * US), E_AUTHFAIL_ARRIVAL, 0);
    push(rnd_exp(200.0 * US), E_SCAN_ARRIVAL, 0);
    push(600 * US, E_ANVIL, 0);
    push(17 * 60 * US, E_CRON, 0);
    push(rnd_range(0, 20 * MS), E_DAILY, 0);
    push(10 * 60 * US + rnd_range(0, 900 * MS), E_SYSSTAT, 0);
    push(rnd_range(3600 * US, 6 * 3600 * US), E_SSH, 0);
    push(rnd_range(6 * 3600 * US, 20 * 3600 * US), E_RELOAD, 0);

    while (hn) {
        Ev e = pop();

        now_t = e.t;
        switch (e.type) {
        case E_ARRIVAL:
            ev_arrival();
            break;
        case E_REJ_ARRIVAL:
            ev_noise_session(SK_REJECT, E_REJ_ARRIVAL, 120.0 * US);
            break;
        case E_AUTHFAIL_ARRIVAL:
            ev_noise_session(SK_AUTHFAIL, E_AUTHFAIL_ARRIVAL, 400.0 * US);
            break;
        case E_SCAN_ARRIVAL:
            ev_noise_session(SK_SCAN, E_SCAN_ARRIVAL, 200.0 * US);
            break;
        case E_ANVIL:
            ev_anvil();
            break;
        case E_CRON:
        case E_SYSSTAT:
        case E_DAILY:
        case E_RELOAD:
        case E_SSH:
            ev_timer(e.type);
            break;
        case E_NOISE:
            ev_noise(e.id);
            break;
        case E_SESS_CONNECT:
            ev_sess_connect(e.id);
            break;
        case E_SESS_TLS:
            ev_sess_tls(e.id);
            break;
        case E_SESS_MAIL:
            ev_sess_mail(e.id);
            break;
        case E_SESS_DISCONNECT:
            ev_sess_disconnect(e.id);
            break;
        case E_SESS_REJECT:
            ev_sess_reject(e.id);
            break;
        case E_SESS_AUTHWARN:
            ev_sess_authwarn(e.id);
            break;
        case E_SESS_LOST:
            ev_sess_lost(e.id);
            break;
        case E_PICKUP:
            ev_pickup();
            break;
        case E_CLEANUP:
            ev_cleanup(e.id);
            break;
        case E_QMGR_ACTIVE:
            ev_qmgr_active(e.id);
            break;
        case E_DELIVER:
            ev_deliver(e.id);
            break;
        case E_SMTP_TLS:
            ev_smtp_tls(e.id);
            break;
        case E_SMTP_CONNFAIL:
            ev_smtp_connfail(e.id);
            break;
        case E_SMTP_RCPTFAIL:
            ev_smtp_rcptfail(e.id);
            break;
        case E_SMTP_DONE:
            ev_smtp_done(e.id);
            break;
        case E_QMGR_DONE:
            ev_qmgr_done(e.id);
            break;
        case E_NDR_CLEANUP:
            ev_ndr_cleanup(e.id);
            break;
        case E_BOUNCE_LOG:
            ev_bounce_log(e.id);
            break;
        case E_REMOVED:
            ev_removed(e.id);
            break;
        default:
            fprintf(stderr, "loggen: internal error: event %u\n", e.type);
            return 1;
        }
    }
    flush_out();
    if (fflush(stdout) != 0) {
        perror("loggen: write");
        return 1;
    }

    if (truth_path) {
        FILE *f = fopen(truth_path, "w");

        if (!f) {
            perror(truth_path);
            return 1;
        }
        fprintf(f, "messages %llu\n", (unsigned long long) truth.messages);
        fprintf(f, "recipients %llu\n", (unsigned long long) truth.recipients);
        fprintf(f, "sent %llu\n", (unsigned long long) truth.sent);
        fprintf(f, "deferred %llu\n", (unsigned long long) truth.deferred);
        fprintf(f, "bounced %llu\n", (unsigned long long) truth.bounced);
        fprintf(f, "expired %llu\n", (unsigned long long) truth.expired);
        fprintf(f, "ndr_messages %llu\n", (unsigned long long) truth.ndr_messages);
        fprintf(f, "lines %llu\n", (unsigned long long) out_lines);
        fprintf(f, "bytes %llu\n", (unsigned long long) out_bytes);
        fprintf(f, "deferred_messages %llu\n", (unsigned long long) truth.deferred_messages);
        fprintf(f, "expired_recipients %llu\n", (unsigned long long) truth.expired_recipients);
        fprintf(f, "rejected %llu\n", (unsigned long long) truth.rejected);
        fprintf(f, "pickup_messages %llu\n", (unsigned long long) truth.pickup);
        fprintf(f, "smtpd_messages %llu\n", (unsigned long long) truth.smtpd);
        fprintf(f, "submission_messages %llu\n", (unsigned long long) truth.submission);
        fprintf(f, "local_sent %llu\n", (unsigned long long) truth.local_sent);
        fprintf(f, "conn_reused %llu\n", (unsigned long long) truth.reused);
        fprintf(f, "tls_client_lines %llu\n", (unsigned long long) truth.tls_lines);
        if (direct_mode) {
            fprintf(f, "greylisted_messages %llu\n", (unsigned long long) truth.grey_messages);
            fprintf(f, "greylisted_recipients %llu\n", (unsigned long long) truth.grey_recipients);
            fprintf(f, "greylisted_sent %llu\n", (unsigned long long) truth.grey_sent);
            fprintf(f, "greylisted_messages_failed %llu\n", (unsigned long long) truth.grey_failed);
            fprintf(f, "mailbox_full_deferred %llu\n", (unsigned long long) truth.full_deferred);
            fprintf(f, "mailbox_full_sent %llu\n", (unsigned long long) truth.full_sent);
            fprintf(f, "mailbox_full_bounced %llu\n", (unsigned long long) truth.full_bounced);
            fprintf(f, "unknown_user_bounced %llu\n", (unsigned long long) truth.unknown_bounced);
            fprintf(f, "domain_not_found_bounced %llu\n", (unsigned long long) truth.nx_bounced);
            fprintf(f, "policy_bounced %llu\n", (unsigned long long) truth.policy_bounced);
            fprintf(f, "throttled_deferred %llu\n", (unsigned long long) truth.throttled_deferred);
            fprintf(f, "throttled_messages %llu\n", (unsigned long long) truth.throttled_messages);
            fprintf(f, "mx_timeout_deferred %llu\n", (unsigned long long) truth.timeout_deferred);
            fprintf(f, "mx_suspended_deferred %llu\n", (unsigned long long) truth.suspended_deferred);
            fprintf(f, "tls_trusted %llu\n", (unsigned long long) truth.tls_trusted);
            fprintf(f, "tls_untrusted %llu\n", (unsigned long long) truth.tls_untrusted);
            fprintf(f, "tls_anonymous %llu\n", (unsigned long long) truth.tls_anonymous);
            fprintf(f, "recipient_domains %llu\n", (unsigned long long) truth.domains_used);
        }
        fprintf(f, "seed %llu\n", (unsigned long long) seed);
        if (fclose(f) != 0) {
            perror(truth_path);
            return 1;
        }
    }
    return 0;
}
