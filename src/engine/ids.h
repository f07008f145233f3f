/* ids.h — container IDs and names: 64 random hex digits shown as 12,
 * docker's name rule, and generated "adjective_noun" names.
 */
#ifndef CAPSA_ENGINE_IDS_H
#define CAPSA_ENGINE_IDS_H

#include <stdbool.h>
#include <stddef.h>

struct err;

#define ID_HEX	 64
#define ID_SHORT 12

/* 64 random lower-case hex digits (getrandom). */
int id_generate(char out[ID_HEX + 1], struct err *e);

/* Exactly 64 lower-case hex digits. */
bool id_is_full(const char *s);

/* 1..64 lower-case hex digits: could be an ID prefix. */
bool id_is_prefix(const char *s);

/* Names: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128 bytes, not all hex of
 * 64 digits (that would shadow an ID). */
int name_check(const char *name, struct err *e);

/* "adjective_noun" from a random pick (a clash is the caller's retry). */
int name_generate(char *out, size_t len, struct err *e);

#endif
