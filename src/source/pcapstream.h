/* pcapstream.h — fast reader for classic pcap files: the file is read in large chunks into a
 * ring of bytes and packets are referenced where they landed (one copy, by the kernel, and
 * none by us: the paper's copy-once into the PBuf).
 *
 * Why not mmap: walking a mapped trace costs a TLB miss and a cache miss per page of page cache,
 * which measured slower than read() into a buffer that stays in cache.  Why not libpcap's reader:
 * it copies every packet from stdio's buffer into its own, one fread() per record.
 *
 * Only the plain format is taken this way (version 2.4, micro- or nanosecond magic, either byte
 * order, a link type without pseudo-headers to byte-swap); libpcap has already validated the
 * header and reports the link type and snapshot length.  pcapng, old versions and patched formats
 * are read through libpcap.  Record checks follow libpcap's (sf-pcap.c), so both readers accept
 * and reject the same files with the same words (tests/unit/test_pcapstream.c).
 *
 * Validity: a packet is known by its stream position (file offset of its bytes).  Refilling the
 * ring overwrites the oldest bytes; `valid_from` is the lowest stream position still intact, so
 * PBuf readers can tell a stale reference from a live one.
 */
#ifndef FFPF_SOURCE_PCAPSTREAM_H
#define FFPF_SOURCE_PCAPSTREAM_H

#include <stddef.h>
#include <stdint.h>

#define PCAPSTREAM_RING_MIN (2u << 20)

struct pcapstream {
	int fd;
	uint8_t *ring;
	size_t cap;          /* ring bytes */
	size_t rd, wr;       /* parse offset, end of the bytes read, in the ring */
	uint64_t lap_pos;    /* stream position of ring offset 0 in this lap */
	uint64_t prev_lap;   /* stream position of ring offset 0 in the previous lap (UINT64_MAX: none) */
	uint64_t valid_from; /* lowest stream position whose bytes are still in the ring */
	uint64_t size;       /* file size */
	int eof;
	int swapped;         /* file written in the other byte order */
	int nsec;            /* timestamps in nanoseconds */
	uint32_t snapshot;   /* records longer are cut to this (as libpcap does) */
	uint32_t maxsnap;    /* records longer than this are an error */
};

struct pcapstream_rec {
	const uint8_t *data;
	uint64_t pos;        /* stream position of data */
	uint32_t caplen, wirelen;
	uint64_t ts_ns;
	int cut;             /* the record was longer than the snapshot length and was cut to it */
};

/* Open path for streaming if it is a plain pcap file this reader handles exactly like libpcap.
 * ring_bytes: how much read-ahead to keep (at least PCAPSTREAM_RING_MIN): more lets slow readers
 * of exported packets fall further behind before they lose packets. 
 * Returns 0 (ready), 1 (not eligible: use libpcap), or -errno with err filled. */
int pcapstream_open(struct pcapstream *s, const char *path, int dlt, uint32_t snapshot,
		    size_t ring_bytes, char *err, size_t errlen);
/* Next record.  keep_from: the lowest stream position the caller still needs (its current
 * batch); the reader will not overwrite it.  Returns 1 and *r; 0 at the end; 2 if going on
 * would overwrite keep_from (hand over what you have, then call again); -1 with err filled. */
int pcapstream_next(struct pcapstream *s, uint64_t keep_from, struct pcapstream_rec *r, char *err,
		    size_t errlen);
/* Fraction of the file consumed. */
double pcapstream_progress(const struct pcapstream *s);
void pcapstream_close(struct pcapstream *s);
#endif
