/* strbuf.c — a growing string for the control plane. */
#include "util/strbuf.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct strbuf *sb, size_t more)
{
	size_t need = sb->len + more + 1;
	char *n;
	if (sb->oom)
		return -1;
	if (need <= sb->cap)
		return 0;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	n = realloc(sb->s, cap);
	if (!n) {
		sb->oom = 1;
		return -1;
	}
	sb->s = n;
	sb->cap = cap;
	return 0;
}

void sb_putc(struct strbuf *sb, char c)
{
	if (grow(sb, 1))
		return;
	sb->s[sb->len++] = c;
	sb->s[sb->len] = 0;
}

void sb_puts(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);
	if (grow(sb, n))
		return;
	memcpy(sb->s + sb->len, s, n + 1);
	sb->len += n;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

static void put_escaped(struct strbuf *sb, const char *s, int json)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_printf(sb, "\\%c", *p);
		else if (*p == '\n')
			sb_puts(sb, "\\n");
		else if (*p == '\t')
			sb_puts(sb, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			sb_printf(sb, json ? "\\u%04x" : "\\x%02x", *p);
		else
			sb_putc(sb, (char)*p);
	}
}

void sb_quote(struct strbuf *sb, const char *s)
{
	sb_putc(sb, '"');
	put_escaped(sb, s ? s : "", 0);
	sb_putc(sb, '"');
}

void sb_json(struct strbuf *sb, const char *s)
{
	sb_putc(sb, '"');
	put_escaped(sb, s ? s : "", 1);
	sb_putc(sb, '"');
}

char *sb_take(struct strbuf *sb)
{
	char *s = sb->oom ? NULL : sb->s;
	if (sb->oom)
		free(sb->s);
	else if (!s)
		s = strdup("");
	sb->s = NULL;
	sb->len = sb->cap = 0;
	sb->oom = 0;
	return s;
}

void sb_free(struct strbuf *sb)
{
	free(sb->s);
	sb->s = NULL;
	sb->len = sb->cap = 0;
}
