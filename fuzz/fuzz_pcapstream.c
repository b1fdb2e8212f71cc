/* fuzz_pcapstream.c — libFuzzer target: any bytes as a trace file.  The fast pcap reader must
 * never crash or read out of bounds, and must agree with libpcap record by record: same packets,
 * same end (clean end or an error) — a disagreement aborts. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "source/pcapstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[PCAP_ERRBUF_SIZE], serr[256];
	int fd = memfd_create("trace", 0);
	struct pcapstream s;
	struct pcapstream_rec r;
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p;
	int prc, src;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	if (p && !pcapstream_open(&s, path, pcap_datalink(p), (uint32_t)pcap_snapshot(p), 0, serr, sizeof(serr))) {
		do {
			prc = pcap_next_ex(p, &h, &d);
			src = pcapstream_next(&s, UINT64_MAX, &r, serr, sizeof(serr));
			if (prc == 1 && src == 1 &&
			    (h->caplen != r.caplen || h->len != r.wirelen || memcmp(d, r.data, r.caplen)))
				abort();
		} while (prc == 1 && src == 1);
		if ((prc == PCAP_ERROR_BREAK) != (src == 0) || (prc == PCAP_ERROR) != (src == -1))
			abort();
		pcapstream_close(&s);
	}
	if (p)
		pcap_close(p);
	close(fd);
	return 0;
}
