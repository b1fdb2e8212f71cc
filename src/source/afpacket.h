/* afpacket.h — live capture from a Linux interface through an AF_PACKET TPACKET_V3 mmap ring.
 *
 * The kernel fills blocks of the ring; we hand their packets out in place (zero-copy: the ring is
 * the PBuf's memory) and return a block to the kernel once every packet of it has been handed
 * out and the batch holding them is done.  Each packet has a stream position
 * (block sequence × block size + offset), and `valid_from` is the first position of the oldest
 * block we still own, so readers of a released block see a counted overrun, never new bytes.
 * An optional eBPF socket filter (SO_ATTACH_BPF, kern/offload.h) is the kernel flowspace: it
 * decides, before the ring, which packets come up.
 */
#ifndef FFPF_SOURCE_AFPACKET_H
#define FFPF_SOURCE_AFPACKET_H

#include <stddef.h>
#include <stdint.h>

struct sock_fprog;

struct afpacket {
	int fd;
	uint8_t *map;
	size_t map_len;
	uint32_t block_size, nblocks;
	uint64_t cur;         /* sequence of the block being read (when in_block) */
	uint64_t next_block;  /* sequence of the next block to read */
	uint64_t oldest;      /* sequence of the oldest block not yet returned to the kernel */
	int in_block;
	uint32_t left;        /* packets left in the current block */
	uint8_t *pkt;         /* next packet header in the current block */
	uint64_t valid_from;  /* stream position below which bytes went back to the kernel */
	uint64_t kernel_drops;/* PACKET_STATISTICS tp_drops, summed */
	uint64_t kernel_seen; /* PACKET_STATISTICS tp_packets, summed */
	int ifindex;
	uint32_t mtu;         /* the interface's MTU when it was opened */
	uint32_t snaplen;     /* caplen is cut to this (the kernel has no snaplen for TPACKET_V3) */
};

struct afpacket_rec {
	const uint8_t *data;
	uint64_t pos, ts_ns;
	uint32_t caplen, wirelen;
};

/* Open iface: a TPACKET_V3 ring of about ring_bytes, promiscuous if asked, snaplen bytes per
 * packet, and the eBPF socket filter bpf_fd (-1: none) attached before any packet is queued;
 * fanout non-zero: join the device's PACKET_FANOUT group fanout (by flow hash).  0, or -errno with err filled
 * (no such interface, no permission: root or CAP_NET_RAW is needed).  a->mtu is the interface's
 * MTU then (for sizing copies: see xfer.h). */
int afpacket_open(struct afpacket *a, const char *iface, uint32_t snaplen, size_t ring_bytes,
		  int promisc, int bpf_fd, unsigned fanout, char *err, size_t errlen);
/* Hold iface in promiscuous mode without receiving anything (XDP and tc take packets without
 * a socket): a packet socket of protocol 0, never bound, is on no receive path; the kernel
 * drops its membership, and the device's promiscuity with it, when the descriptor closes,
 * however the process ends.  The descriptor, or -errno with err filled. */
int afpacket_promisc(const char *iface, char *err, size_t errlen);
/* Next packet: 1 and *r; 0 if none is ready now.  Blocks are never given back here: only by
 * afpacket_release(), when the batch holding their packets is done. */
int afpacket_next(struct afpacket *a, struct afpacket_rec *r);
/* Give back to the kernel every fully read block before the one in use (the batch is done, or
 * its packets were copied out), but not the block holding stream position keep (a packet read
 * and not yet delivered; UINT64_MAX: none). */
void afpacket_release(struct afpacket *a, uint64_t keep);
/* Wait up to timeout_ms for packets (poll); 1 ready, 0 timeout, -errno (e.g. -ENETDOWN). */
int afpacket_wait(struct afpacket *a, int timeout_ms);
/* Refresh kernel_drops/kernel_seen from the socket's statistics. */
void afpacket_stats(struct afpacket *a);
void afpacket_close(struct afpacket *a);
#endif
