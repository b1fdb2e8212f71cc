/* pcapcat.c — build one large benchmark trace by concatenating pcap/pcapng files, repeatedly.
 *
 *   pcapcat -o OUT -n PACKETS [-q] FILE...
 *
 * Reads every FILE once with libpcap (pcap_open_offline, so pcapng works too), keeps the packets
 * of the Ethernet (DLT_EN10MB) files in memory and skips the others (named on stderr).  Then
 * writes them to OUT with pcap_dump, the files in the order given, again and again, until at
 * least PACKETS packets are written (the last pass stops at exactly PACKETS).  Output: one
 * classic pcap file, microsecond timestamps, link type Ethernet, snaplen = the largest snaplen
 * of the inputs used.
 *
 * Timestamps are rewritten to be monotonic (non-decreasing): the output clock starts at a fixed
 * epoch; within a file each packet advances it by the gap to the previous packet of that file
 * (negative gaps, i.e. reordered input, count as 0; gaps over 1 s are clamped to 1 s so that the
 * trace does not span years), and each new file starts 1 µs after the previous packet.  So the
 * output is deterministic: the same inputs give the same bytes.
 *
 * A file that fails part way (truncated or damaged) contributes the packets read before the
 * failure, and is named on stderr.  Exit 0 on success, 1 on error, 2 on usage error.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EPOCH_US 1600000000000000ull /* 2020-09-13: any fixed start will do */
#define MAX_GAP_US 1000000ull

struct rec {
	uint64_t gap_us; /* to the previous packet of the same file (0 for the first) */
	uint32_t caplen, len;
	size_t off;      /* into the data arena */
};

static struct rec *recs;
static size_t nrecs, caprecs;
static unsigned char *arena;
static size_t arena_len, arena_cap;

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "pcapcat: out of memory\n");
		exit(1);
	}
	return q;
}

static void add(uint64_t gap, const struct pcap_pkthdr *h, const u_char *data)
{
	if (nrecs == caprecs) {
		caprecs = caprecs ? 2 * caprecs : 65536;
		recs = xrealloc(recs, caprecs * sizeof(*recs));
	}
	while (arena_len + h->caplen > arena_cap) {
		arena_cap = arena_cap ? 2 * arena_cap : (1u << 24);
		arena = xrealloc(arena, arena_cap);
	}
	memcpy(arena + arena_len, data, h->caplen);
	recs[nrecs++] = (struct rec){gap, h->caplen, h->len, arena_len};
	arena_len += h->caplen;
}

static void usage(void)
{
	fprintf(stderr, "usage: pcapcat -o OUT -n PACKETS [-q] FILE...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	unsigned long long want = 0;
	int quiet = 0, c, used = 0, skipped = 0;
	int snaplen = 0;
	size_t file_start_count = 0;
	size_t *file_first; /* index of each used file's first record: it restarts the gap */
	size_t nfirst = 0;

	while ((c = getopt(argc, argv, "o:n:q")) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'n': want = strtoull(optarg, NULL, 10); break;
		case 'q': quiet = 1; break;
		default: usage();
		}
	}
	if (!out || !want || optind >= argc)
		usage();
	file_first = xrealloc(NULL, (size_t)(argc - optind) * sizeof(*file_first));

	for (int i = optind; i < argc; i++) {
		char errbuf[PCAP_ERRBUF_SIZE] = "";
		pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[i], PCAP_TSTAMP_PRECISION_MICRO,
								    errbuf);
		struct pcap_pkthdr *h;
		const u_char *data;
		uint64_t prev = 0;
		int rc, first = 1;

		if (!p) {
			fprintf(stderr, "pcapcat: skipping %s: %s\n", argv[i], errbuf);
			skipped++;
			continue;
		}
		if (pcap_datalink(p) != DLT_EN10MB) {
			if (!quiet)
				fprintf(stderr, "pcapcat: skipping %s: link type %s, not Ethernet\n",
					argv[i], pcap_datalink_val_to_name(pcap_datalink(p)));
			pcap_close(p);
			skipped++;
			continue;
		}
		file_start_count = nrecs;
		while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
			uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
			uint64_t gap = first || ts < prev ? 0 : ts - prev;
			add(gap > MAX_GAP_US ? MAX_GAP_US : gap, h, data);
			if (ts > prev || first)
				prev = ts;
			first = 0;
		}
		if (rc != PCAP_ERROR_BREAK)
			fprintf(stderr, "pcapcat: %s: %s (keeping the %zu packets read before)\n",
				argv[i], pcap_geterr(p), nrecs - file_start_count);
		if (nrecs > file_start_count) {
			file_first[nfirst++] = file_start_count;
			used++;
			if (pcap_snapshot(p) > snaplen)
				snaplen = pcap_snapshot(p);
		}
		pcap_close(p);
	}
	if (!nrecs) {
		fprintf(stderr, "pcapcat: no Ethernet packets in the input files\n");
		return 1;
	}

	pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, snaplen,
							    PCAP_TSTAMP_PRECISION_MICRO);
	pcap_dumper_t *d = dead ? pcap_dump_open(dead, out) : NULL;
	if (!d) {
		fprintf(stderr, "pcapcat: cannot write %s: %s\n", out,
			dead ? pcap_geterr(dead) : "pcap_open_dead failed");
		return 1;
	}

	uint64_t clock = EPOCH_US, written = 0, bytes = 0;
	unsigned passes = 0;
	while (written < want) {
		size_t f = 0;
		for (size_t r = 0; r < nrecs && written < want; r++) {
			struct pcap_pkthdr h;
			if (f < nfirst && file_first[f] == r) {
				clock += written ? 1 : 0; /* a new file starts 1 µs after the last packet */
				f++;
			} else {
				clock += recs[r].gap_us;
			}
			h.ts.tv_sec = (time_t)(clock / 1000000u);
			h.ts.tv_usec = (suseconds_t)(clock % 1000000u);
			h.caplen = recs[r].caplen;
			h.len = recs[r].len;
			pcap_dump((u_char *)d, &h, arena + recs[r].off);
			written++;
			bytes += recs[r].caplen;
		}
		passes++;
	}
	if (pcap_dump_flush(d)) {
		fprintf(stderr, "pcapcat: writing %s: %s\n", out, strerror(errno));
		return 1;
	}
	pcap_dump_close(d);
	pcap_close(dead);
	if (!quiet)
		fprintf(stderr,
			"pcapcat: %s: %llu packets (%llu captured bytes), %d input files used "
			"(%zu packets each pass, %u passes), %d skipped, snaplen %d\n",
			out, (unsigned long long)written, (unsigned long long)bytes, used, nrecs,
			passes, skipped, snaplen);
	free(file_first);
	free(recs);
	free(arena);
	return 0;
}
