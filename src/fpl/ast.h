/* ast.h — FPL internals shared by the lexer, parser, checker, code generator, interpreter and C
 * emitter: tokens, the syntax tree (an array of nodes linked by index), the bytecode, and the
 * compiled program.  Not for use outside src/fpl/ (fpl.h is the API). */
#ifndef FFPF_FPL_AST_H
#define FFPF_FPL_AST_H

#include <stdint.h>
#include "fpl/fpl.h"

/* ---- tokens ------------------------------------------------------------------------------ */

enum fpl_tok {
	T_EOF, T_NUM, T_NAME, T_STR,
	T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_COMMA, T_SEMI, T_DOT,
	/* binary operators, in the order of binop_info in parser.c */
	T_OROR, T_ANDAND, T_OR, T_XOR, T_AND, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_SHL, T_SHR,
	T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT,
	/* others */
	T_NOT, T_TILDE, T_ASSIGN, T_INC, T_DEC,
	T_ADDEQ, T_SUBEQ, T_MULEQ, T_DIVEQ, T_MODEQ, T_ANDEQ, T_OREQ, T_XOREQ, T_SHLEQ, T_SHREQ,
	T_OTHER /* a character FPL does not use ({, }, @, ...): the parser reports it */
};

struct fpl_token {
	enum fpl_tok kind;
	struct ffpf_loc loc;
	size_t len;     /* bytes of source text */
	uint64_t num;   /* T_NUM */
	char *str;      /* T_STR: decoded, malloc'd, owned by the lexer until taken */
};

struct fpl_lexer {
	const char *src;
	size_t len, pos;
	unsigned line, col;
	const char *origin;
	struct ffpf_diag *d;
	struct fpl_token tok; /* the current token */
};

void fpl_lex_init(struct fpl_lexer *lx, const char *src, size_t len, const char *origin,
		  struct ffpf_diag *d);
/* Scan the next token into lx->tok: 0, or -EINVAL with lx->d set. */
int fpl_lex_next(struct fpl_lexer *lx);
/* "'('", "number 12", "name 'FOO'", "end of program": for "expected X, found Y". */
void fpl_tok_describe(const struct fpl_lexer *lx, const struct fpl_token *t, char *buf, size_t n);

/* ---- names ------------------------------------------------------------------------------- */

/* Named constants (PROTO_TCP, ...) and fields (after PKT.), looked up by exact name. */
int fpl_const_lookup(const char *name, size_t len, uint64_t *value);
int fpl_field_lookup(const char *name, size_t len);
const char *fpl_field_name(unsigned f);
/* The known name closest to name (edit distance <= 2) among the constants, fields (fields
 * nonzero) or keywords, or NULL: for "did you mean" hints. */
const char *fpl_suggest(const char *name, size_t len, int fields);

/* ---- syntax tree ------------------------------------------------------------------------- */

enum fpl_kind {
	/* expressions */
	N_NUM,    /* k */
	N_REG,    /* a: index expression; k: index once checked */
	N_MEM,    /* a: index expression */
	N_PKT,    /* k: bytes (1, 2, 4); a: offset */
	N_FIELD,  /* k: enum ffpf_fpl_field */
	N_HASH,   /* a, b, c: offset, length, modulus */
	N_CALL,   /* EXTERN: k: callee index; a, b: in and out offsets (constants once checked) */
	N_UNARY,  /* op: T_MINUS, T_TILDE, T_NOT; a */
	N_BINARY, /* op: T_OROR .. T_PERCENT; a, b */
	/* statements; each has next: the following statement, or -1 */
	N_ASSIGN, /* op: T_ASSIGN or a compound T_*EQ; a: lvalue (N_REG or N_MEM); b: value */
	N_IF,     /* a: condition; b: then-list; c: else-list (-1: none) */
	N_FOR,    /* a: init (N_ASSIGN); b: condition; c: step (N_ASSIGN or -1); d: body */
	N_BREAK,
	N_RETURN, /* a */
	N_EXPR,   /* a: an EXTERN whose value is not used */
	N_TX,     /* a: the port; the checker rejects it */
};

struct fpl_node {
	uint8_t kind, op;
	uint8_t impure;   /* checker: may fail or write the MBuf (EXTERN, /, % or HASH by a variable) */
	uint8_t pad;
	uint32_t span;    /* source bytes the node's first token covers, for the caret */
	int32_t a, b, c, d, next;
	uint64_t k;
	struct ffpf_loc loc;
};

/* ---- bytecode ------------------------------------------------------------------------------ */

/* A stack machine.  Binary operators take their right operand from k when imm is set (the
 * common "x op constant" case costs one instruction, not two). */
enum fpl_op {
	OP_PUSH, OP_LDR, OP_STR, OP_DUP, OP_LDM, OP_STM, OP_PKT1, OP_PKT2, OP_PKT4,
	OP_FIELD, OP_HASH, OP_CALL, OP_POP,
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_AND, OP_OR, OP_XOR, OP_SHL, OP_SHR,
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
	OP_NEG, OP_NOT, OP_LNOT, OP_BOOL,
	OP_JMP, OP_JZ, OP_JZK, OP_JNZK, OP_RET, OP_END,
	/* fused forms: compare and jump if false (IF and FOR conditions); R[a] += k */
	OP_JFEQ, OP_JFNE, OP_JFLT, OP_JFLE, OP_JFGT, OP_JFGE, OP_ADDR,
};

struct fpl_insn {
	uint8_t op;
	uint8_t imm;  /* binary ops: right operand is k */
	uint16_t a;   /* register, field, callee */
	uint32_t j;   /* jump target */
	uint64_t k;   /* constant; OP_CALL: in | out << 32 */
};

/* Stack words the interpreter keeps; the code generator refuses programs that need more. */
#define FPL_STACK 192

/* ---- the compiled program ------------------------------------------------------------------ */

struct fpl_callee {
	char *cls;         /* class name as written */
	char *params;      /* its parameter string, or NULL */
	char *element;     /* request-language element, e.g. (bpf,"udp") */
	struct ffpf_loc loc;
	size_t span;
	unsigned in_words, out_words;
};

struct ffpf_fpl {
	char *src;
	size_t len;
	char *origin;
	unsigned mbuf_words;
	struct fpl_node *node;
	unsigned nnodes, capnodes;
	int32_t root;              /* first statement, -1: empty program */
	struct fpl_insn *code;
	unsigned ncode, capcode;
	unsigned maxstack;
	uint64_t work;             /* loop iterations the checker proved at most */
	struct fpl_callee callee[FFPF_FPL_MAX_CALLEES];
	unsigned ncallees;
};

/* Phases, in order.  Each returns 0 or -errno with d set. */
int fpl_parse(struct ffpf_fpl *p, struct ffpf_diag *d);
int fpl_check(struct ffpf_fpl *p, const struct ffpf_fpl_opts *o, struct ffpf_diag *d);
int fpl_codegen(struct ffpf_fpl *p, struct ffpf_diag *d);

#endif
