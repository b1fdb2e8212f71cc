/* offload.h — running the lowest part of a flowgraph in the kernel: one eBPF program per live
 * device, as an XDP program at the driver, a tc program (tcx) or a socket filter on its
 * AF_PACKET socket
 * (paper §II–§III; docs/hierarchy.md "Execution").
 *
 * Roadmap:  ffpf_offload_place()     — at instantiate, before any function opens: each
 *                                      function's level (xdp / kernel / host) from the paper's
 *                                      placement, cut where this machine's barriers cannot
 *                                      carry a decision up (see offload.c);
 *           ffpf_offload_load()      — after the functions are instantiated: per device,
 *                                      generate the eBPF unit (ebpfunit.c), compile it with
 *                                      clang, load and attach it (bpfload.c); on any refusal
 *                                      the device's functions go one flowspace up and the
 *                                      plan says why;
 *           ffpf_offload_sync()      — copy the counters the programs keep in their map into
 *                                      the functions' counters (results, progress line);
 *           ffpf_offload_close()     — detach and unload everything.
 * The MBufs of offloaded functions are the program's map, mapped into our memory: results are
 * read from it in place, never copied. */
#ifndef FFPF_KERN_OFFLOAD_H
#define FFPF_KERN_OFFLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <ffpf/class.h>
#include "kern/bpfload.h"

struct ffpf;
struct strbuf;

/* Where a function runs (struct ffpf_fn.level). */
enum ffpf_level { FFPF_LVL_HOST = 0, FFPF_LVL_KERNEL = 1, FFPF_LVL_XDP = 2 };

/* The map value of an offloaded unit:
 *   [0, 32)           the device's MBuf, as the host reads it: totals written by
 *                     ffpf_offload_sync (packets, bytes, ring_full) and the dev's own `copied`;
 *   [32, 32 + cb)     the base counter block: counts carried over from programs this one
 *                     replaced (ffpfd), written by the host only;
 *   then the functions' MBufs;
 *   [slot_off, ...)   nslots counter blocks, one per CPU (plus one for CPUs past the count,
 *                     which do not exist), slot_stride bytes apart: the program adds to its
 *                     CPU's block with plain stores, no atomic instruction (they cost ~40 % of
 *                     an eight-filter program), and the host sums the blocks.
 * A counter block: the device's counters at these offsets, then {in, passed} per function. */
#define FFPF_OFF_PACKETS   0   /* packets the program saw */
#define FFPF_OFF_BYTES     8   /* their bytes on the wire */
#define FFPF_OFF_COPIED    16  /* the dev's own (host side): packets copied */
#define FFPF_OFF_RING_FULL 24  /* packets that should have gone up but found the ring full */
#define FFPF_OFF_FIRST     32  /* in a counter block: per function u64 in, u64 passed */
#define FFPF_OFF_BASE      32  /* in the map value: the base counter block */
/* A record in the XDP ring: this header, then caplen bytes of the packet (kernel-padded to 8). */
struct ffpf_up_rec {
	uint64_t ts_ns;    /* CLOCK_MONOTONIC */
	uint32_t caplen;
	uint32_t wirelen;
	uint32_t mark;     /* bit k: the function with lowbit k passed the packet */
	uint32_t pad;
};

/* One device's offloaded part of the flowgraph. */
struct ffpf_offload {
	unsigned dev;              /* id of its dev function */
	enum ffpf_target target;   /* FFPF_TARGET_XDP, _TC (kernel, no socket) or _SOCKET (kernel) */
	unsigned *ids, nids;       /* the functions in it, in topological order */
	size_t *stat_off;          /* per function: offset of its {in, passed} in a counter block */
	size_t *mbuf_off;          /* per function: offset of its MBuf in the map */
	size_t cb_size;            /* bytes of a counter block */
	size_t slot_off;           /* offset of the per-CPU counter blocks in the map */
	size_t slot_stride;        /* bytes from one CPU's block to the next (cache lines) */
	unsigned nslots;           /* possible CPUs + 1 */
	size_t mem_size;           /* bytes of the map value */
	uint32_t up_mask;          /* bits of the marks that go up (0: no packet leaves the program) */
	uint32_t snap;             /* XDP, tc: bytes of a packet copied up */
	uint32_t ring_bytes;       /* XDP, tc: size of the ring to the host; 0: no ring */
	char *src;                 /* the generated C (plan --emit-c) */
	struct ffpf_bpf bpf;       /* the loaded program and its maps */
	int loaded;
	int took;                  /* ffpfd: runs on the links of the program it replaced */
};

/* Decide every function's level (fn->level, fn->lowbit) and the per-device units (f->off).
 * Never fails for placement reasons: what cannot go low stays in the host, with fn->where
 * saying why.  0 or -ENOMEM. */
int ffpf_offload_place(struct ffpf *f);

/* The lowest level fn may run at, from the options (fn->allow), and for a device the reason
 * in fn->where when that is above XDP.  For functions a live graph gains later. */
void ffpf_offload_allow(struct ffpf *f, struct ffpf_fn *fn);
/* Generate, compile, load and attach each device's program, falling back one step up on
 * refusal (XDP → tc → socket filter → host).  Called after every function is instantiated and
 * before the devices open their sockets.  0, or -errno for out-of-memory only. */
int ffpf_offload_load(struct ffpf *f);

/* The offloaded unit of device function dev, or NULL. */
struct ffpf_offload *ffpf_offload_of(struct ffpf *f, unsigned dev);

/* How u runs, for the plan: "XDP program", "tc program" or "socket filter". */
const char *ffpf_offload_form(const struct ffpf_offload *u);

/* The unit function id runs in (or, for a device, reads it), or NULL. */
const struct ffpf_offload *ffpf_offload_with(const struct ffpf *f, unsigned id);

/* Fold the programs' counters into the functions' counters. */
void ffpf_offload_sync(struct ffpf *f);

/* Packets the programs of f have seen (for -c N when nothing goes up). */
uint64_t ffpf_offload_seen(const struct ffpf *f);

/* Detach and unload every program; MBufs go back to host memory.  Safe to call twice. */
void ffpf_offload_close(struct ffpf *f);

/* ffpfd (live graphs): place again and replace each device's program while packets flow.
 * All new programs are compiled and loaded first; then each device's is swapped in: a tc
 * program on the old one's links (link update), then refilter(dev, unit), which puts a socket
 * filter on the device's socket, or opens a device that was not open yet (and returns 0).
 * From then on the old program counts nothing, and its state is carried into the new one
 * (counters added, other MBuf words copied) or into the host for functions that moved up.
 * On an error before any swap everything stays as it was; on one during the swaps the devices
 * swapped so far get their old programs back, and devices opened by refilter stay open for the
 * caller to close (their units are gone).  0 or -errno. */
int ffpf_offload_replace(struct ffpf *f, int (*refilter)(struct ffpf_fn *dev, const struct ffpf_offload *u));

/* In a child process about to exit (ffpf_engine_prewarm): place the functions afresh and
 * compile each device's program into the compiler cache, as ffpf_offload_replace() would;
 * the running programs (the parent's) are left alone.  The levels change: the child's copy. */
void ffpf_offload_prewarm(struct ffpf *f);
/* Generate the eBPF C of o into out (ebpfunit.c).  0, or -ENOTSUP with why (a function whose
 * class cannot emit eBPF), -ENOMEM. */
int ffpf_ebpf_generate(struct ffpf *f, struct ffpf_offload *o, struct strbuf *out, char *why,
		       size_t n);
#endif
