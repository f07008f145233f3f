/* gunzip.c — see gunzip.h. */
#include "pull/gunzip.h"

#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <stdlib.h>

struct gunzip {
	struct inflate_state st;
	bool member_done;  /* between members: what follows decides */
	bool later_member; /* past the first member */
	bool done;
	int error;
};

bool gunzip_magic(const void *p, size_t n)
{
	const unsigned char *c = p;
	return n >= 2 && c[0] == 0x1f && c[1] == 0x8b;
}

struct gunzip *gunzip_new(void)
{
	struct gunzip *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	isal_inflate_init(&g->st);
	g->st.crc_flag = ISAL_GZIP;
	return g;
}

void gunzip_free(struct gunzip *g)
{
	free(g);
}

void gunzip_input(struct gunzip *g, const void *in, size_t n)
{
	g->st.next_in = (uint8_t *)in;
	g->st.avail_in = (uint32_t)n;
}

bool gunzip_need_input(const struct gunzip *g)
{
	return !g->done && g->st.avail_in == 0;
}

const char *gunzip_error(const struct gunzip *g)
{
	switch (g->error) {
	case ISAL_INVALID_BLOCK:
		return "invalid deflate block";
	case ISAL_INVALID_SYMBOL:
		return "invalid deflate symbol";
	case ISAL_INVALID_LOOKBACK:
		return "invalid lookback distance";
	case ISAL_INVALID_WRAPPER:
		return "invalid gzip header";
	case ISAL_UNSUPPORTED_METHOD:
		return "unsupported compression method";
	case ISAL_INCORRECT_CHECKSUM:
		return "CRC mismatch";
	case 1:
		return "stream cut short";
	default:
		return "corrupt gzip data";
	}
}

/* A member ended: another one follows, or the stream is over.  Returns
 * false when more input is needed to tell.  One byte is enough: a 0x1f
 * starts the next member, whose header ISA-L then parses (across reads);
 * anything else is trailing bytes. */
static bool next_member(struct gunzip *g, bool at_eof)
{
	if (g->st.avail_in == 0) {
		if (!at_eof)
			return false;
		g->done = true;
		return true;
	}
	if (g->st.next_in[0] != 0x1f) {
		g->done = true; /* trailing bytes (ignored) */
		return true;
	}
	uint8_t *in = g->st.next_in;
	uint32_t n = g->st.avail_in;
	isal_inflate_reset(&g->st);
	g->st.crc_flag = ISAL_GZIP;
	g->st.next_in = in;
	g->st.avail_in = n;
	g->member_done = false;
	g->later_member = true;
	return true;
}

long gunzip_read(struct gunzip *g, void *out, size_t cap, bool at_eof, bool *done)
{
	*done = g->done;
	if (g->done)
		return 0;
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	for (;;) {
		if (g->member_done) {
			if (!next_member(g, at_eof))
				return 0; /* more input first */
			if (g->done) {
				*done = true;
				return 0;
			}
		}
		g->st.next_out = out;
		g->st.avail_out = (uint32_t)cap;
		uint32_t had = g->st.avail_in;
		int r = isal_inflate(&g->st);
		if (r == ISAL_INVALID_WRAPPER && g->later_member && g->st.total_out == 0) {
			g->done = true; /* 0x1f then not a gzip header: trailing bytes */
			*done = true;
			return 0;
		}
		if (r < 0 || r == ISAL_NEED_DICT) {
			g->error = r;
			return -EBADMSG;
		}
		long made = (long)(cap - g->st.avail_out);
		if (g->st.block_state == ISAL_BLOCK_FINISH)
			g->member_done = true;
		if (made > 0)
			return made;
		if (g->member_done)
			continue;
		if (g->st.avail_in == 0) {
			if (at_eof && g->later_member && g->st.total_out == 0) {
				g->done = true; /* a few bytes after the last member */
				*done = true;
				return 0;
			}
			if (at_eof) {
				g->error = 1;
				return -EBADMSG;
			}
			return 0;
		}
		if (g->st.avail_in == had) { /* no progress: never loop forever */
			g->error = ISAL_INVALID_BLOCK;
			return -EBADMSG;
		}
	}
}
