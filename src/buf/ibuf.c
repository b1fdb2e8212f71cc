/* ibuf.c — allocation of IBufs (control plane only). */
#include "buf/ibuf.h"
#include <stdlib.h>

struct ffpf_ibuf *ffpf_ibuf_new(unsigned nslots)
{
	struct ffpf_ibuf *ib = calloc(1, sizeof(*ib));
	uint32_t n = 16;

	if (!ib)
		return NULL;
	while (n < nslots && n < (1u << 26))
		n <<= 1;
	ib->e = calloc(n, sizeof(*ib->e));
	if (!ib->e) {
		free(ib);
		return NULL;
	}
	ib->nslots = n;
	ib->mask = n - 1;
	return ib;
}

void ffpf_ibuf_free(struct ffpf_ibuf *ib)
{
	if (!ib)
		return;
	free(ib->e);
	free(ib);
}
