/* interp.c — FPL's interpreter: one switch-dispatched loop over the bytecode (codegen.c), with a
 * fixed stack on the C stack and the run-time library of rt.h.  No allocation, no checks the
 * compiler already proved (stack depth, register indices, EXTERN ranges, loop bounds); per
 * instruction about 1-3 ns, field reads resolve the headers once per packet. */
#include <ffpf/pkt.h>
#include "fpl/ast.h"

static uint32_t fail(int *err, int code)
{
	*err = code;
	return 0;
}

/* EXTERN: the callee runs on the caller's packet and MBuf words (offsets checked at compile). */
static int call(const struct ffpf_fpl_xctx *x, const struct fpl_insn *in, const struct ffpf_pkt *pkt,
		uint64_t *M, uint64_t *ret)
{
	const struct ffpf_fpl_callee *c = &x->callee[in->a];
	if (in->a >= x->ncallees || !c->call)
		return -1;
	*ret = c->call(c->fn, pkt, M + (uint32_t)in->k, M + (in->k >> 32));
	return 0;
}

/* Binary operator with the right operand from the stack or, when imm, from k. */
#define BINARY(expr) do { b = in->imm ? in->k : *--sp; a = sp[-1]; sp[-1] = (expr); } while (0)
/* Compare the two top operands (or the top one with k) and jump when the comparison fails. */
#define BRANCH_UNLESS(cond) \
	do { b = in->imm ? in->k : *--sp; a = *--sp; if (!(cond)) pc = code + in->j; } while (0)

uint32_t ffpf_fpl_run(const struct ffpf_fpl *p, const struct ffpf_pkt *pkt, uint64_t *M,
		      const struct ffpf_fpl_xctx *x, int *err)
{
	uint64_t R[16] = {0}, st[FPL_STACK], *sp = st, a, b;
	const uint64_t mask = p->mbuf_words - 1;
	const struct fpl_insn *code = p->code, *pc = code, *in;
	struct ffpf_fpl_hdr h;

	h.done = 0;
	*err = FFPF_FPL_OK;
	for (;;) {
		switch ((in = pc++)->op) {
		case OP_PUSH: *sp++ = in->k; break;
		case OP_LDR: *sp++ = R[in->a]; break;
		case OP_STR: R[in->a] = *--sp; break;
		case OP_DUP: sp[0] = sp[-1]; sp++; break;
		case OP_LDM: sp[-1] = M[sp[-1] & mask]; break;
		case OP_STM: sp -= 2; M[sp[0] & mask] = sp[1]; break;
		case OP_PKT1: sp[-1] = ffpf_fpl_b(pkt, sp[-1]); break;
		case OP_PKT2: sp[-1] = ffpf_fpl_w(pkt, sp[-1]); break;
		case OP_PKT4: sp[-1] = ffpf_fpl_dw(pkt, sp[-1]); break;
		case OP_FIELD: *sp++ = ffpf_fpl_field(pkt, x->linktype, &h, in->a); break;
		case OP_HASH:
			if (!(b = in->imm ? in->k : *--sp))
				return fail(err, FFPF_FPL_EHASH);
			sp--;
			sp[-1] = ffpf_fpl_hash(pkt, sp[-1], sp[0], b);
			break;
		case OP_CALL:
			if (call(x, in, pkt, M, sp++))
				return fail(err, FFPF_FPL_ECALL);
			break;
		case OP_POP: sp--; break;
		case OP_ADD: BINARY(a + b); break;
		case OP_SUB: BINARY(a - b); break;
		case OP_MUL: BINARY(a * b); break;
		case OP_DIV:
			if (!(in->imm ? in->k : sp[-1]))
				return fail(err, FFPF_FPL_EDIV);
			BINARY(a / b);
			break;
		case OP_MOD:
			if (!(in->imm ? in->k : sp[-1]))
				return fail(err, FFPF_FPL_EMOD);
			BINARY(a % b);
			break;
		case OP_AND: BINARY(a & b); break;
		case OP_OR: BINARY(a | b); break;
		case OP_XOR: BINARY(a ^ b); break;
		case OP_SHL: BINARY(ffpf_fpl_shl(a, b)); break;
		case OP_SHR: BINARY(ffpf_fpl_shr(a, b)); break;
		case OP_EQ: BINARY(a == b); break;
		case OP_NE: BINARY(a != b); break;
		case OP_LT: BINARY(a < b); break;
		case OP_LE: BINARY(a <= b); break;
		case OP_GT: BINARY(a > b); break;
		case OP_GE: BINARY(a >= b); break;
		case OP_NEG: sp[-1] = 0 - sp[-1]; break;
		case OP_NOT: sp[-1] = ~sp[-1]; break;
		case OP_LNOT: sp[-1] = !sp[-1]; break;
		case OP_BOOL: sp[-1] = sp[-1] != 0; break;
		case OP_JMP: pc = code + in->j; break;
		case OP_JZ: if (!*--sp) pc = code + in->j; break;
		case OP_JZK: if (!sp[-1]) pc = code + in->j; else sp--; break;
		case OP_JNZK: if (sp[-1]) pc = code + in->j; else sp--; break;
		case OP_JFEQ: BRANCH_UNLESS(a == b); break;
		case OP_JFNE: BRANCH_UNLESS(a != b); break;
		case OP_JFLT: BRANCH_UNLESS(a < b); break;
		case OP_JFLE: BRANCH_UNLESS(a <= b); break;
		case OP_JFGT: BRANCH_UNLESS(a > b); break;
		case OP_JFGE: BRANCH_UNLESS(a >= b); break;
		case OP_ADDR: R[in->a] += in->k; break;
		case OP_RET: return (uint32_t)sp[-1];
		default: return 0; /* OP_END: the program ran off its end */
		}
	}
}

const char *ffpf_fpl_strerror(int err)
{
	switch (err) {
	case FFPF_FPL_OK: return "no error";
	case FFPF_FPL_EDIV: return "division by zero";
	case FFPF_FPL_EMOD: return "modulo by zero";
	case FFPF_FPL_EHASH: return "HASH modulo 0";
	case FFPF_FPL_ECALL: return "EXTERN callee not bound";
	default: return "unknown run-time error";
	}
}
