/* gunzip.h — streaming gzip decompression with ISA-L (igzip).
 *
 * Inflate is the largest CPU cost of unpacking a gzip layer after the
 * file system's own work; ISA-L's inflate is several times faster than
 * zlib's, which libarchive's gzip filter uses.  unpack.c decompresses
 * gzip layers here and hands the tar to libarchive; zstd and plain tar
 * still go through libarchive's filters.
 *
 * Concatenated gzip members are one stream (as gzip -d does); bytes after
 * the last member that do not start another one are ignored, as
 * libarchive does.  Each member's CRC-32 and length are checked.
 */
#ifndef CAPSA_PULL_GUNZIP_H
#define CAPSA_PULL_GUNZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gunzip;

/* The first two bytes of a gzip member. */
bool gunzip_magic(const void *p, size_t n);

struct gunzip *gunzip_new(void); /* NULL: out of memory */
void gunzip_free(struct gunzip *g);

/* Give the decoder the next input bytes (it keeps the pointer: they must
 * stay valid until gunzip_need_input says they are used up). */
void gunzip_input(struct gunzip *g, const void *in, size_t n);
bool gunzip_need_input(const struct gunzip *g);

/* Decompress into out[0..cap).  Returns the number of bytes produced
 * (0 when more input is needed, see gunzip_need_input, or at the end),
 * or a negative errno: -EBADMSG for corrupt data.  `at_eof`: no more
 * input will come (a stream cut inside a member is then -EBADMSG).
 * *done is set once the last member ended. */
long gunzip_read(struct gunzip *g, void *out, size_t cap, bool at_eof, bool *done);

/* What went wrong, for messages ("invalid deflate block" …). */
const char *gunzip_error(const struct gunzip *g);

#endif
