/* arena.h — a bump allocator for data that lives and dies together.
 *
 * A parsed config.json is hundreds of small strings and arrays that are
 * all released at once; an arena makes that one free() per chunk and
 * keeps the parser free of ownership bookkeeping.
 */
#ifndef CAPSA_BASE_ARENA_H
#define CAPSA_BASE_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
};

/* Zeroed memory, aligned for any type; NULL only when out of memory. */
void *arena_alloc(struct arena *a, size_t size);
void *arena_calloc(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_free(struct arena *a);

#endif
