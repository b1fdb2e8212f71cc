/* testlib.c — summary line and environment helpers for the C unit tests. */
#include "testlib.h"
#include <stdlib.h>
#include <dirent.h>
#include <sys/stat.h>

int tl_failures;
int tl_checks;

int tl_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, tl_checks, tl_failures);
	return tl_failures ? 1 : 0;
}

const char *tl_trace_dir(void)
{
	const char *d = getenv("FFPF_TEST_TRACES");
	return d ? d : "tests/traces";
}

const char *tl_shared_dir(void)
{
	const char *d = getenv("FFPF_SHARED_TRACES");
	struct stat st;
	if (!d || stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return d;
}

unsigned tl_each_trace(const char *dir, unsigned limit, void (*fn)(const char *path))
{
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	char path[4096];
	unsigned n = 0;

	while (d && n < limit && (e = readdir(d))) {
		if (!strstr(e->d_name, ".pcap"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fn(path);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}
