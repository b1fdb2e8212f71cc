/* plan.c — `ffpf plan`: the flowgraph as a text tree or as Graphviz dot.
 *
 * The text tree hangs every function under its first input; a function with several inputs is
 * printed in full once, under its first input, and referred to from the others ("see above"),
 * so the DAG reads as a tree without losing an edge.  Shared functions (overlay) say by how many
 * requests they are used. */
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "ffpf_int.h"
#include "kern/offload.h"
#include "util/strbuf.h"
#include "codegen/cc.h"

static void describe(struct strbuf *sb, const struct ffpf_fn *fn)
{
	const struct ffpf_offload *u = ffpf_offload_with(fn->owner, fn->id);
	char why[256];

	sb_printf(sb, "%s  (%s", fn->name, fn->cls->name);
	if (fn->args->canon[0])
		sb_printf(sb, " %s", fn->args->canon);
	sb_puts(sb, ")  [");
	if (fn->cls->flags & FFPF_CLASS_SOURCE)
		sb_printf(sb, "source%s%s", u ? ", read by its " : "", u ? ffpf_offload_form(u) : "");
	else if (fn->level != FFPF_LVL_HOST && u)
		sb_printf(sb, "eBPF, %s", ffpf_offload_form(u));
	else if (fn->instantiated && fn->stage >= 0)
		sb_printf(sb, "compiled, stage %d", fn->stage);
	else if (fn->instantiated)
		sb_printf(sb, "interpreted: %s", fn->why);
	else if (fn->no_compile)
		sb_puts(sb, "interpreted: --no-compile");
	else if (!fn->cls->emit_c)
		sb_puts(sb, "interpreted: class has no C emitter");
	else if (!ffpf_cc_available(why, sizeof(why)))
		sb_printf(sb, "interpreted: %s", why);
	else
		sb_puts(sb, "compiled");
	sb_printf(sb, ", %s", fn->runs[0] ? fn->runs : "host");
	if (fn->placed[0])
		sb_printf(sb, " (placed in %s; %s)", fn->placed, fn->where);
	else if (fn->where[0] && (fn->cls->flags & FFPF_CLASS_SOURCE))
		sb_printf(sb, " (%s)", fn->where);
	if (u && u->target == FFPF_TARGET_SOCKET && fn->no_tc && fn->tc_why[0])
		sb_printf(sb, " (socket filter, not tc: %s)", fn->tc_why);
	if (fn->mbuf_size)
		sb_printf(sb, ", mbuf %zuB", fn->mbuf_size);
	if (fn->ninputs > 1) {
		sb_puts(sb, ", union of");
		for (unsigned k = 0; k < fn->ninputs; k++)
			sb_printf(sb, " %s", fn->owner->fn[fn->inputs[k]]->name);
	}
	if (fn->nrequests > 1)
		sb_printf(sb, ", shared by %u requests", fn->nrequests);
	sb_puts(sb, "]\n");
}

static int has_input(const struct ffpf_fn *fn, unsigned id)
{
	for (unsigned k = 0; k < fn->ninputs; k++)
		if (fn->inputs[k] == id)
			return 1;
	return 0;
}

static void tree(struct strbuf *sb, const struct ffpf *f, unsigned id, unsigned from, char *prefix,
		 size_t plen, int last, unsigned char *shown)
{
	const struct ffpf_fn *fn = f->fn[id];
	unsigned nkids = 0, seen = 0;

	sb_puts(sb, prefix);
	if (from != id)
		sb_puts(sb, last ? "`-- " : "|-- ");
	if (shown[id] || (fn->ninputs > 1 && fn->inputs[0] != from)) {
		sb_printf(sb, "%s  (see %s)\n", fn->name,
			  shown[id] ? "above" : f->fn[fn->inputs[0]]->name);
		return;
	}
	shown[id] = 1;
	describe(sb, fn);
	for (unsigned i = id + 1; i < f->nfn; i++)
		nkids += has_input(f->fn[i], id);
	if (plen + 5 >= 4096)
		return;
	if (from != id)
		strcpy(prefix + plen, last ? "    " : "|   ");
	size_t nlen = strlen(prefix);
	for (unsigned i = id + 1; i < f->nfn; i++)
		if (has_input(f->fn[i], id)) {
			tree(sb, f, i, id, prefix, nlen, ++seen == nkids, shown);
			prefix[nlen] = 0;
		}
}

static void text_plan(struct strbuf *sb, const struct ffpf *f)
{
	unsigned char *shown = calloc(f->nfn ? f->nfn : 1, 1);
	char *prefix = calloc(4096, 1);
	unsigned shared = 0;

	for (unsigned i = 0; i < f->nfn; i++)
		shared += f->fn[i]->nrequests > 1;
	sb_printf(sb, "flowgraph: %u functions from %u request%s, %u shared\n", f->nfn, f->nrequests,
		  f->nrequests == 1 ? "" : "s", shared);
	sb_puts(sb, "each function: [mode, flowspace it runs in]\n");
	int has_dev = 0;
	for (unsigned i = 0; i < f->nfn; i++)
		has_dev |= !strcmp(f->fn[i]->cls->name, "dev");
	for (unsigned i = 0; shown && prefix && i < f->nfn; i++)
		if (!f->fn[i]->ninputs) {
			strcpy(prefix, "  ");
			tree(sb, f, i, i, prefix, 2, 1, shown);
		}
	free(shown);
	free(prefix);
	if (has_dev || f->opts.hierarchy) /* only files: everything is host, nothing to place */
		ffpf_placement(f, sb);
}

static void dot_plan(struct strbuf *sb, const struct ffpf *f)
{
	sb_puts(sb, "digraph ffpf {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n");
	sb_puts(sb, "  subgraph cluster_host {\n    label=\"host\";\n");
	for (unsigned i = 0; i < f->nfn; i++) {
		const struct ffpf_fn *fn = f->fn[i];
		struct strbuf lbl = {0};
		sb_printf(&lbl, "%s\n%s", fn->name, fn->args->canon);
		char *l = sb_take(&lbl);
		sb_printf(sb, "    n%u [label=", i);
		sb_json(sb, l ? l : "");
		sb_printf(sb, "%s];\n", fn->nrequests > 1 ? ", style=bold" : "");
		free(l);
	}
	sb_puts(sb, "  }\n");
	for (unsigned i = 0; i < f->nfn; i++)
		for (unsigned k = 0; k < f->fn[i]->ninputs; k++)
			sb_printf(sb, "  n%u -> n%u;\n", f->fn[i]->inputs[k], i);
	sb_puts(sb, "}\n");
}

char *ffpf_plan(const struct ffpf *f, int dot)
{
	struct strbuf sb = {0};
	if (!f || f->remote)
		return NULL; /* the daemon's graph: `ffpf status` shows it */
	/* Where each function will run: decided now, before instantiate, as instantiate will
	 * (the plan is the handle's; the levels are a cache in it). */
	if (f->state == FFPF_S_POPULATING)
		ffpf_offload_place((struct ffpf *)(uintptr_t)f);
	if (dot)
		dot_plan(&sb, f);
	else
		text_plan(&sb, f);
	return sb_take(&sb);
}
