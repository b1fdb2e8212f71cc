/* dev.h — what the engine asks of the live source beyond the class API: to open once the
 * kernel and XDP programs are decided (kern/offload.h), since which socket it needs — none, a
 * plain one, one carrying a socket filter, or the XDP ring — depends on them. */
#ifndef FFPF_FN_DEV_H
#define FFPF_FN_DEV_H

#include <string.h>
#include "graph/fn.h"

struct ffpf_offload;

/* Whether fn is a live device source (class dev). */
static inline int ffpf_is_dev(const struct ffpf_fn *fn)
{
	return !strcmp(fn->cls->name, "dev");
}

/* Open the device for its final level: the AF_PACKET ring (host), the ring with the unit's
 * socket filter attached before any packet enters (kernel), or the XDP ring to the host, or
 * nothing when no packet goes up (xdp).  u is the device's unit, NULL when it has none.
 * 0, or -errno with the function's error set. */
int ffpf_dev_start(struct ffpf_fn *fn, struct ffpf_offload *u);
/* Whether ffpf_dev_start() has opened it. */
int ffpf_dev_started(const struct ffpf_fn *fn);
/* ffpfd: put u's socket filter on the device's socket, replacing its program at once (opens
 * the device first if it is not yet).  0, or -errno with the function's error set. */
int ffpf_dev_refilter(struct ffpf_fn *fn, const struct ffpf_offload *u);
#endif
