/* dev.c — class `dev`: a live source, packets from a network interface through an AF_PACKET
 * TPACKET_V3 ring (src/source/afpacket.c), or, when its functions run in an XDP or tc program,
 * through that program's BPF ring (src/kern/bpfring.c), with no packet socket at all.  How
 * packets cross from the AF_PACKET ring (the kernel's memory) into the PBuf is the `transfer`
 * parameter (src/source/xfer.h): referenced in the ring (zero-copy, the default), copied whole
 * into PBuf slots with the ring block given back at once (copy-once), or referenced and copied
 * only when a function keeps them (copy-on-demand).  A BPF ring is always read in place.
 *
 * Packets the kernel could not queue because the ring was full never reach us; they are read
 * from the socket's statistics (or the program's counter) and counted as ring_full, so nothing
 * is lost uncounted.  The engine waits in poll() while every source is idle and takes batches
 * back to back while a backlog exists (interrupt at low rates, poll at high rates: paper
 * §III-B).
 */
#include <errno.h>
#include <linux/filter.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <ffpf/class.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "buf/pbuf.h"
#include "ffpf_int.h"
#include "fn/dev.h"
#include "kern/bpfring.h"
#include "kern/offload.h"
#include "source/afpacket.h"
#include "source/xfer.h"

static const struct ffpf_param params[] = {
	{"expr", FFPF_P_STR, NULL, "network interface to capture on, e.g. eth0", NULL, 0, 0},
	{"snaplen", FFPF_P_U64, "262144", "bytes kept of each packet", NULL, 64, 262144},
	{"promisc", FFPF_P_BOOL, "true", "promiscuous mode", NULL, 0, 0},
	{"ring", FFPF_P_U64, "64",
	 "capture ring size in MiB (XDP and tc: a BPF ring, rounded down to a power of two, at most 1024)",
	 NULL, 4, 4096},
	{"transfer", FFPF_P_ENUM, "zero-copy",
	 "how packets cross from the ring into the PBuf: zero-copy, copy-once, copy-on-demand",
	 XFER_CHOICES, 0, 0},
};

static const struct ffpf_result_desc results[] = {
	{"packets", FFPF_V_U64, "packets received", 0, FFPF_R_SUM},
	{"bytes", FFPF_V_U64, "bytes on the wire of the packets received", 8, FFPF_R_SUM},
	{"ring_full", FFPF_V_U64, "packets the kernel dropped because the ring was full", 0, 0},
	{"copied", FFPF_V_U64, "packets copied out of the ring into the PBuf (transfer=)", 16, FFPF_R_SUM},
};

enum { ST_PACKETS, ST_BYTES, ST_COPIED, ST_N }; /* MBuf: u64 counters */

struct dev_priv {
	struct afpacket a;
	struct afpacket_rec cur;
	int pending;
	int error;
	enum xfer_mode xfer;
	uint64_t batch_from;  /* PBuf sequence of the first packet of the last batch */
	int level;            /* FFPF_LVL_*: host (plain socket), kernel (tc or socket filter), xdp */
	int ringed;           /* xdp, tc: no socket; what goes up comes through the program's ring */
	uint32_t up_mask;     /* kernel: the mark every packet that comes up has */
	struct bpfring ring;  /* ringed: packets the program sent up (when any go up) */
	int has_ring;
	int promisc_fd;       /* ringed: holds the device promiscuous (afpacket_promisc), or -1 */
	uint32_t mark;        /* ringed: the mark of the record in cur */
	uint64_t mono_to_real;/* ringed: CLOCK_REALTIME - CLOCK_MONOTONIC, for record timestamps */
	int started;          /* ffpf_dev_start() ran */
};

static const char *iface(const struct ffpf_fn *fn)
{
	return ffpf_arg_str(ffpf_fn_args(fn), "expr");
}

static int dev_init(struct ffpf_fn *fn, const struct ffpf_args *a)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);
	dp->a.fd = dp->promisc_fd = -1; /* nothing open yet (fini may come first) */
	if (!*ffpf_arg_str(a, "expr"))
		return ffpf_fn_error(fn, "empty interface name; give one, e.g. (dev,eth0)");
	ffpf_fn_set_mbuf(fn, ST_N * sizeof(uint64_t));
	return 0;
}

/* ---- transfer strategies (xfer.h): the PBuf they need, and the copies ---------------------- */

/* Zero-copy: slots only describe packets in the ring.  Copy-once and copy-on-demand: slots of
 * one packet each, sized from the MTU.  Copy-once needs no valid_from: no slot points into the
 * ring; copy-on-demand keeps it for the packets nobody kept. */
static int transfer_setup(struct ffpf_fn *fn, struct dev_priv *dp, uint32_t snap)
{
	struct ffpf_pbuf *pb;
	uint32_t slot = 0;
	int rc;

	dp->xfer = xfer_mode_of(ffpf_arg_str(ffpf_fn_args(fn), "transfer"));
	if (dp->xfer != XFER_ZERO_COPY)
		slot = xfer_slot_size(snap, dp->a.mtu);
	if ((rc = ffpf_fn_set_pbuf(fn, 0, slot, dp->xfer == XFER_COPY_ONCE ? slot : snap, DLT_EN10MB)))
		return rc;
	pb = ffpf_fn_pbuf(fn);
	pb->valid_from = dp->xfer == XFER_COPY_ONCE ? NULL : &dp->a.valid_from;
	pb->on_demand = dp->xfer == XFER_COPY_ON_DEMAND;
	return 0;
}

/* Copy-on-demand, when the last batch is done and before its ring blocks go back (batch_done):
 * copy the packets of that batch that a function kept (ffpf_pbuf_keep()). */
static void transfer_after_batch(struct ffpf_fn *fn, struct dev_priv *dp, struct ffpf_pbuf *pb,
				 uint64_t *st)
{
	uint64_t cut = 0;

	if (dp->xfer != XFER_COPY_ON_DEMAND)
		return;
	st[ST_COPIED] += xfer_copy_kept(pb, dp->batch_from, pb->head, &cut);
	ffpf_fn_drop(fn, FFPF_DROP_SLOT_TRUNCATED, cut);
	dp->batch_from = pb->head;
}

/* Copy-once, as the packet is taken: into its slot, cut to the slot if longer. */
static void transfer_take(struct ffpf_fn *fn, struct dev_priv *dp, struct ffpf_pbuf *pb,
			  struct ffpf_slot_meta *m, uint64_t *st)
{
	if (dp->xfer != XFER_COPY_ONCE)
		return;
	st[ST_COPIED]++;
	if (xfer_copy(pb, m))
		ffpf_fn_drop(fn, FFPF_DROP_SLOT_TRUNCATED, 1);
}

/* ---- the source --------------------------------------------------------------------------- */

/* The device opens in ffpf_dev_start(), once it is known which programs run below the host;
 * the functions after it need its link type and snaplen now. */
static int dev_instantiate(struct ffpf_fn *fn)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);
	dp->a.fd = -1;
	if (!if_nametoindex(iface(fn)))
		return ffpf_fn_error(fn, "no such network device '%s' (see `ip link`)", iface(fn)), -ENODEV;
	return ffpf_fn_set_pbuf(fn, 0, 0, (uint32_t)ffpf_arg_u64(ffpf_fn_args(fn), "snaplen"), DLT_EN10MB);
}

/* XDP and tc: no socket.  Packets come up through the program's ring, read in place
 * (zero-copy PBuf, valid until the ring space goes back); none at all when the program has no
 * ring.  In ffpfd a tc program always has one, inherited by the programs replacing it, so that
 * packets can start going up later (ffpf_dev_refilter). */
static int start_ring(struct ffpf_fn *fn, struct dev_priv *dp, const struct ffpf_offload *u)
{
	struct timespec rt, mono;
	char err[256];
	int rc;

	dp->ringed = 1;
	dp->up_mask = u->up_mask;
	if (ffpf_arg_u64(ffpf_fn_args(fn), "promisc") &&
	    (dp->promisc_fd = afpacket_promisc(iface(fn), err, sizeof(err))) < 0)
		return ffpf_fn_error(fn, "%s", err), dp->promisc_fd;
	if (u->bpf.ring_fd < 0)
		return 0;
	if ((rc = bpfring_open(&dp->ring, u->bpf.ring_fd, u->ring_bytes, err, sizeof(err))))
		return ffpf_fn_error(fn, "%s", err), rc;
	dp->has_ring = 1;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	dp->mono_to_real = (uint64_t)(rt.tv_sec - mono.tv_sec) * 1000000000ull + (uint64_t)rt.tv_nsec -
			   (uint64_t)mono.tv_nsec;
	if ((rc = ffpf_fn_set_pbuf(fn, 0, 0, u->snap, DLT_EN10MB)))
		return rc;
	ffpf_fn_pbuf(fn)->valid_from = &dp->ring.published;
	return 0;
}

int ffpf_dev_start(struct ffpf_fn *fn, struct ffpf_offload *u)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);
	const struct ffpf_args *a = ffpf_fn_args(fn);
	uint32_t snap = (uint32_t)ffpf_arg_u64(a, "snaplen");
	char err[256];
	int rc;

	dp->level = u ? fn->level : FFPF_LVL_HOST;
	dp->started = 1;
	if (u && u->target != FFPF_TARGET_SOCKET)
		return start_ring(fn, dp, u);
	if (dp->level == FFPF_LVL_KERNEL)
		dp->up_mask = u->up_mask;
	rc = afpacket_open(&dp->a, iface(fn), snap, (size_t)ffpf_arg_u64(a, "ring") << 20,
			   (int)ffpf_arg_u64(a, "promisc"), dp->level == FFPF_LVL_KERNEL ? u->bpf.prog_fd : -1,
			   fn->owner->opts.fanout, err, sizeof(err));
	if (rc)
		return ffpf_fn_error(fn, "%s", err), rc;
	return transfer_setup(fn, dp, snap);
}

int ffpf_dev_started(const struct ffpf_fn *fn)
{
	const struct dev_priv *dp = ffpf_fn_priv(fn);
	return dp && dp->started;
}

int ffpf_dev_socketed(const struct ffpf_fn *fn)
{
	const struct dev_priv *dp = ffpf_fn_priv(fn);
	return dp && dp->started && !dp->ringed;
}

/* Everything the device holds open: its ring (BPF or AF_PACKET), its promiscuous hold. */
static void close_all(struct dev_priv *dp)
{
	if (dp->has_ring)
		bpfring_close(&dp->ring);
	if (dp->promisc_fd >= 0)
		close(dp->promisc_fd);
	if (dp->a.fd >= 0 || dp->a.map)
		afpacket_close(&dp->a);
	dp->a.fd = dp->promisc_fd = -1;
	dp->has_ring = 0;
}

void ffpf_dev_stop(struct ffpf_fn *fn)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);

	if (!dp || !dp->started)
		return;
	close_all(dp);
	dp->ringed = dp->pending = dp->started = 0;
}

int ffpf_dev_refilter(struct ffpf_fn *fn, const struct ffpf_offload *u)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);

	if (!dp->started)
		return ffpf_dev_start(fn, (struct ffpf_offload *)(uintptr_t)u);
	if (u->target == FFPF_TARGET_TC && dp->ringed && dp->level == FFPF_LVL_KERNEL &&
	    (dp->has_ring || !u->up_mask)) {
		dp->up_mask = u->up_mask; /* the links run the new program already (offload.c) */
		return 0;
	}
	if (dp->a.fd < 0 || dp->ringed || u->target != FFPF_TARGET_SOCKET)
		return ffpf_fn_error(fn, "cannot change how the device is read (socket filter, tc "
				     "or xdp) while it runs"), -EINVAL;
	if (setsockopt(dp->a.fd, SOL_SOCKET, SO_ATTACH_BPF, &u->bpf.prog_fd, sizeof(u->bpf.prog_fd)))
		return ffpf_fn_error(fn, "the kernel refused the new socket filter: %s", strerror(errno)), -errno;
	dp->level = FFPF_LVL_KERNEL; /* from here the program counts its packets */
	dp->up_mask = u->up_mask;
	return 0;
}

/* ---- XDP and tc: records from the ring ----------------------------------------------------- */

/* The next record as a packet in dp->cur (and its mark); 0 if none.  The record's lengths are
 * checked against its size: a short or lying record is skipped and counted, never read past. */
static int ring_next(struct ffpf_fn *fn, struct dev_priv *dp)
{
	const uint8_t *rec;
	uint32_t len;
	uint64_t pos;
	struct ffpf_up_rec h;

	while (bpfring_next(&dp->ring, &rec, &len, &pos)) {
		if (len < sizeof(h)) {
			ffpf_fn_drop(fn, FFPF_DROP_RUNTIME_ERROR, 1);
			continue;
		}
		memcpy(&h, rec, sizeof(h));
		if (h.caplen > len - sizeof(h) || !h.mark) {
			ffpf_fn_drop(fn, FFPF_DROP_RUNTIME_ERROR, 1);
			continue;
		}
		dp->cur = (struct afpacket_rec){rec + sizeof(h), pos, h.ts_ns + dp->mono_to_real, h.caplen,
						h.wirelen < h.caplen ? h.caplen : h.wirelen};
		dp->mark = h.mark;
		return 1;
	}
	return 0;
}

/* Whether the device is still up: an XDP or tc program on a device that went down sees
 * nothing, and with no socket nothing else would tell us. */
static int device_up(const struct ffpf_fn *fn)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), up;

	if (s < 0)
		return 1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface(fn));
	up = !ioctl(s, SIOCGIFFLAGS, &ifr) && (ifr.ifr_flags & IFF_UP);
	close(s);
	return up;
}

static int ring_peek(struct ffpf_fn *fn, struct dev_priv *dp, uint64_t *ts)
{
	if (!dp->pending && dp->has_ring)
		dp->pending = ring_next(fn, dp);
	if (dp->pending) {
		*ts = dp->cur.ts_ns;
		return 0;
	}
	bpfring_release(&dp->ring); /* the last batch is done; an unpublished ring stays readable */
	if (!device_up(fn))
		return ffpf_fn_error(fn, "the interface %s went down or away (results are incomplete)",
				     iface(fn)), -ENETDOWN;
	return 2;
}

/* The engine asks for the next batch, so the last one is done: copy-on-demand copies what was
 * kept, then the ring blocks read out go back to the kernel — all but the one holding a packet
 * read ahead.  Also done while idle (peek): a block we hold keeps the socket readable, and the
 * engine would spin in poll() instead of sleeping. */
static void batch_done(struct ffpf_fn *fn, struct dev_priv *dp)
{
	transfer_after_batch(fn, dp, ffpf_fn_pbuf(fn), (uint64_t *)(void *)ffpf_fn_mbuf(fn));
	afpacket_release(&dp->a, dp->pending ? dp->cur.pos : UINT64_MAX);
}

static int dev_peek(struct ffpf_fn *fn, uint64_t *ts)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);
	if (dp->error)
		return -ENETDOWN;
	if (!dp->started)
		return 2; /* ffpfd: added by a request, opened when the graph is rebuilt; nothing yet */
	if (dp->ringed)
		return ring_peek(fn, dp, ts);
	batch_done(fn, dp);
	if (!dp->pending)
		dp->pending = afpacket_next(&dp->a, &dp->cur);
	if (!dp->pending)
		return 2;
	*ts = dp->cur.ts_ns;
	return 0;
}

static void take(struct ffpf_fn *fn, struct dev_priv *dp, struct ffpf_pbuf *pb, uint64_t *st,
		 struct ffpf_batch *b)
{
	const struct afpacket_rec *r = &dp->cur;
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
	m->flags = 0;
	transfer_take(fn, dp, pb, m, st);
	b->pkt[i].data = m->data;
	b->pkt[i].caplen = m->caplen;
	b->pkt[i].wirelen = r->wirelen;
	b->ts_ns[i] = r->ts_ns;
	b->seq[i] = seq;
	if (dp->level != FFPF_LVL_HOST) { /* the program below counted it; the mark says for whom */
		fn->owner->mark[i] = dp->ringed ? dp->mark : dp->up_mask;
		return;
	}
	st[ST_PACKETS]++;
	st[ST_BYTES] += r->wirelen;
}

static int dev_fill(struct ffpf_fn *fn, struct ffpf_batch *b, uint64_t until)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);
	struct ffpf_pbuf *pb = ffpf_fn_pbuf(fn);
	uint64_t *st = (uint64_t *)(void *)ffpf_fn_mbuf(fn);

	if (dp->ringed) {
		bpfring_release(&dp->ring);
		while (b->n < b->cap && (dp->pending || (dp->has_ring && (dp->pending = ring_next(fn, dp))))) {
			if (b->n && dp->cur.ts_ns > until)
				break;
			take(fn, dp, pb, st, b);
			dp->pending = 0;
		}
		return b->n ? 1 : 2;
	}
	batch_done(fn, dp);
	while (b->n < b->cap) {
		if (!dp->pending && !(dp->pending = afpacket_next(&dp->a, &dp->cur)))
			break;
		if (b->n && dp->cur.ts_ns > until)
			break;
		take(fn, dp, pb, st, b);
		dp->pending = 0;
	}
	if (dp->xfer == XFER_COPY_ONCE) /* every packet taken is in the PBuf: its blocks go back now */
		afpacket_release(&dp->a, dp->pending ? dp->cur.pos : UINT64_MAX);
	return b->n ? 1 : 2;
}

static int dev_poll_fd(const struct ffpf_fn *fn)
{
	const struct dev_priv *dp = ffpf_fn_priv(fn);
	if (!dp->started)
		return -1;
	if (dp->ringed)
		return dp->has_ring ? dp->ring.fd : -1;
	return dp->a.fd;
}

static int dev_read(const struct ffpf_fn *fn, unsigned idx, struct ffpf_value *v)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);
	const uint64_t *m = (const uint64_t *)(const void *)ffpf_fn_mbuf(fn);

	v->type = FFPF_V_U64;
	if (idx == 2 && dp->ringed) { /* the program counts what the ring refused */
		v->u64 = m ? __atomic_load_n(&m[FFPF_OFF_RING_FULL / 8], __ATOMIC_RELAXED) : 0;
		return 0;
	}
	if (idx == 2) {
		afpacket_stats(&dp->a);
		v->u64 = dp->a.kernel_drops;
		return 0;
	}
	v->u64 = m ? m[results[idx].mbuf_off / sizeof(uint64_t)] : 0;
	return 0;
}

static int dev_finish(struct ffpf_fn *fn)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);
	if (dp->ringed)
		return 0; /* its drops are the program's (ffpf_offload_sync) */
	afpacket_stats(&dp->a);
	ffpf_fn_drop(fn, FFPF_DROP_RING_FULL, dp->a.kernel_drops);
	return 0;
}

static void dev_fini(struct ffpf_fn *fn)
{
	struct dev_priv *dp = ffpf_fn_priv(fn);
	if (dp && dp->started) /* only ffpf_dev_start() opens anything; priv may be all zeros */
		close_all(dp);
}

const struct ffpf_class ffpf_fnclass_dev = {
	.name = "dev",
	.aliases = (const char *const[]){"iface", "interface", NULL},
	.summary = "source: capture live from a network interface (AF_PACKET TPACKET_V3 ring, "
		   "or the ring of its XDP or tc program)",
	.flags = FFPF_CLASS_SOURCE,
	.params = params,
	.nparams = sizeof(params) / sizeof(params[0]),
	.results = results,
	.nresults = sizeof(results) / sizeof(results[0]),
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
