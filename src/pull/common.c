/* common.c — see common.h. */
#include "pull/common.h"

#include "base/error.h"
#include "base/fs.h"
#include "base/subid.h"
#include "base/userns.h"
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

int pull_open_store(int *argc, char **argv, struct store *s)
{
	const char *root = NULL;
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--storage") != 0)
			continue;
		if (i + 1 >= *argc) {
			fprintf(stderr, "capsa-pull: %s: --storage needs a directory\n", argv[0]);
			return 2;
		}
		root = argv[i + 1];
		memmove(&argv[i], &argv[i + 2], (size_t)(*argc - i - 1) * sizeof(char *));
		*argc -= 2;
		break;
	}
	struct err e = {0};
	char buf[4096];
	if (store_root_resolve(root, buf, sizeof(buf), &e) < 0 || store_open(s, buf, &e) < 0)
		return pull_fail(argv[0], &e);
	return 0;
}

const char *host_arch(void)
{
	static const struct {
		const char *uname, *oci;
	} map[] = {
	    {"x86_64", "amd64"}, {"aarch64", "arm64"},	 {"armv7l", "arm"},  {"i686", "386"},
	    {"i386", "386"},	 {"ppc64le", "ppc64le"}, {"s390x", "s390x"}, {"riscv64", "riscv64"},
	};
	struct utsname u;
	if (uname(&u) == 0)
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (!strcmp(u.machine, map[i].uname))
				return map[i].oci;
	return "amd64";
}

int pull_fail(const char *sub, const struct err *e)
{
	fprintf(stderr, "capsa-pull: %s: %s\n", sub, e->msg);
	return 1;
}

int pull_enter_userns(struct store *s, struct err *e)
{
	struct id_mapping m;
	id_mapping_current(&m);
	int r = store_idmap_check(s, &m, 1, e);
	return r < 0 ? r : userns_enter(&m, e);
}

int pull_is_rootless(void)
{
	/* Real root sees the identity map of every id; anything else is a
	 * user namespace of some user. */
	char buf[128];
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return geteuid() != 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return geteuid() != 0;
	buf[n] = '\0';
	unsigned a, b, c;
	if (sscanf(buf, "%u %u %u", &a, &b, &c) != 3)
		return 1;
	return !(geteuid() == 0 && a == 0 && b == 0 && c == 4294967295u);
}
