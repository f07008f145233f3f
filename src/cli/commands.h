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
int cmd_container(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_image(int argc, char **argv);	      /* image.c */
int cmd_image_inspect(int argc, char **argv); /* image_inspect.c */
int cmd_image_prune(int argc, char **argv);   /* image_prune.c */
int cmd_images(int argc, char **argv);	      /* images.c */
int cmd_import(int argc, char **argv);	      /* import.c */
int cmd_inspect(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_load(int argc, char **argv);	      /* load.c */
int cmd_login(int argc, char **argv);	      /* pull.c */
int cmd_logout(int argc, char **argv);	      /* pull.c */
int cmd_logs(int argc, char **argv);
int network_main(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_port(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_pull(int argc, char **argv);	      /* pull.c */
int cmd_rename(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_rmi(int argc, char **argv);	      /* rmi.c */
int cmd_run(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_unpause(int argc, char **argv);
int cmd_wait(int argc, char **argv);

#endif
