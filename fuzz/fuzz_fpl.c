/* fuzz_fpl.c — libFuzzer target for FPL: any bytes as a program through the lexer, parser and
 * checker; what compiles is emitted as C and run by the interpreter over fixed packets. */

/* A failed compile must leave a well-formed diagnostic whose line:col agrees with its byte
 * offset; a program that compiles must run without crash or undefined behaviour (ASan/UBSan
 * watch), within its checked work bound, the same way twice, and every packet is its own
 * allocation of exactly caplen bytes so a read past it is caught.  EXTERN callees are stand-ins
 * with the real classes' word counts (bpf 0/1, count 0/1, bytes 0/2) and a non-callable one. */
#include "fpl/fpl.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { WORDS = 64 };

static uint32_t fake_bpf(struct ffpf_fn *fn, const struct ffpf_pkt *p, const uint64_t *in, uint64_t *out)
{
	return (uint32_t)(out[0] = p->caplen > 40);
}

static uint32_t fake_count(struct ffpf_fn *fn, const struct ffpf_pkt *p, const uint64_t *in, uint64_t *out)
{
	out[0]++;
	return 1;
}

static uint32_t fake_bytes(struct ffpf_fn *fn, const struct ffpf_pkt *p, const uint64_t *in, uint64_t *out)
{
	out[0] += p->wirelen;
	out[1] += p->caplen;
	return 1;
}

static const struct ffpf_class classes[] = {
	{.name = "bpf", .call = fake_bpf, .call_out_words = 1},
	{.name = "count", .call = fake_count, .call_out_words = 1},
	{.name = "bytes", .call = fake_bytes, .call_out_words = 2},
	{.name = "file"},
};

static const struct ffpf_class *find(const char *name)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (!strcasecmp(classes[i].name, name))
			return &classes[i];
	return NULL;
}

/* Ethernet frames: IPv4+TCP, 802.1Q+IPv4+UDP, QinQ+IPv6+hop-by-hop+TCP, a truncated IPv4, an
 * IPv6 later fragment, and nothing at all. */
static const struct {
	uint32_t caplen, wirelen;
	const char *bytes;
} packets[] = {
	{54, 60, "\0\1\2\3\4\5\0\1\2\3\4\6\x08\x00\x45\0\0\x28\0\1\x40\0\x40\6\0\0\x0a\0\0\1\x0a\0\0\2"
		 "\x30\x39\0\x50\0\0\0\1\0\0\0\0\x50\x02\xff\xff\0\0\0\0"},
	{50, 50, "\0\1\2\3\4\5\0\1\2\3\4\6\x81\x00\0\x64\x08\x00\x45\0\0\x20\0\1\0\0\x80\x11\0\0\x0a\0\0\2"
		 "\x08\x08\x08\x08\xd4\x31\0\x35\0\x0c\0\0\x90\x90\x90\x90"},
	{90, 90, "\0\1\2\3\4\5\0\1\2\3\4\6\x88\xa8\0\7\x81\x00\0\xc8\x86\xdd\x60\0\0\0\0\x1c\0\x40"
		 "\x20\1\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1\x20\1\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\2"
		 "\x06\0\1\4\0\0\0\0\0\x50\x1f\x90\0\0\0\0\0\0\0\0\x50\x12\xff\xff\0\0\0\0"},
	{28, 60, "\0\1\2\3\4\5\0\1\2\3\4\6\x08\x00\x4f\0\0\x28\0\1\x40\0\x40\6\0\0\x0a\0"},
	{70, 70, "\0\1\2\3\4\5\0\1\2\3\4\6\x86\xdd\x60\0\0\0\0\x10\x2c\x40"
		 "\x20\1\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1\x20\1\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\2"
		 "\x11\0\x05\xc9\0\0\0\1\1\2\3\4\5\6\7\x08"},
	{0, 64, ""},
};

#define NPKT (sizeof(packets) / sizeof(packets[0]))

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

/* Every packet once, into M; the classes and errors go into out. */
static void run_all(const struct ffpf_fpl *p, const struct ffpf_fpl_xctx *x, uint64_t *M, uint64_t *out)
{
	for (size_t i = 0; i < NPKT; i++) {
		uint8_t *copy = malloc(packets[i].caplen ? packets[i].caplen : 1);
		struct ffpf_pkt pkt = {copy, packets[i].caplen, packets[i].wirelen};
		int err;
		memcpy(copy, packets[i].bytes, packets[i].caplen);
		out[2 * i] = ffpf_fpl_run(p, &pkt, M, x, &err);
		out[2 * i + 1] = (uint64_t)err;
		if (err < 0 || err > FFPF_FPL_ECALL || (err && out[2 * i]))
			abort();
		free(copy);
	}
}

static void exercise(const struct ffpf_fpl *p)
{
	struct ffpf_fpl_xctx x = {.linktype = 1};
	uint64_t m1[WORDS] = {0}, m2[WORDS] = {0}, r1[2 * NPKT], r2[2 * NPKT];
	struct strbuf c = {0};

	if (ffpf_fpl_work(p) > FFPF_FPL_MAX_TOTAL || ffpf_fpl_ncallees(p) > FFPF_FPL_MAX_CALLEES)
		abort();
	for (unsigned i = 0; i < ffpf_fpl_ncallees(p); i++) {
		const char *el = ffpf_fpl_callee_element(p, i);
		char name[16] = {0};
		memcpy(name, el + 1, strcspn(el + 1, ",)") < 15 ? strcspn(el + 1, ",)") : 15);
		if (!find(name) || !find(name)->call)
			abort(); /* the checker let a non-callable class through */
		x.callee[i] = (struct ffpf_fpl_callee){NULL, find(name)->call};
	}
	x.ncallees = ffpf_fpl_ncallees(p);
	run_all(p, &x, m1, r1);
	run_all(p, &x, m2, r2);
	if (memcmp(r1, r2, sizeof(r1)) || memcmp(m1, m2, sizeof(m1)))
		abort(); /* a fresh MBuf must give the same run */
	if (ffpf_fpl_emit_c(p, "fuzzed", &c) || !c.s || !strstr(c.s, "static uint32_t fuzzed("))
		abort();
	sb_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ffpf_fpl_opts o = {.mbuf_words = WORDS, .origin = "fuzz", .find_class = find};
	struct ffpf_fpl *p = NULL;
	struct ffpf_diag d;
	int rc = ffpf_fpl_compile((const char *)data, size, &o, &p, &d);

	if (rc) {
		if (p)
			abort();
		check_diag(&d, (const char *)data, size, rc);
		return 0;
	}
	exercise(p);
	ffpf_fpl_free(p);
	return 0;
}
