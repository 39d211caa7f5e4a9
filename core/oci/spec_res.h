/* oci/spec_res: linux.resources, all of it (runtime-spec 1.1 LinuxResources), read into
 * struct spec_resources (spec.h) with errors that name the field. Also used by `update -r`
 * on a resources document of its own. */
#ifndef CRBOX_OCI_SPEC_RES_H
#define CRBOX_OCI_SPEC_RES_H
#include "err.h"
#include "json.h"
#include "spec.h"

/* Reads the resources object at token res of d (-1: absent, r stays empty; -2: json_opt_obj's
 * wrong-type result, -1 is returned with e as it is). Strings
 * point into d. Fails like runc's specconv on a device rule without access ("device access
 * at N field cannot be empty"), on unknown device types and on out-of-range numbers. On
 * failure r may hold partial arrays: spec_res_free is always safe. */
int spec_res_parse(const struct json_doc *d, int res, struct spec_resources *r, struct err *e);
void spec_res_free(struct spec_resources *r);

#endif
