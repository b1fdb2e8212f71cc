/* standalone.c — functions outside any flowgraph, made for a call site (FPL's EXTERN, paper
 * §V-A function-call semantics): parsed, bound, initialised and instantiated like graph members,
 * but owned by their caller. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ffpf_int.h"
#include "lang/ast.h"

static struct ffpf_fn *fail(struct ffpf_fn *fn, char *err, size_t n, const char *msg)
{
	snprintf(err, n, "%s", msg);
	ffpf_fn_free(fn);
	return NULL;
}

static int one_element(const struct ffpf_request *r)
{
	return r->nchains == 1 && r->chains[0]->nkids == 1 &&
	       r->chains[0]->kids[0]->kind == FFPF_AST_ELEMENT;
}

struct ffpf_fn *ffpf_fn_make(const char *element, int linktype, char *err, size_t n)
{
	static struct ffpf none; /* owner for the accessors that read options: all defaults */
	struct ffpf_request *r = NULL;
	struct ffpf_diag d;
	struct ffpf_loc bad;
	struct ffpf_fn *fn;
	const struct ffpf_ast *el;
	const struct ffpf_class *c;
	char msg[1200];

	if (ffpf_lang_parse(element, strlen(element), "call", &r, &d))
		return snprintf(err, n, "%s", d.text), NULL;
	if (!one_element(r)) {
		ffpf_request_free(r);
		return snprintf(err, n, "'%s' must be one element, e.g. (bpf,\"udp\")", element), NULL;
	}
	el = r->chains[0]->kids[0];
	c = ffpf_class_find(el->cls);
	fn = calloc(1, sizeof(*fn));
	if (!c || !fn) {
		snprintf(msg, sizeof(msg), c ? "out of memory" : "unknown function class '%s'", el->cls_orig);
		ffpf_request_free(r);
		return fail(fn, err, n, msg);
	}
	fn->cls = c;
	fn->owner = &none;
	fn->linktype = linktype;
	fn->stage = -1;
	fn->snaplen = 262144;
	if (ffpf_args_bind(c, el, &fn->args, msg, sizeof(msg), &bad)) {
		char full[1300];
		snprintf(full, sizeof(full), "%s: %s", el->cls_orig, msg);
		ffpf_request_free(r);
		return fail(fn, err, n, full);
	}
	ffpf_request_free(r);
	fn->name = strdup(c->name);
	if (!fn->name || (c->priv_size && !(fn->priv = calloc(1, c->priv_size))))
		return fail(fn, err, n, "out of memory");
	if ((c->init && c->init(fn, fn->args)) || (fn->mbuf_size && !(fn->mbuf = calloc(1, fn->mbuf_size))) ||
	    (c->instantiate && c->instantiate(fn))) {
		snprintf(msg, sizeof(msg), "%s: %s", c->name, fn->err[0] ? fn->err : "cannot instantiate");
		return fail(fn, err, n, msg);
	}
	fn->instantiated = 1;
	return fn;
}

void ffpf_fn_destroy(struct ffpf_fn *fn)
{
	ffpf_fn_free(fn);
}

const struct ffpf_class *ffpf_fn_class(const struct ffpf_fn *fn)
{
	return fn->cls;
}
