/* count.c — the library in a dozen lines: count TCP packets and their bytes in a trace, and
 * read exported packets.  Build: cc count.c -lffpf -lpcap.  Run: ./count trace.pcap */
#include <stdio.h>
#include <ffpf/ffpf.h>

int main(int argc, char **argv)
{
	struct ffpf *f = ffpf_create(NULL);
	struct ffpf_packet p;
	uint64_t pkts = 0, bytes = 0, seen = 0;
	char req[1024];
	int rc;

	if (argc != 2 || !f)
		return fprintf(stderr, "usage: %s TRACE\n", argv[0]), 2;
	/* One request: a source, a filter, two counters and an export on the same stream. */
	snprintf(req, sizeof(req),
		 "(file,\"%s\") > (bpf,\"tcp\") > [ tcp:(count) | b:(bytes) | out:(export) ]", argv[1]);
	if (ffpf_populate(f, req) || ffpf_instantiate(f) || ffpf_activate(f)) {
		fprintf(stderr, "%s\n", ffpf_errmsg(f));
		ffpf_close(f);
		return 1;
	}
	/* Pull exported packets; the flowgraph runs as the reader asks for more. */
	while ((rc = ffpf_export_next(f, "out", &p)) > 0)
		seen++;
	if (rc < 0 || ffpf_result_u64(f, "tcp", "packets", &pkts) ||
	    ffpf_result_u64(f, "b", "bytes", &bytes)) {
		fprintf(stderr, "%s\n", ffpf_errmsg(f));
		ffpf_close(f);
		return 1;
	}
	printf("tcp packets: %llu, bytes: %llu, exported: %llu\n", (unsigned long long)pkts,
	       (unsigned long long)bytes, (unsigned long long)seen);
	ffpf_close(f);
	return seen == pkts ? 0 : 1;
}
