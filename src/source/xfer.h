/* xfer.h — transfer strategies across a barrier (paper §III-A, Fig. 6): how packets that sit in
 * a lower flowspace's memory (the kernel's capture ring) reach the PBuf of the one above.
 *
 *   zero-copy       slots point into the lower memory; valid while the source holds it
 *   copy-once       every packet is copied into its slot as it crosses; the memory goes back
 *                   at once
 *   copy-on-demand  slots point into the lower memory while the batch runs; packets a function
 *                   kept (ffpf_pbuf_keep(), e.g. an export) are copied into their slots after
 *                   the batch, before the memory goes back; the others are never copied
 *
 * The copies land in the packet's own PBuf slot (allocated at instantiate), so the datapath
 * allocates nothing.  A packet longer than a slot is cut to it (caplen shrinks, wirelen stays)
 * and the caller counts it as slot_truncated.
 */
#ifndef FFPF_SOURCE_XFER_H
#define FFPF_SOURCE_XFER_H

#include <stdint.h>
#include "buf/pbuf.h"

enum xfer_mode { XFER_ZERO_COPY, XFER_COPY_ONCE, XFER_COPY_ON_DEMAND };

/* The choices, as a class parameter lists them (FFPF_P_ENUM), in enum order. */
#define XFER_CHOICES "zero-copy|copy-once|copy-on-demand"

/* The mode named name (one of XFER_CHOICES); zero-copy for anything else. */
enum xfer_mode xfer_mode_of(const char *name);
/* Slot size for copies from a link of this MTU: min(snaplen, MTU + 64 rounded up to 64 bytes)
 * — a link-layer header, VLAN tags and slack above the MTU, not snaplen's 256 KiB. */
uint32_t xfer_slot_size(uint32_t snaplen, uint32_t mtu);
/* Copy the packet m describes into its own slot of pb (a PBuf with slots) and point m at the
 * copy.  Returns 1 if the packet was longer than the slot and was cut, else 0. */
int xfer_copy(struct ffpf_pbuf *pb, struct ffpf_slot_meta *m);
/* Copy-on-demand, after the batch of sequences [from, to) ran: copy the packets marked KEPT
 * and not yet copied.  Returns how many were copied; *cut gets how many of those were cut. */
uint64_t xfer_copy_kept(struct ffpf_pbuf *pb, uint64_t from, uint64_t to, uint64_t *cut);
#endif
