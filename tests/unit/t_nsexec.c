/* t_nsexec: ns_plan's rules in runc's words (core/ns/ns.c) and exec_look_path's Go
 * LookPath behaviour and messages (core/process/execve.c). No root needed. */
#include "t.h"
#include "ns/ns.h"
#include "process/execve.h"
#include "buf.h"
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *buf;

static int plan(const char *json, int *flags, int nsfd[SPEC_NS_N], struct err *e)
{
	struct spec s;
	struct pspec p;
	int i, rc;

	memset(&s, 0, sizeof s);
	buf = xstrdup(json);
	*flags = 0;
	for (i = 0; i < SPEC_NS_N; i++)
		nsfd[i] = -1;
	rc = spec_parse(&s, buf, strlen(buf), "/b", e);
	if (rc == 0)
		rc = pspec_load(&p, &s, e);
	if (rc == 0) {
		rc = ns_plan(&s, &p, flags, nsfd, e);
		pspec_free(&p);
	}
	for (i = 0; i < SPEC_NS_N; i++)
		if (nsfd[i] >= 0)
			close(nsfd[i]);
	spec_free(&s);
	free(buf);
	return rc;
}

#define H "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"]},"

int main(void)
{
	struct err e;
	int flags, nsfd[SPEC_NS_N];
	char *p;

	T_OK(plan(H "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"}]}}",
		  &flags, nsfd, &e) == 0, "new pid and mount, joined net");
	T_OK(flags == (CLONE_NEWPID | CLONE_NEWNS), "clone flags hold the new ones only");
	T_OK(plan(H "\"hostname\":\"h\",\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}", &flags, nsfd, &e) < 0 &&
	     !strcmp(e.msg, "unable to set hostname without a private UTS namespace"), "hostname needs uts");
	T_OK(plan(H "\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}}", &flags, nsfd, &e) < 0 &&
	     !strcmp(e.msg, "user namespace enabled, but no user mapping found in config"), "userns needs maps");
	T_OK(plan(H "\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/nonexistent/ns\"}]}}", &flags, nsfd, &e) < 0 &&
	     strstr(e.msg, "/nonexistent/ns") != NULL, "a missing namespace path is named");
	T_OK(plan(H "\"linux\":{\"namespaces\":[{\"type\":\"pid\"}],\"timeOffsets\":{\"boottime\":{\"secs\":1}}}}", &flags, nsfd, &e) < 0,
	     "time offsets need a time namespace");

	p = exec_look_path("sh", "/nonexistent:/bin", &e);
	T_OK(p && !strcmp(p, "/bin/sh"), "found along PATH");
	free(p);
	T_OK(!exec_look_path("nosuchcmd", "/bin", &e) &&
	     !strcmp(e.msg, "exec: \"nosuchcmd\": executable file not found in $PATH"), "Go's not-found text");
	T_OK(!exec_look_path("/etc", "/bin", &e) && !strcmp(e.msg, "exec: \"/etc\": permission denied"),
	     "a directory is permission denied");
	p = exec_look_path("/etc/hostname", "/bin", &e);
	T_OK(!p || access("/etc/hostname", X_OK) == 0, "a non-executable file is refused");
	free(p);
	T_OK(!exec_look_path("/nonexistent", NULL, &e) && strstr(e.msg, "stat /nonexistent") != NULL,
	     "a missing absolute path names the stat");
	T_OK(!exec_look_path("sh", NULL, &e), "no PATH: nothing found");
	{
		char *env[] = { "A=1", "HOME=/h", NULL };
		T_OK(exec_env_get(env, "HOME") && !strcmp(exec_env_get(env, "HOME"), "/h"), "env lookup");
		T_OK(!exec_env_get(env, "HOM"), "env lookup needs the whole key");
	}
	return t_done();
}
