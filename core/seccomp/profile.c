/* seccomp/profile.c: linux.seccomp read from the spec's JSON into struct sc_profile, with
 * runc's rules (docs/seccomp.md "Profile"): actions, errnoRet, architectures, flags,
 * listenerPath/listenerMetadata, args and their operators. Errors name the JSON path. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "seccomp/internal.h"
#include "buf.h"

#define EPERM_ 1

static const struct { const char *name; uint32_t ret; } actions[] = {
	{ "SCMP_ACT_KILL", SC_RET_KILL_THREAD }, { "SCMP_ACT_KILL_THREAD", SC_RET_KILL_THREAD },
	{ "SCMP_ACT_KILL_PROCESS", SC_RET_KILL_PROCESS }, { "SCMP_ACT_TRAP", SC_RET_TRAP },
	{ "SCMP_ACT_ERRNO", SC_RET_ERRNO }, { "SCMP_ACT_TRACE", SC_RET_TRACE },
	{ "SCMP_ACT_ALLOW", SC_RET_ALLOW }, { "SCMP_ACT_LOG", SC_RET_LOG },
	{ "SCMP_ACT_NOTIFY", SC_RET_USER_NOTIF },
};

static const struct { const char *name; uint8_t op; } ops[] = {
	{ "SCMP_CMP_NE", SC_NE }, { "SCMP_CMP_LT", SC_LT }, { "SCMP_CMP_LE", SC_LE },
	{ "SCMP_CMP_EQ", SC_EQ }, { "SCMP_CMP_GE", SC_GE }, { "SCMP_CMP_GT", SC_GT },
	{ "SCMP_CMP_MASKED_EQ", SC_MASKED_EQ },
};

static const struct { const char *name; unsigned flag; } flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", 0 },     /* accepted and ignored, as runc does */
	{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FLAG_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FLAG_WAIT_KILLABLE_RECV },
};

/* Action string at token i (+ errnoRet at token er, -1 when absent) -> return value. */
static int action(const struct json_doc *d, int i, int er, uint32_t *out, struct err *e)
{
	const char *s;
	if (json_str(d, i, &s, e) < 0)
		return -1;
	for (size_t k = 0; k < sizeof actions / sizeof actions[0]; k++) {
		if (strcmp(s, actions[k].name))
			continue;
		uint32_t r = actions[k].ret;
		if (r == SC_RET_ERRNO || r == SC_RET_TRACE) {
			uint64_t v = EPERM_;
			if (er >= 0 && json_u64(d, er, &v, e) < 0)
				return -1;
			v &= 0xffff;    /* runc casts errnoRet to int16 */
			if (r == SC_RET_ERRNO && v > 4095)
				return json_err(d, er, e, "errno %llu is above 4095", (unsigned long long)v);
			r |= (uint32_t)v;
		} else if (er >= 0) {
			return json_err(d, er, e, "errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s", s);
		}
		*out = r;
		return 0;
	}
	return json_err(d, i, e, "unknown seccomp action \"%s\"", s);
}

static int parse_args(const struct json_doc *d, int arr, struct sc_rule *r, struct err *e)
{
	int i;
	r->args = xcalloc((size_t)d->t[arr].n + 1, sizeof *r->args);
	json_for_each(d, arr, i) {
		struct sc_arg *a = &r->args[r->nargs];
		uint64_t idx = 0;
		const char *op;
		if (json_expect(d, i, JSON_OBJ, e) < 0)
			return -1;
		int k = json_get(d, i, "index");
		if (k < 0)
			return json_err(d, i, e, "index: missing");
		if (json_u64(d, k, &idx, e) < 0)
			return -1;
		if (idx > 5)
			return json_err(d, k, e, "argument index %llu is out of range (0-5)",
			                (unsigned long long)idx);
		if (json_opt_u64(d, i, "value", &a->value, e) < 0 ||
		    json_opt_u64(d, i, "valueTwo", &a->value2, e) < 0)
			return -1;
		if (json_req_str(d, i, "op", &op, e) < 0)
			return -1;
		for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++)
			if (!strcmp(op, ops[o].name))
				a->op = ops[o].op;
		if (!a->op)
			return json_err(d, json_get(d, i, "op"), e, "unknown seccomp operator \"%s\"", op);
		a->index = (uint8_t)idx;
		r->nargs++;
	}
	return 0;
}

static int parse_rule(const struct json_doc *d, int i, struct sc_profile *p, struct err *e)
{
	struct sc_rule *r = &p->rules[p->nrules++];
	int a, k, er;
	const char *nm;
	r->tok = i;
	if (json_expect(d, i, JSON_OBJ, e) < 0)
		return -1;
	a = json_opt_arr(d, i, "names", e);
	if (a == -2)
		return -1;
	if (a >= 0) {
		r->names = xcalloc((size_t)d->t[a].n + 1, sizeof *r->names);
		json_for_each(d, a, k) {
			if (json_str(d, k, &r->names[r->nnames], e) < 0)
				return -1;
			r->nnames++;
		}
	}
	/* The pre-1.0 spelling with one "name" (runc still reads it). */
	nm = NULL;
	if (json_opt_str(d, i, "name", &nm, e) < 0)
		return -1;
	if (nm && *nm) {
		r->names = xrealloc(r->names, (r->nnames + 1) * sizeof *r->names);
		r->names[r->nnames++] = nm;
	}
	k = json_get(d, i, "action");
	if (k < 0)
		return json_err(d, i, e, "action: missing");
	er = json_get(d, i, "errnoRet");
	if (er >= 0 && d->t[er].type == JSON_NULL)
		er = -1;
	if (action(d, k, er, &r->action, e) < 0)
		return -1;
	if (r->action == SC_RET_USER_NOTIF) {
		p->notify = 1;
		for (size_t n = 0; n < r->nnames; n++)
			if (!strcmp(r->names[n], "write"))
				return json_err(d, k, e, "SCMP_ACT_NOTIFY cannot be used for the write syscall");
	}
	a = json_opt_arr(d, i, "args", e);
	if (a == -2)
		return -1;
	return a >= 0 ? parse_args(d, a, r, e) : 0;
}

int sc_profile_parse(const struct json_doc *d, int obj, struct sc_profile *p, int *enabled,
                     struct err *e)
{
	int k, i, arr;
	memset(p, 0, sizeof *p);
	p->listener_path = p->listener_metadata = "";
	*enabled = 0;
	if (obj < 0)
		return 0;
	if (json_expect(d, obj, JSON_OBJ, e) < 0)
		return -1;
	k = json_get(d, obj, "defaultAction");
	arr = json_opt_arr(d, obj, "syscalls", e);
	if (arr == -2)
		return -1;
	/* runc: no default action and no syscalls means seccomp is off. */
	if ((k < 0 || (d->t[k].type == JSON_STR && !d->t[k].slen)) && (arr < 0 || !d->t[arr].n))
		return 0;
	if (k < 0)
		return json_err(d, obj, e, "defaultAction: missing");
	i = json_get(d, obj, "defaultErrnoRet");
	if (i >= 0 && d->t[i].type == JSON_NULL)
		i = -1;
	if (action(d, k, i, &p->defact, e) < 0)
		return -1;
	if (p->defact == SC_RET_USER_NOTIF)
		return json_err(d, k, e, "SCMP_ACT_NOTIFY cannot be the default action");

	int a = json_opt_arr(d, obj, "architectures", e);
	if (a == -2)
		return -1;
	if (a >= 0)
		json_for_each(d, a, i) {
			const char *s;
			if (json_str(d, i, &s, e) < 0)
				return -1;
			int id = sc_arch_lookup(s);
			if (id == -2)
				return json_err(d, i, e, "unknown architecture \"%s\"", s);
			if (id >= 0)
				p->arches[id] = 1;
		}

	int f = json_opt_arr(d, obj, "flags", e);
	if (f == -2)
		return -1;
	if (f < 0) {
		p->flags = SECCOMP_FLAG_SPEC_ALLOW;
		p->flags_default = 1;
	} else
		json_for_each(d, f, i) {
			const char *s;
			size_t n;
			if (json_str(d, i, &s, e) < 0)
				return -1;
			for (n = 0; n < sizeof flags / sizeof flags[0]; n++)
				if (!strcmp(s, flags[n].name))
					break;
			if (n == sizeof flags / sizeof flags[0])
				return json_err(d, i, e, "unknown seccomp flag \"%s\"", s);
			p->flags |= flags[n].flag;
		}
	if (json_opt_str(d, obj, "listenerPath", &p->listener_path, e) < 0 ||
	    json_opt_str(d, obj, "listenerMetadata", &p->listener_metadata, e) < 0)
		return -1;

	if (arr >= 0) {
		p->rules = xcalloc((size_t)d->t[arr].n + 1, sizeof *p->rules);
		json_for_each(d, arr, i)
			if (parse_rule(d, i, p, e) < 0)
				return -1;
	}
	if (p->notify && !*p->listener_path)
		return json_err(d, obj, e, "listenerPath: required when a rule uses SCMP_ACT_NOTIFY");
	*enabled = 1;
	return 0;
}

void sc_profile_free(struct sc_profile *p)
{
	for (size_t i = 0; i < p->nrules; i++) {
		free(p->rules[i].names);
		free(p->rules[i].args);
	}
	free(p->rules);
	memset(p, 0, sizeof *p);
}
