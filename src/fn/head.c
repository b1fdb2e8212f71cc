/* head.c — class `head`: passes the first N packets that reach it, drops the rest (over_limit).
 * MBuf: one u64, the packets passed so far. */
#include <ffpf/class.h>

static const struct ffpf_param params[] = {
	{"expr", FFPF_P_U64, NULL, "N: how many packets to pass", NULL, 0, 0},
};

static const struct ffpf_result_desc results[] = {
	{"passed", FFPF_V_U64, "packets passed (at most N)", 0, FFPF_R_SUM},
};

static int head_init(struct ffpf_fn *fn, const struct ffpf_args *a)
{
	ffpf_fn_set_mbuf(fn, sizeof(uint64_t));
	return 0;
}

static unsigned head_run(struct ffpf_fn *fn, const struct ffpf_batch *b, const struct ffpf_sel *in,
			 struct ffpf_sel *out)
{
	uint64_t *done = (uint64_t *)(void *)ffpf_fn_mbuf(fn);
	uint64_t limit = ffpf_arg_u64(ffpf_fn_args(fn), "expr");
	uint64_t room = limit > *done ? limit - *done : 0;
	unsigned n = in->n < room ? in->n : (unsigned)room;

	for (unsigned i = 0; i < n; i++) {
		out->idx[i] = in->idx[i];
		out->cls[i] = in->cls[i];
	}
	*done += n;
	return out->n = n;
}

/* The limit becomes a constant of the generated code. */
static int head_emit(struct ffpf_fn *fn, struct ffpf_emit *e)
{
	unsigned long long limit = ffpf_arg_u64(ffpf_fn_args(fn), "expr");
	ffpf_emit_body(e, "if (ffpf_ld64(M) < %lluull && ffpf_fetch_add64(M, 1) < %lluull) out = in;",
		       limit, limit);
	return 0;
}

const struct ffpf_class ffpf_fnclass_head = {
	.name = "head",
	.aliases = (const char *const[]){"first", "limit", NULL},
	.summary = "pass the first N packets, drop the rest",
	.params = params,
	.nparams = 1,
	.results = results,
	.nresults = 1,
	.drop_reason = FFPF_DROP_OVER_LIMIT,
	.init = head_init,
	.run = head_run,
	.emit_c = head_emit,
	.flags = FFPF_CLASS_EBPF,
};
