/* features.c — `capsa oci features`: what this runtime implements, in
 * the runtime-spec features document format.  Every list is built from
 * the same tables the parser uses, so it cannot drift from the code. */
#include "base/json.h"
#include "cli/commands.h"
#include "cli/oci/oci.h"
#include "runtime/caps.h"
#include "runtime/spec.h"

#include <sched.h>
#include <seccomp.h>
#include <stdio.h>

static json_object *strs(const char *const *v, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *seccomp_features(void)
{
	static const char *const actions[] = {
	    "SCMP_ACT_ALLOW",	     "SCMP_ACT_ERRNO",	     "SCMP_ACT_KILL",
	    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
	    "SCMP_ACT_NOTIFY",	     "SCMP_ACT_TRACE",	     "SCMP_ACT_TRAP"};
	static const char *const ops[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
					  "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
					  "SCMP_CMP_NE"};
	static const char *const archs[] = {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
					    "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64"};
	static const char *const flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
					    "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
	json_object *s = json_object_new_object();
	json_object_object_add(s, "enabled", json_object_new_boolean(1));
	json_object_object_add(s, "actions", strs(actions, sizeof(actions) / sizeof(*actions)));
	json_object_object_add(s, "operators", strs(ops, sizeof(ops) / sizeof(*ops)));
	json_object_object_add(s, "archs", strs(archs, sizeof(archs) / sizeof(*archs)));
	json_object_object_add(s, "knownFlags", strs(flags, sizeof(flags) / sizeof(*flags)));
	json_object_object_add(s, "supportedFlags", strs(flags, sizeof(flags) / sizeof(*flags)));
	return s;
}

static json_object *disabled(void)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "enabled", json_object_new_boolean(0));
	return o;
}

int oci_cmd_features(struct oci_global *g, int argc, char **argv)
{
	if (oci_wants_help(argc, argv)) {
		puts("usage: capsa oci features\n\nPrint what this runtime implements as the "
		     "runtime-spec features JSON.");
		return 0;
	}
	static const char *const hooks[] = {"prestart",	      "createRuntime", "createContainer",
					    "startContainer", "poststart",     "poststop"};
	static const int ns[] = {CLONE_NEWCGROUP, CLONE_NEWIPC,	 CLONE_NEWNS,  CLONE_NEWNET,
				 CLONE_NEWPID,	  CLONE_NEWUSER, CLONE_NEWUTS, CLONE_NEWTIME};
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
	json_object_object_add(o, "ociVersionMax", json_object_new_string("1.2.0"));
	json_object_object_add(o, "hooks", strs(hooks, 6));
	size_t nopt = 0;
	while (spec_mount_options[nopt])
		nopt++;
	json_object_object_add(o, "mountOptions",
			       strs((const char *const *)spec_mount_options, nopt));
	json_object *lx = json_object_new_object();
	json_object *nsa = json_object_new_array();
	for (size_t i = 0; i < sizeof(ns) / sizeof(*ns); i++)
		json_object_array_add(nsa, json_object_new_string(spec_ns_name(ns[i])));
	json_object_object_add(lx, "namespaces", nsa);
	json_object *caps = json_object_new_array();
	int last = caps_last_cap();
	for (int i = 0; i <= last && spec_cap_name(i); i++)
		json_object_array_add(caps, json_object_new_string(spec_cap_name(i)));
	json_object_object_add(lx, "capabilities", caps);
	json_object *cg = json_object_new_object();
	/* Both, and hybrid hosts (runtime/cgroup.h); no systemd manager: the
	 * systemd cgroupsPath form is mapped to a cgroupfs path. */
	json_object_object_add(cg, "v1", json_object_new_boolean(1));
	json_object_object_add(cg, "v2", json_object_new_boolean(1));
	json_object_object_add(cg, "systemd", json_object_new_boolean(0));
	json_object_object_add(cg, "systemdUser", json_object_new_boolean(0));
	json_object_object_add(cg, "rdma", json_object_new_boolean(0));
	json_object_object_add(lx, "cgroup", cg);
	json_object_object_add(lx, "seccomp", seccomp_features());
	json_object_object_add(lx, "apparmor", disabled());
	json_object_object_add(lx, "selinux", disabled());
	json_object_object_add(lx, "intelRdt", disabled());
	json_object *mx = json_object_new_object();
	json_object_object_add(mx, "idmap", disabled());
	json_object_object_add(lx, "mountExtensions", mx);
	json_object_object_add(o, "linux", lx);
	json_object *an = json_object_new_object();
	json_object_object_add(an, "org.capsa.version", json_object_new_string(CAPSA_VERSION));
	const struct scmp_version *v = seccomp_version();
	char ver[32] = "";
	if (v)
		snprintf(ver, sizeof(ver), "%u.%u.%u", v->major, v->minor, v->micro);
	json_object_object_add(an, "io.github.seccomp.libseccomp.version",
			       json_object_new_string(ver));
	json_object_object_add(o, "annotations", an);
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	(void)g;
	return 0;
}
