/* pbuf.h — PBuf: a circular packet buffer of fixed slots (power of two), per source.
 *
 * Packets are written once, in order, by their source and identified by a 64-bit sequence
 * number; slot = seq & mask.  Readers (IBuf entries) hold sequence numbers, so a reader that fell
 * more than nslots behind can tell that its packet was overwritten (and count it) instead of
 * reading another packet's bytes.  Allocated at instantiate; the datapath only indexes it.
 * Packet bytes are stored as captured: network byte order (FFPF_ORDER_NET).
 */
#ifndef FFPF_BUF_PBUF_H
#define FFPF_BUF_PBUF_H

#include <stdint.h>
#include <stddef.h>

enum ffpf_order { FFPF_ORDER_NET = 0, FFPF_ORDER_HOST = 1 };

struct ffpf_slot_meta {
	const uint8_t *data; /* the packet: in this slot (copy) or in the source's memory (zero-copy) */
	uint64_t seq;      /* sequence number of the packet in the slot */
	uint64_t pos;      /* zero-copy: the packet's position in the source's stream */
	uint64_t ts_ns;
	uint32_t caplen;
	uint32_t wirelen;
};

struct ffpf_pbuf {
	uint8_t *mem;                 /* nslots * slot_size bytes; NULL for a zero-copy PBuf */
	struct ffpf_slot_meta *meta;  /* nslots */
	uint32_t slot_size;
	uint32_t nslots;
	uint64_t mask;
	uint64_t head;                /* next sequence number to write (written by the source) */
	int linktype;
	enum ffpf_order order;
	const uint64_t *valid_from;   /* zero-copy: positions below this were overwritten (or NULL) */
};

/* Allocate a PBuf of at least nslots slots (rounded up to 2^k, >= 2 batches) of slot_size bytes.
 * slot_size 0 makes a zero-copy PBuf: slots only describe packets that stay where the source
 * has them (e.g. a mapped trace), valid for the source's lifetime. */
struct ffpf_pbuf *ffpf_pbuf_new(unsigned nslots, uint32_t slot_size, int linktype);
void ffpf_pbuf_free(struct ffpf_pbuf *pb);

/* Reserve the next slot for writing; returns its bytes (NULL in a zero-copy PBuf), and its
 * sequence number in *seq. */
static inline uint8_t *ffpf_pbuf_next(struct ffpf_pbuf *pb, uint64_t *seq)
{
	*seq = pb->head++;
	return pb->mem ? pb->mem + (size_t)(*seq & pb->mask) * pb->slot_size : NULL; /* NULL: zero-copy */
}

/* Bytes of packet seq, or NULL if its slot has since been reused. */
static inline const uint8_t *ffpf_pbuf_get(const struct ffpf_pbuf *pb, uint64_t seq,
					   const struct ffpf_slot_meta **meta)
{
	const struct ffpf_slot_meta *m = &pb->meta[seq & pb->mask];
	if (m->seq != seq || (pb->valid_from && m->pos < *pb->valid_from))
		return NULL;
	*meta = m;
	return m->data;
}
#endif
