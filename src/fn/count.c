/* count.c — class `count`: the number of packets that reach it (MBuf: one u64).
 * Passes every packet on, so counters can sit anywhere in a chain.  Cost: one add per batch. */
#include <ffpf/class.h>

static const struct ffpf_result_desc results[] = {
	{"packets", FFPF_V_U64, "packets counted", 0, FFPF_R_SUM},
};

static int count_init(struct ffpf_fn *fn, const struct ffpf_args *a)
{
	ffpf_fn_set_mbuf(fn, sizeof(uint64_t));
	return 0;
}

static unsigned count_run(struct ffpf_fn *fn, const struct ffpf_batch *b, const struct ffpf_sel *in,
			  struct ffpf_sel *out)
{
	uint64_t *n = (uint64_t *)(void *)ffpf_fn_mbuf(fn);
	*n += in->n;
	return ffpf_sel_pass_all(in, out);
}

/* Called from FPL: out[0] += 1 (a counter kept in the caller's MBuf). */
static uint32_t count_call(struct ffpf_fn *fn, const struct ffpf_pkt *p, const uint64_t *in,
			   uint64_t *out)
{
	out[0]++;
	return 1;
}

/* Native code: one add to the MBuf counter per packet. */
static int count_emit(struct ffpf_fn *fn, struct ffpf_emit *e)
{
	ffpf_emit_body(e, "ffpf_add64(M, 1); out = in;");
	return 0;
}

const struct ffpf_class ffpf_fnclass_count = {
	.name = "count",
	.aliases = (const char *const[]){"pktcount", "packetcount", "pkthcount", NULL},
	.summary = "count the packets that reach it",
	.results = results,
	.nresults = 1,
	.init = count_init,
	.run = count_run,
	.call = count_call,
	.call_out_words = 1,
	.emit_c = count_emit,
	.flags = FFPF_CLASS_EBPF,
};
