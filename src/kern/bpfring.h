/* bpfring.h — the host's end of a BPF ring buffer (BPF_MAP_TYPE_RINGBUF): how packets an XDP
 * or tc program passed come up to the host.
 *
 * Records are read in place (the kernel copied each packet once, into the ring) and stay
 * valid until bpfring_release() publishes our read position: only then may the kernel write
 * over them.  So a batch references its packets in the ring, as with AF_PACKET, and `published`
 * serves as the PBuf's valid_from: entries below it were given back. */
#ifndef FFPF_KERN_BPFRING_H
#define FFPF_KERN_BPFRING_H

#include <stddef.h>
#include <stdint.h>

struct bpfring {
	int fd;             /* the map (our own descriptor); poll() it for data */
	uint8_t *cons;      /* the consumer page (our position) */
	uint8_t *prod;      /* the producer page, then the data, mapped twice in a row */
	size_t size;        /* bytes of data, a power of two */
	size_t pagesz;
	uint64_t pos;       /* next record to read */
	uint64_t published; /* position given back to the kernel */
};

/* Map the ring of map_fd (size bytes of data), keeping a descriptor of its own: the reader
 * outlives the program that made the ring.  0, or -errno with why. */
int bpfring_open(struct bpfring *r, int map_fd, size_t size, char *why, size_t n);
/* The next record: 1 with *rec (its bytes, in the ring), *len and *pos (its position); 0 if
 * none is ready.  Discarded records are skipped. */
int bpfring_next(struct bpfring *r, const uint8_t **rec, uint32_t *len, uint64_t *pos);
/* Give the records read so far back to the kernel. */
void bpfring_release(struct bpfring *r);
/* Bytes written by the kernel and not yet read. */
uint64_t bpfring_backlog(const struct bpfring *r);
void bpfring_close(struct bpfring *r);
#endif
