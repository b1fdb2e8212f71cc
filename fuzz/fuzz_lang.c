/* fuzz_lang.c — libFuzzer target for the request language parser, printer and diagnostics. */

/* Any bytes are parsed; on success the canonical form must parse back to itself, on failure the
 * diagnostic must be well formed and its line:col must match its byte offset. */
#include "lang/ast.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A diagnostic must be terminated, and its line:col must agree with its byte offset: that
 * catches the lexer losing track of lines or columns, which tests rarely would. */
static void check_diag(const struct ffpf_diag *d, const char *src, size_t size, int rc)
{
	struct ffpf_loc l;
	if (rc != -EINVAL && rc != -E2BIG && rc != -ENOMEM)
		abort();
	if (!memchr(d->msg, '\0', sizeof d->msg) || !memchr(d->text, '\0', sizeof d->text))
		abort();
	if (!d->msg[0] || strncmp(d->text, "fuzz:", 5) != 0)
		abort();
	if (d->loc.off > size)
		abort();
	l = ffpf_loc_at(src, size, d->loc.off);
	if (l.line != d->loc.line || l.col != d->loc.col)
		abort();
}

/* The canonical form is a fixed point: parse(format(x)) formats to format(x). */
static void check_round_trip(const struct ffpf_request *r)
{
	struct ffpf_request *r2 = NULL;
	struct ffpf_diag d;
	char *s = ffpf_request_format(r), *s2;

	if (!s)
		abort();
	if (ffpf_lang_parse(s, strlen(s), "canonical", &r2, &d) != 0)
		abort();
	s2 = ffpf_request_format(r2);
	if (!s2 || strcmp(s, s2) != 0)
		abort();
	free(s);
	free(s2);
	ffpf_request_free(r2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ffpf_request *r = NULL;
	struct ffpf_diag d;
	int rc = ffpf_lang_parse((const char *)data, size, "fuzz", &r, &d);

	if (rc) {
		if (r)
			abort();
		check_diag(&d, (const char *)data, size, rc);
		return 0;
	}
	check_round_trip(r);
	ffpf_request_free(r);
	return 0;
}
