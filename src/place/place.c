/* place.c — maps a flowgraph onto the flowspace tree: path fields down, bubbling up (paper §II). */
#include "place/place.h"
#include "util/strbuf.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Flowspace x's part of instantiating a function of class cls: x reads only its own subfield
 * of the path (which of its children the request may go to) and either hands the request down
 * or, when it comes back unplaced, marks the levels below itself invalid and tries itself.
 * Returns the flowspace that took the function, or -1.  Recursion depth <= 9 levels. */
static int request(const struct ffpf_hier *h, int x, const char *cls, uint32_t *path)
{
	const struct ffpf_flowspace *f = ffpf_hier_fs(h, x);
	unsigned b = ffpf_path_sub(*path, f->depth);
	int kid = b == FFPF_PATH_INVALID ? -1 : ffpf_hier_child(h, x, b);

	if (kid >= 0) {
		int got = request(h, kid, cls, path);
		if (got >= 0)
			return got;
	}
	*path = ffpf_path_cut(*path, f->depth);
	return ffpf_hier_implements(h, x, cls) ? x : -1;
}

/* Where a request with this path stops going down: the inputs' lowest common successor. */
static int descend(const struct ffpf_hier *h, uint32_t path)
{
	int x = ffpf_hier_root(h);
	for (;;) {
		const struct ffpf_flowspace *f = ffpf_hier_fs(h, x);
		unsigned b = ffpf_path_sub(path, f->depth);
		int kid = b == FFPF_PATH_INVALID ? -1 : ffpf_hier_child(h, x, b);
		if (kid < 0)
			return x;
		x = kid;
	}
}

static const char *name_of(const struct ffpf_place_in *in, size_t i, char buf[24])
{
	if (in[i].name)
		return in[i].name;
	snprintf(buf, 24, "#%zu", i);
	return buf;
}

static int place_source(const struct ffpf_hier *h, const struct ffpf_place_in *in, size_t i,
			struct ffpf_place_out *o, struct ffpf_diag *d)
{
	char nb[24];
	int e = in[i].dev ? ffpf_hier_entry(h, in[i].dev) : ffpf_hier_root(h);

	if (e < 0) {
		ffpf_hier_diag(d, "source '%s': no flowspace receives device '%s'",
			       name_of(in, i, nb), in[i].dev);
		ffpf_diag_hint(d, "flowspaces receive the devices given to discovery, and those "
			       "named by devices= in a hierarchy file");
		return -EINVAL;
	}
	o->fs = o->low = e;
	o->path = o->want = ffpf_hier_fs(h, e)->path;
	return 0;
}

/* No flowspace from where the inputs meet up to the root implements the class. */
static int unplaceable(const struct ffpf_hier *h, const struct ffpf_place_in *in, size_t i,
		       const struct ffpf_place_out *o, struct ffpf_diag *d)
{
	char nb[24];
	const char *cls = in[i].cls ? in[i].cls : "(none)";
	const char *low = ffpf_hier_fs(h, o->low)->name, *root = ffpf_hier_fs(h, ffpf_hier_root(h))->name;

	if (o->low == ffpf_hier_root(h))
		ffpf_hier_diag(d, "function '%s' (class '%s'): %s, the root, does not implement it, "
			       "and packets never go back down", name_of(in, i, nb), cls, root);
	else
		ffpf_hier_diag(d, "function '%s' (class '%s'): no flowspace from %s up to %s "
			       "implements it", name_of(in, i, nb), cls, low, root);
	ffpf_diag_hint(d, "a function runs where its inputs meet or above (paper §II-B); "
		       "a hierarchy file can add the class to a flowspace (classes+=%s)", cls);
	return -EINVAL;
}

static int place_fn(const struct ffpf_hier *h, const struct ffpf_place_in *in, size_t i,
		    struct ffpf_place_out *out, struct ffpf_diag *d)
{
	struct ffpf_place_out *o = &out[i];
	char nb[24];
	uint32_t want = FFPF_PATH_ROOT;

	for (unsigned k = 0; k < in[i].ninputs; k++) {
		unsigned j = in[i].inputs ? in[i].inputs[k] : (unsigned)i;
		if (j >= i) {
			ffpf_hier_diag(d, "function '%s': input %u is not an earlier node (nodes must "
				       "come in topological order)", name_of(in, i, nb), j);
			return -EINVAL;
		}
		want = k ? ffpf_path_meet(want, out[j].path) : out[j].path;
	}
	o->want = o->path = want;
	o->low = descend(h, want);
	o->fs = in[i].cls ? request(h, ffpf_hier_root(h), in[i].cls, &o->path) : -1;
	if (o->fs < 0)
		return unplaceable(h, in, i, o, d);
	return 0;
}

int ffpf_place_between(const struct ffpf_hier *h, int from, int to, int *out, unsigned max)
{
	unsigned n = 0;
	if (!ffpf_hier_above(h, to, from))
		return -1;
	for (int x = from; x != to; x = ffpf_hier_fs(h, x)->parent)
		if (n < max)
			out[n++] = x;
		else
			n++;
	return (int)n;
}

/* Add the barriers from `from` up to o->fs to o->cross, keeping it deepest first. */
static void add_cross(const struct ffpf_hier *h, int from, struct ffpf_place_out *o)
{
	int b[FFPF_HIER_MAX_DEPTH + 1];
	int n = ffpf_place_between(h, from, o->fs, b, FFPF_HIER_MAX_DEPTH + 1);

	for (int k = 0; k < n; k++) {
		unsigned at = 0, dep = ffpf_hier_fs(h, b[k])->depth;
		if (memchr(o->cross, b[k], o->ncross) || o->ncross >= FFPF_HIER_MAX_FS)
			continue;
		while (at < o->ncross && ffpf_hier_fs(h, o->cross[at])->depth >= dep)
			at++;
		memmove(o->cross + at + 1, o->cross + at, o->ncross - at);
		o->cross[at] = (unsigned char)b[k];
		o->ncross++;
	}
}

/* Per edge: does the input's stream stay in its flowspace or go up, and through what. */
static void link_edges(const struct ffpf_hier *h, const struct ffpf_place_in *in, size_t n,
		       struct ffpf_place_out *out)
{
	for (size_t i = 0; i < n; i++)
		for (unsigned k = 0; k < in[i].ninputs; k++) {
			struct ffpf_place_out *src = &out[in[i].inputs[k]];
			if (src->fs == out[i].fs)
				src->local = 1;
			else
				src->up = 1;
			add_cross(h, src->fs, &out[i]);
		}
}

int ffpf_place(const struct ffpf_hier *h, const struct ffpf_place_in *in, size_t n,
	       struct ffpf_place_out *out, struct ffpf_diag *d)
{
	if (!h || ffpf_hier_root(h) < 0 || (n && (!in || !out))) {
		ffpf_hier_diag(d, "nothing to place on");
		return -EINVAL;
	}
	memset(out, 0, n * sizeof *out);
	for (size_t i = 0; i < n; i++) {
		int rc = in[i].ninputs ? place_fn(h, in, i, out, d) : place_source(h, in, i, &out[i], d);
		if (rc)
			return rc;
	}
	link_edges(h, in, n, out);
	return 0;
}

/* ---- the plan ---- */

static void put_node(struct strbuf *sb, const struct ffpf_hier *h, const struct ffpf_place_in *in,
		     const struct ffpf_place_out *out, size_t i)
{
	char p[11], nb[24];
	const struct ffpf_place_out *o = &out[i];

	sb_printf(sb, "* %s (%s", name_of(in, i, nb), in[i].cls ? in[i].cls : "?");
	if (!in[i].ninputs && in[i].dev)
		sb_printf(sb, " %s", in[i].dev);
	sb_printf(sb, ")  path %s", ffpf_path_str(o->path, p));
	for (unsigned k = 0; k < o->ncross; k++) {
		const struct ffpf_flowspace *f = ffpf_hier_fs(h, o->cross[k]);
		sb_printf(sb, "%s%s(%s)", k ? ", " : "  <- ", f->name, ffpf_barrier_name(f->barrier));
	}
	if (!in[i].ninputs || o->up)
		sb_printf(sb, "  [%s%s%s]", in[i].ninputs ? "" : "source",
			  !in[i].ninputs && o->up ? ", " : "", o->up ? "up" : "");
	sb_putc(sb, '\n');
}

static void put_level(struct strbuf *sb, const struct ffpf_hier *h, int x,
		      const struct ffpf_place_in *in, const struct ffpf_place_out *out, size_t n,
		      char *prefix, size_t plen)
{
	const struct ffpf_flowspace *f = ffpf_hier_fs(h, x);

	ffpf_hier_put(sb, f);
	for (size_t i = 0; i < n; i++)
		if (out[i].fs == x) {
			sb_printf(sb, "%s%s", prefix, f->nkids ? "|     " : "      ");
			put_node(sb, h, in, out, i);
		}
	if (plen + 4 >= 64)
		return;
	for (unsigned k = 0; k < f->nkids; k++) {
		int last = k + 1 == f->nkids;
		sb_printf(sb, "%s%s", prefix, last ? "`-- " : "|-- ");
		memcpy(prefix + plen, last ? "    " : "|   ", 5);
		put_level(sb, h, f->kids[k], in, out, n, prefix, plen + 4);
		prefix[plen] = '\0';
	}
}

char *ffpf_place_format(const struct ffpf_hier *h, const struct ffpf_place_in *in,
			const struct ffpf_place_out *out, size_t n)
{
	struct strbuf sb = {0};
	char prefix[64] = "";
	int root = ffpf_hier_root(h);

	if (root < 0 || (n && (!in || !out)))
		return NULL;
	put_level(&sb, h, root, in, out, n, prefix, 0);
	return sb_take(&sb);
}
