/* filtercost.c — ns/packet of filtering alone: libpcap's bpf_filter(), ffpf's cBPF interpreter
 * (ffpf_cbpf_run) and ffpf's compiled code, for one filter and for a set of filters, on packets
 * held in memory.  Part of bench/codegen.sh (see bench/README.md).
 *
 *   filtercost [-n PACKETS] [-r RUNS] [-u UNIT1.c] [-U UNITN.c] [-o PLACE.SET.ENGINE] TRACE F1 [F2 ...]
 *
 * -o times only that case (e.g. -o hot.N.compiled), for profiling it with perf record.
 * Sets: "1" = {F1}; "N" = {F1 .. Fk} (only when k > 1).  Engines, all over the same packets in
 * batches of FFPF_BATCH_MAX, packet by packet, every filter of the set on each packet, each
 * filter appending the packets it passes to its own selection vector (struct ffpf_sel), as a
 * stage of the engine does:
 *   walk      the floor: the same generated loop with a trivial filter (one byte read per packet)
 *   libpcap   bpf_filter() per filter and packet
 *   interp    ffpf_cbpf_run() per filter and packet (ffpf --no-compile's BPF engine)
 *   compiled  one generated C function per set, the filters translated by ffpf_cbpf_to_c() and
 *             inlined into one loop (the shape of src/codegen/unit.c), built with ffpf_cc_load()
 *   stage     (with -u / -U) the engine's own unit, `ffpf plan --emit-c` of
 *             (bpf,"F1") > (count)  resp.  [ (bpf,"F1") > (count) | ... ]: ffpf_stage_0 called per
 *             batch with the source's selection as its input, so it includes the count members
 *             and the stage's own bookkeeping.
 * Two placements of the packets:
 *   hot       the packets of 4 batches are copied into a small buffer (not timed), so they are
 *             in the cache when filtered, as in the engine (which filters a batch it has just
 *             read); then every case filters that group in turn, in an order rotating from group
 *             to group, each timed on its own (clock_gettime, CLOCK_MONOTONIC): a burst of noise
 *             on the machine hits all cases alike
 *   stream    one timed pass of a case over all packets where they lie in memory (hundreds of
 *             MB: every packet comes from DRAM)
 * Every (set, engine, placement) is timed RUNS times (a run: one hot sweep of all cases, then one
 * stream pass of each); printed: median, min and max ns/packet.  Every engine's per-filter counts
 * must equal libpcap's in every run (exit 1 if not).
 *
 * Build (bench/codegen.sh does it), from the repository root, with a CMake build in B:
 *   cc -std=c17 -O2 -D_GNU_SOURCE -Iinclude -Isrc bench/filtercost.c B/libffpf.a \
 *      $(pkg-config --libs libpcap) -ldl -lm -o filtercost
 * Compiled code is cached like ffpf's ($XDG_CACHE_HOME/ffpf).
 */
#include <ffpf/class.h>

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codegen/cbpf2c.h"
#include "codegen/cc.h"
#include "codegen/unit.h"
#include "filter/cbpf.h"
#include "util/strbuf.h"

enum { GROUP = 4, MAXF = 64, MAXRUNS = 101, MAXMEM = 256 };
enum { E_WALK, E_LIBPCAP, E_INTERP, E_COMPILED, E_STAGE, NENG };
enum { P_HOT, P_STREAM, NPLACE };
static const char *const eng_name[NENG] = {"walk", "libpcap", "interp", "compiled", "stage"};
static const char *const place_name[NPLACE] = {"hot", "stream"};

typedef void (*fused_fn)(const struct ffpf_batch *b, struct ffpf_sel *o);

static struct bpf_program prog[MAXF];
static unsigned nfilt;

/* A set of filters and what runs it. */
struct set {
	const char *name;
	unsigned nf;                 /* filters 0 .. nf-1 */
	fused_fn compiled, walk;
	ffpf_stage_fn stage;         /* NULL without a unit */
	unsigned nmem;               /* stage members */
	struct ffpf_stage_member mem[MAXMEM];
	uint64_t mbuf[MAXMEM][16];
	struct ffpf_sel *mout;       /* nmem selections */
	void *xctx[MAXMEM];
	uint64_t pass[NENG][MAXF];   /* per engine and filter (stage: per member), this pass */
	double t[NENG][NPLACE][MAXRUNS];     /* ns per packet of each run */
	double *tg[NENG][NPLACE];            /* ns of group g in run r: [g * runs + r] */
};

static struct ffpf_sel sel[MAXF], src_sel;
static struct ffpf_batch *batches, hot[GROUP];
static unsigned nbatches, ngroups, nruns, run_no; /* run_no: the timed run being recorded */
static size_t npk;
static uint8_t *hotbuf;
static size_t hotcap;

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "filtercost: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- the packets ------------------------------------------------------------------------- */

/* Up to max packets of the trace into one arena, back to back with a 16-byte gap each (as the
 * records of a pcap file lie in ffpf's read ring), described by batches of FFPF_BATCH_MAX. */
static int load(const char *path, size_t max)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t cap = 1 << 24, used = 0, pcap_ = 1024;
	uint8_t *arena;
	struct {
		size_t off;
		uint32_t caplen, wirelen;
	} *ix;
	int linktype;

	if (!pc)
		die("%s", err);
	linktype = pcap_datalink(pc);
	arena = malloc(cap);
	ix = malloc(pcap_ * sizeof(*ix));
	if (!arena || !ix)
		die("%s", "out of memory");
	while (npk < max && pcap_next_ex(pc, &h, &d) == 1) {
		while (used + 16 + h->caplen > cap) {
			cap *= 2;
			if (!(arena = realloc(arena, cap)))
				die("%s", "out of memory");
		}
		if (npk == pcap_) {
			pcap_ *= 2;
			if (!(ix = realloc(ix, pcap_ * sizeof(*ix))))
				die("%s", "out of memory");
		}
		used += 16;
		memcpy(arena + used, d, h->caplen);
		ix[npk].off = used;
		ix[npk].caplen = h->caplen;
		ix[npk++].wirelen = h->len;
		used += h->caplen;
	}
	pcap_close(pc);
	if (!npk)
		die("%s: no packets", path);
	nbatches = (unsigned)((npk + FFPF_BATCH_MAX - 1) / FFPF_BATCH_MAX);
	batches = calloc(nbatches, sizeof(*batches));
	if (!batches)
		die("%s", "out of memory");
	for (size_t i = 0; i < npk; i++) {
		struct ffpf_batch *b = &batches[i / FFPF_BATCH_MAX];
		b->linktype = linktype;
		b->pkt[b->n++] = (struct ffpf_pkt){arena + ix[i].off, ix[i].caplen, ix[i].wirelen};
	}
	/* the largest group of GROUP batches, for the hot buffer */
	for (unsigned g = 0; g < nbatches; g += GROUP) {
		unsigned last = g + GROUP < nbatches ? g + GROUP - 1 : nbatches - 1;
		const struct ffpf_pkt *a = &batches[g].pkt[0], *z = &batches[last].pkt[batches[last].n - 1];
		size_t len = (size_t)(z->data + z->caplen - a->data);
		if (len > hotcap)
			hotcap = len;
	}
	hotbuf = malloc(hotcap + 64);
	if (!hotbuf)
		die("%s", "out of memory");
	free(ix);
	for (unsigned i = 0; i < FFPF_BATCH_MAX; i++) {
		src_sel.idx[i] = (uint16_t)i;
		src_sel.cls[i] = 1;
	}
	printf("# %s: %zu packets, %zu bytes in memory (link type %d)\n", path, npk, used, linktype);
	return linktype;
}

/* Copy the packets of group g into hotbuf and point hot[] at them; returns how many batches. */
static unsigned make_hot(unsigned g)
{
	unsigned nb = g + GROUP <= nbatches ? GROUP : nbatches - g;
	const struct ffpf_pkt *a = &batches[g].pkt[0];
	const struct ffpf_pkt *z = &batches[g + nb - 1].pkt[batches[g + nb - 1].n - 1];
	const uint8_t *base = a->data;

	memcpy(hotbuf, base, (size_t)(z->data + z->caplen - base));
	for (unsigned k = 0; k < nb; k++) {
		const struct ffpf_batch *b = &batches[g + k];
		hot[k].n = b->n;
		hot[k].linktype = b->linktype;
		for (unsigned i = 0; i < b->n; i++)
			hot[k].pkt[i] = (struct ffpf_pkt){hotbuf + (b->pkt[i].data - base), b->pkt[i].caplen,
							  b->pkt[i].wirelen};
	}
	return nb;
}

/* ---- the engines over one batch ---------------------------------------------------------- */

#define INTERP_LOOP(NAME, CALL)                                                                  \
	static void NAME(const struct ffpf_batch *b, struct ffpf_sel *o, unsigned nf)              \
	{                                                                                         \
		for (unsigned f = 0; f < nf; f++)                                                 \
			o[f].n = 0;                                                               \
		for (unsigned i = 0; i < b->n; i++) {                                             \
			const struct ffpf_pkt *p = &b->pkt[i];                                    \
			for (unsigned f = 0; f < nf; f++)                                         \
				if (CALL) {                                                       \
					o[f].idx[o[f].n] = (uint16_t)i;                           \
					o[f].cls[o[f].n++] = 1;                                   \
				}                                                                 \
		}                                                                                 \
	}
INTERP_LOOP(run_libpcap, bpf_filter(prog[f].bf_insns, p->data, p->wirelen, p->caplen))
INTERP_LOOP(run_interp, ffpf_cbpf_run(prog[f].bf_insns, p->data, p->wirelen, p->caplen))

static void run_batch(struct set *s, int e, const struct ffpf_batch *b)
{
	uint64_t *pass = s->pass[e];
	switch (e) {
	case E_WALK:
		s->walk(b, sel);
		pass[0] += sel[0].n;
		return;
	case E_LIBPCAP: run_libpcap(b, sel, s->nf); break;
	case E_INTERP: run_interp(b, sel, s->nf); break;
	case E_COMPILED: s->compiled(b, sel); break;
	default: { /* E_STAGE: counts in the members, see collect() */
		const struct ffpf_sel *ext[1] = {&src_sel};
		struct ffpf_stage_io io = {.b = b, .mem = s->mem, .ext = ext, .xctx = s->xctx};
		src_sel.n = b->n;
		s->stage(&io);
		return;
	}
	}
	for (unsigned f = 0; f < s->nf; f++)
		pass[f] += sel[f].n;
}

static void reset(struct set *s, int e)
{
	memset(s->pass[e], 0, sizeof(s->pass[e]));
	if (e == E_STAGE)
		for (unsigned k = 0; k < s->nmem; k++)
			s->mem[k].passed = s->mem[k].in = s->mem[k].err = 0;
}

static void collect(struct set *s, int e)
{
	if (e == E_STAGE) /* members are bpf/count pairs: each filter's count shows up twice */
		for (unsigned k = 0; k < s->nmem; k++)
			s->pass[e][k] = s->mem[k].passed;
}

/* stream: one pass of engine e over every packet where it lies; ns per packet.  Each group of
 * GROUP batches is timed too, into tg (when tg is not NULL). */
static double pass_stream(struct set *s, int e, double *tg)
{
	double t = 0;
	reset(s, e);
	for (unsigned g = 0; g < nbatches; g += GROUP) {
		unsigned nb = g + GROUP <= nbatches ? GROUP : nbatches - g;
		double t0 = now_ns();
		for (unsigned k = 0; k < nb; k++)
			run_batch(s, e, &batches[g + k]);
		t0 = now_ns() - t0;
		t += t0;
		if (tg)
			tg[(g / GROUP) * nruns + run_no] = t0;
	}
	collect(s, e);
	return t / (double)npk;
}

/* hot: one pass of every case over every packet, group by group: each group is copied into the
 * hot buffer once and then filtered by each case in turn (the order rotating from group to group),
 * so a burst of noise on the machine hits every case alike.  ns per packet into t[case]. */
struct hcase {
	struct set *s;
	int e;
};
static void sweep_hot(const struct hcase *hc, unsigned nc, double *t, int record)
{
	for (unsigned c = 0; c < nc; c++) {
		reset(hc[c].s, hc[c].e);
		t[c] = 0;
	}
	for (unsigned g = 0; g < nbatches; g += GROUP) {
		unsigned nb = make_hot(g);
		for (unsigned j = 0; j < nc; j++) {
			unsigned c = (j + g / GROUP) % nc;
			double t0 = now_ns();
			for (unsigned k = 0; k < nb; k++)
				run_batch(hc[c].s, hc[c].e, &hot[k]);
			t0 = now_ns() - t0;
			t[c] += t0;
			if (record)
				hc[c].s->tg[hc[c].e][P_HOT][(g / GROUP) * nruns + run_no] = t0;
		}
	}
	for (unsigned c = 0; c < nc; c++) {
		collect(hc[c].s, hc[c].e);
		t[c] /= (double)npk;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* The engine's counts must be libpcap's (ref, per filter). */
static void check(struct set *s, int e, int place, const uint64_t *ref)
{
	int bad = 0;
	if (e == E_WALK)
		return;
	if (e == E_STAGE) {
		uint64_t a[2 * MAXF], b[2 * MAXF];
		if (s->nmem != 2 * s->nf)
			bad = 1;
		for (unsigned k = 0; !bad && k < s->nmem; k++) {
			a[k] = s->pass[e][k];
			b[k] = ref[k / 2];
		}
		if (!bad) {
			qsort(a, s->nmem, sizeof(a[0]), cmp_u64);
			qsort(b, s->nmem, sizeof(b[0]), cmp_u64);
			bad = memcmp(a, b, s->nmem * sizeof(a[0])) != 0;
		}
	} else {
		for (unsigned f = 0; f < s->nf; f++)
			bad |= s->pass[e][f] != ref[f];
	}
	if (bad) {
		fprintf(stderr, "filtercost: set %s, %s (%s): counts differ from libpcap's\n", s->name,
			eng_name[e], place_name[place]);
		exit(1);
	}
}

/* ---- generated code ---------------------------------------------------------------------- */

/* After the unit header (ffpf_unit_header: shared structures and the ABI symbols the loader
 * checks), the floor's trivial filter. */
static const char prelude[] =
	"static inline uint32_t walk_f(const uint8_t *restrict P, uint32_t caplen, uint32_t wirelen)\n"
	"{\n\t(void)wirelen;\n\treturn caplen > 12 && P[12] == 0xffu;\n}\n";

/* One fused loop: members (function names) on every packet, each with its selection. */
static void fused(struct strbuf *o, const char *fname, const char *const *members, unsigned n)
{
	sb_printf(o, "\nvoid %s(const struct ffpf_batch *b, struct ffpf_sel *o);\n"
		     "void %s(const struct ffpf_batch *b, struct ffpf_sel *o)\n{\n"
		     "\tconst unsigned n = b->n;\n", fname, fname);
	for (unsigned k = 0; k < n; k++)
		sb_printf(o, "\tstruct ffpf_sel *const o_%u = &o[%u];\n\to_%u->n = 0;\n", k, k, k);
	sb_puts(o, "\tfor (unsigned i = 0; i < n; i++) {\n\t\tconst struct ffpf_pkt *const pkt = &b->pkt[i];\n");
	for (unsigned k = 0; k < n; k++)
		sb_printf(o, "\t\tif (%s(pkt->data, pkt->caplen, pkt->wirelen)) "
			     "{ o_%u->idx[o_%u->n] = (uint16_t)i; o_%u->cls[o_%u->n++] = 1; }\n",
			  members[k], k, k, k, k);
	sb_puts(o, "\t}\n}\n");
}

static void *build_unit(struct set *sets, unsigned nsets)
{
	struct strbuf sb = {0};
	char why[1024] = "", name[32];
	const char *members[MAXF];
	char names[MAXF][32];
	const char *walk = "walk_f";
	void *h;
	double t0;

	ffpf_unit_header(&sb);
	sb_puts(&sb, prelude);
	for (unsigned f = 0; f < nfilt; f++) {
		snprintf(names[f], sizeof(names[f]), "bpf_%u", f);
		members[f] = names[f];
		ffpf_cbpf_to_c(prog[f].bf_insns, prog[f].bf_len, names[f], &sb);
	}
	fused(&sb, "fc_walk", &walk, 1);
	for (unsigned s = 0; s < nsets; s++) {
		snprintf(name, sizeof(name), "fc_set%u", s);
		fused(&sb, name, members, sets[s].nf);
	}
	if (sb.oom)
		die("%s", "out of memory");
	t0 = now_ns();
	h = ffpf_cc_load(sb.s, sb.len, why, sizeof(why));
	if (!h)
		die("cannot build the unit: %s", why);
	printf("# unit: %zu bytes of C, loaded in %.1f ms (cached by content in $XDG_CACHE_HOME/ffpf)\n",
	       sb.len, (now_ns() - t0) / 1e6);
	sb_free(&sb);
	for (unsigned s = 0; s < nsets; s++) {
		snprintf(name, sizeof(name), "fc_set%u", s);
		*(void **)&sets[s].compiled = ffpf_cc_sym(h, name);
		*(void **)&sets[s].walk = ffpf_cc_sym(h, "fc_walk");
		if (!sets[s].compiled || !sets[s].walk)
			die("%s", "symbols missing from the unit");
	}
	return h;
}

/* The engine's own unit (ffpf plan --emit-c): one stage, members counted from its source. */
static void *load_stage(struct set *s, const char *path)
{
	FILE *fp = fopen(path, "r");
	char *src = NULL, why[1024] = "";
	size_t len = 0, cap = 0, r;
	void *h;

	if (!fp)
		die("cannot open %s", path);
	do {
		if (len + 65536 > cap && !(src = realloc(src, cap = 2 * cap + 65536)))
			die("%s", "out of memory");
		r = fread(src + len, 1, cap - len - 1, fp);
		len += r;
	} while (r > 0);
	fclose(fp);
	src[len] = 0;
	if (strstr(src, "ffpf_stage_1("))
		die("%s: more than one stage", path);
	for (const char *q = src; (q = strstr(q, "io->mem[")); q += 8) {
		unsigned k = (unsigned)strtoul(q + 8, NULL, 10);
		if (k >= MAXMEM)
			die("%s: too many members", path);
		if (k + 1 > s->nmem)
			s->nmem = k + 1;
	}
	if (!(h = ffpf_cc_load(src, len, why, sizeof(why))))
		die("cannot load the engine's unit: %s", why);
	free(src);
	*(void **)&s->stage = ffpf_cc_sym(h, "ffpf_stage_0");
	if (!s->stage)
		die("%s: no ffpf_stage_0", path);
	s->mout = calloc(s->nmem, sizeof(*s->mout));
	if (!s->mout)
		die("%s", "out of memory");
	for (unsigned k = 0; k < s->nmem; k++)
		s->mem[k] = (struct ffpf_stage_member){.mbuf = (unsigned char *)s->mbuf[k], .out = &s->mout[k]};
	return h;
}

/* ---- main -------------------------------------------------------------------------------- */

/* Whether case (p, s, e) is timed: all, or only the one -o names. */
static int wanted(const char *only, int p, const struct set *s, int e)
{
	char name[64];
	if (e == E_STAGE && !s->stage)
		return 0;
	snprintf(name, sizeof(name), "%s.%s.%s", place_name[p], s->name, eng_name[e]);
	return !only || !strcmp(only, name);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void usage(void)
{
	fprintf(stderr, "usage: filtercost [-n PACKETS] [-r RUNS] [-u UNIT1.c] [-U UNITN.c] [-o PLACE.SET.ENGINE] TRACE F1 [F2 ...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	size_t maxpk = 1000000;
	unsigned runs = 7;
	const char *unit[2] = {NULL, NULL}, *only = NULL;
	struct set sets[2] = {{.name = "1"}, {.name = "N"}};
	unsigned nsets;
	uint64_t ref[2][MAXF];
	int c, linktype;
	pcap_t *dead;

	while ((c = getopt(argc, argv, "n:r:u:U:o:")) != -1) {
		switch (c) {
		case 'n': maxpk = strtoull(optarg, NULL, 10); break;
		case 'r': runs = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'u': unit[0] = optarg; break;
		case 'U': unit[1] = optarg; break;
		case 'o': only = optarg; break;
		default: usage();
		}
	}
	if (argc - optind < 2 || !maxpk || !runs || runs > MAXRUNS || argc - optind - 1 > MAXF)
		usage();
	linktype = load(argv[optind], maxpk);
	dead = pcap_open_dead(linktype, 262144);
	nfilt = (unsigned)(argc - optind - 1);
	for (unsigned f = 0; f < nfilt; f++) {
		const char *e = argv[optind + 1 + f];
		if (pcap_compile(dead, &prog[f], e, 1, PCAP_NETMASK_UNKNOWN))
			die("cannot compile %s", e);
		if (ffpf_cbpf_check(prog[f].bf_insns, prog[f].bf_len, NULL, 0))
			die("ffpf's checker refuses %s", e);
	}
	sets[0].nf = 1;
	sets[1].nf = nfilt;
	nsets = nfilt > 1 ? 2 : 1;
	nruns = runs;
	ngroups = (nbatches + GROUP - 1) / GROUP;
	for (unsigned s = 0; s < nsets; s++)
		for (int e = 0; e < NENG; e++)
			for (int p = 0; p < NPLACE; p++)
				if (!(sets[s].tg[e][p] = calloc((size_t)ngroups * runs, sizeof(double))))
					die("%s", "out of memory");
	void *h = build_unit(sets, nsets);
	void *hs[2] = {NULL, NULL};
	for (unsigned s = 0; s < nsets; s++)
		if (unit[s])
			hs[s] = load_stage(&sets[s], unit[s]);

	/* Untimed first pass: warms everything, gives the reference counts. */
	struct hcase hc[2 * NENG];
	double th[2 * NENG];
	unsigned nhc = 0, nhc_all = 0;
	for (unsigned s = 0; s < nsets; s++) {
		pass_stream(&sets[s], E_LIBPCAP, NULL);
		memcpy(ref[s], sets[s].pass[E_LIBPCAP], sizeof(ref[s]));
		for (int e = 0; e < NENG; e++)
			if (wanted(NULL, P_HOT, &sets[s], e)) {
				pass_stream(&sets[s], e, NULL);
				check(&sets[s], e, P_STREAM, ref[s]);
				hc[nhc_all++] = (struct hcase){&sets[s], e};
			}
	}
	sweep_hot(hc, nhc_all, th, 0);
	for (unsigned c = 0; c < nhc_all; c++)
		check(hc[c].s, hc[c].e, P_HOT, ref[hc[c].s == &sets[0] ? 0 : 1]);
	for (unsigned c = 0; c < nhc_all; c++) /* the hot cases timed: all, or the one of -o */
		if (wanted(only, P_HOT, hc[c].s, hc[c].e))
			hc[nhc++] = hc[c];
	for (unsigned f = 0; f < nfilt; f++)
		printf("count %u %llu %s\n", f + 1, (unsigned long long)ref[nsets - 1][f], argv[optind + 1 + f]);
	/* Timed runs, interleaved: run r of every case, then run r + 1. */
	for (unsigned r = 0; r < runs; r++) {
		run_no = r;
		if (nhc) {
			sweep_hot(hc, nhc, th, 1);
			for (unsigned c = 0; c < nhc; c++) {
				hc[c].s->t[hc[c].e][P_HOT][r] = th[c];
				check(hc[c].s, hc[c].e, P_HOT, ref[hc[c].s == &sets[0] ? 0 : 1]);
			}
		}
		for (unsigned s = 0; s < nsets; s++)
			for (int e = 0; e < NENG; e++)
				if (wanted(only, P_STREAM, &sets[s], e)) {
					sets[s].t[e][P_STREAM][r] = pass_stream(&sets[s], e, sets[s].tg[e][P_STREAM]);
					check(&sets[s], e, P_STREAM, ref[s]);
				}
	}
	printf("# ns/packet, %u runs: placement set engine median min max (median: per group of %u packets,\n"
	       "# the median of its %u runs, summed over the groups; min, max: of the runs' totals)\n",
	       runs, GROUP * FFPF_BATCH_MAX, runs);
	for (int p = 0; p < NPLACE; p++)
		for (unsigned s = 0; s < nsets; s++)
			for (int e = 0; e < NENG; e++) {
				double *t = sets[s].t[e][p], sum = 0;
				if (!wanted(only, p, &sets[s], e))
					continue;
				for (unsigned g = 0; g < ngroups; g++) {
					double *v = &sets[s].tg[e][p][(size_t)g * runs];
					qsort(v, runs, sizeof(v[0]), cmp_double);
					sum += runs % 2 ? v[runs / 2] : (v[runs / 2 - 1] + v[runs / 2]) / 2;
				}
				qsort(t, runs, sizeof(t[0]), cmp_double);
				printf("ns %s %s %s %.2f %.2f %.2f\n", place_name[p], sets[s].name, eng_name[e],
				       sum / (double)npk, t[0], t[runs - 1]);
			}
	for (unsigned s = 0; s < nsets; s++)
		ffpf_cc_unload(hs[s]);
	ffpf_cc_unload(h);
	for (unsigned f = 0; f < nfilt; f++)
		pcap_freecode(&prog[f]);
	pcap_close(dead);
	return 0;
}
