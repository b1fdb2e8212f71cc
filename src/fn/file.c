/* file.c — class `file`: a source reading a pcap or pcapng trace.
 *
 * libpcap opens and validates every file.  Plain pcap files are then read in large chunks and
 * their packets referenced where they landed (src/source/pcapstream.c): reading the trace is most
 * of the cost of a simple flowgraph, and libpcap's reader copies each packet twice.  pcapng and
 * unusual variants are read through libpcap and copied once into the PBuf.  Both paths accept
 * and reject the same files (tests/unit/test_pcapstream.c checks it).
 *
 * Several files are several sources; the engine merges them in timestamp order.  Offline reading
 * is lossless: the engine pulls batches.  A record cut short or a corrupt file ends the run with
 * an error naming the file (libpcap's words); the results are then incomplete, never final.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <ffpf/class.h>
#include "buf/pbuf.h"
#include "source/pcapstream.h"

#define SLOT_MAX 65536u /* largest copied slot: a full 64 KiB GSO frame */

struct file_priv {
	pcap_t *p;            /* libpcap path (NULL when streaming) */
	struct pcapstream st; /* streaming path (st.ring NULL when not used) */
	struct pcapstream_rec cur;
	uint64_t keep_from;   /* stream position of the first packet of the batch being filled */
	int pending;          /* cur holds a packet read but not yet delivered */
	int eof;
	int error;            /* a read failed: the function's error says why */
	off_t size;
};

static const struct ffpf_param params[] = {
	{"expr", FFPF_P_STR, NULL, "path of a pcap or pcapng file", NULL, 0, 0},
};

static const struct ffpf_result_desc results[] = {
	{"packets", FFPF_V_U64, "packets read", 0, FFPF_R_SUM},
	{"bytes", FFPF_V_U64, "bytes on the wire of the packets read", 8, FFPF_R_SUM},
	{"cut", FFPF_V_U64, "records longer than the file's snapshot length, cut to it as libpcap does", 16, FFPF_R_SUM},
};

static const char *path_of(const struct ffpf_fn *fn)
{
	return ffpf_arg_str(ffpf_fn_args(fn), "expr");
}

static int file_init(struct ffpf_fn *fn, const struct ffpf_args *a)
{
	const char *path = ffpf_arg_str(a, "expr");
	struct stat st;
	struct file_priv *fp = ffpf_fn_priv(fn);

	fp->st.fd = -1; /* nothing open yet: fini may come before instantiate */
	if (!*path)
		return ffpf_fn_error(fn, "empty file name; give the path of a pcap or pcapng file");
	if (strcmp(path, "-") && stat(path, &st))
		return ffpf_fn_error(fn, "cannot open '%s': %s", path, strerror(errno));
	if (strcmp(path, "-") && S_ISDIR(st.st_mode))
		return ffpf_fn_error(fn, "'%s' is a directory, not a trace file", path);
	ffpf_fn_set_mbuf(fn, 24);
	return 0;
}

static int file_instantiate(struct ffpf_fn *fn)
{
	struct file_priv *fp = ffpf_fn_priv(fn);
	const char *path = path_of(fn);
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct stat st;
	int snap, dlt, rc;

	fp->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!fp->p)
		return ffpf_fn_error(fn, "cannot read '%s' as a pcap or pcapng file: %s", path, errbuf);
	if (pcap_file(fp->p) && !fstat(fileno(pcap_file(fp->p)), &st))
		fp->size = st.st_size;
	snap = pcap_snapshot(fp->p);
	dlt = pcap_datalink(fp->p);
	/* Read-ahead follows the PBuf size asked for: ~2 KiB per slot, 2 MiB at least, 1 GiB at most. */
	size_t ring = (size_t)ffpf_fn_pbuf_hint(fn) * 2048;
	rc = pcapstream_open(&fp->st, path, dlt, (uint32_t)snap, ring < (1u << 30) ? ring : (1u << 30),
			     errbuf, sizeof(errbuf));
	if (rc < 0)
		return ffpf_fn_error(fn, "%s", errbuf), rc;
	if (rc == 0) { /* streaming: libpcap's part is done */
		pcap_close(fp->p);
		fp->p = NULL;
		fp->keep_from = UINT64_MAX;
		if ((rc = ffpf_fn_set_pbuf(fn, 0, 0, (uint32_t)snap, dlt)))
			return rc;
		ffpf_fn_pbuf(fn)->valid_from = &fp->st.valid_from;
		return 0;
	}
	if (snap <= 0 || (unsigned)snap > SLOT_MAX)
		snap = SLOT_MAX;
	return ffpf_fn_set_pbuf(fn, 0, (uint32_t)snap, (uint32_t)snap, dlt);
}

/* The libpcap path: read one record into cur. */
static int read_pcap(struct ffpf_fn *fn, struct file_priv *fp)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc = pcap_next_ex(fp->p, &h, &d);

	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1)
		return ffpf_fn_error(fn, "%s: %s (the trace is damaged; results would be incomplete)",
				     path_of(fn), pcap_geterr(fp->p)), -1;
	fp->cur.data = d;
	fp->cur.caplen = h->caplen;
	fp->cur.wirelen = h->len;
	fp->cur.ts_ns = (uint64_t)((int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec);
	fp->cur.cut = 0; /* libpcap cuts silently: only the streaming reader can tell */
	return 1;
}

static int read_stream(struct ffpf_fn *fn, struct file_priv *fp)
{
	char err[256];
	int rc = pcapstream_next(&fp->st, fp->keep_from, &fp->cur, err, sizeof(err));
	if (rc < 0)
		ffpf_fn_error(fn, "%s: %s (the trace is damaged; results would be incomplete)",
			      path_of(fn), err);
	return rc;
}

/* Read ahead one packet so the engine can merge sources by time. */
static int file_peek(struct ffpf_fn *fn, uint64_t *ts)
{
	struct file_priv *fp = ffpf_fn_priv(fn);

	if (fp->error)
		return -EIO;
	if (!fp->pending && !fp->eof) {
		int rc = fp->st.ring ? read_stream(fn, fp) : read_pcap(fn, fp);
		if (rc < 0) {
			fp->error = 1;
			return -EIO;
		}
		if (rc == 2)
			return 2; /* the batch must go before the reader may overwrite it */
		fp->pending = rc == 1;
		fp->eof = rc == 0;
	}
	if (fp->eof)
		return 1;
	*ts = fp->cur.ts_ns;
	return 0;
}

/* Put the pending packet in the next PBuf slot: by reference when streamed, else copied once
 * out of libpcap's buffer (which the next read reuses).  pb and st are the function's PBuf and
 * MBuf counters, looked up once per batch by the caller. */
static void take(struct ffpf_fn *fn, struct file_priv *fp, struct ffpf_pbuf *pb, uint64_t *st,
		 struct ffpf_batch *b)
{
	const struct pcapstream_rec *r = &fp->cur;
	uint64_t seq;
	uint8_t *slot = ffpf_pbuf_next(pb, &seq);
	struct ffpf_slot_meta *m = &pb->meta[seq & pb->mask];
	uint32_t cap = r->caplen;
	unsigned i = b->n++;

	if (pb->mem) {
		if (cap > pb->slot_size) {
			ffpf_fn_drop(fn, FFPF_DROP_SLOT_TRUNCATED, 1);
			cap = pb->slot_size;
		}
		memcpy(slot, r->data, cap);
		m->data = slot;
	} else {
		m->data = r->data;
		m->pos = r->pos;
		if (i == 0)
			fp->keep_from = r->pos;
	}
	m->seq = seq;
	m->ts_ns = r->ts_ns;
	m->caplen = cap;
	m->wirelen = r->wirelen;
	b->pkt[i].data = m->data;
	b->pkt[i].caplen = cap;
	b->pkt[i].wirelen = r->wirelen;
	b->ts_ns[i] = r->ts_ns;
	b->seq[i] = seq;
	st[0]++;
	st[1] += r->wirelen;
	st[2] += (unsigned)r->cut;
	fp->pending = 0;
}

/* One streamed source with nothing to merge: records go from the ring straight into the batch,
 * one call each, without the read-ahead that merging sources by time needs. */
static void fill_stream(struct ffpf_fn *fn, struct file_priv *fp, struct ffpf_pbuf *pb,
			uint64_t *st, struct ffpf_batch *b)
{
	char err[256];
	while (b->n < b->cap) {
		int rc = pcapstream_next(&fp->st, fp->keep_from, &fp->cur, err, sizeof(err));
		if (rc == 1) {
			take(fn, fp, pb, st, b);
			continue;
		}
		if (rc < 0) { /* surfaces at the next peek; this batch is still good */
			ffpf_fn_error(fn, "%s: %s (the trace is damaged; results would be incomplete)",
				      path_of(fn), err);
			fp->error = 1;
		}
		fp->eof = rc == 0;
		return;
	}
}

static int file_fill(struct ffpf_fn *fn, struct ffpf_batch *b, uint64_t until)
{
	struct file_priv *fp = ffpf_fn_priv(fn);
	struct ffpf_pbuf *pb = ffpf_fn_pbuf(fn);
	uint64_t *st = (uint64_t *)(void *)ffpf_fn_mbuf(fn);
	uint64_t ts;

	while (b->n < b->cap) {
		if (fp->st.ring && until == UINT64_MAX && !fp->pending && !fp->eof && !fp->error) {
			fill_stream(fn, fp, pb, st, b);
			break;
		}
		int rc = file_peek(fn, &ts);
		if (rc < 0 && b->n)
			break; /* deliver what we have; the error surfaces at the next peek */
		if (rc < 0)
			return rc;
		if (rc == 1 || rc == 2 || (b->n && ts > until))
			break;
		take(fn, fp, pb, st, b);
	}
	fp->keep_from = UINT64_MAX; /* the engine is done with this batch before the next fill */
	return b->n ? 1 : 0;
}

static double file_progress(const struct ffpf_fn *fn)
{
	const struct file_priv *fp = ffpf_fn_priv(fn);
	long pos;

	if (fp->st.ring)
		return pcapstream_progress(&fp->st);
	if (!fp->p || !fp->size || !pcap_file(fp->p))
		return -1;
	pos = ftell(pcap_file(fp->p));
	return pos < 0 ? -1 : (double)pos / (double)fp->size;
}

static void file_fini(struct ffpf_fn *fn)
{
	struct file_priv *fp = ffpf_fn_priv(fn);
	if (!fp)
		return;
	if (fp->p)
		pcap_close(fp->p);
	pcapstream_close(&fp->st);
}

const struct ffpf_class ffpf_fnclass_file = {
	.name = "file",
	.aliases = (const char *const[]){"trace", NULL},
	.summary = "source: read packets from a pcap or pcapng file (libpcap; plain pcap read in large chunks)",
	.flags = FFPF_CLASS_SOURCE,
	.params = params,
	.nparams = 1,
	.results = results,
	.nresults = 3,
	.priv_size = sizeof(struct file_priv),
	.init = file_init,
	.instantiate = file_instantiate,
	.fill = file_fill,
	.peek = file_peek,
	.progress = file_progress,
	.fini = file_fini,
};
