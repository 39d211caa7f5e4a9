/* t_archive: the archive room's building blocks: SHA-256 against the FIPS 180-2 / NIST
 * example vectors, the gzip inflater against streams made by gzip(1) at test time (stored,
 * fixed and dynamic blocks, several members) and against corrupt and truncated ones, and the
 * tar writer and strict reader (round trip, long names through pax, hostile names refused). */
#include "t.h"
#include "archive/bundle.h"
#include "archive/extract.h"
#include "archive/inflate.h"
#include "archive/manifest.h"
#include "archive/stats.h"
#include "archive/sha256.h"
#include "archive/tar.h"
#include "buf.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[256];

static void test_sha256(void)
{
	char hex[SHA256_HEX];
	struct sha256 s;
	char *a;
	int i;

	sha256_hex("", 0, hex);
	T_STREQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 empty");
	sha256_hex("abc", 3, hex);
	T_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 abc");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	T_STREQ(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		"sha256 448-bit message");
	a = malloc(1000000);
	memset(a, 'a', 1000000);
	sha256_init(&s);
	for (i = 0; i < 1000000; i += 7777)   /* odd chunks cross block boundaries */
		sha256_update(&s, a + i, 1000000 - i < 7777 ? (size_t)(1000000 - i) : 7777);
	sha256_final_hex(&s, hex);
	T_STREQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
		"sha256 one million 'a' in pieces");
	free(a);
}

struct mem {
	const unsigned char *p;
	size_t n, off, chunk;
};

static ssize_t mem_rd(void *ud, void *p, size_t n)
{
	struct mem *m = ud;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	if (n > m->n - m->off)
		n = m->n - m->off;
	memcpy(p, m->p + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

static int read_file(const char *path, struct buf *b)
{
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(b, chunk, (size_t)n);
	close(fd);
	return 0;
}

/* Inflates all of gz (pulling in `pull`-byte pieces); 0 and out filled, or -1 and e. */
static int inflate_all(const struct buf *gz, size_t chunk, size_t pull, struct buf *out,
		       struct err *e)
{
	struct mem m = { (const unsigned char *)gz->p, gz->len, 0, chunk };
	struct inflate *z = inflate_new(mem_rd, &m, "t.gz", NULL, 0);
	char *piece = malloc(pull);
	ssize_t n;
	while ((n = inflate_read(z, piece, pull, e)) > 0)
		buf_add(out, piece, (size_t)n);
	free(piece);
	inflate_free(z);
	return n < 0 ? -1 : 0;
}

static void test_inflate(void)
{
	struct buf plain = BUF_INIT, gz = BUF_INIT, out = BUF_INIT;
	char path[300], cmd[1200];
	struct err e;
	unsigned x = 12345;
	int fd, i, rc;

	/* Text-like runs, then pseudo-random bytes (stored blocks at -1), then zeros. */
	for (i = 0; i < 200000; i++) {
		x = x * 1103515245u + 12345u;
		buf_addc(&plain, i < 80000 ? "crbox moves checkpoints "[i % 24] :
				 i < 150000 ? (char)(x >> 16) : 0);
	}

	snprintf(path, sizeof path, "%s/plain", tmp);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	T_OK(fd >= 0 && write(fd, plain.p, plain.len) == (ssize_t)plain.len, "write plain data");
	close(fd);
	/* Two members: the whole file at -9, then again at -1; gzip -n keeps no name. */
	snprintf(cmd, sizeof cmd, "gzip -9 -c -n %s/plain > %s/t.gz && gzip -1 -c %s/plain >> %s/t.gz",
		 tmp, tmp, tmp, tmp);
	if (system(cmd) != 0) {
		printf("ok %d - # SKIP gzip(1) not available\n", ++t_n);
		buf_free(&plain);
		return;
	}
	snprintf(path, sizeof path, "%s/t.gz", tmp);
	read_file(path, &gz);
	rc = inflate_all(&gz, 0, 65536, &out, &e);
	T_OK(rc == 0, "gzip -9 + gzip -1 members inflate");
	if (rc)
		printf("#   %s\n", e.msg);
	T_OK(out.len == 2 * plain.len && !memcmp(out.p, plain.p, plain.len) &&
	     !memcmp(out.p + plain.len, plain.p, plain.len), "inflated bytes equal the input twice");
	buf_reset(&out);
	rc = inflate_all(&gz, 1, 3, &out, &e);
	T_OK(rc == 0 && out.len == 2 * plain.len, "byte-at-a-time input, 3-byte pulls");

	/* A flipped byte in the data: a decoding error or a CRC mismatch, never success. */
	gz.p[gz.len / 4] ^= 0x20;
	buf_reset(&out);
	rc = inflate_all(&gz, 0, 65536, &out, &e);
	T_OK(rc < 0 && strstr(e.msg, "t.gz: gzip: "), "a flipped byte is refused");
	gz.p[gz.len / 4] ^= 0x20;
	/* Truncated. */
	gz.len -= 5;
	buf_reset(&out);
	rc = inflate_all(&gz, 0, 65536, &out, &e);
	T_OK(rc < 0 && strstr(e.msg, "truncated"), "a truncated stream is refused");
	T_STREQ(e.msg, "t.gz: gzip: unexpected end of data (truncated)", "truncation message");
	gz.len = 0;
	buf_addc(&gz, 0x1f);
	buf_addc(&gz, 0x8c);
	buf_add(&gz, "12345678", 8);
	buf_reset(&out);
	rc = inflate_all(&gz, 0, 16, &out, &e);
	T_STREQ(e.msg, "t.gz: gzip: not in gzip format", "bad magic refused");
	/* Empty input. */
	gz.len = 0;
	rc = inflate_all(&gz, 0, 16, &out, &e);
	T_OK(rc < 0, "empty input is truncated");
	/* A known tiny stream: "hi\n" made by gzip -n (fixed Huffman block). */
	{
		static const unsigned char hi[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
						    0x00, 0x03, 0xcb, 0xc8, 0xe4, 0x02, 0x00, 0x7a,
						    0x7a, 0x6f, 0xed, 0x03, 0x00, 0x00, 0x00 };
		gz.len = 0;
		buf_add(&gz, hi, sizeof hi);
		buf_reset(&out);
		rc = inflate_all(&gz, 0, 16, &out, &e);
		T_OK(rc == 0 && out.len == 3 && !memcmp(out.p, "hi\n", 3), "committed vector: hi");
		T_INTEQ(crc32_update(0, "hi\n", 3), 0xed6f7a7a, "crc32 of hi");
	}
	buf_free(&plain);
	buf_free(&gz);
	buf_free(&out);

}

struct tbuf {
	struct buf b;
	size_t off;
};

static ssize_t tb_rd(void *ud, void *p, size_t n, struct err *e)
{
	struct tbuf *t = ud;
	if (n > t->b.len - t->off)
		n = t->b.len - t->off;
	memcpy(p, t->b.p + t->off, n);
	t->off += n;
	return (ssize_t)n;
}

static int tar_to_buf(struct tarw *w, struct buf *b)
{
	char path[300];
	snprintf(path, sizeof path, "%s/t.tar", tmp);
	return read_file(path, b);
}

static void test_tar(void)
{
	struct tbuf t = { BUF_INIT, 0 };
	struct tarw w;
	struct tarr r;
	struct tar_ent ent;
	struct err e;
	char path[300], hex[SHA256_HEX], longname[300], data[100];
	int src, rc;
	ssize_t n;

	snprintf(path, sizeof path, "%s/t.tar", tmp);
	w.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	w.off = 0;
	snprintf(path, sizeof path, "%s/src", tmp);
	src = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	T_OK(write(src, "0123456789", 10) == 10, "write src");
	lseek(src, 0, SEEK_SET);
	memset(longname, 'n', sizeof longname);
	memcpy(longname, "dir/", 4);
	longname[150] = 0;
	T_OK(tarw_dir(&w, "dir", 0755, 1, &e) == 0, "tarw_dir");
	T_OK(tarw_file(&w, "dir/ten", 0600, 10, 2, src, hex, &e) == 0, "tarw_file");
	T_STREQ(hex, "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882",
		"tarw_file hashes what it writes");
	T_OK(tarw_mem(&w, longname, 0644, "x", 1, 3, &e) == 0, "tarw_mem with a 150-byte name");
	T_OK(tarw_finish(&w, &e) == 0 && w.off % 512 == 0, "tarw_finish");
	close(w.fd);
	close(src);
	tar_to_buf(&w, &t.b);
	T_INTEQ(t.b.len, w.off, "all bytes written");

	tarr_init(&r, tb_rd, &t, "t.tar");
	rc = tarr_next(&r, &ent, &e);
	T_OK(rc == 1 && ent.type == TAR_DIR && !strcmp(ent.name, "dir"), "read dir (trailing / dropped)");
	rc = tarr_next(&r, &ent, &e);
	T_OK(rc == 1 && ent.type == TAR_FILE && !strcmp(ent.name, "dir/ten") && ent.size == 10 &&
	     ent.mode == 0600 && ent.mtime == 2, "read file header");
	n = tarr_read(&r, data, 4, &e);
	T_OK(n == 4 && !memcmp(data, "0123", 4), "read part of the data");
	rc = tarr_next(&r, &ent, &e);
	T_OK(rc == 1 && !strcmp(ent.name, longname) && ent.size == 1, "pax long name read back");
	rc = tarr_next(&r, &ent, &e);
	T_INTEQ(rc, 0, "end of archive");

	/* Corrupt checksum. */
	t.b.p[600] ^= 1;   /* inside the second header's name */
	t.off = 0;
	tarr_init(&r, tb_rd, &t, "t.tar");
	tarr_next(&r, &ent, &e);
	rc = tarr_next(&r, &ent, &e);
	T_OK(rc < 0 && strstr(e.msg, "corrupt tar header at offset 512"), "checksum checked");
	t.b.p[600] ^= 1;
	/* Truncated data. */
	t.off = 0;
	t.b.len = 512 * 2 + 5;
	tarr_init(&r, tb_rd, &t, "t.tar");
	tarr_next(&r, &ent, &e);
	tarr_next(&r, &ent, &e);
	n = tarr_read(&r, data, 10, &e);
	T_OK(n < 0 && strstr(e.msg, "truncated archive"), "truncated data refused");
	buf_free(&t.b);

	{
		static const struct { const char *in, *out; } ok[] = {
			{ "a/b", "a/b" }, { "./a//b/", "a/b" }, { "./", "." }, { "a/./b", "a/b" },
		};
		static const char *const badn[] = { "/etc/passwd", "../x", "a/../../b", "a/..", "",
						    "a\nb" };
		size_t i;
		char nm[64];
		for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
			strcpy(nm, ok[i].in);
			rc = tar_name_clean(nm, &e);
			T_OK(rc == 0 && !strcmp(nm, ok[i].out), ok[i].in);
		}
		for (i = 0; i < sizeof badn / sizeof badn[0]; i++) {
			strcpy(nm, badn[i]);
			T_OK(tar_name_clean(nm, &e) < 0, "refused name");
		}
		strcpy(nm, "a/../../b");
		tar_name_clean(nm, &e);
		T_STREQ(e.msg, "entry \"a/../../b\": name leaves the archive (\"..\")", "message for ..");
	}
}

static void test_manifest(void)
{
	struct manifest m, r;
	struct buf b = BUF_INIT;
	struct err e;
	char hex[SHA256_HEX], *copy;
	int rc;

	memset(&m, 0, sizeof m);
	m.id = xstrdup("ct");
	m.crbox = xstrdup("0.1.0");
	m.criu = xstrdup("4.1.1");
	m.criu_num = 40101;
	m.cgroup = xstrdup("hybrid");
	m.cpuinfo = xstrdup("checkpoint/cpuinfo.img");
	sha256_hex("x", 1, hex);
	manifest_add(&m, "config.json", 1, hex);
	manifest_add(&m, "checkpoint/cpuinfo.img", 1, hex);
	manifest_write(&m, &b);
	rc = manifest_parse(&r, b.p, b.len, &e);
	T_OK(rc == 0, "manifest round trip parses");
	T_OK(rc == 0 && r.nfiles == 2 && r.criu_num == 40101 && !strcmp(r.id, "ct") &&
	     !strcmp(r.files[1].name, "checkpoint/cpuinfo.img") && r.files[1].size == 1 &&
	     !strcmp(r.files[1].sha256, hex) && !strcmp(r.cgroup, "hybrid"),
	     "manifest fields survive");
	T_INTEQ(manifest_find(&r, "config.json"), 0, "manifest_find");
	T_INTEQ(manifest_find(&r, "nope"), -1, "manifest_find absent");
	manifest_free(&r);
	manifest_free(&m);
	buf_free(&b);

	{
		static const struct { const char *json, *msg; } bad[] = {
			{ "{\"files\": []}", "manifest.json: not a crbox archive manifest (no crboxArchive)" },
			{ "{\"crboxArchive\": 2, \"files\": []}", "manifest.json: archive format 2 is not supported (this crbox reads 1)" },
			{ "{\"crboxArchive\": 1}", "manifest.json: .files: missing" },
			{ "{\"crboxArchive\": 1, \"files\": [{\"name\": \"../x\", \"size\": 1, \"sha256\": \"" \
			  "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\"}]}",
			  "manifest.json: .files[0].name: bad member name \"../x\"" },
			{ "{\"crboxArchive\": 1, \"files\": [{\"name\": \"a\", \"size\": 1, \"sha256\": \"AB\"}]}",
			  "manifest.json: .files[0].sha256: not a SHA-256 in lowercase hex" },
			{ "{\"crboxArchive\": 1, \"files\": [{\"name\": \"a\", \"sha256\": \"x\"}]}",
			  "manifest.json: .files[0]: size: missing" },
			{ "{\"crboxArchive\": 1, \"cpuinfo\": \"c\", \"files\": []}",
			  "manifest.json: .cpuinfo names c, which is not in .files" },
		};
		size_t i;
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			copy = xstrdup(bad[i].json);
			rc = manifest_parse(&r, copy, strlen(copy), &e);
			T_OK(rc < 0, "bad manifest refused");
			if (rc == 0)
				manifest_free(&r);
			else
				T_STREQ(e.msg, bad[i].msg, "bad manifest message");
			free(copy);
		}
		/* Duplicates. */
		b.len = 0;
		buf_adds(&b, "{\"crboxArchive\": 1, \"files\": [");
		buf_addf(&b, "{\"name\": \"a\", \"size\": 1, \"sha256\": \"%s\"},", hex);
		buf_addf(&b, "{\"name\": \"a\", \"size\": 1, \"sha256\": \"%s\"}]}", hex);
		rc = manifest_parse(&r, b.p, b.len, &e);
		T_STREQ(rc < 0 ? e.msg : "", "manifest.json: .files[1].name: \"a\" listed twice",
			"a member listed twice is refused");
		buf_free(&b);
	}
}

static void test_stats(void)
{
	/* service magic, stats magic, entry len, stats_entry{dump{1:10,2:20,5:300,7:4}} */
	static const unsigned char img[] = { 0x40, 0x59, 0x10, 0x55, 0x06, 0x33, 0x09, 0x57,
					     0x0b, 0, 0, 0, 0x0a, 0x09, 0x08, 10, 0x10, 20,
					     0x28, 0xac, 0x02, 0x38, 4 };
	struct criu_stats s;
	struct buf b = BUF_INIT;
	struct err e;
	int rc = stats_parse(img, sizeof img, "stats-dump", &s, &e);
	T_OK(rc == 0 && !s.restore && s.v[1] == 10 && s.v[2] == 20 && s.v[5] == 300 &&
	     s.v[7] == 4, "stats-dump parsed");
	stats_json(&b, 0, "ct", 5, 3, &s);
	T_STREQ(b.p, "{\n    \"crbox_checkpoint_duration\": 5,\n    \"container_statistics\": [\n"
		"        {\n            \"Id\": \"ct\",\n            \"runtime_checkpoint_duration\": 3,\n"
		"            \"criu_statistics\": {\n                \"freezing_time\": 10,\n"
		"                \"frozen_time\": 20,\n                \"pages_scanned\": 300,\n"
		"                \"pages_written\": 4\n            }\n        }\n    ]\n}\n",
		"Podman-shaped stats JSON");
	buf_free(&b);
	rc = stats_parse(img, sizeof img - 2, "stats-dump", &s, &e);
	T_STREQ(rc < 0 ? e.msg : "", "stats-dump is corrupt: entry cut short", "short stats refused");
}

static void test_config_root(void)
{
	struct buf b = BUF_INIT;
	struct err e;
	char in1[] = "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
		     " \"n\": 1.5e3, \"a\": [null, false, \"\\u00e9\"]}";
	char in2[] = "{\"process\": {}}";
	T_OK(config_set_root(in1, strlen(in1), "/b/rootfs", NULL, NULL, &b, &e) == 0, "config_set_root");
	T_STREQ(b.p, "{\n  \"ociVersion\": \"1.0.2\",\n  \"root\": {\n    \"path\": \"/b/rootfs\",\n"
		"    \"readonly\": true\n  },\n  \"n\": 1.5e3,\n  \"a\": [\n    null,\n    false,\n"
		"    \"\xc3\xa9\"\n  ]\n}\n", "root.path replaced, the rest kept");
	b.len = 0;
	T_OK(config_set_root(in2, strlen(in2), "/b/rootfs", NULL, NULL, &b, &e) == 0 &&
	     strstr(b.p, "\"root\": {\n    \"path\": \"/b/rootfs\"\n  }"), "root added when absent");
	buf_free(&b);
}

static void test_extract(void)
{
	char path[300], link[300];
	struct tar_ent ent;
	struct tarr r;
	struct err e;
	int dfd, rc;

	snprintf(path, sizeof path, "%s/x", tmp);
	mkdir(path, 0700);
	dfd = open(path, O_RDONLY | O_DIRECTORY);
	snprintf(link, sizeof link, "%s/x/out", tmp);
	T_OK(symlink(tmp, link) == 0, "plant a symlink to the outside");
	memset(&ent, 0, sizeof ent);
	memset(&r, 0, sizeof r);
	strcpy(ent.name, "out/planted");
	ent.type = TAR_FILE;
	ent.mode = 0600;
	rc = extract_entry(dfd, &r, &ent, 0, NULL, &e);
	snprintf(path, sizeof path, "%s/planted", tmp);
	T_OK(rc < 0 && access(path, F_OK) < 0, "no file is created through a symlink");
	T_STREQ(e.msg, "entry out/planted: out: a symlink where a directory is expected",
		"message names the symlink");
	strcpy(ent.name, "out");
	rc = extract_entry(dfd, &r, &ent, 0, NULL, &e);
	T_OK(rc < 0 && e.no == EEXIST, "an existing name is never overwritten");
	strcpy(ent.name, "l");
	ent.type = TAR_SYMLINK;
	strcpy(ent.link, "/etc");
	T_OK(extract_entry(dfd, &r, &ent, 0, NULL, &e) < 0, "links refused without EXTRACT_LINKS");
	T_OK(extract_entry(dfd, &r, &ent, EXTRACT_LINKS, NULL, &e) == 0, "symlink made with it");
	strcpy(ent.name, "l/x");
	ent.type = TAR_DIR;
	T_OK(extract_entry(dfd, &r, &ent, EXTRACT_LINKS, NULL, &e) < 0 &&
	     access("/etc/x", F_OK) < 0, "a directory is not made through an extracted symlink");
	strcpy(ent.name, "h");
	ent.type = TAR_HARDLINK;
	strcpy(ent.link, "l");
	T_OK(extract_entry(dfd, &r, &ent, EXTRACT_LINKS, NULL, &e) < 0,
	     "a hard link to a symlink is refused");
	ent.type = TAR_OTHER;
	ent.typeflag = '3';
	T_OK(extract_entry(dfd, &r, &ent, EXTRACT_LINKS, NULL, &e) < 0 && strstr(e.msg, "type '3'"),
	     "devices are refused");
	close(dfd);
}

int main(void)
{
	char cmd[300];
	strcpy(tmp, "/tmp/t_archive.XXXXXX");
	if (!mkdtemp(tmp))
		return 1;
	test_sha256();
	test_inflate();
	test_tar();
	test_manifest();
	test_stats();
	test_config_root();
	test_extract();
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
	if (system(cmd)) {}
	return t_done();
}
