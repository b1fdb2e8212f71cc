/* cbpf.h — ffpf's own classic BPF engine: a control-plane checker and a datapath interpreter. */
#ifndef FFPF_FILTER_CBPF_H
#define FFPF_FILTER_CBPF_H

#include <stddef.h>
#include <stdint.h>
/* pcap/bpf.h uses u_int/u_short/u_char without including <sys/types.h>, which under -std=c17
   defines them only with _GNU_SOURCE or _DEFAULT_SOURCE (the build passes -D_GNU_SOURCE). */
#include <sys/types.h>
#include <pcap/bpf.h> /* struct bpf_insn, BPF_* opcodes */

/*
 * Check a program once in the control plane, so the datapath can run it without any check
 * per instruction.  Accepted: exactly the opcodes libpcap's bpf_filter() interprets
 * (LD/LDX/ST/STX, ALU, JMP, RET K/A, MISC TAX/TXA); every jump forward and landing inside the
 * program; scratch memory indices < BPF_MEMWORDS; the last instruction a RET.  Rejected
 * besides: division or modulo by constant zero and shifts by a constant >= 32 (both are
 * undefined in C; libpcap's compiler never emits them and the Linux kernel rejects them too).
 * Because jumps only go forward the program always ends, after at most len instructions.
 * Returns 0, or -EINVAL with a message "insn N: ..." in err (err may be NULL or errlen 0).
 */
int ffpf_cbpf_check(const struct bpf_insn *prog, unsigned len, char *err, size_t errlen);

/*
 * Run a program that ffpf_cbpf_check() accepted over one packet and return the accept length
 * (0 = drop), exactly as libpcap's bpf_filter() would: a load reaching past caplen makes the
 * program return 0, so does division or modulo by X == 0; shifts by X >= 32 give 0; BPF_LEN
 * loads wirelen; scratch memory starts zeroed.  Linux ancillary loads (k >= SKF_AD_OFF) are
 * simply out of range, as in libpcap's userland interpreter, so they return 0.
 * Never reads outside pkt[0..caplen) (pkt may be NULL when caplen is 0); no allocation.
 * Running a program the checker did not accept is undefined behaviour.
 */
uint32_t ffpf_cbpf_run(const struct bpf_insn *prog, const uint8_t *pkt, uint32_t wirelen,
		       uint32_t caplen);

/* One packet as the batch form sees it. */
struct ffpf_cbpf_pkt {
	const uint8_t *data;
	uint32_t caplen, wirelen;
};

/*
 * Batch form used by the engine: for i in sel[0..n), run prog on pkts[sel[i]]; write the
 * indices that pass into out, in order, and return their count.  out may be the same array
 * as sel (filtering a selection in place); otherwise the two must not overlap.
 */
unsigned ffpf_cbpf_run_batch(const struct bpf_insn *prog, const struct ffpf_cbpf_pkt *pkts,
			     const uint16_t *sel, unsigned n, uint16_t *out);

#endif
