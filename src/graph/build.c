/* build.c — from a parsed request to functions in the flowgraph (populate).
 *
 * Three steps, so that a failing request changes nothing:
 *   1. wire:  every element becomes a proto-node; '>' adds edges, '[ | ]' fans out and unions,
 *             '@name' reuses a labelled node (also before its definition);
 *   2. check: chains without a source get the default sources (ffpf run -r) or an error;
 *             sources must have no inputs; the graph must be acyclic; every element's class
 *             exists and its parameters bind (class init);
 *   3. merge: in topological order, each proto-node becomes an existing identical function
 *             (same class, parameters and inputs: overlay) or a new one.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ffpf_int.h"
#include "daemon/client.h"
#include "lang/ast.h"
#include "lang/diag.h"
#include "graph/args.h"

struct ulist {
	unsigned *v;
	unsigned n, cap;
};

struct proto {
	const struct ffpf_ast *el;
	struct ffpf_request *owner_req; /* request the element came from (defaults have their own) */
	const char *src, *origin;       /* text the element's locations refer to */
	struct ulist in;
	struct ffpf_fn *tmp;            /* bound but not yet merged */
	struct ffpf_fn *final;          /* after merge */
	unsigned indeg;                 /* topological sort */
};

struct build {
	struct ffpf *f;
	const char *src, *origin;
	struct proto *p;
	unsigned np, capp;
	struct ffpf_request *defaults_req[16]; /* parsed default sources, freed with the build */
	unsigned ndefault_reqs;
	unsigned default_ids[16];
	unsigned ndefault_ids;
	int rc;
};

static int ul_add(struct ulist *l, unsigned x)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->v[i] == x)
			return 0;
	if (l->n == l->cap) {
		unsigned cap = l->cap ? 2 * l->cap : 4;
		unsigned *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = x;
	return 0;
}

/* Report an error at an element's location, with a caret under it. */
static int err_at(struct build *b, const struct proto *p, struct ffpf_loc loc, size_t span,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int err_at(struct build *b, const struct proto *p, struct ffpf_loc loc, size_t span,
		  const char *fmt, ...)
{
	struct ffpf_diag d;
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ffpf_diag_set(&d, p->origin, p->src, strlen(p->src), loc, span, "%s", msg);
	b->rc = ffpf_fail(b->f, -EINVAL, "%s", d.text);
	return b->rc;
}

static int new_proto(struct build *b, const struct ffpf_ast *el, const char *src, const char *origin)
{
	if (b->np == b->capp) {
		unsigned cap = b->capp ? 2 * b->capp : 16;
		struct proto *p = realloc(b->p, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->capp = cap;
	}
	memset(&b->p[b->np], 0, sizeof(b->p[0]));
	b->p[b->np].el = el;
	b->p[b->np].src = src;
	b->p[b->np].origin = origin;
	return (int)b->np++;
}

static int proto_of(const struct build *b, const struct ffpf_ast *el)
{
	for (unsigned i = 0; i < b->np; i++)
		if (b->p[i].el == el)
			return (int)i;
	return -1;
}

static int label_proto(const struct build *b, const char *name)
{
	for (unsigned i = 0; i < b->np; i++)
		if (b->p[i].el->label && !strcmp(b->p[i].el->label, name))
			return (int)i;
	return -1;
}

/* Pass 1: one proto-node per element, so '@name' can point forward. */
static int collect(struct build *b, const struct ffpf_ast *a)
{
	if (a->kind == FFPF_AST_ELEMENT)
		return new_proto(b, a, b->src, b->origin) < 0 ? -ENOMEM : 0;
	for (size_t i = 0; i < a->nkids; i++)
		if (collect(b, a->kids[i]))
			return -ENOMEM;
	return 0;
}

static int wire_chain(struct build *b, const struct ffpf_ast *chain, const struct ulist *in,
		      struct ulist *out);

/* Connect inputs `in` to term t; its outputs go to out. */
static int wire_term(struct build *b, const struct ffpf_ast *t, const struct ulist *in, struct ulist *out)
{
	int k;
	switch (t->kind) {
	case FFPF_AST_ELEMENT:
	case FFPF_AST_REF:
		k = t->kind == FFPF_AST_ELEMENT ? proto_of(b, t) : label_proto(b, t->ref);
		if (k < 0) /* the parser rejects undefined names; be safe anyway */
			return err_at(b, &(struct proto){.src = b->src, .origin = b->origin}, t->loc, 1,
				      "'@%s' names no labelled element", t->ref);
		for (unsigned i = 0; i < in->n; i++)
			if (ul_add(&b->p[k].in, in->v[i]))
				return -ENOMEM;
		return ul_add(out, (unsigned)k);
	case FFPF_AST_GROUP:
		for (size_t i = 0; i < t->nkids; i++)
			if (wire_chain(b, t->kids[i], in, out))
				return b->rc ? b->rc : -ENOMEM;
		return 0;
	case FFPF_AST_CHAIN:
		return wire_chain(b, t, in, out);
	}
	return 0;
}

static int wire_chain(struct build *b, const struct ffpf_ast *chain, const struct ulist *in,
		      struct ulist *out)
{
	struct ulist cur = {0}, next = {0};
	int rc = 0;

	if (chain->kind != FFPF_AST_CHAIN)
		return wire_term(b, chain, in, out);
	for (unsigned i = 0; i < in->n; i++)
		if ((rc = ul_add(&cur, in->v[i])))
			goto done;
	for (size_t t = 0; t < chain->nkids; t++) {
		next.n = 0;
		if ((rc = wire_term(b, chain->kids[t], &cur, &next)))
			goto done;
		struct ulist tmp = cur;
		cur = next;
		next = tmp;
	}
	for (unsigned i = 0; i < cur.n; i++)
		if ((rc = ul_add(out, cur.v[i])))
			goto done;
done:
	free(cur.v);
	free(next.v);
	return rc;
}

/* The default sources of ffpf_default_source(), as proto-nodes of this build (made once). */
static int default_sources(struct build *b)
{
	struct ffpf *f = b->f;
	struct ffpf_diag d;

	if (b->ndefault_ids || !f->ndefaults)
		return 0;
	for (unsigned i = 0; i < f->ndefaults && i < 16; i++) {
		struct ffpf_request *r = NULL;
		int rc = ffpf_lang_parse(f->defaults[i], strlen(f->defaults[i]), "source", &r, &d);
		if (rc)
			return b->rc = ffpf_fail(f, rc, "%s", d.text);
		b->defaults_req[b->ndefault_reqs++] = r;
		if (r->nchains != 1 || r->chains[0]->kind != FFPF_AST_CHAIN ||
		    r->chains[0]->nkids != 1 || r->chains[0]->kids[0]->kind != FFPF_AST_ELEMENT)
			return b->rc = ffpf_fail(f, -EINVAL, "source: \"%s\" is not one element",
						 f->defaults[i]);
		const struct ffpf_class *c = ffpf_class_find(r->chains[0]->kids[0]->cls);
		if (!c || !(c->flags & FFPF_CLASS_SOURCE))
			return b->rc = ffpf_fail(f, -EINVAL, "source: \"%s\" is not a source class "
						 "(e.g. (file,\"trace.pcap\"))", f->defaults[i]);
		int k = new_proto(b, r->chains[0]->kids[0], f->defaults[i], "source");
		if (k < 0)
			return -ENOMEM;
		b->default_ids[b->ndefault_ids++] = (unsigned)k;
	}
	return 0;
}

/* Elements that start a chain and are not sources read the default sources, or it is an error. */
static int attach_sources(struct build *b)
{
	unsigned n = b->np; /* defaults appended below are sources themselves */
	for (unsigned i = 0; i < n; i++)
		if (!b->p[i].in.n && !(b->p[i].tmp->cls->flags & FFPF_CLASS_SOURCE))
			if (default_sources(b)) /* may move b->p: take pointers after this */
				return b->rc ? b->rc : -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		struct proto *p = &b->p[i];
		const struct ffpf_class *c = p->tmp->cls;
		if ((c->flags & FFPF_CLASS_SOURCE) || p->in.n)
			continue;
		if (!b->ndefault_ids)
			return err_at(b, p, p->el->loc, 1,
				      "'%s' has no input: start the chain with a source, e.g. "
				      "(file,\"trace.pcap\") > ..., or give ffpf run -r FILE",
				      p->el->cls_orig);
		for (unsigned k = 0; k < b->ndefault_ids; k++)
			if (ul_add(&b->p[i].in, b->default_ids[k]))
				return -ENOMEM;
	}
	return 0;
}

/* Bind arguments and run the class's init for one proto-node (nothing enters the graph yet). */
/* A label as the graph knows it: in a daemon's graph each application's labels are its own
 * ("a3:c" for application 3's "c"), so two applications may both say "c". */
static char *ns_label(const struct build *b, const char *label)
{
	char *s = NULL;
	if (!b->f->label_ns)
		return strdup(label);
	return asprintf(&s, "%s%s", b->f->label_ns, label) < 0 ? NULL : s;
}

static int bind_proto(struct build *b, struct proto *p)
{
	const struct ffpf_ast *el = p->el;
	const struct ffpf_class *c = ffpf_class_find(el->cls);
	struct ffpf_fn *fn;
	struct ffpf_loc bad;
	char msg[768];
	int rc;

	if (!c)
		return err_at(b, p, el->cls_loc, strlen(el->cls_orig),
			      "unknown function class '%s' (ffpf classes lists them)", el->cls_orig);
	if (b->f->no_dev && !strcmp(c->name, "dev"))
		return err_at(b, p, el->loc, el->span ? el->span : 1, "%s", b->f->no_dev);
	if ((c->flags & FFPF_CLASS_SOURCE) && p->in.n)
		return err_at(b, p, el->loc, el->span ? el->span : 1,
			      "'%s' is a source and cannot read from other functions; start a chain "
			      "with it, or use '[ ... | ... ]' to add a source", el->cls_orig);
	fn = p->tmp = calloc(1, sizeof(*fn));
	if (!fn)
		return -ENOMEM;
	fn->cls = c;
	fn->owner = b->f;
	fn->no_compile = b->f->opts.no_compile;
	fn->linktype = -1;
	fn->stage = -1;
	if ((rc = ffpf_args_bind(c, el, &fn->args, msg, sizeof(msg), &bad)))
		return err_at(b, p, bad, 1, "%s: %s", el->cls_orig, msg);
	if (c->priv_size && !(fn->priv = calloc(1, c->priv_size)))
		return -ENOMEM;
	fn->name = ns_label(b, el->label ? el->label : c->name); /* placeholder until merged */
	if (!fn->name || (el->label && !(fn->label = ns_label(b, el->label))))
		return -ENOMEM;
	if (c->init && (rc = c->init(fn, fn->args)))
		return err_at(b, p, el->loc, el->span ? el->span : 1, "%s: %s", el->cls_orig,
			      fn->err[0] ? fn->err : strerror(-rc));
	return 0;
}

/* Kahn's algorithm over proto-nodes; order[] gets them inputs-first.  A leftover is a cycle. */
static int topo_sort(struct build *b, unsigned *order)
{
	unsigned head = 0, tail = 0;
	for (unsigned i = 0; i < b->np; i++)
		b->p[i].indeg = b->p[i].in.n;
	for (unsigned i = 0; i < b->np; i++)
		if (!b->p[i].indeg)
			order[tail++] = i;
	while (head < tail) {
		unsigned u = order[head++];
		for (unsigned i = 0; i < b->np; i++)
			for (unsigned k = 0; k < b->p[i].in.n; k++)
				if (b->p[i].in.v[k] == u && --b->p[i].indeg == 0)
					order[tail++] = i;
	}
	if (tail == b->np)
		return 0;
	for (unsigned i = 0; i < b->np; i++)
		if (b->p[i].indeg)
			return err_at(b, &b->p[i], b->p[i].el->loc, 1,
				      "cycle: '%s' feeds (through '@' references) into its own input; "
				      "a flowgraph must be acyclic", b->p[i].el->cls_orig);
	return -EINVAL;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

/* Merge one proto-node into the graph: reuse an identical function or add this one. */
static int merge_proto(struct build *b, struct proto *p)
{
	struct ffpf_fn *fn = p->tmp, *same;
	struct ffpf *f = b->f;

	fn->inputs = calloc(p->in.n ? p->in.n : 1, sizeof(unsigned));
	if (!fn->inputs)
		return -ENOMEM;
	for (unsigned k = 0; k < p->in.n; k++) {
		unsigned id = b->p[p->in.v[k]].final->id, dup = 0;
		for (unsigned j = 0; j < fn->ninputs; j++)
			dup |= fn->inputs[j] == id;
		if (!dup)
			fn->inputs[fn->ninputs++] = id;
	}
	qsort(fn->inputs, fn->ninputs, sizeof(unsigned), cmp_unsigned);
	same = ffpf_graph_find(f, fn);
	if (same) {
		/* The label becomes another name of the shared function; its own names stay. */
		char *l = p->el->label ? ns_label(b, p->el->label) : NULL;
		int rc = l ? ffpf_fn_add_alias(same, l) : 0;
		free(l);
		if (rc || (p->el->label && !l))
			return -ENOMEM;
		ffpf_fn_free(fn);
		p->tmp = NULL;
		p->final = same;
	} else {
		if (ffpf_graph_add(f, fn))
			return -ENOMEM;
		p->tmp = NULL;
		p->final = fn;
	}
	if (p->final->last_request != f->nrequests) {
		p->final->last_request = f->nrequests;
		p->final->nrequests++;
	}
	return 0;
}

/* What each proto-node will merge into (an existing function, or NULL: a new one), computed in
 * topological order without touching the graph. */
static int dry_merge(struct build *b, const unsigned *order, struct ffpf_fn **would)
{
	for (unsigned i = 0; i < b->np; i++) {
		struct proto *p = &b->p[order[i]];
		struct ffpf_fn like = {.cls = p->tmp->cls, .args = p->tmp->args};
		unsigned ids[64];
		int fresh = p->in.n > 64;

		for (unsigned k = 0; !fresh && k < p->in.n; k++) {
			struct ffpf_fn *in = would[p->in.v[k]];
			fresh = !in;
			if (in) {
				unsigned j = 0;
				while (j < like.ninputs && ids[j] < in->id)
					j++;
				if (j < like.ninputs && ids[j] == in->id)
					continue;
				memmove(ids + j + 1, ids + j, (like.ninputs - j) * sizeof(unsigned));
				ids[j] = in->id;
				like.ninputs++;
			}
		}
		like.inputs = ids;
		would[order[i]] = fresh ? NULL : ffpf_graph_find(b->f, &like);
	}
	return 0;
}

/* A label may name an existing function only if this request's element is that function. */
static int check_labels(struct build *b, const unsigned *order)
{
	struct ffpf_fn **would = calloc(b->np ? b->np : 1, sizeof(*would));
	int rc = 0;

	if (!would)
		return -ENOMEM;
	dry_merge(b, order, would);
	for (unsigned i = 0; i < b->np && !rc; i++) {
		char *l = b->p[i].el->label ? ns_label(b, b->p[i].el->label) : NULL;
		int id = l ? ffpf_fn_lookup(b->f, l) : -1;
		if (b->p[i].el->label && !l)
			rc = -ENOMEM;
		free(l);
		if (id >= 0 && b->f->fn[id] != would[i])
			rc = err_at(b, &b->p[i], b->p[i].el->loc, strlen(b->p[i].el->label),
				    "label '%s' already names another function (%s) of an earlier request; "
				    "pick another name", b->p[i].el->label, b->f->fn[id]->name);
	}
	free(would);
	return rc;
}

static void build_free(struct build *b)
{
	for (unsigned i = 0; i < b->np; i++) {
		ffpf_fn_free(b->p[i].tmp);
		free(b->p[i].in.v);
	}
	free(b->p);
	for (unsigned i = 0; i < b->ndefault_reqs; i++)
		ffpf_request_free(b->defaults_req[i]);
}

static int build_request(struct build *b, struct ffpf_request *req)
{
	unsigned *order;
	int rc;

	for (size_t i = 0; i < req->nchains; i++)
		if ((rc = collect(b, req->chains[i])))
			return rc;
	for (size_t i = 0; i < req->nchains; i++) {
		struct ulist none = {0}, out = {0};
		rc = wire_chain(b, req->chains[i], &none, &out);
		free(out.v);
		if (rc)
			return rc;
	}
	for (unsigned i = 0; i < b->np; i++)
		if ((rc = bind_proto(b, &b->p[i])))
			return rc;
	if ((rc = attach_sources(b)))
		return rc;
	for (unsigned i = 0; i < b->np; i++) /* default sources were appended by attach_sources */
		if (!b->p[i].tmp && (rc = bind_proto(b, &b->p[i])))
			return rc;
	order = calloc(b->np ? b->np : 1, sizeof(*order));
	if (!order)
		return -ENOMEM;
	rc = topo_sort(b, order);
	if (!rc)
		rc = check_labels(b, order);
	if (!rc)
		b->f->nrequests++;
	for (unsigned i = 0; !rc && i < b->np; i++)
		rc = merge_proto(b, &b->p[order[i]]);
	free(order);
	return rc;
}

int ffpf_populate_named(struct ffpf *f, const char *text, const char *origin)
{
	struct ffpf_request *req = NULL;
	struct ffpf_diag d;
	struct build b = {.f = f, .src = text, .origin = origin ? origin : "request"};
	int rc;

	if (!f || !text)
		return errno = EINVAL, -EINVAL;
	if (f->state == FFPF_S_FAILED && f->remote == NULL && f->nfn == 0 && f->err[0])
		return errno = EIO, -EIO; /* ffpf_create could not reach the daemon asked for: err says */
	if (f->remote && f->state == FFPF_S_POPULATING)
		return ffpf_remote_populate(f, text, origin ? origin : "request");
	if (f->state != FFPF_S_POPULATING && !(f->live && f->state == FFPF_S_ACTIVE))
		return ffpf_fail(f, -EBUSY, "populate: the flowgraph is already instantiated");
	rc = ffpf_lang_parse(text, strlen(text), b.origin, &req, &d);
	if (rc)
		return ffpf_fail(f, rc, "%s", d.text);
	unsigned before = f->nfn;
	rc = build_request(&b, req);
	if (rc == -ENOMEM && !b.rc)
		rc = ffpf_fail(f, -ENOMEM, "populate: out of memory");
	if (!rc && f->state == FFPF_S_ACTIVE) /* a live graph: the new functions start now */
		rc = ffpf_engine_grow(f, before);
	build_free(&b);
	ffpf_request_free(req);
	return rc;
}

int ffpf_populate(struct ffpf *f, const char *text)
{
	return ffpf_populate_named(f, text, "request");
}
