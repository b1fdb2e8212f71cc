/* xfer.c — copy-once and copy-on-demand into a PBuf's slots (see xfer.h). */
#include "source/xfer.h"
#include <string.h>

enum xfer_mode xfer_mode_of(const char *name)
{
	if (name && !strcmp(name, "copy-once"))
		return XFER_COPY_ONCE;
	if (name && !strcmp(name, "copy-on-demand"))
		return XFER_COPY_ON_DEMAND;
	return XFER_ZERO_COPY;
}

uint32_t xfer_slot_size(uint32_t snaplen, uint32_t mtu)
{
	uint64_t slot = ((uint64_t)mtu + 64 + 63) & ~(uint64_t)63;
	return slot < snaplen ? (uint32_t)slot : snaplen;
}

/* One memcpy of caplen bytes (at most a slot): the cost of crossing the barrier by copy. */
int xfer_copy(struct ffpf_pbuf *pb, struct ffpf_slot_meta *m)
{
	uint8_t *slot = ffpf_pbuf_slot(pb, m->seq);
	int cut = m->caplen > pb->slot_size;

	if (cut)
		m->caplen = pb->slot_size;
	memcpy(slot, m->data, m->caplen);
	m->data = slot;
	m->flags |= FFPF_SLOT_COPIED;
	return cut;
}

/* A pass over the batch's slot metadata (one flag test each) plus a copy per kept packet. */
uint64_t xfer_copy_kept(struct ffpf_pbuf *pb, uint64_t from, uint64_t to, uint64_t *cut)
{
	uint64_t n = 0;

	for (uint64_t seq = from; seq < to; seq++) {
		struct ffpf_slot_meta *m = &pb->meta[seq & pb->mask];
		if (m->seq != seq || (m->flags & (FFPF_SLOT_KEPT | FFPF_SLOT_COPIED)) != FFPF_SLOT_KEPT)
			continue;
		*cut += (uint64_t)xfer_copy(pb, m);
		n++;
	}
	return n;
}
