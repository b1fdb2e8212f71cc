/* strbuf.h — a growing string for the control plane (messages, plans, canonical forms). */
#ifndef FFPF_UTIL_STRBUF_H
#define FFPF_UTIL_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *s;
	size_t len, cap;
	int oom; /* set once an allocation failed; later appends are ignored */
};

void sb_putc(struct strbuf *sb, char c);
void sb_puts(struct strbuf *sb, const char *s);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s double-quoted with \" \\ \n \t \xHH escapes (the request language's own quoting). */
void sb_quote(struct strbuf *sb, const char *s);
/* Append s as a JSON string. */
void sb_json(struct strbuf *sb, const char *s);
/* Hand over the string (never NULL unless out of memory); the buffer is reset. */
char *sb_take(struct strbuf *sb);
void sb_free(struct strbuf *sb);
#endif
