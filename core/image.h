/* image: checks of a CRIU image directory before anything is created, and runc's
 * descriptors.json (the container's stdio as CRIU saw it at dump time). */
#ifndef CRBOX_IMAGE_H
#define CRBOX_IMAGE_H
#include <stddef.h>
#include "err.h"

/* Opens the image directory read-only (O_DIRECTORY) and checks it holds a checkpoint
 * (inventory.img). Errors name the path: "image path X does not exist", "image path X holds
 * no checkpoint (no inventory.img)". Returns the fd or -1. Never creates anything. */
int image_open(const char *path, struct err *e);
/* Checks the images CRIU will read before CRIU runs (CRIU 4.1.1 spins forever on a
 * truncated pages file): pstree.img names the tasks; each task needs core-<tid>.img for every
 * thread; each pagemap-<pid>.img must parse, and the pages file it names must hold every
 * page it says is present (not in a parent image; with lazy, lazy pages are not expected
 * in the file either, a page server holds them). Errors name the file:
 * "pages-3.img is truncated: 4096 bytes, pagemap-1.img needs 77824". 0 or -1. */
int image_check(int imgfd, int lazy, struct err *e);
/* Reads descriptors.json from the image dir: a JSON array of strings (or null, as runc writes
 * a nil list). out[0..2] get heap strings (NULL beyond the array's length). 0 or -1. */
int image_descriptors_read(int imgfd, char *out[3], struct err *e);
/* The same from a buffer (parsed in place and modified; out[] are copies). For tests and
 * fuzzing. */
int image_descriptors_parse(char *buf, size_t len, char *out[3], struct err *e);
/* Writes descriptors.json (mode 0600) as runc does: ["a","b","c"]; a NULL list is null. */
int image_descriptors_write(int imgfd, char *const desc[3], struct err *e);

#endif
