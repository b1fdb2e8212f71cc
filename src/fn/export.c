/* export.c — class `export`: hands packets to the calling program through the library
 * (ffpf_export_next()).  Its IBuf is the reader's queue: {PBuf sequence, class, source}; the
 * packets stay in their source's PBuf (no copy per reader).  A reader that falls further behind
 * than the IBuf (or the PBuf) holds loses its oldest packets and sees them counted as
 * reader_overrun, and the graph never waits for it.  Passes every packet on.
 *
 * An export keeps packets beyond their batch, so it marks them kept (ffpf_pbuf_keep()): a source
 * that copies on demand (dev,transfer=copy-on-demand) then copies them out of the capture ring
 * before it gives the ring back, and the reader still finds them. */
#include <errno.h>
#include <string.h>
#include "ffpf_int.h"

static const struct ffpf_result_desc results[] = {
	{"queued", FFPF_V_U64, "packets put in the reader's queue", 0, 0},
	{"delivered", FFPF_V_U64, "packets the program read", 8, 0},
	{"pending", FFPF_V_U64, "packets still queued, unread", 0, 0},
	{"overrun", FFPF_V_U64, "packets lost because the reader fell behind", 0, 0},
};

static int export_init(struct ffpf_fn *fn, const struct ffpf_args *a)
{
	ffpf_fn_set_mbuf(fn, 2 * sizeof(uint64_t));
	return 0;
}

static unsigned export_run(struct ffpf_fn *fn, const struct ffpf_batch *b, const struct ffpf_sel *in,
			   struct ffpf_sel *out)
{
	uint64_t *m = (uint64_t *)(void *)ffpf_fn_mbuf(fn);
	m[0] += in->n; /* the engine writes the IBuf entries for every function it runs */
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

const struct ffpf_class ffpf_fnclass_export = {
	.name = "export",
	.aliases = (const char *const[]){"app", "deliver", NULL},
	.summary = "make packets readable by the calling program (ffpf_export_next)",
	.results = results,
	.nresults = 4,
	.init = export_init,
	.run = export_run,
	.read = export_read,
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
		return ffpf_fail(f, -ENOTSUP, "export '%s': packets are not yet handed to applications "
				 "served by ffpfd; run this flowgraph in-process (unset FFPF_SOCKET)", name);
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
