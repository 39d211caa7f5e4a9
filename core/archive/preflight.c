/* preflight: image-specific restore checks for `crbox check`. */
#include "archive/preflight.h"
#include "archive/archive.h"
#include "archive/host.h"
#include "buf.h"
#include "criu.h"
#include "fmt.h"
#include "fsutil.h"
#include "image.h"
#include "spec.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

void pf_add(struct pf *r, int st, const char *name, const char *hint, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	struct pf_row *w;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	w = &r->v[r->n++];
	w->st = st;
	w->name = xstrdup(name);
	w->detail = b.p ? buf_take(&b) : xstrdup("");
	w->hint = hint && *hint ? xstrdup(hint) : NULL;
	if (st == PF_FAIL)
		r->fails++;
}

void pf_free(struct pf *r)
{
	size_t i;
	for (i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].detail);
		free(r->v[i].hint);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* The CRIU version that wrote the images: the manifest's, else dump.log's "Version: x.y.z". */
static int image_criu(int imgfd, const struct manifest *m, char *out, size_t cap)
{
	struct buf b = BUF_INIT;
	char *p, *log;
	int maj, min, sub = 0, num = 0;

	if (m && m->criu_num > 0) {
		fmt_sn(out, cap, "%s", m->criu ? m->criu : "?");
		return (int)m->criu_num;
	}
	log = fmt_alloc("/proc/self/fd/%d/dump.log", imgfd);
	if (fs_read_file(log, 1 << 20, &b, &(struct err){ 0 }) == 0 &&
	    (p = strstr(b.p, "Version: "))) {
		char *q;
		maj = (int)strtol(p + 9, &q, 10);
		if (*q == '.') {
			min = (int)strtol(q + 1, &q, 10);
			if (*q == '.')
				sub = (int)strtol(q + 1, &q, 10);
			num = maj * 10000 + min * 100 + sub;
			fmt_sn(out, cap, "%d.%d.%d", maj, min, sub);
		}
	}
	free(log);
	buf_free(&b);
	return num;
}

static void check_criu(struct pf *r, const struct pf_in *in, int imgfd,
		       const struct manifest *m)
{
	struct swrk_version v;
	struct err e;
	char iv[64] = "";
	int inum;

	if (swrk_version(in->criu, &v, &e) < 0) {
		pf_add(r, PF_FAIL, "criu version", "install CRIU 3.15 or later", "%s", e.msg);
		return;
	}
	if (swrk_version_require(&v, SWRK_MIN_VERSION, NULL, &e) < 0) {
		pf_add(r, PF_FAIL, "criu version", "upgrade CRIU", "%s", e.msg);
		return;
	}
	inum = image_criu(imgfd, m, iv, sizeof iv);
	if (!inum)
		pf_add(r, PF_OK, "criu version", NULL, "%d.%d.%d here; the image does not say which "
		       "CRIU wrote it", v.major, v.minor, v.sublevel);
	else if (v.num / 100 < inum / 100)
		pf_add(r, PF_FAIL, "criu version", "install the CRIU that made the checkpoint or a "
		       "newer one", "%d.%d.%d here is older than %s, which wrote the images",
		       v.major, v.minor, v.sublevel, iv);
	else
		pf_add(r, PF_OK, "criu version", NULL, "%d.%d.%d here; images written by %s",
		       v.major, v.minor, v.sublevel, iv);
}

static void check_cpu(struct pf *r, const struct pf_in *in, int imgfd)
{
	struct err e;
	char tmpl[] = "/tmp/crbox-check-XXXXXX";
	int wfd;

	if (faccessat(imgfd, CPUINFO_IMG, F_OK, 0) < 0) {
		pf_add(r, PF_WARN, "cpu", "CRIU compares CPUs itself during the restore",
		       "the checkpoint holds no cpuinfo.img (not compared)");
		return;
	}
	if (!mkdtemp(tmpl)) {
		pf_add(r, PF_WARN, "cpu", NULL, "cannot make a work dir for CPUINFO_CHECK");
		return;
	}
	wfd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (wfd >= 0 && host_cpuinfo(in->criu, imgfd, wfd, 1, &e) == 0)
		pf_add(r, PF_OK, "cpu", NULL, "CRIU's CPUINFO_CHECK accepts this CPU");
	else
		pf_add(r, PF_FAIL, "cpu", "restore on a host with a compatible CPU",
		       "%s", wfd < 0 ? "cannot open the work dir" : e.msg);
	if (wfd >= 0)
		close(wfd);
	fs_rm_rf_at(AT_FDCWD, tmpl, &e);
}

static void check_host(struct pf *r, const struct manifest *m)
{
	struct utsname u;
	const char *cg = host_cgroup_layout();

	if (m && m->kernel && uname(&u) == 0)
		pf_add(r, strcmp(u.release, m->kernel) ? PF_WARN : PF_OK, "kernel",
		       strcmp(u.release, m->kernel) ? "a different kernel may lack what the image uses"
						    : NULL,
		       "%s here; checkpoint made on %s", u.release, m->kernel);
	if (m && m->arch && uname(&u) == 0 && strcmp(u.machine, m->arch))
		pf_add(r, PF_FAIL, "machine", "restore on the same architecture",
		       "%s here; checkpoint made on %s", u.machine, m->arch);
	if (m && m->cgroup)
		pf_add(r, strcmp(cg, m->cgroup) ? PF_WARN : PF_OK, "cgroup layout",
		       strcmp(cg, m->cgroup) ? "try --manage-cgroups-mode ignore" : NULL,
		       "%s here; checkpoint made on %s", cg, m->cgroup);
	else
		pf_add(r, PF_OK, "cgroup layout", NULL, "%s here (the checkpoint does not say)", cg);
}

static void check_config(struct pf *r, const struct pf_in *in, const char *archive_config,
			 int podman)
{
	struct spec s;
	struct err e;
	char cwd[4096];
	char *bundle, *cfg, *buf = NULL;
	size_t i;
	int rc, bad = 0;

	if (!getcwd(cwd, sizeof cwd))
		cwd[0] = 0;
	bundle = in->bundle && *in->bundle ? (in->bundle[0] == '/' ? fs_clean(in->bundle)
								   : fs_join(cwd, in->bundle))
					    : xstrdup(cwd);
	cfg = fmt_alloc("%s/config.json", bundle);
	memset(&s, 0, sizeof s);
	if (access(cfg, F_OK) == 0) {
		podman = 0;      /* the bundle's own config: used as it is */
		rc = spec_load(&s, bundle, &e);
	} else if (archive_config) {
		buf = fs_read_str(archive_config, 4u << 20, &e);
		rc = buf ? spec_parse(&s, buf, strlen(buf), bundle, &e) : -1;
	} else {
		pf_add(r, PF_FAIL, "config", "pass --bundle with the container's config.json",
		       "no %s and no config in the checkpoint", cfg);
		goto out;
	}
	if (rc < 0) {
		pf_add(r, PF_FAIL, "config", NULL, "%s", e.msg);
		goto out;
	}
	for (i = 0; i < s.nmounts; i++) {
		const struct spec_mount *mt = &s.mounts[i];
		struct stat sb;
		if (!mt->bind || stat(mt->source, &sb) == 0)
			continue;
		if (podman) {
			pf_add(r, PF_WARN, "bind mount", "restore makes a stand-in in the bundle",
			       "Podman's source %s of the mount at %s is missing", mt->source,
			       mt->destination);
			continue;
		}
		pf_add(r, PF_FAIL, "bind mount", "create the source or edit config.json",
		       "source %s of the mount at %s is missing", mt->source, mt->destination);
		bad = 1;
	}
	if (!bad)
		pf_add(r, PF_OK, "bind mounts", NULL, "every bind source exists%s",
		       podman ? " or gets a stand-in" : "");
	if (podman) {
		char *rootfs = fmt_alloc("%s/rootfs", bundle);
		if (access(rootfs, F_OK) < 0)
			pf_add(r, PF_FAIL, "rootfs", "put the image's files there first",
			       "%s is missing (a Podman archive holds only the changes)", rootfs);
		else
			pf_add(r, PF_OK, "rootfs", NULL, "%s present; the archive's changes go on it",
			       rootfs);
		free(rootfs);
	}
	bad = 0;
	for (i = 0; i < s.nnamespaces; i++) {
		const struct spec_ns *ns = &s.namespaces[i];
		if (!ns->path || access(ns->path, F_OK) == 0)
			continue;
		pf_add(r, PF_FAIL, "namespace", "create it or drop the path from config.json",
		       "%s namespace path %s does not exist", ns->type, ns->path);
		bad = 1;
	}
	if (!bad)
		pf_add(r, PF_OK, "namespaces", NULL, "every namespace path exists");
out:
	spec_free(&s);
	free(buf);
	free(bundle);
	free(cfg);
}

/* Kernel features that images of a kind need: the image file prefix, what to look for. */
static const struct {
	const char *prefix, *what, *path;
} kfeat[] = {
	{ "timens-", "time namespaces", "/proc/self/ns/time" },
	{ "netdev-", "network namespaces (a saved one)", "/proc/self/ns/net" },
	{ "userns-", "user namespaces", "/proc/self/ns/user" },
	{ "seccomp.img", "seccomp filters", "/proc/sys/kernel/seccomp/actions_avail" },
	{ "tty-info", "pseudo-terminals", "/dev/ptmx" },
};

static void check_kernel_features(struct pf *r, int imgfd)
{
	DIR *d = fdopendir(dup(imgfd));
	struct dirent *de;
	unsigned need = 0, i, missing = 0;
	struct buf have = BUF_INIT;

	if (d)
		rewinddir(d);   /* a dup shares the offset of earlier reads */
	while (d && (de = readdir(d)))
		for (i = 0; i < sizeof kfeat / sizeof kfeat[0]; i++)
			if (!strncmp(de->d_name, kfeat[i].prefix, strlen(kfeat[i].prefix)))
				need |= 1u << i;
	if (d)
		closedir(d);
	for (i = 0; i < sizeof kfeat / sizeof kfeat[0]; i++) {
		if (!(need & 1u << i))
			continue;
		if (access(kfeat[i].path, F_OK) < 0) {
			pf_add(r, PF_FAIL, "kernel feature", "restore on a kernel that has it",
			       "the image uses %s; %s is missing here", kfeat[i].what, kfeat[i].path);
			missing++;
		} else {
			buf_addf(&have, "%s%s", have.len ? ", " : "", kfeat[i].what);
		}
	}
	if (!missing)
		pf_add(r, PF_OK, "kernel features", NULL, "%s", have.len ? have.p :
		       "the image needs nothing special");
	buf_free(&have);
}

/* Bytes of page data in pages-*.img against MemAvailable. */
static void check_memory(struct pf *r, int imgfd)
{
	DIR *d = fdopendir(dup(imgfd));
	struct dirent *de;
	struct stat sb;
	unsigned long long pages = 0, avail = 0;
	struct buf b = BUF_INIT;
	char *p;

	if (d)
		rewinddir(d);   /* a dup shares the offset of earlier reads */
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "pages-", 6) &&
		    fstatat(imgfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0)
			pages += (unsigned long long)sb.st_size;
	if (d)
		closedir(d);
	if (fs_read_file("/proc/meminfo", 1 << 16, &b, &(struct err){ 0 }) == 0 &&
	    (p = strstr(b.p, "MemAvailable:")))
		avail = strtoull(p + 13, NULL, 10) * 1024;
	buf_free(&b);
	if (!avail)
		pf_add(r, PF_WARN, "memory", NULL, "MemAvailable unknown; the image has %llu KiB "
		       "of pages", pages / 1024);
	else if (pages > avail)
		pf_add(r, PF_FAIL, "memory", "free memory or restore elsewhere",
		       "the image has %llu KiB of pages, %llu KiB available", pages / 1024,
		       avail / 1024);
	else
		pf_add(r, pages > avail / 10 * 8 ? PF_WARN : PF_OK, "memory", NULL,
		       "the image has %llu KiB of pages, %llu KiB available", pages / 1024,
		       avail / 1024);
}

int preflight_image(struct pf *r, const struct pf_in *in, struct err *e)
{
	struct archive_import im;
	const char *path = in->image_path;
	int imgfd, have_im = 0;

	memset(&im, 0, sizeof im);
	if (in->import) {
		char tmpl[] = "/tmp";
		if (archive_import(&im, in->import, tmpl, NULL, e) < 0) {
			pf_add(r, PF_FAIL, "archive", "the archive is damaged or was altered",
			       "%s", e->msg);
			return 0;
		}
		have_im = 1;
		pf_add(r, PF_OK, "archive", NULL, "%zu members verified against the manifest",
		       im.m.nfiles);
		path = im.image_path;
	}
	imgfd = image_open(path, e);
	if (imgfd < 0) {
		pf_add(r, PF_FAIL, "images", NULL, "%s", e->msg);
		goto out;
	}
	if (image_check(imgfd, 0, e) < 0)
		pf_add(r, PF_FAIL, "images", "the checkpoint is incomplete", "%s", e->msg);
	else
		pf_add(r, PF_OK, "images", NULL, "%s: every task's core and page images present",
		       in->import ? "archive" : path);
	check_criu(r, in, imgfd, have_im && im.kind == ARCHIVE_CRBOX ? &im.m : NULL);
	check_cpu(r, in, imgfd);
	check_host(r, have_im && im.kind == ARCHIVE_CRBOX ? &im.m : NULL);
	check_kernel_features(r, imgfd);
	check_config(r, in, have_im ? im.config : NULL, have_im && im.kind == ARCHIVE_PODMAN);
	check_memory(r, imgfd);
	close(imgfd);
out:
	if (have_im)
		archive_import_done(&im, 0);
	return 0;
}
