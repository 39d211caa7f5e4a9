/* The applet table is sorted and has no duplicates (dispatch relies on neither, but help
 * output and reviewers do), and every name is a plain lowercase word. */
#include "t.h"

static const char *names[] = {
#define APPLET(name, summary) #name,
#include "../../applets/applets.h"
#undef APPLET
};

int main(void)
{
	size_t i, n = sizeof names / sizeof names[0];
	int sorted = 1, plain = 1;
	for (i = 1; i < n; i++)
		if (strcmp(names[i - 1], names[i]) >= 0)
			sorted = 0;
	for (i = 0; i < n; i++)
		for (const char *p = names[i]; *p; p++)
			if (*p < 'a' || *p > 'z')
				plain = 0;
	T_OK(n >= 2, "applet table is not empty");
	T_OK(sorted, "applet table is sorted and has no duplicates");
	T_OK(plain, "applet names are lowercase words");
	return t_done();
}
