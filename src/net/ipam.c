/* ipam.c — bitmap address allocator (see ipam.h).
 *
 * File layout: a header {magic, cursor, count} then one bit per address
 * of the subnet.  Every change rewrites the header and the one bitmap
 * byte it touched, under an exclusive flock held by the caller. */
#include "net/ipam.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define IPAM_MAGIC 0x6d617069u /* "ipam" */

struct ipam_hdr {
	uint32_t magic;
	uint32_t cursor; /* next offset to try */
	uint32_t count;	 /* addresses handed out */
	uint32_t size;	 /* addresses in the subnet */
};

static int read_hdr(int fd, struct ipam_hdr *h, struct err *e)
{
	ssize_t r = pread(fd, h, sizeof(*h), 0);
	if (r < 0)
		return err_sys(e, errno, "read address allocator");
	if (r == 0) {
		memset(h, 0, sizeof(*h));
		return 0;
	}
	if (r != sizeof(*h) || h->magic != IPAM_MAGIC)
		return err_msg(e, EINVAL, "address allocator: corrupt header");
	return 0;
}

static int write_at(int fd, const void *buf, size_t len, off_t off, struct err *e)
{
	ssize_t w = pwrite(fd, buf, len, off);
	if (w < 0)
		return err_sys(e, errno, "write address allocator");
	if ((size_t)w != len)
		return err_msg(e, EIO, "write address allocator: short write");
	return 0;
}

int ipam_open(const char *path, const struct cidr *subnet, struct err *e)
{
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_sys(e, errno, "open address allocator %s", path);
	if (flock(fd, LOCK_EX) < 0)
		return err_sys(e, errno, "lock address allocator %s", path);
	struct ipam_hdr h;
	int r = read_hdr(fd, &h, e);
	if (r < 0)
		return err_prefix(e, "%s", path);
	if (h.magic == 0) {
		h = (struct ipam_hdr){IPAM_MAGIC, 2, 0, cidr_size(subnet)};
		if ((r = write_at(fd, &h, sizeof(h), 0, e)) < 0)
			return err_prefix(e, "%s", path);
	} else if (h.size != cidr_size(subnet)) {
		return err_msg(e, EINVAL, "address allocator %s: made for another subnet", path);
	}
	return steal_fd(&fd);
}

static int get_byte(int fd, uint32_t off, uint8_t *b, struct err *e)
{
	ssize_t r = pread(fd, b, 1, (off_t)(sizeof(struct ipam_hdr) + off / 8));
	if (r < 0)
		return err_sys(e, errno, "read address allocator");
	if (r == 0)
		*b = 0;
	return 0;
}

int ipam_alloc(int fd, const struct cidr *subnet, uint32_t *out, struct err *e)
{
	struct ipam_hdr h;
	int r = read_hdr(fd, &h, e);
	if (r < 0)
		return r;
	uint32_t size = h.size;
	/* Offsets 0 (network), 1 (gateway) and size-1 (broadcast) are never
	 * handed out. */
	uint32_t usable = size - 3;
	if (h.count >= usable) {
		char c[20];
		return err_msg(e, ENOSPC, "subnet %s: no free address (%u in use)",
			       cidr_format(subnet, c), h.count);
	}
	/* Read the bitmap in chunks from the cursor on; the first free bit
	 * wins.  With addresses released in roughly the order they were
	 * taken, that is the first byte read. */
	uint32_t off = h.cursor;
	uint8_t chunk[512];
	for (uint32_t seen = 0; seen < size;) {
		if (off < 2 || off >= size - 1) {
			seen += off >= size - 1 ? size - off : 2 - off;
			off = 2;
			continue;
		}
		uint32_t byte0 = off / 8;
		ssize_t n = pread(fd, chunk, sizeof(chunk), (off_t)(sizeof(h) + byte0));
		if (n < 0)
			return err_sys(e, errno, "read address allocator");
		for (; off < size - 1 && seen < size; off++, seen++) {
			uint32_t bi = off / 8 - byte0;
			if (bi >= sizeof(chunk))
				break;
			uint8_t byte = (ssize_t)bi < n ? chunk[bi] : 0;
			if (byte & (1u << (off % 8)))
				continue;
			byte |= (uint8_t)(1u << (off % 8));
			if ((r = write_at(fd, &byte, 1, (off_t)(sizeof(h) + off / 8), e)) < 0)
				return r;
			h.cursor = off + 1;
			h.count++;
			if ((r = write_at(fd, &h, sizeof(h), 0, e)) < 0)
				return r;
			*out = subnet->addr + off;
			return 0;
		}
	}
	char c[20];
	return err_msg(e, ENOSPC, "subnet %s: no free address", cidr_format(subnet, c));
}

int ipam_release(int fd, const struct cidr *subnet, uint32_t addr, struct err *e)
{
	struct ipam_hdr h;
	int r = read_hdr(fd, &h, e);
	if (r < 0)
		return r;
	if (!cidr_contains(subnet, addr))
		return 0;
	uint32_t off = addr - subnet->addr;
	uint8_t byte;
	if ((r = get_byte(fd, off, &byte, e)) < 0)
		return r;
	if (!(byte & (1u << (off % 8))))
		return 0;
	byte &= (uint8_t) ~(1u << (off % 8));
	if ((r = write_at(fd, &byte, 1, (off_t)(sizeof(h) + off / 8), e)) < 0)
		return r;
	if (h.count > 0)
		h.count--;
	return write_at(fd, &h, sizeof(h), 0, e);
}

int ipam_count(int fd, uint32_t *out, struct err *e)
{
	struct ipam_hdr h;
	int r = read_hdr(fd, &h, e);
	if (r < 0)
		return r;
	*out = h.count;
	return 0;
}
