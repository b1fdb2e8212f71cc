/* dev.h — what the engine asks of the live source beyond the class API: to open once the
 * kernel and XDP programs are decided (kern/offload.h), since what it reads — a plain packet
 * socket, one carrying a socket filter, or the ring of an XDP or tc program (or nothing) —
 * depends on them. */
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
 * socket filter attached before any packet enters (kernel, socket filter), or the ring of the
 * unit's XDP or tc program, or nothing when it has none.  u is the device's unit, NULL when it
 * has none.  0, or -errno with the function's error set. */
int ffpf_dev_start(struct ffpf_fn *fn, struct ffpf_offload *u);
/* Whether ffpf_dev_start() has opened it. */
int ffpf_dev_started(const struct ffpf_fn *fn);
/* Whether it is open with a packet socket of its own (host level or a socket filter). */
int ffpf_dev_socketed(const struct ffpf_fn *fn);
/* ffpfd: the device now runs u (opens it first if it is not open yet): a socket filter is put
 * on the device's socket, replacing its program at once; a tc program already runs on the
 * device's links (offload.c), and the device takes u's marks.  0, or -errno with the
 * function's error set. */
int ffpf_dev_refilter(struct ffpf_fn *fn, const struct ffpf_offload *u);
/* ffpfd: close a device opened by a swap that then failed, as if never started (its unit is
 * gone; the next rebuild opens it again). */
void ffpf_dev_stop(struct ffpf_fn *fn);
#endif
