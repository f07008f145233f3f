/* signals.h — signal names and numbers, as kill(1) and runc spell them. */
#ifndef CAPSA_RUNTIME_SIGNALS_H
#define CAPSA_RUNTIME_SIGNALS_H

/* "KILL", "SIGKILL", "sigkill", "9", "RTMIN+3" -> number; -1 if unknown. */
int signal_parse(const char *s);

/* 9 -> "SIGKILL"; NULL if unknown. */
const char *signal_name(int sig);

#endif
