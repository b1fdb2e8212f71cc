/* daemon.c — ffpfd's loop: applications, flowgroups, requests (see daemon.h).
 *
 * One thread does everything, so the flowgraphs need no locks: requests are applied between
 * batches.  Applications' sockets are non-blocking; a reply that does not fit (an application
 * that never reads its answers) disconnects that application, never stalls the others.  A
 * message that breaks the protocol gets an ERROR naming what was wrong; after MAX_ERRORS the
 * application is disconnected.  Whatever an application leaves behind (crash, kill, EOF) is
 * released as if it had said BYE. */
#include "daemon/daemon.h"
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "buf/arena.h"
#include "daemon/proto.h"
#include "daemon/shring.h"
#include "ffpf_int.h"
#include "kern/offload.h"
#include "util/strbuf.h"

#define MAX_GROUPS  64
#define MAX_ERRORS  8                 /* protocol errors before an application is cut off */
#define ARENA_BYTES ((size_t)1 << 30) /* a group's shared memory over its life (sparse) */
#define BATCH_BUDGET 64               /* batches per group between looks at the sockets */
#define MAX_TABLES 8                  /* table results in one RESULT */
#define CELL_BUDGET 6144              /* their cells: 48 KiB of the 64 KiB a message holds */

struct fgroup {
	uint32_t id;
	char name[40];                /* "uid:1000", "all" */
	struct ffpf *f;               /* NULL until its first request */
	struct ffpf_arena *arena;
	unsigned napps;
	int idle;                     /* the last step found nothing to do */
	uint64_t settle_at;           /* CLOCK_MONOTONIC ns: compile then (0: nothing pending) */
	uint64_t settle_first;        /* the first change since the last compile */
	unsigned gen;                 /* changes so far */
	pid_t warm;                   /* a child compiling change `warm_gen` into the caches */
	unsigned warm_gen;
	int warmed;                   /* the caches hold change `gen`: recompiling is quick */
	unsigned warm_runs;           /* children that compiled since the first change */
	char failed[512];             /* the flowgraph stopped on an error: why */
};

struct app {
	int fd;
	struct ffpf_conn conn;
	uint32_t id;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	gid_t groups[64];             /* its supplementary groups (SO_PEERGROUPS) */
	int ngroups;
	char name[64];
	struct fgroup *g;              /* after HELLO */
	unsigned *fns, nfns, capfns;  /* ids of g's functions it uses (one entry per use) */
	unsigned errors;
};

struct ffpfd {
	struct ffpfd_opts o;
	int lfd;
	char path[108];
	struct app **apps;
	unsigned napps;
	struct fgroup *groups[MAX_GROUPS];
	unsigned ngroups;
	uint32_t next_app, next_group;
	struct ffpf_proto_buf *buf;
};

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	char ts[32];
	time_t t = time(NULL);
	va_list ap;
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", localtime(&t));
	fprintf(stderr, "ffpfd %s ", ts);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *ffpfd_group_by_name(int by)
{
	static const char *const n[] = {"uid", "gid", "pid", "all"};
	return by >= 0 && by <= FFPFD_BY_ALL ? n[by] : "?";
}

int ffpfd_group_by_parse(const char *s)
{
	for (int k = 0; k <= FFPFD_BY_ALL; k++)
		if (!strcmp(s, ffpfd_group_by_name(k)))
			return k;
	return -1;
}

/* ---- sending -------------------------------------------------------------------------------- */

static int send_msg(struct app *a, struct ffpf_msg *m, const int *fds, unsigned nfds)
{
	char err[256];
	m->seq = ffpf_conn_next_seq(&a->conn);
	m->version = a->conn.version ? a->conn.version : FFPF_PROTO_VERSION;
	int rc = ffpf_proto_send(a->fd, m, fds, nfds, err, sizeof(err));
	if (rc)
		logf_("app %u (%s): cannot send %s: %s", a->id, a->name, ffpf_msg_name(m->type), err);
	return rc;
}

static int send_error(struct app *a, int e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int send_error(struct app *a, int e, const char *fmt, ...)
{
	char text[4096];
	struct ffpf_msg m = {.type = FFPF_MSG_ERROR};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	m.error.err = (uint32_t)e;
	m.error.message = text;
	return send_msg(a, &m, NULL, 0);
}

/* ---- groups --------------------------------------------------------------------------------- */

static void group_key(const struct ffpfd *d, const struct app *a, char *name, size_t n)
{
	switch (d->o.group_by) {
	case FFPFD_BY_UID: snprintf(name, n, "uid:%u", (unsigned)a->uid); break;
	case FFPFD_BY_GID: snprintf(name, n, "gid:%u", (unsigned)a->gid); break;
	case FFPFD_BY_PID: snprintf(name, n, "pid:%d", (int)a->pid); break;
	default: snprintf(name, n, "all");
	}
}

static struct fgroup *group_of(struct ffpfd *d, struct app *a)
{
	char name[40];
	struct fgroup *g;

	group_key(d, a, name, sizeof(name));
	for (unsigned i = 0; i < d->ngroups; i++)
		if (!strcmp(d->groups[i]->name, name))
			return d->groups[i];
	if (d->ngroups == MAX_GROUPS || !(g = calloc(1, sizeof(*g))))
		return NULL;
	g->id = ++d->next_group;
	snprintf(g->name, sizeof(g->name), "%s", name);
	d->groups[d->ngroups++] = g;
	return g;
}

/* A group going away: its compiling child, if any, is of no use any more. */
static void stop_warm(struct fgroup *g)
{
	if (g->warm > 0) {
		kill(-g->warm, SIGKILL); /* its process group: the compilers it runs too */
		waitpid(g->warm, NULL, 0);
		g->warm = 0;
	}
}

static void group_free(struct ffpfd *d, struct fgroup *g)
{
	for (unsigned i = 0; i < d->ngroups; i++)
		if (d->groups[i] == g) {
			d->groups[i] = d->groups[--d->ngroups];
			break;
		}
	stop_warm(g);
	if (g->f) {
		ffpf_engine_finish(g->f);
		ffpf_close(g->f);
	}
	ffpf_arena_free(g->arena);
	free(g);
}

/* The group's flowgraph: a live graph, functions in the host, MBufs in the arena. */
static int group_graph(const struct ffpfd *d, struct fgroup *g, char *err, size_t n)
{
	struct ffpf_opts o = {.sz = sizeof(o), .lowest = d->o.lowest};
	char aname[64];

	if (g->f)
		return 0;
	snprintf(aname, sizeof(aname), "ffpf-%s", g->name);
	if (!g->arena && !(g->arena = ffpf_arena_new(aname, ARENA_BYTES)))
		return snprintf(err, n, "cannot make the flowgroup's shared memory: %s", strerror(errno)), -errno;
	if (!(g->f = ffpf_create(&o)))
		return snprintf(err, n, "out of memory"), -ENOMEM;
	g->f->live = 1;
	g->f->nowait = 1;
	g->f->arena = g->arena;
	return 0;
}

/* ---- applications --------------------------------------------------------------------------- */

static int app_use(struct app *a, unsigned id)
{
	if (a->nfns == a->capfns) {
		unsigned c = a->capfns ? 2 * a->capfns : 16, *v = realloc(a->fns, c * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->fns = v;
		a->capfns = c;
	}
	a->fns[a->nfns++] = id;
	a->g->f->fn[id]->users++;
	return 0;
}

static int app_uses(const struct app *a, unsigned id)
{
	for (unsigned i = 0; i < a->nfns; i++)
		if (a->fns[i] == id)
			return 1;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int trace_source(const struct ffpf_fn *fn)
{
	return (fn->cls->flags & FFPF_CLASS_SOURCE) && fn->cls->progress;
}

/* g's graph changed (functions from `from` on are new).  Compiling it (cc, and the devices'
 * socket filters) takes this thread from every group for ~0.1-1 s, so it waits until changes
 * stop for settle_ms: applications started together cost one compile, not one each, and run
 * interpreted meanwhile (the eBPF units of a group's first request are the exception: they are
 * compiled at once, before its sockets bind).  Trace files the change added wait until the
 * graph is compiled (settle_due) before their first packet:
 * a trace is shared only before reading starts (ffpf_graph_find), so the others' identical
 * requests join this reading instead of each making its own. */
static void changed(struct ffpfd *d, struct fgroup *g, unsigned from)
{
	uint64_t t = now_ns(), s = (uint64_t)d->o.settle_ms * 1000000ull;

	if (!d->o.settle_ms) {
		g->f->defer_compile = 0;
		if (g->f->need_compile) /* as the daemon: its compiler cache is its own */
			ffpf_engine_recompile(g->f);
		return;
	}
	g->f->defer_compile = 1;
	g->gen++;
	g->warmed = 0;
	for (unsigned i = from; i < g->f->nfn; i++)
		if (trace_source(g->f->fn[i]) && !g->f->fn[i]->in)
			g->f->fn[i]->held = 1;
	if (!g->settle_first)
		g->settle_first = t;
	g->settle_at = t + s < g->settle_first + 4 * s ? t + s : g->settle_first + 4 * s;
}

/* Groups whose changes have settled: their graph is compiled first in a child process
 * (ffpf_engine_prewarm: cc and clang fill the caches while this loop serves packets and
 * requests), then here, from the caches, in a few milliseconds; and their new trace files go. */
static void settle_due(struct ffpfd *d)
{
	uint64_t t = now_ns(), cap = 4 * (uint64_t)d->o.settle_ms * 1000000ull;
	for (unsigned i = 0; i < d->ngroups; i++) {
		struct fgroup *g = d->groups[i];
		pid_t w = g->warm > 0 ? waitpid(g->warm, NULL, WNOHANG) : 0;
		if (w == g->warm || (w < 0 && errno != EINTR)) { /* done (or not ours to wait for) */
			g->warmed = g->warm_gen == g->gen; /* else changed meanwhile: once more */
			g->warm = 0;
			g->warm_runs++;
		}
		if (!g->settle_at || t < g->settle_at || !g->f || g->warm > 0)
			continue;
		/* Changes that keep coming faster than a compile must not put it off for ever: after
		 * the cap, once a child has compiled (most of the caches are warm), here it is. */
		int late = g->warm_runs && t >= g->settle_first + cap;
		if (!g->warmed && !late && g->f->need_compile) {
			int pid = ffpf_engine_prewarm(g->f);
			if (pid > 0) {
				g->warm = pid;
				g->warm_gen = g->gen;
				continue;
			}
			logf_("flowgroup %s: cannot compile in a child (%s): compiling in the loop", g->name,
			      strerror(-pid));
		}
		g->settle_at = g->settle_first = 0;
		g->warmed = 0;
		g->warm_runs = 0;
		g->f->defer_compile = 0;
		if (g->f->need_compile)
			ffpf_engine_recompile(g->f);
		for (unsigned k = 0; k < g->f->nfn; k++)
			g->f->fn[k]->held = 0;
	}
}

/* Milliseconds until the first group settles (at most max); while a child compiles, 10 (the
 * loop looks for its end). */
static int settle_wait(const struct ffpfd *d, int max)
{
	uint64_t t = now_ns();
	for (unsigned i = 0; i < d->ngroups; i++) {
		const struct fgroup *g = d->groups[i];
		if (g->warm > 0 && max > 10)
			max = 10;
		if (g->settle_at && g->f) {
			uint64_t ms = g->settle_at > t ? (g->settle_at - t + 999999) / 1000000 : 0;
			if (ms < (uint64_t)max)
				max = (int)ms;
		}
	}
	return max;
}

/* Everything a leaving application held goes; its functions retire with their last user. */
static void app_drop(struct ffpfd *d, unsigned i, const char *why)
{
	struct app *a = d->apps[i];
	struct fgroup *g = a->g;
	unsigned retired = 0;

	if (g && g->f) {
		for (unsigned k = 0; k < a->nfns; k++)
			g->f->fn[a->fns[k]]->users--;
		g->f->defer_compile = d->o.settle_ms != 0; /* the graph again: interpreted for now */
		retired = ffpf_engine_sweep(g->f);
		if (retired && g->napps > 1)
			changed(d, g, g->f->nfn);
		else
			g->f->defer_compile = g->settle_at != 0;
	}
	logf_("app %u (%s, pid %d): %s; %u function%s retired", a->id, a->name, (int)a->pid, why,
	      retired, retired == 1 ? "" : "s");
	if (g && --g->napps == 0)
		group_free(d, g);
	close(a->fd);
	free(a->fns);
	free(a);
	d->apps[i] = d->apps[--d->napps];
}

static void accept_app(struct ffpfd *d)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	struct app *a;
	int fd = accept4(d->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (d->napps >= (d->o.max_apps ? d->o.max_apps : 256) || !(a = calloc(1, sizeof(*a)))) {
		logf_("refused a connection: %u applications already", d->napps);
		close(fd);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len)) {
		close(fd);
		free(a);
		return;
	}
	len = sizeof(a->groups);
	a->ngroups = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, a->groups, &len) ? 0 : (int)(len / sizeof(gid_t));
	a->fd = fd;
	a->pid = cr.pid;
	a->uid = cr.uid;
	a->gid = cr.gid;
	a->id = ++d->next_app;
	snprintf(a->name, sizeof(a->name), "pid %d", (int)cr.pid);
	ffpf_conn_init(&a->conn, d->buf, FFPF_PROTO_DAEMON);
	d->apps[d->napps++] = a;
}

/* ---- requests ------------------------------------------------------------------------------- */

static int on_hello(struct ffpfd *d, struct app *a, const struct ffpf_msg *m)
{
	struct ffpf_msg r = {.type = FFPF_MSG_WELCOME};
	char err[256];
	int v = ffpf_proto_negotiate(m->version, m->hello.max_version, err, sizeof(err));

	if (v < 0)
		return send_error(a, EPROTONOSUPPORT, "%s", err), -EPROTONOSUPPORT;
	if (!(a->g = group_of(d, a)))
		return send_error(a, ENOMEM, "too many flowgroups (%d)", MAX_GROUPS), -ENOMEM;
	a->g->napps++;
	a->conn.version = (uint16_t)v;
	snprintf(a->name, sizeof(a->name), "%.40s", m->hello.app_name[0] ? m->hello.app_name : "?");
	r.welcome.version = (uint32_t)v;
	r.welcome.app_id = a->id;
	r.welcome.group_id = a->g->id;
	r.welcome.group_name = a->g->name;
	logf_("app %u (%s, pid %d, uid %u): connected, flowgroup %s", a->id, a->name, (int)a->pid,
	      (unsigned)a->uid, a->g->name);
	return send_msg(a, &r, NULL, 0);
}

/* A function's name as this application knows it: its own label (without the namespace), or
 * "class#id" when the label is another application's. */
static const char *app_name(const struct app *a, const struct ffpf_fn *fn, char *buf, size_t n)
{
	char ns[24];
	size_t l = (size_t)snprintf(ns, sizeof(ns), "a%u:", a->id);
	unsigned other;

	if (!strncmp(fn->name, ns, l))
		return fn->name + l;
	for (unsigned k = 0; k < fn->nalias; k++)
		if (!strncmp(fn->alias[k], ns, l))
			return fn->alias[k] + l;
	if (sscanf(fn->name, "a%u:", &other) == 1) {
		snprintf(buf, n, "%s#%u", fn->cls->name, fn->id);
		return buf;
	}
	return fn->name;
}

static int reply_populated(struct app *a, unsigned first_use)
{
	struct ffpf *f = a->g->f;
	struct ffpf_proto_fn *v = calloc(a->nfns - first_use + 1, sizeof(*v));
	struct ffpf_msg r = {.type = FFPF_MSG_POPULATED};
	char (*names)[64] = calloc(a->nfns - first_use + 1, sizeof(*names));
	char (*ins)[256] = calloc(a->nfns - first_use + 1, sizeof(*ins));
	int rc;

	if (!v || !names || !ins) {
		free(v);
		free(names);
		free(ins);
		return send_error(a, ENOMEM, "out of memory"), -ENOMEM;
	}
	for (unsigned k = first_use; k < a->nfns; k++) {
		const struct ffpf_fn *fn = f->fn[a->fns[k]];
		struct ffpf_proto_fn *p = &v[k - first_use];
		p->fn_id = fn->id;
		p->name = app_name(a, fn, names[k - first_use], sizeof(names[0]));
		p->cls = fn->cls->name;
		p->params = fn->args->canon;
		p->flags = (fn->cls->flags & FFPF_CLASS_SOURCE) ? 1 : 0;
		/* its MBuf in the arena: its own, or the copy of a program's map (offload.c) */
		const uint8_t *mb = fn->host_mbuf ? fn->host_mbuf : fn->mbuf;
		int shared = mb && ffpf_arena_has(a->g->arena, mb);
		p->mbuf_off = shared ? ffpf_arena_off(a->g->arena, mb) : 0;
		p->mbuf_size = shared ? fn->mbuf_size : 0;
		for (unsigned j = 0, at = 0; j < fn->ninputs && at < sizeof(ins[0]) - 12; j++)
			at += (unsigned)snprintf(ins[k - first_use] + at, sizeof(ins[0]) - at, "%s%u",
						 j ? "," : "", fn->inputs[j]);
		p->inputs = ins[k - first_use];
	}
	r.populated.n = a->nfns - first_use;
	r.populated.fns = v;
	r.populated.arena_size = a->g->arena->size;
	rc = send_msg(a, &r, &a->g->arena->fd, 1);
	free(v);
	free(names);
	free(ins);
	return rc;
}

/* The application's default sources (-r, -i) come as leading "#default ELEMENT" lines of the
 * request (comments to the parser): they apply to this request only. */
static int take_defaults(struct ffpf *f, const char *text, const char **rest)
{
	static const char tag[] = "#default ";
	while (!strncmp(text, tag, sizeof(tag) - 1)) {
		const char *s = text + sizeof(tag) - 1, *e = strchr(s, '\n');
		char el[1024];
		int rc;
		if (!e || (size_t)(e - s) >= sizeof(el))
			return ffpf_fail(f, -EINVAL, "a '#default' line is longer than %zu bytes", sizeof(el));
		memcpy(el, s, (size_t)(e - s));
		el[e - s] = 0;
		if ((rc = ffpf_default_source(f, el)))
			return rc;
		text = e + 1;
	}
	*rest = text; /* the request proper: its lines are the application's */
	return 0;
}

static void drop_defaults(struct ffpf *f)
{
	for (unsigned i = 0; i < f->ndefaults; i++)
		free(f->defaults[i]);
	free(f->defaults);
	f->defaults = NULL;
	f->ndefaults = 0;
}

/* While a request is applied the daemon acts as its application: files are opened with the
 * application's permissions (fs uid/gid and groups) and relative paths from its directory.
 * One thread, so this switch affects nothing else. */
struct identity {
	int cwd;
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	int ngroups;
};

static void unbecome(const struct identity *me)
{
	setfsuid(me->uid);
	setfsgid(me->gid);
	if (geteuid() == 0 && me->ngroups >= 0)
		setgroups((size_t)me->ngroups, me->groups);
	if (me->cwd >= 0) {
		if (fchdir(me->cwd))
			logf_("cannot return to the daemon's directory: %s", strerror(errno));
		close(me->cwd);
	}
}

/* Fails (and changes nothing lasting) when the daemon cannot take the application's identity
 * or directory, e.g. run without CAP_SETUID/CAP_SETGID/CAP_SYS_PTRACE: a request must never be
 * applied with the daemon's own rights. */
static int become(const struct app *a, struct identity *me, char *err, size_t n)
{
	char p[64];
	int fd;

	me->cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	me->ngroups = getgroups(64, me->groups);
	me->uid = (uid_t)setfsuid((uid_t)-1);
	me->gid = (gid_t)setfsgid((gid_t)-1);
	snprintf(p, sizeof(p), "/proc/%d/cwd", (int)a->pid);
	fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return snprintf(err, n, "the daemon cannot see the application's directory (%s: %s)", p,
				strerror(errno)), -EPERM;
	if (a->uid != me->uid || a->gid != me->gid) {
		if (setgroups((size_t)a->ngroups, a->groups)) {
			int e = errno;
			close(fd);
			unbecome(me);
			return snprintf(err, n, "the daemon cannot take the application's groups (%s): "
					"refused", strerror(e)), -EPERM;
		}
		setfsgid(a->gid);
		setfsuid(a->uid);
		if ((uid_t)setfsuid((uid_t)-1) != a->uid || (gid_t)setfsgid((gid_t)-1) != a->gid) {
			close(fd);
			unbecome(me);
			return snprintf(err, n, "the daemon cannot act as uid %u (it lacks CAP_SETUID/"
					"CAP_SETGID): refused", (unsigned)a->uid), -EPERM;
		}
	}
	if (fchdir(fd)) {
		int e = errno;
		close(fd);
		unbecome(me);
		return snprintf(err, n, "cannot use the application's directory: %s", strerror(e)), -e;
	}
	close(fd);
	return 0;
}


static int on_populate(struct ffpfd *d, struct app *a, const struct ffpf_msg *m)
{
	struct fgroup *g = a->g;
	char ns[24], err[512];
	unsigned first_use = a->nfns, from;
	int rc;

	if ((rc = group_graph(d, g, err, sizeof(err))))
		return send_error(a, -rc, "%s", err);
	from = g->f->nfn;
	if (g->failed[0])
		return send_error(a, EIO, "the flowgroup's flowgraph stopped: %s", g->failed);
	snprintf(ns, sizeof(ns), "a%u:", a->id);
	g->f->label_ns = ns;
	g->f->defer_compile = 1; /* compiled after, as the daemon (see below) */
	g->f->no_dev = a->uid && !d->o.allow_capture
			       ? "live capture through ffpfd is for root (or start ffpfd --allow-capture)" : NULL;
	const char *req = m->populate.request;
	struct identity me;
	int first = g->f->state == FFPF_S_POPULATING;
	if ((rc = become(a, &me, err, sizeof(err))))
		return send_error(a, -rc, "%s", err);
	rc = take_defaults(g->f, m->populate.request, &req);
	if (!rc)
		rc = ffpf_populate_named(g->f, req, m->populate.origin);
	g->f->label_ns = NULL;
	g->f->no_dev = NULL;
	drop_defaults(g->f);
	if (!rc && first) { /* the group's first request */
		rc = ffpf_instantiate(g->f);
		if (!rc)
			rc = ffpf_activate(g->f);
	}
	unbecome(&me);
	if (!(rc && first))
		changed(d, g, from);
	if (rc && first) { /* start the group afresh with the next request */
		snprintf(err, sizeof(err), "%s", ffpf_errmsg(g->f));
		ffpf_close(g->f);
		g->f = NULL;
		ffpf_arena_free(g->arena); /* what it took there is not given back one by one */
		g->arena = NULL;
		return send_error(a, -rc, "%s", err);
	}
	if (rc)
		return send_error(a, -rc, "%s", ffpf_errmsg(g->f));
	for (unsigned i = 0; i < g->f->nfn; i++)
		if (g->f->fn[i]->last_request == g->f->nrequests && !g->f->fn[i]->dead &&
		    app_use(a, i))
			return send_error(a, ENOMEM, "out of memory");
	if (d->o.verbose)
		logf_("app %u: request of %u functions (%u in the flowgroup)", a->id, a->nfns - first_use,
		      g->f->nfn);
	return reply_populated(a, first_use);
}

/* Whether every source upstream of fn has ended: its results are final. */
static int final(const struct ffpf *f, const struct ffpf_fn *fn)
{
	if (fn->cls->flags & FFPF_CLASS_SOURCE)
		return fn->exhausted;
	for (unsigned k = 0; k < fn->ninputs; k++)
		if (!final(f, f->fn[fn->inputs[k]]))
			return 0;
	return 1;
}

/* A table result into RESULT (protocol 2): its column names joined, its cells after the other
 * tables' in one buffer; rows that do not fit the message are left out, and the table says so. */
static void add_table(struct ffpf_msg_result *r, struct ffpf_proto_table *tabs,
		      char (*names)[FFPF_PROTO_MAX_COLS * 64], const char *name, const struct ffpf_value *v)
{
	static uint64_t cells[CELL_BUDGET];
	struct ffpf_proto_table *t = &tabs[r->ntables];
	size_t at = 0, rows = v->table.nrows, room;

	if (r->ntables >= MAX_TABLES || v->table.ncols < 1 || v->table.ncols > FFPF_PROTO_MAX_COLS)
		return;
	room = (CELL_BUDGET - r->ncells) / v->table.ncols;
	*t = (struct ffpf_proto_table){.name = name, .ncols = v->table.ncols, .cols = names[r->ntables]};
	if (rows > room) {
		rows = room;
		t->flags = FFPF_TABLE_TRUNCATED;
	}
	t->nrows = (uint32_t)rows;
	for (unsigned c = 0; c < v->table.ncols; c++)
		at += (size_t)snprintf(names[r->ntables] + at, 64, "%.62s\n", v->table.cols[c]);
	memcpy(cells + r->ncells, v->table.cells, rows * v->table.ncols * sizeof(uint64_t));
	r->ncells += (uint32_t)(rows * v->table.ncols);
	r->cells = cells;
	r->tables = tabs;
	r->ntables++;
}

static int on_results(struct app *a, const struct ffpf_msg *m)
{
	struct ffpf *f = a->g->f;
	uint32_t id = m->results.fn_id;
	struct ffpf_proto_drop drops[FFPF_DROP_MAX];
	struct ffpf_proto_value vals[32];
	struct ffpf_proto_table tabs[MAX_TABLES];
	static char names[MAX_TABLES][FFPF_PROTO_MAX_COLS * 64];
	struct ffpf_msg r = {.type = FFPF_MSG_RESULT};
	const struct ffpf_fn *fn;

	if (!f || id >= f->nfn || !app_uses(a, id))
		return send_error(a, ENOENT, "function %u is not one of this application's (ask only "
			       "for the ids POPULATED gave you)", id);
	if (f->noff)
		ffpf_offload_sync(f); /* the kernel programs' counters, as of now */
	fn = f->fn[id];
	r.result.fn_id = id;
	r.result.in = fn->in;
	r.result.passed = fn->passed;
	r.result.flags = final(f, fn) ? FFPF_RESULT_FINAL : 0;
	for (unsigned k = 0; k < FFPF_DROP_MAX; k++)
		if (fn->drops[k]) {
			drops[r.result.ndrops].reason = ffpf_drop_name(k);
			drops[r.result.ndrops++].n = fn->drops[k];
		}
	for (unsigned j = 0; j < fn->cls->nresults && r.result.nvalues < 32; j++) {
		struct ffpf_value v;
		struct ffpf_proto_value *p = &vals[r.result.nvalues];
		if (ffpf_result(f, id, j, &v))
			continue;
		if (v.type == FFPF_V_TABLE) {
			if (a->conn.version >= 2)
				add_table(&r.result, tabs, names, fn->cls->results[j].name, &v);
			continue;
		}
		p->name = fn->cls->results[j].name;
		p->type = v.type == FFPF_V_STR ? FFPF_PROTO_V_STR : FFPF_PROTO_V_U64;
		if (v.type == FFPF_V_STR)
			p->str = v.str ? v.str : "";
		else
			p->u64 = v.u64;
		r.result.nvalues++;
	}
	r.result.drops = drops;
	r.result.values = vals;
	return send_msg(a, &r, NULL, 0);
}

/* An export's queue: it is in the arena the application mapped already (its offset is in the
 * export's MBuf); the eventfd wakes the reader after each batch. */
static int on_export(struct app *a, const struct ffpf_msg *m)
{
	struct ffpf *f = a->g->f;
	uint32_t id = m->export.fn_id;
	struct ffpf_msg r = {.type = FFPF_MSG_EXPORTING};
	int fds[2], efd;

	if (!f || id >= f->nfn || !app_uses(a, id))
		return send_error(a, ENOENT, "function %u is not one of this application's", id);
	if ((efd = ffpf_export_eventfd(f->fn[id])) < 0)
		return send_error(a, EINVAL, "%s is not an export function", f->fn[id]->name);
	r.exporting.fn_id = id;
	r.exporting.ring_slots = 0;   /* the geometry is in the shared queue's header */
	r.exporting.slot_size = 0;
	r.exporting.ring_bytes = a->g->arena->size;
	fds[0] = a->g->arena->fd;
	fds[1] = efd;
	return send_msg(a, &r, fds, 2);
}

static void status_fn(struct strbuf *sb, const struct fgroup *g, const struct ffpf_fn *fn, int first)
{
	sb_puts(sb, first ? "" : ",");
	sb_printf(sb, "{\"id\":%u,\"name\":", fn->id);
	sb_json(sb, fn->name);
	sb_puts(sb, ",\"class\":");
	sb_json(sb, fn->cls->name);
	sb_puts(sb, ",\"params\":");
	sb_json(sb, fn->args->canon);
	sb_printf(sb, ",\"users\":%u,\"flowspace\":\"%s\",\"in\":%llu,\"passed\":%llu,\"dropped\":%llu}",
		  fn->users, fn->runs[0] ? fn->runs : "host", (unsigned long long)fn->in,
		  (unsigned long long)fn->passed,
		  (unsigned long long)(fn->in > fn->passed ? fn->in - fn->passed : 0));
	(void)g;
}

static int on_status(struct ffpfd *d, struct app *a)
{
	struct strbuf sb = {0};
	struct ffpf_msg r = {.type = FFPF_MSG_STATUS_TEXT};
	int rc;

	sb_printf(&sb, "{\"pid\":%d,\"socket\":", (int)getpid());
	sb_json(&sb, d->path);
	sb_printf(&sb, ",\"group_by\":\"%s\",\"applications\":[", ffpfd_group_by_name(d->o.group_by));
	/* root sees everything; others see their own flowgroup only */
	int n = 0;
	for (unsigned i = 0; i < d->napps; i++) {
		const struct app *x = d->apps[i];
		if (a->uid && x->g != a->g)
			continue;
		sb_printf(&sb, "%s{\"id\":%u,\"name\":", n++ ? "," : "", x->id);
		sb_json(&sb, x->name);
		sb_printf(&sb, ",\"pid\":%d,\"uid\":%u,\"group\":", (int)x->pid, (unsigned)x->uid);
		sb_json(&sb, x->g ? x->g->name : "");
		sb_printf(&sb, ",\"functions\":%u}", x->nfns);
	}
	sb_puts(&sb, "],\"flowgroups\":[");
	n = 0;
	for (unsigned i = 0; i < d->ngroups; i++) {
		const struct fgroup *g = d->groups[i];
		int first = 1;
		if (a->uid && g != a->g)
			continue;
		sb_printf(&sb, "%s{\"id\":%u,\"name\":", n++ ? "," : "", g->id);
		sb_json(&sb, g->name);
		unsigned npb = 0;
		for (unsigned k = 0; g->f && k < g->f->nfn; k++)
			npb += g->f->fn[k]->shpbuf != NULL && !g->f->fn[k]->dead;
		sb_printf(&sb, ",\"applications\":%u,\"packets\":%llu,\"shared_pbufs\":%u,"
			  "\"arena_bytes\":%zu,\"arena_top\":%zu,\"failed\":",
			  g->napps, (unsigned long long)(g->f ? g->f->packets : 0), npb, g->arena ? g->arena->live : 0,
			  g->arena ? g->arena->used : 0);
		sb_json(&sb, g->failed);
		sb_puts(&sb, ",\"functions\":[");
		for (unsigned k = 0; g->f && k < g->f->nfn; k++)
			if (!g->f->fn[k]->dead) {
				status_fn(&sb, g, g->f->fn[k], first);
				first = 0;
			}
		sb_puts(&sb, "]}");
	}
	sb_puts(&sb, "]}");
	if (sb.oom || sb.len > FFPF_PROTO_MAX_TEXT) {
		sb_free(&sb);
		return send_error(a, E2BIG, "the status is larger than one message");
	}
	r.status_text.text = sb.s;
	rc = send_msg(a, &r, NULL, 0);
	sb_free(&sb);
	return rc;
}

/* One message from application i.  Returns 0 to keep it, -1 to drop it (done by the caller). */
static int on_message(struct ffpfd *d, struct app *a, const char **why)
{
	struct ffpf_msg m;
	int fds[FFPF_PROTO_MAX_FDS];
	unsigned nfds = 0;
	char err[512];
	int rc = ffpf_proto_recv(a->fd, &a->conn, &m, fds, FFPF_PROTO_MAX_FDS, &nfds, 0, err, sizeof(err));

	if (rc == -ETIMEDOUT || rc == -EAGAIN)
		return 0;
	if (rc == -EPIPE)
		return *why = "gone", -1;
	if (rc == -EPROTO) {
		logf_("app %u (%s): protocol error: %s", a->id, a->name, err);
		send_error(a, EPROTO, "%s", err);
		return ++a->errors >= MAX_ERRORS ? (*why = "too many protocol errors", -1) : 0;
	}
	if (rc)
		return *why = "receive failed", -1;
	for (unsigned k = 0; k < nfds; k++)
		close(fds[k]); /* applications send none today; proto.c already refused them */
	if (!a->g && m.type != FFPF_MSG_HELLO) {
		send_error(a, EPROTO, "the first message must be HELLO, not %s", ffpf_msg_name(m.type));
		return *why = "no HELLO", -1;
	}
	switch (m.type) {
	case FFPF_MSG_HELLO:
		if (a->g)
			return send_error(a, EPROTO, "HELLO twice"), 0;
		return on_hello(d, a, &m) ? (*why = "refused", -1) : 0;
	case FFPF_MSG_POPULATE: rc = on_populate(d, a, &m); break;
	case FFPF_MSG_RESULTS: rc = on_results(a, &m); break;
	case FFPF_MSG_STATUS: rc = on_status(d, a); break;
	case FFPF_MSG_EXPORT: rc = on_export(a, &m); break;
	case FFPF_MSG_BYE: return *why = "said BYE", -1;
	default: rc = send_error(a, EPROTO, "%s is not a request", ffpf_msg_name(m.type));
	}
	return rc == -EAGAIN || rc == -EPIPE ? (*why = "does not read its replies", -1) : 0;
}

/* ---- the loop ------------------------------------------------------------------------------- */

/* Run each group's batches while packets wait (a budget per group, then the sockets again). */
static int run_groups(struct ffpfd *d)
{
	int busy = 0;
	for (unsigned i = 0; i < d->ngroups; i++) {
		struct fgroup *g = d->groups[i];
		int rc = 1;
		if (!g->f || g->f->state != FFPF_S_ACTIVE || g->failed[0])
			continue;
		for (unsigned k = 0; k < BATCH_BUDGET && rc == 1; k++)
			rc = ffpf_engine_step(g->f);
		if (rc < 0) {
			snprintf(g->failed, sizeof(g->failed), "%s", ffpf_errmsg(g->f));
			logf_("flowgroup %s: %s", g->name, g->failed);
		}
		g->idle = rc != 1;
		busy |= rc == 1;
	}
	return busy;
}

static unsigned source_fds(const struct ffpfd *d, struct pollfd *p, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < d->ngroups; i++) {
		const struct ffpf *f = d->groups[i]->f;
		for (unsigned k = 0; f && f->state == FFPF_S_ACTIVE && k < f->nfn && n < max; k++) {
			const struct ffpf_fn *fn = f->fn[k];
			if ((fn->cls->flags & FFPF_CLASS_SOURCE) && fn->cls->poll_fd && !fn->exhausted &&
			    !fn->dead && fn->cls->poll_fd(fn) >= 0) {
				p[n].fd = fn->cls->poll_fd(fn);
				p[n++].events = POLLIN;
			}
		}
	}
	return n;
}

int ffpfd_run(struct ffpfd *d, volatile sig_atomic_t *stop)
{
	unsigned cap = (d->o.max_apps ? d->o.max_apps : 256) + 257;
	struct pollfd *p = calloc(cap, sizeof(*p));
	int busy = 0;

	if (!p)
		return -ENOMEM;
	while (!*stop) {
		unsigned n = 0, napps = d->napps;
		p[n++] = (struct pollfd){.fd = d->lfd, .events = POLLIN};
		for (unsigned i = 0; i < napps; i++)
			p[n++] = (struct pollfd){.fd = d->apps[i]->fd, .events = POLLIN};
		n += source_fds(d, p + n, cap - n);
		if (poll(p, n, busy ? 0 : settle_wait(d, 100)) < 0 && errno != EINTR)
			break;
		for (unsigned i = napps; i-- > 0;) { /* backwards: app_drop moves the last one here */
			const char *why = NULL;
			if (p[1 + i].revents && on_message(d, d->apps[i], &why) < 0)
				app_drop(d, i, why);
		}
		if (p[0].revents & POLLIN)
			accept_app(d);
		settle_due(d);
		busy = run_groups(d);
	}
	free(p);
	return 0;
}

struct ffpfd *ffpfd_open(const struct ffpfd_opts *opts, char *err, size_t n)
{
	struct ffpfd *d = calloc(1, sizeof(*d));
	int fd;

	if (!d || !(d->buf = malloc(sizeof(*d->buf))) ||
	    !(d->apps = calloc(opts->max_apps ? opts->max_apps : 256, sizeof(*d->apps)))) {
		snprintf(err, n, "out of memory");
		goto fail;
	}
	d->o = *opts;
	snprintf(d->path, sizeof(d->path), "%s", opts->socket);
	if (strlen(opts->socket) >= sizeof(d->path)) {
		snprintf(err, n, "socket path too long (at most %zu bytes): %s", sizeof(d->path) - 1, opts->socket);
		goto fail;
	}
	fd = ffpf_proto_connect(d->path, err, n);
	if (fd >= 0) {
		close(fd);
		snprintf(err, n, "another ffpfd already serves %s", d->path);
		goto fail;
	}
	unlink(d->path); /* a stale socket of a daemon that died */
	if ((d->lfd = ffpf_proto_listen(d->path, err, n)) < 0)
		goto fail;
	if (chmod(d->path, opts->mode_set ? opts->mode : 0666)) {
		snprintf(err, n, "chmod %s: %s", d->path, strerror(errno));
		close(d->lfd);
		goto fail;
	}
	logf_("serving %s (flowgroups by %s)", d->path, ffpfd_group_by_name(opts->group_by));
	return d;
fail:
	if (d) {
		free(d->buf);
		free(d->apps);
	}
	free(d);
	return NULL;
}

void ffpfd_close(struct ffpfd *d)
{
	if (!d)
		return;
	while (d->napps) {
		struct ffpf_msg bye = {.type = FFPF_MSG_BYE};
		if (d->apps[d->napps - 1]->g)
			send_msg(d->apps[d->napps - 1], &bye, NULL, 0);
		app_drop(d, d->napps - 1, "daemon stopping");
	}
	while (d->ngroups)
		group_free(d, d->groups[0]);
	close(d->lfd);
	unlink(d->path);
	logf_("stopped");
	free(d->apps);
	free(d->buf);
	free(d);
}
