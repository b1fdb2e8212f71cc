/* hier.h — the flowspace hierarchy: a strict tree of execution bubbles, its path fields, the file. */
#ifndef FFPF_PLACE_HIER_H
#define FFPF_PLACE_HIER_H

/* Roadmap (docs/hierarchy.md is the user reference):
 *   - ffpf_hier_discover() builds this machine's default tree: host (every class) > kernel >
 *     xdp@DEV per device a request uses;
 *   - ffpf_hier_load() applies a hierarchy file on top: simulated boards, remote flowspaces, an
 *     app root, other class lists, which flowspace a device's packets enter;
 *   - place.h maps a flowgraph onto the tree with the paper's path fields (§II-C).
 *
 * The root is the flowspace without a parent: `host` after discovery (the paper: "the path from
 * the root (userspace on the host)").  An `app` flowspace, when a file declares one, is the root
 * and `host` its child: packets end in an application, so nothing sits above one, and an app can
 * only be the root.  With no app flowspace, the application reads results from `host`.
 *
 * Indices: flowspaces are known by their index, 0 .. ffpf_hier_count()-1, stable until the next
 * successful load or add_devices.  A flowspace's children are numbered 0..14 in index order: that
 * number is its branch, the value of its subfield in path fields. */

#include "lang/diag.h"
#include <stddef.h>
#include <stdint.h>

#define FFPF_HIER_MAX_FS      64 /* flowspaces in one tree */
#define FFPF_HIER_MAX_KIDS    15 /* children of one flowspace: branches 0x0..0xE, 0xF = invalid */
#define FFPF_HIER_MAX_DEPTH   8  /* levels below the root: one 4-bit path subfield each */
#define FFPF_HIER_MAX_CLASSES 32 /* names in one class list */
#define FFPF_HIER_MAX_DEVS    16 /* devices entering one flowspace */
#define FFPF_HIER_NAME_MAX    48 /* flowspace name, NUL included ("remote@10.0.0.1:4000") */
#define FFPF_HIER_CLASS_MAX   24 /* class name, NUL included */
#define FFPF_HIER_DEV_MAX     16 /* device name, NUL included (IFNAMSIZ) */
#define FFPF_HIER_MAX_INPUT   (1u << 20) /* bytes of hierarchy file */

/* ---- path fields (paper §II-C) ----
 * 32 bits, 8 subfields of 4 bits, one per level below the root; subfield k (bits 31-4k..28-4k,
 * so the hex digits read from the root down) is the branch taken at level k, or 0xF = invalid:
 * "may not go below level k".  Everything after the first 0xF is 0xF.  The root's own path is
 * 0xFFFFFFFF; with host > kernel (branch 0) > xdp@eth1 (kernel's second child, branch 1),
 * xdp@eth1's path is 0x01FFFFFF. */
#define FFPF_PATH_LEVELS  8
#define FFPF_PATH_INVALID 0xFu
#define FFPF_PATH_ROOT    0xFFFFFFFFu

/* Subfield of level k (0xF for k >= 8: a flowspace at depth 8 has nothing below it). */
static inline unsigned ffpf_path_sub(uint32_t p, unsigned k)
{
	return k < FFPF_PATH_LEVELS ? (p >> (28 - 4 * k)) & 0xFu : FFPF_PATH_INVALID;
}

/* p with subfield k set to v (k < 8). */
static inline uint32_t ffpf_path_set(uint32_t p, unsigned k, unsigned v)
{
	unsigned sh = 28 - 4 * k;
	return (p & ~(0xFu << sh)) | ((uint32_t)(v & 0xFu) << sh);
}

/* p with levels k..7 marked invalid: "nothing below level k". */
static inline uint32_t ffpf_path_cut(uint32_t p, unsigned k)
{
	return k >= FFPF_PATH_LEVELS ? p : p | (0xFFFFFFFFu >> (4 * k));
}

/* The path a dependent of a and b starts from: the subfields they agree on; a level that is
 * invalid in either, or where they took different branches, is invalid (and all below it). */
uint32_t ffpf_path_meet(uint32_t a, uint32_t b);

/* "0x01FFFFFF" into buf (at least 11 bytes); returns buf. */
char *ffpf_path_str(uint32_t p, char *buf);

/* ---- flowspaces ---- */
enum ffpf_fs_kind { FFPF_FS_APP, FFPF_FS_HOST, FFPF_FS_KERNEL, FFPF_FS_XDP, FFPF_FS_NIC,
		    FFPF_FS_REMOTE, FFPF_FS_SIM, FFPF_FS_NKINDS };

/* The barrier between a flowspace and its parent. */
enum ffpf_barrier { FFPF_BAR_NONE, FFPF_BAR_SYSCALL, FFPF_BAR_AF_PACKET, FFPF_BAR_AF_XDP,
		    FFPF_BAR_PCI, FFPF_BAR_TCP, FFPF_BAR_SHM, FFPF_BAR_N };

/* Transfer strategies a barrier supports (a bit set). */
#define FFPF_XFER_ZERO_COPY     1u /* reference the lower flowspace's frame */
#define FFPF_XFER_COPY_ONCE     2u /* copy the whole packet into the upper PBuf */
#define FFPF_XFER_COPY_ON_DEMAND 4u /* reference until a function keeps the packet, then copy */

struct ffpf_flowspace {
	char name[FFPF_HIER_NAME_MAX];
	enum ffpf_fs_kind kind;
	int parent;                 /* index; -1 for the root */
	enum ffpf_barrier barrier;  /* to the parent; FFPF_BAR_NONE for the root */
	unsigned strategies;        /* FFPF_XFER_* bits, never 0 below the root */
	int all_classes;            /* 1: every class except those in classes[]; 0: only those */
	unsigned nclasses;
	char classes[FFPF_HIER_MAX_CLASSES][FFPF_HIER_CLASS_MAX]; /* lower case */
	unsigned ndevs;
	char devs[FFPF_HIER_MAX_DEVS][FFPF_HIER_DEV_MAX];          /* packets of these enter here */
	unsigned ifindex[FFPF_HIER_MAX_DEVS]; /* if_nametoindex of devs[] (0: not found, or sim/remote) */
	unsigned depth;             /* 0 for the root */
	unsigned branch;            /* index among the parent's children; 0xF for the root */
	unsigned nkids;
	int kids[FFPF_HIER_MAX_KIDS];
	uint32_t path;              /* the route from the root to here, 0xF-padded */
	unsigned line;              /* hierarchy-file line that declared it last; 0: discovered */
	int auto_dev;               /* made by discovery for a device; dropped when the device moves */
};

struct ffpf_hier;

/* The default tree for this machine: host > kernel, and kernel > xdp@DEV for each device in
 * devs (duplicates ignored).  Returns a new tree (free with ffpf_hier_free), or NULL with errno
 * set and *d describing why (d may be NULL): ENODEV for a device that does not exist, EINVAL for
 * a malformed name, E2BIG for more than 15 devices.  The only probe is if_nametoindex().
 * With a hierarchy file that names simulated devices, discover with no devices, load the file,
 * then ffpf_hier_add_devices() the request's devices: a simulated one is then never probed. */
struct ffpf_hier *ffpf_hier_discover(const char *const *devs, size_t ndevs, struct ffpf_diag *d);

/* Add xdp@DEV under kernel for each device no flowspace receives yet (e.g. after a file named
 * the simulated ones); a flowspace the file already named xdp@DEV receives it instead.  A device some flowspace already receives is left there; if that one is
 * real (not sim or remote) the device must exist.  Errors as for discover; h is unchanged then.
 * Returns 0 or -errno. */
int ffpf_hier_add_devices(struct ffpf_hier *h, const char *const *devs, size_t ndevs,
			  struct ffpf_diag *d);

/* Names of the classes that exist (e.g. the registry's).  When set, a hierarchy file naming any
 * other class is an error (a typo would otherwise silently never match).  Copies the names;
 * n == 0 clears.  Returns 0, or -E2BIG / -EINVAL for more than 64 names or one too long. */
int ffpf_hier_set_known_classes(struct ffpf_hier *h, const char *const *names, size_t n);

/* The classes the discovered kernel and xdp@DEV flowspaces implement: those with an eBPF form
 * (the registry's FFPF_CLASS_EBPF classes).  Applies to discovered flowspaces now and to
 * xdp@DEV added later; a file's class lists still override.  Default: bpf, count, bytes,
 * sample, head.  0, or -E2BIG / -EINVAL (more than 32 names, a name too long). */
int ffpf_hier_set_ebpf_classes(struct ffpf_hier *h, const char *const *names, size_t n);

/* Apply a hierarchy file, text[0..len) (need not be NUL-terminated; origin names it in
 * messages, NULL means "hierarchy").  All or nothing: on error h is unchanged, *d (may be NULL)
 * says "origin:line:col: error: what; expected ..." with the line and a caret, and the return
 * is -EINVAL (syntax or meaning), -E2BIG (a limit above) or -ENOMEM.  Never crashes. */
int ffpf_hier_load(struct ffpf_hier *h, const char *text, size_t len, const char *origin,
		   struct ffpf_diag *d);

/* The same for a file; -errno if it cannot be read (the message names the path). */
int ffpf_hier_load_file(struct ffpf_hier *h, const char *path, struct ffpf_diag *d);

void ffpf_hier_free(struct ffpf_hier *h);

/* Accessors.  Indices out of range give NULL / -1 / 0. */
unsigned ffpf_hier_count(const struct ffpf_hier *h);
const struct ffpf_flowspace *ffpf_hier_fs(const struct ffpf_hier *h, int i);
int ffpf_hier_root(const struct ffpf_hier *h);
int ffpf_hier_find(const struct ffpf_hier *h, const char *name);        /* index or -1 */
int ffpf_hier_child(const struct ffpf_hier *h, int fs, unsigned branch); /* index or -1 */
/* The flowspace dev's packets enter: the one listing it in devs[], or -1. */
int ffpf_hier_entry(const struct ffpf_hier *h, const char *dev);
/* 1 if flowspace fs implements class cls (case-insensitive). */
int ffpf_hier_implements(const struct ffpf_hier *h, int fs, const char *cls);
/* 1 if a is b or one of b's ancestors. */
int ffpf_hier_above(const struct ffpf_hier *h, int a, int b);

/* An error with no place in a file: d->msg is msg, d->text "error: msg\n", d->loc all zero (a
 * caller with a location, e.g. the element a function came from, can re-render d->msg there).
 * d may be NULL. */
void ffpf_hier_diag(struct ffpf_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Names for messages and plans: "sim", "af_xdp", "zero-copy,copy-once" (buf >= 48 bytes). */
const char *ffpf_fs_kind_name(enum ffpf_fs_kind k);
const char *ffpf_barrier_name(enum ffpf_barrier b);
char *ffpf_xfer_str(unsigned strategies, char *buf, size_t size);

/* The tree as text, for `ffpf plan`: one flowspace per line, children indented under
 *   host  (host, root; classes: all)
 *   `-- kernel  (kernel, path 0x0FFFFFFF; barrier af_packet: zero-copy,...; classes: bpf,...)
 * malloc'd (the caller frees it); NULL when out of memory. */
char *ffpf_hier_format(const struct ffpf_hier *h);
/* One line of that: the flowspace f, appended to sb (util/strbuf.h). */
struct strbuf;
void ffpf_hier_put(struct strbuf *sb, const struct ffpf_flowspace *f);
#endif
