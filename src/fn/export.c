/* export.c — class `export`: hands packets to the calling program through the library
 * (ffpf_export_next()).  Its IBuf is the reader's queue: {PBuf sequence, class, source}; the
 * packets stay in their source's PBuf (no copy per reader).  A reader that falls further behind
 * than the IBuf (or the PBuf) holds loses its oldest packets and sees them counted as
 * reader_overrun, and the graph never waits for it.  Passes every packet on.
 *
 * An export keeps packets beyond their batch, so it marks them kept (ffpf_pbuf_keep()): a source
 * that copies on demand (dev,transfer=copy-on-demand) then copies them out of the capture ring
 * before it gives the ring back, and the reader still finds them.
 *
 * In ffpfd's flowgraphs the readers are other processes: the export also writes a queue in the
 * flowgroup's shared memory, copying each packet once into the group's PBuf for its source
 * (daemon/shring.h), and signals an eventfd per batch.  Readers map it read-only. */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "buf/arena.h"
#include "daemon/shring.h"
#include "ffpf_int.h"
#include "daemon/client.h"

#define SH_ENTRIES  65536u /* queue of one export */
#define SH_SLOTS    4096u  /* the group's PBuf per source */
#define SH_SLOT_MAX 9216u  /* bytes kept of a packet (jumbo frames whole) */

struct export_priv {
	struct ffpf_shring *ring;                  /* in the arena, or NULL (in-process) */
	struct ffpf_shentry *entries;
	const struct ffpf_pbuf *pb[FFPF_SH_MAX_SRC]; /* the sources' PBufs, by ring.src index */
	struct ffpf_fn *src[FFPF_SH_MAX_SRC];
	int efd;                                   /* valid when has_efd */
	int has_efd;
};

static const struct ffpf_result_desc results[] = {
	{"queued", FFPF_V_U64, "packets put in the reader's queue", 0, 0},
	{"delivered", FFPF_V_U64, "packets the program read", 8, 0},
	{"pending", FFPF_V_U64, "packets still queued, unread", 0, 0},
	{"overrun", FFPF_V_U64, "packets lost because the reader fell behind", 0, 0},
};

static int export_init(struct ffpf_fn *fn, const struct ffpf_args *a)
{
	struct export_priv *ep = ffpf_fn_priv(fn);
	ep->efd = -1;
	ffpf_fn_set_mbuf(fn, 3 * sizeof(uint64_t)); /* queued, delivered, shared queue's offset */
	return 0;
}

/* The sources upstream of fn (each once). */
static unsigned sources_of(struct ffpf *f, const struct ffpf_fn *fn, struct ffpf_fn **out, unsigned n)
{
	for (unsigned k = 0; k < fn->ninputs; k++) {
		struct ffpf_fn *in = f->fn[fn->inputs[k]];
		if (in->cls->flags & FFPF_CLASS_SOURCE) {
			int dup = 0;
			for (unsigned j = 0; j < n; j++)
				dup |= out[j] == in;
			if (!dup && n < FFPF_SH_MAX_SRC)
				out[n++] = in;
		} else {
			n = sources_of(f, in, out, n);
		}
	}
	return n;
}

/* The group's PBuf for source s: made by the first export that needs it. */
static struct ffpf_shpbuf *group_pbuf(struct ffpf_arena *ar, struct ffpf_fn *s)
{
	struct ffpf_shpbuf *p = s->shpbuf;
	struct ffpf_shmeta *meta;
	void *data;
	uint32_t slot = s->snaplen < SH_SLOT_MAX ? s->snaplen : SH_SLOT_MAX;

	if (p)
		return p;
	p = ffpf_arena_alloc(ar, sizeof(*p));
	meta = ffpf_arena_alloc(ar, SH_SLOTS * sizeof(*meta));
	data = ffpf_arena_alloc(ar, (size_t)SH_SLOTS * slot);
	if (!p || !meta || !data) { /* (release ignores NULL) */
		ffpf_arena_release(ar, p, sizeof(*p));
		ffpf_arena_release(ar, meta, SH_SLOTS * sizeof(*meta));
		ffpf_arena_release(ar, data, (size_t)SH_SLOTS * slot);
		return NULL;
	}
	for (uint32_t i = 0; i < SH_SLOTS; i++)
		meta[i].seq = FFPF_SH_BUSY; /* empty */
	*p = (struct ffpf_shpbuf){ffpf_arena_off(ar, meta), ffpf_arena_off(ar, data), SH_SLOTS, slot,
				  s->linktype, 0};
	return s->shpbuf = p;
}

/* In a daemon's graph: the shared queue, the group's PBufs, the eventfd. */
static int export_instantiate(struct ffpf_fn *fn)
{
	struct export_priv *ep = ffpf_fn_priv(fn);
	struct ffpf *f = fn->owner;
	struct ffpf_arena *ar = f->arena;
	unsigned n;

	if (!ar)
		return 0;
	n = sources_of(f, fn, ep->src, 0);
	ep->ring = ffpf_arena_alloc(ar, sizeof(*ep->ring));
	ep->entries = ffpf_arena_alloc(ar, SH_ENTRIES * sizeof(*ep->entries));
	ep->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ep->has_efd = ep->efd >= 0;
	if (!ep->ring || !ep->entries || ep->efd < 0) {
		ffpf_arena_release(ar, ep->entries, SH_ENTRIES * sizeof(*ep->entries));
		ffpf_arena_release(ar, ep->ring, sizeof(*ep->ring));
		ep->ring = NULL;
		ep->entries = NULL;
		return ffpf_fn_error(fn, "cannot make its shared queue (the flowgroup's memory is full?)");
	}
	for (unsigned k = 0; k < n; k++) {
		const struct ffpf_shpbuf *p = group_pbuf(ar, ep->src[k]);
		if (!p)
			return ffpf_fn_error(fn, "cannot make the flowgroup's packet buffer");
		ep->ring->src[k] = *p;
		ep->pb[k] = ep->src[k]->pbuf;
	}
	ep->ring->nsrc = n;
	ep->ring->nslots = SH_ENTRIES;
	ep->ring->entries_off = ffpf_arena_off(ar, ep->entries);
	ep->ring->version = FFPF_SH_VERSION;
	__atomic_store_n(&ep->ring->magic, FFPF_SH_MAGIC, __ATOMIC_RELEASE);
	((uint64_t *)(void *)ffpf_fn_mbuf(fn))[2] = ffpf_arena_off(ar, ep->ring);
	return 0;
}

int ffpf_export_eventfd(const struct ffpf_fn *fn)
{
	const struct export_priv *ep = fn->priv;
	return strcmp(fn->cls->name, "export") || !ep || !ep->has_efd ? -1 : ep->efd;
}

/* One packet into the group's copy of its source (once per group) and into this queue. */
static void share_one(struct ffpf *f, struct export_priv *ep, unsigned k, uint64_t seq,
		      const struct ffpf_pkt *pkt, uint64_t ts, uint32_t cls, uint64_t at)
{
	const struct ffpf_shpbuf *p = &ep->ring->src[k];
	struct ffpf_shmeta *m = (struct ffpf_shmeta *)(void *)(f->arena->base + p->meta_off) + (seq & (p->nslots - 1));
	struct ffpf_shentry *e = &ep->entries[at & (ep->ring->nslots - 1)];

	if (__atomic_load_n(&m->seq, __ATOMIC_RELAXED) != seq) { /* not yet copied for the group */
		uint32_t n = pkt->caplen < p->slot_size ? pkt->caplen : p->slot_size;
		__atomic_store_n(&m->seq, FFPF_SH_BUSY, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		memcpy(f->arena->base + p->data_off + (size_t)(seq & (p->nslots - 1)) * p->slot_size, pkt->data, n);
		m->ts_ns = ts;
		m->caplen = n;
		m->wirelen = pkt->wirelen;
		__atomic_store_n(&m->seq, seq, __ATOMIC_RELEASE);
	}
	*e = (struct ffpf_shentry){seq, cls, k};
}

static void share_batch(struct ffpf_fn *fn, const struct ffpf_batch *b, const struct ffpf_sel *in)
{
	struct export_priv *ep = ffpf_fn_priv(fn);
	uint64_t head = ep->ring->head, one = 1;
	unsigned k = 0;

	while (k < ep->ring->nsrc && ep->pb[k] != b->pbuf)
		k++;
	if (k == ep->ring->nsrc || !in->n)
		return; /* not a source of ours (cannot happen: the engine routes by source) */
	for (unsigned i = 0; i < in->n; i++) {
		unsigned x = in->idx[i];
		share_one(fn->owner, ep, k, b->seq[x], &b->pkt[x], b->ts_ns[x], in->cls[i], head++);
	}
	__atomic_store_n(&ep->ring->head, head, __ATOMIC_RELEASE);
	if (write(ep->efd, &one, sizeof(one)) < 0) {
		/* the counter is saturated: readers are awake already */
	}
}

static unsigned export_run(struct ffpf_fn *fn, const struct ffpf_batch *b, const struct ffpf_sel *in,
			   struct ffpf_sel *out)
{
	uint64_t *m = (uint64_t *)(void *)ffpf_fn_mbuf(fn);
	struct export_priv *ep = ffpf_fn_priv(fn);
	m[0] += in->n; /* the engine writes the IBuf entries for every function it runs */
	if (ep->ring)
		share_batch(fn, b, in);
	if (b->pbuf && b->pbuf->on_demand)
		for (unsigned i = 0; i < in->n; i++)
			ffpf_pbuf_keep(b->pbuf, b->seq[in->idx[i]]);
	return ffpf_sel_pass_all(in, out);
}

/* Unread entries whose packet is still in its PBuf (control plane: a scan of the queue). */
static uint64_t readable(const struct ffpf_fn *fn)
{
	const struct ffpf_ibuf *ib = fn->ibuf;
	const struct ffpf_slot_meta *m;
	uint64_t n = 0, from;

	if (!ib)
		return 0;
	from = ib->head - ib->tail > ib->nslots ? ib->head - ib->nslots : ib->tail;
	for (uint64_t i = from; i < ib->head; i++) {
		const struct ffpf_ientry *e = &ib->e[i & ib->mask];
		const struct ffpf_pbuf *pb = e->src < fn->owner->nfn ? fn->owner->fn[e->src]->pbuf : NULL;
		n += pb && ffpf_pbuf_get(pb, e->seq, &m);
	}
	return n;
}

static int export_read(const struct ffpf_fn *fn, unsigned idx, struct ffpf_value *v)
{
	const uint64_t *m = (const uint64_t *)(const void *)fn->mbuf;
	uint64_t queued = m ? m[0] : 0, delivered = m ? m[1] : 0, pending = readable(fn);

	v->type = FFPF_V_U64;
	if (idx <= 1)
		v->u64 = idx ? delivered : queued;
	else if (idx == 2)
		v->u64 = pending;
	else /* everything queued that was neither read nor can still be */
		v->u64 = queued - delivered - pending;
	return 0;
}

void ffpf_export_release_source(struct ffpf_fn *src)
{
	struct ffpf_arena *ar = src->owner->arena;
	struct ffpf_shpbuf *p = src->shpbuf;

	if (!ar || !p)
		return;
	ffpf_arena_release(ar, ar->base + p->meta_off, p->nslots * sizeof(struct ffpf_shmeta));
	ffpf_arena_release(ar, ar->base + p->data_off, (size_t)p->nslots * p->slot_size);
	ffpf_arena_release(ar, p, sizeof(*p));
	src->shpbuf = NULL;
}

/* The eventfd closes; in a daemon's graph the queue goes back to the arena: the function is
 * retired, so no application reads it any more. */
static void export_fini(struct ffpf_fn *fn)
{
	struct export_priv *ep = ffpf_fn_priv(fn);
	struct ffpf_arena *ar = fn->owner ? fn->owner->arena : NULL;
	if (ep && ep->has_efd)
		close(ep->efd); /* (a zeroed priv has fd 0 in it: never close that) */
	if (ep)
		ep->has_efd = 0;
	if (ep && ar && ep->ring) {
		ffpf_arena_release(ar, ep->entries, SH_ENTRIES * sizeof(*ep->entries));
		ffpf_arena_release(ar, ep->ring, sizeof(*ep->ring));
		ep->ring = NULL;
		ep->entries = NULL;
	}
}

const struct ffpf_class ffpf_fnclass_export = {
	.name = "export",
	.aliases = (const char *const[]){"app", "deliver", NULL},
	.summary = "make packets readable by the calling program (ffpf_export_next)",
	.results = results,
	.nresults = 4,
	.priv_size = sizeof(struct export_priv),
	.init = export_init,
	.instantiate = export_instantiate,
	.run = export_run,
	.read = export_read,
	.fini = export_fini,
};

/* Take one entry; entries whose packet has left the PBuf are counted as overrun and skipped. */
static int take_one(struct ffpf *f, struct ffpf_fn *fn, struct ffpf_packet *p)
{
	struct ffpf_ientry e;
	uint64_t lost;
	uint64_t *m = (uint64_t *)(void *)fn->mbuf;

	for (;;) {
		const struct ffpf_slot_meta *meta;
		const struct ffpf_pbuf *pb;
		const uint8_t *data;
		int got = ffpf_ibuf_take(fn->ibuf, &e, &lost);

		fn->drops[FFPF_DROP_READER_OVERRUN] += lost;
		if (!got)
			return 0;
		pb = e.src < f->nfn ? f->fn[e.src]->pbuf : NULL;
		data = pb ? ffpf_pbuf_get(pb, e.seq, &meta) : NULL;
		if (!data) { /* the source has reused the slot since */
			fn->drops[FFPF_DROP_READER_OVERRUN]++;
			continue;
		}
		p->data = data;
		p->caplen = meta->caplen;
		p->wirelen = meta->wirelen;
		p->ts_ns = meta->ts_ns;
		p->cls = e.cls;
		p->linktype = pb->linktype;
		m[1]++;
		return 1;
	}
}

int ffpf_export_next(struct ffpf *f, const char *name, struct ffpf_packet *p)
{
	int id = ffpf_fn_lookup(f, name);
	struct ffpf_fn *fn;
	int rc;

	if (f->remote)
		return ffpf_remote_export_next(f, name, p);
	if (id < 0 || strcmp(f->fn[id]->cls->name, "export"))
		return ffpf_fail(f, -ENOENT, "no export function named '%s'", name ? name : "(null)");
	fn = f->fn[id];
	if (!fn->ibuf)
		return ffpf_fail(f, -EINVAL, "export '%s': instantiate and activate first", name);
	for (;;) {
		if (take_one(f, fn, p))
			return 1;
		if ((rc = ffpf_step(f)) <= 0)
			return rc ? rc : take_one(f, fn, p);
	}
}
