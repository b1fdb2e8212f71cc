/* pbuf.h — PBuf: a circular packet buffer of fixed slots (power of two), per source.
 *
 * Packets are written once, in order, by their source and identified by a 64-bit sequence
 * number; slot = seq & mask.  Readers (IBuf entries) hold sequence numbers, so a reader that fell
 * more than nslots behind can tell that its packet was overwritten (and count it) instead of
 * reading another packet's bytes.  Allocated at instantiate; the datapath only indexes it.
 * Packet bytes are stored as captured: network byte order (FFPF_ORDER_NET).
 *
 * A PBuf over another flowspace's memory (a capture ring) is filled by one of the transfer
 * strategies of the paper's §III-A (src/source/xfer.h): zero-copy (slots point into that memory,
 * valid while the source holds it, see valid_from), copy-once (every packet copied into its
 * slot), or copy-on-demand (slots point into that memory until a function that keeps packets
 * beyond their batch marks one with ffpf_pbuf_keep(); the source copies the marked ones into their
 * slots before it gives the memory back).
 */
#ifndef FFPF_BUF_PBUF_H
#define FFPF_BUF_PBUF_H

#include <stdint.h>
#include <stddef.h>

enum ffpf_order { FFPF_ORDER_NET = 0, FFPF_ORDER_HOST = 1 };

/* Slot flags.  KEPT: a function keeps the packet beyond its batch (set by ffpf_pbuf_keep()).
 * COPIED: the bytes are in the slot itself, so valid_from no longer applies to them. */
enum { FFPF_SLOT_KEPT = 1u << 0, FFPF_SLOT_COPIED = 1u << 1 };

struct ffpf_slot_meta {
	const uint8_t *data; /* the packet: in this slot (copy) or in the source's memory (zero-copy) */
	uint64_t seq;      /* sequence number of the packet in the slot */
	uint64_t pos;      /* zero-copy: the packet's position in the source's stream */
	uint64_t ts_ns;
	uint32_t caplen;
	uint32_t wirelen;
	uint32_t flags;    /* FFPF_SLOT_*: set by the source; KEPT also by keepers (on_demand) */
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
	int on_demand;                /* copy-on-demand: keepers mark slots FFPF_SLOT_KEPT */
};

/* Allocate a PBuf of at least nslots slots (rounded up to 2^k, >= 2 batches) of slot_size bytes.
 * slot_size 0 makes a zero-copy PBuf: slots only describe packets that stay where the source
 * has them (e.g. a mapped trace), valid for the source's lifetime. */
struct ffpf_pbuf *ffpf_pbuf_new(unsigned nslots, uint32_t slot_size, int linktype);
void ffpf_pbuf_free(struct ffpf_pbuf *pb);

/* The bytes of the slot of packet seq (NULL in a zero-copy PBuf). */
static inline uint8_t *ffpf_pbuf_slot(const struct ffpf_pbuf *pb, uint64_t seq)
{
	return pb->mem ? pb->mem + (size_t)(seq & pb->mask) * pb->slot_size : NULL; /* NULL: zero-copy */
}

/* Reserve the next slot for writing; returns its bytes (NULL in a zero-copy PBuf), and its
 * sequence number in *seq. */
static inline uint8_t *ffpf_pbuf_next(struct ffpf_pbuf *pb, uint64_t *seq)
{
	*seq = pb->head++;
	return ffpf_pbuf_slot(pb, *seq);
}

/* A function keeps packet seq beyond its batch (an export: a reader looks later).  In a
 * copy-on-demand PBuf this marks the packet to be copied before its source gives its memory
 * back; elsewhere it does nothing.  Datapath: one test per call, one store per packet. */
static inline void ffpf_pbuf_keep(struct ffpf_pbuf *pb, uint64_t seq)
{
	if (pb->on_demand)
		pb->meta[seq & pb->mask].flags |= FFPF_SLOT_KEPT;
}

/* Bytes of packet seq, or NULL if its slot has since been reused. */
static inline const uint8_t *ffpf_pbuf_get(const struct ffpf_pbuf *pb, uint64_t seq,
					   const struct ffpf_slot_meta **meta)
{
	const struct ffpf_slot_meta *m = &pb->meta[seq & pb->mask];
	if (m->seq != seq ||
	    (pb->valid_from && !(m->flags & FFPF_SLOT_COPIED) && m->pos < *pb->valid_from))
		return NULL;
	*meta = m;
	return m->data;
}
#endif
