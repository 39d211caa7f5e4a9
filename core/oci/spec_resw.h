/* oci/spec_resw: struct spec_resources -> runtime-spec LinuxResources JSON (the shape
 * spec_res_parse reads back): the fields that are set, in the spec's order. */
#ifndef CRBOX_OCI_SPEC_RESW_H
#define CRBOX_OCI_SPEC_RESW_H
#include "jsonw.h"
#include "spec.h"

void spec_res_write(struct jw *w, const struct spec_resources *r);

#endif
