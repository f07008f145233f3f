/* test_signals.c — signal_parse / signal_name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "runtime/signals.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static void test_names_with_and_without_prefix(void **state)
{
	assert_int_equal(signal_parse("KILL"), SIGKILL);
	assert_int_equal(signal_parse("SIGKILL"), SIGKILL);
	assert_int_equal(signal_parse("sigkill"), SIGKILL);
	assert_int_equal(signal_parse("SigTerm"), SIGTERM);
	assert_int_equal(signal_parse("hup"), SIGHUP);
	assert_int_equal(signal_parse("WINCH"), SIGWINCH);
	assert_int_equal(signal_parse("SIGSTKFLT"), SIGSTKFLT);
	assert_int_equal(signal_parse("PWR"), SIGPWR);
	assert_int_equal(signal_parse("SIGSYS"), SIGSYS);
}

static void test_every_standard_name(void **state)
{
	static const struct {
		const char *name;
		int nr;
	} all[] = {
	    {"HUP", 1},	  {"INT", 2},	  {"QUIT", 3},	{"ILL", 4},	{"TRAP", 5},  {"ABRT", 6},
	    {"BUS", 7},	  {"FPE", 8},	  {"KILL", 9},	{"USR1", 10},	{"SEGV", 11}, {"USR2", 12},
	    {"PIPE", 13}, {"ALRM", 14},	  {"TERM", 15}, {"STKFLT", 16}, {"CHLD", 17}, {"CONT", 18},
	    {"STOP", 19}, {"TSTP", 20},	  {"TTIN", 21}, {"TTOU", 22},	{"URG", 23},  {"XCPU", 24},
	    {"XFSZ", 25}, {"VTALRM", 26}, {"PROF", 27}, {"WINCH", 28},	{"IO", 29},   {"PWR", 30},
	    {"SYS", 31},
	};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		char sig[32];
		snprintf(sig, sizeof(sig), "SIG%s", all[i].name);
		assert_int_equal(signal_parse(all[i].name), all[i].nr);
		assert_int_equal(signal_parse(sig), all[i].nr);
		assert_non_null(signal_name(all[i].nr));
		assert_string_equal(signal_name(all[i].nr), sig);
	}
}

static void test_aliases(void **state)
{
	assert_int_equal(signal_parse("IOT"), SIGABRT);
	assert_int_equal(signal_parse("SIGIOT"), SIGABRT);
	assert_int_equal(signal_parse("POLL"), SIGIO);
	assert_int_equal(signal_parse("SIGPOLL"), SIGIO);
	assert_int_equal(signal_parse("CLD"), SIGCHLD);
	/* An alias is never the printed name. */
	assert_string_equal(signal_name(SIGABRT), "SIGABRT");
	assert_string_equal(signal_name(SIGIO), "SIGIO");
	assert_string_equal(signal_name(SIGCHLD), "SIGCHLD");
}

static void test_numbers(void **state)
{
	assert_int_equal(signal_parse("1"), 1);
	assert_int_equal(signal_parse("9"), 9);
	assert_int_equal(signal_parse("15"), 15);
	assert_int_equal(signal_parse("32"), 32);
	assert_int_equal(signal_parse("64"), 64);
	assert_int_equal(signal_parse("009"), 9);
}

static void test_realtime(void **state)
{
	assert_int_equal(signal_parse("RTMIN"), 34);
	assert_int_equal(signal_parse("SIGRTMIN"), 34);
	assert_int_equal(signal_parse("rtmin+3"), 37);
	assert_int_equal(signal_parse("SIGRTMIN+30"), 64);
	assert_int_equal(signal_parse("RTMAX"), 64);
	assert_int_equal(signal_parse("SIGRTMAX-1"), 63);
	assert_int_equal(signal_parse("RTMAX-30"), 34);
	assert_int_equal(signal_parse("RTMIN+0"), 34);

	assert_string_equal(signal_name(34), "SIGRTMIN");
	assert_string_equal(signal_name(35), "SIGRTMIN+1");
	assert_string_equal(signal_name(49), "SIGRTMIN+15");
	assert_string_equal(signal_name(50), "SIGRTMAX-14");
	assert_string_equal(signal_name(63), "SIGRTMAX-1");
	assert_string_equal(signal_name(64), "SIGRTMAX");
}

/* Every name signal_name prints parses back to its number. */
static void test_round_trip(void **state)
{
	int named = 0;
	for (int sig = 1; sig <= 64; sig++) {
		const char *name = signal_name(sig);
		if (!name)
			continue;
		named++;
		assert_int_equal(signal_parse(name), sig);
		assert_int_equal(signal_parse(name + 3), sig);
	}
	assert_int_equal(named, 31 + 31); /* 1..31 and 34..64 */
}

static void test_rejects(void **state)
{
	static const char *const bad[] = {
	    "",		  "0",
	    "-1",	  "-9",
	    "65",	  "100",
	    "9x",	  "x9",
	    " 9",	  "9 ",
	    "+9",	  "SIG",
	    "SIG9",	  "KILLX",
	    "SIGKIL",	  "NOPE",
	    "RTMIN+31",	  "RTMAX-31",
	    "RTMIN-1",	  "RTMAX+1",
	    "RTMIN+",	  "RTMAX-",
	    "RTMIN+x",	  "RTMIN+1x",
	    "SIGSIGKILL", "99999999999999999999",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (signal_parse(bad[i]) != -1)
			fail_msg("signal_parse(\"%s\") accepted", bad[i]);
	}
	assert_int_equal(signal_parse(NULL), -1);
	assert_null(signal_name(0));
	assert_null(signal_name(-1));
	assert_null(signal_name(65));
	assert_null(signal_name(32));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_with_and_without_prefix),
	    cmocka_unit_test(test_every_standard_name),
	    cmocka_unit_test(test_aliases),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_realtime),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
