/* signals.c — signal names and numbers (see signals.h).
 *
 * The real-time range is the kernel's, not glibc's: SIGRTMIN is 34 and
 * SIGRTMAX 64 here, as runc and kill(1) number them.  glibc's SIGRTMIN
 * macro is a function call that answers 34 or 35 depending on what the
 * threading library reserved, and __SIGRTMIN is 32; neither is what a
 * user who writes "RTMIN+2" for a container means, so both are avoided.
 */
#include "runtime/signals.h"

#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#define SIG_RTMIN_NR 34
#define SIG_RTMAX_NR 64

struct sig_entry {
	const char *name; /* with the "SIG" prefix */
	int nr;
};

/* The first entry for a number is its canonical name; aliases follow. */
static const struct sig_entry sig_table[] = {
    {"SIGHUP", SIGHUP},
    {"SIGINT", SIGINT},
    {"SIGQUIT", SIGQUIT},
    {"SIGILL", SIGILL},
    {"SIGTRAP", SIGTRAP},
    {"SIGABRT", SIGABRT},
    {"SIGBUS", SIGBUS},
    {"SIGFPE", SIGFPE},
    {"SIGKILL", SIGKILL},
    {"SIGUSR1", SIGUSR1},
    {"SIGSEGV", SIGSEGV},
    {"SIGUSR2", SIGUSR2},
    {"SIGPIPE", SIGPIPE},
    {"SIGALRM", SIGALRM},
    {"SIGTERM", SIGTERM},
    {"SIGSTKFLT", SIGSTKFLT},
    {"SIGCHLD", SIGCHLD},
    {"SIGCONT", SIGCONT},
    {"SIGSTOP", SIGSTOP},
    {"SIGTSTP", SIGTSTP},
    {"SIGTTIN", SIGTTIN},
    {"SIGTTOU", SIGTTOU},
    {"SIGURG", SIGURG},
    {"SIGXCPU", SIGXCPU},
    {"SIGXFSZ", SIGXFSZ},
    {"SIGVTALRM", SIGVTALRM},
    {"SIGPROF", SIGPROF},
    {"SIGWINCH", SIGWINCH},
    {"SIGIO", SIGIO},
    {"SIGPWR", SIGPWR},
    {"SIGSYS", SIGSYS},
    /* Aliases, accepted by signal_parse, never printed. */
    {"SIGIOT", SIGABRT},
    {"SIGPOLL", SIGIO},
    {"SIGCLD", SIGCHLD},
};

/* Canonical names of 34..64 in kill -l's split: RTMIN+1..+15 climb from
 * the bottom, RTMAX-14..-1 descend from the top. */
static const char *const rt_names[SIG_RTMAX_NR - SIG_RTMIN_NR + 1] = {
    "SIGRTMIN",	   "SIGRTMIN+1",  "SIGRTMIN+2",	 "SIGRTMIN+3",	"SIGRTMIN+4",  "SIGRTMIN+5",
    "SIGRTMIN+6",  "SIGRTMIN+7",  "SIGRTMIN+8",	 "SIGRTMIN+9",	"SIGRTMIN+10", "SIGRTMIN+11",
    "SIGRTMIN+12", "SIGRTMIN+13", "SIGRTMIN+14", "SIGRTMIN+15", "SIGRTMAX-14", "SIGRTMAX-13",
    "SIGRTMAX-12", "SIGRTMAX-11", "SIGRTMAX-10", "SIGRTMAX-9",	"SIGRTMAX-8",  "SIGRTMAX-7",
    "SIGRTMAX-6",  "SIGRTMAX-5",  "SIGRTMAX-4",	 "SIGRTMAX-3",	"SIGRTMAX-2",  "SIGRTMAX-1",
    "SIGRTMAX",
};

/* A whole, plain decimal number (no sign, no spaces, no trailing junk)
 * within 0..64; -1 otherwise. */
static int parse_small(const char *s)
{
	if (*s < '0' || *s > '9')
		return -1;
	int n = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
		if (n > SIG_RTMAX_NR)
			return -1;
	}
	return n;
}

/* "RTMIN", "RTMIN+n", "RTMAX", "RTMAX-n" (prefix already stripped). */
static int parse_rt(const char *s)
{
	int base, dir;
	if (strncasecmp(s, "RTMIN", 5) == 0) {
		base = SIG_RTMIN_NR;
		dir = 1;
	} else if (strncasecmp(s, "RTMAX", 5) == 0) {
		base = SIG_RTMAX_NR;
		dir = -1;
	} else {
		return -1;
	}
	s += 5;
	if (*s == '\0')
		return base;
	if (*s != (dir > 0 ? '+' : '-'))
		return -1;
	int off = parse_small(s + 1);
	if (off < 0)
		return -1;
	int sig = base + dir * off;
	return sig >= SIG_RTMIN_NR && sig <= SIG_RTMAX_NR ? sig : -1;
}

int signal_parse(const char *s)
{
	if (!s || !*s)
		return -1;
	if (*s >= '0' && *s <= '9') {
		int n = parse_small(s);
		return n >= 1 ? n : -1;
	}
	const char *bare = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
	if (!*bare)
		return -1;
	for (size_t i = 0; i < sizeof(sig_table) / sizeof(sig_table[0]); i++)
		if (strcasecmp(bare, sig_table[i].name + 3) == 0)
			return sig_table[i].nr;
	return parse_rt(bare);
}

const char *signal_name(int sig)
{
	if (sig >= SIG_RTMIN_NR && sig <= SIG_RTMAX_NR)
		return rt_names[sig - SIG_RTMIN_NR];
	for (size_t i = 0; i < sizeof(sig_table) / sizeof(sig_table[0]); i++)
		if (sig_table[i].nr == sig)
			return sig_table[i].name;
	return NULL;
}
