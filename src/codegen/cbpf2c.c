/* cbpf2c.c — translate classic BPF into C: one labelled statement per instruction, jumps as
 * gotos, loads as bounds-checked big-endian reads.  The C compiler then does what BPF+ and
 * DPF did by hand: constant propagation, dead code removal, and — once several filters are
 * inlined into one fused unit — sharing the loads and tests they have in common (the packet
 * pointer is restrict, so loads are not re-done after unrelated stores). */
#include "codegen/cbpf2c.h"
#include <stdint.h>
#include <stdio.h>

/* Bounds-checked loads: k is the offset (may include X); a load past caplen ends with 0. */
/* eBPF units (ebpf) have no packet pointer: bytes come through FFPF_LOAD (the unit's copy of
 * the packet's first bytes, else a helper call). */
static void load(struct strbuf *o, unsigned size, const char *off, int ebpf)
{
	static const char *rd[] = {NULL, "P[o]", "(uint32_t)P[o] << 8 | P[o + 1]", NULL,
				   "(uint32_t)P[o] << 24 | (uint32_t)P[o + 1] << 16 | (uint32_t)P[o + 2] << 8 | P[o + 3]"};
	static const char *rt[] = {NULL, "t[0]", "(uint32_t)t[0] << 8 | t[1]", NULL,
				   "(uint32_t)t[0] << 24 | (uint32_t)t[1] << 16 | (uint32_t)t[2] << 8 | t[3]"};
	if (ebpf)
		sb_printf(o, "{ uint64_t o = %s; uint8_t t[4]; if (o + %u > caplen || FFPF_LOAD(o, t, %u)) return 0; A = %s; }",
			  off, size, size, rt[size]);
	else
		sb_printf(o, "{ uint64_t o = %s; if (o + %u > caplen) return 0; A = %s; }", off, size, rd[size]);
}

static unsigned size_of(unsigned code)
{
	switch (BPF_SIZE(code)) {
	case BPF_W: return 4;
	case BPF_H: return 2;
	default: return 1;
	}
}

static void ld(struct strbuf *o, const struct bpf_insn *in, int ebpf)
{
	char off[64];
	switch (BPF_MODE(in->code)) {
	case BPF_IMM: sb_printf(o, "A = %uu;", in->k); return;
	case BPF_LEN: sb_puts(o, "A = wirelen;"); return;
	case BPF_MEM: sb_printf(o, "A = mem[%u];", in->k); return;
	case BPF_ABS: snprintf(off, sizeof(off), "(uint64_t)%uu", in->k); break;
	default: snprintf(off, sizeof(off), "(uint64_t)X + %uu", in->k); break; /* BPF_IND */
	}
	load(o, size_of(in->code), off, ebpf);
}

static void ldx(struct strbuf *o, const struct bpf_insn *in, int ebpf)
{
	switch (BPF_MODE(in->code)) {
	case BPF_IMM: sb_printf(o, "X = %uu;", in->k); return;
	case BPF_LEN: sb_puts(o, "X = wirelen;"); return;
	case BPF_MEM: sb_printf(o, "X = mem[%u];", in->k); return;
	default: /* BPF_MSH: X = 4 * (P[k] & 0xf) */
		if (ebpf)
			sb_printf(o, "{ uint8_t t[1]; if ((uint64_t)%uu >= caplen || FFPF_LOAD(%uu, t, 1)) return 0; "
				     "X = (uint32_t)(t[0] & 0xf) << 2; }", in->k, in->k);
		else
			sb_printf(o, "{ if ((uint64_t)%uu >= caplen) return 0; X = (uint32_t)(P[%u] & 0xf) << 2; }",
				  in->k, in->k);
	}
}

static void alu(struct strbuf *o, const struct bpf_insn *in)
{
	static const char *ops[] = {[BPF_ADD >> 4] = "+", [BPF_SUB >> 4] = "-", [BPF_MUL >> 4] = "*",
				    [BPF_DIV >> 4] = "/", [BPF_OR >> 4] = "|", [BPF_AND >> 4] = "&",
				    [BPF_LSH >> 4] = "<<", [BPF_RSH >> 4] = ">>", [BPF_MOD >> 4] = "%",
				    [BPF_XOR >> 4] = "^"};
	unsigned op = BPF_OP(in->code);
	char rhs[32];

	if (op == BPF_NEG) {
		sb_puts(o, "A = (uint32_t)-A;");
		return;
	}
	if (BPF_SRC(in->code) == BPF_X)
		snprintf(rhs, sizeof(rhs), "X");
	else
		snprintf(rhs, sizeof(rhs), "%uu", in->k);
	if (op == BPF_DIV || op == BPF_MOD) /* run-time zero ends the filter: no match */
		sb_printf(o, "{ if (!%s) return 0; A = A %s %s; }", rhs, ops[op >> 4], rhs);
	else if (op == BPF_LSH || op == BPF_RSH) /* shifts of 32 or more give 0, as in our engine */
		sb_printf(o, "A = %s < 32 ? A %s %s : 0;", rhs, ops[op >> 4], rhs);
	else
		sb_printf(o, "A = A %s %s;", ops[op >> 4], rhs);
}

static void jmp(struct strbuf *o, const struct bpf_insn *in, unsigned pc, const char *name)
{
	static const char *cmp[] = {[BPF_JEQ >> 4] = "==", [BPF_JGT >> 4] = ">", [BPF_JGE >> 4] = ">="};
	unsigned op = BPF_OP(in->code);
	char rhs[32];

	if (op == BPF_JA) {
		sb_printf(o, "goto %s_%u;", name, pc + 1 + in->k);
		return;
	}
	if (BPF_SRC(in->code) == BPF_X)
		snprintf(rhs, sizeof(rhs), "X");
	else
		snprintf(rhs, sizeof(rhs), "%uu", in->k);
	if (op == BPF_JSET)
		sb_printf(o, "if (A & %s)", rhs);
	else
		sb_printf(o, "if (A %s %s)", cmp[op >> 4], rhs);
	sb_printf(o, " goto %s_%u; else goto %s_%u;", name, pc + 1 + in->jt, name, pc + 1 + in->jf);
}

static void insn(struct strbuf *o, const struct bpf_insn *in, unsigned pc, const char *name, int ebpf)
{
	switch (BPF_CLASS(in->code)) {
	case BPF_LD: ld(o, in, ebpf); break;
	case BPF_LDX: ldx(o, in, ebpf); break;
	case BPF_ST: sb_printf(o, "mem[%u] = A;", in->k); break;
	case BPF_STX: sb_printf(o, "mem[%u] = X;", in->k); break;
	case BPF_ALU: alu(o, in); break;
	case BPF_JMP: jmp(o, in, pc, name); break;
	case BPF_RET:
		if (BPF_RVAL(in->code) == BPF_A)
			sb_puts(o, "return A;");
		else
			sb_printf(o, "return %uu;", in->k);
		break;
	default: /* BPF_MISC */
		sb_puts(o, BPF_MISCOP(in->code) == BPF_TAX ? "X = A;" : "A = X;");
	}
}

static void body(const struct bpf_insn *prog, unsigned len, const char *name, struct strbuf *o, int ebpf)
{
	for (unsigned pc = 0; pc < len; pc++) {
		sb_printf(o, "%s_%u: ", name, pc);
		insn(o, &prog[pc], pc, name, ebpf);
		sb_putc(o, '\n');
	}
	sb_puts(o, "}\n");
}

void ffpf_cbpf_to_c(const struct bpf_insn *prog, unsigned len, const char *name, struct strbuf *o)
{
	sb_printf(o, "static inline uint32_t %s(const uint8_t *restrict P, uint32_t caplen, uint32_t wirelen)\n{\n"
		     "\tuint32_t A = 0, X = 0, mem[16] = {0};\n\t(void)A; (void)X; (void)mem; (void)wirelen;\n",
		  name);
	body(prog, len, name, o, 0);
}

/* Whether the program uses the scratch memory M[] (stores, or loads from it). */
static int uses_mem(const struct bpf_insn *prog, unsigned len)
{
	for (unsigned pc = 0; pc < len; pc++) {
		unsigned cls = BPF_CLASS(prog[pc].code);
		if (cls == BPF_ST || cls == BPF_STX ||
		    ((cls == BPF_LD || cls == BPF_LDX) && BPF_MODE(prog[pc].code) == BPF_MEM))
			return 1;
	}
	return 0;
}

void ffpf_cbpf_to_ebpf_c(const struct bpf_insn *prog, unsigned len, const char *name, struct strbuf *o)
{
	/* A filter without scratch memory is inlined: the compiler can then share the loads and
	 * tests several filters make (most start with the same EtherType and protocol tests).
	 * One with M[] is a function of its own (a BPF-to-BPF call): its 64 bytes of scratch are
	 * on the stack only while it runs, so the program's stack (at most 512 bytes along any
	 * chain of calls, the main frame's 144-byte packet window included) does not grow with
	 * the number of such filters. */
	sb_printf(o, "static %s uint32_t %s(FFPF_PKT_PARAMS, uint32_t caplen, uint32_t wirelen)\n{\n"
		     "\tuint32_t A = 0, X = 0, mem[16] = {0};\n\t(void)A; (void)X; (void)mem; (void)wirelen;\n",
		  uses_mem(prog, len) ? "__attribute__((noinline))" : "inline __attribute__((always_inline))", name);
	body(prog, len, name, o, 1);
}
