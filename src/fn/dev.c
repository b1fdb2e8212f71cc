/* dev.c — class `dev`: a live source, packets from a network interface through an AF_PACKET
 * TPACKET_V3 ring (src/source/afpacket.c), referenced in the ring (zero-copy PBuf).
 *
 * Packets the kernel could not queue because the ring was full never reach us; they are read
 * from the socket's statistics and counted as ring_full, so nothing is lost uncounted.  The
 * engine waits in poll() while every source is idle and takes batches back to back while a
 * backlog exists (interrupt at low rates, poll at high rates: paper §III-B).
 */
#include <errno.h>
#include <linux/filter.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <ffpf/class.h>
#include "buf/pbuf.h"
#include "source/afpacket.h"

static const struct ffpf_param params[] = {
	{"expr", FFPF_P_STR, NULL, "network interface to capture on, e.g. eth0", NULL, 0, 0},
	{"snaplen", FFPF_P_U64, "262144", "bytes kept of each packet", NULL, 64, 262144},
	{"promisc", FFPF_P_BOOL, "true", "promiscuous mode", NULL, 0, 0},
	{"ring", FFPF_P_U64, "64", "capture ring size in MiB", NULL, 4, 4096},
};

static const struct ffpf_result_desc results[] = {
	{"packets", FFPF_V_U64, "packets received", 0},
	{"bytes", FFPF_V_U64, "bytes on the wire of the packets received", 8},
	{"ring_full", FFPF_V_U64, "packets the kernel dropped because the ring was full", 0},
};

struct dev_priv {
	struct afpacket a;
	struct afpacket_rec cur;
	int pending;
	int error;
};

static const char *iface(const struct ffpf_fn *fn)
{
	return ffpf_arg_str(ffpf_fn_args(fn), "expr");
}

static int dev_init(struct ffpf_fn *fn, const struct ffpf_args *a)
{
	if (!*ffpf_arg_str(a, "expr"))
		return ffpf_fn_error(fn, "empty interface name; give one, e.g. (dev,eth0)");
	ffpf_fn_set_mbuf(fn, 16);
	return 0;
}

static int dev_instantiate(struct ffpf_fn *fn)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);
	const struct ffpf_args *a = ffpf_fn_args(fn);
	uint32_t snap = (uint32_t)ffpf_arg_u64(a, "snaplen");
	char err[256];
	int rc = afpacket_open(&dp->a, iface(fn), snap, (size_t)ffpf_arg_u64(a, "ring") << 20,
			       (int)ffpf_arg_u64(a, "promisc"), NULL, err, sizeof(err));

	if (rc)
		return ffpf_fn_error(fn, "%s", err), rc;
	if ((rc = ffpf_fn_set_pbuf(fn, 0, 0, snap, DLT_EN10MB)))
		return rc;
	ffpf_fn_pbuf(fn)->valid_from = &dp->a.valid_from;
	return 0;
}

static int dev_peek(struct ffpf_fn *fn, uint64_t *ts)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);
	if (dp->error)
		return -ENETDOWN;
	if (!dp->pending)
		dp->pending = afpacket_next(&dp->a, &dp->cur);
	if (!dp->pending)
		return 2;
	*ts = dp->cur.ts_ns;
	return 0;
}

static void take(struct ffpf_pbuf *pb, uint64_t *st, const struct afpacket_rec *r,
		 struct ffpf_batch *b)
{
	uint64_t seq;
	unsigned i = b->n++;
	struct ffpf_slot_meta *m;

	ffpf_pbuf_next(pb, &seq);
	m = &pb->meta[seq & pb->mask];
	m->data = r->data;
	m->pos = r->pos;
	m->seq = seq;
	m->ts_ns = r->ts_ns;
	m->caplen = r->caplen;
	m->wirelen = r->wirelen;
	b->pkt[i].data = r->data;
	b->pkt[i].caplen = r->caplen;
	b->pkt[i].wirelen = r->wirelen;
	b->ts_ns[i] = r->ts_ns;
	b->seq[i] = seq;
	st[0]++;
	st[1] += r->wirelen;
}

static int dev_fill(struct ffpf_fn *fn, struct ffpf_batch *b, uint64_t until)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);
	struct ffpf_pbuf *pb = ffpf_fn_pbuf(fn);
	uint64_t *st = (uint64_t *)(void *)ffpf_fn_mbuf(fn);

	afpacket_release(&dp->a); /* the previous batch is done: its blocks go back */
	while (b->n < b->cap) {
		if (!dp->pending && !(dp->pending = afpacket_next(&dp->a, &dp->cur)))
			break;
		if (b->n && dp->cur.ts_ns > until)
			break;
		take(pb, st, &dp->cur, b);
		dp->pending = 0;
	}
	return b->n ? 1 : 2;
}

static int dev_poll_fd(const struct ffpf_fn *fn)
{
	const struct dev_priv *dp = ffpf_fn_priv(fn);
	return dp->a.fd;
}

static int dev_read(const struct ffpf_fn *fn, unsigned idx, struct ffpf_value *v)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);
	const uint64_t *m = (const uint64_t *)(const void *)ffpf_fn_mbuf(fn);

	v->type = FFPF_V_U64;
	if (idx < 2) {
		v->u64 = m ? m[idx] : 0;
		return 0;
	}
	afpacket_stats(&dp->a);
	v->u64 = dp->a.kernel_drops;
	return 0;
}

static int dev_finish(struct ffpf_fn *fn)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);
	afpacket_stats(&dp->a);
	ffpf_fn_drop(fn, FFPF_DROP_RING_FULL, dp->a.kernel_drops);
	return 0;
}

static void dev_fini(struct ffpf_fn *fn)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);
	if (dp)
		afpacket_close(&dp->a);
}

const struct ffpf_class ffpf_fnclass_dev = {
	.name = "dev",
	.aliases = (const char *const[]){"iface", "interface", NULL},
	.summary = "source: capture live from a network interface (AF_PACKET TPACKET_V3 ring)",
	.flags = FFPF_CLASS_SOURCE,
	.params = params,
	.nparams = 4,
	.results = results,
	.nresults = 3,
	.priv_size = sizeof(struct dev_priv),
	.drop_reason = FFPF_DROP_RING_FULL,
	.init = dev_init,
	.instantiate = dev_instantiate,
	.fill = dev_fill,
	.peek = dev_peek,
	.poll_fd = dev_poll_fd,
	.read = dev_read,
	.finish = dev_finish,
	.fini = dev_fini,
};
