/* image: CRIU image directory checks and descriptors.json (see image.h). */
#include "image.h"
#include "buf.h"
#include "fmt.h"
#include "json.h"
#include "jsonw.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int image_open(const char *path, struct err *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return err_set(e, ENOENT, "image path %s does not exist", path);
		return err_sys(e, "open image path %s", path);
	}
	if (fstatat(fd, "inventory.img", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ENOENT, "image path %s holds no checkpoint (no inventory.img)", path);
	}
	return fd;
}

int image_descriptors_read(int imgfd, char *out[3], struct err *e)
{
	struct json_doc d = { 0 };
	int i, k = 0;

	out[0] = out[1] = out[2] = NULL;
	if (json_load(&d, imgfd, "descriptors.json", "descriptors.json", e) < 0)
		return -1;
	if (d.t[0].type == JSON_NULL) {
		json_free(&d);
		return 0;
	}
	if (json_expect(&d, 0, JSON_ARR, e) < 0)
		goto bad;
	json_for_each(&d, 0, i) {
		const char *s;
		if (json_str(&d, i, &s, e) < 0)
			goto bad;
		if (k < 3)
			out[k] = xstrdup(s);
		k++;
	}
	json_free(&d);
	return 0;
bad:
	for (k = 0; k < 3; k++) {
		free(out[k]);
		out[k] = NULL;
	}
	json_free(&d);
	return -1;
}

int image_descriptors_write(int imgfd, char *const desc[3], struct err *e)
{
	struct buf b = BUF_INIT;
	struct jw w;
	int fd, i, rc = 0;

	jw_init(&w, &b, 0);
	if (!desc || !desc[0]) {
		jw_null(&w);
	} else {
		jw_arr(&w);
		for (i = 0; i < 3 && desc[i]; i++)
			jw_str(&w, desc[i]);
		jw_end(&w);
	}
	fd = openat(imgfd, "descriptors.json", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		    0600);
	if (fd < 0) {
		buf_free(&b);
		return err_sys(e, "create descriptors.json");
	}
	if (write_all(fd, b.p, b.len) < 0)
		rc = err_sys(e, "write descriptors.json");
	close(fd);
	buf_free(&b);
	return rc;
}
