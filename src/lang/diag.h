/* diag.h — diagnostics for the request language: "origin:line:col: error: msg", the line, a caret. */
#ifndef FFPF_LANG_DIAG_H
#define FFPF_LANG_DIAG_H
#include <stdarg.h>
#include <stddef.h>

/* A position in the source: 1-based line and column, 0-based byte offset.  Columns count
 * characters, not bytes: a tab is one column and a UTF-8 sequence is one column. */
struct ffpf_loc {
	unsigned line, col;
	size_t off;
};

/* One error.  msg is the bare message; text is the full rendering, ready to print:
 *   request:1:17: error: expected ')' or ',' after argument, found '|'
 *     [ (file,"a.pcap" | (file,"b.pcap") ]
 *                      ^
 *     hint: ...                       (only where a hint helps)
 * Both are always NUL-terminated; too-long content is cut, never overflowed. */
struct ffpf_diag {
	struct ffpf_loc loc;
	char msg[2048];
	char text[4096];
};

/* Render a diagnostic at loc for source src[0..srclen) into *d (overwriting it).  span is how
 * many source bytes to underline (0 or 1: just the caret; more: "^~~~", cut at the line end).
 * origin names the input ("request" or a file name; NULL means "request").  src may be NULL,
 * then only the header line is produced.  Long lines are shown as a window around loc.
 * Used by the parser and later by the graph builder ("unknown class 'foo'" at an element). */
void ffpf_diag_set(struct ffpf_diag *d, const char *origin, const char *src, size_t srclen,
		   struct ffpf_loc loc, size_t span, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* The same with a va_list. */
void ffpf_diag_vset(struct ffpf_diag *d, const char *origin, const char *src, size_t srclen,
		    struct ffpf_loc loc, size_t span, const char *fmt, va_list ap)
	__attribute__((format(printf, 7, 0)));
/* A lexer's or parser's error in one call: ffpf_diag_vset, then the hint line when hint is not
 * NULL.  Returns -EINVAL. */
int ffpf_diag_vfail(struct ffpf_diag *d, const char *origin, const char *src, size_t srclen,
		    struct ffpf_loc loc, size_t span, const char *hint, const char *fmt, va_list ap)
	__attribute__((format(printf, 8, 0)));
/* Append a "  hint: ..." line to d->text (after ffpf_diag_set). */
void ffpf_diag_hint(struct ffpf_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The location of byte offset off in src (off is clamped to srclen).  O(off): for callers that
 * only kept an offset. */
struct ffpf_loc ffpf_loc_at(const char *src, size_t srclen, size_t off);
#endif
