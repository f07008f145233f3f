/* commands.h — the command functions the CLI dispatches to.  One file per
 * command under src/cli/ (engine) and src/cli/oci/ (runc's command line). */
#ifndef CAPSA_CLI_COMMANDS_H
#define CAPSA_CLI_COMMANDS_H

#define CAPSA_VERSION "0.1.0"

struct command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command word */
	const char *help;		   /* one line for `capsa --help` */
};

/* `capsa oci …` and `capsa-oci …`: argv[0] is the command word. */
int oci_main(int argc, char **argv);

/* Engine commands (one file each under src/cli/), one line each, sorted. */
int network_main(int argc, char **argv);

#endif
