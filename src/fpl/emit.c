/* emit.c — FPL to C: one function per program, structured like the source (if/for/break), with
 * the run-time library of rt.h.  C leaves the order of operands unspecified, FPL does not (an
 * EXTERN may write the MBuf another operand reads; a division by zero stops the program before
 * later operands run), so every operand that comes before an impure one (EXTERN, division or
 * HASH by a variable) is first put in a temporary: the generated code then does exactly what
 * the interpreter does, in the same order. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fpl/ast.h"

struct em {
	const struct ffpf_fpl *p;
	struct strbuf *o;
	unsigned ind, tmp;
	unsigned long long mask;
	int oom;
};

#define NODE(i) (&m->p->node[i])

__attribute__((format(printf, 2, 3)))
static void line(struct em *m, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	for (unsigned i = 0; i < m->ind; i++)
		sb_putc(m->o, '\t');
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		m->oom = 1;
	va_end(ap);
	if (s)
		sb_puts(m->o, s);
	sb_putc(m->o, '\n');
	free(s);
}

/* Replace expression e by a fresh temporary holding its value (evaluated here, now). */
static void hoist(struct em *m, struct strbuf *e)
{
	unsigned t = m->tmp++;
	line(m, "uint64_t t%u = %s;", t, e->s ? e->s : "0");
	e->len = 0;
	sb_printf(e, "t%u", t);
}

/* Whether expression i's value may change before a later operand runs (EXTERN writes M). */
static int needs_hoist(const struct em *m, int32_t i)
{
	return m->p->node[i].kind != N_NUM && m->p->node[i].kind != N_REG;
}

static void error_exit(struct em *m, const char *cond, const char *code)
{
	line(m, "if (%s) { *err = %s; return 0; }", cond, code);
}

/* (a op b) in C, op a binary or compound-assignment token. */
static void combine(struct strbuf *o, unsigned op, const char *a, const char *b)
{
	static const char *const text[] = {
		[T_OR] = "|", [T_XOR] = "^", [T_AND] = "&", [T_EQ] = "==", [T_NE] = "!=",
		[T_LT] = "<", [T_LE] = "<=", [T_GT] = ">", [T_GE] = ">=", [T_PLUS] = "+",
		[T_MINUS] = "-", [T_STAR] = "*", [T_SLASH] = "/", [T_PERCENT] = "%",
		[T_ADDEQ] = "+", [T_SUBEQ] = "-", [T_MULEQ] = "*", [T_DIVEQ] = "/", [T_MODEQ] = "%",
		[T_ANDEQ] = "&", [T_OREQ] = "|", [T_XOREQ] = "^",
	};
	if (op == T_SHL || op == T_SHLEQ || op == T_SHR || op == T_SHREQ)
		sb_printf(o, "ffpf_fpl_sh%c(%s, %s)", op == T_SHL || op == T_SHLEQ ? 'l' : 'r', a, b);
	else if (op >= T_EQ && op <= T_GE)
		sb_printf(o, "(uint64_t)(%s %s %s)", a, text[op], b);
	else
		sb_printf(o, "(%s %s %s)", a, text[op], b);
}

static void expr(struct em *m, int32_t i, struct strbuf *e);

/* The divisor of / or % (or HASH's modulus) b: a constant as is, else in a temporary checked
 * for zero. */
static void divisor(struct em *m, int32_t b, struct strbuf *e, const char *code)
{
	char cond[32];
	expr(m, b, e);
	if (NODE(b)->kind == N_NUM)
		return;
	hoist(m, e);
	snprintf(cond, sizeof(cond), "!%s", e->s);
	error_exit(m, cond, code);
}

static int divides(unsigned op)
{
	return op == T_SLASH || op == T_PERCENT || op == T_DIVEQ || op == T_MODEQ;
}

static const char *div_error(unsigned op)
{
	return op == T_SLASH || op == T_DIVEQ ? "FFPF_FPL_EDIV" : "FFPF_FPL_EMOD";
}

/* a && b, a || b: b runs only if a does not decide. */
static void logical(struct em *m, const struct fpl_node *n, struct strbuf *e)
{
	struct strbuf a = {0}, b = {0};
	unsigned t;

	expr(m, n->a, &a);
	if (!NODE(n->b)->impure) {
		expr(m, n->b, &b);
		sb_printf(e, "(uint64_t)((%s) != 0 %s (%s) != 0)", a.s, n->op == T_ANDAND ? "&&" : "||", b.s);
	} else {
		t = m->tmp++;
		line(m, "uint64_t t%u = (%s) != 0;", t, a.s);
		line(m, "if (%st%u) {", n->op == T_ANDAND ? "" : "!", t);
		m->ind++;
		expr(m, n->b, &b);
		line(m, "t%u = (%s) != 0;", t, b.s);
		m->ind--;
		line(m, "}");
		sb_printf(e, "t%u", t);
	}
	sb_free(&a);
	sb_free(&b);
}

static void binary(struct em *m, const struct fpl_node *n, struct strbuf *e)
{
	struct strbuf a = {0}, b = {0};

	if (n->op == T_ANDAND || n->op == T_OROR) {
		logical(m, n, e);
		return;
	}
	expr(m, n->a, &a);
	if (NODE(n->b)->impure && needs_hoist(m, n->a))
		hoist(m, &a);
	if (divides(n->op))
		divisor(m, n->b, &b, div_error(n->op));
	else
		expr(m, n->b, &b);
	combine(e, n->op, a.s, b.s);
	sb_free(&a);
	sb_free(&b);
}

static void hash(struct em *m, const struct fpl_node *n, struct strbuf *e)
{
	struct strbuf a = {0}, b = {0}, c = {0};

	expr(m, n->a, &a);
	if ((NODE(n->b)->impure || NODE(n->c)->impure) && needs_hoist(m, n->a))
		hoist(m, &a);
	expr(m, n->b, &b);
	if (NODE(n->c)->impure && needs_hoist(m, n->b))
		hoist(m, &b);
	divisor(m, n->c, &c, "FFPF_FPL_EHASH");
	sb_printf(e, "ffpf_fpl_hash(pkt, %s, %s, %s)", a.s, b.s, c.s);
	sb_free(&a);
	sb_free(&b);
	sb_free(&c);
}

/* EXTERN: always a statement of its own, its value in a temporary. */
static void call(struct em *m, const struct fpl_node *n, struct strbuf *e)
{
	unsigned k = (unsigned)n->k, t = m->tmp++;
	char cond[96];

	snprintf(cond, sizeof(cond), "%uu >= x->ncallees || !x->callee[%u].call", k, k);
	error_exit(m, cond, "FFPF_FPL_ECALL");
	line(m, "uint64_t t%u = x->callee[%u].call(x->callee[%u].fn, pkt, M + %llu, M + %llu); /* %s */",
	     t, k, k, (unsigned long long)NODE(n->a)->k, (unsigned long long)NODE(n->b)->k,
	     m->p->callee[k].cls);
	sb_printf(e, "t%u", t);
}

static void unary(struct em *m, const struct fpl_node *n, struct strbuf *e)
{
	struct strbuf a = {0};
	expr(m, n->a, &a);
	if (n->op == T_MINUS)
		sb_printf(e, "((uint64_t)0 - (%s))", a.s);
	else if (n->op == T_TILDE)
		sb_printf(e, "(~(%s))", a.s);
	else
		sb_printf(e, "(uint64_t)!(%s)", a.s);
	sb_free(&a);
}

/* M[index] (masked: one AND) or a bounded packet read at offset. */
static void access(struct em *m, const struct fpl_node *n, struct strbuf *e)
{
	static const char *const pkt_fn[] = {"", "ffpf_fpl_b", "ffpf_fpl_w", "", "ffpf_fpl_dw"};
	struct strbuf a = {0};
	if (n->kind == N_MEM && NODE(n->a)->kind == N_NUM) { /* a constant index, masked now */
		sb_printf(e, "M[%llu]", (unsigned long long)NODE(n->a)->k & m->mask);
		return;
	}
	expr(m, n->a, &a);
	if (n->kind == N_MEM)
		sb_printf(e, "M[(%s) & UINT64_C(%llu)]", a.s, m->mask);
	else
		sb_printf(e, "%s(pkt, %s)", pkt_fn[n->k], a.s);
	sb_free(&a);
}

/* C for expression i into e; statements it needs first go out at the current indentation. */
static void expr(struct em *m, int32_t i, struct strbuf *e)
{
	const struct fpl_node *n = NODE(i);

	switch (n->kind) {
	case N_NUM: sb_printf(e, "UINT64_C(%llu)", (unsigned long long)n->k); break;
	case N_REG: sb_printf(e, "R[%u]", (unsigned)n->k); break;
	case N_MEM: case N_PKT: access(m, n, e); break;
	case N_FIELD:
		sb_printf(e, "ffpf_fpl_field(pkt, x->linktype, &h, %u /* %s */)", (unsigned)n->k,
			  fpl_field_name((unsigned)n->k));
		break;
	case N_HASH: hash(m, n, e); break;
	case N_CALL: call(m, n, e); break;
	case N_UNARY: unary(m, n, e); break;
	default: binary(m, n, e); break;
	}
	if (!e->s)
		sb_puts(e, "");
	m->oom |= e->oom;
}

/* x = e or x op= e: M's index first, then (compound) the old value, then e, as interpreted. */
static void assign(struct em *m, const struct fpl_node *n)
{
	const struct fpl_node *lv = NODE(n->a);
	struct strbuf v = {0}, x = {0}, idx = {0};
	unsigned t = 0;
	int compound = n->op != T_ASSIGN;

	if (lv->kind == N_REG) {
		sb_printf(&x, "R[%u]", (unsigned)lv->k);
	} else {
		access(m, lv, &idx);
		t = m->tmp++;
		line(m, "uint64_t *const p%u = &%s;", t, idx.s);
		if (compound && NODE(n->b)->impure)
			line(m, "const uint64_t o%u = *p%u;", t, t), sb_printf(&x, "o%u", t);
		else
			sb_printf(&x, "*p%u", t);
	}
	if (compound && divides(n->op))
		divisor(m, n->b, &v, div_error(n->op));
	else
		expr(m, n->b, &v);
	if (compound) {
		struct strbuf r = {0};
		combine(&r, n->op, x.s, v.s);
		sb_free(&v);
		v = r;
	}
	if (lv->kind == N_REG)
		line(m, "R[%u] = %s;", (unsigned)lv->k, v.s);
	else
		line(m, "*p%u = %s;", t, v.s);
	m->oom |= v.oom | x.oom | idx.oom;
	sb_free(&v), sb_free(&x), sb_free(&idx);
}

static void stmts(struct em *m, int32_t i);

static void if_stmt(struct em *m, const struct fpl_node *n)
{
	struct strbuf c = {0};
	expr(m, n->a, &c);
	line(m, "if (%s) {", c.s);
	m->ind++;
	stmts(m, n->b);
	m->ind--;
	if (n->c >= 0) {
		line(m, "} else {");
		m->ind++;
		stmts(m, n->c);
		m->ind--;
	}
	line(m, "}");
	sb_free(&c);
}

static void for_stmt(struct em *m, const struct fpl_node *n)
{
	struct strbuf c = {0};
	assign(m, NODE(n->a));
	line(m, "for (;;) {");
	m->ind++;
	expr(m, n->b, &c);
	line(m, "if (!(%s))", c.s);
	line(m, "\tbreak;");
	stmts(m, n->d);
	assign(m, NODE(n->c));
	m->ind--;
	line(m, "}");
	sb_free(&c);
}

static void stmt(struct em *m, const struct fpl_node *n)
{
	struct strbuf e = {0};
	line(m, "/* line %u */", n->loc.line);
	switch (n->kind) {
	case N_ASSIGN: assign(m, n); break;
	case N_IF: if_stmt(m, n); break;
	case N_FOR: for_stmt(m, n); break;
	case N_BREAK: line(m, "break;"); break;
	case N_RETURN:
		expr(m, n->a, &e);
		line(m, "return (uint32_t)(%s);", e.s);
		break;
	case N_EXPR:
		expr(m, n->a, &e);
		line(m, "(void)%s;", e.s);
		break;
	default: break;
	}
	sb_free(&e);
}

static void stmts(struct em *m, int32_t i)
{
	for (; i >= 0; i = NODE(i)->next)
		stmt(m, NODE(i));
}

static int is_ident(const char *s)
{
	if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

int ffpf_fpl_emit_c(const struct ffpf_fpl *p, const char *fname, struct strbuf *out)
{
	struct em m = {.p = p, .o = out, .ind = 1, .mask = p->mbuf_words - 1u};

	if (!is_ident(fname))
		return -EINVAL;
	sb_printf(out, "/* FPL program checked for an MBuf of %u words, at most %llu loop iterations */\n"
		  "static uint32_t %s(const struct ffpf_pkt *pkt, uint64_t *M, "
		  "const struct ffpf_fpl_xctx *x, int *err)\n{\n", p->mbuf_words,
		  (unsigned long long)p->work, fname);
	line(&m, "uint64_t R[16] = {0};");
	line(&m, "struct ffpf_fpl_hdr h;");
	line(&m, "h.done = 0;");
	line(&m, "*err = FFPF_FPL_OK;");
	line(&m, "(void)R, (void)&h, (void)pkt, (void)M, (void)x;");
	stmts(&m, p->root);
	line(&m, "return 0;");
	sb_puts(out, "}\n");
	return m.oom || out->oom ? -ENOMEM : 0;
}
