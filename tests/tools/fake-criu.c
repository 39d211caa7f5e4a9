/* fake-criu: a stand-in for `criu swrk 3` for the CLI tests of `crbox check` (no root, any
 * CRIU version). It hand-encodes its answers (no protobuf-c), which also cross-checks the wire
 * format: VERSION -> FAKE_CRIU_VERSION ("3.14.2" or "3.14.2-gitid", default 4.1.1);
 * FEATURE_CHECK -> FAKE_CRIU_FEATURES (comma list of supported names, default all); anything
 * else -> EMPTY/success=false as CRIU does. FAKE_CRIU_MODE=die|garbage|noversion misbehaves. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static size_t varint(unsigned char *p, unsigned long v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

/* Reads a varint at *p (bounded by end); returns 0 on a malformed one. */
static int rvarint(const unsigned char **p, const unsigned char *end, unsigned long *v)
{
	int sh = 0;
	*v = 0;
	while (*p < end && sh < 64) {
		unsigned char c = *(*p)++;
		*v |= (unsigned long)(c & 0x7f) << sh;
		if (!(c & 0x80))
			return 1;
		sh += 7;
	}
	return 0;
}

static int supported(const char *name)
{
	const char *l = getenv("FAKE_CRIU_FEATURES");
	size_t n = strlen(name);
	if (!l)
		return 1;
	for (const char *p = l; (p = strstr(p, name)); p += n)
		if ((p == l || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char req[4096], out[256], sub[64];
	const unsigned char *p, *end;
	const char *mode = getenv("FAKE_CRIU_MODE");
	unsigned long type = 0, key, v;
	int asked[4] = { 0 };
	size_t o = 0, s = 0;
	ssize_t n;

	if (argc != 3 || strcmp(argv[1], "swrk") || strcmp(argv[2], "3")) {
		fprintf(stderr, "fake-criu: usage: fake-criu swrk 3\n");
		return 2;
	}
	n = recv(3, req, sizeof req, 0);
	if (n <= 0)
		return 3;
	if (mode && !strcmp(mode, "die"))
		raise(SIGKILL);
	if (mode && !strcmp(mode, "garbage")) {
		send(3, "\xff\xff\xff", 3, 0);
		return 0;
	}
	/* Walk criu_req: field 1 type (varint), field 5 features (bytes: 1..3 bools). */
	for (p = req, end = req + n; p < end;) {
		if (!rvarint(&p, end, &key))
			return 4;
		if ((key & 7) == 0) {
			if (!rvarint(&p, end, &v))
				return 4;
			if (key >> 3 == 1)
				type = v;
		} else if ((key & 7) == 2) {
			const unsigned char *q;
			if (!rvarint(&p, end, &v) || v > (unsigned long)(end - p))
				return 4;
			for (q = p, p += v; key >> 3 == 5 && q < p;) {
				unsigned long k2, v2;
				if (!rvarint(&q, p, &k2) || !rvarint(&q, p, &v2))
					return 4;
				if ((k2 >> 3) >= 1 && (k2 >> 3) <= 3)
					asked[k2 >> 3] = v2 != 0;
			}
		} else {
			return 4;
		}
	}
	if (type == 10 && !(mode && !strcmp(mode, "noversion"))) {
		const char *ver = getenv("FAKE_CRIU_VERSION");
		int ma = 4, mi = 1, sl = 1;
		char git[64] = "";
		if (ver) {
			ma = mi = sl = 0;
			if (sscanf(ver, "%d.%d.%d-%63s", &ma, &mi, &sl, git) < 2)
				return 5;
		}
		s += varint(sub + s, 1 << 3);
		s += varint(sub + s, (unsigned long)ma);
		s += varint(sub + s, 2 << 3);
		s += varint(sub + s, (unsigned long)mi);
		if (git[0]) {
			s += varint(sub + s, 3 << 3 | 2);
			s += varint(sub + s, strlen(git));
			memcpy(sub + s, git, strlen(git));
			s += strlen(git);
		}
		s += varint(sub + s, 4 << 3);
		s += varint(sub + s, (unsigned long)sl);
		o += varint(out + o, 1 << 3);
		o += varint(out + o, 10);
		o += varint(out + o, 2 << 3);
		o += varint(out + o, 1);
		o += varint(out + o, 10 << 3 | 2);
	} else if (type == 9 && (asked[1] || asked[2] || asked[3])) {
		static const char *const names[] = { "", "mem_track", "lazy_pages", "pidfd_store" };
		for (int i = 1; i <= 3; i++) {
			s += varint(sub + s, (unsigned long)i << 3);
			s += varint(sub + s, asked[i] && supported(names[i]));
		}
		o += varint(out + o, 1 << 3);
		o += varint(out + o, 9);
		o += varint(out + o, 2 << 3);
		o += varint(out + o, 1);
		o += varint(out + o, 8 << 3 | 2);
	} else {
		/* What CRIU answers to a request it does not serve (FEATURE_CHECK without the
		 * features sub-message included). */
		o += varint(out + o, 1 << 3);
		o += varint(out + o, 0);
		o += varint(out + o, 2 << 3);
		o += varint(out + o, 0);
		send(3, out, o, 0);
		return 1;
	}
	o += varint(out + o, s);
	memcpy(out + o, sub, s);
	o += s;
	if (send(3, out, o, 0) != (ssize_t)o)
		return 6;
	return 0;
}
