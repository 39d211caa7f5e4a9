/* t_pspec: process/linux fields from config.json (core/process/pspec.c): capabilities by
 * name in five sets, rlimits, user extras, sysctl validation in runc's words. */
#include "t.h"
#include "process/pspec.h"
#include "buf.h"
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static char *buf;   /* spec_parse parses in place: the buffer lives until done() */

static void done(struct spec *s)
{
	spec_free(s);
	free(buf);
	buf = NULL;
}

static int load(struct spec *s, struct pspec *p, const char *json, struct err *e)
{
	char *b = buf = xstrdup(json);
	if (spec_parse(s, b, strlen(b), "/b", e) < 0)
		return -1;
	return pspec_load(p, s, e);
}

#define BASE "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"]"

int main(void)
{
	struct spec s;
	struct pspec p;
	struct err e;

	T_OK(pspec_cap_number("CAP_CHOWN") == 0, "CAP_CHOWN is 0");
	T_OK(pspec_cap_number("CAP_CHECKPOINT_RESTORE") == 40, "CAP_CHECKPOINT_RESTORE is 40");
	T_OK(pspec_cap_number("CHOWN") == -1 && pspec_cap_number("CAP_NOPE") == -1, "unknown names");
	T_OK(pspec_rlimit_number("RLIMIT_NOFILE") == RLIMIT_NOFILE, "RLIMIT_NOFILE");
	T_OK(pspec_rlimit_number("RLIMIT_X") == -1, "unknown rlimit");

	memset(&s, 0, sizeof s);
	T_OK(load(&s, &p, BASE ",\"env\":[\"A=1\",\"B=2\"],\"noNewPrivileges\":true,"
		 "\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_BOGUS\"],\"ambient\":[\"CAP_CHOWN\"]},"
		 "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":10,\"soft\":5}],"
		 "\"user\":{\"uid\":1,\"gid\":2,\"umask\":18,\"additionalGids\":[7,8]},\"oomScoreAdj\":-5,"
		 "\"consoleSize\":{\"height\":40,\"width\":120}},\"domainname\":\"d\","
		 "\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},\"personality\":{\"domain\":\"LINUX32\"}}}",
		 &e) == 0, "full process object loads");
	T_OK(p.nenv == 2 && !strcmp(p.env[1], "B=2") && !p.env[2], "env, NULL-terminated");
	T_OK(p.nnp == 1, "noNewPrivileges");
	T_OK(p.has_caps && p.caps[CAPSET_BOUNDING] == 1ull << 5, "bounding: CAP_KILL, unknown ignored");
	T_OK(p.caps[CAPSET_AMBIENT] == 1 && p.caps[CAPSET_EFFECTIVE] == 0, "ambient CAP_CHOWN, effective empty");
	T_OK(p.nrlimits == 1 && p.rlimits[0].hard == 10 && p.rlimits[0].soft == 5, "rlimit");
	T_OK(p.has_umask && p.umask == 18 && p.ngids == 2 && p.gids[1] == 8, "umask and additionalGids");
	T_OK(p.has_oom && p.oom_score_adj == -5, "oomScoreAdj");
	T_OK(p.console_h == 40 && p.console_w == 120, "consoleSize");
	T_OK(p.domainname && !strcmp(p.domainname, "d"), "domainname");
	T_OK(p.has_personality && p.personality == 8, "LINUX32 personality");
	T_OK(p.nsysctl == 1, "sysctl read");
	T_OK(pspec_sysctl_check(&p, &s, &e) < 0 &&
	     !strcmp(e.msg, "sysctl \"net.ipv4.ip_forward\" is not allowed in the hosts network namespace"),
	     "net.* without a network namespace: runc's words");
	pspec_free(&p);
	done(&s);

	memset(&s, 0, sizeof s);
	T_OK(load(&s, &p, BASE "},\"linux\":{\"namespaces\":[{\"type\":\"ipc\"},{\"type\":\"uts\"}],"
		 "\"sysctl\":{\"kernel.shmmax\":\"1\",\"fs.mqueue.msg_max\":\"9\",\"kernel.domainname\":\"x\"}}}", &e) == 0,
	     "ipc and uts sysctls load");
	T_OK(pspec_sysctl_check(&p, &s, &e) == 0, "allowed with ipc and uts namespaces");
	pspec_free(&p);
	done(&s);

	memset(&s, 0, sizeof s);
	T_OK(load(&s, &p, BASE "},\"linux\":{\"namespaces\":[{\"type\":\"uts\"}],"
		 "\"sysctl\":{\"vm.swappiness\":\"1\"}}}", &e) == 0, "vm sysctl loads");
	T_OK(pspec_sysctl_check(&p, &s, &e) < 0 &&
	     !strcmp(e.msg, "sysctl \"vm.swappiness\" is not in a separate kernel namespace"),
	     "other sysctls refused");
	pspec_free(&p);
	done(&s);

	memset(&s, 0, sizeof s);
	T_OK(load(&s, &p, BASE ",\"rlimits\":[{\"type\":\"RLIMIT_BOGUS\"}]}}", &e) < 0 &&
	     strstr(e.msg, ".process.rlimits[0].type") != NULL, "unknown rlimit names the field");
	done(&s);
	memset(&s, 0, sizeof s);
	T_OK(load(&s, &p, BASE ",\"capabilities\":{\"bounding\":[1]}}}", &e) < 0 &&
	     strstr(e.msg, "capabilities.bounding[0]") != NULL, "a non-string capability names the field");
	done(&s);
	return t_done();
}
