/* test_pcapstream.c — the fast pcap reader gives exactly what libpcap gives: same packets,
 * lengths, timestamps and bytes, and the same verdict on damaged files (cut records, cut headers,
 * impossible lengths, records longer than the snapshot), in both byte orders and both timestamp
 * precisions; and packets it has overwritten are reported stale, never read. */
#include <dirent.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ffpf/ffpf.h>
#include "source/pcapstream.h"
#include "testlib.h"

static unsigned files_compared;

/* Read path with both readers and compare record by record. */
static void compare(const char *path)
{
	char err[PCAP_ERRBUF_SIZE], serr[256] = "";
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	struct pcapstream s;
	struct pcapstream_rec r;
	struct pcap_pkthdr *h;
	const u_char *d;
	int prc, src;
	unsigned long n = 0;

	if (!p)
		return;
	if (pcapstream_open(&s, path, pcap_datalink(p), (uint32_t)pcap_snapshot(p), 0, serr, sizeof(serr))) {
		pcap_close(p); /* not eligible: libpcap reads it */
		return;
	}
	files_compared++;
	for (;;) {
		prc = pcap_next_ex(p, &h, &d);
		src = pcapstream_next(&s, UINT64_MAX, &r, serr, sizeof(serr));
		if (prc != 1 || src != 1)
			break;
		n++;
		if (h->caplen != r.caplen || h->len != r.wirelen || memcmp(d, r.data, r.caplen) ||
		    (uint64_t)((int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec) != r.ts_ns) {
			fprintf(stderr, "%s: packet %lu differs\n", path, n);
			CHECK(0);
			break;
		}
	}
	/* Same ending: both at the end, or both failing with the same words. */
	if (prc == PCAP_ERROR_BREAK)
		CHECK(src == 0);
	else {
		CHECK(prc == PCAP_ERROR && src == -1);
		if (strcmp(pcap_geterr(p), serr))
			fprintf(stderr, "%s: libpcap says \"%s\", we say \"%s\"\n", path, pcap_geterr(p), serr);
		CHECK_STR(serr, pcap_geterr(p));
	}
	pcapstream_close(&s);
	pcap_close(p);
}

static void compare_dir(const char *dir, unsigned limit)
{
	tl_each_trace(dir, limit, compare);
}

static void put32(FILE *f, uint32_t v, int swap)
{
	v = swap ? __builtin_bswap32(v) : v;
	fwrite(&v, 4, 1, f);
}

/* A small crafted file: n records of len bytes, then `tail` raw bytes of a last record. */
static void craft(const char *path, int swap, uint32_t magic, uint32_t snap, uint32_t n, uint32_t len,
		  uint32_t claim, size_t tail)
{
	FILE *f = fopen(path, "wb");
	uint16_t ver[2] = {2, 4};
	uint8_t pkt[300];

	if (swap) {
		ver[0] = __builtin_bswap16(ver[0]);
		ver[1] = __builtin_bswap16(ver[1]);
	}
	put32(f, magic, swap);
	fwrite(ver, 2, 2, f);
	put32(f, 0, swap);
	put32(f, 0, swap);
	put32(f, snap, swap);
	put32(f, 1, swap); /* Ethernet */
	for (uint32_t i = 0; i < n + (tail ? 1 : 0); i++) {
		memset(pkt, (int)i, sizeof(pkt));
		put32(f, 1700000000 + i, swap);
		put32(f, i * 10, swap);
		put32(f, i == n ? claim : len, swap);
		put32(f, (i == n ? claim : len) + 4, swap);
		fwrite(pkt, 1, i == n ? (tail > 16 ? tail - 16 : 0) : len, f);
	}
	fclose(f);
}

/* Records cut to the snapshot length are counted, not silently shortened. */
static void cut_counted(const char *path, uint64_t want)
{
	char req[600];
	uint64_t cut = 0;
	struct ffpf *f = ffpf_create(NULL);
	snprintf(req, sizeof(req), "src:(file,\"%s\") > (count)", path);
	CHECK(!ffpf_populate(f, req) && !ffpf_instantiate(f) && !ffpf_activate(f) && !ffpf_run(f));
	CHECK(!ffpf_result_u64(f, "src", "cut", &cut));
	CHECK_EQ_U(cut, want);
	ffpf_close(f);
}

static void crafted(void)
{
	const char *t = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char p[512];
	snprintf(p, sizeof(p), "%s/ffpf-crafted-%d.pcap", t, (int)getpid());
	for (int swap = 0; swap < 2; swap++) {
		craft(p, swap, 0xa1b2c3d4u, 65535, 50, 100, 0, 0); /* clean */
		compare(p);
		craft(p, swap, 0xa1b23c4du, 65535, 50, 100, 0, 0); /* nanoseconds */
		compare(p);
		craft(p, swap, 0xa1b2c3d4u, 80, 20, 100, 0, 0); /* records longer than the snapshot */
		compare(p);
		cut_counted(p, 20);
		craft(p, swap, 0xa1b2c3d4u, 65535, 20, 100, 200, 50); /* last record cut short */
		compare(p);
		craft(p, swap, 0xa1b2c3d4u, 65535, 20, 100, 300000, 40); /* impossible length */
		compare(p);
	}
	/* a header cut short: 30 bytes of the next record header only */
	craft(p, 0, 0xa1b2c3d4u, 65535, 5, 100, 0, 0);
	FILE *f = fopen(p, "ab");
	fwrite("0123456789", 1, 10, f);
	fclose(f);
	compare(p);
	remove(p);
}

/* Exported packets read long after the run: the ones whose bytes were overwritten are counted
 * as overrun, and every one delivered is the right packet (checked against libpcap). */
static void stale_detection(void)
{
	char path[512], req[1024], err[PCAP_ERRBUF_SIZE];
	struct ffpf_opts o = {.sz = sizeof(o), .pbuf_slots = 4096, .export_slots = 1u << 20};
	struct ffpf *f = ffpf_create(&o);
	struct ffpf_packet pk;
	uint64_t got = 0, total = 0, overrun = 0, bad = 0;

	snprintf(path, sizeof(path), "%s/mixed.pcap", tl_trace_dir());
	snprintf(req, sizeof(req), "(file,\"%s\") > out:(export)", path);
	CHECK(f && !ffpf_populate(f, req) && !ffpf_instantiate(f) && !ffpf_activate(f));
	CHECK_EQ_U(ffpf_run(f), 0);
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	while (p && pcap_next_ex(p, &h, &d) == 1)
		total++;
	pcap_close(p);
	p = pcap_open_offline(path, err);
	while (ffpf_export_next(f, "out", &pk) > 0) {
		if (!got) { /* skip libpcap forward to the first packet delivered */
			CHECK(!ffpf_result_u64(f, "out", "overrun", &overrun));
			for (uint64_t i = 0; i <= overrun; i++)
				pcap_next_ex(p, &h, &d);
		} else {
			pcap_next_ex(p, &h, &d);
		}
		bad += h->caplen != pk.caplen || memcmp(d, pk.data, pk.caplen);
		got++;
	}
	pcap_close(p);
	CHECK(!ffpf_result_u64(f, "out", "overrun", &overrun));
	printf("stale check: %llu packets, %llu delivered intact, %llu overrun\n",
	       (unsigned long long)total, (unsigned long long)got, (unsigned long long)overrun);
	CHECK(overrun > 0);   /* the trace is larger than the read ring */
	CHECK_EQ_U(got + overrun, total);
	CHECK_EQ_U(bad, 0);
	ffpf_close(f);
}

/* The ring's own bookkeeping: every record whose position is at or above valid_from still has
 * its bytes where the reader said, after any amount of further reading. */
static void ring_validity(void)
{
	char path[512], err[256];
	struct pcapstream s;
	struct pcapstream_rec r;
	enum { KEEP = 4096 };
	static struct { uint64_t pos; const uint8_t *data; uint32_t len; uint8_t copy[64]; } seen[KEEP];
	unsigned n = 0, live = 0, stale = 0, bad = 0;

	snprintf(path, sizeof(path), "%s/mixed.pcap", tl_trace_dir());
	CHECK(pcapstream_open(&s, path, DLT_EN10MB, 65535, 0, err, sizeof(err)) == 0);
	while (pcapstream_next(&s, UINT64_MAX, &r, err, sizeof(err)) == 1) {
		unsigned k = n++ % KEEP;
		seen[k].pos = r.pos;
		seen[k].data = r.data;
		seen[k].len = r.caplen < 64 ? r.caplen : 64;
		memcpy(seen[k].copy, r.data, seen[k].len);
		for (unsigned j = 0; j < KEEP && j < n; j += 97) { /* sample older records */
			if (seen[j].pos < s.valid_from) {
				stale++;
				continue;
			}
			live++;
			bad += memcmp(seen[j].data, seen[j].copy, seen[j].len) != 0;
		}
	}
	pcapstream_close(&s);
	printf("ring: %u records, %u live checks, %u stale, %u corrupt\n", n, live, stale, bad);
	CHECK(stale > 0 && live > 0);
	CHECK_EQ_U(bad, 0);
}

int main(void)
{
	compare_dir(tl_trace_dir(), 100);
	unsigned gen = files_compared;
	compare_dir(tl_shared_dir(), getenv("FFPF_TEST_QUICK") ? 50 : 100000);
	crafted();
	printf("compared %u files (%u generated)\n", files_compared, gen);
	CHECK(gen >= 1);
	stale_detection();
	ring_validity();
	return tl_done("test_pcapstream");
}
