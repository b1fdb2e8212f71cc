/* engine.c — the batch engine (DESIGN §3): sources deliver batches; functions run in
 * topological order over selection vectors; functions with several inputs take the union.
 *
 * Roadmap:  instantiate  — per function: link type from inputs, MBuf, IBuf, selection vectors,
 *                          then the class's instantiate (sources first: ids are topological);
 *           activate     — per source, the list of functions its batches reach;
 *           step         — pick the source with the oldest next packet (several files are merged
 *                          in time order), fill one batch, run it through its reach list.
 * Nothing here allocates after activate.  Cost per packet per function: one selection-vector
 * entry, one IBuf entry, plus the class's own work.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ffpf_int.h"
#include "codegen/cc.h"
#include "buf/arena.h"
#include "daemon/shring.h"
#include "fn/dev.h"
#include "kern/offload.h"

#define IBUF_DEFAULT (2 * FFPF_BATCH_MAX)

static const char *dlt_name(int dlt)
{
	const char *n = pcap_datalink_val_to_name(dlt);
	return n ? n : "unknown";
}

/* Functions take their link type from their inputs; mixing link types needs separate chains. */
static int inherit_link(struct ffpf *f, struct ffpf_fn *fn)
{
	for (unsigned k = 0; k < fn->ninputs; k++) {
		const struct ffpf_fn *in = f->fn[fn->inputs[k]];
		if (k == 0) {
			fn->linktype = in->linktype;
		} else if (in->linktype != fn->linktype) {
			const struct ffpf_fn *first = f->fn[fn->inputs[0]];
			return ffpf_fail(f, -EINVAL,
					 "%s: its inputs carry different link types (%s: %s, %s: %s); "
					 "give each link type its own chain",
					 fn->name, first->name, dlt_name(first->linktype), in->name,
					 dlt_name(in->linktype));
		}
		if (in->snaplen > fn->snaplen)
			fn->snaplen = in->snaplen;
	}
	return 0;
}

static int alloc_buffers(struct ffpf *f, struct ffpf_fn *fn)
{
	int is_export = !strcmp(fn->cls->name, "export");
	unsigned islots = is_export ? f->opts.export_slots : IBUF_DEFAULT;

	if (fn->mbuf_size && f->arena) { /* a daemon's graph: applications map the MBufs */
		fn->arena_mbuf = 1;
		if (!(fn->mbuf = ffpf_arena_alloc(f->arena, fn->mbuf_size)))
			return -ENOSPC;
	} else if (fn->mbuf_size && !(fn->mbuf = calloc(1, fn->mbuf_size))) {
		return -ENOMEM;
	}
	fn->out = calloc(1, sizeof(*fn->out));
	fn->ibuf = ffpf_ibuf_new(islots);
	if (!fn->out || !fn->ibuf)
		return -ENOMEM;
	if (fn->ninputs > 1 && !(fn->merged = calloc(1, sizeof(*fn->merged))))
		return -ENOMEM;
	fn->out_batch = UINT64_MAX;
	return 0;
}

static int instantiate_one(struct ffpf *f, struct ffpf_fn *fn)
{
	int rc;

	if ((rc = inherit_link(f, fn)))
		return rc;
	if ((rc = alloc_buffers(f, fn)))
		return ffpf_fail(f, rc, "%s: %s allocating its buffers", fn->name,
				 rc == -ENOSPC ? "the flowgroup's MBuf arena is full" : "out of memory");
	fn->instantiated = 1;
	if (fn->cls->instantiate && (rc = fn->cls->instantiate(fn)))
		return ffpf_fail(f, rc, "%s: %s", fn->name, fn->err[0] ? fn->err : strerror(-rc));
	if ((fn->cls->flags & FFPF_CLASS_SOURCE) && !fn->pbuf)
		return ffpf_fail(f, -EINVAL, "%s: source declared no packet buffer", fn->name);
	return 0;
}

/* Everything runs interpreted: the plan will say why. */
static int interpret_all(struct ffpf *f, const char *why)
{
	for (unsigned i = 0; i < f->nfn; i++) {
		f->fn[i]->stage = -1;
		if (!(f->fn[i]->cls->flags & FFPF_CLASS_SOURCE) && why)
			snprintf(f->fn[i]->why, sizeof(f->fn[i]->why), "%s", why);
	}
	for (unsigned s = 0; s < f->nstages; s++) {
		free(f->stages[s].ids);
		free(f->stages[s].ext);
		free(f->stages[s].io.mem);
		free(f->stages[s].io.ext);
		free(f->stages[s].io.xctx);
	}
	free(f->stages);
	f->stages = NULL;
	f->nstages = 0;
	if (why)
		snprintf(f->unit_why, sizeof(f->unit_why), "%s", why);
	return 0;
}

/* Wire a loaded stage to its members' buffers (once; only b and ext change per batch). */
static int bind_stage(struct ffpf *f, struct ffpf_stage *st, unsigned s)
{
	char sym[32];
	snprintf(sym, sizeof(sym), "ffpf_stage_%u", s);
	*(void **)&st->run = ffpf_cc_sym(f->unit, sym);
	st->io.mem = calloc(st->nids, sizeof(*st->io.mem));
	st->io.xctx = calloc(st->nids, sizeof(void *));
	st->io.ext = calloc(st->next ? st->next : 1, sizeof(*st->io.ext));
	if (!st->run || !st->io.mem || !st->io.xctx || !st->io.ext)
		return -1;
	for (unsigned k = 0; k < st->nids; k++) {
		st->io.mem[k].mbuf = f->fn[st->ids[k]]->mbuf;
		st->io.mem[k].out = f->fn[st->ids[k]]->out;
		st->io.xctx[k] = f->fn[st->ids[k]]->xctx;
	}
	return 0;
}

/* Translate the flowgraph to one C unit, compile (or find it cached) and load it.  Any failure
 * leaves every function interpreted, with the reason kept for the plan: never an error. */
int ffpf_engine_compile(struct ffpf *f)
{
	struct strbuf src = {0};
	char why[512] = "";
	int rc;

	if (f->opts.no_compile)
		return interpret_all(f, "interpreters requested (--no-compile)");
	rc = ffpf_unit_generate(f, &src);
	f->unit_src = sb_take(&src);
	if (rc || !f->unit_src)
		return interpret_all(f, "could not generate C");
	if (!f->nstages)
		return 0;
	f->unit = ffpf_cc_load(f->unit_src, strlen(f->unit_src), why, sizeof(why));
	if (!f->unit)
		return interpret_all(f, why);
	for (unsigned s = 0; s < f->nstages; s++)
		if (bind_stage(f, &f->stages[s], s))
			return interpret_all(f, "the compiled unit lacks a stage");
	return 0;
}

int ffpf_engine_instantiate(struct ffpf *f)
{
	int rc;

	f->batch = calloc(1, sizeof(*f->batch));
	if (!f->batch || ffpf_offload_place(f))
		return ffpf_fail(f, -ENOMEM, "out of memory");
	for (unsigned i = 0; i < f->nfn; i++)
		if ((rc = instantiate_one(f, f->fn[i])))
			return rc;
	/* The kernel and XDP programs, then the devices open (their sockets get the filters). */
	if (f->defer_compile)
		f->need_compile = 1;
	if ((rc = ffpf_offload_load(f)))
		return ffpf_fail(f, rc, "out of memory loading the kernel programs");
	for (unsigned i = 0; i < f->nfn; i++)
		if (ffpf_is_dev(f->fn[i]) && (rc = ffpf_dev_start(f->fn[i], ffpf_offload_of(f, i))))
			return ffpf_fail(f, rc, "%s: %s", f->fn[i]->name, f->fn[i]->err);
	return f->defer_compile ? interpret_all(f, NULL) : ffpf_engine_compile(f);
}

/* Per source, the steps its batches run, in topological order: a function id (>= 0) run through
 * its class, or a fused stage s encoded as -(s + 1).  Offloaded functions are steps only when
 * their packets come up (they then select by mark); the rest ran below already. */
static int add_step(struct ffpf_reach *r, const struct ffpf_fn *fn)
{
	if (fn->dead)
		return 0;
	if (fn->level != FFPF_LVL_HOST && fn->lowbit < 0)
		return 0;
	int step = fn->stage >= 0 ? -(fn->stage + 1) : (int)fn->id;
	if (r->n && r->ids[r->n - 1] == step)
		return 0; /* stage members are consecutive: the stage is already listed */
	r->ids[r->n++] = step;
	return 0;
}

/* Sources whose packets meet in some function get one order: the lowest id among them.
 * owner[i]: the first source found to reach function i (control plane only). */
static int set_orders(struct ffpf *f)
{
	int *owner = malloc((f->nfn ? f->nfn : 1) * sizeof(int));
	unsigned char *hit = calloc(f->nfn ? f->nfn : 1, 1);

	if (!owner || !hit)
		return free(owner), free(hit), -ENOMEM;
	for (unsigned i = 0; i < f->nfn; i++)
		owner[i] = -1;
	for (unsigned s = 0; s < f->nfn; s++) {
		struct ffpf_fn *src = f->fn[s];
		if (!(src->cls->flags & FFPF_CLASS_SOURCE) || src->dead)
			continue;
		src->order = s;
		memset(hit, 0, f->nfn);
		hit[s] = 1;
		for (unsigned i = s + 1; i < f->nfn; i++) {
			for (unsigned k = 0; k < f->fn[i]->ninputs && !hit[i]; k++)
				hit[i] = hit[f->fn[i]->inputs[k]];
			if (!hit[i] || f->fn[i]->dead)
				continue;
			if (owner[i] < 0) {
				owner[i] = (int)s;
				continue;
			}
			unsigned x = src->order, y = f->fn[owner[i]]->order;
			unsigned from = x > y ? x : y, to = x > y ? y : x;
			for (unsigned j = 0; j <= s; j++)
				if ((f->fn[j]->cls->flags & FFPF_CLASS_SOURCE) && f->fn[j]->order == from)
					f->fn[j]->order = to;
		}
	}
	free(owner);
	free(hit);
	return 0;
}

int ffpf_engine_activate(struct ffpf *f)
{
	unsigned char *hit = calloc(f->nfn ? f->nfn : 1, 1);

	f->reach = calloc(f->nfn ? f->nfn : 1, sizeof(*f->reach));
	f->nreach = f->nfn;
	if (!hit || !f->reach)
		return free(hit), ffpf_fail(f, -ENOMEM, "out of memory");
	for (unsigned s = 0; s < f->nfn; s++) {
		struct ffpf_reach *r = &f->reach[s];
		if (!(f->fn[s]->cls->flags & FFPF_CLASS_SOURCE) || f->fn[s]->dead)
			continue;
		memset(hit, 0, f->nfn);
		hit[s] = 1;
		r->ids = calloc(f->nfn, sizeof(int));
		if (!r->ids)
			return free(hit), ffpf_fail(f, -ENOMEM, "out of memory");
		r->ids[r->n++] = (int)s;
		for (unsigned i = s + 1; i < f->nfn; i++) {
			for (unsigned k = 0; k < f->fn[i]->ninputs && !hit[i]; k++)
				hit[i] = hit[f->fn[i]->inputs[k]];
			if (hit[i])
				add_step(r, f->fn[i]);
		}
	}
	free(hit);
	if (set_orders(f))
		return ffpf_fail(f, -ENOMEM, "out of memory");
	return 0;
}

/* Union of the inputs that carry this batch (their out_batch is current).  The first input to
 * select a packet gives its class.  Cost: O(entries + batch size). */
static const struct ffpf_sel *gather(struct ffpf *f, struct ffpf_fn *fn, unsigned n)
{
	uint32_t cls[FFPF_BATCH_MAX];
	struct ffpf_sel *m = fn->merged;

	if (fn->ninputs == 1)
		return f->fn[fn->inputs[0]]->out;
	memset(cls, 0, n * sizeof(cls[0]));
	for (unsigned k = 0; k < fn->ninputs; k++) {
		const struct ffpf_fn *in = f->fn[fn->inputs[k]];
		if (in->out_batch != f->nbatch)
			continue;
		for (unsigned i = 0; i < in->out->n; i++)
			if (!cls[in->out->idx[i]])
				cls[in->out->idx[i]] = in->out->cls[i];
	}
	m->n = 0;
	for (unsigned i = 0; i < n; i++)
		if (cls[i]) {
			m->idx[m->n] = (uint16_t)i;
			m->cls[m->n++] = cls[i];
		}
	return m;
}

static void record(struct ffpf_fn *fn, const struct ffpf_batch *b, unsigned src)
{
	const struct ffpf_sel *o = fn->out;
	for (unsigned i = 0; i < o->n; i++)
		ffpf_ibuf_put(fn->ibuf, b->seq[o->idx[i]], o->cls[i], src);
}

static void run_source(struct ffpf *f, struct ffpf_fn *fn, const struct ffpf_batch *b)
{
	struct ffpf_sel *o = fn->out;
	unsigned n = 0;

	if (fn->level != FFPF_LVL_HOST && fn->lowbit >= 0) { /* packets that came up for others too */
		for (unsigned i = 0; i < b->n; i++)
			if (f->mark[i] >> fn->lowbit & 1) {
				o->idx[n] = (uint16_t)i;
				o->cls[n++] = 1;
			}
		o->n = n;
		return;
	}
	for (unsigned i = 0; i < b->n; i++) {
		o->idx[i] = (uint16_t)i;
		o->cls[i] = 1;
	}
	o->n = b->n;
	if (fn->level != FFPF_LVL_HOST)
		return; /* its program counts what it sees */
	fn->in += b->n;
	fn->passed += b->n;
}

/* An offloaded function whose packets come up: it passed those with its bit in their mark.
 * Its counters are the program's (ffpf_offload_sync). */
static void run_lowered(struct ffpf *f, struct ffpf_fn *fn, const struct ffpf_batch *b)
{
	struct ffpf_sel *o = fn->out;
	unsigned n = 0;
	for (unsigned i = 0; i < b->n; i++)
		if (f->mark[i] >> fn->lowbit & 1) {
			o->idx[n] = (uint16_t)i;
			o->cls[n++] = 1;
		}
	o->n = n;
	fn->out_batch = f->nbatch;
}

static void run_fn(struct ffpf *f, struct ffpf_fn *fn, const struct ffpf_batch *b)
{
	const struct ffpf_sel *in = gather(f, fn, b->n);
	uint64_t before = 0, after = 0;
	unsigned passed;

	fn->out_batch = f->nbatch;
	if (!in->n) {
		fn->out->n = 0;
		return;
	}
	for (unsigned r = 0; r < FFPF_DROP_MAX; r++)
		before += fn->drops[r];
	passed = fn->cls->run(fn, b, in, fn->out);
	for (unsigned r = 0; r < FFPF_DROP_MAX; r++)
		after += fn->drops[r];
	fn->in += in->n;
	fn->passed += passed;
	/* What the class did not pass and did not explain goes to its own drop reason (a class
	 * that over-explains is trusted for its own numbers, never made to wrap). */
	if (in->n > passed + (after - before))
		fn->drops[fn->cls->drop_reason] += in->n - passed - (after - before);
}

/* A fused stage: the generated loop runs every member over the batch; then the members'
 * counters and IBufs are brought up to date as if each had run on its own. */
static void run_stage(struct ffpf *f, struct ffpf_stage *st, const struct ffpf_batch *b, unsigned src)
{
	struct ffpf_stage_io *io = &st->io;

	io->b = b;
	for (unsigned k = 0; k < st->next; k++) {
		const struct ffpf_fn *in = f->fn[st->ext[k]];
		io->ext[k] = in->out_batch == f->nbatch ? in->out : NULL;
	}
	st->run(io);
	for (unsigned k = 0; k < st->nids; k++) {
		struct ffpf_fn *fn = f->fn[st->ids[k]];
		struct ffpf_stage_member *m = &io->mem[k];
		fn->in += m->in;
		fn->passed += m->passed;
		fn->drops[FFPF_DROP_RUNTIME_ERROR] += m->err;
		fn->drops[fn->cls->drop_reason] += m->in - m->passed - m->err;
		m->in = m->passed = m->err = 0;
		fn->out_batch = f->nbatch;
		record(fn, b, src);
	}
}

static void run_batch(struct ffpf *f, struct ffpf_fn *src, const struct ffpf_batch *b)
{
	const struct ffpf_reach *r = &f->reach[src->id];

	for (unsigned k = 0; k < r->n; k++) {
		struct ffpf_fn *fn;
		if (r->ids[k] < 0) {
			run_stage(f, &f->stages[-r->ids[k] - 1], b, src->id);
			continue;
		}
		fn = f->fn[r->ids[k]];
		if (fn == src) {
			run_source(f, fn, b);
			fn->out_batch = f->nbatch;
		} else if (fn->level != FFPF_LVL_HOST) {
			run_lowered(f, fn, b);
		} else {
			run_fn(f, fn, b);
		}
		record(fn, b, src->id);
	}
}

/* The source whose next packet is oldest; *until gets the next-oldest timestamp, so that one
 * batch never overtakes another source's packets.  NULL when all are exhausted or on error. */
static struct ffpf_fn *pick_source(struct ffpf *f, uint64_t *until, int *err, int *idle)
{
	struct ffpf_fn *best = NULL;
	uint64_t ts;

	*err = 0;
	*idle = 0;
	*until = UINT64_MAX;
	for (unsigned i = 0; i < f->nfn; i++) {
		struct ffpf_fn *fn = f->fn[i];
		fn->next_ts = UINT64_MAX;
		if (!(fn->cls->flags & FFPF_CLASS_SOURCE) || fn->exhausted || fn->dead)
			continue;
		if (fn->held) {
			(*idle)++;
			continue;
		}
		int rc = fn->cls->peek(fn, &ts);
		if (rc < 0) {
			*err = ffpf_fail(f, rc, "%s: %s", fn->name, fn->err[0] ? fn->err : strerror(-rc));
			return NULL;
		}
		if (rc == 1) {
			fn->exhausted = 1;
			continue;
		}
		if (rc == 2) { /* a live source with nothing now */
			(*idle)++;
			continue;
		}
		fn->next_ts = ts;
		if (!best || ts < best->next_ts)
			best = fn;
	}
	/* The batch may run up to the next packet of a source whose packets meet this one's in
	 * some function; sources that never meet need no order between them (several readings of
	 * one trace would otherwise alternate packet by packet). */
	for (unsigned i = 0; best && i < f->nfn; i++) {
		const struct ffpf_fn *fn = f->fn[i];
		if (fn != best && fn->next_ts < *until && fn->order == best->order &&
		    (fn->cls->flags & FFPF_CLASS_SOURCE))
			*until = fn->next_ts;
	}
	return best;
}

/* Every live source is idle: sleep in poll() until one has packets (or the timeout), instead of
 * spinning — and count the switch from busy to waiting (paper §III-B, NAPI-style).  In
 * interrupt mode this runs before every packet, in poll mode never. */
static int wait_sources(struct ffpf *f, int timeout_ms)
{
	struct pollfd p[64];
	struct ffpf_fn *who[64];
	unsigned n = 0;

	for (unsigned i = 0; i < f->nfn && n < 64; i++) {
		struct ffpf_fn *fn = f->fn[i];
		if ((fn->cls->flags & FFPF_CLASS_SOURCE) && !fn->exhausted && !fn->dead && fn->cls->poll_fd) {
			p[n].fd = fn->cls->poll_fd(fn);
			p[n].events = POLLIN;
			who[n++] = fn;
		}
	}
	if (f->busy) {
		f->busy = 0;
		f->switches++;
	}
	f->waits++;
	if (poll(p, n, timeout_ms) < 0)
		return errno == EINTR ? 0 : ffpf_fail(f, -errno, "poll: %s", strerror(errno));
	for (unsigned i = 0; i < n; i++)
		if (p[i].revents & (POLLERR | POLLHUP | POLLNVAL))
			return ffpf_fail(f, -ENETDOWN, "%s: the interface went down or away "
					 "(results are incomplete)", who[i]->name);
	return 0;
}

static int live_sources(const struct ffpf *f)
{
	for (unsigned i = 0; i < f->nfn; i++)
		if ((f->fn[i]->cls->flags & FFPF_CLASS_SOURCE) && f->fn[i]->cls->poll_fd &&
		    !f->fn[i]->exhausted)
			return 1;
	return 0;
}

/* The packet limit is reached: every source ends, as at the end of its input. */
static int end_all(struct ffpf *f)
{
	for (unsigned i = 0; i < f->nfn; i++)
		if (f->fn[i]->cls->flags & FFPF_CLASS_SOURCE)
			f->fn[i]->exhausted = 1;
	return 0;
}

int ffpf_engine_step(struct ffpf *f)
{
	struct ffpf_batch *b = f->batch;
	struct ffpf_fn *src;
	uint64_t until;
	int rc, idle;

	if (f->noff) { /* the programs' counters: a sum over every CPU, so not at every batch */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
		uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		if (now - f->synced_ns >= 1000000ull) {
			ffpf_offload_sync(f);
			f->synced_ns = now;
		}
	}
	/* -c N with programs below the host: they count what they see; not exact to the packet. */
	if (f->opts.max_packets && f->noff &&
	    f->packets - f->up + ffpf_offload_seen(f) >= f->opts.max_packets)
		return end_all(f);
	for (;;) {
		if (f->opts.wait == FFPF_WAIT_INTERRUPT && live_sources(f) && (rc = wait_sources(f, 100)))
			return rc;
		src = pick_source(f, &until, &rc, &idle);
		if (!src && !rc && idle) { /* live sources, nothing now: wait, then let the caller look */
			if (f->nowait)
				return 2; /* the caller (a daemon) waits on everything at once */
			if (f->opts.wait == FFPF_WAIT_POLL || f->opts.wait == FFPF_WAIT_INTERRUPT)
				return 1; /* poll: spin; interrupt: waited above already */
			return (rc = wait_sources(f, 100)) ? rc : 1;
		}
		if (!src)
			return rc;
		b->n = 0;
		b->cap = f->opts.wait == FFPF_WAIT_INTERRUPT && src->cls->poll_fd ? 1 : FFPF_BATCH_MAX;
		if (f->opts.max_packets && src->level == FFPF_LVL_HOST) { /* -c N: exactly N packets */
			uint64_t done = f->packets - f->up;
			if (done >= f->opts.max_packets)
				return end_all(f);
			if (f->opts.max_packets - done < b->cap)
				b->cap = (unsigned)(f->opts.max_packets - done);
		}
		b->pbuf = src->pbuf;
		b->linktype = src->linktype;
		rc = src->cls->fill(src, b, until);
		if (rc < 0)
			return ffpf_fail(f, rc, "%s: %s", src->name, src->err[0] ? src->err : strerror(-rc));
		if (rc == 2 && !b->n)
			continue; /* raced to idle: look again */
		if (rc == 0 || b->n == 0) {
			src->exhausted = 1;
			continue;
		}
		if (!f->busy) {
			f->busy = 1;
			f->switches += f->waits != 0;
		}
		f->nbatch++;
		f->packets += b->n;
		if (src->level != FFPF_LVL_HOST)
			f->up += b->n; /* came up from a program below, which counted them already */
		run_batch(f, src, b);
		return 1;
	}
}

int ffpf_engine_finish(struct ffpf *f)
{
	int rc;
	ffpf_offload_sync(f);
	for (unsigned i = 0; i < f->nfn; i++) {
		struct ffpf_fn *fn = f->fn[i];
		if (fn->dead || !fn->instantiated)
			continue; /* retired functions finished when they were retired */
		if (fn->cls->finish && (rc = fn->cls->finish(fn)))
			return ffpf_fail(f, rc, "%s: %s", fn->name, fn->err[0] ? fn->err : strerror(-rc));
	}
	return 0;
}

/* ---- live graphs (ffpfd): functions come and go while the graph runs ---------------------- */

static int in_unit(const struct ffpf *f, unsigned id)
{
	for (unsigned u = 0; u < f->noff; u++)
		for (unsigned k = 0; k < f->off[u].nids; k++)
			if (f->off[u].ids[k] == id)
				return 1;
	return 0;
}

/* ffpfd: the arena memory of retired functions goes back (their MBufs, a source's copy for
 * the exports), once no program below still writes it (a unit not yet replaced, e.g. while
 * a change settles, still holds them).  Nothing reads it after: a dead function has no user. */
static void reclaim(struct ffpf *f)
{
	for (unsigned i = 0; f->arena && i < f->nfn; i++) {
		struct ffpf_fn *fn = f->fn[i];
		uint8_t *m = fn->host_mbuf ? fn->host_mbuf : fn->mbuf;
		if (!fn->dead || fn->reclaimed || in_unit(f, i))
			continue;
		if (fn->arena_mbuf && m)
			ffpf_arena_release(f->arena, m, fn->mbuf_size);
		ffpf_export_release_source(fn);
		fn->mbuf = fn->host_mbuf = NULL;
		fn->mbuf_size = 0;
		fn->reclaimed = 1;
	}
}

/* A new fused unit for the stages as they are now (the old one, if any, is the caller's). */
static void compile_afresh(struct ffpf *f)
{
	f->unit = NULL;
	free(f->unit_src);
	f->unit_src = NULL;
	ffpf_engine_compile(f);
}

/* ffpfd: the devices' programs for the functions alive now.  A swap that fails part-way may
 * have opened devices a request added, for units that are gone: they close again, and open
 * below as the old programs allow (in the host). */
static void replace_programs(struct ffpf *f)
{
	uint8_t *was = calloc(f->nfn ? f->nfn : 1, 1);

	for (unsigned i = 0; was && i < f->nfn; i++)
		was[i] = (uint8_t)(ffpf_is_dev(f->fn[i]) && ffpf_dev_started(f->fn[i]));
	if (ffpf_offload_replace(f, ffpf_dev_refilter) && was)
		for (unsigned i = 0; i < f->nfn; i++)
			if (ffpf_is_dev(f->fn[i]) && !was[i])
				ffpf_dev_stop(f->fn[i]);
	free(was);
}

/* The steps and the fused unit again, for the functions alive now.  The old unit is unloaded
 * only once the new one is bound. */
static int rebuild(struct ffpf *f)
{
	void *old = f->unit;

	for (unsigned i = 0; f->reach && i < f->nreach; i++)
		free(f->reach[i].ids);
	free(f->reach);
	f->reach = NULL;
	interpret_all(f, NULL);
	if (f->defer_compile) { /* interpreted until ffpf_engine_recompile() */
		f->need_compile = 1;
		f->unit = old;
		return ffpf_engine_activate(f);
	}
	f->need_compile = 0;
	/* ffpfd: the devices' programs again for the functions alive now; if that fails, the old
	 * programs go on unchanged and the new functions run here */
	if (f->live)
		replace_programs(f);
	for (unsigned i = 0; i < f->nfn; i++) { /* devices a request added, not opened by replace */
		struct ffpf_fn *fn = f->fn[i];
		if (ffpf_is_dev(fn) && !fn->dead && fn->instantiated && !ffpf_dev_started(fn) &&
		    ffpf_dev_start(fn, ffpf_offload_of(f, i))) {
			fn->exhausted = 1; /* it could not open: nothing comes from it */
			snprintf(f->err, sizeof(f->err), "%s: %s", fn->name, fn->err);
		}
	}
	reclaim(f);
	compile_afresh(f); /* never fails: falls back to interpreters */
	ffpf_cc_unload(old);
	return ffpf_engine_activate(f);
}

/* A request's functions could not start: they never run, and go with the handle. */
static void retire_new(struct ffpf *f, unsigned from)
{
	for (unsigned i = from; i < f->nfn; i++) {
		struct ffpf_fn *fn = f->fn[i];
		if (fn->cls->fini && fn->instantiated)
			fn->cls->fini(fn);
		fn->dead = 1;
		fn->exhausted = 1;
	}
}

int ffpf_engine_grow(struct ffpf *f, unsigned from)
{
	char err[sizeof(f->err)];
	int rc = 0;

	for (unsigned i = from; i < f->nfn && !rc; i++) {
		struct ffpf_fn *fn = f->fn[i];
		fn->level = FFPF_LVL_HOST; /* a running program below is not changed (offload.h) */
		fn->lowbit = -1;
		ffpf_offload_allow(f, fn); /* until the next placement (a new device may go low) */
		snprintf(fn->runs, sizeof(fn->runs), "host");
		rc = instantiate_one(f, fn); /* a device opens in rebuild: with its filter, in ffpfd */
	}
	if (rc) {
		memcpy(err, f->err, sizeof(err));
		retire_new(f, from);
		rebuild(f);
		memcpy(f->err, err, sizeof(err));
		return rc;
	}
	return rebuild(f);
}

static int has_live_dependent(const struct ffpf *f, unsigned id)
{
	for (unsigned j = id + 1; j < f->nfn; j++)
		for (unsigned k = 0; !f->fn[j]->dead && k < f->fn[j]->ninputs; k++)
			if (f->fn[j]->inputs[k] == id)
				return 1;
	return 0;
}

unsigned ffpf_engine_sweep(struct ffpf *f)
{
	unsigned n = 0;
	for (unsigned i = f->nfn; i-- > 0;) { /* dependents first: they free their inputs */
		struct ffpf_fn *fn = f->fn[i];
		if (fn->dead || fn->users || has_live_dependent(f, i))
			continue;
		if (fn->instantiated && fn->cls->finish)
			fn->cls->finish(fn); /* publish what it holds (a dump file) */
		if (fn->cls->fini)
			fn->cls->fini(fn);
		fn->dead = 1;
		fn->exhausted = 1;
		n++;
	}
	if (n)
		rebuild(f);
	return n;
}

int ffpf_engine_recompile(struct ffpf *f)
{
	return rebuild(f);
}

/* The child works on its copy of the graph (fork): placement and stages change there only.
 * It writes no shared memory (the arena, the programs' maps) and sends nothing: it only runs
 * the generators and the compilers, whose caches it fills, as rebuild() will ask for them. */
int ffpf_engine_prewarm(struct ffpf *f)
{
	pid_t parent = getpid(), pid = fork();

	if (pid > 0)
		setpgid(pid, pid); /* here too: whichever runs first, the group exists for kill() */
	if (pid)
		return pid < 0 ? -errno : (int)pid;
	setpgid(0, 0); /* a group of its own: the daemon can stop it with the compilers it runs */
	signal(SIGINT, SIG_DFL); /* the daemon's handlers are not ours */
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* it goes when the daemon goes, */
	if (getppid() != parent)
		_exit(1); /* (already gone) */
	close_range(3, ~0u, 0); /* and holds none of its sockets, packet rings or maps meanwhile */
	if (f->live)
		ffpf_offload_prewarm(f);
	interpret_all(f, NULL);
	compile_afresh(f);
	_exit(0);
}
