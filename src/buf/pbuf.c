/* pbuf.c — allocation of PBufs (control plane only). */
#include "buf/pbuf.h"
#include <stdlib.h>
#include <errno.h>
#include <ffpf/class.h>

struct ffpf_pbuf *ffpf_pbuf_new(unsigned nslots, uint32_t slot_size, int linktype)
{
	struct ffpf_pbuf *pb;
	uint32_t n = 2 * FFPF_BATCH_MAX;

	while (n < nslots && n < (1u << 24))
		n <<= 1;
	slot_size = (slot_size + 63) & ~63u; /* cache-line aligned slots */
	pb = calloc(1, sizeof(*pb));
	if (!pb)
		return NULL;
	/* calloc'd memory comes from fresh pages: untouched slot tails cost no RAM. */
	pb->mem = slot_size ? calloc(n, slot_size) : NULL;
	pb->meta = calloc(n, sizeof(*pb->meta));
	if ((slot_size && !pb->mem) || !pb->meta) {
		ffpf_pbuf_free(pb);
		errno = ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++)
		pb->meta[i].seq = UINT64_MAX; /* no packet yet */
	pb->nslots = n;
	pb->mask = n - 1;
	pb->slot_size = slot_size;
	pb->linktype = linktype;
	pb->order = FFPF_ORDER_NET;
	return pb;
}

void ffpf_pbuf_free(struct ffpf_pbuf *pb)
{
	if (!pb)
		return;
	free(pb->mem);
	free(pb->meta);
	free(pb);
}
