/* cbpf2c.h — translator: a checked classic-BPF program → one C function (paper §VI-B). */
#ifndef FFPF_CODEGEN_CBPF2C_H
#define FFPF_CODEGEN_CBPF2C_H

#include <sys/types.h>
#include <pcap/bpf.h>
#include "util/strbuf.h"

/* Append to out a C function
 *   static inline uint32_t NAME(const uint8_t *restrict P, uint32_t caplen, uint32_t wirelen)
 * returning exactly what ffpf_cbpf_run() returns for the program (a read past caplen returns 0,
 * as does division by a run-time zero).  The program must have passed ffpf_cbpf_check(). */
void ffpf_cbpf_to_c(const struct bpf_insn *prog, unsigned len, const char *name, struct strbuf *out);

/* The same for an eBPF unit (clang -target bpf):
 *   static [inline | noinline] uint32_t NAME(FFPF_PKT_PARAMS, uint32_t caplen, uint32_t wirelen)
 * (inlined unless the program uses the scratch memory M[]),
 * called as NAME(FFPF_PKT_ARGS, caplen, wirelen), reading bytes with the unit's
 * FFPF_LOAD(off, buf, n) (its copy of the packet's first bytes, else a helper call on ctx), so
 * that the verifier never sees a packet pointer.  Same results as ffpf_cbpf_to_c(). */
void ffpf_cbpf_to_ebpf_c(const struct bpf_insn *prog, unsigned len, const char *name, struct strbuf *out);
#endif
