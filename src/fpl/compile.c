/* compile.c — the FPL compiler driver (parse, check, generate bytecode) and the program's
 * accessors; owns the ffpf_fpl object. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fpl/ast.h"

/* The run-time library's text: rt.h verbatim, as a string (test_fpl compares the two). */
static const char rt_text[] =
#ifdef FFPF_FPL_RT_GENERATED
#include "fpl_rt_text.inc"
#else
#include "fpl/rt_text.inc"
#endif
	;

const char *ffpf_fpl_runtime_c(void)
{
	return rt_text;
}

void ffpf_fpl_free(struct ffpf_fpl *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->ncallees; i++) {
		free(p->callee[i].cls);
		free(p->callee[i].params);
		free(p->callee[i].element);
	}
	free(p->node);
	free(p->code);
	free(p->src);
	free(p->origin);
	free(p);
}

static int bad_opts(const struct ffpf_fpl_opts *o, const char *origin, struct ffpf_diag *d)
{
	unsigned w = o->mbuf_words;
	if (w && w <= FFPF_FPL_MAX_MBUF && !(w & (w - 1)))
		return 0;
	ffpf_diag_set(d, origin, NULL, 0, (struct ffpf_loc){1, 1, 0}, 0,
		      "an MBuf of %u words: it must be a power of two from 1 to %u", w, FFPF_FPL_MAX_MBUF);
	return -EINVAL;
}

int ffpf_fpl_compile(const char *src, size_t len, const struct ffpf_fpl_opts *o,
		     struct ffpf_fpl **out, struct ffpf_diag *d)
{
	const char *origin = o->origin ? o->origin : "fpl";
	struct ffpf_fpl *p;
	int rc;

	*out = NULL;
	if (len > FFPF_FPL_MAX_SRC) {
		ffpf_diag_set(d, origin, NULL, 0, (struct ffpf_loc){1, 1, 0}, 0,
			      "program of %zu bytes: at most %d are accepted", len, FFPF_FPL_MAX_SRC);
		return -E2BIG;
	}
	if (bad_opts(o, origin, d))
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->src = malloc(len + 1)) || !(p->origin = strdup(origin))) {
		ffpf_fpl_free(p);
		ffpf_diag_set(d, origin, NULL, 0, (struct ffpf_loc){1, 1, 0}, 0, "out of memory");
		return -ENOMEM;
	}
	memcpy(p->src, src, len);
	p->src[len] = '\0';
	p->len = len;
	p->mbuf_words = o->mbuf_words;
	p->root = -1;
	if ((rc = fpl_parse(p, d)) || (rc = fpl_check(p, o, d)) || (rc = fpl_codegen(p, d))) {
		ffpf_fpl_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

unsigned ffpf_fpl_mbuf_words(const struct ffpf_fpl *p)
{
	return p->mbuf_words;
}

uint64_t ffpf_fpl_work(const struct ffpf_fpl *p)
{
	return p->work;
}

unsigned ffpf_fpl_ncallees(const struct ffpf_fpl *p)
{
	return p->ncallees;
}

const char *ffpf_fpl_callee_element(const struct ffpf_fpl *p, unsigned i)
{
	return i < p->ncallees ? p->callee[i].element : NULL;
}

void ffpf_fpl_callee_diag(const struct ffpf_fpl *p, unsigned i, struct ffpf_diag *d, const char *fmt, ...)
{
	va_list ap;
	struct ffpf_loc at = i < p->ncallees ? p->callee[i].loc : (struct ffpf_loc){1, 1, 0};
	va_start(ap, fmt);
	ffpf_diag_vset(d, p->origin, p->src, p->len, at, i < p->ncallees ? p->callee[i].span : 1, fmt, ap);
	va_end(ap);
}
