/* fpl.c — class `fpl`: a program in FPL, the packet language for experts (docs/fpl.md), run per
 * packet with persistent state in its MBuf; its value is the packet's class (0 drops it).
 *
 * The program is compiled and checked at populate (errors name the element and carry the
 * program's own line:col and caret), EXTERN callees are made at instantiate for the input's
 * link type and kept here, and the datapath runs the bytecode interpreter — or, when the host
 * flowspace is compiled, the C the emitter writes, inlined in the fused unit.  Either way the
 * MBuf holds the program's words, then two counters: packets passed and run-time errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ffpf/ffpf.h>
#include "fpl/fpl.h"

enum { LINKTYPE_ETHERNET = 1 }; /* DLT_EN10MB: callees are checked for it at populate */

static const struct ffpf_param params[] = {
	{"expr", FFPF_P_STR, "", "the FPL program (give expr or file)", NULL, 0, 0},
	{"file", FFPF_P_STR, "", "path of a file holding the FPL program", NULL, 0, 0},
	{"mbuf", FFPF_P_U64, "1024", "MBuf size in 64-bit words, a power of two", NULL, 1, FFPF_FPL_MAX_MBUF},
};

static const char *const table_cols[] = {"index", "value"};

static const struct ffpf_result_desc results[] = {
	{"mbuf", FFPF_V_TABLE, "the MBuf words that are not zero: index, value", 0, 0},
	{"passed", FFPF_V_U64, "packets the program gave a non-zero class", 0, 0},
	{"errors", FFPF_V_U64, "packets dropped by a run-time error (e.g. division by zero)", 0, 0},
};

struct fpl_priv {
	struct ffpf_fpl *prog;
	struct ffpf_fpl_xctx x;          /* link type and callees: X of the emitted code too */
	uint64_t *rows;                  /* the mbuf table's cells, sized at instantiate */
	unsigned words;
};

/* The MBuf: the program's words, then [passed, errors]. */
static uint64_t *words(const struct ffpf_fn *fn)
{
	return (uint64_t *)(void *)ffpf_fn_mbuf(fn);
}

/* Read the program file (bounded: a bigger one is an error, not a truncation). */
static char *load(struct ffpf_fn *fn, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(FFPF_FPL_MAX_SRC + 1) : NULL;

	if (!f)
		return ffpf_fn_error(fn, "cannot open FPL program '%s': %s", path, strerror(errno)), NULL;
	if (buf)
		*len = fread(buf, 1, FFPF_FPL_MAX_SRC + 1, f);
	if (buf && (ferror(f) || *len > FFPF_FPL_MAX_SRC)) {
		ffpf_fn_error(fn, ferror(f) ? "cannot read FPL program '%s'" :
			      "FPL program '%s' is longer than %d bytes", path, FFPF_FPL_MAX_SRC);
		free(buf);
		buf = NULL;
	} else if (!buf) {
		ffpf_fn_error(fn, "out of memory");
	}
	fclose(f);
	return buf;
}

/* The diagnostic as the element's message: the program's own line:col and caret, no final
 * newline (the request-level message adds its own). */
static int diag_error(struct ffpf_fn *fn, const struct ffpf_diag *d, int rc)
{
	size_t n = strlen(d->text);
	ffpf_fn_error(fn, "%.*s", (int)(n && d->text[n - 1] == '\n' ? n - 1 : n), d->text);
	return rc < 0 ? rc : -EINVAL;
}

/* Make every callee for linktype; fill x.  On failure the message points into the program. */
static int make_callees(struct ffpf_fn *fn, struct fpl_priv *fp, int linktype)
{
	struct ffpf_diag d;
	char err[768];

	fp->x.linktype = linktype;
	for (unsigned i = 0; i < ffpf_fpl_ncallees(fp->prog); i++) {
		const char *el = ffpf_fpl_callee_element(fp->prog, i);
		struct ffpf_fn *c = ffpf_fn_make(el, linktype, err, sizeof(err));
		if (!c) {
			ffpf_fpl_callee_diag(fp->prog, i, &d, "EXTERN callee %s: %s", el, err);
			return diag_error(fn, &d, -EINVAL);
		}
		fp->x.callee[i].fn = c;
		fp->x.callee[i].call = ffpf_fn_class(c)->call;
		fp->x.ncallees = i + 1;
	}
	return 0;
}

static void free_callees(struct fpl_priv *fp)
{
	for (unsigned i = 0; i < fp->x.ncallees; i++)
		ffpf_fn_destroy(fp->x.callee[i].fn);
	memset(&fp->x, 0, sizeof(fp->x));
}

static int fpl_init(struct ffpf_fn *fn, const struct ffpf_args *a)
{
	struct fpl_priv *fp = ffpf_fn_priv(fn);
	int has_expr = ffpf_arg_given(a, "expr"), has_file = ffpf_arg_given(a, "file"), rc;
	const char *path = ffpf_arg_str(a, "file");
	struct ffpf_fpl_opts o = {.origin = has_file ? path : "expr", .find_class = ffpf_class_find};
	struct ffpf_diag d;
	size_t len = 0;
	char *src;

	if (has_expr == has_file)
		return ffpf_fn_error(fn, "give the program inline (expr) or in a file (file=...), %s",
				     has_expr ? "not both" : "one of them");
	o.mbuf_words = fp->words = (unsigned)ffpf_arg_u64(a, "mbuf");
	if (fp->words & (fp->words - 1))
		return ffpf_fn_error(fn, "parameter 'mbuf' must be a power of two, not %u", fp->words);
	src = has_file ? load(fn, path, &len) : strdup(ffpf_arg_str(a, "expr"));
	if (!src)
		return has_file ? -EINVAL : -ENOMEM;
	len = has_file ? len : strlen(src);
	rc = ffpf_fpl_compile(src, len, &o, &fp->prog, &d);
	free(src);
	if (rc)
		return diag_error(fn, &d, rc);
	ffpf_fn_set_mbuf(fn, (fp->words + 2) * sizeof(uint64_t));
	/* Callees' parameters are checked now, for Ethernet, so mistakes surface at populate. */
	rc = make_callees(fn, fp, LINKTYPE_ETHERNET);
	free_callees(fp);
	return rc;
}

static int fpl_instantiate(struct ffpf_fn *fn)
{
	struct fpl_priv *fp = ffpf_fn_priv(fn);
	int rc = make_callees(fn, fp, ffpf_fn_linktype(fn));

	if (rc)
		return rc;
	fp->rows = calloc(2 * (size_t)fp->words, sizeof(uint64_t));
	if (!fp->rows)
		return ffpf_fn_error(fn, "out of memory"), -ENOMEM;
	return 0;
}

/* Cost: the interpreter's, a few ns per bytecode instruction; nothing allocated. */
static unsigned fpl_run(struct ffpf_fn *fn, const struct ffpf_batch *b, const struct ffpf_sel *in,
			struct ffpf_sel *out)
{
	const struct fpl_priv *fp = ffpf_fn_priv(fn);
	uint64_t *M = words(fn), errors = 0;
	unsigned k = 0;
	int err;

	for (unsigned i = 0; i < in->n; i++) {
		uint32_t cls = ffpf_fpl_run(fp->prog, &b->pkt[in->idx[i]], M, &fp->x, &err);
		if (err) {
			errors++;
		} else if (cls) {
			out->idx[k] = in->idx[i];
			out->cls[k++] = cls;
		}
	}
	M[fp->words] += k;
	M[fp->words + 1] += errors;
	if (errors)
		ffpf_fn_drop(fn, FFPF_DROP_RUNTIME_ERROR, errors);
	return out->n = k;
}

/* The program as a C function in the fused unit; the runtime goes in once per unit. */
static int fpl_emit(struct ffpf_fn *fn, struct ffpf_emit *e)
{
	struct fpl_priv *fp = ffpf_fn_priv(fn);
	struct strbuf c = {0}, rt = {0};
	char name[48];
	int rc;

	snprintf(name, sizeof(name), "fpl_%s", ffpf_emit_id(e));
	if ((rc = ffpf_fpl_emit_c(fp->prog, name, &c))) {
		sb_free(&c);
		return ffpf_fn_error(fn, "cannot emit C: %s", strerror(-rc)), rc;
	}
	/* Once per unit; its prelude already defines struct ffpf_pkt. */
	sb_puts(&rt, "#define FFPF_HAVE_PKT 1\n");
	sb_puts(&rt, ffpf_fpl_runtime_c());
	if (c.oom || rt.oom)
		rc = -ENOMEM;
	else
		ffpf_emit_once(e, "ffpf-fpl-runtime", rt.s), ffpf_emit_decl(e, "%s", c.s);
	sb_free(&c);
	sb_free(&rt);
	if (rc)
		return ffpf_fn_error(fn, "out of memory"), rc;
	ffpf_emit_body(e, "{ int e_ = 0; uint64_t *const W_ = (uint64_t *)(void *)M; "
		       "out = %s(pkt, W_, (const struct ffpf_fpl_xctx *)X, &e_); "
		       "if (e_) { W_[%u]++; ERR; } if (out) W_[%u]++; }",
		       name, fp->words + 1, fp->words);
	ffpf_emit_set_ctx(e, &fp->x);
	return 0;
}

/* mbuf: the non-zero words, as rows of the table kept since instantiate (no allocation). */
static int fpl_read(const struct ffpf_fn *fn, unsigned idx, struct ffpf_value *v)
{
	const struct fpl_priv *fp = ffpf_fn_priv(fn);
	const uint64_t *M = words(fn);
	size_t n = 0;

	if (idx > 0) {
		v->type = FFPF_V_U64;
		v->u64 = M ? M[fp->words + idx - 1] : 0;
		return 0;
	}
	for (unsigned i = 0; M && fp->rows && i < fp->words; i++)
		if (M[i]) {
			fp->rows[2 * n] = i;
			fp->rows[2 * n++ + 1] = M[i];
		}
	v->type = FFPF_V_TABLE;
	v->table.ncols = 2;
	v->table.cols = table_cols;
	v->table.nrows = n;
	v->table.cells = fp->rows;
	return 0;
}

static void fpl_fini(struct ffpf_fn *fn)
{
	struct fpl_priv *fp = ffpf_fn_priv(fn);
	if (!fp)
		return;
	free_callees(fp);
	ffpf_fpl_free(fp->prog);
	free(fp->rows);
	fp->prog = NULL;
	fp->rows = NULL;
}

const struct ffpf_class ffpf_fnclass_fpl = {
	.name = "fpl",
	.summary = "run a program in FPL, the packet language (docs/fpl.md); its value is the class",
	.params = params,
	.nparams = 3,
	.results = results,
	.nresults = 3,
	.priv_size = sizeof(struct fpl_priv),
	.drop_reason = FFPF_DROP_REJECTED,
	.init = fpl_init,
	.instantiate = fpl_instantiate,
	.run = fpl_run,
	.read = fpl_read,
	.fini = fpl_fini,
	.emit_c = fpl_emit,
};
