/* results.c — read-out: per-function counters, typed results, progress. */
#include <errno.h>
#include <string.h>
#include "ffpf_int.h"
#include "daemon/client.h"

static const char *const drop_names[] = {
#define FFPF_DROP_NAME(sym, name, help) name,
	FFPF_FOREACH_DROP(FFPF_DROP_NAME)
#undef FFPF_DROP_NAME
};

const char *ffpf_drop_name(enum ffpf_drop r)
{
	return (unsigned)r < FFPF_DROP_MAX ? drop_names[r] : "unknown";
}

unsigned ffpf_fn_count(const struct ffpf *f)
{
	if (f && f->remote)
		return ffpf_remote_count(f);
	return f ? f->nfn : 0;
}

const struct ffpf_fn_info *ffpf_fn_info(struct ffpf *f, unsigned id)
{
	struct ffpf_fn *fn;
	struct ffpf_fn_info *x;

	if (f && f->remote)
		return ffpf_remote_info(f, id);
	if (!f || id >= f->nfn)
		return NULL;
	fn = f->fn[id];
	x = &fn->info;
	x->name = fn->name;
	x->cls = fn->cls->name;
	x->params = fn->args->canon;
	x->flowspace = fn->runs[0] ? fn->runs : "host";
	x->placed = fn->placed;
	x->where = fn->placed[0] || fn->where[0] ? fn->where : "";
	if (fn->cls->flags & FFPF_CLASS_SOURCE)
		x->mode = "source";
	else if (fn->level != 0) /* FFPF_LVL_HOST */
		x->mode = "ebpf";
	else if (fn->instantiated)
		x->mode = fn->stage >= 0 ? "compiled" : "interpreted";
	else /* before instantiate: what the plan expects */
		x->mode = fn->cls->emit_c && !fn->no_compile ? "compiled" : "interpreted";
	x->why = fn->stage >= 0 ? "" : fn->why;
	x->id = fn->id;
	x->ninputs = fn->ninputs;
	x->inputs = fn->inputs;
	x->nrequests = fn->nrequests;
	x->in = fn->in;
	x->passed = fn->passed;
	memcpy(x->drops, fn->drops, sizeof(x->drops));
	x->mbuf_size = fn->mbuf_size;
	x->ibuf_slots = fn->ibuf ? fn->ibuf->nslots : 0;
	x->pbuf_slots = fn->pbuf ? fn->pbuf->nslots : 0;
	x->nresults = fn->cls->nresults;
	return x;
}

const struct ffpf_result_desc *ffpf_result_desc(const struct ffpf *f, unsigned id, unsigned j)
{
	if (f && f->remote)
		return ffpf_remote_desc(f, id, j);
	if (!f || id >= f->nfn || j >= f->fn[id]->cls->nresults)
		return NULL;
	return &f->fn[id]->cls->results[j];
}

/* Read-out functions take a const handle, but say what went wrong like the others do. */
static int fail_const(const struct ffpf *f, int rc, const char *what, const char *name)
{
	if (f)
		return ffpf_fail((struct ffpf *)f, rc, "%s '%s'", what, name ? name : "(null)");
	return errno = -rc, rc;
}

int ffpf_result(const struct ffpf *f, unsigned id, unsigned j, struct ffpf_value *v)
{
	if (f && f->remote)
		return ffpf_remote_result(f, id, j, v);
	const struct ffpf_fn *fn;
	const struct ffpf_result_desc *d = ffpf_result_desc(f, id, j);

	if (!d || !v)
		return fail_const(f, -ENOENT, "no such result of function", f && id < f->nfn ? f->fn[id]->name : "?");
	fn = f->fn[id];
	memset(v, 0, sizeof(*v));
	if (fn->cls->read)
		return fn->cls->read(fn, j, v);
	v->type = FFPF_V_U64;
	if (!fn->mbuf || d->mbuf_off + 8 > fn->mbuf_size)
		return 0; /* not instantiated yet: zero */
	memcpy(&v->u64, fn->mbuf + d->mbuf_off, 8);
	return 0;
}

int ffpf_result_u64(const struct ffpf *f, const char *fname, const char *result, uint64_t *out)
{
	int id = ffpf_fn_lookup(f, fname);
	struct ffpf_value v;

	if (id < 0)
		return fail_const(f, -ENOENT, "no function named", fname);
	for (unsigned j = 0; ffpf_result_desc(f, (unsigned)id, j); j++) {
		if (strcmp(ffpf_result_desc(f, (unsigned)id, j)->name, result))
			continue;
		int rc = ffpf_result(f, (unsigned)id, j, &v);
		if (rc)
			return rc;
		if (v.type != FFPF_V_U64)
			return fail_const(f, -EINVAL, "not an integer result:", result);
		*out = v.u64;
		return 0;
	}
	return fail_const(f, -ENOENT, "no such result:", result);
}

double ffpf_progress(const struct ffpf *f)
{
	double sum = 0;
	unsigned n = 0;
	if (f && f->remote)
		return -1;
	for (unsigned i = 0; f && i < f->nfn; i++) {
		const struct ffpf_fn *fn = f->fn[i];
		if (!(fn->cls->flags & FFPF_CLASS_SOURCE) || !fn->cls->progress || !fn->instantiated)
			continue;
		double p = fn->exhausted ? 1.0 : fn->cls->progress(fn);
		if (p < 0)
			return -1;
		sum += p;
		n++;
	}
	return n ? sum / n : -1;
}

const char *ffpf_emitted_c(const struct ffpf *f)
{
	for (unsigned i = 0; f && i < f->nfn; i++) /* some function had code to emit */
		if (!(f->fn[i]->cls->flags & FFPF_CLASS_SOURCE) && f->fn[i]->cls->emit_c)
			return f->unit_src;
	return NULL;
}

uint64_t ffpf_packets_read(const struct ffpf *f)
{
	if (f && f->remote)
		return ffpf_remote_packets(f);
	return f ? f->packets : 0;
}

void ffpf_engine_stats(const struct ffpf *f, struct ffpf_engine_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!f)
		return;
	st->batches = f->nbatch;
	st->packets = f->packets;
	st->waits = f->waits;
	st->switches = f->switches;
}

/* Results flagged FFPF_R_SUM of one function: from's MBuf words added into f's (each offset
 * once; atomically, as f's MBuf may be a kernel program's map that still counts). */
static void absorb_results(struct ffpf_fn *to, const struct ffpf_fn *from)
{
	const struct ffpf_class *c = to->cls;
	for (unsigned j = 0; j < c->nresults; j++) {
		const struct ffpf_result_desc *r = &c->results[j];
		int seen = 0;
		if (r->type != FFPF_V_U64 || !(r->flags & FFPF_R_SUM) || r->mbuf_off + 8 > to->mbuf_size ||
		    !to->mbuf || !from->mbuf)
			continue;
		for (unsigned k = 0; k < j; k++)
			seen |= (c->results[k].flags & FFPF_R_SUM) && c->results[k].mbuf_off == r->mbuf_off;
		if (seen)
			continue;
		uint64_t v;
		memcpy(&v, from->mbuf + r->mbuf_off, 8);
		__atomic_fetch_add((uint64_t *)(void *)(to->mbuf + r->mbuf_off), v, __ATOMIC_RELAXED);
	}
}

int ffpf_absorb(struct ffpf *f, const struct ffpf *from)
{
	if (!f || !from || f->nfn != from->nfn)
		return -EINVAL;
	for (unsigned i = 0; i < f->nfn; i++)
		if (f->fn[i]->cls != from->fn[i]->cls || strcmp(f->fn[i]->args->canon, from->fn[i]->args->canon))
			return ffpf_fail(f, -EINVAL, "absorb: function %u differs (%s, %s)", i, f->fn[i]->name,
					 from->fn[i]->name);
	for (unsigned i = 0; i < f->nfn; i++) {
		struct ffpf_fn *to = f->fn[i];
		const struct ffpf_fn *x = from->fn[i];
		to->in += x->in;
		to->passed += x->passed;
		for (unsigned r = 0; r < FFPF_DROP_MAX; r++)
			to->drops[r] += x->drops[r];
		absorb_results(to, x);
	}
	f->nbatch += from->nbatch;
	f->packets += from->packets;
	f->up += from->up;
	f->waits += from->waits;
	f->switches += from->switches;
	return 0;
}
