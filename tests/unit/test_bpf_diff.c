/* test_bpf_diff.c — differential test: ffpf's cBPF interpreter vs libpcap's pcap_offline_filter. */
#include "filter/cbpf.h"
#include "testlib.h"

#include <dirent.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * For every trace (generated ones in $FFPF_TEST_TRACES, real ones in $FFPF_SHARED_TRACES if
 * present) and every expression in bpf_exprs.txt: compile with libpcap for the trace's link
 * type and snaplen, then run both interpreters over every packet and compare the exact return
 * values.  Each file's packets are loaded into memory once (each in its own malloc of exactly
 * caplen bytes, so ASan catches any read past caplen) and all expressions run over them.
 */

enum {
	MAX_PRINTED = 20,        /* mismatch lines printed before going quiet */
	UNOPT_EVERY = 3,         /* every 3rd expression also runs compiled with optimize=0 */
	QUICK_SHARED_FILES = 50, /* FFPF_TEST_QUICK=1: shared traces tested */
	BATCH = 256,             /* packets per ffpf_cbpf_run_batch call */
};

struct expr {
	char *text;
	bpf_u_int32 netmask;
};

struct exprs {
	struct expr *v;
	size_t n;
};

struct trace {
	const char *path;
	pcap_t *handle; /* kept open: pcap_compile needs its link type and snaplen */
	struct pcap_pkthdr *hdr;
	uint8_t **data;
	struct ffpf_cbpf_pkt *view; /* the same packets as the batch API sees them */
	uint8_t *verdict;           /* per packet: did ffpf accept it (for the batch check) */
	size_t n, cap;
};

static struct {
	unsigned long files, unreadable, packets, programs, unopt, skipped, comparisons;
	unsigned long mismatches;
} st;

/* ------------------------------------------------------------- expressions */

/* parse_expr: "netmask=0xNNNNNNNN expr" or "expr"; the netmask is for 'ip broadcast'. */
static struct expr parse_expr(const char *line)
{
	struct expr e = {.netmask = PCAP_NETMASK_UNKNOWN};
	char *end;

	if (strncmp(line, "netmask=", 8) == 0) {
		e.netmask = (bpf_u_int32)strtoul(line + 8, &end, 0);
		line = end + strspn(end, " \t");
	}
	e.text = strdup(line);
	return e;
}

static int load_exprs(const char *path, struct exprs *ex)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		char *s = line + strspn(line, " \t");
		s[strcspn(s, "\r\n")] = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		ex->v = realloc(ex->v, (ex->n + 1) * sizeof *ex->v);
		ex->v[ex->n++] = parse_expr(s);
	}
	fclose(f);
	return 0;
}

static void free_exprs(struct exprs *ex)
{
	for (size_t i = 0; i < ex->n; i++)
		free(ex->v[i].text);
	free(ex->v);
}

/* ------------------------------------------------------------------ traces */

static int is_capture_name(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && strcmp(name + n - 5, ".pcap") == 0) ||
	       (n > 7 && strcmp(name + n - 7, ".pcapng") == 0);
}

/* list_dir: sorted full paths of the regular entries of dir (only captures if pcap_only). */
static char **list_dir(const char *dir, int pcap_only, size_t *count)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	char **paths = calloc(n > 0 ? (size_t)n : 1, sizeof *paths);

	*count = 0;
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		if (name[0] != '.' && (!pcap_only || is_capture_name(name))) {
			size_t len = strlen(dir) + strlen(name) + 2;
			paths[*count] = malloc(len);
			snprintf(paths[(*count)++], len, "%s/%s", dir, name);
		}
		free(ents[i]);
	}
	if (n > 0)
		free(ents);
	return paths;
}

static void free_trace(struct trace *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->data[i]);
	free(t->hdr);
	free(t->data);
	free(t->view);
	free(t->verdict);
	if (t->handle)
		pcap_close(t->handle);
}

/* add_packet: keep a copy of exactly caplen bytes. */
static void add_packet(struct trace *t, const struct pcap_pkthdr *h, const uint8_t *bytes)
{
	size_t i = t->n++;

	if (t->n > t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->hdr = realloc(t->hdr, t->cap * sizeof *t->hdr);
		t->data = realloc(t->data, t->cap * sizeof *t->data);
	}
	t->hdr[i] = *h;
	t->data[i] = malloc(h->caplen ? h->caplen : 1);
	memcpy(t->data[i], bytes, h->caplen);
}

/* make_views: the batch API's packet array and the verdict scratch. */
static void make_views(struct trace *t)
{
	t->view = calloc(t->n + 1, sizeof *t->view);
	t->verdict = calloc(t->n + 1, 1);
	for (size_t i = 0; i < t->n; i++)
		t->view[i] = (struct ffpf_cbpf_pkt){t->data[i], t->hdr[i].caplen, t->hdr[i].len};
}

/* load_trace: open and read every packet; a truncated file keeps what could be read. */
static int load_trace(const char *path, struct trace *t)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	int rc;

	memset(t, 0, sizeof *t);
	t->path = path;
	t->handle = pcap_open_offline(path, errbuf);
	if (!t->handle) {
		printf("note: skipping %s: %s\n", path, errbuf);
		return -1;
	}
	while ((rc = pcap_next_ex(t->handle, &h, &bytes)) == 1)
		add_packet(t, h, bytes);
	if (rc == PCAP_ERROR)
		printf("note: %s: read error after %zu packets: %s\n", path, t->n,
		       pcap_geterr(t->handle));
	make_views(t);
	return 0;
}

/* ------------------------------------------------------------- comparison */

static void report(const struct trace *t, size_t i, const struct expr *e, int opt,
		   uint32_t ours, uint32_t theirs)
{
	if (++st.mismatches <= MAX_PRINTED)
		printf("MISMATCH %s packet %zu expr \"%s\" optimize=%d: ffpf %u, libpcap %u\n",
		       t->path, i, e->text, opt, ours, theirs);
	else if (st.mismatches == MAX_PRINTED + 1)
		printf("(further mismatches not printed)\n");
}

/* compare_packets: the heart of the test; exact return values must agree. */
static void compare_packets(const struct trace *t, const struct bpf_program *bp,
			    const struct expr *e, int opt)
{
	for (size_t i = 0; i < t->n; i++) {
		uint32_t ours = ffpf_cbpf_run(bp->bf_insns, t->data[i], t->hdr[i].len,
					      t->hdr[i].caplen);
		uint32_t theirs = (uint32_t)pcap_offline_filter(bp, &t->hdr[i], t->data[i]);

		st.comparisons++;
		t->verdict[i] = ours != 0;
		if (ours != theirs)
			report(t, i, e, opt, ours, theirs);
	}
}

/* compare_batch: the batch form must keep exactly the packets the single form accepted. */
static void compare_batch(const struct trace *t, const struct bpf_program *bp)
{
	uint16_t sel[BATCH], out[BATCH];
	int same = 1;

	for (size_t base = 0; base < t->n; base += BATCH) {
		unsigned n = t->n - base < BATCH ? (unsigned)(t->n - base) : BATCH, want = 0;
		for (unsigned i = 0; i < n; i++)
			sel[i] = (uint16_t)(n - 1 - i); /* reversed: order must follow sel */
		unsigned got = ffpf_cbpf_run_batch(bp->bf_insns, t->view + base, sel, n, out);
		for (unsigned i = 0; i < n; i++)
			if (t->verdict[base + sel[i]])
				same &= want < got && out[want++] == sel[i];
		same &= got == want;
	}
	if (!same)
		printf("FAIL %s: ffpf_cbpf_run_batch disagrees with ffpf_cbpf_run\n", t->path);
	CHECK(same);
}

/* diff_expr: compile e for this trace and compare; 0 if it could be compared. */
static int diff_expr(const struct trace *t, const struct expr *e, int opt)
{
	struct bpf_program bp;
	char err[160];

	if (pcap_compile(t->handle, &bp, e->text, opt, e->netmask) != 0) {
		/* Link types without IP, say, reject some expressions; Ethernet must take them all. */
		if (pcap_datalink(t->handle) == DLT_EN10MB) {
			printf("FAIL %s: \"%s\" does not compile: %s\n", t->path, e->text,
			       pcap_geterr(t->handle));
			CHECK(0);
		}
		st.skipped++;
		return -1;
	}
	if (ffpf_cbpf_check(bp.bf_insns, bp.bf_len, err, sizeof err) != 0) {
		printf("FAIL \"%s\" optimize=%d: ffpf_cbpf_check rejects libpcap's code: %s\n",
		       e->text, opt, err);
		CHECK(0);
	} else {
		compare_packets(t, &bp, e, opt);
		compare_batch(t, &bp);
		st.programs++;
		st.unopt += !opt;
	}
	pcap_freecode(&bp);
	return 0;
}

static void diff_file(const char *path, const struct exprs *ex)
{
	struct trace t;

	if (load_trace(path, &t) != 0) {
		st.unreadable++;
		return;
	}
	st.files++;
	st.packets += t.n;
	for (size_t i = 0; i < ex->n; i++) {
		diff_expr(&t, &ex->v[i], 1);
		if (i % UNOPT_EVERY == 0)
			diff_expr(&t, &ex->v[i], 0);
	}
	free_trace(&t);
}

/* diff_dir: test up to limit files of dir; returns how many could be opened. */
static unsigned long diff_dir(const char *dir, int pcap_only, size_t limit, const struct exprs *ex)
{
	size_t n;
	char **paths = list_dir(dir, pcap_only, &n);
	unsigned long before = st.files;

	for (size_t i = 0; i < n; i++) {
		if (i < limit)
			diff_file(paths[i], ex);
		free(paths[i]);
	}
	free(paths);
	return st.files - before;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	const char *data = getenv("FFPF_TEST_DATA");
	const char *quick = getenv("FFPF_TEST_QUICK");
	const char *shared = tl_shared_dir();
	char path[4096];
	struct exprs ex = {0};
	unsigned long generated;
	double t0 = now();

	snprintf(path, sizeof path, "%s/bpf_exprs.txt", data ? data : "tests/data");
	CHECK(load_exprs(path, &ex) == 0);
	CHECK(ex.n >= 60);

	generated = diff_dir(tl_trace_dir(), 1, SIZE_MAX, &ex);
	if (generated == 0)
		printf("FAIL: no readable trace in %s (FFPF_TEST_TRACES)\n", tl_trace_dir());
	CHECK(generated > 0); /* never pass having tested nothing */
	if (shared)
		diff_dir(shared, 0, quick && *quick == '1' ? QUICK_SHARED_FILES : SIZE_MAX, &ex);
	else
		printf("note: no shared traces (FFPF_SHARED_TRACES unset or missing)\n");

	printf("test_bpf_diff: files %lu (+%lu unreadable), packets %lu, expressions %zu, "
	       "programs %lu (%lu unoptimised, %lu skipped), comparisons %lu, mismatches %lu, "
	       "%.1f s\n", st.files, st.unreadable, st.packets, ex.n, st.programs, st.unopt,
	       st.skipped, st.comparisons, st.mismatches, now() - t0);
	CHECK_EQ_U(st.mismatches, 0u);
	free_exprs(&ex);
	return tl_done("test_bpf_diff");
}
