/* hier.c — the flowspace tree: discovery, the hierarchy file, lookups and the printed form. */
#include "place/hier.h"
#include "util/strbuf.h"
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_KNOWN 64

/* What only loading needs to know about a flowspace: which load declared it and where, and
 * which load claimed each of its devices (so "declared twice in this file" is an error while
 * changing what an earlier file or discovery said is not).  Kept beside fs[] and moved with it. */
struct fs_priv {
	unsigned load;                /* load that declared it; 0: none */
	size_t off;                   /* byte offset of its name in that file */
	unsigned devload[FFPF_HIER_MAX_DEVS], devline[FFPF_HIER_MAX_DEVS];
};

struct ffpf_hier {
	unsigned n;
	struct ffpf_flowspace fs[FFPF_HIER_MAX_FS];
	struct fs_priv priv[FFPF_HIER_MAX_FS];
	unsigned load;                /* loads applied so far */
	unsigned nknown;
	char known[MAX_KNOWN][FFPF_HIER_CLASS_MAX];
	unsigned nlow;                /* classes with an eBPF form: what kernel and xdp@DEV run */
	char low[FFPF_HIER_MAX_CLASSES][FFPF_HIER_CLASS_MAX];
};

static const char *const kind_names[FFPF_FS_NKINDS] = {
	"app", "host", "kernel", "xdp", "nic", "remote", "sim"
};
/* The barrier a flowspace of each kind has to its parent unless the file says otherwise. */
static const enum ffpf_barrier kind_barrier[FFPF_FS_NKINDS] = {
	FFPF_BAR_NONE, FFPF_BAR_SHM, FFPF_BAR_AF_PACKET, FFPF_BAR_AF_XDP, FFPF_BAR_PCI,
	FFPF_BAR_TCP, FFPF_BAR_PCI
};
static const char *const barrier_names[FFPF_BAR_N] = {
	"none", "syscall", "af_packet", "af_xdp", "pci", "tcp", "shm"
};
#define XFER_ALL (FFPF_XFER_ZERO_COPY | FFPF_XFER_COPY_ONCE | FFPF_XFER_COPY_ON_DEMAND)
/* What each barrier can do: a read() or a network link copies, so no zero-copy or reference
 * across them; shared memory (rings, UMEM, PCI windows, memfd) can do all three. */
static const unsigned barrier_can[FFPF_BAR_N] = {
	0, FFPF_XFER_COPY_ONCE, XFER_ALL, XFER_ALL, XFER_ALL, FFPF_XFER_COPY_ONCE, XFER_ALL
};
static const char *const xfer_names[] = { "zero-copy", "copy-once", "copy-on-demand" };
/* What runs as a socket filter or XDP program: the classes with an eBPF/cBPF form. */
/* Until ffpf_hier_set_ebpf_classes() says otherwise (the registry's FFPF_CLASS_EBPF classes). */
static const char *const kernel_classes[] = { "bpf", "count", "bytes", "sample", "head" };

static void set_classes(struct ffpf_flowspace *f, const char *const *names, size_t n);

/* The low flowspaces' class list: the registry's when set, else the default above. */
static void set_low_classes(const struct ffpf_hier *h, struct ffpf_flowspace *f)
{
	const char *names[FFPF_HIER_MAX_CLASSES];
	for (unsigned i = 0; i < h->nlow; i++)
		names[i] = h->low[i];
	if (h->nlow)
		set_classes(f, names, h->nlow);
	else
		set_classes(f, kernel_classes, sizeof kernel_classes / sizeof kernel_classes[0]);
}

int ffpf_hier_set_ebpf_classes(struct ffpf_hier *h, const char *const *names, size_t n)
{
	if (n > FFPF_HIER_MAX_CLASSES)
		return -E2BIG;
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) >= FFPF_HIER_CLASS_MAX)
			return -EINVAL;
	h->nlow = (unsigned)n;
	for (size_t i = 0; i < n; i++)
		snprintf(h->low[i], FFPF_HIER_CLASS_MAX, "%s", names[i]);
	for (unsigned i = 0; i < h->n; i++) /* the flowspaces discovery made, not a file's */
		if (!h->fs[i].line && (h->fs[i].kind == FFPF_FS_KERNEL || h->fs[i].kind == FFPF_FS_XDP))
			set_low_classes(h, &h->fs[i]);
	return 0;
}

/* ---- names and small helpers ---- */

const char *ffpf_fs_kind_name(enum ffpf_fs_kind k)
{
	return (unsigned)k < FFPF_FS_NKINDS ? kind_names[k] : "?";
}

const char *ffpf_barrier_name(enum ffpf_barrier b)
{
	return (unsigned)b < FFPF_BAR_N ? barrier_names[b] : "?";
}

char *ffpf_xfer_str(unsigned strategies, char *buf, size_t size)
{
	size_t n = 0;
	if (!size)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < 3; i++)
		if (strategies & (1u << i))
			n += (size_t)snprintf(buf + (n < size ? n : size - 1), n < size ? size - n : 1,
					      "%s%s", n ? "," : "", xfer_names[i]);
	if (!n)
		snprintf(buf, size, "none");
	return buf;
}

uint32_t ffpf_path_meet(uint32_t a, uint32_t b)
{
	for (unsigned k = 0; k < FFPF_PATH_LEVELS; k++) {
		unsigned s = ffpf_path_sub(a, k);
		if (s == FFPF_PATH_INVALID || s != ffpf_path_sub(b, k))
			return ffpf_path_cut(a, k);
	}
	return a;
}

char *ffpf_path_str(uint32_t p, char *buf)
{
	snprintf(buf, 11, "0x%08X", (unsigned)p);
	return buf;
}

void ffpf_hier_diag(struct ffpf_diag *d, const char *fmt, ...)
{
	va_list ap;
	if (!d)
		return;
	memset(&d->loc, 0, sizeof d->loc);
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	snprintf(d->text, sizeof d->text, "error: %s\n", d->msg);
}

/* Characters of names and list items: enough for xdp@eth0, ixp0.me, remote@10.0.0.1:4000. */
static int is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == ':' || c == '@' || c == '-';
}

static int valid_dev(const char *s)
{
	size_t n = strlen(s);
	if (!n || n >= FFPF_HIER_DEV_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_word((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Devices must exist where real code will attach to them; sim and remote ones are names only. */
static int is_real(enum ffpf_fs_kind k)
{
	return k != FFPF_FS_SIM && k != FFPF_FS_REMOTE;
}

/* ---- the tree ---- */

static unsigned depth_of(const struct ffpf_hier *h, int i)
{
	unsigned d = 0;
	while (h->fs[i].parent >= 0 && d <= FFPF_HIER_MAX_FS) {
		i = h->fs[i].parent;
		d++;
	}
	return d;
}

static uint32_t route_of(const struct ffpf_hier *h, int i)
{
	uint32_t p = FFPF_PATH_ROOT;
	for (unsigned guard = 0; h->fs[i].parent >= 0 && guard <= FFPF_HIER_MAX_FS; guard++) {
		if (h->fs[i].depth >= 1 && h->fs[i].depth <= FFPF_PATH_LEVELS)
			p = ffpf_path_set(p, h->fs[i].depth - 1, h->fs[i].branch);
		i = h->fs[i].parent;
	}
	return p;
}

/* Recompute children, branches, depths and paths from the parent links.  Children are numbered
 * in index order, so a branch only changes when a flowspace before it under the same parent
 * appears or goes.  The checks in the loader keep the limits; this only must not overrun. */
static void relink(struct ffpf_hier *h)
{
	for (unsigned i = 0; i < h->n; i++)
		h->fs[i].nkids = 0;
	for (unsigned i = 0; i < h->n; i++) {
		struct ffpf_flowspace *f = &h->fs[i];
		f->branch = FFPF_PATH_INVALID;
		if (f->parent >= 0 && h->fs[f->parent].nkids < FFPF_HIER_MAX_KIDS) {
			f->branch = h->fs[f->parent].nkids;
			h->fs[f->parent].kids[h->fs[f->parent].nkids++] = (int)i;
		}
	}
	for (unsigned i = 0; i < h->n; i++)
		h->fs[i].depth = depth_of(h, (int)i);
	for (unsigned i = 0; i < h->n; i++)
		h->fs[i].path = route_of(h, (int)i);
}

/* Levels below i (0 for a leaf).  Bounded by the depth limit the loader keeps. */
static unsigned height(const struct ffpf_hier *h, int i, unsigned guard)
{
	unsigned m = 0;
	if (guard > FFPF_HIER_MAX_DEPTH + 1)
		return m;
	for (unsigned k = 0; k < h->fs[i].nkids; k++) {
		unsigned t = 1 + height(h, h->fs[i].kids[k], guard + 1);
		m = t > m ? t : m;
	}
	return m;
}

/* Append a flowspace (no parent yet); its index, or -1 when the tree is full. */
static int add_fs(struct ffpf_hier *h, const char *name, enum ffpf_fs_kind kind)
{
	struct ffpf_flowspace *f;
	if (h->n >= FFPF_HIER_MAX_FS)
		return -1;
	f = &h->fs[h->n];
	memset(f, 0, sizeof *f);
	memset(&h->priv[h->n], 0, sizeof h->priv[h->n]);
	snprintf(f->name, sizeof f->name, "%s", name);
	f->kind = kind;
	f->parent = -1;
	f->barrier = FFPF_BAR_NONE;
	f->branch = FFPF_PATH_INVALID;
	f->path = FFPF_PATH_ROOT;
	return (int)h->n++;
}

/* Remove leaf j; later indices move down by one. */
static void remove_fs(struct ffpf_hier *h, int j)
{
	unsigned rest = h->n - (unsigned)j - 1;
	memmove(&h->fs[j], &h->fs[j + 1], rest * sizeof h->fs[0]);
	memmove(&h->priv[j], &h->priv[j + 1], rest * sizeof h->priv[0]);
	h->n--;
	for (unsigned i = 0; i < h->n; i++)
		if (h->fs[i].parent > j)
			h->fs[i].parent--;
	relink(h);
}

/* Drop flowspaces discovery made for a device that has since moved elsewhere. */
static void sweep(struct ffpf_hier *h)
{
	for (unsigned i = h->n; i-- > 0;)
		if (h->fs[i].auto_dev && !h->fs[i].ndevs && !h->fs[i].nkids)
			remove_fs(h, (int)i);
}

static void set_classes(struct ffpf_flowspace *f, const char *const *names, size_t n)
{
	f->all_classes = 0;
	f->nclasses = 0;
	for (size_t i = 0; i < n && i < FFPF_HIER_MAX_CLASSES; i++)
		snprintf(f->classes[f->nclasses++], FFPF_HIER_CLASS_MAX, "%s", names[i]);
}

static int dev_index(const struct ffpf_flowspace *f, const char *dev)
{
	for (unsigned k = 0; k < f->ndevs; k++)
		if (!strcmp(f->devs[k], dev))
			return (int)k;
	return -1;
}

static void dev_remove(struct ffpf_hier *h, int i, unsigned k)
{
	struct ffpf_flowspace *f = &h->fs[i];
	struct fs_priv *p = &h->priv[i];
	for (unsigned m = k; m + 1 < f->ndevs; m++) {
		memcpy(f->devs[m], f->devs[m + 1], sizeof f->devs[m]);
		f->ifindex[m] = f->ifindex[m + 1];
		p->devload[m] = p->devload[m + 1];
		p->devline[m] = p->devline[m + 1];
	}
	f->ndevs--;
}

/* Add dev to flowspace i (the caller checked room). */
static void dev_add(struct ffpf_hier *h, int i, const char *dev, unsigned ifindex, unsigned line)
{
	struct ffpf_flowspace *f = &h->fs[i];
	unsigned k = f->ndevs++;
	snprintf(f->devs[k], sizeof f->devs[k], "%s", dev);
	f->ifindex[k] = ifindex;
	h->priv[i].devload[k] = line ? h->load : 0;
	h->priv[i].devline[k] = line;
}

/* ---- lookups ---- */

unsigned ffpf_hier_count(const struct ffpf_hier *h)
{
	return h ? h->n : 0;
}

const struct ffpf_flowspace *ffpf_hier_fs(const struct ffpf_hier *h, int i)
{
	return h && i >= 0 && (unsigned)i < h->n ? &h->fs[i] : NULL;
}

int ffpf_hier_root(const struct ffpf_hier *h)
{
	for (unsigned i = 0; h && i < h->n; i++)
		if (h->fs[i].parent < 0)
			return (int)i;
	return -1;
}

int ffpf_hier_find(const struct ffpf_hier *h, const char *name)
{
	for (unsigned i = 0; h && name && i < h->n; i++)
		if (!strcmp(h->fs[i].name, name))
			return (int)i;
	return -1;
}

int ffpf_hier_child(const struct ffpf_hier *h, int fs, unsigned branch)
{
	const struct ffpf_flowspace *f = ffpf_hier_fs(h, fs);
	return f && branch < f->nkids ? f->kids[branch] : -1;
}

int ffpf_hier_entry(const struct ffpf_hier *h, const char *dev)
{
	for (unsigned i = 0; h && dev && i < h->n; i++)
		if (dev_index(&h->fs[i], dev) >= 0)
			return (int)i;
	return -1;
}

static int in_list(const struct ffpf_flowspace *f, const char *cls)
{
	for (unsigned k = 0; k < f->nclasses; k++)
		if (!strcasecmp(f->classes[k], cls))
			return 1;
	return 0;
}

int ffpf_hier_implements(const struct ffpf_hier *h, int fs, const char *cls)
{
	const struct ffpf_flowspace *f = ffpf_hier_fs(h, fs);
	if (!f || !cls)
		return 0;
	return f->all_classes ? !in_list(f, cls) : in_list(f, cls);
}

int ffpf_hier_above(const struct ffpf_hier *h, int a, int b)
{
	if (!ffpf_hier_fs(h, a) || !ffpf_hier_fs(h, b))
		return 0;
	for (unsigned guard = 0; b >= 0 && guard <= FFPF_HIER_MAX_FS; guard++) {
		if (a == b)
			return 1;
		b = h->fs[b].parent;
	}
	return 0;
}

/* ---- discovery ---- */

static struct ffpf_hier *base_tree(void)
{
	struct ffpf_hier *h = calloc(1, sizeof *h);
	int host, kern;
	if (!h)
		return NULL;
	host = add_fs(h, "host", FFPF_FS_HOST);
	h->fs[host].all_classes = 1;
	kern = add_fs(h, "kernel", FFPF_FS_KERNEL);
	h->fs[kern].parent = host;
	h->fs[kern].barrier = FFPF_BAR_AF_PACKET;
	h->fs[kern].strategies = barrier_can[FFPF_BAR_AF_PACKET];
	set_low_classes(h, &h->fs[kern]);
	relink(h);
	return h;
}

/* Where discovered device flowspaces hang: the first kernel flowspace, else the root. */
static int dev_parent(const struct ffpf_hier *h)
{
	for (unsigned i = 0; i < h->n; i++)
		if (h->fs[i].kind == FFPF_FS_KERNEL)
			return (int)i;
	return ffpf_hier_root(h);
}

/* A device nobody receives yet: xdp@DEV under the kernel, with the kernel's classes. */
static int add_xdp(struct ffpf_hier *h, const char *dev, unsigned ifindex, struct ffpf_diag *d)
{
	char name[FFPF_HIER_NAME_MAX];
	int par = dev_parent(h), i;

	snprintf(name, sizeof name, "xdp@%s", dev);
	i = ffpf_hier_find(h, name);
	if (i < 0) {
		if (h->fs[par].nkids >= FFPF_HIER_MAX_KIDS || h->n >= FFPF_HIER_MAX_FS) {
			ffpf_hier_diag(d, "cannot add '%s': '%s' already has %d flowspaces below it "
				       "(a path subfield has 15 branches)", name, h->fs[par].name,
				       FFPF_HIER_MAX_KIDS);
			return -E2BIG;
		}
		i = add_fs(h, name, FFPF_FS_XDP);
		h->fs[i].parent = par;
		h->fs[i].barrier = FFPF_BAR_AF_XDP;
		h->fs[i].strategies = barrier_can[FFPF_BAR_AF_XDP];
		h->fs[i].auto_dev = 1;
		set_low_classes(h, &h->fs[i]);
	} else if (h->fs[i].ndevs >= FFPF_HIER_MAX_DEVS) {
		ffpf_hier_diag(d, "'%s' already receives %d devices", name, FFPF_HIER_MAX_DEVS);
		return -E2BIG;
	}
	dev_add(h, i, dev, ifindex, 0);
	relink(h);
	return 0;
}

static int add_device(struct ffpf_hier *h, const char *dev, struct ffpf_diag *d)
{
	int e;
	unsigned ifx;

	if (!dev || !valid_dev(dev)) {
		ffpf_hier_diag(d, "invalid device name '%s'; expected 1 to %d of letters, digits and "
			       "_ . : @ -", dev ? dev : "(null)", FFPF_HIER_DEV_MAX - 1);
		return -EINVAL;
	}
	e = ffpf_hier_entry(h, dev);
	if (e >= 0 && !is_real(h->fs[e].kind))
		return 0;
	ifx = if_nametoindex(dev);
	if (!ifx) {
		ffpf_hier_diag(d, "no such network device '%s'", dev);
		ffpf_diag_hint(d, "a simulated device needs a flowspace that receives it: "
			       "devices=%s in a hierarchy file", dev);
		return -ENODEV;
	}
	if (e >= 0) {
		h->fs[e].ifindex[dev_index(&h->fs[e], dev)] = ifx;
		return 0;
	}
	return add_xdp(h, dev, ifx, d);
}

int ffpf_hier_add_devices(struct ffpf_hier *h, const char *const *devs, size_t ndevs,
			  struct ffpf_diag *d)
{
	struct ffpf_hier *w;
	int rc = 0;

	if (!h || (!devs && ndevs))
		return -EINVAL;
	w = malloc(sizeof *w);
	if (!w)
		return -ENOMEM;
	memcpy(w, h, sizeof *w);
	for (size_t i = 0; i < ndevs && !rc; i++)
		rc = add_device(w, devs[i], d);
	if (!rc)
		memcpy(h, w, sizeof *w);
	free(w);
	return rc;
}

struct ffpf_hier *ffpf_hier_discover(const char *const *devs, size_t ndevs, struct ffpf_diag *d)
{
	struct ffpf_hier *h = base_tree();
	int rc;

	if (!h) {
		ffpf_hier_diag(d, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	rc = ffpf_hier_add_devices(h, devs, ndevs, d);
	if (rc) {
		free(h);
		errno = -rc;
		return NULL;
	}
	return h;
}

void ffpf_hier_free(struct ffpf_hier *h)
{
	free(h);
}

int ffpf_hier_set_known_classes(struct ffpf_hier *h, const char *const *names, size_t n)
{
	if (!h || (!names && n))
		return -EINVAL;
	if (n > MAX_KNOWN)
		return -E2BIG;
	for (size_t i = 0; i < n; i++)
		if (!names[i] || !names[i][0] || strlen(names[i]) >= FFPF_HIER_CLASS_MAX)
			return -EINVAL;
	for (size_t i = 0; i < n; i++)
		snprintf(h->known[i], sizeof h->known[i], "%s", names[i]);
	h->nknown = (unsigned)n;
	return 0;
}

/* ---- the printed tree ---- */

static void put_classes(struct strbuf *sb, const struct ffpf_flowspace *f)
{
	if (f->all_classes)
		sb_puts(sb, f->nclasses ? "all but " : "all");
	else if (!f->nclasses)
		sb_puts(sb, "none");
	for (unsigned k = 0; k < f->nclasses; k++)
		sb_printf(sb, "%s%s", k ? "," : "", f->classes[k]);
}

void ffpf_hier_put(struct strbuf *sb, const struct ffpf_flowspace *f)
{
	char x[64], p[11];

	sb_printf(sb, "%s  (%s, ", f->name, ffpf_fs_kind_name(f->kind));
	if (f->parent < 0)
		sb_puts(sb, "root");
	else
		sb_printf(sb, "path %s; barrier %s: %s", ffpf_path_str(f->path, p),
			  ffpf_barrier_name(f->barrier), ffpf_xfer_str(f->strategies, x, sizeof x));
	sb_puts(sb, "; classes: ");
	put_classes(sb, f);
	for (unsigned k = 0; k < f->ndevs; k++)
		sb_printf(sb, "%s%s", k ? "," : "; devices: ", f->devs[k]);
	sb_puts(sb, ")\n");
}

static void put_tree(struct strbuf *sb, const struct ffpf_hier *h, int i, char *prefix,
		     size_t plen)
{
	const struct ffpf_flowspace *f = &h->fs[i];

	ffpf_hier_put(sb, f);
	if (plen + 4 >= 64)
		return;
	for (unsigned k = 0; k < f->nkids; k++) {
		int last = k + 1 == f->nkids;
		sb_printf(sb, "%s%s", prefix, last ? "`-- " : "|-- ");
		memcpy(prefix + plen, last ? "    " : "|   ", 5);
		put_tree(sb, h, f->kids[k], prefix, plen + 4);
		prefix[plen] = '\0';
	}
}

char *ffpf_hier_format(const struct ffpf_hier *h)
{
	struct strbuf sb = {0};
	char prefix[64] = "";
	int root = ffpf_hier_root(h);

	if (root < 0)
		return NULL;
	put_tree(&sb, h, root, prefix, 0);
	return sb_take(&sb);
}

/* ---- the hierarchy file ----
 *   file  := line*          line := [ 'flowspace' NAME (key op value)* ] [ '#' comment ]
 *   op    := '=' | '+=' | '-='          value := item (',' item)*  (lists may be empty with '=')
 * A line is parsed whole, then applied in a fixed key order (kind, devices, parent, barrier,
 * strategies, classes) so a line means the same whatever order its keys are written in. */

enum key { K_KIND, K_PARENT, K_BARRIER, K_STRATEGIES, K_CLASSES, K_DEVICES, K_N };
static const char *const key_names[K_N] = {
	"kind", "parent", "barrier", "strategies", "classes", "devices"
};
enum op { OP_SET, OP_ADD, OP_DEL };

struct kv {
	int given;
	enum op op;
	size_t koff, klen, voff, vlen;
};

struct line {
	size_t noff, nlen;
	struct kv kv[K_N];
};

struct ld {
	struct ffpf_hier *h;          /* the working copy */
	const char *src;
	size_t len;
	const char *origin;
	struct ffpf_diag *d;
	size_t ls, le;                /* the current line, without its '\n' */
	unsigned line;
};

static int err(struct ld *l, size_t off, size_t span, int rc, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int err(struct ld *l, size_t off, size_t span, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ffpf_diag_vset(l->d, l->origin, l->src, l->len, ffpf_loc_at(l->src, l->len, off), span,
		       fmt, ap);
	va_end(ap);
	return rc;
}

/* A byte as it can be shown in a message: itself, or \xHH. */
static const char *shown(unsigned char c, char buf[8])
{
	if (c >= 0x21 && c < 0x7f)
		snprintf(buf, 8, "%c", c);
	else
		snprintf(buf, 8, "\\x%02X", c);
	return buf;
}

static int unexpected(struct ld *l, size_t off, const char *expected)
{
	char b[8];
	if (off >= l->le)
		return err(l, off, 1, -EINVAL, "unexpected end of line; expected %s", expected);
	return err(l, off, 1, -EINVAL, "unexpected '%s'; expected %s",
		   shown((unsigned char)l->src[off], b), expected);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static size_t skip_blanks(const struct ld *l, size_t p)
{
	while (p < l->le && is_blank(l->src[p]))
		p++;
	return p;
}

static size_t word_end(const struct ld *l, size_t p)
{
	while (p < l->le && is_word((unsigned char)l->src[p]))
		p++;
	return p;
}

static int at_end(const struct ld *l, size_t p)
{
	return p >= l->le || l->src[p] == '#';
}

static int span_is(const struct ld *l, size_t off, size_t n, const char *s)
{
	return strlen(s) == n && !memcmp(l->src + off, s, n);
}

/* The operator after a key: '=', '+=' or '-='. */
static int parse_op(struct ld *l, size_t *p, enum op *op)
{
	const char *s = l->src + *p;
	size_t room = l->le - *p;
	if (room >= 1 && s[0] == '=')
		*op = OP_SET;
	else if (room >= 2 && (s[0] == '+' || s[0] == '-') && s[1] == '=')
		*op = s[0] == '+' ? OP_ADD : OP_DEL;
	else
		return unexpected(l, *p, "'=', '+=' or '-=' after the key");
	*p += *op == OP_SET ? 1 : 2;
	return 0;
}

static int is_list(enum key k)
{
	return k == K_STRATEGIES || k == K_CLASSES || k == K_DEVICES;
}

/* A single-valued key's value: one non-empty item. */
static int check_single(struct ld *l, const struct kv *v, enum key k)
{
	const char *comma = memchr(l->src + v->voff, ',', v->vlen);
	if (v->op != OP_SET)
		return err(l, v->voff - 2, 2, -EINVAL, "'%s' takes one value; expected '=' "
			   "('+=' and '-=' are for strategies, classes and devices)", key_names[k]);
	if (!v->vlen)
		return unexpected(l, v->voff, "a value after '='");
	if (comma)
		return err(l, (size_t)(comma - l->src), 1, -EINVAL, "'%s' takes one value, "
			   "not a list", key_names[k]);
	return 0;
}

static int is_keych(char c)
{
	return c == '_' || ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
}

static int parse_kv(struct ld *l, size_t *pp, struct line *ln)
{
	size_t p = *pp, k = p;
	struct kv v = { 1, OP_SET, k, 0, 0, 0 };
	int key = -1, rc;

	while (p < l->le && is_keych(l->src[p]))
		p++;
	v.klen = p - k;
	if (!v.klen)
		return unexpected(l, p, "key=value (a key: kind, parent, barrier, strategies, "
				  "classes, devices)");
	for (int i = 0; i < K_N && key < 0; i++)
		if (span_is(l, k, v.klen, key_names[i]))
			key = i;
	if (key < 0)
		return err(l, k, v.klen, -EINVAL, "unknown key '%.*s'; expected kind, "
			   "parent, barrier, strategies, classes or devices", (int)v.klen, l->src + k);
	if ((rc = parse_op(l, &p, &v.op)))
		return rc;
	v.voff = p;
	while (p < l->le && (is_word((unsigned char)l->src[p]) || l->src[p] == ','))
		p++;
	v.vlen = p - v.voff;
	if (p < l->le && !is_blank(l->src[p]) && l->src[p] != '#')
		return unexpected(l, p, "a blank, '#' or the end of the line after the value");
	if (ln->kv[key].given)
		return err(l, k, v.klen, -EINVAL, "'%s' is given twice on this line",
			   key_names[key]);
	if (!is_list((enum key)key) && (rc = check_single(l, &v, (enum key)key)))
		return rc;
	if (is_list((enum key)key) && v.op != OP_SET && !v.vlen)
		return unexpected(l, v.voff, "a list after '+=' or '-='");
	ln->kv[key] = v;
	*pp = p;
	return 0;
}

/* Parse the current line into *ln.  1: nothing on it; 0: a flowspace line; <0: error. */
static int parse_line(struct ld *l, struct line *ln)
{
	size_t p = skip_blanks(l, l->ls), e;
	int rc;

	memset(ln, 0, sizeof *ln);
	if (at_end(l, p))
		return 1;
	e = word_end(l, p);
	if (e == p)
		return unexpected(l, p, "'flowspace' or a # comment");
	if (!span_is(l, p, e - p, "flowspace"))
		return err(l, p, e - p, -EINVAL, "unknown directive '%.*s'; expected 'flowspace'",
			   (int)(e - p), l->src + p);
	p = skip_blanks(l, e);
	if (p == e || at_end(l, p) || !is_word((unsigned char)l->src[p]))
		return unexpected(l, p, "a flowspace name after 'flowspace'");
	e = word_end(l, p);
	if (!is_keych(l->src[p]) || l->src[p] == '_')
		return err(l, p, e - p, -EINVAL, "flowspace name '%.*s' must start with a letter or "
			   "digit", (int)(e - p), l->src + p);
	if (e - p >= FFPF_HIER_NAME_MAX)
		return err(l, p, e - p, -E2BIG, "flowspace name is %zu bytes long; at most %d",
			   e - p, FFPF_HIER_NAME_MAX - 1);
	if (e < l->le && (l->src[e] == '=' || ((l->src[e] == '+' || l->src[e] == '-') &&
					       e + 1 < l->le && l->src[e + 1] == '=')))
		return err(l, p, e - p, -EINVAL, "expected a flowspace name after 'flowspace', "
			   "before '%.*s%c'", (int)(e - p), l->src + p, l->src[e]);
	ln->noff = p;
	ln->nlen = e - p;
	for (p = e;;) {
		size_t q = skip_blanks(l, p);
		if (at_end(l, q))
			return 0;
		if (q == p)
			return unexpected(l, q, "a blank before the next key=value");
		p = q;
		if ((rc = parse_kv(l, &p, ln)))
			return rc;
	}
}

/* ---- applying a line ---- */

#define MAX_ITEMS 64

/* The items of a list value, split at commas; an empty item ("a,,b") is an error. */
struct items {
	unsigned n;
	size_t off[MAX_ITEMS], len[MAX_ITEMS];
};

static int split(struct ld *l, const struct kv *v, enum key key, struct items *it)
{
	size_t end = v->voff + v->vlen;
	it->n = 0;
	for (size_t s = v->voff; v->vlen && s <= end;) {
		size_t e = s;
		while (e < end && l->src[e] != ',')
			e++;
		if (e == s)
			return err(l, s, 1, -EINVAL, "empty item in '%s'; expected a name between "
				   "commas", key_names[key]);
		if (it->n == MAX_ITEMS)
			return err(l, s, e - s, -E2BIG, "more than %d items in '%s'", MAX_ITEMS,
				   key_names[key]);
		it->off[it->n] = s;
		it->len[it->n++] = e - s;
		s = e + 1;
	}
	return 0;
}

/* Item k of it as a NUL-terminated, optionally lower-cased string. */
static int item_str(struct ld *l, const struct items *it, unsigned k, char *buf, size_t size,
		    const char *what, int lower)
{
	size_t n = it->len[k];
	if (n >= size)
		return err(l, it->off[k], n, -E2BIG, "%s '%.*s' is %zu bytes long; at most %zu",
			   what, (int)n, l->src + it->off[k], n, size - 1);
	for (size_t i = 0; i < n; i++) {
		char c = l->src[it->off[k] + i];
		buf[i] = lower && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	buf[n] = '\0';
	return 0;
}

static int parse_kind(struct ld *l, const struct kv *v, enum ffpf_fs_kind *kind)
{
	for (int k = 0; k < FFPF_FS_NKINDS; k++)
		if (span_is(l, v->voff, v->vlen, kind_names[k])) {
			*kind = (enum ffpf_fs_kind)k;
			return 0;
		}
	return err(l, v->voff, v->vlen, -EINVAL, "unknown kind '%.*s'; expected app, host, kernel, "
		   "xdp, nic, remote or sim", (int)v->vlen, l->src + v->voff);
}

/* "flowspaces so far: host, kernel, ..." (all but self) as a hint under an unknown parent. */
static void hint_names(struct ld *l, int self)
{
	char buf[200] = "";
	size_t n = 0;
	for (unsigned i = 0; i < l->h->n && n < sizeof buf; i++)
		if ((int)i != self)
			n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", n ? ", " : "",
					      l->h->fs[i].name);
	ffpf_diag_hint(l->d, "flowspaces so far: %s", buf);
}

static int create(struct ld *l, const struct line *ln, const char *name, enum ffpf_fs_kind kind,
		  int *out)
{
	if (!ln->kv[K_KIND].given)
		return err(l, ln->noff, ln->nlen, -EINVAL, "new flowspace '%s' needs kind=; expected "
			   "one of app, host, kernel, xdp, nic, remote, sim", name);
	if (!ln->kv[K_PARENT].given && kind != FFPF_FS_APP)
		return err(l, ln->noff, ln->nlen, -EINVAL, "new flowspace '%s' needs parent= (the "
			   "flowspace its packets go up to, e.g. parent=host)", name);
	*out = add_fs(l->h, name, kind);
	if (*out < 0)
		return err(l, ln->noff, ln->nlen, -E2BIG, "too many flowspaces; at most %d",
			   FFPF_HIER_MAX_FS);
	return 0;
}

static int set_parent(struct ld *l, const struct kv *v, int i)
{
	struct ffpf_hier *h = l->h;
	char name[FFPF_HIER_NAME_MAX] = "";
	int p = -1;
	unsigned kids;

	if (v->vlen < sizeof name) {
		memcpy(name, l->src + v->voff, v->vlen);
		name[v->vlen] = '\0';
		p = ffpf_hier_find(h, name);
	}
	if (p < 0) {
		err(l, v->voff, v->vlen, -EINVAL, "unknown parent '%.*s'; expected a flowspace "
		    "declared above this line", (int)v->vlen, l->src + v->voff);
		hint_names(l, i);
		return -EINVAL;
	}
	if (ffpf_hier_above(h, i, p))
		return err(l, v->voff, v->vlen, -EINVAL, "parent '%s' would make a cycle: '%s' is %s",
			   name, h->fs[i].name, p == i ? "itself" : "above it");
	kids = h->fs[p].nkids - (h->fs[i].parent == p);
	if (kids >= FFPF_HIER_MAX_KIDS)
		return err(l, v->voff, v->vlen, -E2BIG, "'%s' already has %d children; at most %d "
			   "(a path subfield names branches 0x0-0xE)", name, FFPF_HIER_MAX_KIDS,
			   FFPF_HIER_MAX_KIDS);
	if (h->fs[p].depth + 1 + height(h, i, 0) > FFPF_HIER_MAX_DEPTH)
		return err(l, v->voff, v->vlen, -E2BIG, "'%s' would reach level %u below the root; "
			   "at most %d (a path field has %d subfields)", h->fs[i].name,
			   h->fs[p].depth + 1 + height(h, i, 0), FFPF_HIER_MAX_DEPTH, FFPF_PATH_LEVELS);
	h->fs[i].parent = p;
	relink(h);
	return 0;
}

static int set_barrier(struct ld *l, const struct line *ln, int i)
{
	const struct kv *v = &ln->kv[K_BARRIER];
	for (int b = FFPF_BAR_NONE + 1; b < FFPF_BAR_N; b++)
		if (span_is(l, v->voff, v->vlen, barrier_names[b])) {
			l->h->fs[i].barrier = (enum ffpf_barrier)b;
			if (!ln->kv[K_STRATEGIES].given) /* a new barrier brings its own strategies */
				l->h->fs[i].strategies = barrier_can[b];
			return 0;
		}
	return err(l, v->voff, v->vlen, -EINVAL, "unknown barrier '%.*s'; expected syscall, "
		   "af_packet, af_xdp, pci, tcp or shm", (int)v->vlen, l->src + v->voff);
}

static int set_strategies(struct ld *l, const struct kv *v, int i)
{
	struct items it;
	unsigned m = 0;
	int rc = split(l, v, K_STRATEGIES, &it);

	for (unsigned k = 0; k < it.n && !rc; k++) {
		unsigned bit = 0;
		for (unsigned x = 0; x < 3; x++)
			if (span_is(l, it.off[k], it.len[k], xfer_names[x]))
				bit = 1u << x;
		if (!bit)
			return err(l, it.off[k], it.len[k], -EINVAL, "unknown strategy '%.*s'; "
				   "expected zero-copy, copy-once or copy-on-demand", (int)it.len[k],
				   l->src + it.off[k]);
		m |= bit;
	}
	if (rc)
		return rc;
	unsigned *s = &l->h->fs[i].strategies;
	*s = v->op == OP_SET ? m : v->op == OP_ADD ? (*s | m) : (*s & ~m);
	return 0;
}

static int known(const struct ffpf_hier *h, const char *cls)
{
	if (!h->nknown || !strcmp(cls, "all"))
		return 1;
	for (unsigned k = 0; k < h->nknown; k++)
		if (!strcasecmp(h->known[k], cls))
			return 1;
	return 0;
}

static int list_del(struct ffpf_flowspace *f, const char *cls)
{
	for (unsigned k = 0; k < f->nclasses; k++)
		if (!strcmp(f->classes[k], cls)) {
			memmove(f->classes[k], f->classes[k + 1],
				(f->nclasses - k - 1) * sizeof f->classes[0]);
			f->nclasses--;
			return 1;
		}
	return 0;
}

static int list_add(struct ld *l, struct ffpf_flowspace *f, const char *cls, size_t off,
		    size_t len)
{
	if (in_list(f, cls))
		return 0;
	if (f->nclasses == FFPF_HIER_MAX_CLASSES)
		return err(l, off, len, -E2BIG, "'%s' lists more than %d classes", f->name,
			   FFPF_HIER_MAX_CLASSES);
	snprintf(f->classes[f->nclasses++], FFPF_HIER_CLASS_MAX, "%s", cls);
	return 0;
}

/* One class item: "all" switches the list's meaning; with all_classes set, classes[] lists the
 * exceptions, so "classes-=fpl" on an all-class flowspace means "all but fpl". */
static int class_item(struct ld *l, struct ffpf_flowspace *f, enum op op, const char *cls,
		      size_t off, size_t len)
{
	int all = !strcmp(cls, "all");
	if (all) {
		f->all_classes = op != OP_DEL;
		f->nclasses = 0;
		return 0;
	}
	if (!f->all_classes && op == OP_DEL) {
		if (list_del(f, cls))
			return 0;
		return err(l, off, len, -EINVAL, "'%s' does not implement '%s', so it cannot be "
			   "taken away", f->name, cls);
	}
	if (f->all_classes && op != OP_DEL) { /* adding to an all-class one: drop the exception */
		list_del(f, cls);
		return 0;
	}
	return list_add(l, f, cls, off, len); /* a listed class, or an exception to all */
}

static int set_class_list(struct ld *l, const struct kv *v, int i)
{
	struct ffpf_flowspace *f = &l->h->fs[i];
	char cls[FFPF_HIER_CLASS_MAX];
	struct items it;
	int rc = split(l, v, K_CLASSES, &it);

	if (!rc && v->op == OP_SET) {
		f->all_classes = 0;
		f->nclasses = 0;
	}
	for (unsigned k = 0; k < it.n && !rc; k++) {
		if ((rc = item_str(l, &it, k, cls, sizeof cls, "class name", 1)))
			break;
		if (!known(l->h, cls)) {
			err(l, it.off[k], it.len[k], -EINVAL, "unknown class '%s'", cls);
			ffpf_diag_hint(l->d, "classes are listed by `ffpf classes`; 'all' means every one");
			return -EINVAL;
		}
		if (v->op == OP_SET && (it.n > 1 && !strcmp(cls, "all")))
			return err(l, it.off[k], it.len[k], -EINVAL, "'all' stands alone in classes=");
		if (v->op == OP_SET && in_list(f, cls))
			return err(l, it.off[k], it.len[k], -EINVAL, "class '%s' is listed twice", cls);
		rc = class_item(l, f, v->op, cls, it.off[k], it.len[k]);
	}
	return rc;
}

/* Flowspace i receives dev from now on; it leaves the flowspace that had it. */
static int claim(struct ld *l, int i, const char *dev, size_t off, size_t len)
{
	struct ffpf_hier *h = l->h;
	int e = ffpf_hier_entry(h, dev), k = e >= 0 ? dev_index(&h->fs[e], dev) : -1;
	unsigned ifx = 0;

	if (e >= 0 && h->priv[e].devload[k] == h->load) {
		if (e == i)
			return err(l, off, len, -EINVAL, "device '%s' is listed twice", dev);
		return err(l, off, len, -EINVAL, "device '%s' already enters at '%s' (line %u); a "
			   "device's packets enter at one flowspace", dev, h->fs[e].name,
			   h->priv[e].devline[k]);
	}
	if (e == i) {
		h->priv[i].devload[k] = h->load;
		h->priv[i].devline[k] = l->line;
		return 0;
	}
	if (e >= 0) {
		ifx = h->fs[e].ifindex[k];
		dev_remove(h, e, (unsigned)k);
	}
	if (h->fs[i].ndevs >= FFPF_HIER_MAX_DEVS)
		return err(l, off, len, -E2BIG, "'%s' receives more than %d devices", h->fs[i].name,
			   FFPF_HIER_MAX_DEVS);
	dev_add(h, i, dev, is_real(h->fs[i].kind) ? ifx : 0, l->line);
	return 0;
}

static int set_devices(struct ld *l, const struct kv *v, int i)
{
	struct ffpf_flowspace *f = &l->h->fs[i];
	char dev[FFPF_HIER_DEV_MAX];
	struct items it;
	int rc = split(l, v, K_DEVICES, &it);

	if (!rc && v->op == OP_SET)
		f->ndevs = 0; /* the ones not named again enter nowhere until claimed elsewhere */
	for (unsigned k = 0; k < it.n && !rc; k++) {
		int at;
		if ((rc = item_str(l, &it, k, dev, sizeof dev, "device name", 0)))
			break;
		if (v->op != OP_DEL) {
			rc = claim(l, i, dev, it.off[k], it.len[k]);
			continue;
		}
		at = dev_index(f, dev);
		if (at < 0)
			return err(l, it.off[k], it.len[k], -EINVAL, "device '%s' does not enter at "
				   "'%s'", dev, f->name);
		dev_remove(l->h, i, (unsigned)at);
	}
	return rc;
}

/* Offset and span to blame for a problem with key k, or the name when k is not on the line. */
static void blame(const struct line *ln, enum key k, size_t *off, size_t *span)
{
	const struct kv *v = &ln->kv[k];
	*off = v->given ? v->voff : ln->noff;
	*span = v->given ? v->vlen : ln->nlen;
}

/* After a line: the barrier and strategies are complete and consistent with the place in the
 * tree. */
static int finish_fs(struct ld *l, const struct line *ln, int i)
{
	struct ffpf_flowspace *f = &l->h->fs[i];
	char can[64], off_s[64];
	size_t off, span;

	if (f->kind == FFPF_FS_APP && f->parent >= 0) {
		blame(ln, ln->kv[K_KIND].given ? K_KIND : K_PARENT, &off, &span);
		return err(l, off, span, -EINVAL, "an app flowspace must be the root: packets end "
			   "in the application, so nothing sits above it");
	}
	if (f->parent < 0) {
		enum key k = ln->kv[K_BARRIER].given ? K_BARRIER : K_STRATEGIES;
		if (!ln->kv[k].given)
			return 0;
		return err(l, ln->kv[k].koff, ln->kv[k].klen, -EINVAL, "'%s' is the root: it has "
			   "no parent, so no barrier or strategies", f->name);
	}
	if (f->barrier == FFPF_BAR_NONE)
		f->barrier = kind_barrier[f->kind];
	if (!f->strategies && !ln->kv[K_STRATEGIES].given)
		f->strategies = barrier_can[f->barrier];
	blame(ln, ln->kv[K_STRATEGIES].given ? K_STRATEGIES : K_BARRIER, &off, &span);
	if (!f->strategies)
		return err(l, off, span ? span : 1, -EINVAL, "'%s' needs at least one transfer "
			   "strategy; expected zero-copy, copy-once or copy-on-demand", f->name);
	if (f->strategies & ~barrier_can[f->barrier])
		return err(l, off, span, -EINVAL, "a %s barrier cannot do %s; it can do %s",
			   barrier_names[f->barrier],
			   ffpf_xfer_str(f->strategies & ~barrier_can[f->barrier], off_s, sizeof off_s),
			   ffpf_xfer_str(barrier_can[f->barrier], can, sizeof can));
	return 0;
}

static int apply_line(struct ld *l, const struct line *ln)
{
	struct ffpf_hier *h = l->h;
	char name[FFPF_HIER_NAME_MAX];
	enum ffpf_fs_kind kind = FFPF_FS_SIM;
	int i, rc = 0;

	memcpy(name, l->src + ln->noff, ln->nlen);
	name[ln->nlen] = '\0';
	if (ln->kv[K_KIND].given && (rc = parse_kind(l, &ln->kv[K_KIND], &kind)))
		return rc;
	i = ffpf_hier_find(h, name);
	if (i >= 0 && h->priv[i].load == h->load)
		return err(l, ln->noff, ln->nlen, -EINVAL, "flowspace '%s' is declared twice; first "
			   "at line %u", name, h->fs[i].line);
	if (i < 0 && (rc = create(l, ln, name, kind, &i)))
		return rc;
	h->priv[i].load = h->load;
	h->priv[i].off = ln->noff;
	h->fs[i].line = l->line;
	h->fs[i].auto_dev = 0;
	if (ln->kv[K_KIND].given)
		h->fs[i].kind = kind;
	if (ln->kv[K_DEVICES].given) {
		if ((rc = set_devices(l, &ln->kv[K_DEVICES], i)))
			return rc;
		sweep(h); /* a discovered xdp@DEV whose device moved here goes */
		i = ffpf_hier_find(h, name);
	}
	if (ln->kv[K_PARENT].given && (rc = set_parent(l, &ln->kv[K_PARENT], i)))
		return rc;
	if (ln->kv[K_BARRIER].given && (rc = set_barrier(l, ln, i)))
		return rc;
	if (ln->kv[K_STRATEGIES].given && (rc = set_strategies(l, &ln->kv[K_STRATEGIES], i)))
		return rc;
	if (ln->kv[K_CLASSES].given && (rc = set_class_list(l, &ln->kv[K_CLASSES], i)))
		return rc;
	return finish_fs(l, ln, i);
}

/* A tree has one root: an app declared without making host its child leaves two. */
static int check_roots(struct ld *l)
{
	struct ffpf_hier *h = l->h;
	int a = -1, b = -1, newer;

	for (unsigned i = 0; i < h->n; i++)
		if (h->fs[i].parent < 0) {
			if (a < 0)
				a = (int)i;
			else if (b < 0)
				b = (int)i;
		}
	if (b < 0)
		return 0;
	newer = h->priv[b].load == h->load ? b : a;
	err(l, h->priv[newer].off, strlen(h->fs[newer].name), -EINVAL, "two roots, '%s' and '%s'; "
	    "a hierarchy is one tree", h->fs[newer].name, h->fs[newer == a ? b : a].name);
	ffpf_diag_hint(l->d, "give one a parent, e.g. flowspace %s parent=%s",
		       h->fs[newer == a ? b : a].name, h->fs[newer].name);
	return -EINVAL;
}

static int load_lines(struct ld *l)
{
	struct line ln;
	int rc = 0;

	for (size_t off = 0; off < l->len && !rc;) {
		const char *nl = memchr(l->src + off, '\n', l->len - off);
		l->ls = off;
		l->le = nl ? (size_t)(nl - l->src) : l->len;
		l->line++;
		rc = parse_line(l, &ln);
		rc = rc == 0 ? apply_line(l, &ln) : rc == 1 ? 0 : rc;
		off = l->le + 1;
	}
	return rc ? rc : check_roots(l);
}

int ffpf_hier_load(struct ffpf_hier *h, const char *text, size_t len, const char *origin,
		   struct ffpf_diag *d)
{
	struct ffpf_diag scratch;
	struct ld l = { 0 };
	struct ffpf_hier *w;
	int rc;

	d = d ? d : &scratch;
	origin = origin ? origin : "hierarchy";
	if (!h || (!text && len)) {
		ffpf_hier_diag(d, "no hierarchy to load into, or no text");
		return -EINVAL;
	}
	if (len > FFPF_HIER_MAX_INPUT) {
		ffpf_diag_set(d, origin, NULL, 0, (struct ffpf_loc){ 1, 1, 0 }, 0, "hierarchy file is "
			      "%zu bytes; at most %u", len, FFPF_HIER_MAX_INPUT);
		return -E2BIG;
	}
	w = malloc(sizeof *w);
	if (!w) {
		ffpf_hier_diag(d, "out of memory");
		return -ENOMEM;
	}
	memcpy(w, h, sizeof *w);
	w->load++;
	l = (struct ld){ w, text, len, origin, d, 0, 0, 0 };
	rc = load_lines(&l);
	if (!rc)
		memcpy(h, w, sizeof *w);
	free(w);
	return rc;
}

int ffpf_hier_load_file(struct ffpf_hier *h, const char *path, struct ffpf_diag *d)
{
	FILE *f = path ? fopen(path, "rb") : NULL;
	char *buf = NULL;
	size_t n = 0;
	int rc = 0;

	if (!f)
		rc = path ? -errno : -EINVAL;
	else if (!(buf = malloc(FFPF_HIER_MAX_INPUT + 1)))
		rc = -ENOMEM;
	else if ((n = fread(buf, 1, FFPF_HIER_MAX_INPUT + 1, f)) == 0 && ferror(f))
		rc = errno ? -errno : -EIO;
	if (f)
		fclose(f);
	if (rc)
		ffpf_hier_diag(d, "cannot read hierarchy file '%s': %s", path ? path : "(null)",
			       strerror(-rc));
	else
		rc = ffpf_hier_load(h, buf, n, path, d);
	free(buf);
	return rc;
}
