/* ibuf.h — IBuf: a circular index buffer of {PBuf sequence number, 32-bit class} per function.
 *
 * One writer (the function, in the datapath) and one reader cursor.  The writer never waits:
 * when the ring is full the oldest entry is overwritten and the reader, on its next read, learns
 * how many entries it lost (counted as reader_overrun) — a slow reader cannot stall the graph.
 */
#ifndef FFPF_BUF_IBUF_H
#define FFPF_BUF_IBUF_H

#include <stdint.h>

struct ffpf_ientry {
	uint64_t seq;   /* packet in the PBuf */
	uint32_t cls;   /* classification result */
	uint32_t src;   /* id of the source whose PBuf holds the packet */
};

struct ffpf_ibuf {
	struct ffpf_ientry *e;
	uint64_t mask;
	uint64_t head;  /* next index to write (writer) */
	uint64_t tail;  /* next index to read (reader) */
	uint32_t nslots;
};

struct ffpf_ibuf *ffpf_ibuf_new(unsigned nslots);
void ffpf_ibuf_free(struct ffpf_ibuf *ib);

static inline void ffpf_ibuf_put(struct ffpf_ibuf *ib, uint64_t seq, uint32_t cls, uint32_t src)
{
	struct ffpf_ientry *x = &ib->e[ib->head++ & ib->mask];
	x->seq = seq;
	x->cls = cls;
	x->src = src;
}

/* Take the oldest unread entry.  Returns 1 and *out, or 0 if empty; *lost gets the entries
 * overwritten since the last read. */
static inline int ffpf_ibuf_take(struct ffpf_ibuf *ib, struct ffpf_ientry *out, uint64_t *lost)
{
	*lost = 0;
	if (ib->head - ib->tail > ib->nslots) {
		*lost = ib->head - ib->tail - ib->nslots;
		ib->tail = ib->head - ib->nslots;
	}
	if (ib->tail == ib->head)
		return 0;
	*out = ib->e[ib->tail++ & ib->mask];
	return 1;
}
#endif
