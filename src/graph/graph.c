/* graph.c — the flowgraph's function table: add, find identical (overlay), look up by name,
 * and the accessors a class may call on its function. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ffpf_int.h"
#include "daemon/client.h"

int ffpf_graph_add(struct ffpf *f, struct ffpf_fn *fn)
{
	char name[96];

	if (f->nfn == f->capfn) {
		unsigned cap = f->capfn ? 2 * f->capfn : 16;
		struct ffpf_fn **v = realloc(f->fn, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		f->fn = v;
		f->capfn = cap;
	}
	fn->id = f->nfn;
	free(fn->name);
	if (fn->label) {
		fn->name = strdup(fn->label);
	} else {
		snprintf(name, sizeof(name), "%s#%u", fn->cls->name, fn->id);
		fn->name = strdup(name);
	}
	if (!fn->name)
		return -ENOMEM;
	f->fn[f->nfn++] = fn;
	return 0;
}

/* Identity of a function: class, canonical parameters, and the exact set of inputs.  A linear
 * scan: graphs have tens to hundreds of functions and this runs in the control plane only. */
struct ffpf_fn *ffpf_graph_find(const struct ffpf *f, const struct ffpf_fn *like)
{
	for (unsigned i = 0; i < f->nfn; i++) {
		const struct ffpf_fn *g = f->fn[i];
		if (g->dead || g->cls != like->cls || g->ninputs != like->ninputs)
			continue;
		/* A trace being read (or read) is not shared: a newcomer would miss its start. */
		if ((g->cls->flags & FFPF_CLASS_SOURCE) && (g->exhausted || (g->in && g->cls->progress)))
			continue;
		if (strcmp(g->args->canon, like->args->canon))
			continue;
		if (g->ninputs && memcmp(g->inputs, like->inputs, g->ninputs * sizeof(unsigned)))
			continue;
		return f->fn[i];
	}
	return NULL;
}

int ffpf_fn_lookup(const struct ffpf *f, const char *name)
{
	if (f && f->remote)
		return ffpf_remote_lookup(f, name);
	for (unsigned i = 0; f && name && i < f->nfn; i++) {
		if (f->fn[i]->dead)
			continue;
		if (!strcmp(f->fn[i]->name, name))
			return (int)i;
		for (unsigned k = 0; k < f->fn[i]->nalias; k++)
			if (!strcmp(f->fn[i]->alias[k], name))
				return (int)i;
	}
	return -ENOENT;
}

int ffpf_fn_add_alias(struct ffpf_fn *fn, const char *name)
{
	char **v;
	if (!strcmp(fn->name, name))
		return 0;
	for (unsigned k = 0; k < fn->nalias; k++)
		if (!strcmp(fn->alias[k], name))
			return 0;
	v = realloc(fn->alias, (fn->nalias + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	fn->alias = v;
	if (!(v[fn->nalias] = strdup(name)))
		return -ENOMEM;
	fn->nalias++;
	return 0;
}

void ffpf_fn_free(struct ffpf_fn *fn)
{
	if (!fn)
		return;
	if (fn->cls && fn->cls->fini && !fn->dead) /* a retired function was finished already */
		fn->cls->fini(fn);
	ffpf_args_free(fn->args);
	ffpf_pbuf_free(fn->pbuf);
	ffpf_ibuf_free(fn->ibuf);
	free(fn->priv);
	if (!fn->arena_mbuf)
		free(fn->mbuf);
	free(fn->inputs);
	free(fn->out);
	free(fn->merged);
	free(fn->label);
	for (unsigned k = 0; k < fn->nalias; k++)
		free(fn->alias[k]);
	free(fn->alias);
	free(fn->name);
	free(fn);
}

/* ---- the class-facing accessors (class.h) ---- */

void *ffpf_fn_priv(const struct ffpf_fn *fn)
{
	return fn->priv;
}

uint8_t *ffpf_fn_mbuf(const struct ffpf_fn *fn)
{
	return fn->mbuf;
}

void ffpf_fn_set_mbuf(struct ffpf_fn *fn, size_t bytes)
{
	fn->mbuf_size = bytes;
}

const struct ffpf_args *ffpf_fn_args(const struct ffpf_fn *fn)
{
	return fn->args;
}

const char *ffpf_fn_name(const struct ffpf_fn *fn)
{
	return fn->name;
}

int ffpf_fn_linktype(const struct ffpf_fn *fn)
{
	return fn->linktype;
}

uint32_t ffpf_fn_snaplen(const struct ffpf_fn *fn)
{
	return fn->snaplen;
}

void ffpf_fn_drop(struct ffpf_fn *fn, enum ffpf_drop reason, uint64_t n)
{
	fn->drops[reason] += n;
}

int ffpf_fn_error(struct ffpf_fn *fn, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fn->err, sizeof(fn->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *ffpf_fn_errmsg(const struct ffpf_fn *fn)
{
	return fn->err;
}

unsigned ffpf_fn_pbuf_hint(const struct ffpf_fn *fn)
{
	return fn->owner->opts.pbuf_slots;
}

int ffpf_fn_no_compile(const struct ffpf_fn *fn)
{
	return fn->no_compile;
}

int ffpf_fn_set_pbuf(struct ffpf_fn *fn, unsigned nslots, uint32_t slot_size, uint32_t snaplen,
		     int linktype)
{
	ffpf_pbuf_free(fn->pbuf);
	if (!nslots)
		nslots = fn->owner->opts.pbuf_slots;
	fn->pbuf = ffpf_pbuf_new(nslots, slot_size, linktype);
	if (!fn->pbuf)
		return ffpf_fn_error(fn, "cannot allocate a PBuf of %u slots of %u bytes", nslots,
				     slot_size), -ENOMEM;
	fn->linktype = linktype;
	fn->snaplen = snaplen;
	return 0;
}

struct ffpf_pbuf *ffpf_fn_pbuf(const struct ffpf_fn *fn)
{
	return fn->pbuf;
}
