/* logs.h — reading a container's log (the monitor's CRI-format lines:
 * "TIMESTAMP STREAM F|P CONTENT") back to stdout and stderr: --tail,
 * --since, -t and -f across a rotation (ctr.log.1, then ctr.log).
 */
#ifndef CAPSA_ENGINE_LOGS_H
#define CAPSA_ENGINE_LOGS_H

#include <stdbool.h>
#include <stddef.h>

struct err;

struct log_opts {
	long tail;	 /* last N lines; -1 all */
	bool timestamps; /* prefix each line with its time */
	char since[40];	 /* "" or an RFC 3339 prefix: lines at or after it */
	bool follow;
	/* -f: called between polls; false once the container has exited. */
	bool (*running)(void *arg);
	void *arg;
	int out, err; /* where stdout and stderr lines go */
};

/* --since VALUE: RFC 3339 ("2026-11-23T10:00:00Z", date only too), unix
 * seconds, or a duration back from now ("90s", "10m", "2h"). */
int logs_parse_since(const char *v, char out[40], struct err *e);

/* Print the log at `dir`/ctr.log[.1]. */
int logs_print(const char *dir, const struct log_opts *o, struct err *e);

/* One log line split in place: false if it is not a log line. */
struct log_line {
	const char *ts, *stream, *text;
	size_t ts_len, text_len;
	bool partial;
};
bool logs_split(const char *line, size_t len, struct log_line *out);

#endif
