/* pcapstream.c — fast reader for classic pcap files (see pcapstream.h). */
#include "source/pcapstream.h"
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC_US 0xa1b2c3d4u
#define MAGIC_NS 0xa1b23c4du
#define REC_HDR 16u
#define FILE_HDR 24u
#define MAX_SNAP 262144u          /* libpcap's maximum for the link types taken here */
/* PCAPSTREAM_RING_MIN (2 MiB) >= CHUNK + 2 largest records, and small enough to stay in cache. */
#define CHUNK (256u << 10)        /* one read(): big enough to amortise, small enough for L2 */

static uint32_t rd32(const uint8_t *p, int swapped)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swapped ? __builtin_bswap32(v) : v;
}

/* Link types whose records carry nothing libpcap would byte-swap (swap_pseudo_headers). */
static int plain_dlt(int dlt)
{
	return dlt == DLT_EN10MB || dlt == DLT_RAW || dlt == DLT_IPV4 || dlt == DLT_IPV6 ||
	       dlt == DLT_LINUX_SLL || dlt == DLT_NULL || dlt == DLT_LOOP || dlt == DLT_IEEE802_11;
}

static int header_ok(struct pcapstream *s, const uint8_t *h)
{
	uint32_t magic;
	uint16_t major, minor;

	memcpy(&magic, h, 4);
	if (magic == MAGIC_US || magic == MAGIC_NS) {
		s->swapped = 0;
	} else if (magic == __builtin_bswap32(MAGIC_US) || magic == __builtin_bswap32(MAGIC_NS)) {
		s->swapped = 1;
		magic = __builtin_bswap32(magic);
	} else {
		return 0;
	}
	s->nsec = magic == MAGIC_NS;
	memcpy(&major, h + 4, 2);
	memcpy(&minor, h + 6, 2);
	if (s->swapped) {
		major = __builtin_bswap16(major);
		minor = __builtin_bswap16(minor);
	}
	return major == 2 && minor == 4; /* older minors may have swapped length fields */
}

int pcapstream_open(struct pcapstream *s, const char *path, int dlt, uint32_t snapshot,
		    size_t ring_bytes, char *err, size_t errlen)
{
	struct stat st;
	uint8_t hdr[FILE_HDR];

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (!plain_dlt(dlt) || !snapshot || snapshot > MAX_SNAP || !strcmp(path, "-"))
		return 1;
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return 1; /* libpcap has it open already; let it read */
	if (fstat(s->fd, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)FILE_HDR ||
	    pread(s->fd, hdr, FILE_HDR, 0) != (ssize_t)FILE_HDR || !header_ok(s, hdr) ||
	    lseek(s->fd, FILE_HDR, SEEK_SET) != (off_t)FILE_HDR) {
		pcapstream_close(s);
		return 1;
	}
	posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (ring_bytes < PCAPSTREAM_RING_MIN)
		ring_bytes = PCAPSTREAM_RING_MIN;
	s->ring = malloc(ring_bytes);
	if (!s->ring) {
		pcapstream_close(s);
		snprintf(err, errlen, "out of memory for the read ring of '%s'", path);
		return -ENOMEM;
	}
	s->cap = ring_bytes;
	s->size = (uint64_t)st.st_size;
	s->lap_pos = FILE_HDR;
	s->prev_lap = UINT64_MAX;
	s->snapshot = snapshot;
	s->maxsnap = MAX_SNAP;
	return 0;
}

/* Make room and read more.  Returns 1 (read some), 0 (end of file), 2 (would overwrite
 * keep_from), -1 (read error). */
static int refill(struct pcapstream *s, uint64_t keep_from)
{
	ssize_t n;

	if (s->eof)
		return 0;
	if (s->cap - s->wr < CHUNK) {
		/* New lap: the unparsed tail moves to the front, over the previous lap's oldest. */
		size_t tail = s->wr - s->rd;
		uint64_t start = s->lap_pos + s->rd;
		if (keep_from < s->lap_pos + tail + CHUNK)
			return 2;
		memmove(s->ring, s->ring + s->rd, tail);
		s->prev_lap = s->lap_pos;
		s->lap_pos = start;
		s->rd = 0;
		s->wr = tail;
	}
	if (s->prev_lap != UINT64_MAX) {
		uint64_t lost = s->prev_lap + s->wr + CHUNK; /* previous-lap bytes this read overwrites */
		if (keep_from < lost)
			return 2;
		s->valid_from = lost;
	}
	do
		n = read(s->fd, s->ring + s->wr, CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0) {
		s->eof = 1;
		return 0;
	}
	s->wr += (size_t)n;
	return 1;
}

/* Make at least need bytes available at rd.  1, or the refill result that stopped it. */
static int want(struct pcapstream *s, size_t need, uint64_t keep_from)
{
	while (s->wr - s->rd < need) {
		int rc = refill(s, keep_from);
		if (rc != 1)
			return rc;
	}
	return 1;
}

static int bad_length(struct pcapstream *s, uint32_t caplen, char *err, size_t errlen)
{
	if (caplen > s->snapshot)
		snprintf(err, errlen, "invalid packet capture length %u, bigger than snaplen of %u", caplen,
			 s->snapshot);
	else
		snprintf(err, errlen, "invalid packet capture length %u, bigger than maximum of %u", caplen,
			 s->maxsnap);
	return -1;
}

int pcapstream_next(struct pcapstream *s, uint64_t keep_from, struct pcapstream_rec *r, char *err,
		    size_t errlen)
{
	const uint8_t *h;
	uint32_t caplen;
	int64_t sec, sub;
	int rc = want(s, REC_HDR, keep_from);

	if (rc == 0 && s->wr == s->rd)
		return 0;
	if (rc == 0) {
		snprintf(err, errlen, "truncated dump file; tried to read %u header bytes, only got %zu",
			 REC_HDR, s->wr - s->rd);
		return -1;
	}
	if (rc != 1)
		return rc < 0 ? (snprintf(err, errlen, "read error: %s", strerror(errno)), -1) : rc;
	caplen = rd32(s->ring + s->rd + 8, s->swapped);
	if (caplen > s->maxsnap)
		return bad_length(s, caplen, err, errlen);
	rc = want(s, REC_HDR + (size_t)caplen, keep_from);
	if (rc == 0) {
		snprintf(err, errlen, "truncated dump file; tried to read %u captured bytes, only got %zu",
			 caplen, s->wr - s->rd - REC_HDR);
		return -1;
	}
	if (rc != 1)
		return rc < 0 ? (snprintf(err, errlen, "read error: %s", strerror(errno)), -1) : rc;
	h = s->ring + s->rd; /* the ring may have moved the record: read it again */
	/* libpcap reads both time fields as signed 32-bit: so do we, so both readers agree. */
	sec = (int32_t)rd32(h, s->swapped);
	sub = (int32_t)rd32(h + 4, s->swapped);
	r->ts_ns = (uint64_t)(sec * 1000000000 + sub * (s->nsec ? 1 : 1000));
	r->wirelen = rd32(h + 12, s->swapped);
	r->data = h + REC_HDR;
	r->pos = s->lap_pos + s->rd + REC_HDR;
	r->cut = caplen > s->snapshot;
	r->caplen = r->cut ? s->snapshot : caplen; /* as libpcap: cut to snapshot */
	s->rd += REC_HDR + caplen;
	return 1;
}

double pcapstream_progress(const struct pcapstream *s)
{
	return s->size ? (double)(s->lap_pos + s->rd) / (double)s->size : -1;
}

void pcapstream_close(struct pcapstream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->ring);
	s->fd = -1;
	s->ring = NULL;
}
