/* parser.c — FPL text to syntax tree: recursive descent for statements, precedence climbing (C's
 * precedence) for expressions, with nesting depth and tree size bounded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fpl/ast.h"

struct parser {
	struct ffpf_fpl *p;
	struct fpl_lexer lx;
	struct ffpf_diag *d;
	unsigned depth, loops;
	int rc; /* first error: -EINVAL, -E2BIG or -ENOMEM */
};

#define TOK (&ps->lx.tok)
#define TOKTEXT (ps->lx.src + ps->lx.tok.loc.off)

/* Binding strength of binary operators T_OROR .. T_PERCENT (C's; higher binds tighter). */
static const uint8_t binop_prec[] = {1, 2, 3, 4, 5, 6, 6, 7, 7, 7, 7, 8, 8, 9, 9, 10, 10, 10};

static int is_binop(enum fpl_tok t)
{
	return t >= T_OROR && t <= T_PERCENT;
}

static int is_assignop(enum fpl_tok t)
{
	return t == T_ASSIGN || (t >= T_ADDEQ && t <= T_SHREQ);
}

static int fail(struct parser *ps, int rc)
{
	if (!ps->rc)
		ps->rc = rc;
	return -1;
}

static int err_vtok(struct parser *ps, int rc, const struct fpl_token *t, const char *hint,
		    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static int err_vtok(struct parser *ps, int rc, const struct fpl_token *t, const char *hint,
		    const char *fmt, va_list ap)
{
	ffpf_diag_vset(ps->d, ps->p->origin, ps->p->src, ps->p->len, t->loc, t->len ? t->len : 1, fmt, ap);
	if (hint)
		ffpf_diag_hint(ps->d, "%s", hint);
	return fail(ps, rc);
}

__attribute__((format(printf, 4, 5)))
static int err_tok(struct parser *ps, const struct fpl_token *t, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vtok(ps, -EINVAL, t, hint, fmt, ap);
	va_end(ap);
	return -1;
}

/* A limit was hit: -E2BIG. */
__attribute__((format(printf, 4, 5)))
static int err_big(struct parser *ps, const struct fpl_token *t, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vtok(ps, -E2BIG, t, hint, fmt, ap);
	va_end(ap);
	return -1;
}

/* "expected WHAT, found <current token>". */
static int expected(struct parser *ps, const char *what, const char *hint)
{
	char found[80];
	fpl_tok_describe(&ps->lx, TOK, found, sizeof(found));
	return err_tok(ps, TOK, hint, "expected %s, found %s", what, found);
}

static int next(struct parser *ps)
{
	int rc = fpl_lex_next(&ps->lx);
	return rc ? fail(ps, rc) : 0;
}

static int is_name(const struct parser *ps, const char *kw)
{
	return TOK->kind == T_NAME && strlen(kw) == TOK->len && memcmp(TOKTEXT, kw, TOK->len) == 0;
}

/* Consume token kind or report "expected what". */
static int want(struct parser *ps, enum fpl_tok kind, const char *what, const char *hint)
{
	if (TOK->kind != kind)
		return expected(ps, what, hint);
	return next(ps);
}

static int want_kw(struct parser *ps, const char *kw, const char *what, const char *hint)
{
	if (!is_name(ps, kw))
		return expected(ps, what, hint);
	return next(ps);
}

static int32_t new_node(struct parser *ps, enum fpl_kind kind, const struct fpl_token *at)
{
	struct ffpf_fpl *p = ps->p;
	struct fpl_node *n;

	if (p->nnodes == FFPF_FPL_MAX_NODES)
		return err_big(ps, at, "split the work over several fpl functions",
			       "program too large: more than %d syntax nodes", FFPF_FPL_MAX_NODES);
	if (p->nnodes == p->capnodes) {
		unsigned cap = p->capnodes ? 2 * p->capnodes : 64;
		struct fpl_node *v = realloc(p->node, cap * sizeof(*v));
		if (!v)
			return fail(ps, -ENOMEM);
		p->node = v;
		p->capnodes = cap;
	}
	n = &p->node[p->nnodes];
	memset(n, 0, sizeof(*n));
	n->kind = (uint8_t)kind;
	n->a = n->b = n->c = n->d = n->next = -1;
	n->loc = at->loc;
	n->span = (uint32_t)(at->len ? at->len : 1);
	return (int32_t)p->nnodes++;
}

static struct fpl_node *N(struct parser *ps, int32_t i)
{
	return &ps->p->node[i];
}

/* Nesting guard: every recursive production passes through here. */
static int enter(struct parser *ps)
{
	if (++ps->depth > FFPF_FPL_MAX_DEPTH)
		return err_big(ps, TOK, "use registers for intermediate values",
			       "nesting deeper than %d levels", FFPF_FPL_MAX_DEPTH);
	return 0;
}

static int32_t expr(struct parser *ps, unsigned minprec);
static int stmts(struct parser *ps, int32_t *head);

/* '[' expr ']' after R, M or PKT.B/W/DW. */
static int32_t index_expr(struct parser *ps, const char *after)
{
	char what[48];
	int32_t e;
	snprintf(what, sizeof(what), "'[' after %s", after);
	if (want(ps, T_LBRACK, what, NULL))
		return -1;
	if ((e = expr(ps, 0)) < 0)
		return -1;
	if (want(ps, T_RBRACK, "']'", NULL))
		return -1;
	return e;
}

/* R[...] or M[...]; the current token is the R or M. */
static int32_t lvalue(struct parser *ps)
{
	int reg = is_name(ps, "R");
	int32_t n = new_node(ps, reg ? N_REG : N_MEM, TOK), e;
	if (n < 0 || next(ps) || (e = index_expr(ps, reg ? "R" : "M")) < 0)
		return -1;
	N(ps, n)->a = e;
	return n;
}

/* PKT.B[off], PKT.W[off], PKT.DW[off] or PKT.FIELD; the current token is PKT. */
static int32_t pkt(struct parser *ps)
{
	struct fpl_token at = *TOK;
	unsigned size = 0;
	int32_t n, e;
	int f;

	if (next(ps) || want(ps, T_DOT, "'.' after PKT", "write PKT.B[offset] or a field, e.g. PKT.IP_PROTO"))
		return -1;
	if (TOK->kind != T_NAME)
		return expected(ps, "B, W, DW or a field name after 'PKT.'", NULL);
	size = is_name(ps, "B") ? 1 : is_name(ps, "W") ? 2 : is_name(ps, "DW") ? 4 : 0;
	if (size) {
		if ((n = new_node(ps, N_PKT, &at)) < 0 || next(ps) || (e = index_expr(ps, "PKT.B, W or DW")) < 0)
			return -1;
		N(ps, n)->k = size;
		N(ps, n)->a = e;
		return n;
	}
	if ((f = fpl_field_lookup(TOKTEXT, TOK->len)) < 0) {
		const char *s = fpl_suggest(TOKTEXT, TOK->len, 1);
		char hint[96];
		snprintf(hint, sizeof(hint), "did you mean PKT.%s?", s ? s : "");
		return err_tok(ps, TOK, s ? hint : "fields are listed in docs/fpl.md",
			       "unknown packet field '%.*s'", (int)TOK->len, TOKTEXT);
	}
	if ((n = new_node(ps, N_FIELD, &at)) < 0)
		return -1;
	N(ps, n)->k = (uint64_t)f;
	return next(ps) ? -1 : n;
}

/* HASH(off, len, n); the current token is HASH. */
static int32_t hash(struct parser *ps)
{
	int32_t n = new_node(ps, N_HASH, TOK), a, b, c;
	if (n < 0 || next(ps) || want(ps, T_LPAREN, "'(' after HASH", "HASH(offset, length, modulus)"))
		return -1;
	if ((a = expr(ps, 0)) < 0 || want(ps, T_COMMA, "',' after HASH's offset", NULL) ||
	    (b = expr(ps, 0)) < 0 || want(ps, T_COMMA, "',' after HASH's length", NULL) ||
	    (c = expr(ps, 0)) < 0 || want(ps, T_RPAREN, "')' after HASH's modulus", NULL))
		return -1;
	N(ps, n)->a = a, N(ps, n)->b = b, N(ps, n)->c = c;
	return n;
}

/* Register callee cls(params) (deduplicated by its element text); its index or -1. */
static int callee(struct parser *ps, const struct fpl_token *at, const char *cls, const char *params)
{
	struct ffpf_fpl *p = ps->p;
	struct strbuf sb = {0};
	struct fpl_callee *c;
	char *el;

	sb_printf(&sb, "(%s", cls);
	if (params) {
		sb_putc(&sb, ',');
		sb_quote(&sb, params);
	}
	sb_putc(&sb, ')');
	if (!(el = sb_take(&sb)))
		return fail(ps, -ENOMEM);
	for (unsigned i = 0; i < p->ncallees; i++)
		if (!strcmp(p->callee[i].element, el))
			return free(el), (int)i;
	if (p->ncallees == FFPF_FPL_MAX_CALLEES) {
		free(el);
		return err_tok(ps, at, NULL, "more than %d different EXTERN callees", FFPF_FPL_MAX_CALLEES);
	}
	c = &p->callee[p->ncallees];
	c->element = el;
	c->cls = strdup(cls);
	c->params = params ? strdup(params) : NULL;
	c->loc = at->loc;
	c->span = at->len;
	if (!c->cls || (params && !c->params))
		return fail(ps, -ENOMEM);
	return (int)p->ncallees++;
}

/* The callee of an EXTERN: a class name, optionally with its parameters as a string. */
static int callee_name(struct parser *ps)
{
	struct fpl_token at = *TOK;
	char cls[64];
	int rc;

	if (TOK->kind != T_NAME)
		return expected(ps, "a function class name", "EXTERN(bpf(\"udp\"), in, out) or EXTERN(count, in, out)");
	snprintf(cls, sizeof(cls), "%.*s", (int)TOK->len, TOKTEXT);
	if (next(ps))
		return -1;
	if (TOK->kind != T_LPAREN)
		return callee(ps, &at, cls, NULL);
	if (next(ps))
		return -1;
	if (TOK->kind != T_STR)
		return expected(ps, "the callee's parameters as a string",
				"e.g. EXTERN(bpf(\"udp dst port 1434\"), 0, 2)");
	if ((rc = callee(ps, &at, cls, TOK->str)) < 0 || next(ps) ||
	    want(ps, T_RPAREN, "')' after the parameters", NULL))
		return -1;
	return rc;
}

/* EXTERN(callee, in, out); the current token is EXTERN. */
static int32_t call(struct parser *ps)
{
	int32_t n = new_node(ps, N_CALL, TOK), a, b;
	int c;
	if (n < 0 || next(ps) || want(ps, T_LPAREN, "'(' after EXTERN", "EXTERN(callee, in, out)"))
		return -1;
	if ((c = callee_name(ps)) < 0 || want(ps, T_COMMA, "',' after the callee", "EXTERN(callee, in, out)") ||
	    (a = expr(ps, 0)) < 0 || want(ps, T_COMMA, "',' after EXTERN's in offset", NULL) ||
	    (b = expr(ps, 0)) < 0 || want(ps, T_RPAREN, "')' after EXTERN's out offset", NULL))
		return -1;
	N(ps, n)->k = (uint64_t)c;
	N(ps, n)->a = a, N(ps, n)->b = b;
	return n;
}

static const char *const statement_kw[] = {"IF", "THEN", "ELSE", "FI", "FOR", "ROF", "BREAK", "RETURN", "TX"};

static int32_t name_primary(struct parser *ps)
{
	uint64_t v;
	int32_t n;
	const char *s;
	char hint[96];

	if (is_name(ps, "R") || is_name(ps, "M"))
		return lvalue(ps);
	if (is_name(ps, "PKT"))
		return pkt(ps);
	if (is_name(ps, "HASH"))
		return hash(ps);
	if (is_name(ps, "EXTERN"))
		return call(ps);
	if (fpl_const_lookup(TOKTEXT, TOK->len, &v)) {
		if ((n = new_node(ps, N_NUM, TOK)) < 0)
			return -1;
		N(ps, n)->k = v;
		return next(ps) ? -1 : n;
	}
	for (size_t i = 0; i < sizeof(statement_kw) / sizeof(statement_kw[0]); i++)
		if (is_name(ps, statement_kw[i]))
			return expected(ps, "an expression", NULL);
	s = fpl_suggest(TOKTEXT, TOK->len, 0);
	if (!s && fpl_field_lookup(TOKTEXT, TOK->len) >= 0)
		snprintf(hint, sizeof(hint), "packet fields are read as PKT.%.*s", (int)TOK->len, TOKTEXT);
	else
		snprintf(hint, sizeof(hint), "did you mean %s?", s ? s : "");
	return err_tok(ps, TOK, s || fpl_field_lookup(TOKTEXT, TOK->len) >= 0 ? hint : NULL,
		       "unknown name '%.*s'", (int)TOK->len, TOKTEXT);
}

static int32_t primary(struct parser *ps)
{
	int32_t n;
	switch (TOK->kind) {
	case T_NUM:
		if ((n = new_node(ps, N_NUM, TOK)) < 0)
			return -1;
		N(ps, n)->k = TOK->num;
		return next(ps) ? -1 : n;
	case T_LPAREN:
		if (next(ps) || (n = expr(ps, 0)) < 0 || want(ps, T_RPAREN, "')'", NULL))
			return -1;
		return n;
	case T_NAME:
		return name_primary(ps);
	default:
		return expected(ps, "an expression", NULL);
	}
}

static int32_t unary(struct parser *ps)
{
	int32_t n, a;
	enum fpl_tok op = TOK->kind;

	if (op != T_MINUS && op != T_TILDE && op != T_NOT && op != T_PLUS)
		return primary(ps);
	if (enter(ps))
		return -1;
	if (op == T_PLUS) { /* unary plus: nothing to do */
		n = next(ps) ? -1 : unary(ps);
	} else if ((n = new_node(ps, N_UNARY, TOK)) >= 0 && !next(ps) && (a = unary(ps)) >= 0) {
		N(ps, n)->op = (uint8_t)op;
		N(ps, n)->a = a;
	} else {
		n = -1;
	}
	ps->depth--;
	return n;
}

/* Precedence climbing: operators of one level associate to the left. */
static int32_t expr(struct parser *ps, unsigned minprec)
{
	int32_t lhs, rhs, n;

	if (enter(ps))
		return -1;
	lhs = unary(ps);
	while (lhs >= 0 && is_binop(TOK->kind) && binop_prec[TOK->kind - T_OROR] >= minprec) {
		enum fpl_tok op = TOK->kind;
		if ((n = new_node(ps, N_BINARY, TOK)) < 0 || next(ps) ||
		    (rhs = expr(ps, binop_prec[op - T_OROR] + 1u)) < 0) {
			lhs = -1;
			break;
		}
		N(ps, n)->op = (uint8_t)op;
		N(ps, n)->a = lhs, N(ps, n)->b = rhs;
		lhs = n;
	}
	if (lhs >= 0 && minprec == 0 && is_assignop(TOK->kind))
		err_tok(ps, TOK, "assignments are statements in FPL", "unexpected '%.*s' inside an expression",
			(int)TOK->len, TOKTEXT), lhs = -1;
	ps->depth--;
	return lhs;
}

/* lvalue op expr, without the ';' (also a FOR's init and step). */
static int32_t assignment(struct parser *ps)
{
	int32_t n, lv, one, e;
	enum fpl_tok op;

	if (is_name(ps, "PKT"))
		return err_tok(ps, TOK, "copy what you need into R[] or M[]", "the packet is read-only");
	if (!is_name(ps, "R") && !is_name(ps, "M"))
		return expected(ps, "R[...] or M[...]", NULL);
	if ((lv = lvalue(ps)) < 0)
		return -1;
	op = TOK->kind;
	if ((n = new_node(ps, N_ASSIGN, TOK)) < 0)
		return -1;
	N(ps, n)->a = lv;
	if (op == T_INC || op == T_DEC) { /* x++ is x += 1 */
		if ((one = new_node(ps, N_NUM, TOK)) < 0)
			return -1;
		N(ps, one)->k = 1;
		N(ps, n)->op = op == T_INC ? T_ADDEQ : T_SUBEQ;
		N(ps, n)->b = one;
		return next(ps) ? -1 : n;
	}
	if (!is_assignop(op))
		return expected(ps, "'=', a compound assignment or '++'/'--'",
				op == T_EQ ? "'==' compares; assignment is '='" : NULL);
	if (next(ps) || (e = expr(ps, 0)) < 0)
		return -1;
	N(ps, n)->op = (uint8_t)op;
	N(ps, n)->b = e;
	return n;
}

/* IF (cond) THEN stmts [ELSE stmts] FI */
static int32_t if_stmt(struct parser *ps)
{
	struct fpl_token at = *TOK;
	int32_t n = new_node(ps, N_IF, TOK), c, then, other = -1;
	if (n < 0 || next(ps) || (c = expr(ps, 0)) < 0)
		return -1;
	if (want_kw(ps, "THEN", "'THEN' after the IF condition", "IF (condition) THEN ... FI") ||
	    stmts(ps, &then))
		return -1;
	if (is_name(ps, "ELSE") && (next(ps) || stmts(ps, &other)))
		return -1;
	N(ps, n)->a = c, N(ps, n)->b = then, N(ps, n)->c = other; /* after: the array may move */
	if (!is_name(ps, "FI")) {
		char hint[80];
		snprintf(hint, sizeof(hint), "the IF at %u:%u needs its FI", at.loc.line, at.loc.col);
		return expected(ps, "'FI'", hint);
	}
	return next(ps) ? -1 : n;
}

/* FOR (R[i] = a; R[i] < b; R[i]++) stmts ROF */
static int32_t for_stmt(struct parser *ps)
{
	struct fpl_token at = *TOK;
	int32_t n = new_node(ps, N_FOR, TOK), init, cond, step = -1, body;
	const char *form = "FOR (R[0] = 0; R[0] < 64; R[0]++) ... ROF";

	if (n < 0 || next(ps) || want(ps, T_LPAREN, "'(' after FOR", form))
		return -1;
	if ((init = assignment(ps)) < 0 || want(ps, T_SEMI, "';' after the loop's start", form))
		return -1;
	if ((cond = expr(ps, 0)) < 0 || want(ps, T_SEMI, "';' after the loop's condition", form))
		return -1;
	if (TOK->kind != T_RPAREN && (step = assignment(ps)) < 0)
		return -1;
	if (want(ps, T_RPAREN, "')' after the loop's step", form))
		return -1;
	ps->loops++;
	if (stmts(ps, &body))
		return -1;
	ps->loops--;
	N(ps, n)->a = init, N(ps, n)->b = cond, N(ps, n)->c = step, N(ps, n)->d = body;
	if (!is_name(ps, "ROF")) {
		char hint[80];
		snprintf(hint, sizeof(hint), "the FOR at %u:%u needs its ROF", at.loc.line, at.loc.col);
		return expected(ps, "'ROF'", hint);
	}
	return next(ps) ? -1 : n;
}

/* A statement keyword that takes an expression: RETURN e; TX(e); EXTERN(...); */
static int32_t simple_stmt(struct parser *ps, enum fpl_kind kind)
{
	int32_t n = new_node(ps, kind, TOK), e;
	if (n < 0)
		return -1;
	if (kind == N_EXPR)
		e = call(ps);
	else
		e = next(ps) ? -1 : expr(ps, 0);
	if (e < 0 || want(ps, T_SEMI, "';'", NULL))
		return -1;
	N(ps, n)->a = e;
	return n;
}

static int32_t break_stmt(struct parser *ps)
{
	int32_t n;
	if (!ps->loops)
		return err_tok(ps, TOK, "BREAK leaves the innermost FOR ... ROF", "BREAK outside a loop");
	if ((n = new_node(ps, N_BREAK, TOK)) < 0 || next(ps) || want(ps, T_SEMI, "';' after BREAK", NULL))
		return -1;
	return n;
}

static int32_t assign_stmt(struct parser *ps)
{
	int32_t n = assignment(ps);
	if (n < 0 || want(ps, T_SEMI, "';' after the assignment", NULL))
		return -1;
	return n;
}

static int32_t not_a_statement(struct parser *ps)
{
	if (TOK->kind == T_NAME) {
		const char *s = fpl_suggest(TOKTEXT, TOK->len, 0);
		char hint[64];
		snprintf(hint, sizeof(hint), "did you mean %s?", s ? s : "");
		return expected(ps, "a statement", s ? hint : "statements are assignments to R[] or M[], "
				"IF, FOR, BREAK, RETURN and EXTERN");
	}
	if (TOK->kind == T_OTHER && (*TOKTEXT == '{' || *TOKTEXT == '}'))
		return expected(ps, "a statement", "FPL has no braces: IF (c) THEN ... FI, FOR (...) ... ROF");
	return expected(ps, "a statement", NULL);
}

static int32_t stmt(struct parser *ps)
{
	int32_t n;
	if (enter(ps))
		return -1;
	if (is_name(ps, "IF"))
		n = if_stmt(ps);
	else if (is_name(ps, "FOR"))
		n = for_stmt(ps);
	else if (is_name(ps, "RETURN"))
		n = simple_stmt(ps, N_RETURN);
	else if (is_name(ps, "TX"))
		n = simple_stmt(ps, N_TX);
	else if (is_name(ps, "EXTERN"))
		n = simple_stmt(ps, N_EXPR);
	else if (is_name(ps, "BREAK"))
		n = break_stmt(ps);
	else if (is_name(ps, "R") || is_name(ps, "M") || is_name(ps, "PKT"))
		n = assign_stmt(ps);
	else
		n = not_a_statement(ps);
	ps->depth--;
	return n;
}

static int list_end(const struct parser *ps)
{
	return TOK->kind == T_EOF || is_name(ps, "FI") || is_name(ps, "ELSE") || is_name(ps, "ROF");
}

/* Statements up to EOF, ELSE, FI or ROF (the caller checks which), linked through next. */
static int stmts(struct parser *ps, int32_t *head)
{
	int32_t last = -1, n;
	*head = -1;
	while (!list_end(ps)) {
		if ((n = stmt(ps)) < 0)
			return -1;
		if (last < 0)
			*head = n;
		else
			N(ps, last)->next = n;
		last = n;
	}
	return 0;
}

int fpl_parse(struct ffpf_fpl *p, struct ffpf_diag *d)
{
	struct parser ps = {.p = p, .d = d};

	fpl_lex_init(&ps.lx, p->src, p->len, p->origin, d);
	if (next(&ps) == 0 && stmts(&ps, &p->root) == 0 && ps.lx.tok.kind != T_EOF) {
		struct parser *pp = &ps;
		const char *what = is_name(pp, "ROF") ? "ROF without FOR" :
				   is_name(pp, "FI") ? "FI without IF" : "ELSE without IF";
		err_tok(pp, &pp->lx.tok, NULL, "%s", what);
	}
	free(ps.lx.tok.str);
	if (ps.rc == -ENOMEM)
		ffpf_diag_set(d, p->origin, NULL, 0, ps.lx.tok.loc, 0, "out of memory");
	return ps.rc;
}
