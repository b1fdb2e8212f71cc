/* lexer.c — splits request text into tokens (punctuation, bare words, quoted strings), skipping blanks and comments. */
#include "lexer.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ESCAPES_HINT "valid escapes are \\\" \\' \\\\ \\n \\t \\r and \\xHH"

static int is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/* Control bytes other than tab, CR and LF (and DEL) are never valid: they would make the
 * caret rendering lie and usually mean a binary file was passed as a request. */
static int is_bad_byte(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
}

static int is_structural(unsigned char c)
{
	return c != '\0' && strchr("()[]|>;,=@#\"'", c) != NULL;
}

/* Words are generous (paths, addresses, numbers, UTF-8 names).  ':' ends a word outside
 * parentheses so that "label:(" works, and belongs to it inside them so "ip6=fe80::1" does. */
static int is_word_byte(const struct ffpf_lexer *lx, unsigned char c)
{
	if (c <= ' ' || c == 0x7f)
		return 0;
	if (c == ':')
		return lx->in_args;
	return !is_structural(c);
}

static struct ffpf_loc here(const struct ffpf_lexer *lx)
{
	struct ffpf_loc l = { lx->line, lx->col, lx->pos };
	return l;
}

/* Consume one byte, keeping line and column (columns count characters, not UTF-8 bytes). */
static void adv(struct ffpf_lexer *lx)
{
	unsigned char c = (unsigned char)lx->src[lx->pos++];
	if (c == '\n') {
		lx->line++;
		lx->col = 1;
	} else if (!is_cont(c)) {
		lx->col++;
	}
}

__attribute__((format(printf, 5, 6)))
static int lex_fail(struct ffpf_lexer *lx, struct ffpf_loc at, size_t span, const char *hint,
		    const char *fmt, ...)
{
	va_list ap;
	int rc;
	va_start(ap, fmt);
	rc = ffpf_diag_vfail(lx->d, lx->origin, lx->src, lx->len, at, span, hint, fmt, ap);
	va_end(ap);
	return rc;
}

static int bad_byte(struct ffpf_lexer *lx)
{
	unsigned char c = (unsigned char)lx->src[lx->pos];
	const char *hint = "a request is printable text; inside quotes write such bytes as \\xHH";
	if (c == 0)
		return lex_fail(lx, here(lx), 1, hint, "NUL byte in request");
	return lex_fail(lx, here(lx), 1, hint, "invalid byte 0x%02x in request", c);
}

static int oom(struct ffpf_lexer *lx)
{
	ffpf_diag_set(lx->d, lx->origin, NULL, 0, here(lx), 0, "out of memory");
	return -ENOMEM;
}

void ffpf_lex_init(struct ffpf_lexer *lx, const char *src, size_t len, const char *origin,
		   struct ffpf_diag *d)
{
	memset(lx, 0, sizeof *lx);
	lx->src = src;
	lx->len = len;
	lx->line = lx->col = 1;
	lx->last_end = here(lx);
	lx->origin = origin;
	lx->d = d;
}

/* Skip blanks and '#' comments (to end of line); stop at the first byte of a token. */
static int skip_space(struct ffpf_lexer *lx)
{
	while (lx->pos < lx->len) {
		unsigned char c = (unsigned char)lx->src[lx->pos];
		if (is_bad_byte(c))
			return bad_byte(lx);
		if (c == '#') {
			while (lx->pos < lx->len && lx->src[lx->pos] != '\n') {
				if (is_bad_byte((unsigned char)lx->src[lx->pos]))
					return bad_byte(lx);
				adv(lx);
			}
			continue;
		}
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			return 0;
		adv(lx);
	}
	return 0;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Strings end on their own line: an unclosed quote then points near the mistake rather than
 * at the end of the file. */
static int unterminated(struct ffpf_lexer *lx, struct ffpf_loc start)
{
	return lex_fail(lx, here(lx), 0, "close the string on the line where it starts; write \\n for a newline",
			"unterminated string (started at %u:%u)", start.line, start.col);
}

static int lex_hex_escape(struct ffpf_lexer *lx, char *out)
{
	struct ffpf_loc at = here(lx);
	int hi = lx->len - lx->pos > 2 ? hexval((unsigned char)lx->src[lx->pos + 2]) : -1;
	int lo = lx->len - lx->pos > 3 ? hexval((unsigned char)lx->src[lx->pos + 3]) : -1;
	if (hi < 0 || lo < 0)
		return lex_fail(lx, at, 2, ESCAPES_HINT, "\\x must be followed by two hex digits");
	if (hi == 0 && lo == 0)
		return lex_fail(lx, at, 4, NULL, "\\x00 is not allowed: values cannot contain NUL");
	*out = (char)(hi << 4 | lo);
	for (int i = 0; i < 4; i++)
		adv(lx);
	return 0;
}

static int simple_escape(unsigned char e)
{
	switch (e) {
	case '"': case '\'': case '\\': return e;
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	default: return -1;
	}
}

/* Decode the escape at lx->pos (a backslash) into *out and step past it. */
static int lex_escape(struct ffpf_lexer *lx, struct ffpf_loc start, char *out)
{
	unsigned char e = lx->len - lx->pos > 1 ? (unsigned char)lx->src[lx->pos + 1] : '\n';
	int v;

	if (e == '\n' || e == '\r')
		return unterminated(lx, start);
	if (e == 'x')
		return lex_hex_escape(lx, out);
	v = simple_escape(e);
	if (v < 0) {
		if (e > 0x20 && e < 0x7f)
			return lex_fail(lx, here(lx), 2, ESCAPES_HINT, "unknown escape \\%c", e);
		return lex_fail(lx, here(lx), 1, ESCAPES_HINT,
				"unknown escape: '\\' followed by byte 0x%02x", e);
	}
	*out = (char)v;
	adv(lx);
	adv(lx);
	return 0;
}

/* Pass 1 over a string: check it and find its closing quote; the decoded text is no longer
 * than the raw one, which sizes the buffer for pass 2 without guessing. */
static int scan_string(struct ffpf_lexer *lx, struct ffpf_loc start, char q)
{
	char dummy;
	adv(lx);
	for (;;) {
		unsigned char c;
		if (lx->pos >= lx->len || lx->src[lx->pos] == '\n' || lx->src[lx->pos] == '\r')
			return unterminated(lx, start);
		c = (unsigned char)lx->src[lx->pos];
		if (c == (unsigned char)q)
			return 0;
		if (is_bad_byte(c))
			return bad_byte(lx);
		if (c == '\\') {
			int rc = lex_escape(lx, start, &dummy);
			if (rc)
				return rc;
		} else {
			adv(lx);
		}
	}
}

static int lex_string(struct ffpf_lexer *lx, struct ffpf_token *t)
{
	struct ffpf_lexer save = *lx;
	struct ffpf_loc start = here(lx);
	char q = lx->src[lx->pos];
	size_t end, n = 0;
	char *buf;
	int rc = scan_string(lx, start, q);

	if (rc)
		return rc;
	end = lx->pos;
	buf = malloc(end - start.off);
	if (!buf)
		return oom(lx);
	*lx = save;
	adv(lx);
	while (lx->pos < end) {
		if (lx->src[lx->pos] == '\\') {
			lex_escape(lx, start, &buf[n++]); /* cannot fail: pass 1 checked it */
		} else {
			buf[n++] = lx->src[lx->pos];
			adv(lx);
		}
	}
	adv(lx);
	buf[n] = '\0';
	t->kind = FFPF_TOK_STRING;
	t->text = buf;
	t->span = lx->pos - start.off;
	return 0;
}

static int lex_word(struct ffpf_lexer *lx, struct ffpf_token *t)
{
	size_t start = lx->pos, n;
	while (lx->pos < lx->len && is_word_byte(lx, (unsigned char)lx->src[lx->pos]))
		adv(lx);
	n = lx->pos - start;
	t->text = malloc(n + 1);
	if (!t->text)
		return oom(lx);
	memcpy(t->text, lx->src + start, n);
	t->text[n] = '\0';
	t->kind = FFPF_TOK_WORD;
	t->span = n;
	return 0;
}

static enum ffpf_tok punct_kind(char c)
{
	switch (c) {
	case '(': return FFPF_TOK_LPAREN;
	case ')': return FFPF_TOK_RPAREN;
	case '[': return FFPF_TOK_LBRACK;
	case ']': return FFPF_TOK_RBRACK;
	case '|': return FFPF_TOK_PIPE;
	case '>': return FFPF_TOK_GT;
	case ';': return FFPF_TOK_SEMI;
	case ',': return FFPF_TOK_COMMA;
	case '=': return FFPF_TOK_EQ;
	case '@': return FFPF_TOK_AT;
	case ':': return FFPF_TOK_COLON;
	default: return FFPF_TOK_EOF;
	}
}

static int lex_token(struct ffpf_lexer *lx, struct ffpf_token *t)
{
	unsigned char c = (unsigned char)lx->src[lx->pos];
	enum ffpf_tok k;

	if (c == '"' || c == '\'')
		return lex_string(lx, t);
	if (is_word_byte(lx, c))
		return lex_word(lx, t);
	k = punct_kind((char)c);
	if (k == FFPF_TOK_EOF)
		return bad_byte(lx); /* unreachable: every other byte is blank, word or punctuation */
	if (k == FFPF_TOK_LPAREN)
		lx->in_args = 1;
	else if (k == FFPF_TOK_RPAREN)
		lx->in_args = 0;
	t->kind = k;
	t->span = 1;
	adv(lx);
	return 0;
}

int ffpf_lex_next(struct ffpf_lexer *lx, struct ffpf_token *t)
{
	int rc;

	memset(t, 0, sizeof *t);
	t->kind = FFPF_TOK_EOF;
	rc = skip_space(lx);
	if (rc)
		return rc;
	if (lx->pos >= lx->len) {
		t->loc = lx->seen_tok ? lx->last_end : here(lx);
		return 0;
	}
	t->loc = here(lx);
	rc = lex_token(lx, t);
	if (rc) {
		free(t->text);
		memset(t, 0, sizeof *t);
		t->kind = FFPF_TOK_EOF;
		return rc;
	}
	lx->seen_tok = 1;
	lx->last_end = here(lx);
	return 0;
}

static char punct_char(enum ffpf_tok k)
{
	static const char chars[] = "()[]|>;,=@:"; /* in enum order from FFPF_TOK_LPAREN */
	return chars[k - FFPF_TOK_LPAREN];
}

const char *ffpf_tok_desc(const struct ffpf_token *t, char *buf, size_t size)
{
	switch (t->kind) {
	case FFPF_TOK_EOF:
		snprintf(buf, size, "end of input");
		break;
	case FFPF_TOK_STRING:
		snprintf(buf, size, "a quoted string");
		break;
	case FFPF_TOK_WORD:
		if (strlen(t->text) > 24)
			snprintf(buf, size, "'%.21s...'", t->text);
		else
			snprintf(buf, size, "'%s'", t->text);
		break;
	default:
		snprintf(buf, size, "'%c'", punct_char(t->kind));
		break;
	}
	return buf;
}
