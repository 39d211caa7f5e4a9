/* seccomp/compile.c: the public entry points of the compiler (profile -> IR -> BPF). */
#include <stdlib.h>
#include <string.h>
#include "seccomp/internal.h"
#include "spec.h"

int seccomp_compile_arch(const struct json_doc *d, int obj, int native, struct seccomp_prog *out,
                         struct err *e)
{
	struct sc_profile p;
	struct sc_ir ir;
	int enabled, rc = -1;
	memset(out, 0, sizeof *out);
	if (sc_profile_parse(d, obj, &p, &enabled, e) < 0)
		goto done;
	if (!enabled) {
		rc = 0;
		goto done;
	}
	if (sc_normalize(&p, native, d, &ir, e) < 0) {
		sc_ir_free(&ir);
		goto done;
	}
	rc = sc_generate(&ir, &out->insns, &out->len, e);
	out->nskipped = ir.nskipped;
	sc_ir_free(&ir);
	if (rc < 0) {
		char m[sizeof e->msg];
		memcpy(m, e->msg, sizeof m);
		json_err(d, obj, e, "%s", m);
		goto done;
	}
	out->flags = p.flags | (p.notify ? SECCOMP_FLAG_NEW_LISTENER : 0);
	/* WAIT_KILLABLE_RECV only means something (and is only accepted) with a listener */
	if (!p.notify)
		out->flags &= ~SECCOMP_FLAG_WAIT_KILLABLE_RECV;
	out->flags_default = p.flags_default;
	out->notify = p.notify;
	out->listener_path = xstrdup(p.listener_path);
	out->listener_metadata = xstrdup(p.listener_metadata);
done:
	sc_profile_free(&p);
	if (rc < 0)
		seccomp_prog_free(out);
	return rc;
}

int seccomp_compile(const struct json_doc *d, int obj, struct seccomp_prog *out, struct err *e)
{
	return seccomp_compile_arch(d, obj, seccomp_arch_native(), out, e);
}

int seccomp_compile_spec(const struct spec *s, struct seccomp_prog *out, struct err *e)
{
	int lx = json_get(&s->doc, 0, "linux");
	int obj = lx >= 0 ? json_get(&s->doc, lx, "seccomp") : -1;
	if (obj >= 0 && s->doc.t[obj].type == JSON_NULL)
		obj = -1;
	return seccomp_compile(&s->doc, obj, out, e);
}

void seccomp_prog_free(struct seccomp_prog *p)
{
	free(p->insns);
	free(p->listener_path);
	free(p->listener_metadata);
	memset(p, 0, sizeof *p);
}
