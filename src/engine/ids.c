/* ids.c — see ids.h. */
#include "engine/ids.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static int random_bytes(void *buf, size_t n, struct err *e)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = getrandom((char *)buf + got, n - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(e, errno, "getrandom");
		}
		got += (size_t)r;
	}
	return 0;
}

int id_generate(char out[ID_HEX + 1], struct err *e)
{
	unsigned char b[ID_HEX / 2];
	int r = random_bytes(b, sizeof(b), e);
	if (r < 0)
		return r;
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof(b); i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[ID_HEX] = '\0';
	return 0;
}

static size_t hex_span(const char *s)
{
	size_t n = 0;
	while ((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))
		n++;
	return n;
}

bool id_is_full(const char *s)
{
	return hex_span(s) == ID_HEX && s[ID_HEX] == '\0';
}

bool id_is_prefix(const char *s)
{
	size_t n = hex_span(s);
	return n > 0 && n <= ID_HEX && s[n] == '\0';
}

static bool name_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '_' || c == '.' || c == '-');
}

int name_check(const char *name, struct err *e)
{
	size_t n = strlen(name);
	if (n == 0)
		return err_msg(e, EINVAL, "container name: empty");
	if (n > 128)
		return err_msg(e, EINVAL, "container name \"%.20s...\": longer than 128 bytes",
			       name);
	for (size_t i = 0; i < n; i++)
		if (!name_char(name[i], i == 0))
			return err_msg(e, EINVAL,
				       "container name \"%s\": invalid (allowed: "
				       "[a-zA-Z0-9][a-zA-Z0-9_.-]*)",
				       name);
	if (id_is_full(name))
		return err_msg(e, EINVAL,
			       "container name \"%s\": 64 hex digits would be taken for an ID",
			       name);
	return 0;
}

static const char *const adjectives[] = {
    "agile",  "bold",	"brave", "bright", "calm",   "clever", "cool",	 "eager",  "fast",
    "gentle", "happy",	"jolly", "keen",   "kind",   "lively", "lucid",	 "merry",  "nimble",
    "proud",  "quick",	"quiet", "rapid",  "serene", "sharp",  "silent", "steady", "sturdy",
    "swift",  "tender", "tidy",	 "vivid",  "wise",   "witty",  "zesty",
};

static const char *const nouns[] = {
    "babbage",	"bohr",	   "curie",  "darwin",	"dijkstra", "euler",   "faraday",
    "fermi",	"gauss",   "hopper", "kepler",	"knuth",    "lamport", "lovelace",
    "mccarthy", "meitner", "newton", "noether", "pascal",   "ritchie", "shannon",
    "thompson", "turing",  "volta",  "wilkes",	"wozniak",
};

int name_generate(char *out, size_t len, struct err *e)
{
	uint32_t r[3];
	int rc = random_bytes(r, sizeof(r), e);
	if (rc < 0)
		return rc;
	/* A number keeps clashes rare even with thousands of containers. */
	int n = snprintf(out, len, "%s_%s_%u", adjectives[r[0] % ARRAY_SIZE(adjectives)],
			 nouns[r[1] % ARRAY_SIZE(nouns)], (unsigned)(r[2] % 10000));
	if (n < 0 || (size_t)n >= len)
		return err_msg(e, ENAMETOOLONG, "generated name: buffer too small");
	return 0;
}
