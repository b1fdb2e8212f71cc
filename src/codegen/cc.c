/* cc.c — compile a generated C unit with the system compiler, cache it by content, load it.
 *
 * Costs: a cache hit is a read and compare of the source plus dlopen (~1 ms); a miss runs the
 * compiler (~50–300 ms per unit), once per distinct flowgraph and machine. */
#include "codegen/cc.h"
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "codegen/unit.h"

extern char **environ;

#define CFLAGS "-O2", "-fPIC", "-shared", "-w", "-std=gnu17"

static const char *compiler(void)
{
	const char *cc = getenv("FFPF_CC");
	return cc && *cc ? cc : "cc";
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return h;
}

/* A directory we own that nobody else can write. */
static int safe_dir(const char *d, char *why, size_t n)
{
	struct stat st;
	if (mkdir(d, 0700) && errno != EEXIST)
		return snprintf(why, n, "cannot create cache %s: %s", d, strerror(errno)), -1;
	if (lstat(d, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return snprintf(why, n, "cache %s is not a private directory of ours", d), -1;
	return 0;
}

static int cache_dir(char *out, size_t n, char *why, size_t wn)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char base[3072];

	if (x && *x)
		snprintf(base, sizeof(base), "%s", x);
	else if (home && *home)
		snprintf(base, sizeof(base), "%s/.cache", home);
	else
		snprintf(base, sizeof(base), "/tmp/ffpf-cache-%u", (unsigned)geteuid());
	if (mkdir(base, 0700) && errno != EEXIST)
		return snprintf(why, wn, "cannot create %s: %s", base, strerror(errno)), -1;
	snprintf(out, n, "%s/ffpf", base);
	return safe_dir(out, why, wn);
}

/* The file holds exactly src, and is ours alone. */
static int same_source(const char *path, const char *src, size_t len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int same = 0;

	if (fd < 0)
		return 0;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 022) &&
	    (size_t)st.st_size == len) {
		char *buf = malloc(len ? len : 1);
		same = buf && read(fd, buf, len) == (ssize_t)len && !memcmp(buf, src, len);
		free(buf);
	}
	close(fd);
	return same;
}

static int owned_file(const char *path)
{
	struct stat st;
	return !lstat(path, &st) && S_ISREG(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 022);
}

static int write_file(const char *path, const char *src, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	int ok;
	if (fd < 0)
		return -1;
	ok = write(fd, src, len) == (ssize_t)len;
	return (close(fd) || !ok) ? -1 : 0;
}

/* What a cache entry is built with: the compiler, its flags, the suffix of its output. */
struct tool {
	const char *cc;
	const char *const *flags;  /* NULL-terminated, before "-o OUT IN" */
	const char *suffix;        /* ".so", ".bpf.o" */
};

static const char *const host_flags[] = {CFLAGS, NULL};
/* -g: libbpf needs the BTF of the map definitions; v3: 32-bit jumps and atomic fetch-add. */
static const char *const bpf_flags[] = {"-O2", "-g", "-target", "bpf", "-mcpu=v3", "-w", "-c",
					"-x", "c", NULL};

static const char *bpf_compiler(void)
{
	const char *cc = getenv("FFPF_CLANG");
	return cc && *cc ? cc : "clang";
}

/* Run the compiler; its complaints go to errpath. */
static int run_cc(const struct tool *t, const char *in, const char *out, const char *errpath,
		  char *why, size_t n)
{
	const char *argv[24];
	unsigned k = 0;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, rc;

	argv[k++] = t->cc;
	for (unsigned i = 0; t->flags[i] && k < 19; i++)
		argv[k++] = t->flags[i];
	argv[k++] = "-o";
	argv[k++] = out;
	argv[k++] = in;
	argv[k] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return snprintf(why, n, "no C compiler (%s: %s)", argv[0], strerror(rc)), -1;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return snprintf(why, n, "the C compiler (%s) failed; see %s", argv[0], errpath), -1;
	return 0;
}

/* dlopen and check the unit's ABI and our shared struct layout. */
static void *open_checked(const char *so, char *why, size_t n)
{
	void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	const int *abi;
	void (*layout)(uint64_t *);
	uint64_t mine[8], theirs[8];

	if (!h)
		return snprintf(why, n, "cannot load %s: %s", so, dlerror()), NULL;
	abi = dlsym(h, "ffpf_unit_abi");
	*(void **)&layout = dlsym(h, "ffpf_unit_layout");
	ffpf_unit_layout_host(mine);
	if (layout)
		layout(theirs);
	if (!abi || *abi != FFPF_UNIT_ABI || !layout || memcmp(mine, theirs, sizeof(mine))) {
		dlclose(h);
		return snprintf(why, n, "%s is not a unit of this ffpf (ABI or layout differ)", so), NULL;
	}
	return h;
}

/* Compile src into the cache entry so (its source kept as c).  0, or -1 with why. */
static int build(const struct tool *t, const char *c, const char *so, const char *src, size_t len,
		 char *why, size_t n)
{
	char tmpc[4200], tmpso[4200], err[4200];
	snprintf(tmpc, sizeof(tmpc), "%s.%d.tmp.c", c, (int)getpid());
	snprintf(tmpso, sizeof(tmpso), "%s.%d.tmp", so, (int)getpid());
	snprintf(err, sizeof(err), "%s.log", c);
	if (write_file(tmpc, src, len))
		return snprintf(why, n, "cannot write %s: %s", tmpc, strerror(errno)), -1;
	if (run_cc(t, tmpc, tmpso, err, why, n)) {
		unlink(tmpso); /* keep the source and the log for whoever reads the message */
		rename(tmpc, err[0] ? c : tmpc);
		return -1;
	}
	unlink(err);
	/* Publish the object before its source: a source present means its object is complete. */
	if (rename(tmpso, so) || rename(tmpc, c)) {
		unlink(tmpc);
		unlink(tmpso);
		return snprintf(why, n, "cannot publish %s: %s", so, strerror(errno)), -1;
	}
	return 0;
}

/* The cache entry for src built by t: paths of its source (c) and output (so); 1 if it is
 * there already (the stored source is src byte for byte, both files ours), 0 if not, -1. */
static int lookup(const struct tool *t, const char *src, size_t len, char *c, char *so, size_t n,
		  char *why, size_t wn)
{
	char dir[4096];
	uint64_t h = fnv1a(0xcbf29ce484222325ull, t->cc, strlen(t->cc));

	h = fnv1a(h, t->suffix, strlen(t->suffix));
	h = fnv1a(h, src, len);
	if (cache_dir(dir, sizeof(dir), why, wn))
		return -1;
	snprintf(c, n, "%s/%016llx.c", dir, (unsigned long long)h);
	snprintf(so, n, "%s/%016llx%s", dir, (unsigned long long)h, t->suffix);
	return same_source(c, src, len) && owned_file(so);
}

/* The cache is the process's own, whoever it acts for: ffpfd applies a request with its
 * application's file identity (setfsuid), but compiles and caches as itself. */
struct ffpf_cc_owner ffpf_cc_as_owner(void)
{
	struct ffpf_cc_owner o = {(uid_t)setfsuid(geteuid()), (gid_t)setfsgid(getegid())};
	return o;
}

void ffpf_cc_as_before(struct ffpf_cc_owner o)
{
	setfsuid(o.uid);
	setfsgid(o.gid);
}

static void *cc_load(const char *src, size_t len, char *why, size_t n);
static int cc_bpf(const char *src, size_t len, char *obj, size_t objlen, char *why, size_t n);

void *ffpf_cc_load(const char *src, size_t len, char *why, size_t n)
{
	struct ffpf_cc_owner o = ffpf_cc_as_owner();
	void *h = cc_load(src, len, why, n);
	ffpf_cc_as_before(o);
	return h;
}

int ffpf_cc_bpf(const char *src, size_t len, char *obj, size_t objlen, char *why, size_t n)
{
	struct ffpf_cc_owner o = ffpf_cc_as_owner();
	int rc = cc_bpf(src, len, obj, objlen, why, n);
	ffpf_cc_as_before(o);
	return rc;
}

static void *cc_load(const char *src, size_t len, char *why, size_t n)
{
	const struct tool t = {compiler(), host_flags, ".so"};
	char c[4160], so[4160];
	void *handle;
	int hit = lookup(&t, src, len, c, so, sizeof(c), why, n);

	if (hit < 0)
		return NULL;
	if (hit) {
		handle = open_checked(so, why, n);
		if (handle)
			return handle;
		unlink(so); /* corrupt or foreign: rebuild once */
	}
	unlink(c);
	return build(&t, c, so, src, len, why, n) ? NULL : open_checked(so, why, n);
}

static int cc_bpf(const char *src, size_t len, char *obj, size_t objlen, char *why, size_t n)
{
	const struct tool t = {bpf_compiler(), bpf_flags, ".bpf.o"};
	char c[4160], o[4160];
	int hit = lookup(&t, src, len, c, o, sizeof(c), why, n);

	if (hit < 0)
		return -1;
	if (!hit) {
		unlink(c);
		if (build(&t, c, o, src, len, why, n))
			return -1;
	}
	snprintf(obj, objlen, "%s", o);
	return 0;
}

int ffpf_cc_available(char *why, size_t n)
{
	const char *cc = compiler(), *path = getenv("PATH");
	char full[4096];

	if (strchr(cc, '/'))
		return access(cc, X_OK) ? (snprintf(why, n, "no C compiler (%s)", cc), 0) : 1;
	for (const char *p = path ? path : "/usr/bin:/bin"; p && *p;) {
		size_t len = strcspn(p, ":");
		snprintf(full, sizeof(full), "%.*s/%s", (int)len, p, cc);
		if (!access(full, X_OK))
			return 1;
		p = p[len] ? p + len + 1 : NULL;
	}
	snprintf(why, n, "no C compiler (%s not found in PATH)", cc);
	return 0;
}

void ffpf_cc_unload(void *handle)
{
	if (handle)
		dlclose(handle);
}

void *ffpf_cc_sym(void *handle, const char *name)
{
	return handle ? dlsym(handle, name) : NULL;
}
