/* cbpf_bench.c — ns/packet of libpcap's bpf_filter vs ffpf_cbpf_run (median of 5 runs).
 *
 * Build (from the repository root; not built by CMake):
 *   cc -std=c17 -O2 -D_GNU_SOURCE -Isrc bench/cbpf_bench.c src/filter/cbpf.c -lpcap -o cbpf_bench
 * Run:
 *   ./cbpf_bench [trace.pcap [expression ...]]    (default: ../shared/traces/ndpi__1kxun.pcap)
 */
#include "filter/cbpf.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { RUNS = 5, TARGET_PKTS = 4000000 /* packets per timed run: ~10-100 ms */ };

struct pkts {
	struct ffpf_cbpf_pkt *v;
	uint16_t *sel, *out;
	size_t n;
};

static const char *default_exprs[] = {
	"udp",
	"port 53",
	"tcp dst port 80 and tcp[tcpflags] & tcp-syn != 0",
	"ip6 and tcp",
	"vlan and tcp",
	"net 192.168.0.0/16 and (port 80 or port 443)",
	"ip[2:2] - ((ip[0]&0xf)<<2) > 100",
	"not (port 22 or port 80 or port 443 or port 53)",
};

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* load: every packet of the trace into memory, once. */
static pcap_t *load(const char *path, struct pkts *p)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	pcap_t *pc = pcap_open_offline(path, errbuf);
	size_t cap = 0;

	if (!pc) {
		fprintf(stderr, "%s\n", errbuf);
		exit(1);
	}
	while (pcap_next_ex(pc, &h, &bytes) == 1 && p->n < 65536) {
		if (p->n == cap) {
			cap = cap ? 2 * cap : 1024;
			p->v = realloc(p->v, cap * sizeof *p->v);
		}
		uint8_t *copy = malloc(h->caplen ? h->caplen : 1);
		memcpy(copy, bytes, h->caplen);
		p->v[p->n++] = (struct ffpf_cbpf_pkt){copy, h->caplen, h->len};
	}
	p->sel = malloc((p->n + 1) * sizeof *p->sel);
	p->out = malloc((p->n + 1) * sizeof *p->out);
	for (size_t i = 0; i < p->n; i++)
		p->sel[i] = (uint16_t)i;
	return pc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* run_once: ns/packet of one timed run; mode 0 = bpf_filter, 1 = ffpf, 2 = ffpf batch. */
static double run_once(const struct bpf_insn *prog, const struct pkts *p, int mode,
		       unsigned long *accepted)
{
	size_t reps = TARGET_PKTS / p->n + 1;
	unsigned long acc = 0;
	double t0 = now_ns();

	for (size_t rep = 0; rep < reps; rep++) {
		if (mode == 2) {
			acc += ffpf_cbpf_run_batch(prog, p->v, p->sel, (unsigned)p->n, p->out);
			continue;
		}
		for (size_t i = 0; i < p->n; i++) {
			const struct ffpf_cbpf_pkt *k = &p->v[i];
			acc += mode ? ffpf_cbpf_run(prog, k->data, k->wirelen, k->caplen) != 0
				    : bpf_filter(prog, k->data, k->wirelen, k->caplen) != 0;
		}
	}
	*accepted = acc / reps;
	return (now_ns() - t0) / (double)(reps * p->n);
}

/* bench_expr: the three modes interleaved run by run, so machine noise hits them alike. */
static void bench_expr(pcap_t *pc, const char *expr, const struct pkts *p)
{
	struct bpf_program bp;
	unsigned long acc[3];
	double t[3][RUNS];

	if (pcap_compile(pc, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    ffpf_cbpf_check(bp.bf_insns, bp.bf_len, NULL, 0) != 0) {
		fprintf(stderr, "skip \"%s\": %s\n", expr, pcap_geterr(pc));
		return;
	}
	for (int r = 0; r < RUNS; r++)
		for (int m = 0; m < 3; m++)
			t[m][r] = run_once(bp.bf_insns, p, m, &acc[m]);
	for (int m = 0; m < 3; m++)
		qsort(t[m], RUNS, sizeof t[m][0], cmp_double);
	printf("%-50.50s %4u %7lu %8.2f %8.2f %8.2f %7.2fx%s\n", expr, bp.bf_len, acc[1],
	       t[0][RUNS / 2], t[1][RUNS / 2], t[2][RUNS / 2], t[0][RUNS / 2] / t[1][RUNS / 2],
	       acc[0] == acc[1] && acc[1] == acc[2] ? "" : "  VERDICTS DIFFER");
	pcap_freecode(&bp);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "../shared/traces/ndpi__1kxun.pcap";
	struct pkts p = {0};
	pcap_t *pc = load(path, &p);

	printf("%s: %zu packets; ns/packet, median of %d runs\n", path, p.n, RUNS);
	printf("%-50s %4s %7s %8s %8s %8s %8s\n", "expression", "insn", "pass", "libpcap", "ffpf",
	       "batch", "speedup");
	if (argc > 2)
		for (int i = 2; i < argc; i++)
			bench_expr(pc, argv[i], &p);
	else
		for (size_t i = 0; i < sizeof default_exprs / sizeof *default_exprs; i++)
			bench_expr(pc, default_exprs[i], &p);
	pcap_close(pc);
	return 0;
}
