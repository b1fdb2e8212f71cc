/* client.c — the library served by ffpfd (see client.h). */
#include "daemon/client.h"
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "daemon/proto.h"
#include "daemon/shring.h"
#include "ffpf_int.h"
#include "util/strbuf.h"

#define MAX_VALUES 32
#define REPLY_MS   10000 /* a daemon that does not answer a request in this long is stuck */

/* A table result's storage: the cells and the column names the value points to. */
struct rtable {
	char *names;                     /* the names, '\n' turned into '\0' */
	const char *cols[FFPF_PROTO_MAX_COLS];
	uint64_t *cells;
};

struct rfn {
	uint32_t id;                     /* the daemon's */
	char *name, *params;
	const struct ffpf_class *cls;
	unsigned flags;
	uint64_t in, passed, drops[FFPF_DROP_MAX];
	uint64_t mbuf_off, mbuf_size;
	struct ffpf_value vals[MAX_VALUES]; /* by the class's result index */
	char *strs[MAX_VALUES];
	struct rtable *tabs[MAX_VALUES];    /* table results, as the last RESULT gave them */
	char **gone_strs;                /* string results replaced by newer ones: an application
	                                  * may hold them, so they go only with the handle */
	unsigned ngone_strs;
	unsigned *inputs, ninputs;       /* local indices */
	char *input_ids;                 /* the daemon's, as POPULATED gave them */
	int final;                       /* its sources have ended */
	/* export functions, once read: our position in the daemon's queue for it */
	const struct ffpf_shring *ring;  /* in the mapping: only its head is read there */
	struct ffpf_shring geo;          /* our copy of its geometry, checked once */
	int efd;
	uint64_t pos, lost, delivered;
	uint8_t *copy;                   /* the packet handed out last (the slot may be reused) */
	struct ffpf_fn_info info;
};

struct ffpf_remote {
	int fd;
	struct ffpf_conn conn;
	struct ffpf_proto_buf *buf;
	uint32_t app_id, group_id;
	char group[48];
	struct rfn *fns;
	unsigned n;
	const uint8_t *arena;            /* the flowgroup's MBufs, mapped read-only */
	size_t arena_size;
	double last_refresh;
	int gone;
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Send m, receive the reply; *fd (if fd) gets the reply's fd number `which`, others close. */
static int xfer_fd(struct ffpf *f, struct ffpf_msg *m, struct ffpf_msg *reply, int *fd, unsigned which)
{
	struct ffpf_remote *r = f->remote;
	char err[512];
	int fds[FFPF_PROTO_MAX_FDS];
	unsigned nfds = 0;
	int rc;

	if (r->gone)
		return ffpf_fail(f, -EPIPE, "the ffpf daemon went away; results are incomplete");
	m->seq = ffpf_conn_next_seq(&r->conn);
	m->version = r->conn.version ? r->conn.version : FFPF_PROTO_VERSION_MIN;
	if ((rc = ffpf_proto_send(r->fd, m, NULL, 0, err, sizeof(err))) ||
	    (rc = ffpf_proto_recv(r->fd, &r->conn, reply, fds, FFPF_PROTO_MAX_FDS, &nfds, REPLY_MS, err,
				  sizeof(err)))) {
		r->gone = rc == -EPIPE;
		return ffpf_fail(f, rc, "ffpf daemon: %s", rc == -EPIPE ? "it went away; results are "
				 "incomplete" : err);
	}
	if (reply->type == FFPF_MSG_BYE) {
		r->gone = 1;
		return ffpf_fail(f, -EPIPE, "the ffpf daemon is stopping; results are incomplete");
	}
	for (unsigned k = 0; k < nfds; k++) {
		if (fd && k == which)
			*fd = fds[k];
		else
			close(fds[k]);
	}
	if (reply->type == FFPF_MSG_ERROR)
		return ffpf_fail(f, -(int)(reply->error.err ? reply->error.err : EIO), "%s", reply->error.message);
	return 0;
}

static int xfer(struct ffpf *f, struct ffpf_msg *m, struct ffpf_msg *reply, int *fd)
{
	return xfer_fd(f, m, reply, fd, 0);
}

static int hello(struct ffpf *f)
{
	struct ffpf_remote *r = f->remote;
	struct ffpf_msg m = {.type = FFPF_MSG_HELLO}, w;
	char name[64];
	int rc;

	snprintf(name, sizeof(name), "%.40s[%d]", program_invocation_short_name, (int)getpid());
	m.hello.max_version = FFPF_PROTO_VERSION;
	m.hello.app_name = name;
	if ((rc = xfer(f, &m, &w, NULL)))
		return rc;
	if (w.type != FFPF_MSG_WELCOME)
		return ffpf_fail(f, -EPROTO, "ffpf daemon: answered HELLO with %s", ffpf_msg_name(w.type));
	r->conn.version = (uint16_t)w.welcome.version;
	r->app_id = w.welcome.app_id;
	r->group_id = w.welcome.group_id;
	snprintf(r->group, sizeof(r->group), "%s", w.welcome.group_name);
	return 0;
}

int ffpf_remote_open(struct ffpf *f)
{
	const char *env = getenv("FFPF_SOCKET"), *path = f->opts.daemon;
	char err[512];
	int fd, rc;

	if (!path && env && *env)
		path = env;
	if (!path)
		return 0;
	fd = ffpf_proto_connect(path, err, sizeof(err));
	if (fd < 0) {
		if (!f->opts.daemon && (fd == -ENOENT || fd == -ECONNREFUSED))
			return 0; /* $FFPF_SOCKET with no daemon there: run embedded */
		return ffpf_fail(f, fd, "cannot reach the ffpf daemon at %s: %s", path, err);
	}
	if (!(f->remote = calloc(1, sizeof(*f->remote))) || !(f->remote->buf = malloc(sizeof(*f->remote->buf)))) {
		close(fd);
		free(f->remote);
		f->remote = NULL;
		return ffpf_fail(f, -ENOMEM, "out of memory");
	}
	f->remote->fd = fd;
	ffpf_conn_init(&f->remote->conn, f->remote->buf, FFPF_PROTO_APP);
	if ((rc = hello(f))) {
		ffpf_remote_close(f);
		return rc;
	}
	return 0;
}

static void free_table(struct rtable *t)
{
	if (t) {
		free(t->names);
		free(t->cells);
		free(t);
	}
}

/* Table t of a RESULT (its cells from `cells`) as result j of x.  -ENOMEM leaves x as it was. */
/* String result j of x becomes s; the one it replaces is kept until the handle closes (the
 * application may still hold it). */
static int keep_str(struct rfn *x, unsigned j, const char *s)
{
	char *n = strdup(s);

	if (!n)
		return -ENOMEM;
	if (x->strs[j]) {
		char **g = realloc(x->gone_strs, (x->ngone_strs + 1) * sizeof(char *));
		if (!g)
			return free(n), -ENOMEM;
		x->gone_strs = g;
		x->gone_strs[x->ngone_strs++] = x->strs[j];
	}
	x->strs[j] = n;
	x->vals[j].str = n;
	return 0;
}

/* Cells one RESULT can carry at most: a table's buffer has room for them from the start, so
 * that the pointer an application got stays valid (its contents are updated in place, as an
 * in-process table's are). */
#define MAX_CELLS (FFPF_PROTO_MAX_PAYLOAD / 8)

static struct rtable *new_table(const struct ffpf_proto_table *t)
{
	struct rtable *n = calloc(1, sizeof(*n));
	unsigned c = 0;

	if (!n || !(n->names = strdup(t->cols)) || !(n->cells = malloc(MAX_CELLS * sizeof(uint64_t))))
		return free_table(n), NULL;
	for (char *p = n->names, *e; c < t->ncols && (e = strchr(p, '\n')); p = e + 1) {
		*e = '\0';
		n->cols[c++] = p;
	}
	return n;
}

/* Table t of a RESULT (its cells from `cells`) as result j of x.  -ENOMEM leaves x as it was. */
static int take_table(struct rfn *x, unsigned j, const struct ffpf_proto_table *t, const uint64_t *cells)
{
	size_t nc = (size_t)t->nrows * t->ncols;
	struct rtable *n = x->tabs[j];

	if (nc > MAX_CELLS)
		return -EPROTO; /* cannot be: a RESULT holds no more */
	if (n && x->vals[j].table.ncols != t->ncols)
		return 0; /* a result's columns do not change: not this table */
	if (!n && !(n = x->tabs[j] = new_table(t)))
		return -ENOMEM;
	memcpy(n->cells, cells, nc * sizeof(uint64_t));
	x->vals[j] = (struct ffpf_value){.type = FFPF_V_TABLE};
	x->vals[j].table.ncols = t->ncols;
	x->vals[j].table.cols = n->cols;
	x->vals[j].table.nrows = t->nrows;
	x->vals[j].table.cells = n->cells;
	x->vals[j].table.truncated = !!(t->flags & FFPF_TABLE_TRUNCATED);
	return 0;
}

static void free_fn(struct rfn *x)
{
	free(x->name);
	free(x->params);
	free(x->inputs);
	free(x->input_ids);
	free(x->copy);
	if (x->efd >= 0)
		close(x->efd);
	for (unsigned k = 0; k < MAX_VALUES; k++) {
		free(x->strs[k]);
		free_table(x->tabs[k]);
	}
	for (unsigned k = 0; k < x->ngone_strs; k++)
		free(x->gone_strs[k]);
	free(x->gone_strs);
}

void ffpf_remote_close(struct ffpf *f)
{
	struct ffpf_remote *r = f->remote;
	char err[64];
	if (!r)
		return;
	if (!r->gone) {
		struct ffpf_msg bye = {.type = FFPF_MSG_BYE, .seq = ffpf_conn_next_seq(&r->conn),
				       .version = r->conn.version};
		ffpf_proto_send(r->fd, &bye, NULL, 0, err, sizeof(err));
	}
	close(r->fd);
	if (r->arena)
		munmap((void *)(uintptr_t)r->arena, r->arena_size);
	for (unsigned i = 0; i < r->n; i++)
		free_fn(&r->fns[i]);
	free(r->fns);
	free(r->buf);
	free(r);
	f->remote = NULL;
}

/* The arena fd: map it once (read-only: the daemon sealed it against writable mappings). */
static void map_arena(struct ffpf_remote *r, int fd, uint64_t size)
{
	if (!r->arena && fd >= 0 && size) {
		void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
		if (p != MAP_FAILED) {
			r->arena = p;
			r->arena_size = size;
		}
	}
	if (fd >= 0)
		close(fd);
}

/* Inputs as local indices (a function's inputs were part of its request, so they are here). */
static int link_inputs(struct ffpf *f)
{
	struct ffpf_remote *r = f->remote;
	for (unsigned i = 0; i < r->n; i++) {
		struct rfn *x = &r->fns[i];
		const char *s = x->input_ids;
		free(x->inputs);
		x->inputs = calloc(strlen(s) / 2 + 2, sizeof(unsigned));
		x->ninputs = 0;
		if (!x->inputs)
			return ffpf_fail(f, -ENOMEM, "out of memory");
		while (*s) {
			char *end;
			unsigned long id = strtoul(s, &end, 10);
			for (unsigned k = 0; k < r->n; k++)
				if (r->fns[k].id == id) {
					x->inputs[x->ninputs++] = k;
					break;
				}
			s = *end == ',' ? end + 1 : end + (*end != 0);
		}
	}
	return 0;
}

static int add_fns(struct ffpf *f, const struct ffpf_msg_populated *p)
{
	struct ffpf_remote *r = f->remote;
	struct rfn *v = realloc(r->fns, (r->n + p->n) * sizeof(*v));

	if (!v)
		return ffpf_fail(f, -ENOMEM, "out of memory");
	r->fns = v;
	for (uint32_t k = 0; k < p->n; k++) {
		struct rfn *x = &r->fns[r->n];
		const struct ffpf_proto_fn *q = &p->fns[k];
		memset(x, 0, sizeof(*x));
		x->efd = -1; /* no export queue opened */
		x->id = q->fn_id;
		x->name = strdup(q->name);
		x->params = strdup(q->params);
		x->cls = ffpf_class_find(q->cls);
		x->flags = q->flags;
		x->mbuf_off = q->mbuf_off;
		x->mbuf_size = q->mbuf_size;
		x->input_ids = strdup(q->inputs);
		if (!x->name || !x->params || !x->cls || !x->input_ids) {
			free_fn(x);
			return ffpf_fail(f, x->cls ? -ENOMEM : -EPROTO, "ffpf daemon: function '%s' of class "
					 "'%s' is unknown here (daemon and library differ)", q->name, q->cls);
		}
		r->n++;
	}
	return link_inputs(f);
}

static int refresh_one(struct ffpf *f, struct rfn *x);

int ffpf_remote_populate(struct ffpf *f, const char *text, const char *origin)
{
	struct ffpf_msg m = {.type = FFPF_MSG_POPULATE}, a;
	struct strbuf req = {0};
	int fd = -1, rc;

	/* The default sources (-r, -i) go first, as a chain of their own feeding nothing: the
	 * daemon attaches them like in-process defaults only if the request names no source. */
	for (unsigned i = 0; i < f->ndefaults; i++)
		sb_printf(&req, "#default %s\n", f->defaults[i]);
	sb_puts(&req, text);
	if (req.oom)
		return ffpf_fail(f, -ENOMEM, "out of memory");
	m.populate.request = req.s;
	m.populate.origin = origin;
	rc = xfer(f, &m, &a, &fd);
	sb_free(&req);
	if (rc)
		return rc;
	if (a.type != FFPF_MSG_POPULATED) {
		if (fd >= 0)
			close(fd);
		return ffpf_fail(f, -EPROTO, "ffpf daemon: answered POPULATE with %s", ffpf_msg_name(a.type));
	}
	map_arena(f->remote, fd, a.populated.arena_size);
	return add_fns(f, &a.populated);
}

static int refresh_one(struct ffpf *f, struct rfn *x)
{
	struct ffpf_msg m = {.type = FFPF_MSG_RESULTS}, a;
	int rc;

	m.results.fn_id = x->id;
	if ((rc = xfer(f, &m, &a, NULL)))
		return rc;
	if (a.type != FFPF_MSG_RESULT || a.result.fn_id != x->id)
		return ffpf_fail(f, -EPROTO, "ffpf daemon: answered RESULTS with %s", ffpf_msg_name(a.type));
	x->in = a.result.in;
	x->passed = a.result.passed;
	x->final = !!(a.result.flags & FFPF_RESULT_FINAL);
	memset(x->drops, 0, sizeof(x->drops));
	for (uint32_t k = 0; k < a.result.ndrops; k++)
		for (unsigned d = 0; d < FFPF_DROP_MAX; d++)
			if (!strcmp(a.result.drops[k].reason, ffpf_drop_name(d)))
				x->drops[d] = a.result.drops[k].n;

	for (uint32_t k = 0; k < a.result.nvalues; k++)
		for (unsigned j = 0; j < x->cls->nresults && j < MAX_VALUES; j++) {
			const struct ffpf_proto_value *v = &a.result.values[k];
			if (strcmp(v->name, x->cls->results[j].name))
				continue;
			x->vals[j].type = v->type == FFPF_PROTO_V_STR ? FFPF_V_STR : FFPF_V_U64;
			if (v->type == FFPF_PROTO_V_STR) {
				if (x->strs[j] && !strcmp(x->strs[j], v->str))
					continue; /* unchanged: the pointer handed out stays */
				if (keep_str(x, j, v->str))
					return ffpf_fail(f, -ENOMEM, "out of memory");
			} else {
				x->vals[j].u64 = v->u64;
			}
		}
	const uint64_t *cells = a.result.cells; /* decoded: the tables' shapes match the cells */
	for (uint32_t k = 0; k < a.result.ntables; k++) {
		const struct ffpf_proto_table *t = &a.result.tables[k];
		for (unsigned j = 0; j < x->cls->nresults && j < MAX_VALUES; j++)
			if (x->cls->results[j].type == FFPF_V_TABLE && !strcmp(t->name, x->cls->results[j].name) &&
			    take_table(x, j, t, cells))
				return ffpf_fail(f, -ENOMEM, "out of memory");
		cells += (size_t)t->nrows * t->ncols;
	}
	return 0;
}

static int refresh(struct ffpf *f)
{
	int rc;
	for (unsigned i = 0; i < f->remote->n; i++)
		if ((rc = refresh_one(f, &f->remote->fns[i])))
			return rc;
	f->remote->last_refresh = now_s();
	return 0;
}

/* Whether this handle must ask for results while it runs: to see its trace sources end
 * (RESULT's FINAL) or -c N reached.  Otherwise results are fetched when read (fresh()). */
static int must_poll(const struct ffpf *f)
{
	const struct ffpf_remote *r = f->remote;
	if (f->opts.max_packets)
		return 1;
	for (unsigned i = 0; i < r->n; i++)
		if ((r->fns[i].flags & 1) && r->fns[i].cls->progress)
			return 1;
	return 0;
}

/* Results older than this are fetched again when the application reads them. */
#define FRESH_S 0.2

/* The cached results of a served handle, fetched again if stale.  The handle is const to
 * readers of results, but its cache of the daemon's answers is not what they read as state:
 * refreshing it is invisible but for fresher numbers (an error leaves the old ones, and the
 * next step reports a daemon that went away). */
static void fresh(const struct ffpf *f)
{
	struct ffpf *m = (struct ffpf *)(uintptr_t)f;
	if (!m->remote->gone && now_s() - m->remote->last_refresh >= FRESH_S) {
		m->remote->last_refresh = now_s(); /* a failure is not retried at every read */
		refresh(m);
	}
}

int ffpf_remote_step(struct ffpf *f)
{
	struct ffpf_remote *r = f->remote;
	struct pollfd p = {.fd = r->fd, .events = POLLIN};
	int polling = must_poll(f);

	/* The daemon speaks only when asked, so anything readable now is its BYE or EOF.  An
	 * application served by the daemon mostly waits: a quarter second per step and one
	 * refresh a second when it must watch for the end (traces, -c N), else a second per step
	 * and a refresh every 5 s: eight idle live clients then cost ~0.1 ms of CPU a second. */
	if (poll(&p, 1, polling ? 250 : 1000) > 0) {
		char buf[64];
		if (recv(r->fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT) <= 0 || (p.revents & POLLHUP)) {
			r->gone = 1;
			return ffpf_fail(f, -EPIPE, "the ffpf daemon went away; results are incomplete");
		}
		struct ffpf_msg m;
		int fds[FFPF_PROTO_MAX_FDS];
		unsigned nfds = 0;
		char err[256];
		if (!ffpf_proto_recv(r->fd, &r->conn, &m, fds, FFPF_PROTO_MAX_FDS, &nfds, 0, err, sizeof(err)) &&
		    m.type == FFPF_MSG_BYE) {
			r->gone = 1;
			return ffpf_fail(f, -EPIPE, "the ffpf daemon is stopping; results are incomplete");
		}
	}
	/* live sources only: every 5 s, for a source that ended (a device that could not open) */
	if (now_s() - r->last_refresh >= (polling ? 1.0 : 5.0)) {
		int all = 1;
		if (refresh(f))
			return -EPIPE;
		for (unsigned i = 0; i < r->n; i++)
			all &= r->fns[i].final;
		/* -c N: the daemon's sources are shared, so it ends once about N have been seen */
		if (f->opts.max_packets && ffpf_remote_packets(f) >= f->opts.max_packets)
			return 0;
		return all ? 0 : 1; /* every source has ended: the results are final */
	}
	return 1;
}

int ffpf_remote_finish(struct ffpf *f)
{
	return refresh(f);
}

unsigned ffpf_remote_count(const struct ffpf *f)
{
	return f->remote->n;
}

const struct ffpf_fn_info *ffpf_remote_info(struct ffpf *f, unsigned id)
{
	struct rfn *x;
	struct ffpf_fn_info *i;

	if (id >= f->remote->n)
		return NULL;
	fresh(f);
	x = &f->remote->fns[id];
	i = &x->info;
	memset(i, 0, sizeof(*i));
	i->name = x->name;
	i->cls = x->cls->name;
	i->params = x->params;
	i->flowspace = "ffpfd";
	i->placed = "";
	i->where = "";
	i->mode = (x->flags & 1) ? "source" : "daemon";
	i->why = "";
	i->id = id;
	i->ninputs = x->ninputs;
	i->inputs = x->inputs;
	i->nrequests = 1;
	i->in = x->in;
	i->passed = x->passed;
	memcpy(i->drops, x->drops, sizeof(i->drops));
	if (x->ring) /* this reader's own losses: another reader of the export has its own */
		i->drops[FFPF_DROP_READER_OVERRUN] = x->lost;
	i->mbuf_size = (size_t)x->mbuf_size;
	i->nresults = x->cls->nresults;
	return i;
}

int ffpf_remote_lookup(const struct ffpf *f, const char *name)
{
	for (unsigned i = 0; name && i < f->remote->n; i++)
		if (!strcmp(f->remote->fns[i].name, name))
			return (int)i;
	return -ENOENT;
}

const struct ffpf_result_desc *ffpf_remote_desc(const struct ffpf *f, unsigned id, unsigned j)
{
	if (id >= f->remote->n || j >= f->remote->fns[id].cls->nresults)
		return NULL;
	return &f->remote->fns[id].cls->results[j];
}

int ffpf_remote_result(const struct ffpf *f, unsigned id, unsigned j, struct ffpf_value *v)
{
	const struct ffpf_remote *r = f->remote;
	const struct rfn *x;
	const struct ffpf_result_desc *d = ffpf_remote_desc(f, id, j);

	if (!d)
		return -ENOENT;
	x = &r->fns[id];
	if (!(d->type == FFPF_V_U64 && !x->cls->read && r->arena)) /* not read in place */
		fresh(f);
	memset(v, 0, sizeof(*v));
	/* A counter with no read(): straight from the shared MBuf, current to the batch. */
	if (d->type == FFPF_V_U64 && !x->cls->read && r->arena && x->mbuf_size >= d->mbuf_off + 8 &&
	    x->mbuf_off + x->mbuf_size <= r->arena_size) {
		v->type = FFPF_V_U64;
		v->u64 = __atomic_load_n((const uint64_t *)(const void *)(r->arena + x->mbuf_off + d->mbuf_off),
					 __ATOMIC_RELAXED);
		return 0;
	}
	if (j >= MAX_VALUES || (d->type == FFPF_V_TABLE && !x->tabs[j]))
		return -ENOTSUP; /* a table from a daemon of protocol 1 */
	if (x->ring && j >= 1 && j <= 3) { /* export: what this application read, has left, lost */
		uint64_t head = __atomic_load_n(&x->ring->head, __ATOMIC_ACQUIRE);
		v->type = FFPF_V_U64;
		v->u64 = j == 1 ? x->delivered : j == 3 ? x->lost : head > x->pos ? head - x->pos : 0;
		return 0;
	}
	*v = x->vals[j];
	v->type = d->type;
	if (v->type == FFPF_V_STR && !v->str)
		v->str = "";
	return 0;
}

uint64_t ffpf_remote_packets(const struct ffpf *f)
{
	fresh(f);
	uint64_t n = 0;
	for (unsigned i = 0; i < f->remote->n; i++)
		if (f->remote->fns[i].flags & 1)
			n += f->remote->fns[i].in;
	return n;
}

/* ---- packets from the daemon (shring.h) ---------------------------------------------------- */

static int in_arena(const struct ffpf_remote *r, uint64_t off, uint64_t len)
{
	return off <= r->arena_size && len <= r->arena_size - off;
}

/* The export's queue: asked for once, then read in the mapped arena.  Every offset the
 * daemon wrote is checked against the mapping before it is used. */
static int open_queue(struct ffpf *f, struct rfn *x)
{
	struct ffpf_remote *r = f->remote;
	struct ffpf_msg m = {.type = FFPF_MSG_EXPORT}, a;
	const struct ffpf_shring *q;
	uint64_t off;
	int fd = -1, rc;

	m.export.fn_id = x->id;
	if ((rc = xfer_fd(f, &m, &a, &fd, 1))) /* the eventfd; the arena is mapped already */
		return rc;
	x->efd = fd;
	if (a.type != FFPF_MSG_EXPORTING || !r->arena || !in_arena(r, x->mbuf_off, 24))
		return ffpf_fail(f, -EPROTO, "ffpf daemon: no shared queue for %s", x->name);
	memcpy(&off, r->arena + x->mbuf_off + 16, 8);
	if (!in_arena(r, off, sizeof(*q)) || off % 8)
		return ffpf_fail(f, -EPROTO, "ffpf daemon: the shared queue of %s is outside its memory", x->name);
	/* Checked in a copy, used from the copy: the daemon's memory could change after the check,
	 * and a reader must never be led outside its mapping. */
	x->ring = (const struct ffpf_shring *)(const void *)(r->arena + off);
	memcpy(&x->geo, x->ring, sizeof(x->geo));
	q = &x->geo;
	if (q->magic != FFPF_SH_MAGIC || q->version != FFPF_SH_VERSION ||
	    !q->nslots || (q->nslots & (q->nslots - 1)) || q->nsrc > FFPF_SH_MAX_SRC ||
	    !in_arena(r, q->entries_off, (uint64_t)q->nslots * sizeof(struct ffpf_shentry)))
		return x->ring = NULL, ffpf_fail(f, -EPROTO, "ffpf daemon: the shared queue of %s is malformed", x->name);
	for (uint32_t k = 0; k < q->nsrc; k++) {
		const struct ffpf_shpbuf *p = &q->src[k];
		if (!p->nslots || (p->nslots & (p->nslots - 1)) || p->slot_size > 65536 ||
		    !in_arena(r, p->meta_off, (uint64_t)p->nslots * sizeof(struct ffpf_shmeta)) ||
		    !in_arena(r, p->data_off, (uint64_t)p->nslots * p->slot_size))
			return x->ring = NULL, ffpf_fail(f, -EPROTO, "ffpf daemon: the packet buffer of %s is malformed",
							 x->name);
	}
	if (!(x->copy = malloc(65536))) {
		x->ring = NULL;
		return ffpf_fail(f, -ENOMEM, "out of memory");
	}
	/* From the start while the queue still holds it, else from now (a long-shared export) */
	uint64_t head = __atomic_load_n(&x->ring->head, __ATOMIC_ACQUIRE);
	x->pos = head > q->nslots ? head : 0;
	return 0;
}

/* The next entry of x's queue as a packet in x->copy; 1, or 0 if none now.  Entries the
 * daemon overwrote before we got to them are counted as lost. */
static int take_entry(struct ffpf_remote *r, struct rfn *x, struct ffpf_packet *p)
{
	const struct ffpf_shring *q = &x->geo; /* checked geometry; head from the mapping */
	const struct ffpf_shentry *ents = (const void *)(r->arena + q->entries_off);

	for (;;) {
		uint64_t head = __atomic_load_n(&x->ring->head, __ATOMIC_ACQUIRE);
		struct ffpf_shentry e;
		if (head - x->pos > q->nslots) { /* fell behind: the oldest are gone */
			x->lost += head - q->nslots - x->pos;
			x->pos = head - q->nslots;
		}
		if (x->pos >= head)
			return 0;
		e = ents[x->pos & (q->nslots - 1)];
		if (__atomic_load_n(&x->ring->head, __ATOMIC_ACQUIRE) - x->pos > q->nslots || e.src >= q->nsrc) {
			x->lost++; /* overwritten while we read it */
			x->pos++;
			continue;
		}
		const struct ffpf_shpbuf *pb = &q->src[e.src];
		const struct ffpf_shmeta *m = (const struct ffpf_shmeta *)(const void *)(r->arena + pb->meta_off) +
					      (e.seq & (pb->nslots - 1));
		uint64_t s1 = __atomic_load_n(&m->seq, __ATOMIC_ACQUIRE);
		uint32_t n = m->caplen < pb->slot_size ? m->caplen : pb->slot_size;
		memcpy(x->copy, r->arena + pb->data_off + (size_t)(e.seq & (pb->nslots - 1)) * pb->slot_size, n);
		p->ts_ns = m->ts_ns;
		p->wirelen = m->wirelen;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		x->pos++;
		if (s1 != e.seq || __atomic_load_n(&m->seq, __ATOMIC_RELAXED) != e.seq) {
			x->lost++; /* the group's PBuf slot went to a newer packet */
			continue;
		}
		p->data = x->copy;
		p->caplen = n;
		p->cls = e.cls;
		p->linktype = pb->linktype;
		x->delivered++;
		return 1;
	}
}

static int all_final(const struct ffpf_remote *r)
{
	for (unsigned i = 0; i < r->n; i++)
		if (!r->fns[i].final)
			return 0;
	return 1;
}

int ffpf_remote_export_next(struct ffpf *f, const char *name, struct ffpf_packet *p)
{
	struct ffpf_remote *r = f->remote;
	int id = ffpf_remote_lookup(f, name), rc;
	struct rfn *x;

	if (id < 0 || strcmp(r->fns[id].cls->name, "export"))
		return ffpf_fail(f, -ENOENT, "no export function named '%s'", name ? name : "(null)");
	x = &r->fns[id];
	if (!x->ring && (rc = open_queue(f, x)))
		return rc;
	for (;;) {
		struct pollfd pf[2] = {{.fd = x->efd, .events = POLLIN}, {.fd = r->fd, .events = POLLIN}};
		uint64_t v;
		if (take_entry(r, x, p))
			return 1;
		if (now_s() - r->last_refresh >= 0.5) {
			if (refresh(f))
				return -EPIPE;
			if (all_final(r)) /* the sources ended: what is left in the queue, then the end */
				return take_entry(r, x, p);
			if (x->pos < __atomic_load_n(&x->ring->head, __ATOMIC_ACQUIRE))
				continue;
		}
		if (poll(pf, 2, 100) < 0 && errno != EINTR)
			return ffpf_fail(f, -errno, "poll: %s", strerror(errno));
		if (pf[1].revents) { /* the daemon speaks only when asked: BYE, or gone */
			r->gone = 1;
			return ffpf_fail(f, -EPIPE, "the ffpf daemon went away; results are incomplete");
		}
		if (pf[0].revents && read(x->efd, &v, sizeof(v)) < 0) {
			/* another reader of this export took the wake-up: the head tells */
		}
	}
}
