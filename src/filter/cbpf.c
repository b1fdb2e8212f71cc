/* cbpf.c — classic BPF: a checker that proves a program safe once, and a lean interpreter. */
#include "filter/cbpf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * Every opcode the engine knows, by name and value: the same set libpcap's bpf_filter()
 * interprets.  One list feeds the checker's whitelist, the opcode enum and the dispatch table,
 * so the three cannot drift apart.
 */
#define CBPF_OPS(X)                                                                          \
	X(RET_K, BPF_RET | BPF_K) X(RET_A, BPF_RET | BPF_A)                                  \
	X(LD_W_ABS, BPF_LD | BPF_W | BPF_ABS) X(LD_H_ABS, BPF_LD | BPF_H | BPF_ABS)          \
	X(LD_B_ABS, BPF_LD | BPF_B | BPF_ABS) X(LD_W_IND, BPF_LD | BPF_W | BPF_IND)          \
	X(LD_H_IND, BPF_LD | BPF_H | BPF_IND) X(LD_B_IND, BPF_LD | BPF_B | BPF_IND)          \
	X(LD_LEN, BPF_LD | BPF_W | BPF_LEN) X(LDX_LEN, BPF_LDX | BPF_W | BPF_LEN)            \
	X(LDX_MSH, BPF_LDX | BPF_MSH | BPF_B) X(LD_IMM, BPF_LD | BPF_IMM)                    \
	X(LDX_IMM, BPF_LDX | BPF_IMM) X(LD_MEM, BPF_LD | BPF_MEM)                            \
	X(LDX_MEM, BPF_LDX | BPF_MEM) X(ST, BPF_ST) X(STX, BPF_STX)                          \
	X(JA, BPF_JMP | BPF_JA) X(JGT_K, BPF_JMP | BPF_JGT | BPF_K)                          \
	X(JGE_K, BPF_JMP | BPF_JGE | BPF_K) X(JEQ_K, BPF_JMP | BPF_JEQ | BPF_K)              \
	X(JSET_K, BPF_JMP | BPF_JSET | BPF_K) X(JGT_X, BPF_JMP | BPF_JGT | BPF_X)            \
	X(JGE_X, BPF_JMP | BPF_JGE | BPF_X) X(JEQ_X, BPF_JMP | BPF_JEQ | BPF_X)              \
	X(JSET_X, BPF_JMP | BPF_JSET | BPF_X)                                                \
	X(ADD_K, BPF_ALU | BPF_ADD | BPF_K) X(SUB_K, BPF_ALU | BPF_SUB | BPF_K)              \
	X(MUL_K, BPF_ALU | BPF_MUL | BPF_K) X(DIV_K, BPF_ALU | BPF_DIV | BPF_K)              \
	X(MOD_K, BPF_ALU | BPF_MOD | BPF_K) X(AND_K, BPF_ALU | BPF_AND | BPF_K)              \
	X(OR_K, BPF_ALU | BPF_OR | BPF_K) X(XOR_K, BPF_ALU | BPF_XOR | BPF_K)                \
	X(LSH_K, BPF_ALU | BPF_LSH | BPF_K) X(RSH_K, BPF_ALU | BPF_RSH | BPF_K)              \
	X(ADD_X, BPF_ALU | BPF_ADD | BPF_X) X(SUB_X, BPF_ALU | BPF_SUB | BPF_X)              \
	X(MUL_X, BPF_ALU | BPF_MUL | BPF_X) X(DIV_X, BPF_ALU | BPF_DIV | BPF_X)              \
	X(MOD_X, BPF_ALU | BPF_MOD | BPF_X) X(AND_X, BPF_ALU | BPF_AND | BPF_X)              \
	X(OR_X, BPF_ALU | BPF_OR | BPF_X) X(XOR_X, BPF_ALU | BPF_XOR | BPF_X)                \
	X(LSH_X, BPF_ALU | BPF_LSH | BPF_X) X(RSH_X, BPF_ALU | BPF_RSH | BPF_X)              \
	X(NEG, BPF_ALU | BPF_NEG) X(TAX, BPF_MISC | BPF_TAX) X(TXA, BPF_MISC | BPF_TXA)

#define CBPF_ENUM(name, code) OP_##name = (code),
enum { CBPF_OPS(CBPF_ENUM) };

/* ---------------------------------------------------------------- checker */

/* fail: format "insn N: ..." into err (if there is room) and give -EINVAL. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* known_op: is code one of the opcodes the interpreter dispatches on? */
static int known_op(uint16_t code)
{
#define CBPF_KNOWN(name, c) case (c):
	switch (code) {
		CBPF_OPS(CBPF_KNOWN)
		return 1;
	default:
		return 0;
	}
#undef CBPF_KNOWN
}

/* jump_ok: does a jump by off from insn i land inside the program?  64-bit, so no wrap. */
static int jump_ok(unsigned i, uint32_t off, unsigned len)
{
	return (uint64_t)i + 1 + off < len;
}

/* operand_problem: what is wrong with the operands of a known opcode (NULL: nothing). */
static const char *operand_problem(const struct bpf_insn *in, unsigned i, unsigned len)
{
	switch (in->code) {
	case OP_LD_MEM: case OP_LDX_MEM: case OP_ST: case OP_STX:
		return in->k < BPF_MEMWORDS ? NULL : "scratch memory index out of range";
	case OP_DIV_K: case OP_MOD_K:
		return in->k != 0 ? NULL : "division by constant zero";
	case OP_LSH_K: case OP_RSH_K:
		return in->k < 32 ? NULL : "shift by constant >= 32";
	case OP_JA:
		return jump_ok(i, in->k, len) ? NULL : "jump out of range";
	case OP_JGT_K: case OP_JGE_K: case OP_JEQ_K: case OP_JSET_K:
	case OP_JGT_X: case OP_JGE_X: case OP_JEQ_X: case OP_JSET_X:
		return jump_ok(i, in->jt, len) && jump_ok(i, in->jf, len)
			       ? NULL : "conditional jump out of range";
	default:
		return NULL;
	}
}

int ffpf_cbpf_check(const struct bpf_insn *prog, unsigned len, char *err, size_t errlen)
{
	if (!prog || len == 0)
		return fail(err, errlen, "insn 0: empty program");
	for (unsigned i = 0; i < len; i++) {
		const char *why;

		if (!known_op(prog[i].code))
			return fail(err, errlen, "insn %u: unknown opcode 0x%x", i, prog[i].code);
		why = operand_problem(&prog[i], i, len);
		if (why)
			return fail(err, errlen, "insn %u: %s", i, why);
	}
	/* Jumps only go forward and stay inside, so a final RET means every path ends in one. */
	if (prog[len - 1].code != OP_RET_K && prog[len - 1].code != OP_RET_A)
		return fail(err, errlen, "insn %u: last instruction is not a RET", len - 1);
	return 0;
}

/* ------------------------------------------------------------ interpreter */

/* Big-endian loads from unaligned memory: one mov + bswap on x86, no alignment traps. */
static inline uint32_t load_be32(const uint8_t *p)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint32_t v;
	memcpy(&v, p, sizeof v);
	return __builtin_bswap32(v);
#else
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
#endif
}

static inline uint32_t load_be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

/*
 * Dispatch: computed goto under GNU C (one indirect jump per instruction, each with its own
 * branch-predictor slot, and no range check since the checker vouched for every opcode), a
 * plain switch elsewhere.  FFPF_CBPF_NO_GOTO forces the switch, for comparison.
 * The "+ size > caplen" bounds tests are done in 64 bits: one add and one compare, and
 * X + k cannot wrap around to a small offset.
 */
#if defined(__GNUC__) && !defined(FFPF_CBPF_NO_GOTO)
#define CBPF_GOTO 1
#define CASE(name) L_##name:
#define NEXT() goto *dispatch[(++pc)->code]
#else
#define CASE(name) case OP_##name:
#define NEXT() continue
#endif

#define OUT_OF(off, size) ((uint64_t)(off) + (size) > caplen)

/*
 * A real branch per conditional jump, dispatching from each arm.  Written as
 * "pc += c ? jt : jf" clang turns it into a branch-free select, which chains every later
 * instruction onto the packet load feeding the compare (up to 1.4x slower on port filters).
 * Bare statements, not do { } while (0): in the switch form NEXT() is a "continue", which
 * inside a do-while would leave only that do-while and fall into the next case.
 */
#define JUMP_IF(c)                                                                           \
	if (c) {                                                                             \
		pc += pc->jt;                                                                \
		NEXT();                                                                      \
	}                                                                                    \
	pc += pc->jf;                                                                        \
	NEXT()

uint32_t ffpf_cbpf_run(const struct bpf_insn *prog, const uint8_t *pkt, uint32_t wirelen,
		       uint32_t caplen)
{
	/* Zeroing 64 bytes costs ~1 ns and makes programs that read before writing defined. */
	uint32_t mem[BPF_MEMWORDS] = {0};
	uint32_t A = 0, X = 0;
	const struct bpf_insn *pc = prog;

#ifdef CBPF_GOTO
#define CBPF_LABEL(name, code) [code] = &&L_##name,
	static const void *const dispatch[256] = { CBPF_OPS(CBPF_LABEL) };
#undef CBPF_LABEL
	goto *dispatch[pc->code];
#else
	for (;; ++pc) switch (pc->code) {
#endif
	CASE(RET_K)	return pc->k;
	CASE(RET_A)	return A;
	CASE(LD_W_ABS)	if (OUT_OF(pc->k, 4)) return 0; A = load_be32(pkt + pc->k); NEXT();
	CASE(LD_H_ABS)	if (OUT_OF(pc->k, 2)) return 0; A = load_be16(pkt + pc->k); NEXT();
	CASE(LD_B_ABS)	if (OUT_OF(pc->k, 1)) return 0; A = pkt[pc->k]; NEXT();
	CASE(LD_W_IND)	if (OUT_OF((uint64_t)X + pc->k, 4)) return 0; A = load_be32(pkt + X + pc->k); NEXT();
	CASE(LD_H_IND)	if (OUT_OF((uint64_t)X + pc->k, 2)) return 0; A = load_be16(pkt + X + pc->k); NEXT();
	CASE(LD_B_IND)	if (OUT_OF((uint64_t)X + pc->k, 1)) return 0; A = pkt[X + pc->k]; NEXT();
	CASE(LDX_MSH)	if (OUT_OF(pc->k, 1)) return 0; X = (uint32_t)(pkt[pc->k] & 0xf) << 2; NEXT();
	CASE(LD_LEN)	A = wirelen; NEXT();
	CASE(LDX_LEN)	X = wirelen; NEXT();
	CASE(LD_IMM)	A = pc->k; NEXT();
	CASE(LDX_IMM)	X = pc->k; NEXT();
	CASE(LD_MEM)	A = mem[pc->k]; NEXT();
	CASE(LDX_MEM)	X = mem[pc->k]; NEXT();
	CASE(ST)	mem[pc->k] = A; NEXT();
	CASE(STX)	mem[pc->k] = X; NEXT();
	CASE(JA)	pc += pc->k; NEXT();
	CASE(JGT_K)	JUMP_IF(A > pc->k);
	CASE(JGE_K)	JUMP_IF(A >= pc->k);
	CASE(JEQ_K)	JUMP_IF(A == pc->k);
	CASE(JSET_K)	JUMP_IF(A & pc->k);
	CASE(JGT_X)	JUMP_IF(A > X);
	CASE(JGE_X)	JUMP_IF(A >= X);
	CASE(JEQ_X)	JUMP_IF(A == X);
	CASE(JSET_X)	JUMP_IF(A & X);
	CASE(ADD_K)	A += pc->k; NEXT();
	CASE(SUB_K)	A -= pc->k; NEXT();
	CASE(MUL_K)	A *= pc->k; NEXT();
	CASE(DIV_K)	A /= pc->k; NEXT();
	CASE(MOD_K)	A %= pc->k; NEXT();
	CASE(AND_K)	A &= pc->k; NEXT();
	CASE(OR_K)	A |= pc->k; NEXT();
	CASE(XOR_K)	A ^= pc->k; NEXT();
	CASE(LSH_K)	A <<= pc->k; NEXT();
	CASE(RSH_K)	A >>= pc->k; NEXT();
	CASE(ADD_X)	A += X; NEXT();
	CASE(SUB_X)	A -= X; NEXT();
	CASE(MUL_X)	A *= X; NEXT();
	CASE(DIV_X)	if (X == 0) return 0; A /= X; NEXT();
	CASE(MOD_X)	if (X == 0) return 0; A %= X; NEXT();
	CASE(AND_X)	A &= X; NEXT();
	CASE(OR_X)	A |= X; NEXT();
	CASE(XOR_X)	A ^= X; NEXT();
	CASE(LSH_X)	A = X < 32 ? A << X : 0; NEXT();
	CASE(RSH_X)	A = X < 32 ? A >> X : 0; NEXT();
	CASE(NEG)	A = 0u - A; NEXT();
	CASE(TAX)	X = A; NEXT();
	CASE(TXA)	A = X; NEXT();
#ifndef CBPF_GOTO
	default:	return 0; /* unreachable for checked programs */
	}
#endif
}

unsigned ffpf_cbpf_run_batch(const struct bpf_insn *prog, const struct ffpf_cbpf_pkt *pkts,
			     const uint16_t *sel, unsigned n, uint16_t *out)
{
	unsigned kept = 0;

	/* sel[i] is read before out[kept] is written and kept <= i, so out == sel is safe. */
	for (unsigned i = 0; i < n; i++) {
		uint16_t idx = sel[i];
		const struct ffpf_cbpf_pkt *p = &pkts[idx];

		if (ffpf_cbpf_run(prog, p->data, p->wirelen, p->caplen))
			out[kept++] = idx;
	}
	return kept;
}
