/* test_codegen.c — native code gives exactly the interpreters' results.
 *
 *  1. translator: every expression of tests/data/bpf_exprs.txt translated to C, compiled and
 *     loaded, against our cBPF interpreter and libpcap's bpf_filter, packet by packet, over the
 *     generated traces and (when present) ../shared/traces;
 *  2. fused units: one flowgraph with all the expressions, compiled vs --no-compile vs libpcap;
 *  3. fallbacks: no compiler, a corrupt cached object, an unsafe cache directory — each runs
 *     interpreted with the reason in the plan, and results do not change.
 */
#include <dirent.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ffpf/ffpf.h>
#include "codegen/cbpf2c.h"
#include "codegen/cc.h"
#include "codegen/unit.h"
#include "filter/cbpf.h"
#include "testlib.h"

#define MAXE 256
typedef uint32_t (*bpf_c_fn)(const uint8_t *, uint32_t, uint32_t);

static char *exprs[MAXE];
static bpf_u_int32 masks[MAXE];
static struct bpf_program progs[MAXE];
static bpf_c_fn cfn[MAXE];
static unsigned nexpr;
static unsigned long compared, mismatches, files;
static char cachedir[256];

static void load_exprs(void)
{
	char path[512], line[1024];
	snprintf(path, sizeof(path), "%s/bpf_exprs.txt", getenv("FFPF_TEST_DATA"));
	FILE *fp = fopen(path, "r");
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);

	CHECK(fp != NULL);
	while (fp && fgets(line, sizeof(line), fp) && nexpr < MAXE) {
		char *e = line;
		line[strcspn(line, "\n")] = 0;
		if (!*line || *line == '#')
			continue;
		masks[nexpr] = PCAP_NETMASK_UNKNOWN;
		if (!strncmp(line, "netmask=", 8)) {
			masks[nexpr] = (bpf_u_int32)strtoul(line + 8, &e, 0);
			e++;
		}
		if (pcap_compile(dead, &progs[nexpr], e, 1, masks[nexpr]))
			continue;
		exprs[nexpr++] = strdup(e);
	}
	if (fp)
		fclose(fp);
	pcap_close(dead);
}

/* One C unit holding every expression, plus the ABI symbols the loader checks. */
static void *compile_all(void)
{
	struct strbuf sb = {0};
	char name[32], why[512] = "";

	ffpf_unit_header(&sb);
	for (unsigned i = 0; i < nexpr; i++) {
		snprintf(name, sizeof(name), "bpf_%u", i);
		ffpf_cbpf_to_c(progs[i].bf_insns, progs[i].bf_len, name, &sb);
		sb_printf(&sb, "uint32_t t_%u(const uint8_t *P, uint32_t c, uint32_t w);\n"
			       "uint32_t t_%u(const uint8_t *P, uint32_t c, uint32_t w) { return bpf_%u(P, c, w); }\n",
			  i, i, i);
	}
	void *h = ffpf_cc_load(sb.s, sb.len, why, sizeof(why));
	if (!h)
		fprintf(stderr, "compile_all: %s\n", why);
	sb_free(&sb);
	for (unsigned i = 0; h && i < nexpr; i++) {
		snprintf(name, sizeof(name), "t_%u", i);
		*(void **)&cfn[i] = ffpf_cc_sym(h, name);
		CHECK(cfn[i] != NULL);
	}
	return h;
}

static void compare_file(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *d;

	if (!p)
		return;
	if (pcap_datalink(p) != DLT_EN10MB) {
		pcap_close(p);
		return;
	}
	files++;
	while (pcap_next_ex(p, &h, &d) == 1) {
		uint8_t *pkt = malloc(h->caplen ? h->caplen : 1); /* exactly caplen: ASan sees overreads */
		memcpy(pkt, d, h->caplen);
		for (unsigned i = 0; i < nexpr; i++) {
			uint32_t a = ffpf_cbpf_run(progs[i].bf_insns, pkt, h->len, h->caplen);
			uint32_t b = cfn[i](pkt, h->caplen, h->len);
			uint32_t c = bpf_filter(progs[i].bf_insns, pkt, h->len, h->caplen);
			compared++;
			if (a != b || b != c) {
				if (mismatches++ < 10)
					fprintf(stderr, "%s: \"%s\": interp %u, C %u, libpcap %u\n", path, exprs[i], a, b, c);
			}
		}
		free(pkt);
	}
	pcap_close(p);
}

static void compare_dir(const char *dir, unsigned limit)
{
	tl_each_trace(dir, limit, compare_file);
}

/* All expressions in one flowgraph; count of each returned in counts[]. */
static int run_graph(const char *trace, int no_compile, uint64_t *counts, char *why, size_t n)
{
	struct ffpf_opts o = {.sz = sizeof(o), .no_compile = no_compile};
	struct ffpf *f = ffpf_create(&o);
	struct strbuf sb = {0};
	char lbl[16];
	int rc;

	sb_printf(&sb, "(file,\"%s\") > [", trace);
	for (unsigned i = 0; i < nexpr; i++) {
		if (masks[i] != PCAP_NETMASK_UNKNOWN)
			continue; /* netmask is not a bpf class parameter */
		sb_printf(&sb, "%s(bpf,", i ? " | " : " ");
		sb_quote(&sb, exprs[i]);
		sb_printf(&sb, ") > c%u:(count)", i);
	}
	sb_puts(&sb, " ]");
	rc = ffpf_populate(f, sb.s) || ffpf_instantiate(f) || ffpf_activate(f) || ffpf_run(f);
	if (rc)
		fprintf(stderr, "run_graph: %s\n", ffpf_errmsg(f));
	for (unsigned i = 0; !rc && i < nexpr; i++) {
		snprintf(lbl, sizeof(lbl), "c%u", i);
		counts[i] = UINT64_MAX;
		if (masks[i] == PCAP_NETMASK_UNKNOWN)
			ffpf_result_u64(f, lbl, "packets", &counts[i]);
	}
	const struct ffpf_fn_info *x = ffpf_fn_info(f, 1);
	snprintf(why, n, "%s%s%s", x ? x->mode : "?", x && *x->why ? ": " : "", x ? x->why : "");
	sb_free(&sb);
	ffpf_close(f);
	return rc;
}

static uint64_t pcap_count(const char *trace, unsigned i)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(trace, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0;
	while (p && pcap_next_ex(p, &h, &d) == 1)
		n += pcap_offline_filter(&progs[i], h, d) != 0;
	if (p)
		pcap_close(p);
	return n;
}

static void fused_vs_interp(void)
{
	static uint64_t a[MAXE], b[MAXE];
	char trace[512], why[256];
	snprintf(trace, sizeof(trace), "%s/mixed.pcap", tl_trace_dir());
	CHECK(run_graph(trace, 0, a, why, sizeof(why)) == 0);
	printf("fused unit of %u filters: %s\n", nexpr, why);
	CHECK(!strcmp(why, "compiled"));
	CHECK(run_graph(trace, 1, b, why, sizeof(why)) == 0);
	CHECK(strstr(why, "interpreted: interpreters requested") != NULL);
	for (unsigned i = 0; i < nexpr; i++) {
		if (masks[i] != PCAP_NETMASK_UNKNOWN)
			continue;
		uint64_t want = pcap_count(trace, i);
		if (a[i] != want || b[i] != want)
			fprintf(stderr, "\"%s\": compiled %llu, interpreted %llu, libpcap %llu\n", exprs[i],
				(unsigned long long)a[i], (unsigned long long)b[i], (unsigned long long)want);
		CHECK(a[i] == want && b[i] == want);
	}
}

/* Mode and reason of a small graph under the current environment. */
static void small_run(char *why, size_t n, uint64_t *count)
{
	char req[512];
	struct ffpf *f = ffpf_create(NULL);
	snprintf(req, sizeof(req), "(file,\"%s/small.pcap\") > (bpf,\"udp\") > c:(count)", tl_trace_dir());
	CHECK(!ffpf_populate(f, req) && !ffpf_instantiate(f) && !ffpf_activate(f) && !ffpf_run(f));
	const struct ffpf_fn_info *x = ffpf_fn_info(f, 1);
	snprintf(why, n, "%s %s", x->mode, x->why);
	ffpf_result_u64(f, "c", "packets", count);
	char *plan = ffpf_plan(f, 0);
	CHECK(plan && strstr(plan, x->mode));
	free(plan);
	ffpf_close(f);
}

static void fallbacks(void)
{
	char why[512], so[512], fb[300];
	uint64_t n0 = 0, n = 0;
	struct dirent *e;

	snprintf(fb, sizeof(fb), "%s/fb", cachedir); /* a cache holding only this test's unit */
	setenv("XDG_CACHE_HOME", fb, 1);
	small_run(why, sizeof(why), &n0);
	CHECK(!strncmp(why, "compiled", 8));
	/* a corrupt object in the cache is rebuilt */
	snprintf(so, sizeof(so), "%s/ffpf", fb);
	DIR *d = opendir(so);
	while (d && (e = readdir(d)))
		if (strstr(e->d_name, ".so")) {
			char p[1024];
			snprintf(p, sizeof(p), "%s/%s", so, e->d_name);
			FILE *fp = fopen(p, "w");
			fputs("garbage", fp);
			fclose(fp);
		}
	if (d)
		closedir(d);
	small_run(why, sizeof(why), &n);
	CHECK(!strncmp(why, "compiled", 8) && n == n0);
	/* an unsafe cache directory is not used */
	chmod(so, 0777);
	small_run(why, sizeof(why), &n);
	printf("unsafe cache: %s\n", why);
	CHECK(strstr(why, "interpreted") && strstr(why, "not a private directory") && n == n0);
	chmod(so, 0700);
	/* no compiler */
	setenv("FFPF_CC", "/nonexistent/cc", 1);
	char fresh[300]; /* an empty cache: something must be compiled */
	snprintf(fresh, sizeof(fresh), "%s/fresh", cachedir);
	setenv("XDG_CACHE_HOME", fresh, 1);
	small_run(why, sizeof(why), &n);
	printf("no compiler: %s\n", why);
	CHECK(strstr(why, "interpreted") && strstr(why, "no C compiler") && n == n0);
	unsetenv("FFPF_CC");
}

int main(void)
{
	snprintf(cachedir, sizeof(cachedir), "%s/ffpf-cg-%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (int)getpid());
	mkdir(cachedir, 0700);
	setenv("XDG_CACHE_HOME", cachedir, 1);
	load_exprs();
	CHECK(nexpr >= 60);
	void *h = compile_all();
	CHECK(h != NULL);
	if (h) {
		compare_dir(tl_trace_dir(), 100);
		compare_dir(tl_shared_dir(), getenv("FFPF_TEST_QUICK") ? 50 : 100000);
		printf("translator: %u expressions, %lu files, %lu comparisons, %lu mismatches\n", nexpr, files,
		       compared, mismatches);
		CHECK(files >= 3);
		CHECK_EQ_U(mismatches, 0);
	}
	ffpf_cc_unload(h);
	fused_vs_interp();
	fallbacks();
	for (unsigned i = 0; i < nexpr; i++) {
		free(exprs[i]);
		pcap_freecode(&progs[i]);
	}
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cachedir);
	CHECK(system(cmd) == 0);
	return tl_done("test_codegen");
}
