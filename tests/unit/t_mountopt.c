/* t_mountopt: OCI mount options -> flags, propagation, recursive attributes, data. */
#include <stdlib.h>
#include <sys/mount.h>
#include "t.h"
#include "rootfs/mountopt.h"

#define PARSE(o, ...) do { const char *v_[] = { __VA_ARGS__ };                    \
		mountopt_parse(&(o), v_, sizeof v_ / sizeof v_[0]); } while (0)

int main(void)
{
	struct mountopt o;
	struct err e;
	int at;

	PARSE(o, "nosuid", "noexec", "nodev", "strictatime", "mode=755", "size=65536k");
	T_INTEQ(o.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_STRICTATIME, "tmpfs flags");
	T_STREQ(o.data, "mode=755,size=65536k", "tmpfs data keeps order");
	T_INTEQ(o.prop, 0, "no propagation");
	mountopt_free(&o);

	PARSE(o, "rbind", "ro", "rprivate");
	T_INTEQ(o.flags, MS_BIND | MS_REC | MS_RDONLY, "rbind,ro");
	T_INTEQ(o.prop, MS_PRIVATE | MS_REC, "rprivate");
	T_STREQ(o.data, "", "no data");
	mountopt_free(&o);

	PARSE(o, "bind", "shared", "slave");
	T_INTEQ(o.flags, MS_BIND, "bind without rec");
	T_INTEQ(o.prop, MS_SLAVE, "the last propagation option wins");
	mountopt_free(&o);

	PARSE(o, "ro", "rw", "suid", "nosuid", "exec");
	T_INTEQ(o.flags, MS_NOSUID, "later options override earlier ones");
	T_INTEQ(o.clear, MS_RDONLY | MS_NOEXEC, "rw and exec are recorded as clears");
	mountopt_free(&o);

	PARSE(o, "rro", "rnosuid", "rnoatime", "rrelatime", "rnodev", "rdev");
	T_INTEQ(o.rec_set, MNTOPT_ATTR_RDONLY | MNTOPT_ATTR_NOSUID | MNTOPT_ATTR_RELATIME,
		"rro,rnosuid, last atime wins");
	T_INTEQ(o.rec_clr, MNTOPT_ATTR__ATIME | MNTOPT_ATTR_NODEV, "atime field and rdev cleared");
	T_OK(o.rec_atime, "recursive atime seen");
	T_INTEQ(o.flags, 0, "recursive options are not MS_ flags");
	mountopt_free(&o);

	PARSE(o, "newinstance", "", "ptmxmode=0666", "mode=0620", "gid=5", "nosuid", "noexec");
	T_STREQ(o.data, "newinstance,ptmxmode=0666,mode=0620,gid=5", "devpts data, empty skipped");
	mountopt_free(&o);

	PARSE(o, "tmpcopyup", "size=1m", "defaults");
	T_OK(o.tmpcopyup, "tmpcopyup");
	T_STREQ(o.data, "size=1m", "tmpcopyup and defaults not in data");
	mountopt_free(&o);

	mountopt_parse(&o, NULL, 0);
	T_STREQ(o.data, "", "no options");
	mountopt_free(&o);

	T_INTEQ(mountopt_propagation("rslave", &e), MS_SLAVE | MS_REC, "rootfsPropagation rslave");
	T_INTEQ(mountopt_propagation("unbindable", &e), MS_UNBINDABLE, "unbindable");
	T_INTEQ(mountopt_propagation("bogus", &e), 0, "bogus refused");
	T_STREQ(e.msg, "config.json: .linux.rootfsPropagation: invalid value \"bogus\"", "message");

	T_INTEQ(mountopt_ms_to_attr(MS_RDONLY | MS_NOSUID | MS_NOATIME, &at),
		MNTOPT_ATTR_RDONLY | MNTOPT_ATTR_NOSUID | MNTOPT_ATTR_NOATIME, "ms -> attr");
	T_OK(at, "noatime is an atime mode");
	T_INTEQ(mountopt_ms_to_attr(MS_NODEV, &at), MNTOPT_ATTR_NODEV, "nodev");
	T_OK(!at, "no atime mode");
	return t_done();
}
