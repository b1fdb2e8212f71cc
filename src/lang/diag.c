/* diag.c — renders a diagnostic: the header, the offending source line and a caret under it. */
#include <errno.h>
#include "diag.h"
#include <stdio.h>
#include <string.h>

/* Longest stretch of a source line shown; longer lines get a window around the caret so the
 * whole rendering still fits in ffpf_diag.text. */
#define DIAG_WIDTH 72

/* Bounded appender into a fixed buffer: output past the end is dropped, the buffer stays
 * NUL-terminated. */
struct tbuf {
	char *p;
	size_t n, cap;
};

static void tb_putc(struct tbuf *b, char c)
{
	if (b->n + 1 < b->cap)
		b->p[b->n++] = c;
	b->p[b->n] = '\0';
}

static void tb_puts(struct tbuf *b, const char *s)
{
	while (*s)
		tb_putc(b, *s++);
}

static int is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/* [*ls, *le): the line holding byte off, without its '\n' (and without a '\r' before it). */
static void line_bounds(const char *src, size_t len, size_t off, size_t *ls, size_t *le)
{
	size_t s = off, e = off;
	while (s > 0 && src[s - 1] != '\n')
		s--;
	while (e < len && src[e] != '\n')
		e++;
	if (e > s && src[e - 1] == '\r' && off < e)
		e--;
	*ls = s;
	*le = e;
}

/* Choose the shown window [*ws, *we) of line [ls, le) so that off is inside it. */
static void window(const char *src, size_t ls, size_t le, size_t off, size_t *ws, size_t *we)
{
	size_t s = ls, e = le;
	if (off - ls > DIAG_WIDTH - 16) {
		s = off - DIAG_WIDTH / 2;
		while (s < off && is_cont((unsigned char)src[s]))
			s++;
	}
	if (e - s > DIAG_WIDTH) {
		e = s + DIAG_WIDTH;
		while (e > off && e < le && is_cont((unsigned char)src[e]))
			e--;
	}
	*ws = s;
	*we = e;
}

/* The source line; control bytes become '?' so a NUL or escape sequence cannot hide the rest. */
static void put_line(struct tbuf *b, const char *src, size_t ls, size_t le, size_t ws, size_t we)
{
	tb_puts(b, ws > ls ? "  ..." : "  ");
	for (size_t i = ws; i < we; i++) {
		unsigned char c = (unsigned char)src[i];
		tb_putc(b, c == '\t' || (c >= 0x20 && c != 0x7f) ? (char)c : '?');
	}
	tb_puts(b, we < le ? "...\n" : "\n");
}

/* The caret line: copy tabs from the source so the caret lines up whatever the tab width. */
static void put_caret(struct tbuf *b, const char *src, size_t ls, size_t ws, size_t we, size_t off,
		      size_t span)
{
	tb_puts(b, ws > ls ? "     " : "  ");
	for (size_t i = ws; i < off; i++) {
		unsigned char c = (unsigned char)src[i];
		if (!is_cont(c))
			tb_putc(b, c == '\t' ? '\t' : ' ');
	}
	tb_putc(b, '^');
	for (size_t i = off + 1; i < off + span && i < we; i++)
		if (!is_cont((unsigned char)src[i]))
			tb_putc(b, '~');
	tb_putc(b, '\n');
}

void ffpf_diag_vset(struct ffpf_diag *d, const char *origin, const char *src, size_t srclen,
		    struct ffpf_loc loc, size_t span, const char *fmt, va_list ap)
{
	struct tbuf b = { d->text, 0, sizeof d->text };
	size_t ls, le, ws, we, off;

	d->loc = loc;
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	d->text[0] = '\0';
	snprintf(d->text, sizeof d->text, "%s:%u:%u: error: %s\n", origin ? origin : "request",
		 loc.line, loc.col, d->msg);
	b.n = strlen(d->text);
	if (!src)
		return;
	off = loc.off < srclen ? loc.off : srclen;
	line_bounds(src, srclen, off, &ls, &le);
	if (off > le)	/* caret on a '\r' that ends the line: show it just past the text */
		off = le;
	window(src, ls, le, off, &ws, &we);
	put_line(&b, src, ls, le, ws, we);
	put_caret(&b, src, ls, ws, we, off, span);
}

void ffpf_diag_set(struct ffpf_diag *d, const char *origin, const char *src, size_t srclen,
		   struct ffpf_loc loc, size_t span, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ffpf_diag_vset(d, origin, src, srclen, loc, span, fmt, ap);
	va_end(ap);
}

void ffpf_diag_hint(struct ffpf_diag *d, const char *fmt, ...)
{
	char hint[256];
	struct tbuf b = { d->text, strlen(d->text), sizeof d->text };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(hint, sizeof hint, fmt, ap);
	va_end(ap);
	tb_puts(&b, "  hint: ");
	tb_puts(&b, hint);
	tb_putc(&b, '\n');
}

struct ffpf_loc ffpf_loc_at(const char *src, size_t srclen, size_t off)
{
	struct ffpf_loc l = { 1, 1, 0 };
	if (off > srclen)
		off = srclen;
	for (size_t i = 0; i < off; i++) {
		if (src[i] == '\n') {
			l.line++;
			l.col = 1;
		} else if (!is_cont((unsigned char)src[i])) {
			l.col++;
		}
	}
	l.off = off;
	return l;
}

int ffpf_diag_vfail(struct ffpf_diag *d, const char *origin, const char *src, size_t srclen,
		    struct ffpf_loc loc, size_t span, const char *hint, const char *fmt, va_list ap)
{
	ffpf_diag_vset(d, origin, src, srclen, loc, span, fmt, ap);
	if (hint)
		ffpf_diag_hint(d, "%s", hint);
	return -EINVAL;
}
