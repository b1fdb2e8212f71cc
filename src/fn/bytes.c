/* bytes.c — class `bytes`: the sum of the wire lengths of the packets that reach it, and the
 * captured bytes beside it (MBuf: two u64).  Passes every packet on.  Cost: one load+add/packet. */
#include <ffpf/class.h>

static const struct ffpf_result_desc results[] = {
	{"bytes", FFPF_V_U64, "bytes on the wire (sum of wire lengths)", 0, FFPF_R_SUM},
	{"captured", FFPF_V_U64, "bytes captured (sum of capture lengths)", 8, FFPF_R_SUM},
};

static int bytes_init(struct ffpf_fn *fn, const struct ffpf_args *a)
{
	ffpf_fn_set_mbuf(fn, 2 * sizeof(uint64_t));
	return 0;
}

static unsigned bytes_run(struct ffpf_fn *fn, const struct ffpf_batch *b, const struct ffpf_sel *in,
			  struct ffpf_sel *out)
{
	uint64_t *m = (uint64_t *)(void *)ffpf_fn_mbuf(fn);
	uint64_t wire = 0, cap = 0;
	for (unsigned i = 0; i < in->n; i++) {
		wire += b->pkt[in->idx[i]].wirelen;
		cap += b->pkt[in->idx[i]].caplen;
	}
	m[0] += wire;
	m[1] += cap;
	return ffpf_sel_pass_all(in, out);
}

/* Called from FPL: out[0] += wire length, out[1] += captured length (caller's MBuf). */
static uint32_t bytes_call(struct ffpf_fn *fn, const struct ffpf_pkt *p, const uint64_t *in,
			   uint64_t *out)
{
	out[0] += p->wirelen;
	out[1] += p->caplen;
	return 1;
}

static int bytes_emit(struct ffpf_fn *fn, struct ffpf_emit *e)
{
	ffpf_emit_body(e, "ffpf_add64(M, pkt->wirelen); ffpf_add64(M + 8, pkt->caplen); out = in;");
	return 0;
}

const struct ffpf_class ffpf_fnclass_bytes = {
	.name = "bytes",
	.aliases = (const char *const[]){"bytecount", NULL},
	.summary = "sum the wire lengths of the packets that reach it",
	.results = results,
	.nresults = 2,
	.init = bytes_init,
	.run = bytes_run,
	.call = bytes_call,
	.call_out_words = 2,
	.emit_c = bytes_emit,
	.flags = FFPF_CLASS_EBPF,
};
