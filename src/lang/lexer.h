/* lexer.h — tokens of the request language (internal to src/lang). */
#ifndef FFPF_LANG_LEXER_H
#define FFPF_LANG_LEXER_H
#include "diag.h"
#include <stddef.h>

enum ffpf_tok {
	FFPF_TOK_EOF,
	FFPF_TOK_WORD,   /* bare word: class, key, label, or value */
	FFPF_TOK_STRING, /* "quoted" or 'quoted', escapes decoded */
	FFPF_TOK_LPAREN,
	FFPF_TOK_RPAREN,
	FFPF_TOK_LBRACK,
	FFPF_TOK_RBRACK,
	FFPF_TOK_PIPE,
	FFPF_TOK_GT,
	FFPF_TOK_SEMI,
	FFPF_TOK_COMMA,
	FFPF_TOK_EQ,
	FFPF_TOK_AT,
	FFPF_TOK_COLON, /* only outside parentheses: inside them ':' is part of a word */
};

struct ffpf_token {
	enum ffpf_tok kind;
	struct ffpf_loc loc; /* first byte; for EOF: just past the last token */
	size_t span;         /* source bytes (a string's includes its quotes) */
	char *text;          /* WORD/STRING: malloc'd, NUL-terminated, owned by the token */
};

struct ffpf_lexer {
	const char *src;
	size_t len, pos;
	unsigned line, col;
	int in_args;               /* between '(' and ')': ':' is a word character there */
	int seen_tok;              /* a token was produced: EOF is reported just after it */
	struct ffpf_loc last_end;  /* just past the last token */
	const char *origin;
	struct ffpf_diag *d;
};

void ffpf_lex_init(struct ffpf_lexer *lx, const char *src, size_t len, const char *origin,
		   struct ffpf_diag *d);
/* Next token into *t (t->text is the caller's to free).  Returns 0, or -EINVAL / -ENOMEM with
 * lx->d filled; then *t is an EOF token without text. */
int ffpf_lex_next(struct ffpf_lexer *lx, struct ffpf_token *t);
/* Describe t for a message: "end of input", "'('", "'eth0'" (cut to fit), "a quoted string". */
const char *ffpf_tok_desc(const struct ffpf_token *t, char *buf, size_t size);
#endif
