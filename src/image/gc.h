/* gc.h — removing what nothing references (rmi, image prune).
 *
 * Kept: every image's config and manifest blobs and the blobs its
 * manifest lists; every image's layers; the layers of every container
 * that has a root filesystem (containers/<id>/image, written by
 * rootfs_prepare).  Removed: everything else in blobs/ and layers/, and
 * temporary files and directories whose writer is gone (each writer
 * holds a flock on its temporary, so a live one is never touched), and
 * the trash (trash.h), counted with the temporaries.
 * Call with store_lock held and the index `x` just saved.
 */
#ifndef CAPSA_IMAGE_GC_H
#define CAPSA_IMAGE_GC_H

#include <stddef.h>
#include <stdint.h>

struct err;
struct image_index;
struct store;

struct gc_stats {
	size_t layers, blobs, temps;
	uint64_t bytes; /* unpacked layer bytes (layer.json) + blob sizes */
};

int store_gc(struct store *s, const struct image_index *x, struct gc_stats *st, struct err *e);

/* 1 if a container's root filesystem uses a layer of image `id`'s
 * layers (containers/<cid>/image holds the image ID), 0 if not; the
 * first such container's ID goes to `cid` (65 bytes). */
int store_image_in_use(struct store *s, const char *id, char *cid, size_t len);

#endif
