/* lexer.c — splits FPL text into tokens (numbers, names, strings, operators), skipping blanks and
 * // comments; and the tables of named constants and packet fields. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fpl/ast.h"

#define MAX_NAME 63
#define MAX_STR 1024

/* ---- names --------------------------------------------------------------------------------- */

static const struct {
	const char *name;
	uint64_t value;
} consts[] = {
	{"PROTO_ICMP", 1}, {"PROTO_TCP", 6}, {"PROTO_UDP", 17}, {"PROTO_ICMP6", 58},
	{"TCP_FIN", 0x01}, {"TCP_SYN", 0x02}, {"TCP_RST", 0x04}, {"TCP_PSH", 0x08},
	{"TCP_ACK", 0x10}, {"TCP_URG", 0x20}, {"TCP_ECE", 0x40}, {"TCP_CWR", 0x80},
	{"ETH_IP", 0x0800}, {"ETH_ARP", 0x0806}, {"ETH_VLAN", 0x8100}, {"ETH_IP6", 0x86dd},
};

/* Indexed by enum ffpf_fpl_field. */
static const char *const fields[FFPF_FPL_NFIELDS] = {
	"LEN", "CAPLEN", "ETH_TYPE", "VLAN_ID", "L3_OFF", "IP_VER", "IP_HL", "IP_LEN", "IP_TTL",
	"IP_PROTO", "IP_FRAG", "IP_SRC", "IP_DST", "IP6_SRC_HI", "IP6_SRC_LO", "IP6_DST_HI",
	"IP6_DST_LO", "L4_OFF", "TCP_SPORT", "TCP_DPORT", "TCP_FLAGS", "UDP_SPORT", "UDP_DPORT",
	"ICMP_TYPE", "ICMP_CODE", "PAYLOAD_OFF", "PAYLOAD_LEN",
};

static const char *const keywords[] = {
	"IF", "THEN", "ELSE", "FI", "FOR", "ROF", "BREAK", "RETURN", "EXTERN", "TX", "PKT", "HASH",
	"R", "M", "B", "W", "DW",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int same(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(s, name, len) == 0;
}

int fpl_const_lookup(const char *name, size_t len, uint64_t *value)
{
	for (size_t i = 0; i < COUNT(consts); i++)
		if (same(name, len, consts[i].name))
			return *value = consts[i].value, 1;
	return 0;
}

int fpl_field_lookup(const char *name, size_t len)
{
	for (unsigned i = 0; i < FFPF_FPL_NFIELDS; i++)
		if (same(name, len, fields[i]))
			return (int)i;
	return -1;
}

const char *fpl_field_name(unsigned f)
{
	return f < FFPF_FPL_NFIELDS ? fields[f] : "?";
}

/* Edit distance, case-insensitive (so "if" suggests "IF"); gives up above 3. */
static unsigned distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b);
	unsigned row[MAX_NAME + 2], prev;

	if (la > MAX_NAME || lb > MAX_NAME || (la > lb ? la - lb : lb - la) > 2)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned cur = row[j], ca = (unsigned char)a[i - 1], cb = (unsigned char)b[j - 1];
			unsigned sub = prev + ((ca | 0x20) != (cb | 0x20));
			unsigned del = row[j] + 1, ins = row[j - 1] + 1;
			row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			prev = cur;
		}
	}
	return row[lb];
}

static void consider(const char *name, size_t len, const char *cand, const char **best,
		     unsigned *bestd)
{
	unsigned dd = distance(name, len, cand);
	if (dd < *bestd)
		*best = cand, *bestd = dd;
}

const char *fpl_suggest(const char *name, size_t len, int want_fields)
{
	const char *best = NULL;
	unsigned bestd = len <= 3 ? 2 : 3; /* short names: only one edit away */

	if (want_fields) {
		for (unsigned i = 0; i < FFPF_FPL_NFIELDS; i++)
			consider(name, len, fields[i], &best, &bestd);
		return best;
	}
	for (size_t i = 0; i < COUNT(consts); i++)
		consider(name, len, consts[i].name, &best, &bestd);
	for (size_t i = 0; i < COUNT(keywords); i++)
		consider(name, len, keywords[i], &best, &bestd);
	return best;
}

/* ---- scanning ------------------------------------------------------------------------------ */

static int is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int cur(const struct fpl_lexer *lx, size_t ahead)
{
	return lx->pos + ahead < lx->len ? (unsigned char)lx->src[lx->pos + ahead] : -1;
}

static struct ffpf_loc here(const struct fpl_lexer *lx)
{
	struct ffpf_loc l = {lx->line, lx->col, lx->pos};
	return l;
}

/* Consume one byte, keeping line and column (columns count characters, not UTF-8 bytes). */
static void adv(struct fpl_lexer *lx)
{
	unsigned char c = (unsigned char)lx->src[lx->pos++];
	if (c == '\n')
		lx->line++, lx->col = 1;
	else if (!is_cont(c))
		lx->col++;
}

__attribute__((format(printf, 5, 6)))
static int lex_fail(struct fpl_lexer *lx, struct ffpf_loc at, size_t span, const char *hint,
		    const char *fmt, ...)
{
	va_list ap;
	int rc;
	va_start(ap, fmt);
	rc = ffpf_diag_vfail(lx->d, lx->origin, lx->src, lx->len, at, span, hint, fmt, ap);
	va_end(ap);
	return rc;
}

void fpl_lex_init(struct fpl_lexer *lx, const char *src, size_t len, const char *origin,
		  struct ffpf_diag *d)
{
	memset(lx, 0, sizeof(*lx));
	lx->src = src;
	lx->len = len;
	lx->line = lx->col = 1;
	lx->origin = origin;
	lx->d = d;
}

/* Blanks and // comments.  Other control bytes are refused: they would make the caret lie. */
static int skip_blank(struct fpl_lexer *lx)
{
	for (;;) {
		int c = cur(lx, 0);
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			adv(lx);
		} else if (c == '/' && cur(lx, 1) == '/') {
			while (cur(lx, 0) != -1 && cur(lx, 0) != '\n')
				adv(lx);
		} else if ((c >= 0 && c < 0x20) || c == 0x7f) {
			return lex_fail(lx, here(lx), 1, "an FPL program is printable text",
					"invalid byte 0x%02x in program", c);
		} else {
			return 0;
		}
	}
}

/* Digits of a number in base; 0 or -EINVAL on overflow. */
static int digits(struct fpl_lexer *lx, unsigned base, uint64_t *v, struct ffpf_loc at)
{
	int any = 0;
	for (;;) {
		int c = cur(lx, 0), d;
		if (is_digit(c))
			d = c - '0';
		else if (base == 16 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'))
			d = (c | 0x20) - 'a' + 10;
		else
			break;
		if ((unsigned)d >= base)
			break;
		if (*v > (UINT64_MAX - (uint64_t)d) / base)
			return lex_fail(lx, at, lx->pos - at.off + 1, NULL,
					"number too large: FPL values are unsigned 64-bit");
		*v = *v * base + (uint64_t)d;
		any = 1;
		adv(lx);
	}
	if (!any)
		return lex_fail(lx, at, lx->pos - at.off + 1, NULL, "number without digits");
	return 0;
}

/* A dotted quad a.b.c.d (an IPv4 address, as the u32 IP_SRC/IP_DST compare with). */
static int dotted(struct fpl_lexer *lx, uint64_t first, struct ffpf_loc at)
{
	uint64_t v = first, part;
	for (int i = 0; i < 3; i++) {
		if (cur(lx, 0) != '.' || !is_digit(cur(lx, 1)))
			return lex_fail(lx, at, lx->pos - at.off, "an address is written a.b.c.d",
					"incomplete IPv4 address");
		adv(lx);
		part = 0;
		if (digits(lx, 10, &part, at))
			return -EINVAL;
		if (part > 255)
			return lex_fail(lx, at, lx->pos - at.off, NULL,
					"IPv4 address part %llu is above 255", (unsigned long long)part);
		v = v << 8 | part;
	}
	if (first > 255)
		return lex_fail(lx, at, lx->pos - at.off, NULL,
				"IPv4 address part %llu is above 255", (unsigned long long)first);
	lx->tok.num = v;
	return 0;
}

static int number(struct fpl_lexer *lx)
{
	struct ffpf_loc at = here(lx);
	unsigned base = 10;
	uint64_t v = 0;
	int rc;

	if (cur(lx, 0) == '0' && (cur(lx, 1) | 0x20) == 'x')
		base = 16;
	else if (cur(lx, 0) == '0' && (cur(lx, 1) | 0x20) == 'b')
		base = 2;
	if (base != 10)
		adv(lx), adv(lx);
	if (digits(lx, base, &v, at))
		return -EINVAL;
	lx->tok.num = v;
	rc = base == 10 && cur(lx, 0) == '.' ? dotted(lx, v, at) : 0;
	if (!rc && (is_alpha(cur(lx, 0)) || is_digit(cur(lx, 0))))
		return lex_fail(lx, at, lx->pos - at.off + 1,
				"numbers are decimal, 0x hexadecimal, 0b binary or a.b.c.d",
				"invalid number");
	lx->tok.kind = T_NUM;
	return rc;
}

static int name(struct fpl_lexer *lx)
{
	struct ffpf_loc at = here(lx);
	while (is_alpha(cur(lx, 0)) || is_digit(cur(lx, 0)))
		adv(lx);
	if (lx->pos - at.off > MAX_NAME)
		return lex_fail(lx, at, lx->pos - at.off, NULL, "name longer than %d characters",
				MAX_NAME);
	lx->tok.kind = T_NAME;
	return 0;
}

static int hexval(int c)
{
	if (is_digit(c))
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One escape after the backslash; the decoded byte, or -1 (diagnosed). */
static int escape(struct fpl_lexer *lx)
{
	struct ffpf_loc at = here(lx);
	int c = cur(lx, 0), h1, h2;
	const char *hint = "valid escapes are \\\" \\\\ \\n \\t \\r and \\xHH";

	switch (c) {
	case '"': case '\\': adv(lx); return c;
	case 'n': adv(lx); return '\n';
	case 't': adv(lx); return '\t';
	case 'r': adv(lx); return '\r';
	case 'x':
		h1 = hexval(cur(lx, 1));
		h2 = hexval(cur(lx, 2));
		if (h1 >= 0 && h2 >= 0 && (h1 || h2)) {
			adv(lx), adv(lx), adv(lx);
			return h1 << 4 | h2;
		}
		break;
	}
	lex_fail(lx, at, 1, hint, "invalid escape in string");
	return -1;
}

static int string(struct fpl_lexer *lx)
{
	struct ffpf_loc at = here(lx);
	char buf[MAX_STR + 1];
	size_t n = 0;

	adv(lx);
	for (;;) {
		int c = cur(lx, 0);
		if (c == -1 || c == '\n')
			return lex_fail(lx, at, 1, "strings end on the line they start", "unterminated string");
		if (c == '"')
			break;
		if (c < 0x20 && c != '\t')
			return lex_fail(lx, here(lx), 1, "write such bytes as \\xHH",
					"invalid byte 0x%02x in string", c);
		if (c == '\\') {
			adv(lx);
			if ((c = escape(lx)) < 0)
				return -EINVAL;
		} else {
			adv(lx);
		}
		if (n == MAX_STR)
			return lex_fail(lx, at, 1, NULL, "string longer than %d bytes", MAX_STR);
		buf[n++] = (char)c;
	}
	adv(lx);
	buf[n] = '\0';
	if (!(lx->tok.str = strdup(buf)))
		return -ENOMEM;
	lx->tok.kind = T_STR;
	return 0;
}

/* Operators, longest first so "<<=" wins over "<<" and "<". */
static const struct {
	const char *text;
	enum fpl_tok kind;
} ops[] = {
	{"<<=", T_SHLEQ}, {">>=", T_SHREQ},
	{"||", T_OROR}, {"&&", T_ANDAND}, {"==", T_EQ}, {"!=", T_NE}, {"<=", T_LE}, {">=", T_GE},
	{"<<", T_SHL}, {">>", T_SHR}, {"++", T_INC}, {"--", T_DEC}, {"+=", T_ADDEQ},
	{"-=", T_SUBEQ}, {"*=", T_MULEQ}, {"/=", T_DIVEQ}, {"%=", T_MODEQ}, {"&=", T_ANDEQ},
	{"|=", T_OREQ}, {"^=", T_XOREQ},
	{"(", T_LPAREN}, {")", T_RPAREN}, {"[", T_LBRACK}, {"]", T_RBRACK}, {",", T_COMMA},
	{";", T_SEMI}, {".", T_DOT}, {"|", T_OR}, {"^", T_XOR}, {"&", T_AND}, {"<", T_LT},
	{">", T_GT}, {"+", T_PLUS}, {"-", T_MINUS}, {"*", T_STAR}, {"/", T_SLASH},
	{"%", T_PERCENT}, {"!", T_NOT}, {"~", T_TILDE}, {"=", T_ASSIGN},
};

static void punct(struct fpl_lexer *lx)
{
	for (size_t i = 0; i < COUNT(ops); i++) {
		size_t n = strlen(ops[i].text);
		if (lx->len - lx->pos >= n && memcmp(lx->src + lx->pos, ops[i].text, n) == 0) {
			for (size_t k = 0; k < n; k++)
				adv(lx);
			lx->tok.kind = ops[i].kind;
			return;
		}
	}
	adv(lx); /* one character, whole: a UTF-8 sequence stays together for the message */
	while (lx->pos < lx->len && is_cont((unsigned char)lx->src[lx->pos]))
		adv(lx);
	lx->tok.kind = T_OTHER;
}

int fpl_lex_next(struct fpl_lexer *lx)
{
	int c, rc;

	free(lx->tok.str);
	memset(&lx->tok, 0, sizeof(lx->tok));
	if ((rc = skip_blank(lx)))
		return rc;
	lx->tok.loc = here(lx);
	c = cur(lx, 0);
	if (c == -1)
		rc = 0, lx->tok.kind = T_EOF;
	else if (is_digit(c))
		rc = number(lx);
	else if (is_alpha(c))
		rc = name(lx);
	else if (c == '"')
		rc = string(lx);
	else
		punct(lx), rc = 0;
	lx->tok.len = lx->pos - lx->tok.loc.off;
	return rc;
}

void fpl_tok_describe(const struct fpl_lexer *lx, const struct fpl_token *t, char *buf, size_t n)
{
	int len = t->len > 40 ? 40 : (int)t->len;
	const char *s = lx->src + t->loc.off;

	switch (t->kind) {
	case T_EOF: snprintf(buf, n, "end of program"); break;
	case T_NUM: snprintf(buf, n, "number %.*s", len, s); break;
	case T_NAME: snprintf(buf, n, "name '%.*s'", len, s); break;
	case T_STR: snprintf(buf, n, "a string"); break;
	default: snprintf(buf, n, "'%.*s'", len, s); break;
	}
}
