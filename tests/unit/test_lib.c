/* test_lib.c — the library end to end on generated traces: lifecycle, overlay, union of inputs,
 * several sources merged in time order, every class's results, drop accounting, exports, and
 * errors from each stage. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ffpf/ffpf.h>
#include "testlib.h"

static char small[256], other[256];

/* Packets of trace matching filter, counted by libpcap itself. */
static uint64_t pcap_count(const char *trace, const char *filter)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(trace, err);
	struct bpf_program prog;
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0;

	if (!p || pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN))
		return UINT64_MAX;
	while (pcap_next_ex(p, &h, &d) == 1)
		n += pcap_offline_filter(&prog, h, d) != 0;
	pcap_freecode(&prog);
	pcap_close(p);
	return n;
}

static struct ffpf *start(const char *req)
{
	struct ffpf *f = ffpf_create(NULL);
	if (!f || ffpf_populate(f, req) || ffpf_instantiate(f) || ffpf_activate(f)) {
		fprintf(stderr, "start(%s): %s\n", req, f ? ffpf_errmsg(f) : "?");
		ffpf_close(f);
		return NULL;
	}
	return f;
}

static uint64_t u64(struct ffpf *f, const char *fn, const char *res)
{
	uint64_t v = UINT64_MAX;
	if (ffpf_result_u64(f, fn, res, &v))
		fprintf(stderr, "no result %s.%s\n", fn, res);
	return v;
}

static void test_counts_and_drops(void)
{
	char req[2048];
	snprintf(req, sizeof(req),
		 "src:(file,\"%s\") > f:(bpf,\"tcp\") > [ c:(count) | b:(bytes) | h:(head,7) > hc:(count) ]",
		 small);
	struct ffpf *f = start(req);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ_U(ffpf_run(f), 0);
	uint64_t tcp = pcap_count(small, "tcp"), all = pcap_count(small, "");
	CHECK_EQ_U(u64(f, "c", "packets"), tcp);
	CHECK_EQ_U(u64(f, "src", "packets"), all);
	CHECK_EQ_U(u64(f, "hc", "packets"), 7);
	CHECK_EQ_U(u64(f, "h", "passed"), 7);
	const struct ffpf_fn_info *x = ffpf_fn_info(f, (unsigned)ffpf_fn_lookup(f, "f"));
	CHECK_EQ_U(x->in, all);
	CHECK_EQ_U(x->passed, tcp);
	CHECK_EQ_U(x->drops[FFPF_DROP_REJECTED], all - tcp);
	x = ffpf_fn_info(f, (unsigned)ffpf_fn_lookup(f, "h"));
	CHECK_EQ_U(x->drops[FFPF_DROP_OVER_LIMIT], tcp - 7);
	CHECK(u64(f, "b", "bytes") >= u64(f, "b", "captured"));
	CHECK_EQ_U(ffpf_step(f), 0); /* done stays done */
	ffpf_close(f);
}

static void test_overlay(void)
{
	char r1[1024], r2[1024];
	struct ffpf *f = ffpf_create(NULL);
	snprintf(r1, sizeof(r1), "(file,\"%s\") > (bpf,\"udp\") > (count)", small);
	snprintf(r2, sizeof(r2), "(FILE,expr=\"%s\") > (BPF,expr=\"udp\",optimize=yes) > [ (pktcount) | (bytecount) ]",
		 small);
	CHECK(f && ffpf_populate(f, r1) == 0);
	CHECK(ffpf_populate(f, r2) == 0);
	CHECK_EQ_U(ffpf_fn_count(f), 4); /* file, bpf, count shared; bytes new */
	CHECK_EQ_U(ffpf_fn_info(f, 1)->nrequests, 2);
	CHECK_EQ_U(ffpf_fn_info(f, 2)->nrequests, 2);
	CHECK_EQ_U(ffpf_fn_info(f, 3)->nrequests, 1);
	/* a failing request leaves the graph as it was */
	CHECK(ffpf_populate(f, "(bpf,\"udp\") > (count) > (nosuch)") == -EINVAL);
	CHECK_EQ_U(ffpf_fn_count(f), 4);
	CHECK(strstr(ffpf_errmsg(f), "unknown function class 'nosuch'") != NULL);
	char *plan = ffpf_plan(f, 0);
	CHECK(plan && strstr(plan, "shared by 2 requests"));
	free(plan);
	plan = ffpf_plan(f, 1);
	CHECK(plan && strstr(plan, "digraph") && strstr(plan, "n1 -> n2"));
	free(plan);
	ffpf_close(f);
}

/* Two sources into one counter: one aggregate count; union of overlapping branches. */
static void test_union_and_sources(void)
{
	char req[2048];
	snprintf(req, sizeof(req),
		 "[ (file,\"%s\") | (file,\"%s\") ] > [ (bpf,\"tcp\") | (bpf,\"tcp or udp\") ] > u:(count)",
		 small, other);
	struct ffpf *f = start(req);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ_U(ffpf_run(f), 0);
	CHECK_EQ_U(u64(f, "u", "packets"), pcap_count(small, "tcp or udp") + pcap_count(other, "tcp or udp"));
	ffpf_close(f);
}

/* Exported packets come out in timestamp order across two sources, each exactly once. */
static void test_export_order(void)
{
	char req[2048];
	struct ffpf_packet p;
	uint64_t last = 0, n = 0, ordered = 1;
	int rc;

	snprintf(req, sizeof(req), "[ (file,\"%s\") | (file,\"%s\") ] > (bpf,\"ip\") > out:(export)", small,
		 other);
	struct ffpf *f = start(req);
	CHECK(f != NULL);
	if (!f)
		return;
	while ((rc = ffpf_export_next(f, "out", &p)) > 0) {
		ordered &= p.ts_ns >= last;
		last = p.ts_ns;
		n++;
		CHECK(p.cls == 1 && p.caplen <= p.wirelen && p.data);
	}
	CHECK_EQ_U(rc, 0);
	CHECK(ordered);
	CHECK_EQ_U(n, pcap_count(small, "ip") + pcap_count(other, "ip"));
	CHECK_EQ_U(u64(f, "out", "delivered"), n);
	CHECK_EQ_U(u64(f, "out", "overrun"), 0);
	CHECK(ffpf_export_next(f, "nosuch", &p) == -ENOENT);
	ffpf_close(f);
}

/* A reader that never reads loses the oldest packets, counted; the graph is not stalled. */
static void test_slow_reader(void)
{
	char req[2048];
	struct ffpf_opts o = {.sz = sizeof(o), .export_slots = 64};
	struct ffpf *f = ffpf_create(&o);
	struct ffpf_packet p;
	uint64_t got = 0;

	snprintf(req, sizeof(req), "(file,\"%s\") > out:(export)", small);
	CHECK(f && !ffpf_populate(f, req) && !ffpf_instantiate(f) && !ffpf_activate(f));
	CHECK_EQ_U(ffpf_run(f), 0);
	while (ffpf_export_next(f, "out", &p) > 0)
		got++;
	uint64_t all = pcap_count(small, "");
	CHECK_EQ_U(got, 64);
	CHECK_EQ_U(u64(f, "out", "overrun"), all - 64);
	ffpf_close(f);
}

static void test_sample(void)
{
	char req[2048];
	snprintf(req, sizeof(req),
		 "(file,\"%s\") > [ d:(sample,10) | r:(sample,10,mode=random,seed=5) | r2:(sample,10,mode=random,seed=5) | one:(sample,1) ]",
		 small);
	struct ffpf *f = start(req);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ_U(ffpf_run(f), 0);
	uint64_t all = pcap_count(small, "");
	CHECK_EQ_U(u64(f, "d", "passed"), (all + 9) / 10);
	CHECK_EQ_U(u64(f, "one", "passed"), all);
	uint64_t r = u64(f, "r", "passed");
	CHECK(r > all / 20 && r < all / 5); /* about one in ten */
	CHECK_EQ_U(ffpf_fn_count(f), 4);    /* file d r one: r and r2 are identical, one function */
	ffpf_close(f);
}

static void test_errors(void)
{
	struct ffpf *f = ffpf_create(NULL);
	CHECK(ffpf_instantiate(f) == -EINVAL); /* empty */
	CHECK(ffpf_populate(f, "(count") == -EINVAL);
	CHECK(strstr(ffpf_errmsg(f), "1:") != NULL);
	CHECK(ffpf_populate(f, "(head)") == -EINVAL); /* no source */
	CHECK(ffpf_step(f) < 0);                       /* not active */
	ffpf_close(f);

	/* a missing file is a populate error; a non-pcap file an instantiate error */
	f = ffpf_create(NULL);
	CHECK(ffpf_populate(f, "(file,\"/nonexistent.pcap\") > (count)") == -EINVAL);
	CHECK(ffpf_populate(f, "(file,\"/etc/hostname\") > (count)") == 0);
	CHECK(ffpf_instantiate(f) < 0);
	CHECK(strstr(ffpf_errmsg(f), "/etc/hostname") != NULL);
	ffpf_close(f);
	ffpf_close(NULL);
}

/* Labels: a label names one function; a later request's label for a shared function is an
 * extra name, and the first names keep working. */
static void test_labels(void)
{
	char r1[1024], r2[1024], r3[1024];
	struct ffpf *f = ffpf_create(NULL);
	uint64_t a = 0, b = 0;

	snprintf(r1, sizeof(r1), "(file,\"%s\") > (bpf,\"tcp\") > c:(count)", small);
	snprintf(r2, sizeof(r2), "(file,\"%s\") > (bpf,\"udp\") > c:(count)", small);
	snprintf(r3, sizeof(r3), "(file,\"%s\") > (bpf,\"tcp\") > mine:(count) > (bytes)", small);
	CHECK(!ffpf_populate(f, r1));
	CHECK(ffpf_populate(f, r2) == -EINVAL); /* same label, another function */
	CHECK(strstr(ffpf_errmsg(f), "label 'c' already names another function") != NULL);
	CHECK(!ffpf_populate(f, r3));           /* shared count, second name */
	CHECK(ffpf_fn_lookup(f, "c") == ffpf_fn_lookup(f, "mine"));
	CHECK(ffpf_fn_lookup(f, "bpf#1") >= 0);
	CHECK(!ffpf_instantiate(f) && !ffpf_activate(f) && !ffpf_run(f));
	CHECK(!ffpf_result_u64(f, "c", "packets", &a) && !ffpf_result_u64(f, "mine", "packets", &b));
	CHECK(a == b && a == pcap_count(small, "tcp"));
	CHECK(ffpf_result_u64(f, "nosuch", "packets", &a) == -ENOENT);
	CHECK(strstr(ffpf_errmsg(f), "nosuch") != NULL);
	ffpf_close(f);

	f = ffpf_create(NULL);
	CHECK(ffpf_default_source(f, "(count)") == 0);
	CHECK(ffpf_populate(f, "(bytes)") == -EINVAL); /* a default source must be a source */
	CHECK(strstr(ffpf_errmsg(f), "is not a source") != NULL);
	ffpf_close(f);
}

/* Choices are case-insensitive and canonical: one function, the random mode really random. */
static void test_choice_case(void)
{
	char req[1024];
	struct ffpf *f = ffpf_create(NULL);
	snprintf(req, sizeof(req), "(file,\"%s\") > [ a:(sample,10,mode=RANDOM) | (sample,10,mode=random) ]", small);
	CHECK(!ffpf_populate(f, req));
	CHECK_EQ_U(ffpf_fn_count(f), 2);
	CHECK(strstr(ffpf_fn_info(f, 1)->params, "mode=\"random\"") != NULL);
	ffpf_close(f);
}

/* A run ended early with ffpf_finish() publishes what the dump holds. */
static void test_finish_early(void)
{
	char req[1024], out[512];
	struct ffpf *f = ffpf_create(NULL);
	snprintf(out, sizeof(out), "%s/ffpf-early-%d.pcap", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (int)getpid());
	snprintf(req, sizeof(req), "(file,\"%s\") > d:(dump,\"%s\")", small, out);
	CHECK(!ffpf_populate(f, req) && !ffpf_instantiate(f) && !ffpf_activate(f));
	CHECK(ffpf_step(f) == 1);
	ffpf_stop(f);
	CHECK(ffpf_run(f) == -EINTR);
	CHECK(ffpf_finish(f) == 0);
	uint64_t n = 0;
	CHECK(!ffpf_result_u64(f, "d", "packets", &n) && n > 0 && n < pcap_count(small, ""));
	ffpf_close(f);
	CHECK_EQ_U(pcap_count(out, ""), n);
	remove(out);
}

static void test_classes(void)
{
	CHECK(ffpf_class_count() >= 8);
	CHECK(ffpf_class_find("PktCount") == ffpf_class_find("count"));
	CHECK(ffpf_class_find("bytecount") == ffpf_class_find("bytes"));
	CHECK(ffpf_class_find("nosuch") == NULL);
	for (unsigned i = 0; i < ffpf_class_count(); i++) {
		const struct ffpf_class *c = ffpf_class_at(i);
		CHECK(c->name && c->summary);
		CHECK((c->flags & FFPF_CLASS_SOURCE) ? c->fill && c->peek : c->run != NULL);
	}
}

int main(void)
{
	snprintf(small, sizeof(small), "%s/small.pcap", tl_trace_dir());
	snprintf(other, sizeof(other), "%s/other.pcap", tl_trace_dir());
	test_counts_and_drops();
	test_overlay();
	test_union_and_sources();
	test_export_order();
	test_slow_reader();
	test_sample();
	test_errors();
	test_classes();
	test_labels();
	test_choice_case();
	test_finish_early();
	return tl_done("test_lib");
}
