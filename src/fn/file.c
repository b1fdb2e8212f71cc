/* file.c — class `file`: a source reading a pcap or pcapng trace through libpcap.
 *
 * Several files are several sources; the engine merges them in timestamp order.  Offline reading
 * is lossless: the engine pulls batches, so nothing is ever dropped for lack of room.  A record
 * cut short or a corrupt file ends the run with an error naming the file (libpcap's words), and
 * the results are then reported as incomplete, never as final.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <ffpf/class.h>
#include "buf/pbuf.h"

#define SLOT_MAX 65536u /* largest PBuf slot: a full 64 KiB GSO frame */

struct file_priv {
	pcap_t *p;
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int pending;    /* hdr/data hold a packet read but not yet delivered */
	int eof;
	int error;      /* a read failed: fn->err says why */
	off_t size;
};

static const struct ffpf_param params[] = {
	{"expr", FFPF_P_STR, NULL, "path of a pcap or pcapng file", NULL, 0, 0},
};

static const struct ffpf_result_desc results[] = {
	{"packets", FFPF_V_U64, "packets read", 0},
	{"bytes", FFPF_V_U64, "bytes on the wire of the packets read", 8},
};

static int file_init(struct ffpf_fn *fn, const struct ffpf_args *a)
{
	const char *path = ffpf_arg_str(a, "expr");
	struct stat st;

	if (!*path)
		return ffpf_fn_error(fn, "empty file name; give the path of a pcap or pcapng file");
	if (strcmp(path, "-") && stat(path, &st))
		return ffpf_fn_error(fn, "cannot open '%s': %s", path, strerror(errno));
	if (strcmp(path, "-") && S_ISDIR(st.st_mode))
		return ffpf_fn_error(fn, "'%s' is a directory, not a trace file", path);
	ffpf_fn_set_mbuf(fn, 16);
	return 0;
}

static int file_instantiate(struct ffpf_fn *fn)
{
	struct file_priv *fp = ffpf_fn_priv(fn);
	const char *path = ffpf_arg_str(ffpf_fn_args(fn), "expr");
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct stat st;
	int snap;

	fp->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!fp->p)
		return ffpf_fn_error(fn, "cannot read '%s' as a pcap or pcapng file: %s", path, errbuf);
	if (pcap_file(fp->p) && !fstat(fileno(pcap_file(fp->p)), &st))
		fp->size = st.st_size;
	snap = pcap_snapshot(fp->p);
	if (snap <= 0 || (unsigned)snap > SLOT_MAX)
		snap = SLOT_MAX;
	return ffpf_fn_set_pbuf(fn, 0, (uint32_t)snap, pcap_datalink(fp->p));
}

/* Read ahead one packet so the engine can merge sources by time. */
static int file_peek(struct ffpf_fn *fn, uint64_t *ts)
{
	struct file_priv *fp = ffpf_fn_priv(fn);

	if (fp->error)
		return -EIO;
	if (!fp->pending && !fp->eof) {
		int rc = pcap_next_ex(fp->p, &fp->hdr, &fp->data);
		if (rc == 1) {
			fp->pending = 1;
		} else if (rc == PCAP_ERROR_BREAK) {
			fp->eof = 1;
		} else {
			fp->error = 1;
			ffpf_fn_error(fn, "%s: %s (the trace is damaged; results would be incomplete)",
				      ffpf_arg_str(ffpf_fn_args(fn), "expr"), pcap_geterr(fp->p));
			return -EIO;
		}
	}
	if (fp->eof)
		return 1;
	*ts = (uint64_t)fp->hdr->ts.tv_sec * 1000000000u + (uint64_t)fp->hdr->ts.tv_usec;
	return 0;
}

/* Copy the pending packet into the next PBuf slot (copy-once from libpcap's buffer). */
static void take(struct ffpf_fn *fn, struct file_priv *fp, struct ffpf_batch *b, uint64_t ts)
{
	struct ffpf_pbuf *pb = ffpf_fn_pbuf(fn);
	uint64_t *st = (uint64_t *)(void *)ffpf_fn_mbuf(fn);
	uint64_t seq;
	uint8_t *slot = ffpf_pbuf_next(pb, &seq);
	uint32_t cap = fp->hdr->caplen;
	unsigned i = b->n++;

	if (cap > pb->slot_size) {
		ffpf_fn_drop(fn, FFPF_DROP_SLOT_TRUNCATED, 1);
		cap = pb->slot_size;
	}
	memcpy(slot, fp->data, cap);
	struct ffpf_slot_meta *m = &pb->meta[seq & pb->mask];
	m->seq = seq;
	m->ts_ns = ts;
	m->caplen = cap;
	m->wirelen = fp->hdr->len;
	b->pkt[i].data = slot;
	b->pkt[i].caplen = cap;
	b->pkt[i].wirelen = fp->hdr->len;
	b->ts_ns[i] = ts;
	b->seq[i] = seq;
	st[0]++;
	st[1] += fp->hdr->len;
	fp->pending = 0;
}

static int file_fill(struct ffpf_fn *fn, struct ffpf_batch *b, uint64_t until)
{
	struct file_priv *fp = ffpf_fn_priv(fn);
	uint64_t ts;

	while (b->n < FFPF_BATCH_MAX) {
		int rc = file_peek(fn, &ts);
		if (rc < 0 && b->n)
			break; /* deliver what we have; the error surfaces at the next peek */
		if (rc < 0)
			return rc;
		if (rc == 1 || (b->n && ts > until))
			break;
		take(fn, fp, b, ts);
	}
	return b->n ? 1 : 0;
}

static double file_progress(const struct ffpf_fn *fn)
{
	const struct file_priv *fp = ffpf_fn_priv(fn);
	long pos;

	if (!fp->p || !fp->size || !pcap_file(fp->p))
		return -1;
	pos = ftell(pcap_file(fp->p));
	return pos < 0 ? -1 : (double)pos / (double)fp->size;
}

static void file_fini(struct ffpf_fn *fn)
{
	struct file_priv *fp = ffpf_fn_priv(fn);
	if (fp && fp->p)
		pcap_close(fp->p);
}

const struct ffpf_class ffpf_fnclass_file = {
	.name = "file",
	.aliases = (const char *const[]){"trace", NULL},
	.summary = "source: read packets from a pcap or pcapng file (libpcap)",
	.flags = FFPF_CLASS_SOURCE,
	.params = params,
	.nparams = 1,
	.results = results,
	.nresults = 2,
	.priv_size = sizeof(struct file_priv),
	.init = file_init,
	.instantiate = file_instantiate,
	.fill = file_fill,
	.peek = file_peek,
	.progress = file_progress,
	.fini = file_fini,
};
