/* sample.c — class `sample`: passes 1 packet in N.  Deterministic mode passes the first of every
 * N (1st, N+1th, ...); random mode passes each packet with probability 1/N from a seeded
 * xorshift64* generator, so runs are repeatable.  MBuf: u64 seen, u64 passed, u64 rng state. */
#include <ffpf/class.h>
#include <string.h>

static const struct ffpf_param params[] = {
	{"expr", FFPF_P_U64, NULL, "N: pass one packet in N", NULL, 1, 0},
	{"mode", FFPF_P_ENUM, "det", "det: every Nth packet; random: each with probability 1/N",
	 "det|random", 0, 0},
	{"seed", FFPF_P_U64, "1", "seed of the random mode", NULL, 0, 0},
};

static const struct ffpf_result_desc results[] = {
	{"seen", FFPF_V_U64, "packets offered to the sampler", 0, FFPF_R_SUM},
	{"passed", FFPF_V_U64, "packets chosen", 8, FFPF_R_SUM},
};

struct sample_priv {
	uint64_t n;
	int random;
};

static int sample_init(struct ffpf_fn *fn, const struct ffpf_args *a)
{
	struct sample_priv *sp = ffpf_fn_priv(fn);
	sp->n = ffpf_arg_u64(a, "expr");
	sp->random = !strcmp(ffpf_arg_str(a, "mode"), "random");
	ffpf_fn_set_mbuf(fn, 3 * sizeof(uint64_t));
	return 0;
}

static int sample_instantiate(struct ffpf_fn *fn)
{
	uint64_t *m = (uint64_t *)(void *)ffpf_fn_mbuf(fn);
	/* xorshift state must not be zero; mix the seed so nearby seeds differ. */
	m[2] = (ffpf_arg_u64(ffpf_fn_args(fn), "seed") ^ 0x9e3779b97f4a7c15ull) | 1;
	return 0;
}

static inline uint64_t xorshift64s(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static unsigned sample_run(struct ffpf_fn *fn, const struct ffpf_batch *b, const struct ffpf_sel *in,
			   struct ffpf_sel *out)
{
	const struct sample_priv *sp = ffpf_fn_priv(fn);
	uint64_t *m = (uint64_t *)(void *)ffpf_fn_mbuf(fn);
	unsigned k = 0;

	for (unsigned i = 0; i < in->n; i++) {
		int take = sp->random ? xorshift64s(&m[2]) % sp->n == 0 : (m[0] + i) % sp->n == 0;
		if (take) {
			out->idx[k] = in->idx[i];
			out->cls[k++] = in->cls[i];
		}
	}
	m[0] += in->n;
	m[1] += k;
	return out->n = k;
}

/* The same arithmetic as sample_run(), per packet, so both paths choose the same packets. */
static int sample_emit(struct ffpf_fn *fn, struct ffpf_emit *e)
{
	const struct sample_priv *sp = ffpf_fn_priv(fn);
	unsigned long long n = sp->n;

	if (sp->random)
		ffpf_emit_body(e, "uint64_t x = ffpf_ld64(M + 16); x ^= x >> 12; x ^= x << 25; x ^= x >> 27; "
				  "ffpf_st64(M + 16, x); ffpf_add64(M, 1); "
				  "if ((x * 0x2545f4914f6cdd1dull) %% %lluull == 0) { out = in; "
				  "ffpf_add64(M + 8, 1); }", n);
	else
		ffpf_emit_body(e, "uint64_t s = ffpf_fetch_add64(M, 1); "
				  "if (s %% %lluull == 0) { out = in; ffpf_add64(M + 8, 1); }", n);
	return 0;
}

const struct ffpf_class ffpf_fnclass_sample = {
	.name = "sample",
	.aliases = (const char *const[]){"sampler", NULL},
	.summary = "pass one packet in N (deterministic, or random with a seed)",
	.params = params,
	.nparams = 3,
	.results = results,
	.nresults = 2,
	.priv_size = sizeof(struct sample_priv),
	.drop_reason = FFPF_DROP_SAMPLED_OUT,
	.init = sample_init,
	.instantiate = sample_instantiate,
	.run = sample_run,
	.emit_c = sample_emit,
	.flags = FFPF_CLASS_EBPF,
};
