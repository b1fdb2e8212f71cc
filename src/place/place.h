/* place.h — placement of a flowgraph on the flowspace tree with the paper's path fields (§II). */
#ifndef FFPF_PLACE_PLACE_H
#define FFPF_PLACE_PLACE_H

/* The rules (paper §II-A..C, DESIGN §2):
 *   A  a function runs in the lowest flowspace that implements its class;
 *   B  packets travel up at most once: a function never sits below any of its inputs;
 *   C  a function with inputs in several lower flowspaces runs at their lowest common successor
 *      that implements it — one function, not one per input flowspace.
 * The mechanism is the paper's, flowspace by flowspace.  A function's path field starts as
 * the meet of its inputs' (ffpf_path_meet: their invalid subfields copied, and a level where
 * they took different branches invalid too).  The request enters at the root; each flowspace
 * reads only its own subfield: a branch sends the request down to that child, 0xF (or no
 * child) stops it there.  On the way back up each flowspace that cannot take the function
 * marks its subfield invalid and hands it to its parent; the first that implements the class
 * keeps it.  The returned path is the route to that flowspace, 0xF below it, and is what the
 * function's dependents start from — so none of them can go below it (rule B), and two
 * inputs' paths meet at their lowest common successor (rule C).
 *
 * Sources (no inputs) are not placed but enter: at the flowspace that receives their device
 * (ffpf_hier_entry), or at the root when they name none (a trace file). */

#include "place/hier.h"

struct ffpf_place_in {
	const char *name;       /* for messages: "c", "count#3" */
	const char *cls;        /* class name (compared case-insensitively) */
	const unsigned *inputs; /* indices of earlier nodes: nodes come in topological order */
	unsigned ninputs;       /* 0: a source */
	const char *dev;        /* sources: the device whose packets they are; NULL: the root */
};

struct ffpf_place_out {
	int fs;                 /* the flowspace it runs in (sources: where packets enter) */
	uint32_t path;          /* its path field: route to fs, 0xF below */
	uint32_t want;          /* the path it started from (meet of its inputs'; sources: path) */
	int low;                /* where the descent stopped: its inputs' lowest common successor */
	unsigned ncross;        /* barriers its packets cross on the way to it, from all inputs */
	unsigned char cross[FFPF_HIER_MAX_FS]; /* the flowspaces whose barrier to their parent is
	                                        * crossed, deepest first */
	int up;                 /* 1: a dependent runs above it, so its packets cross its barrier */
	int local;              /* 1: a dependent runs in its own flowspace */
};

/* Place nodes in[0..n) on h, filling out[0..n).  Returns 0, or -EINVAL with *d (may be NULL)
 * naming the node: an input that is not an earlier node, a device no flowspace receives, or a
 * class no flowspace from the inputs' meeting point up to the root implements ("function 'x'
 * (class 'fpl'): no flowspace from ixp0 up to host implements it").  The messages have no
 * line:col (d->loc is zero): re-render d->msg at the element if you have one. */
int ffpf_place(const struct ffpf_hier *h, const struct ffpf_place_in *in, size_t n,
	       struct ffpf_place_out *out, struct ffpf_diag *d);

/* Barriers crossed from flowspace `from` up to `to` (exclusive), deepest first, into
 * out[0..max); returns how many, or -1 when `to` is not `from` or above it (packets never go
 * down).  For the ghost images of one edge: each crossed barrier is one bridge. */
int ffpf_place_between(const struct ffpf_hier *h, int from, int to, int *out, unsigned max);

/* The tree with the functions placed in each flowspace, for `ffpf plan`:
 *   host  (host, root; classes: all)
 *     * f3 (fpl)  path 0xFFFFFFFF  <- kernel
 *   `-- kernel  (kernel, path 0x0FFFFFFF; barrier af_packet: ...)
 *         * f1 (bpf)  path 0x0FFFFFFF  <- ixp0.me, ixp0 / ixp1.me, ixp1  [up]
 * "<-" lists the barriers crossed to reach it (by the flowspace below each), "[up]" marks one
 * whose packets go on up.  malloc'd; the caller frees it.  NULL when out of memory. */
char *ffpf_place_format(const struct ffpf_hier *h, const struct ffpf_place_in *in,
			const struct ffpf_place_out *out, size_t n);
#endif
