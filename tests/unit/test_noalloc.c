/* test_noalloc.c — the datapath never allocates: malloc/calloc/realloc are counted (interposed)
 * while a flowgraph runs over 100 thousand and over 2 million packets, and the counts must be
 * equal (and small): allocation may not grow with the number of packets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ffpf/ffpf.h>
#include "testlib.h"

#include "alloccount.h"

#if FFPF_ALLOCCOUNT

/* Allocations made while running the request over trace (after activate). */
static long run_allocs(const char *trace, uint64_t *packets)
{
	char req[2048];
	struct ffpf *f = ffpf_create(NULL);
	unsigned long before;
	int rc;

	snprintf(req, sizeof(req),
		 "(file,\"%s\") > [ (bpf,\"tcp dst port 80\") > (count) | (bpf,\"udp\") > (bytes) |"
		 " (sample,10) > (head,1000000) > (count) | (export) ]; (file,\"%s\") > (dump,\"out.pcap\")",
		 trace, trace);
	if (!f || ffpf_populate(f, req) || ffpf_instantiate(f) || ffpf_activate(f)) {
		fprintf(stderr, "setup: %s\n", f ? ffpf_errmsg(f) : "no handle");
		ffpf_close(f);
		return -1;
	}
	before = allocs;
	while ((rc = ffpf_step(f)) > 0)
		;
	long n = rc ? -1 : (long)(allocs - before);
	*packets = ffpf_packets_read(f);
	ffpf_close(f);
	remove("out.pcap");
	return n;
}

static int gen(const char *out, const char *count)
{
	char cmd[4096];
	const char *g = getenv("FFPF_GEN");
	snprintf(cmd, sizeof(cmd), "'%s' -q --seed 3 --snaplen 96 --count %s -o '%s'", g ? g : "ffpf-gen",
		 count, out);
	return system(cmd);
}
#endif

int main(void)
{
#if !FFPF_ALLOCCOUNT
	puts("test_noalloc: skipped: AddressSanitizer owns malloc (the plain build runs this test)");
	return 77;
#else
	char small[512], big[512];
	uint64_t ns = 0, nb = 0;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	long as, ab;

	snprintf(small, sizeof(small), "%s/ffpf-noalloc-small-%d.pcap", tmp, (int)getpid());
	snprintf(big, sizeof(big), "%s/ffpf-noalloc-big-%d.pcap", tmp, (int)getpid());
	CHECK(gen(small, "100000") == 0);
	CHECK(gen(big, "2000000") == 0);
	as = run_allocs(small, &ns);
	ab = run_allocs(big, &nb);
	remove(small);
	remove(big);
	printf("allocations while running: %ld over %llu packets, %ld over %llu packets\n", as,
	       (unsigned long long)ns, ab, (unsigned long long)nb);
	CHECK_EQ_U(ns, 100000);
	CHECK_EQ_U(nb, 2000000);
	CHECK(as >= 0 && ab >= 0);
	CHECK(as == ab);
	CHECK(ab < 16); /* a few one-time lazy allocations at most (stdio), none per packet */
	return tl_done("test_noalloc");
#endif
}
