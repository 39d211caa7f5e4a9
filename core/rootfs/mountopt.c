/* mountopt: option lists -> flags (see mountopt.h). The flag table follows runc's
 * parseMountOptions; docs/rootfs.md lists it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include "rootfs/mountopt.h"
#include "buf.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef MS_LAZYTIME
#define MS_LAZYTIME (1 << 25)
#endif

struct flagopt {
	const char *name;
	int clear;               /* 1: the option clears the flag */
	unsigned long flag;
};

static const struct flagopt flagopts[] = {
	{ "async", 1, MS_SYNCHRONOUS },     { "atime", 1, MS_NOATIME },
	{ "bind", 0, MS_BIND },             { "defaults", 0, 0 },
	{ "dev", 1, MS_NODEV },             { "diratime", 1, MS_NODIRATIME },
	{ "dirsync", 0, MS_DIRSYNC },       { "exec", 1, MS_NOEXEC },
	{ "iversion", 0, MS_I_VERSION },    { "lazytime", 0, MS_LAZYTIME },
	{ "loud", 1, MS_SILENT },           { "mand", 0, MS_MANDLOCK },
	{ "noatime", 0, MS_NOATIME },       { "nodev", 0, MS_NODEV },
	{ "nodiratime", 0, MS_NODIRATIME }, { "noexec", 0, MS_NOEXEC },
	{ "noiversion", 1, MS_I_VERSION },  { "nolazytime", 1, MS_LAZYTIME },
	{ "nomand", 1, MS_MANDLOCK },       { "norelatime", 1, MS_RELATIME },
	{ "nostrictatime", 1, MS_STRICTATIME }, { "nosuid", 0, MS_NOSUID },
	{ "nosymfollow", 0, MS_NOSYMFOLLOW }, { "rbind", 0, MS_BIND | MS_REC },
	{ "relatime", 0, MS_RELATIME },     { "remount", 0, MS_REMOUNT },
	{ "ro", 0, MS_RDONLY },             { "rw", 1, MS_RDONLY },
	{ "silent", 0, MS_SILENT },         { "strictatime", 0, MS_STRICTATIME },
	{ "suid", 1, MS_NOSUID },           { "symfollow", 1, MS_NOSYMFOLLOW },
	{ "sync", 0, MS_SYNCHRONOUS },
};

static const struct flagopt propopts[] = {
	{ "private", 0, MS_PRIVATE },       { "rprivate", 0, MS_PRIVATE | MS_REC },
	{ "shared", 0, MS_SHARED },         { "rshared", 0, MS_SHARED | MS_REC },
	{ "slave", 0, MS_SLAVE },           { "rslave", 0, MS_SLAVE | MS_REC },
	{ "unbindable", 0, MS_UNBINDABLE }, { "runbindable", 0, MS_UNBINDABLE | MS_REC },
};

/* Recursive attributes (mount_setattr with AT_RECURSIVE): clear=1 clears the bit. An atime
 * entry (atime=1) replaces the whole atime field. */
static const struct {
	const char *name;
	int clear, atime;
	uint64_t attr;
} recopts[] = {
	{ "rro", 0, 0, MNTOPT_ATTR_RDONLY },           { "rrw", 1, 0, MNTOPT_ATTR_RDONLY },
	{ "rnosuid", 0, 0, MNTOPT_ATTR_NOSUID },       { "rsuid", 1, 0, MNTOPT_ATTR_NOSUID },
	{ "rnodev", 0, 0, MNTOPT_ATTR_NODEV },         { "rdev", 1, 0, MNTOPT_ATTR_NODEV },
	{ "rnoexec", 0, 0, MNTOPT_ATTR_NOEXEC },       { "rexec", 1, 0, MNTOPT_ATTR_NOEXEC },
	{ "rnodiratime", 0, 0, MNTOPT_ATTR_NODIRATIME }, { "rdiratime", 1, 0, MNTOPT_ATTR_NODIRATIME },
	{ "rrelatime", 0, 1, MNTOPT_ATTR_RELATIME },   { "rnorelatime", 1, 1, MNTOPT_ATTR_RELATIME },
	{ "rnoatime", 0, 1, MNTOPT_ATTR_NOATIME },     { "ratime", 1, 1, MNTOPT_ATTR_NOATIME },
	{ "rstrictatime", 0, 1, MNTOPT_ATTR_STRICTATIME },
	{ "rnostrictatime", 1, 1, MNTOPT_ATTR_STRICTATIME },
	{ "rnosymfollow", 0, 0, MNTOPT_ATTR_NOSYMFOLLOW }, { "rsymfollow", 1, 0, MNTOPT_ATTR_NOSYMFOLLOW },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int flag_opt(struct mountopt *o, const char *s)
{
	size_t i;
	for (i = 0; i < N(flagopts); i++) {
		if (strcmp(s, flagopts[i].name))
			continue;
		if (flagopts[i].clear) {
			o->flags &= ~flagopts[i].flag;
			o->clear |= flagopts[i].flag;
		} else {
			o->flags |= flagopts[i].flag;
			o->clear &= ~flagopts[i].flag;
		}
		return 1;
	}
	return 0;
}

static int rec_opt(struct mountopt *o, const char *s)
{
	size_t i;
	for (i = 0; i < N(recopts); i++) {
		if (strcmp(s, recopts[i].name))
			continue;
		if (recopts[i].atime) {
			/* The atime field is one value: a later option replaces an earlier one;
			 * the clearing forms leave it 0, which the kernel reads as relatime. */
			o->rec_set &= ~MNTOPT_ATTR__ATIME;
			o->rec_clr |= MNTOPT_ATTR__ATIME;
			if (!recopts[i].clear)
				o->rec_set |= recopts[i].attr;
			o->rec_atime = 1;
		} else if (recopts[i].clear) {
			o->rec_set &= ~recopts[i].attr;
			o->rec_clr |= recopts[i].attr;
		} else {
			o->rec_set |= recopts[i].attr;
			o->rec_clr &= ~recopts[i].attr;
		}
		return 1;
	}
	return 0;
}

void mountopt_parse(struct mountopt *o, const char *const *opts, size_t n)
{
	struct buf data = { 0 };
	size_t i, j;

	memset(o, 0, sizeof *o);
	for (i = 0; i < n; i++) {
		const char *s = opts[i];
		int done = 0;
		if (!s || !*s)
			continue;
		for (j = 0; j < N(propopts) && !done; j++)
			if (!strcmp(s, propopts[j].name)) {
				o->prop = propopts[j].flag;
				done = 1;
			}
		if (done || flag_opt(o, s) || rec_opt(o, s))
			continue;
		if (!strcmp(s, "tmpcopyup")) {
			o->tmpcopyup = 1;
			continue;
		}
		if (data.len)
			buf_add(&data, ",", 1);
		buf_add(&data, s, strlen(s));
	}
	o->data = buf_take(&data);
}

size_t mountopt_known(const char **out, size_t cap)
{
	size_t n = 0, i;
	for (i = 0; i < N(flagopts) && n < cap; i++)
		out[n++] = flagopts[i].name;
	for (i = 0; i < N(propopts) && n < cap; i++)
		out[n++] = propopts[i].name;
	for (i = 0; i < N(recopts) && n < cap; i++)
		out[n++] = recopts[i].name;
	if (n < cap)
		out[n++] = "tmpcopyup";
	return n;
}

void mountopt_free(struct mountopt *o)
{
	free(o->data);
	o->data = NULL;
}

unsigned long mountopt_propagation(const char *name, struct err *e)
{
	size_t j;
	for (j = 0; j < N(propopts); j++)
		if (!strcmp(name, propopts[j].name))
			return propopts[j].flag;
	err_set(e, EINVAL, "config.json: .linux.rootfsPropagation: invalid value \"%s\"", name);
	return 0;
}

uint64_t mountopt_ms_to_attr(unsigned long ms, int *atime)
{
	uint64_t a = 0;
	*atime = 0;
	if (ms & MS_RDONLY)
		a |= MNTOPT_ATTR_RDONLY;
	if (ms & MS_NOSUID)
		a |= MNTOPT_ATTR_NOSUID;
	if (ms & MS_NODEV)
		a |= MNTOPT_ATTR_NODEV;
	if (ms & MS_NOEXEC)
		a |= MNTOPT_ATTR_NOEXEC;
	if (ms & MS_NODIRATIME)
		a |= MNTOPT_ATTR_NODIRATIME;
	if (ms & MS_NOSYMFOLLOW)
		a |= MNTOPT_ATTR_NOSYMFOLLOW;
	if (ms & MS_NOATIME) {
		a |= MNTOPT_ATTR_NOATIME;
		*atime = 1;
	} else if (ms & MS_STRICTATIME) {
		a |= MNTOPT_ATTR_STRICTATIME;
		*atime = 1;
	} else if (ms & MS_RELATIME) {
		*atime = 1;
	}
	return a;
}
