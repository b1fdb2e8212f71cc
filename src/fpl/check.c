/* check.c — FPL's static checks: register indices, provably bounded loops and a cap on the work per
 * packet, constant division by zero, EXTERN callees and their MBuf ranges, TX; folds constants
 * on the way (the interpreter and the C emitter both see the folded tree). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fpl/ast.h"

struct checker {
	struct ffpf_fpl *p;
	const struct ffpf_fpl_opts *o;
	struct ffpf_diag *d;
	int32_t loop[FFPF_FPL_MAX_DEPTH]; /* enclosing FOR nodes, whose counters are locked */
	unsigned nloops;
	uint64_t outer;                   /* iterations of the enclosing loops, multiplied */
	const struct ffpf_class *cls[FFPF_FPL_MAX_CALLEES];
};

#define NODE(i) (&c->p->node[i])

static const char *const loop_form = "a loop is FOR (R[i] = start; R[i] < end; R[i]++) or with "
				     "<= and += step, constants, R[i] untouched in the body";

__attribute__((format(printf, 4, 5)))
static int err_at(struct checker *c, int32_t i, const char *hint, const char *fmt, ...)
{
	const struct fpl_node *n = NODE(i);
	va_list ap;
	va_start(ap, fmt);
	ffpf_diag_vset(c->d, c->p->origin, c->p->src, c->p->len, n->loc, n->span, fmt, ap);
	va_end(ap);
	if (hint)
		ffpf_diag_hint(c->d, "%s", hint);
	return -EINVAL;
}

/* The value of op applied to constants: exactly what the interpreter computes (b != 0 for / %). */
static uint64_t fold_binary(unsigned op, uint64_t a, uint64_t b)
{
	switch (op) {
	case T_OROR: return a || b;
	case T_ANDAND: return a && b;
	case T_OR: return a | b;
	case T_XOR: return a ^ b;
	case T_AND: return a & b;
	case T_EQ: return a == b;
	case T_NE: return a != b;
	case T_LT: return a < b;
	case T_LE: return a <= b;
	case T_GT: return a > b;
	case T_GE: return a >= b;
	case T_SHL: return ffpf_fpl_shl(a, b);
	case T_SHR: return ffpf_fpl_shr(a, b);
	case T_PLUS: return a + b;
	case T_MINUS: return a - b;
	case T_STAR: return a * b;
	case T_SLASH: return a / b;
	default: return a % b;
	}
}

static uint64_t fold_unary(unsigned op, uint64_t a)
{
	return op == T_MINUS ? 0 - a : op == T_TILDE ? ~a : !a;
}

static void make_num(struct checker *c, int32_t i, uint64_t v)
{
	struct fpl_node *n = NODE(i);
	n->kind = N_NUM;
	n->k = v;
	n->a = n->b = n->c = n->d = -1;
	n->impure = 0;
}

static int is_num(const struct checker *c, int32_t i, uint64_t v)
{
	return c->p->node[i].kind == N_NUM && c->p->node[i].k == v;
}

static int expr(struct checker *c, int32_t i);

/* R[index]: the index must fold to a constant 0..15; k gets it. */
static int reg(struct checker *c, int32_t i)
{
	int32_t x = NODE(i)->a;
	if (expr(c, x))
		return -EINVAL;
	if (NODE(x)->kind != N_NUM)
		return err_at(c, x, "registers are named by constants: R[0] .. R[15]",
			      "register index is not a constant");
	if (NODE(x)->k > 15)
		return err_at(c, x, "there are 16 registers, R[0] .. R[15]", "register R[%llu] does not exist",
			      (unsigned long long)NODE(x)->k);
	NODE(i)->k = NODE(x)->k;
	return 0;
}

/* Class of callee k, looked up once; the callee must have a call op. */
static int resolve(struct checker *c, unsigned k)
{
	struct fpl_callee *ce = &c->p->callee[k];
	const struct ffpf_class *cls;

	if (c->cls[k])
		return 0;
	cls = c->o->find_class ? c->o->find_class(ce->cls) : NULL;
	if (!cls || !cls->call) {
		ffpf_diag_set(c->d, c->p->origin, c->p->src, c->p->len, ce->loc, ce->span,
			      cls ? "function class '%s' cannot be called from FPL: it has no call operation"
				  : "unknown function class '%s'", ce->cls);
		ffpf_diag_hint(c->d, "EXTERN calls a class with a call operation, e.g. bpf, count or bytes");
		return -EINVAL;
	}
	c->cls[k] = cls;
	ce->in_words = cls->call_in_words;
	ce->out_words = cls->call_out_words;
	return 0;
}

/* One of EXTERN's offsets: a constant, with words words from it inside the MBuf. */
static int call_range(struct checker *c, int32_t x, unsigned words, const char *cls, const char *dir)
{
	unsigned mw = c->p->mbuf_words;
	char hint[96];

	if (expr(c, x))
		return -EINVAL;
	if (NODE(x)->kind != N_NUM)
		return err_at(c, x, "the offsets are checked against the callee at compile time",
			      "EXTERN's %s offset is not a constant", dir);
	snprintf(hint, sizeof(hint), "the MBuf has %u words (the fpl class's mbuf parameter)", mw);
	if (NODE(x)->k >= mw || mw - NODE(x)->k < words)
		return err_at(c, x, hint, "%s %s %u word%s at M[%llu], past the end of the MBuf", cls,
			      dir[0] == 'i' ? "reads" : "writes", words, words == 1 ? "" : "s",
			      (unsigned long long)NODE(x)->k);
	return 0;
}

static int call(struct checker *c, int32_t i)
{
	unsigned k = (unsigned)NODE(i)->k;
	const struct fpl_callee *ce = &c->p->callee[k];

	if (resolve(c, k) || call_range(c, NODE(i)->a, ce->in_words, ce->cls, "in") ||
	    call_range(c, NODE(i)->b, ce->out_words, ce->cls, "out"))
		return -EINVAL;
	NODE(i)->impure = 1;
	return 0;
}

static int hash(struct checker *c, int32_t i)
{
	struct fpl_node *n;
	if (expr(c, NODE(i)->a) || expr(c, NODE(i)->b) || expr(c, NODE(i)->c))
		return -EINVAL;
	n = NODE(i);
	if (is_num(c, n->c, 0))
		return err_at(c, n->c, "HASH(offset, length, n) gives a value in [0, n)", "HASH modulo 0");
	n->impure = NODE(n->a)->impure | NODE(n->b)->impure | NODE(n->c)->impure | (NODE(n->c)->kind != N_NUM);
	return 0;
}

static int binary(struct checker *c, int32_t i)
{
	struct fpl_node *n;
	int divides;

	if (expr(c, NODE(i)->a) || expr(c, NODE(i)->b))
		return -EINVAL;
	n = NODE(i);
	divides = n->op == T_SLASH || n->op == T_PERCENT;
	if (divides && is_num(c, n->b, 0))
		return err_at(c, i, NULL, "%s by zero", n->op == T_SLASH ? "division" : "modulo");
	if (NODE(n->a)->kind == N_NUM && NODE(n->b)->kind == N_NUM) {
		make_num(c, i, fold_binary(n->op, NODE(n->a)->k, NODE(n->b)->k));
		return 0;
	}
	n->impure = NODE(n->a)->impure | NODE(n->b)->impure | (divides && NODE(n->b)->kind != N_NUM);
	return 0;
}

/* Check expression i, fold its constant parts, and set impure. */
static int expr(struct checker *c, int32_t i)
{
	struct fpl_node *n = NODE(i);
	switch (n->kind) {
	case N_NUM: case N_FIELD:
		return 0;
	case N_REG:
		return reg(c, i);
	case N_MEM: case N_PKT:
		if (expr(c, n->a))
			return -EINVAL;
		NODE(i)->impure = NODE(NODE(i)->a)->impure;
		return 0;
	case N_HASH:
		return hash(c, i);
	case N_CALL:
		return call(c, i);
	case N_UNARY:
		if (expr(c, n->a))
			return -EINVAL;
		if (NODE(NODE(i)->a)->kind == N_NUM)
			make_num(c, i, fold_unary(NODE(i)->op, NODE(NODE(i)->a)->k));
		else
			NODE(i)->impure = NODE(NODE(i)->a)->impure;
		return 0;
	default:
		return binary(c, i);
	}
}

static int stmts(struct checker *c, int32_t i);

/* The FOR loop locking register r, if any. */
static int32_t locker(const struct checker *c, uint64_t r)
{
	for (unsigned k = 0; k < c->nloops; k++) {
		int32_t counter = c->p->node[c->p->node[c->loop[k]].a].a;
		if (c->p->node[counter].k == r)
			return c->loop[k];
	}
	return -1;
}

static int assign(struct checker *c, int32_t i)
{
	int32_t lv = NODE(i)->a, f;
	char hint[96];

	if (NODE(lv)->kind == N_REG) {
		if (reg(c, lv))
			return -EINVAL;
		if ((f = locker(c, NODE(lv)->k)) >= 0) {
			snprintf(hint, sizeof(hint), "it is the counter of the FOR loop at %u:%u; use another register",
				 NODE(f)->loc.line, NODE(f)->loc.col);
			return err_at(c, lv, hint, "R[%llu] cannot be assigned inside its loop",
				      (unsigned long long)NODE(lv)->k);
		}
	} else if (expr(c, lv)) {
		return -EINVAL;
	}
	if (expr(c, NODE(i)->b))
		return -EINVAL;
	if ((NODE(i)->op == T_DIVEQ || NODE(i)->op == T_MODEQ) && is_num(c, NODE(i)->b, 0))
		return err_at(c, i, NULL, "%s by zero", NODE(i)->op == T_DIVEQ ? "division" : "modulo");
	return 0;
}

/* Iterations of FOR (R = start; R < end (or <=); R += step), or an error if they cannot be
 * bounded or the counter could wrap around (that would loop forever). */
static int trips(struct checker *c, int32_t f, uint64_t start, unsigned op, uint64_t end,
		 uint64_t step, uint64_t *n)
{
	uint64_t span, last;
	if (op == T_LT ? start >= end : start > end)
		return *n = 0, 0;
	span = end - start - (op == T_LT);
	if (span / step >= FFPF_FPL_MAX_WORK)
		return err_at(c, f, "at most 65536 per loop, enclosing loops multiplied",
			      "loop runs more than %d times", FFPF_FPL_MAX_WORK);
	*n = span / step + 1;
	last = start + (*n - 1) * step;
	if (step > UINT64_MAX - last)
		return err_at(c, f, "keep end + step below 2^64", "the loop counter would wrap around");
	return 0;
}

/* The loop rule (docs/fpl.md): constant start, R < or <= a constant, constant positive step. */
static int loop_header(struct checker *c, int32_t f, uint64_t *n)
{
	int32_t init = NODE(f)->a, cond = NODE(f)->b, step = NODE(f)->c, lv = NODE(init)->a;
	uint64_t r;

	if (NODE(lv)->kind != N_REG)
		return err_at(c, lv, loop_form, "a loop counts in a register, not in M[]");
	if (assign(c, init))
		return -EINVAL;
	r = NODE(lv)->k;
	if (NODE(init)->op != T_ASSIGN || NODE(NODE(init)->b)->kind != N_NUM)
		return err_at(c, NODE(init)->b, loop_form, "the loop's start is not a constant");
	if (expr(c, cond))
		return -EINVAL;
	if (NODE(cond)->kind != N_BINARY || (NODE(cond)->op != T_LT && NODE(cond)->op != T_LE) ||
	    NODE(NODE(cond)->a)->kind != N_REG || NODE(NODE(cond)->a)->k != r ||
	    NODE(NODE(cond)->b)->kind != N_NUM)
		return err_at(c, cond, loop_form, "the loop's condition is not R[%llu] < constant or "
			      "R[%llu] <= constant", (unsigned long long)r, (unsigned long long)r);
	if (step < 0)
		return err_at(c, f, loop_form, "the loop has no step");
	if (assign(c, step))
		return -EINVAL;
	if (NODE(NODE(step)->a)->kind != N_REG || NODE(NODE(step)->a)->k != r ||
	    NODE(step)->op != T_ADDEQ || NODE(NODE(step)->b)->kind != N_NUM || !NODE(NODE(step)->b)->k)
		return err_at(c, step, loop_form, "the loop's step is not R[%llu]++ or R[%llu] += constant > 0",
			      (unsigned long long)r, (unsigned long long)r);
	return trips(c, f, NODE(NODE(init)->b)->k, NODE(cond)->op, NODE(NODE(cond)->b)->k,
		     NODE(NODE(step)->b)->k, n);
}

static int loop(struct checker *c, int32_t f)
{
	uint64_t n = 0, saved = c->outer;
	int rc;

	if (loop_header(c, f, &n))
		return -EINVAL;
	c->outer *= n; /* both <= 65536: no overflow */
	if (c->outer > FFPF_FPL_MAX_WORK)
		return err_at(c, f, "at most 65536 per loop, enclosing loops multiplied",
			      "loop runs %llu times per packet with its enclosing loops",
			      (unsigned long long)c->outer);
	c->p->work += c->outer;
	if (c->p->work > FFPF_FPL_MAX_TOTAL)
		return err_at(c, f, "at most 262144 over all loops of a program",
			      "the program's loops run up to %llu times per packet",
			      (unsigned long long)c->p->work);
	c->loop[c->nloops++] = f;
	rc = stmts(c, NODE(f)->d);
	c->nloops--;
	c->outer = saved;
	return rc;
}

static int stmt(struct checker *c, int32_t i)
{
	switch (NODE(i)->kind) {
	case N_ASSIGN:
		return assign(c, i);
	case N_IF:
		return expr(c, NODE(i)->a) || stmts(c, NODE(i)->b) || stmts(c, NODE(i)->c) ? -EINVAL : 0;
	case N_FOR:
		return loop(c, i);
	case N_RETURN: case N_EXPR:
		return expr(c, NODE(i)->a);
	case N_TX:
		return err_at(c, i, "pass the packet on with RETURN(class) and send it with a later function",
			      "TX is not available: the host flowspace has no output ports");
	default: /* N_BREAK: the parser placed it inside a loop */
		return 0;
	}
}

static int stmts(struct checker *c, int32_t i)
{
	for (; i >= 0; i = NODE(i)->next)
		if (stmt(c, i))
			return -EINVAL;
	return 0;
}

int fpl_check(struct ffpf_fpl *p, const struct ffpf_fpl_opts *o, struct ffpf_diag *d)
{
	struct checker c = {.p = p, .o = o, .d = d, .outer = 1};
	p->work = 0;
	return stmts(&c, p->root);
}
