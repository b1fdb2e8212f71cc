/* fuzz_cbpf.c — libFuzzer target: checker, interpreter and batch form vs libpcap's bpf_filter. */
#include "filter/cbpf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Input: [n: 1 byte][extra wirelen: 1 byte][n * 8 bytes of struct bpf_insn][packet bytes].
 * The packet is the tail of the fuzzer's own buffer, so any read past caplen is a read past
 * the allocation and ASan reports it.  Programs the checker accepts are run three ways (single,
 * batch, libpcap) and must agree; a disagreement aborts, so the fuzzer finds semantic bugs too.
 * libpcap 1.10 leaves scratch memory uninitialised, so its copy of the program is prefixed with
 * "st M[0..15]" while A is still 0: jumps are relative, so the meaning does not change.
 */

enum { MAX_INSNS = 255 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* run_libpcap: the reference verdict, on a program with zeroed scratch memory. */
static uint32_t run_libpcap(const struct bpf_insn *prog, unsigned n, const uint8_t *pkt,
			    uint32_t wirelen, uint32_t caplen)
{
	struct bpf_insn zeroed[BPF_MEMWORDS + MAX_INSNS];

	for (unsigned i = 0; i < BPF_MEMWORDS; i++)
		zeroed[i] = (struct bpf_insn)BPF_STMT(BPF_ST, i);
	memcpy(zeroed + BPF_MEMWORDS, prog, n * sizeof *prog);
	return bpf_filter(zeroed, pkt, wirelen, caplen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpf_insn prog[MAX_INSNS];
	unsigned n;
	uint32_t caplen, wirelen, ours;
	const uint8_t *pkt;

	if (size < 2 || (size_t)data[0] * sizeof *prog > size - 2)
		return 0;
	n = data[0];
	memcpy(prog, data + 2, n * sizeof *prog); /* the input is not aligned for struct bpf_insn */
	pkt = data + 2 + n * sizeof *prog;
	caplen = (uint32_t)(size - 2 - n * sizeof *prog);
	wirelen = caplen + data[1];
	if (ffpf_cbpf_check(prog, n, NULL, 0) != 0)
		return 0;
	ours = ffpf_cbpf_run(prog, caplen ? pkt : NULL, wirelen, caplen);
	if (ours != run_libpcap(prog, n, caplen ? pkt : NULL, wirelen, caplen))
		abort();
	struct ffpf_cbpf_pkt one = {caplen ? pkt : NULL, caplen, wirelen};
	uint16_t sel = 0, out = 0xffff;
	if (ffpf_cbpf_run_batch(prog, &one, &sel, 1, &out) != (ours != 0) || (ours && out != 0))
		abort();
	return 0;
}
