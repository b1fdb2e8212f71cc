/* codegen.c — the checked syntax tree to the interpreter's bytecode (a stack machine, see ast.h):
 * one pass, jumps patched in place, the stack depth tracked so the interpreter's fixed stack
 * can never overflow. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fpl/ast.h"

struct gen {
	struct ffpf_fpl *p;
	unsigned sp;
	int rc;
};

#define NODE(i) (&g->p->node[i])

/* Append an instruction; delta is its effect on the stack depth.  Index, or 0 after an error
 * (the program is then discarded, so the bogus index is harmless). */
static uint32_t emit(struct gen *g, enum fpl_op op, int delta, unsigned a, uint64_t k)
{
	struct ffpf_fpl *p = g->p;
	if (g->rc)
		return 0;
	if (p->ncode == p->capcode) {
		unsigned cap = p->capcode ? 2 * p->capcode : 64;
		struct fpl_insn *v = realloc(p->code, cap * sizeof(*v));
		if (!v)
			return g->rc = -ENOMEM, 0;
		p->code = v;
		p->capcode = cap;
	}
	p->code[p->ncode] = (struct fpl_insn){.op = (uint8_t)op, .a = (uint16_t)a, .k = k};
	g->sp = (unsigned)((int)g->sp + delta);
	if (g->sp > p->maxstack)
		p->maxstack = g->sp;
	return p->ncode++;
}

static void patch(struct gen *g, uint32_t at, uint32_t target)
{
	if (!g->rc)
		g->p->code[at].j = target;
}

static enum fpl_op binop(unsigned tok)
{
	static const enum fpl_op map[] = {
		[T_OR] = OP_OR, [T_XOR] = OP_XOR, [T_AND] = OP_AND, [T_EQ] = OP_EQ, [T_NE] = OP_NE,
		[T_LT] = OP_LT, [T_LE] = OP_LE, [T_GT] = OP_GT, [T_GE] = OP_GE, [T_SHL] = OP_SHL,
		[T_SHR] = OP_SHR, [T_PLUS] = OP_ADD, [T_MINUS] = OP_SUB, [T_STAR] = OP_MUL,
		[T_SLASH] = OP_DIV, [T_PERCENT] = OP_MOD,
		[T_ADDEQ] = OP_ADD, [T_SUBEQ] = OP_SUB, [T_MULEQ] = OP_MUL, [T_DIVEQ] = OP_DIV,
		[T_MODEQ] = OP_MOD, [T_ANDEQ] = OP_AND, [T_OREQ] = OP_OR, [T_XOREQ] = OP_XOR,
		[T_SHLEQ] = OP_SHL, [T_SHREQ] = OP_SHR,
	};
	return map[tok];
}

static void expr(struct gen *g, int32_t i);

/* op with its right operand b: an immediate when b is a constant. */
static void apply(struct gen *g, enum fpl_op op, int32_t b)
{
	if (NODE(b)->kind == N_NUM) {
		uint32_t at = emit(g, op, 0, 0, NODE(b)->k);
		if (!g->rc)
			g->p->code[at].imm = 1;
		return;
	}
	expr(g, b);
	emit(g, op, -1, 0, 0);
}

/* a && b, a || b: the left value decides alone if it can; the result is 0 or 1. */
static void logical(struct gen *g, const struct fpl_node *n)
{
	uint32_t j;
	expr(g, n->a);
	j = emit(g, n->op == T_ANDAND ? OP_JZK : OP_JNZK, -1, 0, 0);
	expr(g, n->b);
	patch(g, j, g->p->ncode);
	emit(g, OP_BOOL, 0, 0, 0);
}

static void hash(struct gen *g, const struct fpl_node *n)
{
	expr(g, n->a);
	expr(g, n->b);
	if (NODE(n->c)->kind == N_NUM) {
		uint32_t at = emit(g, OP_HASH, -1, 0, NODE(n->c)->k);
		if (!g->rc)
			g->p->code[at].imm = 1;
	} else {
		expr(g, n->c);
		emit(g, OP_HASH, -2, 0, 0);
	}
}

static void expr(struct gen *g, int32_t i)
{
	const struct fpl_node *n = NODE(i);
	static const enum fpl_op pkt_op[] = {OP_PKT1, OP_PKT1, OP_PKT2, OP_PKT4, OP_PKT4};
	switch (n->kind) {
	case N_NUM: emit(g, OP_PUSH, 1, 0, n->k); break;
	case N_REG: emit(g, OP_LDR, 1, (unsigned)n->k, 0); break;
	case N_MEM: expr(g, n->a); emit(g, OP_LDM, 0, 0, 0); break;
	case N_PKT: expr(g, n->a); emit(g, pkt_op[n->k], 0, 0, 0); break;
	case N_FIELD: emit(g, OP_FIELD, 1, (unsigned)n->k, 0); break;
	case N_HASH: hash(g, n); break;
	case N_CALL:
		emit(g, OP_CALL, 1, (unsigned)n->k, NODE(n->a)->k | NODE(n->b)->k << 32);
		break;
	case N_UNARY:
		expr(g, n->a);
		emit(g, n->op == T_MINUS ? OP_NEG : n->op == T_TILDE ? OP_NOT : OP_LNOT, 0, 0, 0);
		break;
	default:
		if (n->op == T_ANDAND || n->op == T_OROR) {
			logical(g, n);
		} else {
			expr(g, n->a);
			apply(g, binop(n->op), n->b);
		}
	}
}

/* x = e, x op= e.  The M index is evaluated first, then (compound) the old value, then e. */
static void assign(struct gen *g, const struct fpl_node *n)
{
	const struct fpl_node *lv = NODE(n->a);
	int compound = n->op != T_ASSIGN;

	if (lv->kind == N_REG && (n->op == T_ADDEQ || n->op == T_SUBEQ) && NODE(n->b)->kind == N_NUM) {
		uint64_t k = NODE(n->b)->k;
		emit(g, OP_ADDR, 0, (unsigned)lv->k, n->op == T_ADDEQ ? k : 0 - k); /* R++ in one */
		return;
	}
	if (lv->kind == N_REG) {
		if (compound) {
			emit(g, OP_LDR, 1, (unsigned)lv->k, 0);
			apply(g, binop(n->op), n->b);
		} else {
			expr(g, n->b);
		}
		emit(g, OP_STR, -1, (unsigned)lv->k, 0);
		return;
	}
	expr(g, lv->a);
	if (compound) {
		emit(g, OP_DUP, 1, 0, 0);
		emit(g, OP_LDM, 0, 0, 0);
		apply(g, binop(n->op), n->b);
	} else {
		expr(g, n->b);
	}
	emit(g, OP_STM, -2, 0, 0);
}

static void stmts(struct gen *g, int32_t i, uint32_t *brk);

/* Point every jump of chain (linked through j as index + 1; 0 ends it) at target. */
static void patch_chain(struct gen *g, uint32_t chain, uint32_t target)
{
	while (chain && !g->rc) {
		uint32_t at = chain - 1;
		chain = g->p->code[at].j;
		g->p->code[at].j = target;
	}
}

/* Code that falls through when condition i holds and jumps when it does not; the jumps join
 * chain, returned.  A comparison becomes one compare-and-jump, a && b two conditions: an IF or
 * a loop test costs one dispatch per comparison, not three. */
static uint32_t jump_unless(struct gen *g, int32_t i, uint32_t chain)
{
	static const enum fpl_op jf[] = {OP_JFEQ, OP_JFNE, OP_JFLT, OP_JFLE, OP_JFGT, OP_JFGE};
	const struct fpl_node *n = NODE(i);
	uint32_t at;

	if (n->kind == N_BINARY && n->op == T_ANDAND)
		return jump_unless(g, n->b, jump_unless(g, n->a, chain));
	if (n->kind == N_BINARY && n->op >= T_EQ && n->op <= T_GE) {
		expr(g, n->a);
		if (NODE(n->b)->kind == N_NUM) {
			at = emit(g, jf[n->op - T_EQ], -1, 0, NODE(n->b)->k);
			if (!g->rc)
				g->p->code[at].imm = 1;
		} else {
			expr(g, n->b);
			at = emit(g, jf[n->op - T_EQ], -2, 0, 0);
		}
	} else {
		expr(g, i);
		at = emit(g, OP_JZ, -1, 0, 0);
	}
	patch(g, at, chain);
	return at + 1;
}

static void if_stmt(struct gen *g, const struct fpl_node *n, uint32_t *brk)
{
	uint32_t no = jump_unless(g, n->a, 0), jend;
	stmts(g, n->b, brk);
	if (n->c < 0) {
		patch_chain(g, no, g->p->ncode);
		return;
	}
	jend = emit(g, OP_JMP, 0, 0, 0);
	patch_chain(g, no, g->p->ncode);
	stmts(g, n->c, brk);
	patch(g, jend, g->p->ncode);
}

/* init; top: if (!cond) goto end; body; step; goto top; end:  BREAKs join the exit chain. */
static void for_stmt(struct gen *g, const struct fpl_node *n)
{
	uint32_t top, out;
	assign(g, NODE(n->a));
	top = g->p->ncode;
	out = jump_unless(g, n->b, 0);
	stmts(g, n->d, &out);
	assign(g, NODE(n->c));
	patch(g, emit(g, OP_JMP, 0, 0, 0), top);
	patch_chain(g, out, g->p->ncode);
}

static void stmt(struct gen *g, int32_t i, uint32_t *brk)
{
	const struct fpl_node *n = NODE(i);
	uint32_t at;
	switch (n->kind) {
	case N_ASSIGN: assign(g, n); break;
	case N_IF: if_stmt(g, n, brk); break;
	case N_FOR: for_stmt(g, n); break;
	case N_RETURN: expr(g, n->a); emit(g, OP_RET, -1, 0, 0); break;
	case N_EXPR: expr(g, n->a); emit(g, OP_POP, -1, 0, 0); break;
	case N_BREAK:
		at = emit(g, OP_JMP, 0, 0, 0);
		patch(g, at, *brk);
		*brk = at + 1;
		break;
	default: break; /* N_TX: rejected by the checker */
	}
}

static void stmts(struct gen *g, int32_t i, uint32_t *brk)
{
	for (; i >= 0; i = NODE(i)->next)
		stmt(g, i, brk);
}

int fpl_codegen(struct ffpf_fpl *p, struct ffpf_diag *d)
{
	struct gen g = {.p = p};
	uint32_t none = 0;

	stmts(&g, p->root, &none);
	emit(&g, OP_END, 0, 0, 0);
	if (g.rc) {
		ffpf_diag_set(d, p->origin, NULL, 0, ffpf_loc_at(p->src, p->len, 0), 0, "out of memory");
		return g.rc;
	}
	if (p->maxstack > FPL_STACK) {
		ffpf_diag_set(d, p->origin, p->src, p->len, ffpf_loc_at(p->src, p->len, 0), 1,
			      "expressions too deeply nested (%u stack words, at most %d)", p->maxstack, FPL_STACK);
		return -E2BIG;
	}
	return 0;
}
