/* rootfs_copy.h — the last-resort root filesystem: the layers copied
 * one over the other, applying overlayfs whiteouts (0/0 character
 * devices) and opaque directories, where no overlay can be mounted. */
#ifndef CAPSA_IMAGE_ROOTFS_COPY_H
#define CAPSA_IMAGE_ROOTFS_COPY_H

struct err;

/* `lowerdir` as overlayfs takes it ("top:…:bottom"); `target` an
 * existing directory. */
int rootfs_copy_layers(const char *lowerdir, const char *target, struct err *e);

#endif
