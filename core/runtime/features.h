/* features: what `crbox features` prints (runc 1.1's JSON shape, this build's facts). */
#ifndef CRBOX_RUNTIME_FEATURES_H
#define CRBOX_RUNTIME_FEATURES_H
#include "buf.h"

/* Appends the features document (4-space indent, trailing newline) to b. */
void rt_features_json(struct buf *b, const char *version, const char *commit);

#endif
