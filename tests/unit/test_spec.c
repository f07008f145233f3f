/* test_spec.c — config.json parsing: a full realistic document, bundle
 * loading, and the exact message for each class of bad input.
 *
 * Small documents are written with single quotes to stay readable; q()
 * turns them into JSON.  The full document is
 * tests/fixtures/specs/full.json.  The name tables: test_spec_tables.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "base/fs.h"
#include "runtime/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define BIT(n) ((uint64_t)1 << (n))

/* Single quotes -> double quotes (no test document needs a literal '). */
static char *q(const char *s)
{
	char *d = strdup(s);
	assert_non_null(d);
	for (char *p = d; *p; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

static int parse_q(const char *doc, struct spec **s, struct err *e)
{
	char *j = q(doc);
	int r = spec_parse(j, "config.json", "/bundle", s, e);
	free(j);
	return r;
}

/* The fixture, found next to the test binary's source tree. */
static char *read_fixture(const char *name)
{
	char exe[PATH_MAX], path[PATH_MAX * 2];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *buf = NULL;
	struct err e = {0};
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		snprintf(path, sizeof(path), "%s/../../tests/fixtures/specs/%s", exe, name);
		if (read_file_at(AT_FDCWD, path, &buf, NULL, &e) == 0)
			return buf;
	}
	snprintf(path, sizeof(path), "tests/fixtures/specs/%s", name);
	if (read_file_at(AT_FDCWD, path, &buf, NULL, &e) < 0)
		fail_msg("fixture %s: %s", name, e.msg);
	return buf;
}

/* ---- the full document ---- */

static void check_process(const struct spec_process *p)
{
	assert_non_null(p);
	assert_false(p->terminal);
	assert_true(p->has_console_size);
	assert_int_equal(p->console_height, 25);
	assert_int_equal(p->console_width, 80);
	assert_int_equal(p->user.uid, 1000);
	assert_int_equal(p->user.gid, 1001);
	assert_true(p->user.has_umask);
	assert_int_equal(p->user.umask, 022);
	assert_int_equal(p->user.n_additional_gids, 2);
	assert_int_equal(p->user.additional_gids[1], 10);
	assert_int_equal(p->n_args, 3);
	assert_string_equal(p->args[2], "echo hi");
	assert_null(p->args[3]);
	assert_int_equal(p->n_env, 3);
	assert_string_equal(p->env[2], "EMPTY=");
	assert_null(p->env[3]);
	assert_string_equal(p->cwd, "/work");
	assert_true(p->has_caps);
	assert_int_equal(p->caps.bounding, BIT(CAP_CHOWN) | BIT(CAP_KILL) |
					       BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_SYS_ADMIN) |
					       BIT(CAP_CHECKPOINT_RESTORE));
	assert_int_equal(p->caps.effective, BIT(CAP_CHOWN) | BIT(CAP_KILL));
	assert_int_equal(p->caps.inheritable, 0);
	assert_int_equal(p->caps.permitted,
			 BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE));
	assert_int_equal(p->caps.ambient, BIT(CAP_NET_BIND_SERVICE));
	assert_int_equal(p->n_rlimits, 2);
	assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(p->rlimits[0].soft, 1024);
	assert_int_equal(p->rlimits[0].hard, 4096);
	assert_int_equal(p->rlimits[1].resource, RLIMIT_CORE);
	assert_true(p->rlimits[1].hard == UINT64_MAX);
	assert_true(p->no_new_privileges);
	assert_string_equal(p->apparmor_profile, "capsa-default");
	assert_true(p->has_oom_score_adj);
	assert_int_equal(p->oom_score_adj, -500);
	assert_string_equal(p->selinux_label, "system_u:system_r:svirt_lxc_net_t:s0:c124,c675");
	assert_true(p->has_io_priority);
	assert_int_equal(p->io_priority_class, 2);
	assert_int_equal(p->io_priority, 4);
	assert_true(p->has_scheduler);
	assert_int_equal(p->sched_policy, SCHED_BATCH);
	assert_int_equal(p->sched_nice, 5);
	assert_int_equal(p->sched_flags, 0x01 | 0x10);
}

static void check_mounts(const struct spec *s)
{
	assert_int_equal(s->n_mounts, 6);
	const struct spec_mount *m = s->mounts;
	assert_string_equal(m[0].destination, "/proc");
	assert_string_equal(m[0].type, "proc");
	assert_null(m[0].options);
	assert_null(m[0].data);
	assert_false(m[0].is_bind);

	assert_int_equal(m[1].flags, MS_NOSUID | MS_STRICTATIME);
	assert_string_equal(m[1].data, "mode=755,size=65536k");
	assert_int_equal(m[1].n_options, 4);

	/* rbind, ro, rprivate, nodev, rw, ro: the last ro wins over rw. */
	assert_true(m[2].is_bind);
	assert_true(m[2].recursive_bind);
	assert_int_equal(m[2].flags, MS_BIND | MS_REC | MS_RDONLY | MS_NODEV);
	assert_int_equal(m[2].clear_flags, 0);
	assert_int_equal(m[2].propagation, MS_PRIVATE | MS_REC);
	assert_null(m[2].data);

	/* No type, "bind": a plain bind; exec clears the earlier noexec. */
	assert_null(m[3].type);
	assert_true(m[3].is_bind);
	assert_false(m[3].recursive_bind);
	assert_int_equal(m[3].flags, MS_BIND);
	assert_int_equal(m[3].clear_flags, MS_NOEXEC);
	assert_int_equal(m[3].propagation, MS_SLAVE);

	assert_int_equal(m[4].n_uid_mappings, 1);
	assert_int_equal(m[4].uid_mappings[0].host_id, 100000);
	assert_int_equal(m[4].gid_mappings[0].host_id, 200000);
	assert_int_equal(m[4].gid_mappings[0].size, 65536);
	assert_null(m[4].data); /* idmap is understood, not data */

	assert_true(m[5].tmpcopyup);
	assert_false(m[5].is_bind);
	assert_int_equal(m[5].flags, MS_NOSYMFOLLOW | MS_NOATIME);
	assert_int_equal(m[5].clear_flags, 0);
	assert_string_equal(m[5].data, "mode=1777");
}

static void check_hooks(const struct spec_hooks *h)
{
	assert_int_equal(h->n[HOOK_PRESTART], 1);
	assert_string_equal(h->list[HOOK_PRESTART][0].path, "/usr/bin/fix-mounts");
	assert_string_equal(h->list[HOOK_PRESTART][0].args[1], "arg1");
	assert_null(h->list[HOOK_PRESTART][0].args[2]);
	assert_string_equal(h->list[HOOK_PRESTART][0].env[0], "key1=value1");
	assert_int_equal(h->list[HOOK_PRESTART][0].timeout, 5);
	assert_int_equal(h->n[HOOK_CREATE_RUNTIME], 2);
	assert_null(h->list[HOOK_CREATE_RUNTIME][0].args);
	assert_int_equal(h->list[HOOK_CREATE_RUNTIME][0].timeout, 0);
	assert_int_equal(h->list[HOOK_CREATE_RUNTIME][1].timeout, 1);
	assert_int_equal(h->n[HOOK_CREATE_CONTAINER], 0);
	assert_null(h->list[HOOK_START_CONTAINER]);
	assert_int_equal(h->n[HOOK_POSTSTOP], 1);
}

static void check_seccomp(const struct spec_seccomp *sc)
{
	assert_non_null(sc);
	assert_int_equal(sc->default_action, SCMP_ACT_ERRNO(38));
	assert_int_equal(sc->n_architectures, 3);
	assert_string_equal(sc->architectures[1], "SCMP_ARCH_X86");
	assert_int_equal(sc->n_flags, 1);
	assert_string_equal(sc->flags[0], "SECCOMP_FILTER_FLAG_LOG");
	assert_string_equal(sc->listener_path, "/run/seccomp-agent.sock");
	assert_string_equal(sc->listener_metadata, "meta");
	assert_int_equal(sc->n_rules, 8);
	const struct spec_seccomp_rule *r = sc->rules;
	assert_int_equal(r[0].n_names, 3);
	assert_string_equal(r[0].names[2], "exit_group");
	assert_int_equal(r[0].action, SCMP_ACT_ALLOW);
	assert_int_equal(r[1].n_args, 2);
	assert_int_equal(r[1].args[1].value, 8);
	assert_int_equal(r[1].args[1].op, SCMP_CMP_EQ);
	assert_int_equal(r[2].action, SCMP_ACT_ERRNO(EPERM)); /* no errnoRet: EPERM */
	assert_int_equal(r[3].action, SCMP_ACT_ERRNO(EACCES));
	assert_int_equal(r[4].action, SCMP_ACT_TRACE(7));
	assert_int_equal(r[5].action, SCMP_ACT_KILL_THREAD);
	assert_int_equal(r[6].action, SCMP_ACT_NOTIFY);
	assert_int_equal(r[7].action, SCMP_ACT_LOG);
	assert_int_equal(r[7].args[0].op, SCMP_CMP_MASKED_EQ);
	assert_int_equal(r[7].args[0].value, 2114060288);
}

static void check_linux(const struct spec_linux *l)
{
	assert_int_equal(l->n_namespaces, 8);
	assert_int_equal(l->ns_new, CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS |
					CLONE_NEWUSER | CLONE_NEWCGROUP | CLONE_NEWTIME);
	assert_int_equal(l->ns_join, CLONE_NEWNET);
	assert_int_equal(l->namespaces[1].type, CLONE_NEWNET);
	assert_string_equal(l->namespaces[1].path, "/var/run/netns/neta");
	assert_null(l->namespaces[0].path);
	assert_int_equal(l->n_uid_mappings, 1);
	assert_int_equal(l->uid_mappings[0].size, 32000);
	assert_int_equal(l->n_gid_mappings, 2);
	assert_int_equal(l->gid_mappings[0].host_id, 2000);
	assert_int_equal(l->gid_mappings[1].host_id, UINT32_MAX);
	assert_true(l->time_monotonic.set);
	assert_int_equal(l->time_monotonic.secs, 172800);
	assert_int_equal(l->time_boottime.secs, -3600);
	assert_int_equal(l->time_boottime.nanosecs, 500);
	assert_int_equal(l->n_devices, 3);
	assert_int_equal(l->devices[0].type, 'c');
	assert_int_equal(l->devices[0].major, 10);
	assert_int_equal(l->devices[0].minor, 229);
	assert_true(l->devices[0].has_mode && l->devices[0].has_uid && l->devices[0].has_gid);
	assert_int_equal(l->devices[0].mode, 0666);
	assert_int_equal(l->devices[1].type, 'b');
	assert_false(l->devices[1].has_mode);
	assert_int_equal(l->devices[2].type, 'p');
	assert_string_equal(l->cgroups_path, "/capsa/web-1");
	assert_non_null(l->resources);
	assert_true(json_object_is_type(l->resources, json_type_object));
	assert_int_equal(l->rootfs_propagation, MS_SLAVE | MS_REC);
	assert_int_equal(l->n_masked_paths, 2);
	assert_string_equal(l->readonly_paths[0], "/proc/sys");
	assert_int_equal(l->n_sysctl, 2);
	assert_true(l->has_personality);
	assert_int_equal(l->personality, PER_LINUX32 | ADDR_NO_RANDOMIZE);
	assert_non_null(l->resources);
	check_seccomp(l->seccomp);
}

static const char *sysctl_value(const struct spec_linux *l, const char *key)
{
	for (size_t i = 0; i < l->n_sysctl; i++)
		if (!strcmp(l->sysctl[i].key, key))
			return l->sysctl[i].value;
	return NULL;
}

static void test_full_config(void **state)
{
	char *text = read_fixture("full.json");
	struct spec *s = NULL;
	struct err e = {0};
	int r = spec_parse(text, "config.json", "/bundles/web", &s, &e);
	free(text);
	if (r < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(s->oci_version, "1.2.0");
	assert_string_equal(s->root_path, "/bundles/web/rootfs");
	assert_true(s->root_readonly);
	assert_string_equal(s->hostname, "web-1");
	assert_string_equal(s->domainname, "example.org");
	check_process(s->process);
	check_mounts(s);
	check_hooks(&s->hooks);
	assert_int_equal(s->n_annotations, 2);
	check_linux(&s->lnx);
	assert_string_equal(sysctl_value(&s->lnx, "net.ipv4.ip_forward"), "1");
	assert_string_equal(sysctl_value(&s->lnx, "net.core.somaxconn"), "256");
	spec_free(s);
}

/* ---- bad input: the message names the JSON path ---- */

/* A valid document around `process` and `linux` bodies. */
#define DOC(proc, lin)                                                                             \
	"{'root':{'path':'/r'},'process':{'args':['sh'],'cwd':'/'" proc "},'linux':{" lin "}"

static const struct {
	const char *doc, *msg;
} bad[] = {
    {DOC(",'args':['a','b',3]", "") "}",
     "config.json: process.args[2]: expected string, got number"},
    {DOC("", "'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'uts'},{'type':'foo'}]") "}",
     "config.json: linux.namespaces[3].type: unknown namespace type \"foo\""},
    {DOC("", "") ",'mounts':[{'destination':'/proc','type':'proc'},{'destination':'tmp'}]}",
     "config.json: mounts[1].destination: \"tmp\" must be an absolute path"},
    {DOC(",'capabilities':{'bounding':['CAP_FOO']}", "") "}",
     "config.json: process.capabilities.bounding[0]: unknown capability \"CAP_FOO\""},
    {DOC(",'capabilities':{'ambient':['CAP_KILL','CAP_']}", "") "}",
     "config.json: process.capabilities.ambient[1]: unknown capability \"CAP_\""},
    {DOC(",'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]", "") "}",
     "config.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\""},
    {DOC(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':10,'hard':5}]", "") "}",
     "config.json: process.rlimits[0]: soft limit 10 is above hard limit 5"},
    {DOC(",'rlimits':[{'type':'RLIMIT_CPU','soft':1,'hard':2},"
	 "{'type':'RLIMIT_CPU','soft':1,'hard':2}]",
	 "") "}",
     "config.json: process.rlimits[1].type: duplicate rlimit \"RLIMIT_CPU\""},
    {DOC(",'rlimits':[{'type':'RLIMIT_CPU','soft':1}]", "") "}",
     "config.json: process.rlimits[0].hard: missing (required)"},
    {DOC(",'rlimits':[{'type':'RLIMIT_CPU','soft':-1,'hard':2}]", "") "}",
     "config.json: process.rlimits[0].soft: -1 must not be negative"},
    {DOC(",'args':[]", "") "}", "config.json: process.args: must not be empty"},
    {"{'root':{'path':'/r'},'process':{'cwd':'/'}}",
     "config.json: process.args: missing (required)"},
    {DOC(",'cwd':'work'", "") "}", "config.json: process.cwd: \"work\" must be an absolute path"},
    {DOC(",'env':['A=1','NOEQUALS']", "") "}",
     "config.json: process.env[1]: \"NOEQUALS\" is not KEY=VALUE"},
    {DOC(",'user':{'gid':0}", "") "}", "config.json: process.user.uid: missing (required)"},
    {DOC(",'user':{'uid':1.5,'gid':0}", "") "}",
     "config.json: process.user.uid: expected an integer, got 1.5"},
    {DOC(",'user':{'uid':'root','gid':0}", "") "}",
     "config.json: process.user.uid: expected integer, got string"},
    {DOC(",'user':{'uid':4294967296,'gid':0}", "") "}",
     "config.json: process.user.uid: 4294967296 is out of range [0, 4294967295]"},
    {DOC(",'oomScoreAdj':1001", "") "}",
     "config.json: process.oomScoreAdj: 1001 is out of range [-1000, 1000]"},
    {DOC(",'ioPriority':{'class':'IOPRIO_CLASS_NONE'}", "") "}",
     "config.json: process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_NONE\""},
    {DOC(",'ioPriority':{'class':'IOPRIO_CLASS_RT','priority':8}", "") "}",
     "config.json: process.ioPriority.priority: 8 is out of range [0, 7]"},
    {DOC(",'scheduler':{'policy':'SCHED_FAST'}", "") "}",
     "config.json: process.scheduler.policy: unknown scheduler policy \"SCHED_FAST\""},
    {DOC(",'terminal':'yes'", "") "}",
     "config.json: process.terminal: expected boolean, got string"},
    {DOC("", "'namespaces':[{'type':'pid'},{'type':'pid'}]") "}",
     "config.json: linux.namespaces[1].type: duplicate namespace type \"pid\""},
    {DOC("", "'namespaces':[{'type':'network','path':'run/netns/x'}]") "}",
     "config.json: linux.namespaces[0].path: \"run/netns/x\" must be an absolute path"},
    {DOC("", "'namespaces':[{'path':'/x'}]") "}",
     "config.json: linux.namespaces[0].type: missing (required)"},
    {"{'root':{'path':'/r'},'hooks':{'prestart':[{'path':'/bin/h','timeout':0}]}}",
     "config.json: hooks.prestart[0].timeout: must be greater than 0, got 0"},
    {"{'root':{'path':'/r'},'hooks':{'poststop':[{'path':'/a'},{'path':'b'}]}}",
     "config.json: hooks.poststop[1].path: \"b\" must be an absolute path"},
    {"{'root':{'path':'/r'},'hooks':{'createRuntime':{}}}",
     "config.json: hooks.createRuntime: expected array, got object"},
    {DOC("", "'devices':[{'path':'/dev/x','type':'x','major':1,'minor':1}]") "}",
     "config.json: linux.devices[0].type: unknown device type \"x\" (c, b, u or p)"},
    {DOC("", "'devices':[{'path':'/dev/x','type':'c','major':1}]") "}",
     "config.json: linux.devices[0].minor: missing (required)"},
    {DOC("", "'devices':[{'path':'/dev/x','type':'u','major':1,'minor':2,'fileMode':4096}]") "}",
     "config.json: linux.devices[0].fileMode: 010000 is not a permission mode (at most 07777)"},
    {DOC("", "'devices':[{'path':'dev/x','type':'p'}]") "}",
     "config.json: linux.devices[0].path: \"dev/x\" must be an absolute path"},
    {DOC("", "'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':1,'size':0}]"
	     ",'gidMappings':[{'containerID':0,'hostID':1,'size':1}]") "}",
     "config.json: linux.uidMappings[0].size: must be greater than 0"},
    {DOC("", "'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':1,'size':1}]"
	     ",'gidMappings':[{'containerID':0,'hostID':4294967295,'size':2}]") "}",
     "config.json: linux.gidMappings[0].size: hostID 4294967295 + size 2 runs past the last "
     "id"},
    {DOC("", "'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':1,'size':"
	     "1}]") "}",
     "config.json: linux.gidMappings: required for a new user namespace"},
    {DOC("", "'uidMappings':[{'containerID':0,'hostID':1,'size':1}]") "}",
     "config.json: linux.uidMappings: given without a user namespace"},
    {DOC("", "'timeOffsets':{'monotonic':{'secs':1,'nanosecs':1000000000}}") "}",
     "config.json: linux.timeOffsets.monotonic.nanosecs: 1000000000 is out of range [0, "
     "999999999]"},
    {DOC("", "'timeOffsets':{'realtime':{'secs':1}}") "}",
     "config.json: linux.timeOffsets.realtime: unknown clock (monotonic or boottime)"},
    {DOC("", "'resources':[]") "}", "config.json: linux.resources: expected object, got array"},
    {DOC("", "'rootfsPropagation':'sideways'") "}",
     "config.json: linux.rootfsPropagation: unknown propagation \"sideways\""},
    {DOC("", "'maskedPaths':['/proc/kcore','proc/keys']") "}",
     "config.json: linux.maskedPaths[1]: \"proc/keys\" must be an absolute path"},
    {DOC("", "'sysctl':{'net.ipv4.ip_forward':1}") "}",
     "config.json: linux.sysctl.net.ipv4.ip_forward: expected string, got number"},
    {DOC("", "'personality':{'domain':'LINUX64'}") "}",
     "config.json: linux.personality.domain: unknown domain \"LINUX64\" (LINUX or LINUX32)"},
    {DOC("", "'seccomp':{}") "}", "config.json: linux.seccomp.defaultAction: missing (required)"},
    {DOC("", "'seccomp':{'defaultAction':'SCMP_ACT_DIE'}") "}",
     "config.json: linux.seccomp.defaultAction: unknown action \"SCMP_ACT_DIE\""},
    {DOC("", "'seccomp':{'defaultAction':'ALLOW'}") "}",
     "config.json: linux.seccomp.defaultAction: unknown action \"ALLOW\""},
    {DOC("", "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_Z80']}") "}",
     "config.json: linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_Z80\""},
    {DOC("", "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_FAST']"
	     "}") "}",
     "config.json: linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FAST\""},
    {DOC("", "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
	     "'action':'SCMP_ACT_ERRNO','args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]}") "}",
     "config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range [0, 5]"},
    {DOC("", "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
	     "'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':1,'op':'SCMP_CMP_ABOUT'}]}]"
	     "}") "}",
     "config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_ABOUT\""},
    {DOC("", "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':[],"
	     "'action':'SCMP_ACT_ERRNO'}]}") "}",
     "config.json: linux.seccomp.syscalls[0].names: must name at least one system call"},
    {DOC("", "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['mount'],"
	     "'action':'SCMP_ACT_NOTIFY'}]}") "}",
     "config.json: linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY"},
    {DOC("", "'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':70000}") "}",
     "config.json: linux.seccomp.defaultErrnoRet: 70000 is out of range [0, 65535]"},
    {"{'process':{'args':['sh'],'cwd':'/'}}", "config.json: root: missing (required)"},
    {"{'root':{'readonly':true}}", "config.json: root.path: missing (required)"},
    {"{'root':{'path':''}}", "config.json: root.path: must not be empty"},
    {"{'root':{'path':'/r'},'process':'sh'}", "config.json: process: expected object, got string"},
    {"{'root':{'path':'/r'},'mounts':{}}", "config.json: mounts: expected array, got object"},
    {"{'root':{'path':'/r'},'mounts':[{'type':'tmpfs'}]}",
     "config.json: mounts[0].destination: missing (required)"},
    {"{'root':{'path':'/r'},'mounts':[{'destination':'/x','uidMappings':"
     "[{'containerID':0,'hostID':1,'size':1}]}]}",
     "config.json: mounts[0]: uidMappings and gidMappings must be given together"},
    {"{'root':{'path':'/r'},'annotations':{'a':'b','c':true}}",
     "config.json: annotations.c: expected string, got boolean"},
    {"{'root':{'path':'/r'},'hostname':'h'}", "config.json: hostname: needs a UTS namespace"},
    {"{'root':{'path':'/r'},'hostname':'0123456789012345678901234567890123456789012345678901"
     "2345678901234','linux':{'namespaces':[{'type':'uts'}]}}",
     "config.json: hostname: "
     "\"01234567890123456789012345678901234567890123456789012345678901234\""
     " is longer than 64 bytes"},
    {"[]", "config.json: expected object, got array"},
    {"null", "config.json: expected object, got null"},
};

static void test_bad_input(void **state)
{
	int failures = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct spec *s = (struct spec *)1;
		struct err e = {0};
		int r = parse_q(bad[i].doc, &s, &e);
		if (r != -EINVAL || s != NULL || strcmp(e.msg, bad[i].msg) != 0) {
			print_error("case %zu: %s\n  want: %s\n  got:  %s (r=%d)\n", i, bad[i].doc,
				    bad[i].msg, e.msg, r);
			failures++;
			if (r == 0)
				spec_free(s);
		}
	}
	assert_int_equal(failures, 0);
}

static void expect_invalid_json(const char *text, const char *where)
{
	struct spec *s = NULL;
	struct err e = {0};
	assert_int_equal(spec_parse(text, "config.json", NULL, &s, &e), -EINVAL);
	assert_null(s);
	const char *prefix = "config.json: invalid JSON: ";
	if (strncmp(e.msg, prefix, strlen(prefix)) != 0 || !strstr(e.msg, where))
		fail_msg("want \"%s...%s\", got \"%s\"", prefix, where, e.msg);
}

static void test_malformed_json(void **state)
{
	expect_invalid_json("{\n  \"root\": {\"path\": \"/r\"},\n  \"hostname\": }\n", "line 3");
	expect_invalid_json("{\"root\": {\"path\": \"/r\",}}", "line 1, column");
	expect_invalid_json("{\"root\": {\"path\": \"/r\"}", "line 1");	   /* truncated */
	expect_invalid_json("{\"root\": {\"path\": \"/r\"}} x", "line 1"); /* trailing data */
	expect_invalid_json("", "line 1");
	expect_invalid_json("// comment\n{}", "line 1, column 1");
}

/* ---- what is accepted ---- */

static void test_unknown_fields_ignored(void **state)
{
	struct spec *s = NULL;
	struct err e = {0};
	int r = parse_q("{'ociVersion':'9.9.9','x-extra':{'deep':[1,2]},"
			"'root':{'path':'rootfs','shiny':true},"
			"'process':{'args':['sh'],'cwd':'/','newThing':[],"
			"'user':{'uid':0,'gid':0,'sid':'x'},'capabilities':{'magic':['CAP_X']}},"
			"'mounts':[{'destination':'/x','type':'tmpfs','flavour':'mint'}],"
			"'hooks':{'beforeTime':[{'path':'rel'}]},"
			"'linux':{'memoryPolicy':{'mode':'MPOL_BIND'},'netDevices':{},"
			"'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','future':1},"
			"'namespaces':[{'type':'pid','note':'x'}]},"
			"'windows':{'layerFolders':[]},'vm':{'kernel':{}}}",
			&s, &e);
	if (r < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(s->root_path, "/bundle/rootfs");
	assert_int_equal(s->lnx.ns_new, CLONE_NEWPID);
	assert_false(s->process->has_caps == false);
	assert_int_equal(s->process->caps.bounding, 0);
	spec_free(s);
}

static void test_minimal_and_nulls(void **state)
{
	struct spec *s = NULL;
	struct err e = {0};
	/* JSON null means "not set" everywhere. */
	int r = parse_q("{'root':{'path':'/abs/root'},'process':null,'linux':null,'hostname':null,"
			"'mounts':null,'hooks':null,'annotations':null}",
			&s, &e);
	if (r < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(s->root_path, "/abs/root"); /* absolute: untouched */
	assert_null(s->process);
	assert_null(s->hostname);
	assert_int_equal(s->n_mounts, 0);
	assert_int_equal(s->lnx.ns_new | s->lnx.ns_join, 0);
	assert_null(s->lnx.seccomp);
	assert_null(s->lnx.resources);
	spec_free(s);
}

static void test_root_path_forms(void **state)
{
	static const struct {
		const char *bundle, *path, *want;
	} cases[] = {
	    {"/b", "rootfs", "/b/rootfs"},
	    {"/b/", "./rootfs/", "/b/rootfs"},
	    {"/b", ".", "/b"},
	    {"/", "rootfs", "/rootfs"},
	    {"/b", "a/../c", "/b/a/../c"},
	    {"/b", "/abs", "/abs"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[256];
		snprintf(doc, sizeof(doc), "{\"root\":{\"path\":\"%s\"}}", cases[i].path);
		struct spec *s = NULL;
		struct err e = {0};
		if (spec_parse(doc, "config.json", cases[i].bundle, &s, &e) < 0)
			fail_msg("%s", e.msg);
		assert_string_equal(s->root_path, cases[i].want);
		spec_free(s);
	}
}

static void test_seccomp_actions(void **state)
{
	static const struct {
		const char *action;
		uint32_t want;
	} cases[] = {
	    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD},
	    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
	    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
	    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
	    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(EPERM)},
	    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(EPERM)},
	    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
	    {"SCMP_ACT_LOG", SCMP_ACT_LOG},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[256];
		snprintf(doc, sizeof(doc),
			 "{\"root\":{\"path\":\"/r\"},\"linux\":{\"seccomp\":"
			 "{\"defaultAction\":\"%s\"}}}",
			 cases[i].action);
		struct spec *s = NULL;
		struct err e = {0};
		if (spec_parse(doc, "config.json", NULL, &s, &e) < 0)
			fail_msg("%s: %s", cases[i].action, e.msg);
		assert_int_equal(s->lnx.seccomp->default_action, cases[i].want);
		spec_free(s);
	}
}

/* ---- a bare process object (exec --process) ---- */

static void test_parse_process(void **state)
{
	struct spec *s = NULL;
	struct err e = {0};
	assert_int_equal(parse_q("{'root':{'path':'/r'}}", &s, &e), 0);
	char *j = q("{'args':['ls','-l'],'cwd':'/tmp','env':['A=b'],'terminal':true,"
		    "'capabilities':{'effective':['CAP_KILL']}}");
	struct spec_process *p = NULL;
	assert_int_equal(spec_parse_process(s, j, strlen(j), "process.json", &p, &e), 0);
	memset(j, 0, strlen(j)); /* the result must not depend on the text */
	free(j);
	assert_string_equal(p->args[1], "-l");
	assert_string_equal(p->cwd, "/tmp");
	assert_string_equal(p->env[0], "A=b");
	assert_true(p->terminal);
	assert_int_equal(p->caps.effective, BIT(CAP_KILL));

	j = q("{'args':['ls', false],'cwd':'/'}");
	assert_int_equal(spec_parse_process(s, j, strlen(j), "process.json", &p, &e), -EINVAL);
	free(j);
	assert_null(p);
	assert_string_equal(e.msg, "process.json: args[1]: expected string, got boolean");

	assert_int_equal(spec_parse_process(s, "[1]", 3, "p.json", &p, &e), -EINVAL);
	assert_string_equal(e.msg, "p.json: expected object, got array");

	assert_int_equal(spec_parse_process(s, "{'args'", 7, "p.json", &p, &e), -EINVAL);
	assert_string_equal(e.msg,
			    "p.json: invalid JSON: unexpected character at line 1, column 2");
	spec_free(s);
}

/* The reader's rules as the spec sees them: a repeated key takes the
 * last value, strings arrive decoded, linux.resources reaches the cgroup
 * layer as the same JSON, and the spec outlives the text it came from. */
static void test_reader_semantics(void **state)
{
	char *j = q("{'root':{'path':'/a'},'root':{'path':'/b'},"
		    "'annotations':{'k':'v1','k2':'h\\u00e9','k':'v2'},"
		    "'linux':{'resources':{'memory':{'limit':1048576},"
		    "'devices':[{'allow':false,'access':'rwm'}]},"
		    "'intelRdt':{'closID':'c'}}}");
	struct spec *s = NULL;
	struct err e = {0};
	int r = spec_parse(j, "config.json", NULL, &s, &e);
	memset(j, 'x', strlen(j));
	free(j);
	if (r < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(s->root_path, "/b");
	assert_int_equal(s->n_annotations, 2);
	assert_string_equal(s->annotations[0].key, "k");
	assert_string_equal(s->annotations[0].value, "v2");
	assert_string_equal(s->annotations[1].key, "k2");
	assert_string_equal(s->annotations[1].value, "h\xc3\xa9");
	assert_non_null(s->lnx.resources);
	assert_string_equal(
	    json_object_to_json_string_ext(s->lnx.resources, JSON_C_TO_STRING_PLAIN),
	    "{\"memory\":{\"limit\":1048576},"
	    "\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}");
	spec_free(s);

	/* intelRdt is checked, not kept. */
	assert_int_equal(parse_q("{'root':{'path':'/r'},'linux':{'intelRdt':[]}}", &s, &e),
			 -EINVAL);
	assert_string_equal(e.msg, "config.json: linux.intelRdt: expected object, got array");
	/* Invalid UTF-8 in a string is a JSON error with its place. */
	r = spec_parse("{\"root\":{\"path\":\"/\xff\"}}", "config.json", NULL, &s, &e);
	assert_int_equal(r, -EINVAL);
	assert_string_equal(e.msg,
			    "config.json: invalid JSON: invalid UTF-8 in a string at line 1, "
			    "column 19");
}

/* ---- spec_load: files and directories ---- */

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_load(void **state)
{
	char dir[] = "/tmp/capsa-spec-XXXXXX", path[PATH_MAX], want[PATH_MAX * 2];
	assert_non_null(mkdtemp(dir));
	struct spec *s = (struct spec *)1;
	struct err e = {0};

	/* No config.json. */
	assert_int_equal(spec_load(dir, &s, &e), -ENOENT);
	assert_null(s);
	snprintf(want, sizeof(want), "open %s/config.json: no such file or directory", dir);
	assert_string_equal(e.msg, want);

	/* No rootfs. */
	snprintf(path, sizeof(path), "%s/config.json", dir);
	write_text(path, "{\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"],"
			 "\"cwd\":\"/\"}}");
	assert_int_equal(spec_load(dir, &s, &e), -ENOENT);
	snprintf(want, sizeof(want), "root.path %s/rootfs: no such file or directory", dir);
	assert_string_equal(e.msg, want);

	/* rootfs is a file. */
	snprintf(path, sizeof(path), "%s/rootfs", dir);
	write_text(path, "");
	assert_int_equal(spec_load(dir, &s, &e), -ENOTDIR);
	assert_int_equal(unlink(path), 0);

	/* Good, through a relative bundle path. */
	assert_int_equal(mkdir(path, 0755), 0);
	char cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir("/tmp"), 0);
	int r = spec_load(dir + strlen("/tmp/"), &s, &e);
	assert_int_equal(chdir(cwd), 0);
	if (r < 0)
		fail_msg("%s", e.msg);
	char real[PATH_MAX];
	assert_non_null(realpath(dir, real));
	snprintf(want, sizeof(want), "%s/rootfs", real);
	assert_string_equal(s->root_path, want);
	assert_string_equal(s->process->args[0], "sh");
	spec_free(s);

	/* Malformed. */
	snprintf(path, sizeof(path), "%s/config.json", dir);
	write_text(path, "{\n\"root\": {\"path\": \"rootfs\"\n");
	assert_int_equal(spec_load(dir, &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "config.json: invalid JSON: "));

	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/rootfs", dir);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* The engine's handoff: the document in memory, no config.json read (none
 * exists here); the same checks and messages as spec_load. */
static void test_load_buf(void **state)
{
	char dir[] = "/tmp/capsa-spec-XXXXXX", path[PATH_MAX], want[PATH_MAX * 2];
	assert_non_null(mkdtemp(dir));
	struct spec *s = (struct spec *)1;
	struct err e = {0};
	/* Only the first `len` bytes count: what follows is not JSON. */
	static const char text[] = "{\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":"
				   "[\"sh\",\"-c\"],\"cwd\":\"/\"}}garbage";
	size_t len = sizeof(text) - 1 - strlen("garbage");

	assert_int_equal(spec_load_buf(dir, text, len, &s, &e), -ENOENT);
	assert_null(s);
	snprintf(want, sizeof(want), "root.path %s/rootfs: no such file or directory", dir);
	assert_string_equal(e.msg, want);

	snprintf(path, sizeof(path), "%s/rootfs", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	int r = spec_load_buf(dir, text, len, &s, &e);
	if (r < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(s->root_path, path);
	assert_string_equal(s->process->args[1], "-c");
	spec_free(s);

	/* The whole buffer, garbage included: an error naming config.json. */
	assert_int_equal(spec_load_buf(dir, text, sizeof(text) - 1, &s, &e), -EINVAL);
	assert_null(s);
	assert_non_null(strstr(e.msg, "config.json"));

	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_config),	      cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_malformed_json),    cmocka_unit_test(test_unknown_fields_ignored),
	    cmocka_unit_test(test_minimal_and_nulls), cmocka_unit_test(test_root_path_forms),
	    cmocka_unit_test(test_seccomp_actions),   cmocka_unit_test(test_parse_process),
	    cmocka_unit_test(test_reader_semantics),  cmocka_unit_test(test_load),
	    cmocka_unit_test(test_load_buf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
