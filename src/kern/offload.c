/* offload.c — which functions run below the host, and running them there (see offload.h).
 *
 * The paper's rules (src/place/) say where each function belongs.  What this machine's
 * barriers can carry then cuts that down, and every cut is written in the function's `where`:
 *   - one program per device: a function below the host takes packets from one device, from
 *     that device itself or from functions in the same program;
 *   - decisions only travel up with the packet: a function whose input runs higher (or in
 *     another program) runs in the host;
 *   - an XDP program hands packets up with a 32-bit mark (one bit per stream that goes up);
 *     a socket filter with one bit: accept or not.  So from the kernel flowspace at most one
 *     stream goes up, the others' functions run in the host;
 *   - on refusal (no clang, the verifier, XDP not allowed on the device) the device's
 *     functions go one flowspace up: XDP → kernel → host.
 * The kernel flowspace has two forms.  A tc program (tcx links at ingress and egress) sees what
 * a packet socket would, and costs no socket: no clone delivered to a tap, no queue.  It is
 * used when nothing goes up, and always in ffpfd, whose programs are replaced while packets
 * flow: a link swaps programs atomically, and packets that go up take a BPF ring that the
 * new program inherits.  Otherwise (packets going up to one process, PACKET_FANOUT workers,
 * kernels without tcx) a socket filter on the device's AF_PACKET socket.
 */
#include "kern/offload.h"
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/membarrier.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "codegen/cc.h"
#include "ffpf_int.h"
#include "fn/dev.h"
#include "place/place.h"
#include "util/strbuf.h"

#define RING_MAX (1u << 30)  /* XDP, tc → host ring: the most we ask the kernel for */
#define UP_SNAP    16384u      /* XDP: most bytes of a packet that go up (jumbo frames fit) */

static int is_dev(const struct ffpf_fn *fn)
{
	return (fn->cls->flags & FFPF_CLASS_SOURCE) && !strcmp(fn->cls->name, "dev");
}

static void set_host(struct ffpf_fn *fn, const char *fmt, const char *arg)
{
	fn->level = FFPF_LVL_HOST;
	fn->lowbit = -1;
	if (!fn->where[0])
		snprintf(fn->where, sizeof(fn->where), fmt, arg);
}

/* The paper's placement, as levels: fn->placed and a first fn->level. */
static int place_rules(struct ffpf *f)
{
	struct ffpf_place_in *in = calloc(f->nfn, sizeof(*in));
	struct ffpf_place_out *out = calloc(f->nfn, sizeof(*out));
	struct ffpf_diag d;
	struct ffpf_hier *h = NULL;
	int rc = -ENOMEM;

	if (!in || !out)
		goto done;
	rc = 0;
	if (!(h = ffpf_build_hier(f, &d)))
		goto done; /* no tree (a bad hierarchy file): everything in the host; plan says why */
	for (unsigned i = 0; i < f->nfn; i++) {
		const struct ffpf_fn *fn = f->fn[i];
		in[i] = (struct ffpf_place_in){fn->name, fn->cls->name, fn->inputs, fn->ninputs,
					       is_dev(fn) ? ffpf_arg_str(fn->args, "expr") : NULL};
	}
	if (ffpf_place(h, in, f->nfn, out, &d))
		goto done;
	for (unsigned i = 0; i < f->nfn; i++) {
		struct ffpf_fn *fn = f->fn[i];
		const struct ffpf_flowspace *fs = ffpf_hier_fs(h, out[i].fs);
		if (fn->cls->flags & FFPF_CLASS_SOURCE)
			continue;
		snprintf(fn->placed, sizeof(fn->placed), "%s", fs->name);
		if (fs->kind == FFPF_FS_XDP)
			fn->level = FFPF_LVL_XDP;
		else if (fs->kind == FFPF_FS_KERNEL)
			fn->level = FFPF_LVL_KERNEL;
		else if (fs->kind != FFPF_FS_HOST && fs->kind != FFPF_FS_APP)
			set_host(fn, "%s is not on this machine (a hierarchy-file flowspace): runs in the host",
				 fs->name);
	}
done:
	ffpf_hier_free(h);
	free(in);
	free(out);
	return rc;
}

/* One program per device, decisions only go up, no lower than the device allows: a pass in
 * topological order setting lowdev[] (the device whose program runs the function). */
static void inputs_rule(struct ffpf *f, int *lowdev)
{
	for (unsigned i = 0; i < f->nfn; i++) {
		struct ffpf_fn *fn = f->fn[i];
		int dev = -1;
		lowdev[i] = -1;
		if ((fn->cls->flags & FFPF_CLASS_SOURCE) || fn->level == FFPF_LVL_HOST)
			continue;
		for (unsigned k = 0; k < fn->ninputs && fn->level != FFPF_LVL_HOST; k++) {
			const struct ffpf_fn *x = f->fn[fn->inputs[k]];
			int d = is_dev(x) ? (int)x->id : lowdev[x->id];
			if (d < 0 && x->where[0])
				set_host(fn, "%s", x->where); /* its input moved up: for the same reason */
			else if (d < 0)
				set_host(fn, "its input %s runs higher up: packets never go down", x->name);
			else if (dev >= 0 && d != dev)
				set_host(fn, "%s: inputs from two devices meet in the host (one program per device)",
					 fn->cls->name);
			else
				dev = d;
		}
		if (fn->level == FFPF_LVL_HOST)
			continue;
		if (fn->level > f->fn[dev]->allow) { /* not allowed, or the device refused this level */
			fn->level = f->fn[dev]->allow;
			snprintf(fn->where, sizeof(fn->where), "%s", f->fn[dev]->where);
			if (fn->level == FFPF_LVL_HOST)
				continue;
		}
		for (unsigned k = 0; k < fn->ninputs; k++) {
			const struct ffpf_fn *x = f->fn[fn->inputs[k]];
			if (!is_dev(x) && x->level != fn->level)
				set_host(fn, "its input %s runs in another flowspace: one program per device",
					 x->name);
		}
		if (fn->level == FFPF_LVL_HOST)
			continue;
		lowdev[i] = dev;
	}
}

/* One program per device: the device's level is the lowest its functions got; a function at
 * another level (a hierarchy file can split classes between xdp and kernel) runs in the host. */
static void one_level(struct ffpf *f, const int *lowdev)
{
	for (unsigned i = 0; i < f->nfn; i++)
		if (lowdev[i] >= 0 && f->fn[lowdev[i]]->level < f->fn[i]->level)
			f->fn[lowdev[i]]->level = f->fn[i]->level;
	for (unsigned i = 0; i < f->nfn; i++)
		if (lowdev[i] >= 0 && f->fn[i]->level != f->fn[lowdev[i]]->level)
			set_host(f->fn[i], "%s", "its device runs an XDP program; a second program in the "
				 "kernel for it is not made");
}

static int goes_up(const struct ffpf *f, unsigned id)
{
	for (unsigned i = id + 1; i < f->nfn; i++)
		for (unsigned k = 0; k < f->fn[i]->ninputs; k++)
			if (f->fn[i]->inputs[k] == id && f->fn[i]->level == FFPF_LVL_HOST && !f->fn[i]->dead)
				return 1;
	return 0;
}

/* Bits for the streams that go up, per device; more than its barrier carries: the last one
 * moves to the host and 1 is returned (the caller runs the rules again). */
static int assign_bits(struct ffpf *f, const int *lowdev)
{
	for (unsigned i = 0; i < f->nfn; i++) {
		struct ffpf_fn *d = f->fn[i];
		unsigned n = 0, cap;
		if (!is_dev(d) || d->level == FFPF_LVL_HOST)
			continue;
		cap = d->level == FFPF_LVL_XDP ? 32 : 1;
		for (unsigned j = i; j < f->nfn; j++) {
			struct ffpf_fn *fn = f->fn[j];
			fn->lowbit = -1;
			if ((j != i && lowdev[j] != (int)i) || !goes_up(f, j))
				continue;
			if (f->live && j != i) { /* ffpfd changes its programs while packets flow: */
				fn->where[0] = 0; /* only whole devices go up, never a function's stream */
				set_host(fn, "%s", "in ffpfd's flowgraphs a function whose packets go up "
					 "runs in the host");
				return 1;
			}
			if (n == cap && j != i) {
				fn->where[0] = 0; /* this reason replaces any earlier one */
				set_host(fn, "%s", d->level == FFPF_LVL_XDP
						      ? "more than 32 streams would go up from one XDP program"
						      : "a socket filter passes one stream up, and another "
							"already does");
				return 1;
			}
			fn->lowbit = (int)n++;
		}
	}
	return 0;
}

static void free_units(struct ffpf *f)
{
	for (unsigned u = 0; u < f->noff; u++) {
		free(f->off[u].ids);
		free(f->off[u].stat_off);
		free(f->off[u].mbuf_off);
		free(f->off[u].src);
	}
	free(f->off);
	f->off = NULL;
	f->noff = 0;
}

/* The ring to the host: the dev's `ring` MiB, as a BPF ring buffer needs it (a power of two,
 * so the largest one not above), at most RING_MAX. */
static uint32_t ring_size(uint64_t mib)
{
	uint32_t b = 1u << 20;
	while ((uint64_t)b * 2 <= (mib << 20) && b < RING_MAX)
		b *= 2;
	return b;
}

/* The kernel flowspace's form for device d (see the top of this file). */
static enum ffpf_target kernel_target(const struct ffpf *f, struct ffpf_fn *d, uint32_t up_mask)
{
	if (d->no_tc)
		return FFPF_TARGET_SOCKET;
	if (ffpf_dev_socketed(d)) { /* ffpfd: opened in the host after a failed swap */
		d->no_tc = 1;
		snprintf(d->tc_why, sizeof(d->tc_why), "%s", "the device was opened with a packet socket, "
			 "whose filter can be swapped; a tc program could not take over without a gap");
		return FFPF_TARGET_SOCKET;
	}
	if (!f->live && (up_mask || f->opts.fanout))
		return FFPF_TARGET_SOCKET; /* packets up to one process: the socket's mapped ring */
	/* asked of the loopback device (ifindex 1 in every namespace) at each placement: one
	 * syscall, nothing kept, so handles placed in several threads share no state */
	if (!ffpf_bpf_tcx_ok(1, d->tc_why, sizeof(d->tc_why))) {
		d->no_tc = 1;
		return FFPF_TARGET_SOCKET;
	}
	return FFPF_TARGET_TC;
}

static int make_unit(struct ffpf *f, unsigned dev, const int *lowdev)
{
	const struct ffpf_fn *d = f->fn[dev];
	struct ffpf_offload *u = realloc(f->off, (f->noff + 1) * sizeof(*u));
	size_t at;

	if (!u)
		return -ENOMEM;
	f->off = u;
	u = &f->off[f->noff++];
	memset(u, 0, sizeof(*u));
	u->bpf.prog_fd = u->bpf.link_fd = u->bpf.link2_fd = u->bpf.ring_fd = -1;
	u->dev = dev;
	u->ids = calloc(f->nfn, sizeof(unsigned));
	u->stat_off = calloc(f->nfn, sizeof(size_t));
	u->mbuf_off = calloc(f->nfn, sizeof(size_t));
	if (!u->ids || !u->stat_off || !u->mbuf_off)
		return -ENOMEM;
	if (d->lowbit >= 0)
		u->up_mask |= 1u << d->lowbit;
	for (unsigned j = dev + 1; j < f->nfn; j++)
		if (lowdev[j] == (int)dev)
			u->ids[u->nids++] = j;
	u->cb_size = FFPF_OFF_FIRST + 16 * (size_t)u->nids;
	at = FFPF_OFF_BASE + u->cb_size;
	for (unsigned k = 0; k < u->nids; k++) {
		const struct ffpf_fn *fn = f->fn[u->ids[k]];
		u->stat_off[k] = FFPF_OFF_FIRST + 16 * (size_t)k;
		u->mbuf_off[k] = at;
		at += (fn->mbuf_size + 7) & ~(size_t)7;
		if (fn->lowbit >= 0)
			u->up_mask |= 1u << fn->lowbit;
	}
	int ncpu = libbpf_num_possible_cpus(); /* the kernel's count: every CPU id is below it */
	if (ncpu <= 0)
		ncpu = 4096; /* unreadable: more than any CPU id, so none share a block */
	u->nslots = (unsigned)ncpu + 1;
	u->slot_stride = (u->cb_size + 63) & ~(size_t)63; /* no two CPUs on one cache line */
	u->slot_off = (at + 63) & ~(size_t)63;
	u->mem_size = u->slot_off + u->nslots * u->slot_stride;
	uint64_t snap = ffpf_arg_u64(d->args, "snaplen");
	u->snap = snap < UP_SNAP ? (uint32_t)snap : UP_SNAP;
	u->target = d->level == FFPF_LVL_XDP ? FFPF_TARGET_XDP : kernel_target(f, f->fn[dev], u->up_mask);
	if (u->up_mask || (u->target == FFPF_TARGET_TC && f->live))
		u->ring_bytes = ring_size(ffpf_arg_u64(d->args, "ring"));
	return 0;
}

/* Levels from scratch, for the devices' current allowances. */
static int place_levels(struct ffpf *f)
{
	int *lowdev = calloc(f->nfn ? f->nfn : 1, sizeof(int));
	int rc;

	if (!lowdev)
		return -ENOMEM;
	free_units(f);
	for (unsigned i = 0; i < f->nfn; i++) {
		struct ffpf_fn *fn = f->fn[i];
		fn->level = FFPF_LVL_HOST;
		fn->lowbit = -1;
		fn->placed[0] = 0;
		if (!is_dev(fn))
			fn->where[0] = 0;
	}
	if ((rc = place_rules(f)))
		goto done;
	for (unsigned i = 0; i < f->nfn; i++)
		if (f->fn[i]->dead)
			f->fn[i]->level = FFPF_LVL_HOST;
	do {
		inputs_rule(f, lowdev);
		for (unsigned i = 0; i < f->nfn; i++)
			if (is_dev(f->fn[i]))
				f->fn[i]->level = FFPF_LVL_HOST;
		one_level(f, lowdev);
		for (unsigned i = 0; f->live && i < f->nfn; i++) /* ffpfd: every device has a filter, */
			if (is_dev(f->fn[i]) && !f->fn[i]->dead && f->fn[i]->allow >= FFPF_LVL_KERNEL &&
			    f->fn[i]->level == FFPF_LVL_HOST) /* so that later requests can go low */
				f->fn[i]->level = FFPF_LVL_KERNEL;
		inputs_rule(f, lowdev); /* functions one_level moved up take their dependents along */
	} while (assign_bits(f, lowdev));
	for (unsigned i = 0; i < f->nfn && !rc; i++)
		if (is_dev(f->fn[i]) && f->fn[i]->level != FFPF_LVL_HOST)
			rc = make_unit(f, i, lowdev);
	for (unsigned i = 0; i < f->nfn; i++) {
		struct ffpf_fn *fn = f->fn[i];
		int dev = is_dev(fn) ? (int)i : lowdev[i];
		if (fn->level == FFPF_LVL_XDP)
			snprintf(fn->runs, sizeof(fn->runs), "xdp@%s", ffpf_arg_str(f->fn[dev]->args, "expr"));
		else
			snprintf(fn->runs, sizeof(fn->runs), "%s", fn->level == FFPF_LVL_KERNEL ? "kernel" : "host");
		if (!strcmp(fn->runs, fn->placed))
			fn->placed[0] = 0; /* placed where it runs: nothing to say */
	}
done:
	free(lowdev);
	return rc;
}

int ffpf_offload_place(struct ffpf *f)
{
	for (unsigned i = 0; i < f->nfn; i++)
		ffpf_offload_allow(f, f->fn[i]);
	return place_levels(f);
}

void ffpf_offload_allow(struct ffpf *f, struct ffpf_fn *fn)
{
	int lowest = f->opts.lowest == FFPF_LOWEST_HOST     ? FFPF_LVL_HOST
		     : f->opts.lowest == FFPF_LOWEST_KERNEL ? FFPF_LVL_KERNEL
							    : FFPF_LVL_XDP;
	int fanout = f->opts.fanout && lowest == FFPF_LVL_XDP;

	if (fanout) /* workers each have a socket; one XDP program per device serves all CPUs */
		lowest = FFPF_LVL_KERNEL;
	fn->where[0] = 0;
	fn->allow = lowest;
	if (is_dev(fn) && fanout)
		snprintf(fn->where, sizeof(fn->where), "XDP not used with PACKET_FANOUT workers: "
			 "each worker's socket carries its own filter");
	else if (is_dev(fn) && lowest != FFPF_LVL_XDP)
		snprintf(fn->where, sizeof(fn->where), "%s not allowed (--lowest %s)",
			 lowest == FFPF_LVL_HOST ? "XDP and kernel" : "XDP",
			 lowest == FFPF_LVL_HOST ? "host" : "kernel");
}

struct ffpf_offload *ffpf_offload_of(struct ffpf *f, unsigned dev)
{
	for (unsigned u = 0; u < f->noff; u++)
		if (f->off[u].dev == dev)
			return &f->off[u];
	return NULL;
}

/* Generate, compile and load u's program (the verifier runs here).  ring_fd >= 0: the ring
 * of the program it replaces, kept (see ffpf_bpf_open).  0, or -errno with why. */
static int prepare_unit(struct ffpf *f, struct ffpf_offload *u, int ring_fd, char *why, size_t n)
{
	struct strbuf src = {0};
	char obj[4200];
	int rc = ffpf_ebpf_generate(f, u, &src, why, n);

	if (rc) {
		sb_free(&src);
		return rc;
	}
	free(u->src);
	u->src = sb_take(&src);
	if (!u->src)
		return -ENOMEM;
	if (ffpf_cc_bpf(u->src, strlen(u->src), obj, sizeof(obj), why, n))
		return -ENOEXEC;
	struct ffpf_cc_owner own = ffpf_cc_as_owner(); /* the object is in our cache */
	rc = ffpf_bpf_open(&u->bpf, obj, u->mem_size, ring_fd, why, n);
	ffpf_cc_as_before(own);
	return rc;
}

/* Attach u's program where it runs: XDP and tc to the device, tc in place of prev's program
 * when prev (the unit it replaces) ran there as tc; a socket filter is attached by its socket
 * (the dev).  0, or -errno with why. */
static int attach_unit(struct ffpf *f, struct ffpf_offload *u, struct ffpf_offload *prev, char *why,
		       size_t n)
{
	const char *ifname = ffpf_arg_str(f->fn[u->dev]->args, "expr");
	unsigned ifindex;
	int rc = 0;

	if (u->target == FFPF_TARGET_TC && prev && prev->target == FFPF_TARGET_TC && prev->bpf.link_fd >= 0) {
		if ((rc = ffpf_bpf_take_links(&u->bpf, &prev->bpf, why, n)))
			return rc;
		u->took = 1;
	} else if (u->target != FFPF_TARGET_SOCKET) {
		if (!(ifindex = if_nametoindex(ifname)))
			return snprintf(why, n, "no such network device '%s'", ifname), -ENODEV;
		rc = u->target == FFPF_TARGET_XDP ? ffpf_bpf_attach_xdp(&u->bpf, (int)ifindex, why, n)
						  : ffpf_bpf_attach_tc(&u->bpf, (int)ifindex, why, n);
		if (rc)
			return rc;
	}
	u->loaded = 1;
	return 0;
}

/* The functions' MBufs become the map's (their initial contents copied in: a sampler's seed). */
static void bind_mbufs(struct ffpf *f, struct ffpf_offload *u)
{
	struct ffpf_fn *d = f->fn[u->dev];
	d->host_mbuf = d->mbuf; /* the device's packets/bytes are the program's first counters */
	d->mbuf = u->bpf.mem;
	for (unsigned k = 0; k < u->nids; k++) {
		struct ffpf_fn *fn = f->fn[u->ids[k]];
		if (fn->mbuf_size)
			memcpy(u->bpf.mem + u->mbuf_off[k], fn->mbuf, fn->mbuf_size);
		fn->host_mbuf = fn->mbuf;
		fn->mbuf = u->bpf.mem + u->mbuf_off[k];
	}
}

static void unbind_mbufs(struct ffpf *f, struct ffpf_offload *u)
{
	for (unsigned k = 0; k < u->nids; k++) {
		struct ffpf_fn *fn = f->fn[u->ids[k]];
		if (!fn->host_mbuf)
			continue;
		if (fn->mbuf_size)
			memcpy(fn->host_mbuf, fn->mbuf, fn->mbuf_size); /* results stay readable */
		fn->mbuf = fn->host_mbuf;
		fn->host_mbuf = NULL;
	}
	struct ffpf_fn *d = f->fn[u->dev];
	if (d->host_mbuf) {
		if (d->mbuf_size)
			memcpy(d->host_mbuf, d->mbuf, d->mbuf_size < 16 ? d->mbuf_size : 16);
		d->mbuf = d->host_mbuf;
		d->host_mbuf = NULL;
	}
}

static void close_units(struct ffpf *f)
{
	for (unsigned u = 0; u < f->noff; u++) {
		if (f->off[u].loaded)
			ffpf_offload_sync(f);
		unbind_mbufs(f, &f->off[u]);
		ffpf_bpf_close(&f->off[u].bpf);
		f->off[u].loaded = 0;
	}
}

int ffpf_offload_load(struct ffpf *f)
{
	char why[1024];
	int rc;

	for (unsigned u = 0; u < f->noff; u++) {
		struct ffpf_offload *o = &f->off[u];
		struct ffpf_fn *d = f->fn[o->dev];
		if ((rc = prepare_unit(f, o, -1, why, sizeof(why))) == 0 &&
		    (rc = attach_unit(f, o, NULL, why, sizeof(why))) == 0)
			continue;
		if (rc == -ENOMEM)
			return rc;
		/* Refused: this device goes one form or flowspace up (tc → socket filter → host),
		 * and everything is placed again. */
		close_units(f);
		if (o->target == FFPF_TARGET_TC) {
			d->no_tc = 1;
			snprintf(d->tc_why, sizeof(d->tc_why), "tc refused: %.140s", why);
		} else {
			d->allow = d->level - 1;
			snprintf(d->where, sizeof(d->where), "%s refused: %.150s",
				 d->level == FFPF_LVL_XDP ? "XDP" : "the socket filter", why);
		}
		if ((rc = place_levels(f)))
			return rc;
		u = (unsigned)-1; /* start over: the units changed */
	}
	for (unsigned u = 0; u < f->noff; u++) {
		struct ffpf_offload *o = &f->off[u];
		struct ffpf_fn *d = f->fn[o->dev];
		bind_mbufs(f, o);
		if (o->target == FFPF_TARGET_XDP && !d->where[0])
			snprintf(d->where, sizeof(d->where), "%.100s%s%.90s",
				 o->bpf.generic ? o->bpf.mode_why : "XDP in native (driver) mode",
				 o->bpf.stale[0] ? "; " : "", o->bpf.stale);
	}
	return 0;
}

const char *ffpf_offload_form(const struct ffpf_offload *u)
{
	switch (u->target) {
	case FFPF_TARGET_XDP:
		return "XDP program";
	case FFPF_TARGET_TC:
		return "tc program";
	default:
		return "socket filter";
	}
}

const struct ffpf_offload *ffpf_offload_with(const struct ffpf *f, unsigned id)
{
	for (unsigned u = 0; u < f->noff; u++) {
		if (f->off[u].dev == id)
			return &f->off[u];
		for (unsigned k = 0; k < f->off[u].nids; k++)
			if (f->off[u].ids[k] == id)
				return &f->off[u];
	}
	return NULL;
}

/* Counter off of a counter block, summed: the base plus every CPU's block.  The program
 * stores to its CPU's words while we read them: 8-byte aligned loads see whole values. */
static uint64_t total(const struct ffpf_offload *o, size_t off)
{
	const uint8_t *m = o->bpf.mem;
	uint64_t t = __atomic_load_n((const uint64_t *)(const void *)(m + FFPF_OFF_BASE + off), __ATOMIC_RELAXED);
	for (unsigned s = 0; s < o->nslots; s++)
		t += __atomic_load_n((const uint64_t *)(const void *)(m + o->slot_off + s * o->slot_stride + off),
				     __ATOMIC_RELAXED);
	return t;
}

static void put(uint8_t *m, size_t off, uint64_t v)
{
	__atomic_store_n((uint64_t *)(void *)(m + off), v, __ATOMIC_RELAXED);
}

/* ffpfd: applications read MBufs in the group's shared arena, which is where an offloaded
 * function's own MBuf (host_mbuf) stays: keep it a copy of the map's, word by word (readers
 * load whole words). */
static void mirror(const struct ffpf *f, const struct ffpf_fn *fn)
{
	if (!f->live || !fn->host_mbuf || fn->host_mbuf == fn->mbuf)
		return;
	for (size_t w = 0; w + 8 <= fn->mbuf_size; w += 8)
		__atomic_store_n((uint64_t *)(void *)(fn->host_mbuf + w),
				 __atomic_load_n((const uint64_t *)(const void *)(fn->mbuf + w), __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
}

/* The counters of units v[0..n) into their functions (and the devices' MBufs). */
static void sync_units(struct ffpf *f, const struct ffpf_offload *v, unsigned n)
{
	for (unsigned u = 0; u < n; u++) {
		const struct ffpf_offload *o = &v[u];
		struct ffpf_fn *d = f->fn[o->dev];
		if (!o->loaded || !o->bpf.mem)
			continue;
		d->in = d->passed = total(o, FFPF_OFF_PACKETS);
		put(o->bpf.mem, FFPF_OFF_PACKETS, d->in);
		put(o->bpf.mem, FFPF_OFF_BYTES, total(o, FFPF_OFF_BYTES));
		if (o->target != FFPF_TARGET_SOCKET) { /* the program counts what its ring refused */
			d->drops[FFPF_DROP_RING_FULL] = total(o, FFPF_OFF_RING_FULL);
			put(o->bpf.mem, FFPF_OFF_RING_FULL, d->drops[FFPF_DROP_RING_FULL]);
		}
		if (d->mbuf == o->bpf.mem)
			mirror(f, d);
		for (unsigned k = 0; k < o->nids; k++) {
			struct ffpf_fn *fn = f->fn[o->ids[k]];
			uint64_t in = total(o, o->stat_off[k]);
			uint64_t passed = total(o, o->stat_off[k] + 8);
			fn->in = in;
			fn->passed = passed < in ? passed : in;
			fn->drops[fn->cls->drop_reason] = in - fn->passed;
			if (fn->mbuf == o->bpf.mem + o->mbuf_off[k])
				mirror(f, fn);
		}
	}
}

void ffpf_offload_sync(struct ffpf *f)
{
	sync_units(f, f->off, f->noff);
}

uint64_t ffpf_offload_seen(const struct ffpf *f)
{
	uint64_t n = 0;
	for (unsigned u = 0; u < f->noff; u++)
		if (f->off[u].loaded)
			n += f->fn[f->off[u].dev]->in; /* as of the last sync */
	return n;
}

void ffpf_offload_close(struct ffpf *f)
{
	close_units(f);
	free_units(f);
}

/* ---- ffpfd: programs replaced while packets flow ------------------------------------------- */

void ffpf_offload_prewarm(struct ffpf *f)
{
	char why[1024], obj[4200];

	f->off = NULL; /* the parent's units: not ours to free or close */
	f->noff = 0;
	if (place_levels(f))
		return;
	for (unsigned u = 0; u < f->noff; u++) {
		struct strbuf src = {0};
		if (!ffpf_ebpf_generate(f, &f->off[u], &src, why, sizeof(why)) && src.s)
			ffpf_cc_bpf(src.s, strlen(src.s), obj, sizeof(obj), why, sizeof(why));
		sb_free(&src);
	}
}

/* Whether MBuf word off of fn is a counter (a FFPF_R_SUM result): added across programs, not
 * copied. */
static int sum_word(const struct ffpf_fn *fn, size_t off)
{
	for (unsigned j = 0; j < fn->cls->nresults; j++)
		if ((fn->cls->results[j].flags & FFPF_R_SUM) && fn->cls->results[j].mbuf_off == off)
			return 1;
	return 0;
}

/* fn's state (MBuf words, in/passed) from `from` into the program's map at `to`, which counts
 * already: counters are added, other words copied. */
static void carry(const struct ffpf_fn *fn, const uint8_t *from, uint8_t *to, uint64_t in,
		  uint64_t passed, uint8_t *stats)
{
	for (size_t off = 0; from && off + 8 <= fn->mbuf_size; off += 8) {
		uint64_t v;
		memcpy(&v, from + off, 8);
		if (sum_word(fn, off))
			__atomic_fetch_add((uint64_t *)(void *)(to + off), v, __ATOMIC_RELAXED);
		else
			__atomic_store_n((uint64_t *)(void *)(to + off), v, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add((uint64_t *)(void *)stats, in, __ATOMIC_RELAXED);
	__atomic_fetch_add((uint64_t *)(void *)(stats + 8), passed, __ATOMIC_RELAXED);
}

static struct ffpf_offload *unit_in(struct ffpf_offload *v, unsigned n, unsigned dev)
{
	for (unsigned u = 0; u < n; u++)
		if (v[u].dev == dev)
			return &v[u];
	return NULL;
}

/* After the swap: every function's state where it now runs. */
static void move_state(struct ffpf *f, struct ffpf_offload *old, unsigned nold, const int *was)
{
	for (unsigned u = 0; u < f->noff; u++) { /* into the new programs */
		struct ffpf_offload *o = &f->off[u];
		struct ffpf_fn *d = f->fn[o->dev];
		const struct ffpf_offload *p = unit_in(old, nold, o->dev);
		const uint8_t *dm = p ? p->bpf.mem : d->mbuf; /* the device's counters so far */
		/* packets, bytes and ring_full are the programs' (into the base block, which the new
		 * program's per-CPU blocks add to); copied is the host's (into the MBuf itself) */
		for (unsigned w = 0; w < 4 && dm; w++) {
			uint64_t v;
			if (w == 3 && (!p || p->target == FFPF_TARGET_SOCKET))
				continue; /* a socket's ring_full is the socket's, not in the map */
			memcpy(&v, dm + 8 * w, 8);
			__atomic_fetch_add((uint64_t *)(void *)(o->bpf.mem + (w != 2 ? FFPF_OFF_BASE : 0) + 8 * w), v,
					   __ATOMIC_RELAXED);
		}
		for (unsigned k = 0; k < o->nids; k++) {
			struct ffpf_fn *fn = f->fn[o->ids[k]];
			carry(fn, fn->mbuf, o->bpf.mem + o->mbuf_off[k], fn->in, fn->passed,
			      o->bpf.mem + FFPF_OFF_BASE + o->stat_off[k]);
			if (!fn->host_mbuf)
				fn->host_mbuf = fn->mbuf;
			fn->mbuf = o->bpf.mem + o->mbuf_off[k];
		}
		if (!d->host_mbuf)
			d->host_mbuf = d->mbuf;
		d->mbuf = o->bpf.mem;
	}
	for (unsigned i = 0; i < f->nfn; i++) { /* out of the old ones, into the host */
		struct ffpf_fn *fn = f->fn[i];
		if (was[i] == FFPF_LVL_HOST || fn->level != FFPF_LVL_HOST || !fn->host_mbuf)
			continue;
		if (fn->mbuf_size && fn->mbuf != fn->host_mbuf)
			memcpy(fn->host_mbuf, fn->mbuf, fn->mbuf_size);
		fn->mbuf = fn->host_mbuf;
		fn->host_mbuf = NULL;
	}
}

/* Wait until no CPU still runs a program replaced a moment ago: the kernel runs socket
 * filters, tc programs and XDP under RCU, and MEMBARRIER_CMD_GLOBAL waits for an RCU grace
 * period (a few
 * ms).  Without it, the last packets an old program counted after our read would be lost. */
static void grace_period(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL); /* nohz_full: wait longer */
}

/* A swap failed: the devices of the first n new units get their old programs back (packets
 * the new ones counted meanwhile are lost with them: a kernel refusing a link update or a
 * socket filter it took a moment before is not expected; were it to refuse the way back too,
 * the device would run no program until the next swap).  Devices the swap opened are closed
 * again by the caller (ffpf_dev_stop). */
static void swap_back(struct ffpf *f, struct ffpf_offload *old, unsigned nold, unsigned n,
		      int (*refilter)(struct ffpf_fn *dev, const struct ffpf_offload *u))
{
	char why[256];

	for (unsigned k = 0; k < n && k < f->noff; k++) {
		struct ffpf_offload *u = &f->off[k], *prev = unit_in(old, nold, u->dev);
		if (!prev)
			continue;
		if (u->took)
			ffpf_bpf_take_links(&prev->bpf, &u->bpf, why, sizeof(why));
		if (prev->target == FFPF_TARGET_SOCKET && u->target == FFPF_TARGET_SOCKET)
			refilter(f->fn[u->dev], prev);
	}
}

int ffpf_offload_replace(struct ffpf *f, int (*refilter)(struct ffpf_fn *dev, const struct ffpf_offload *u))
{
	struct ffpf_offload *old = f->off;
	unsigned nold = f->noff;
	int *was = calloc(f->nfn ? f->nfn : 1, sizeof(int));
	char why[1024];
	unsigned swapped = 0;
	int rc = 0;

	if (!was)
		return -ENOMEM;
	ffpf_offload_sync(f); /* the old programs' counters into the functions */
	for (unsigned i = 0; i < f->nfn; i++)
		was[i] = f->fn[i]->level;
	f->off = NULL;
	f->noff = 0;
	if ((rc = place_levels(f)))
		goto fail;
	for (unsigned u = 0; u < f->noff && !rc; u++) { /* everything that can fail before a swap */
		struct ffpf_offload *prev = unit_in(old, nold, f->off[u].dev);
		int ring = prev && prev->target == f->off[u].target ? prev->bpf.ring_fd : -1;
		rc = prepare_unit(f, &f->off[u], ring, why, sizeof(why));
	}
	for (swapped = 0; swapped < f->noff && !rc; swapped++) { /* the old programs stop here */
		struct ffpf_offload *u = &f->off[swapped];
		if (!(rc = attach_unit(f, u, unit_in(old, nold, u->dev), why, sizeof(why))))
			rc = refilter(f->fn[u->dev], u);
	}
	if (rc) {
		swap_back(f, old, nold, swapped, refilter);
		goto fail;
	}
	grace_period();
	sync_units(f, old, nold); /* the old programs are frozen: their final counts */
	move_state(f, old, nold, was);
	for (unsigned u = 0; u < nold; u++) { /* frozen since the swap */
		ffpf_bpf_close(&old[u].bpf);
		free(old[u].ids);
		free(old[u].stat_off);
		free(old[u].mbuf_off);
		free(old[u].src);
	}
	free(old);
	free(was);
	ffpf_offload_sync(f);
	return 0;
fail: /* keep running as before: new programs go, levels come back */
	for (unsigned u = 0; u < f->noff; u++)
		ffpf_bpf_close(&f->off[u].bpf);
	free_units(f);
	f->off = old;
	f->noff = nold;
	for (unsigned i = 0; i < f->nfn; i++)
		f->fn[i]->level = was[i];
	free(was);
	return rc;
}
