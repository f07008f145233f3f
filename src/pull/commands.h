/* commands.h — capsa-pull's subcommands; argv[0] is the subcommand word. */
#ifndef CAPSA_PULL_COMMANDS_H
#define CAPSA_PULL_COMMANDS_H

struct pull_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

int pull_import_main(int argc, char **argv); /* import.c */
int pull_load_main(int argc, char **argv);   /* load.c */

#endif
