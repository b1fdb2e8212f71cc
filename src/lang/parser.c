/* parser.c — recursive-descent parser for the request language, its label checks and the canonical printer. */

/* Recursion follows '[ ]' nesting only, which is capped at FFPF_LANG_MAX_DEPTH, so hostile input
 * cannot exhaust the stack; everything else (chains, arguments, ';') is a loop. */
#include "ast.h"
#include "lexer.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDENT_HINT "names start with a letter or '_' and hold letters, digits, '_', '-' or '.'"

/* A label definition or an '@' use, for the checks after parsing.  name points into the AST. */
struct label_use {
	const char *name;
	struct ffpf_loc loc;
	size_t span;
};

struct parser {
	struct ffpf_lexer lx;
	struct ffpf_token tok; /* the one token of lookahead */
	size_t prev_end;       /* byte just past the last consumed token: gives node spans */
	const char *src, *origin;
	size_t len;
	struct ffpf_diag *d;
	int err; /* first error (negative errno); the diagnostic is already in *d */
	unsigned depth;
	size_t nelements, nnodes;
	struct label_use *defs, *uses;
	size_t ndefs, nuses;
};

/* ---- small helpers ---- */

/* AST arrays keep no capacity field: it is implied as the next power of two >= n, so growing
 * exactly when n is 0 or a power of two keeps appends amortised O(1).  Returns the (maybe
 * moved) array, or NULL when out of memory (base is then untouched). */
static void *grow_pow2(void *base, size_t n, size_t elsz)
{
	if (n != 0 && (n & (n - 1)) != 0)
		return base;
	return realloc(base, (n ? 2 * n : 1) * elsz);
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* Class names, keys and labels are identifiers, so messages and the canonical form never have
 * to quote them. */
static int is_ident(const char *s)
{
	if (!is_alpha(*s))
		return 0;
	for (s++; *s; s++)
		if (!is_alpha(*s) && !(*s >= '0' && *s <= '9') && *s != '-' && *s != '.')
			return 0;
	return 1;
}

static char *lower_dup(const char *s)
{
	size_t n = strlen(s);
	char *r = malloc(n + 1);
	if (!r)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		r[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	return r;
}

/* Record the first error; later ones are consequences and would only confuse. */
__attribute__((format(printf, 6, 7)))
static int perr(struct parser *p, int code, struct ffpf_loc at, size_t span, const char *hint,
		const char *fmt, ...)
{
	va_list ap;
	if (p->err)
		return p->err;
	va_start(ap, fmt);
	ffpf_diag_vset(p->d, p->origin, p->src, p->len, at, span, fmt, ap);
	va_end(ap);
	if (hint)
		ffpf_diag_hint(p->d, "%s", hint);
	p->err = code;
	return code;
}

static int oom(struct parser *p)
{
	return perr(p, -ENOMEM, p->tok.loc, 0, NULL, "out of memory");
}

static const char *found(const struct parser *p, char *buf, size_t size)
{
	return ffpf_tok_desc(&p->tok, buf, size);
}

/* Consume the current token and lex the next one. */
static int next(struct parser *p)
{
	int rc;
	p->prev_end = p->tok.loc.off + p->tok.span;
	free(p->tok.text);
	rc = ffpf_lex_next(&p->lx, &p->tok);
	if (rc && !p->err)
		p->err = rc; /* the lexer wrote the diagnostic */
	return rc;
}

/* Take ownership of the current token's text. */
static char *take(struct parser *p)
{
	char *s = p->tok.text;
	p->tok.text = NULL;
	return s;
}

static int is(const struct parser *p, enum ffpf_tok k)
{
	return p->tok.kind == k;
}

static int is_value(const struct parser *p)
{
	return is(p, FFPF_TOK_WORD) || is(p, FFPF_TOK_STRING);
}

/* ---- nodes ---- */

static void free_node(struct ffpf_ast *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		free_node(n->kids[i]);
	for (size_t i = 0; i < n->nargs; i++) {
		free(n->args[i].key);
		free(n->args[i].value);
	}
	free(n->kids);
	free(n->args);
	free(n->label);
	free(n->cls);
	free(n->cls_orig);
	free(n->ref);
	free(n);
}

static struct ffpf_ast *new_node(struct parser *p, enum ffpf_ast_kind kind, struct ffpf_loc at)
{
	struct ffpf_ast *n;
	if (++p->nnodes > FFPF_LANG_MAX_NODES) {
		perr(p, -E2BIG, at, 1, NULL, "request too complex (more than %d nodes)",
		     FFPF_LANG_MAX_NODES);
		return NULL;
	}
	n = calloc(1, sizeof *n);
	if (!n) {
		oom(p);
		return NULL;
	}
	n->kind = kind;
	n->loc = at;
	return n;
}

static void end_node(const struct parser *p, struct ffpf_ast *n)
{
	n->span = p->prev_end - n->loc.off;
}

/* Append kid to parent->kids; on failure kid is freed, so callers need not. */
static int add_kid(struct parser *p, struct ffpf_ast *parent, struct ffpf_ast *kid)
{
	struct ffpf_ast **k = grow_pow2(parent->kids, parent->nkids, sizeof *k);
	if (!k) {
		free_node(kid);
		return oom(p);
	}
	parent->kids = k;
	parent->kids[parent->nkids++] = kid;
	return 0;
}

static int add_label_use(struct parser *p, struct label_use **arr, size_t *n, const char *name,
			 struct ffpf_loc at, size_t span)
{
	struct label_use *a = grow_pow2(*arr, *n, sizeof *a);
	if (!a)
		return oom(p);
	*arr = a;
	a[*n].name = name;
	a[*n].loc = at;
	a[*n].span = span;
	(*n)++;
	return 0;
}

/* ---- grammar ---- */

static struct ffpf_ast *parse_chain(struct parser *p, const char *ctx);

/* Append a complete argument; on failure its strings are freed. */
static int push_arg(struct parser *p, struct ffpf_ast *el, struct ffpf_arg *a)
{
	struct ffpf_arg *v = grow_pow2(el->args, el->nargs, sizeof *v);
	if (!v) {
		free(a->key);
		free(a->value);
		return oom(p);
	}
	el->args = v;
	el->args[el->nargs++] = *a;
	return 0;
}

static int check_arg_start(struct parser *p, const struct ffpf_ast *el)
{
	char f[48];
	if (el->nargs >= FFPF_LANG_MAX_ARGS)
		return perr(p, -E2BIG, p->tok.loc, p->tok.span, NULL,
			    "too many arguments (limit %d)", FFPF_LANG_MAX_ARGS);
	if (is(p, FFPF_TOK_COMMA) || is(p, FFPF_TOK_RPAREN))
		return perr(p, -EINVAL, p->tok.loc, 1, "remove the extra ',' or write a value there",
			    "empty argument");
	if (is(p, FFPF_TOK_EQ))
		return perr(p, -EINVAL, p->tok.loc, 1, "write key=value, or quote a value with '=' in it",
			    "missing key before '='");
	if (!is_value(p))
		return perr(p, -EINVAL, p->tok.loc, p->tok.span, NULL,
			    "expected an argument after ',', found %s", found(p, f, sizeof f));
	return 0;
}

/* After "word =": the word becomes the key and the next token the value. */
static int parse_keyed_value(struct parser *p, struct ffpf_arg *a)
{
	char f[48];
	if (a->quoted)
		return perr(p, -EINVAL, a->loc, a->vspan, NULL,
			    "a key must be a bare word, not a quoted string");
	if (!is_ident(a->value))
		return perr(p, -EINVAL, a->loc, a->vspan, IDENT_HINT "; quote a value that contains '='",
			    "invalid key '%.40s'", a->value);
	a->key = a->value;
	a->value = NULL; /* filled below; free() copes if we fail first */
	if (next(p))
		return p->err;
	if (!is_value(p))
		return perr(p, -EINVAL, p->tok.loc, p->tok.span, "write key=value, or key=\"\" for empty",
			    "missing value after '%.40s=', found %s", a->key, found(p, f, sizeof f));
	a->vloc = p->tok.loc;
	a->vspan = p->tok.span;
	a->quoted = is(p, FFPF_TOK_STRING);
	a->value = take(p);
	return next(p);
}

/* arg := value | key '=' value.  The current token follows a ','. */
static int parse_arg(struct parser *p, struct ffpf_ast *el)
{
	struct ffpf_arg a;

	memset(&a, 0, sizeof a);
	if (check_arg_start(p, el))
		return p->err;
	a.loc = a.vloc = p->tok.loc;
	a.vspan = p->tok.span;
	a.quoted = is(p, FFPF_TOK_STRING);
	a.value = take(p);
	if (push_arg(p, el, &a) || next(p))
		return p->err;
	if (!is(p, FFPF_TOK_EQ))
		return 0;
	return parse_keyed_value(p, &el->args[el->nargs - 1]);
}

static int parse_class(struct parser *p, struct ffpf_ast *el)
{
	char f[48];
	if (!is(p, FFPF_TOK_WORD))
		return perr(p, -EINVAL, p->tok.loc, p->tok.span,
			    is(p, FFPF_TOK_STRING) ? "the class is a bare word: (bpf, \"tcp\")"
						   : "an element starts with its class: (count)",
			    "expected a class name after '(', found %s", found(p, f, sizeof f));
	if (!is_ident(p->tok.text))
		return perr(p, -EINVAL, p->tok.loc, p->tok.span, IDENT_HINT,
			    "invalid class name '%.40s'", p->tok.text);
	el->cls_loc = p->tok.loc;
	el->cls_orig = take(p);
	el->cls = lower_dup(el->cls_orig);
	if (!el->cls)
		return oom(p);
	return next(p);
}

static int element_end_error(struct parser *p, const struct ffpf_ast *el, struct ffpf_loc open)
{
	char f[48], open_hint[96];
	const char *hint = NULL;

	if (is(p, FFPF_TOK_EOF))
		return perr(p, -EINVAL, p->tok.loc, 0, NULL, "missing ')' to close '(' at %u:%u",
			    open.line, open.col);
	snprintf(open_hint, sizeof open_hint, "is a ')' missing? the '(' at %u:%u is still open",
		 open.line, open.col);
	if (is_value(p))
		hint = "separate arguments with ','; quote values that contain spaces";
	else if (is(p, FFPF_TOK_EQ))
		hint = "quote values that contain '='";
	else if (is(p, FFPF_TOK_LPAREN))
		hint = "elements do not nest; connect them with '>'";
	else
		hint = open_hint;
	return perr(p, -EINVAL, p->tok.loc, p->tok.span, hint, "expected ')' or ',' after %s, found %s",
		    el->nargs ? "argument" : "class name", found(p, f, sizeof f));
}

/* element := [label ':'] '(' class (',' arg)* ')'.  The current token is '('; label (owned,
 * may be NULL) was already read at `at`. */
static struct ffpf_ast *parse_element(struct parser *p, char *label, struct ffpf_loc at)
{
	struct ffpf_ast *el = new_node(p, FFPF_AST_ELEMENT, at);
	struct ffpf_loc open = p->tok.loc;

	if (!el) {
		free(label);
		return NULL;
	}
	el->label = label;
	if (++p->nelements > FFPF_LANG_MAX_ELEMENTS) {
		perr(p, -E2BIG, open, 1, NULL, "too many elements (limit %d)", FFPF_LANG_MAX_ELEMENTS);
		goto fail;
	}
	if (next(p) || parse_class(p, el))
		goto fail;
	while (is(p, FFPF_TOK_COMMA))
		if (next(p) || parse_arg(p, el))
			goto fail;
	if (!is(p, FFPF_TOK_RPAREN)) {
		element_end_error(p, el, open);
		goto fail;
	}
	if (next(p))
		goto fail;
	end_node(p, el);
	if (label && add_label_use(p, &p->defs, &p->ndefs, label, at, strlen(label)))
		goto fail;
	return el;
fail:
	free_node(el);
	return NULL;
}

/* A bare word where a term starts: only valid as "label:(". */
static struct ffpf_ast *parse_labelled(struct parser *p)
{
	struct ffpf_loc at = p->tok.loc;
	size_t span = p->tok.span;
	char *name = take(p);
	char f[48], hint[160];

	if (next(p))
		goto fail;
	if (!is(p, FFPF_TOK_COLON)) {
		snprintf(hint, sizeof hint, "elements are written in parentheses: (%.40s); a label is "
			 "written name:(class, ...)", name);
		perr(p, -EINVAL, at, span, hint, "unexpected word '%.40s'", name);
		goto fail;
	}
	if (!is_ident(name)) {
		perr(p, -EINVAL, at, span, IDENT_HINT, "invalid label '%.40s'", name);
		goto fail;
	}
	if (next(p))
		goto fail;
	if (!is(p, FFPF_TOK_LPAREN)) {
		perr(p, -EINVAL, p->tok.loc, p->tok.span, "only elements can be labelled: name:(class, ...)",
		     "label '%.40s' must be followed by '(', found %s", name, found(p, f, sizeof f));
		goto fail;
	}
	return parse_element(p, name, at);
fail:
	free(name);
	return NULL;
}

/* '@' name: a reference to a labelled element. */
static struct ffpf_ast *parse_ref(struct parser *p)
{
	struct ffpf_ast *r = new_node(p, FFPF_AST_REF, p->tok.loc);
	char f[48];

	if (!r || next(p))
		goto fail;
	if (!is(p, FFPF_TOK_WORD)) {
		perr(p, -EINVAL, p->tok.loc, p->tok.span, "write @name where name:(...) labels an element",
		     "expected a label name after '@', found %s", found(p, f, sizeof f));
		goto fail;
	}
	if (!is_ident(p->tok.text)) {
		perr(p, -EINVAL, p->tok.loc, p->tok.span, IDENT_HINT, "invalid label '%.40s'",
		     p->tok.text);
		goto fail;
	}
	r->ref = take(p);
	if (next(p))
		goto fail;
	end_node(p, r);
	if (add_label_use(p, &p->uses, &p->nuses, r->ref, r->loc, r->span))
		goto fail;
	return r;
fail:
	free_node(r);
	return NULL;
}

static int group_end_error(struct parser *p, struct ffpf_loc open)
{
	char f[48];
	if (is(p, FFPF_TOK_EOF))
		return perr(p, -EINVAL, p->tok.loc, 0, NULL, "missing ']' to close '[' at %u:%u",
			    open.line, open.col);
	if (is(p, FFPF_TOK_SEMI))
		return perr(p, -EINVAL, p->tok.loc, 1, NULL,
			    "missing ']' before ';' (the '[' at %u:%u is still open)", open.line, open.col);
	if (is(p, FFPF_TOK_RPAREN))
		return perr(p, -EINVAL, p->tok.loc, 1, NULL, "unbalanced ')'");
	return perr(p, -EINVAL, p->tok.loc, p->tok.span,
		    "connect elements with '>' and separate branches with '|'",
		    "expected '>', '|' or ']', found %s", found(p, f, sizeof f));
}

/* '[' chain ('|' chain)* ']' */
static struct ffpf_ast *parse_group(struct parser *p)
{
	struct ffpf_loc open = p->tok.loc;
	struct ffpf_ast *g;

	if (p->depth >= FFPF_LANG_MAX_DEPTH) {
		perr(p, -E2BIG, open, 1, NULL, "nesting deeper than %d", FFPF_LANG_MAX_DEPTH);
		return NULL;
	}
	g = new_node(p, FFPF_AST_GROUP, open);
	if (!g)
		return NULL;
	p->depth++;
	if (next(p))
		goto fail;
	if (is(p, FFPF_TOK_RBRACK)) {
		perr(p, -EINVAL, open, 2, "a group holds one or more chains: [ A | B ]", "empty group");
		goto fail;
	}
	for (;;) {
		struct ffpf_ast *kid = parse_chain(p, g->nkids ? "after '|'" : "after '['");
		if (!kid || add_kid(p, g, kid))
			goto fail;
		if (is(p, FFPF_TOK_RBRACK))
			break;
		if (!is(p, FFPF_TOK_PIPE)) {
			group_end_error(p, open);
			goto fail;
		}
		if (next(p))
			goto fail;
	}
	if (next(p))
		goto fail;
	p->depth--;
	end_node(p, g);
	return g;
fail:
	p->depth--;
	free_node(g);
	return NULL;
}

static struct ffpf_ast *bad_term(struct parser *p, const char *ctx)
{
	char f[48];
	if (is(p, FFPF_TOK_RBRACK) && p->depth == 0)
		perr(p, -EINVAL, p->tok.loc, 1, "no '[' is open here", "unbalanced ']'");
	else if (is(p, FFPF_TOK_PIPE) && p->depth == 0)
		perr(p, -EINVAL, p->tok.loc, 1, "write alternatives as [ A | B ]",
		     "'|' is only allowed inside [ ]");
	else if (is(p, FFPF_TOK_RPAREN))
		perr(p, -EINVAL, p->tok.loc, 1, NULL, "unbalanced ')'");
	else
		perr(p, -EINVAL, p->tok.loc, p->tok.span,
		     "an element is (class, args...), a group [ A | B ], a reference @name",
		     "expected an element, '[' or '@name' %s, found %s", ctx, found(p, f, sizeof f));
	return NULL;
}

static struct ffpf_ast *parse_term(struct parser *p, const char *ctx)
{
	switch (p->tok.kind) {
	case FFPF_TOK_LPAREN:
		return parse_element(p, NULL, p->tok.loc);
	case FFPF_TOK_WORD:
		return parse_labelled(p);
	case FFPF_TOK_LBRACK:
		return parse_group(p);
	case FFPF_TOK_AT:
		return parse_ref(p);
	default:
		return bad_term(p, ctx);
	}
}

/* chain := term ('>' term)*.  ctx says what came before, for messages ("after '|'"). */
static struct ffpf_ast *parse_chain(struct parser *p, const char *ctx)
{
	struct ffpf_ast *c = new_node(p, FFPF_AST_CHAIN, p->tok.loc);
	if (!c)
		return NULL;
	for (;;) {
		struct ffpf_ast *kid = parse_term(p, ctx);
		if (!kid || add_kid(p, c, kid))
			goto fail;
		if (!is(p, FFPF_TOK_GT))
			break;
		if (next(p))
			goto fail;
		ctx = "after '>'";
	}
	end_node(p, c);
	return c;
fail:
	free_node(c);
	return NULL;
}

/* What may follow a top-level chain is ';' or the end; say what went wrong otherwise. */
static int top_follow_error(struct parser *p)
{
	char f[48];
	switch (p->tok.kind) {
	case FFPF_TOK_RBRACK:
		return perr(p, -EINVAL, p->tok.loc, 1, "no '[' is open here", "unbalanced ']'");
	case FFPF_TOK_PIPE:
		return perr(p, -EINVAL, p->tok.loc, 1, "write alternatives as [ A | B ]",
			    "'|' is only allowed inside [ ]");
	case FFPF_TOK_RPAREN:
		return perr(p, -EINVAL, p->tok.loc, 1, NULL, "unbalanced ')'");
	case FFPF_TOK_LPAREN: case FFPF_TOK_WORD: case FFPF_TOK_LBRACK: case FFPF_TOK_AT:
	case FFPF_TOK_STRING:
		return perr(p, -EINVAL, p->tok.loc, p->tok.span,
			    "connect elements with '>'; separate chains with ';'",
			    "expected '>' or ';' before %s", found(p, f, sizeof f));
	default:
		return perr(p, -EINVAL, p->tok.loc, p->tok.span, NULL,
			    "unexpected %s; expected '>', ';' or end of input", found(p, f, sizeof f));
	}
}

static int add_chain(struct parser *p, struct ffpf_request *r, struct ffpf_ast *c)
{
	struct ffpf_ast **v = grow_pow2(r->chains, r->nchains, sizeof *v);
	if (!v) {
		free_node(c);
		return oom(p);
	}
	r->chains = v;
	r->chains[r->nchains++] = c;
	return 0;
}

/* request := chain (';' chain)* [';'] */
static int parse_request(struct parser *p, struct ffpf_request *r)
{
	const char *ctx = "at the start of the request";

	if (next(p))
		return p->err;
	if (is(p, FFPF_TOK_EOF))
		return perr(p, -EINVAL, ffpf_loc_at(p->src, p->len, 0), 0,
			    "write at least one element, e.g. (file,\"a.pcap\") > (count)", "empty request");
	for (;;) {
		struct ffpf_ast *c = parse_chain(p, ctx);
		if (!c || add_chain(p, r, c))
			return p->err;
		if (is(p, FFPF_TOK_EOF))
			return 0;
		if (!is(p, FFPF_TOK_SEMI))
			return top_follow_error(p);
		if (next(p))
			return p->err;
		if (is(p, FFPF_TOK_EOF))
			return 0; /* a trailing ';' is fine: requests are often one chain per line */
		ctx = "after ';'";
	}
}

/* ---- label checks ---- */

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct label_use *)a)->name, ((const struct label_use *)b)->name);
}

static int cmp_name_off(const void *a, const void *b)
{
	const struct label_use *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->loc.off < y->loc.off ? -1 : x->loc.off > y->loc.off;
}

/* The earliest second definition of any label, and (via *first) where that label was first
 * defined.  defs must be sorted by (name, offset). */
static const struct label_use *first_duplicate(const struct parser *p, const struct label_use **first)
{
	const struct label_use *dup = NULL;
	size_t run = 0;
	for (size_t i = 1; i < p->ndefs; i++) {
		if (strcmp(p->defs[i].name, p->defs[run].name)) {
			run = i;
			continue;
		}
		if (!dup || p->defs[i].loc.off < dup->loc.off) {
			dup = &p->defs[i];
			*first = &p->defs[run];
		}
	}
	return dup;
}

/* Sorting then binary search keeps this O(n log n) even at the element limit. */
static int check_labels(struct parser *p)
{
	const struct label_use *first = NULL, *dup, *undef = NULL;

	if (p->ndefs) /* qsort and bsearch must not see a NULL array, even when empty */
		qsort(p->defs, p->ndefs, sizeof *p->defs, cmp_name_off);
	dup = first_duplicate(p, &first);
	for (size_t i = 0; i < p->nuses && !undef; i++)
		if (!p->ndefs || !bsearch(&p->uses[i], p->defs, p->ndefs, sizeof *p->defs, cmp_name))
			undef = &p->uses[i];
	if (dup && (!undef || dup->loc.off < undef->loc.off)) {
		char hint[128];
		snprintf(hint, sizeof hint, "a label names one element; refer to it again with @%.40s",
			 dup->name);
		return perr(p, -EINVAL, dup->loc, dup->span, hint,
			    "label '%.40s' is already defined at %u:%u", dup->name, first->loc.line,
			    first->loc.col);
	}
	if (undef) {
		char hint[160];
		snprintf(hint, sizeof hint, "label an element as %.40s:(class, ...) to refer to it "
			 "with @%.40s", undef->name, undef->name);
		return perr(p, -EINVAL, undef->loc, undef->span, hint, "undefined label '%.40s'",
			    undef->name);
	}
	return 0;
}

/* ---- entry points ---- */

static int parse_checked(const char *src, size_t len, const char *origin,
			 struct ffpf_request *r, struct ffpf_diag *d)
{
	struct parser p;
	int rc;

	memset(&p, 0, sizeof p);
	p.src = src;
	p.len = len;
	p.origin = origin;
	p.d = d;
	ffpf_lex_init(&p.lx, src, len, origin, d);
	rc = parse_request(&p, r);
	if (!rc)
		rc = check_labels(&p);
	free(p.tok.text);
	free(p.defs);
	free(p.uses);
	return rc;
}

int ffpf_lang_parse(const char *src, size_t len, const char *origin, struct ffpf_request **out,
		    struct ffpf_diag *d)
{
	struct ffpf_diag scratch;
	struct ffpf_loc start = { 1, 1, 0 };
	struct ffpf_request *r;
	int rc;

	if (!d)
		d = &scratch;
	memset(d, 0, sizeof *d);
	origin = origin ? origin : "request";
	if (out)
		*out = NULL;
	if (!out || (!src && len)) {
		ffpf_diag_set(d, origin, NULL, 0, start, 0, "no request given");
		return -EINVAL;
	}
	if (len > FFPF_LANG_MAX_INPUT) {
		ffpf_diag_set(d, origin, NULL, 0, start, 0, "request too large (%zu bytes; limit %u)",
			      len, FFPF_LANG_MAX_INPUT);
		return -E2BIG;
	}
	r = calloc(1, sizeof *r);
	if (!r) {
		ffpf_diag_set(d, origin, NULL, 0, start, 0, "out of memory");
		return -ENOMEM;
	}
	rc = parse_checked(src ? src : "", len, origin, r, d);
	if (rc) {
		ffpf_request_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void ffpf_request_free(struct ffpf_request *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nchains; i++)
		free_node(r->chains[i]);
	free(r->chains);
	free(r);
}

/* ---- canonical printer ---- */

/* Growable string; an allocation failure is sticky and reported once at the end. */
struct sbuf {
	char *s;
	size_t n, cap;
	int oom;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	size_t nc;
	char *q;
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		for (nc = b->cap ? b->cap : 64; nc < b->n + n + 1; nc *= 2)
			;
		q = realloc(b->s, nc);
		if (!q) {
			b->oom = 1;
			return;
		}
		b->s = q;
		b->cap = nc;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* Double-quoted with escapes, so the output always lexes back to the same bytes. */
static void sb_quoted(struct sbuf *b, const char *v)
{
	char esc[8];
	sb_put(b, "\"", 1);
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			sb_put(b, esc, 2);
		} else if (c == '\n') {
			sb_str(b, "\\n");
		} else if (c == '\t') {
			sb_str(b, "\\t");
		} else if (c == '\r') {
			sb_str(b, "\\r");
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof esc, "\\x%02x", c);
			sb_str(b, esc);
		} else {
			sb_put(b, v, 1);
		}
	}
	sb_put(b, "\"", 1);
}

static void fmt_element(struct sbuf *b, const struct ffpf_ast *n)
{
	if (n->label) {
		sb_str(b, n->label);
		sb_put(b, ":", 1);
	}
	sb_put(b, "(", 1);
	sb_str(b, n->cls ? n->cls : "");
	for (size_t i = 0; i < n->nargs; i++) {
		const struct ffpf_arg *a = &n->args[i];
		sb_put(b, ",", 1);
		if (a->key) {
			sb_str(b, a->key);
			sb_put(b, "=", 1);
		}
		if (a->quoted)
			sb_quoted(b, a->value ? a->value : "");
		else
			sb_str(b, a->value ? a->value : "");
	}
	sb_put(b, ")", 1);
}

static void fmt_node(struct sbuf *b, const struct ffpf_ast *n)
{
	switch (n->kind) {
	case FFPF_AST_ELEMENT:
		fmt_element(b, n);
		break;
	case FFPF_AST_REF:
		sb_put(b, "@", 1);
		sb_str(b, n->ref ? n->ref : "");
		break;
	case FFPF_AST_CHAIN:
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				sb_put(b, ">", 1);
			fmt_node(b, n->kids[i]);
		}
		break;
	case FFPF_AST_GROUP:
		sb_put(b, "[", 1);
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				sb_put(b, "|", 1);
			fmt_node(b, n->kids[i]);
		}
		sb_put(b, "]", 1);
		break;
	}
}

char *ffpf_request_format(const struct ffpf_request *r)
{
	struct sbuf b = { NULL, 0, 0, 0 };
	sb_put(&b, "", 0);
	for (size_t i = 0; r && i < r->nchains; i++) {
		if (i)
			sb_put(&b, ";", 1);
		fmt_node(&b, r->chains[i]);
	}
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
