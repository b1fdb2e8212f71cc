/* bpf.c — class `bpf`: a pcap filter expression, compiled by libpcap (pcap_compile) into classic
 * BPF and run by our own cBPF engine (src/filter/cbpf.c) — never pcap_offline_filter — so that
 * the datapath stays ours to batch and, later, to compile to native code.
 *
 * The expression is checked at populate against Ethernet (syntax errors surface early, naming
 * the element) and compiled for real at instantiate, for the link type of its inputs.
 * Passes matching packets with their input class; the rest are dropped as `rejected`.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <ffpf/class.h>
#include "filter/cbpf.h"
#include "codegen/cbpf2c.h"

#define COMPILE_SNAPLEN 262144

static const struct ffpf_param params[] = {
	{"expr", FFPF_P_STR, NULL, "pcap filter expression, as for tcpdump (pcap-filter(7))", NULL, 0, 0},
	{"optimize", FFPF_P_BOOL, "true", "let libpcap optimise the BPF program", NULL, 0, 0},
};

static const struct ffpf_result_desc results[] = {
	{"matched", FFPF_V_U64, "packets that matched the filter", 0, FFPF_R_SUM},
	{"insns", FFPF_V_U64, "BPF instructions in the compiled program", 8, 0},
};

struct bpf_priv {
	struct bpf_program prog;
	int compiled;
};

/* Compile expr for linktype; on failure fill fn's error with libpcap's reason. */
static int compile(struct ffpf_fn *fn, int linktype, struct bpf_program *prog)
{
	const struct ffpf_args *a = ffpf_fn_args(fn);
	const char *expr = ffpf_arg_str(a, "expr");
	pcap_t *p = pcap_open_dead(linktype, COMPILE_SNAPLEN);
	int rc = 0;

	if (!p)
		return ffpf_fn_error(fn, "libpcap could not open a compile handle"), -ENOMEM;
	if (pcap_compile(p, prog, expr, (int)ffpf_arg_u64(a, "optimize"), PCAP_NETMASK_UNKNOWN)) {
		const char *dlt = pcap_datalink_val_to_name(linktype);
		rc = ffpf_fn_error(fn, "cannot compile \"%s\" for link type %s: %s", expr,
				   dlt ? dlt : "?", pcap_geterr(p));
	}
	pcap_close(p);
	return rc;
}

/* Populate checks the expression before the inputs' link type is known: against Ethernet first
 * (its message is the one shown), then the other common link types, so that an 802.11 or
 * cooked-capture filter is not refused for a trace that has those headers. */
static int bpf_init(struct ffpf_fn *fn, const struct ffpf_args *a)
{
	static const int others[] = {DLT_IEEE802_11_RADIO, DLT_IEEE802_11, DLT_LINUX_SLL, DLT_RAW};
	struct bpf_program prog;
	char first[512];
	int rc = compile(fn, DLT_EN10MB, &prog);

	for (unsigned i = 0; rc && i < sizeof(others) / sizeof(others[0]); i++) {
		if (i == 0)
			snprintf(first, sizeof(first), "%s", ffpf_fn_errmsg(fn));
		rc = compile(fn, others[i], &prog);
		if (rc && i + 1 == sizeof(others) / sizeof(others[0]))
			ffpf_fn_error(fn, "%s", first);
	}
	if (rc)
		return rc;
	pcap_freecode(&prog);
	ffpf_fn_set_mbuf(fn, 2 * sizeof(uint64_t));
	return 0;
}

static int bpf_instantiate(struct ffpf_fn *fn)
{
	struct bpf_priv *bp = ffpf_fn_priv(fn);
	uint64_t *m = (uint64_t *)(void *)ffpf_fn_mbuf(fn);
	char err[256];
	int rc = compile(fn, ffpf_fn_linktype(fn), &bp->prog);

	if (rc)
		return rc;
	bp->compiled = 1;
	if (ffpf_cbpf_check(bp->prog.bf_insns, bp->prog.bf_len, err, sizeof(err)))
		return ffpf_fn_error(fn, "libpcap produced a program our engine rejects: %s", err);
	m[1] = bp->prog.bf_len;
	return 0;
}

/* Cost: the interpreter's, ~10–40 ns per packet for typical expressions; no call per packet
 * into libpcap. */
static unsigned bpf_run(struct ffpf_fn *fn, const struct ffpf_batch *b, const struct ffpf_sel *in,
			struct ffpf_sel *out)
{
	const struct bpf_priv *bp = ffpf_fn_priv(fn);
	const struct bpf_insn *prog = bp->prog.bf_insns;
	uint64_t *m = (uint64_t *)(void *)ffpf_fn_mbuf(fn);
	unsigned k = 0;

	for (unsigned i = 0; i < in->n; i++) {
		const struct ffpf_pkt *p = &b->pkt[in->idx[i]];
		if (ffpf_cbpf_run(prog, p->data, p->wirelen, p->caplen)) {
			out->idx[k] = in->idx[i];
			out->cls[k++] = in->cls[i];
		}
	}
	m[0] += k;
	return out->n = k;
}

/* Called from FPL: out[0] = 1 if the packet matches, else 0. */
static uint32_t bpf_call(struct ffpf_fn *fn, const struct ffpf_pkt *p, const uint64_t *in,
			 uint64_t *out)
{
	const struct bpf_priv *bp = ffpf_fn_priv(fn);
	uint32_t r = ffpf_cbpf_run(bp->prog.bf_insns, p->data, p->wirelen, p->caplen) != 0;
	out[0] = r;
	return r;
}

/* Native code: the BPF program translated to a C function the unit inlines. */
static int bpf_emit(struct ffpf_fn *fn, struct ffpf_emit *e)
{
	const struct bpf_priv *bp = ffpf_fn_priv(fn);
	struct strbuf c = {0};
	char name[64];

	int host = ffpf_emit_target(e) == FFPF_TARGET_HOST;

	snprintf(name, sizeof(name), "bpf_%s", ffpf_emit_id(e));
	if (host)
		ffpf_cbpf_to_c(bp->prog.bf_insns, bp->prog.bf_len, name, &c);
	else
		ffpf_cbpf_to_ebpf_c(bp->prog.bf_insns, bp->prog.bf_len, name, &c);
	if (c.oom)
		return -ENOMEM;
	/* the expression, as a comment that cannot end early */
	char expr[256];
	snprintf(expr, sizeof(expr), "%s", ffpf_arg_str(ffpf_fn_args(fn), "expr"));
	for (char *q = expr; (q = strstr(q, "*/"));)
		q[1] = '_';
	ffpf_emit_decl(e, "/* %s: \"%s\" */\n%s", ffpf_fn_name(fn), expr, c.s);
	sb_free(&c);
	ffpf_emit_body(e, "if (%s(%s, pkt->caplen, pkt->wirelen)) { out = in; ffpf_add64(M, 1); }",
		       name, host ? "D" : "FFPF_PKT_ARGS");
	return 0;
}

static void bpf_fini(struct ffpf_fn *fn)
{
	struct bpf_priv *bp = ffpf_fn_priv(fn);
	if (bp && bp->compiled)
		pcap_freecode(&bp->prog);
}

const struct ffpf_class ffpf_fnclass_bpf = {
	.name = "bpf",
	.aliases = (const char *const[]){"filter", NULL},
	.summary = "pass the packets that match a pcap filter expression (tcpdump syntax)",
	.params = params,
	.nparams = 2,
	.results = results,
	.nresults = 2,
	.priv_size = sizeof(struct bpf_priv),
	.drop_reason = FFPF_DROP_REJECTED,
	.init = bpf_init,
	.instantiate = bpf_instantiate,
	.run = bpf_run,
	.fini = bpf_fini,
	.call = bpf_call,
	.emit_c = bpf_emit,
	.flags = FFPF_CLASS_EBPF,
	.call_out_words = 1,
};
