/* afpacket.c — live capture through an AF_PACKET TPACKET_V3 ring (see afpacket.h). */
#include "source/afpacket.h"
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define BLOCK (1u << 20)   /* 1 MiB blocks: ~700 full-size frames; retired after 10 ms anyway */
#define RETIRE_MS 10       /* a partly filled block reaches us after at most this */

static int fail(struct afpacket *a, char *err, size_t n, const char *what, const char *iface)
{
	int e = errno;
	snprintf(err, n, "%s %s: %s%s", what, iface, strerror(e),
		 e == EPERM ? " (capturing needs root or CAP_NET_RAW)" : "");
	afpacket_close(a);
	return -e;
}

static int setup_ring(struct afpacket *a, size_t ring_bytes, uint32_t snaplen)
{
	struct tpacket_req3 req;
	int v = TPACKET_V3;

	unsigned reserve = 4; /* headroom to put back a VLAN tag the NIC stripped (see next) */

	if (setsockopt(a->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) ||
	    setsockopt(a->fd, SOL_PACKET, PACKET_RESERVE, &reserve, sizeof(reserve)))
		return -1;
	a->block_size = BLOCK;
	a->nblocks = (uint32_t)(ring_bytes / BLOCK);
	if (a->nblocks < 4)
		a->nblocks = 4;
	memset(&req, 0, sizeof(req));
	req.tp_block_size = a->block_size;
	req.tp_block_nr = a->nblocks;
	req.tp_frame_size = 2048; /* V3 packs frames; this only bounds the count */
	req.tp_frame_nr = a->block_size / req.tp_frame_size * a->nblocks;
	req.tp_retire_blk_tov = RETIRE_MS;
	a->snaplen = snaplen; /* V3 frames take whole packets: afpacket_next() cuts them */
	if (setsockopt(a->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)))
		return -1;
	a->map_len = (size_t)a->block_size * a->nblocks;
	a->map = mmap(NULL, a->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, a->fd, 0);
	if (a->map == MAP_FAILED) /* MAP_LOCKED may exceed RLIMIT_MEMLOCK: try without */
		a->map = mmap(NULL, a->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
	if (a->map == MAP_FAILED) {
		a->map = NULL;
		return -1;
	}
	return 0;
}

static int mtu_of(struct afpacket *a, const char *iface)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(a->fd, SIOCGIFMTU, &ifr))
		return -1;
	a->mtu = ifr.ifr_mtu > 0 ? (uint32_t)ifr.ifr_mtu : 0;
	return 0;
}

int afpacket_open(struct afpacket *a, const char *iface, uint32_t snaplen, size_t ring_bytes,
		  int promisc, int bpf_fd, unsigned fanout, char *err, size_t n)
{
	struct sockaddr_ll sll;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	a->ifindex = (int)if_nametoindex(iface);
	if (!a->ifindex)
		return snprintf(err, n, "no interface named '%s' (see ip link)", iface), -ENODEV;
	/* Protocol 0: the socket receives nothing until bind(), so that no packet (of any device)
	 * is queued before the filter and the ring are in place. */
	a->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (a->fd < 0)
		return fail(a, err, n, "cannot open a packet socket for", iface);
	if (bpf_fd >= 0 && setsockopt(a->fd, SOL_SOCKET, SO_ATTACH_BPF, &bpf_fd, sizeof(bpf_fd)))
		return fail(a, err, n, "the kernel refused the socket filter for", iface);
	if (setup_ring(a, ring_bytes, snaplen))
		return fail(a, err, n, "cannot set up the capture ring on", iface);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = a->ifindex;
	if (bind(a->fd, (struct sockaddr *)&sll, sizeof(sll)))
		return fail(a, err, n, "cannot bind to", iface);
	/* One group per device: members share its packets, a flow always to the same member.
	 * Not FLAG_DEFRAG: it would reassemble IP fragments, and a monitor counts what was sent. */
	int fo = (int)(((fanout + (unsigned)a->ifindex) & 0xffff) | (unsigned)PACKET_FANOUT_HASH << 16);
	if (fanout && setsockopt(a->fd, SOL_PACKET, PACKET_FANOUT, &fo, sizeof(fo)))
		return fail(a, err, n, "cannot join the PACKET_FANOUT group on", iface);
	if (mtu_of(a, iface))
		return fail(a, err, n, "cannot read the MTU of", iface);
	if (promisc) {
		struct packet_mreq mr = {.mr_ifindex = a->ifindex, .mr_type = PACKET_MR_PROMISC};
		if (setsockopt(a->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)))
			return fail(a, err, n, "cannot make promiscuous", iface);
	}
	afpacket_stats(a); /* start from zero: what came before the run is not ours */
	a->kernel_drops = a->kernel_seen = 0;
	return 0;
}

int afpacket_promisc(const char *iface, char *err, size_t n)
{
	struct packet_mreq mr = {.mr_type = PACKET_MR_PROMISC};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), e;

	if (fd < 0) {
		e = errno;
		return snprintf(err, n, "cannot open a packet socket to make %s promiscuous: %s", iface,
				strerror(e)), -e;
	}
	mr.mr_ifindex = (int)if_nametoindex(iface);
	if (!mr.mr_ifindex || setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr))) {
		e = mr.mr_ifindex ? errno : ENODEV;
		close(fd);
		return snprintf(err, n, "cannot make %s promiscuous: %s", iface, strerror(e)), -e;
	}
	return fd;
}

static struct tpacket_block_desc *block(const struct afpacket *a, uint64_t seq)
{
	return (struct tpacket_block_desc *)(void *)(a->map + (size_t)(seq % a->nblocks) * a->block_size);
}

/* The kernel (or the NIC) took the 802.1Q tag out of the frame and into the header; filters and
 * dumps expect it in the frame, as on the wire (libpcap does the same).  The MAC addresses move
 * 4 bytes into the headroom reserved with PACKET_RESERVE and the tag goes back after them. */
static void put_vlan_back(const struct tpacket3_hdr *h, struct afpacket_rec *r)
{
	uint8_t *d = (uint8_t *)r->data - 4;
	uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ? h->hv1.tp_vlan_tpid : ETH_P_8021Q;
	uint16_t tag[2] = {htons(tpid), htons((uint16_t)h->hv1.tp_vlan_tci)};

	if (r->caplen < 12)
		return;
	memmove(d, d + 4, 12);
	memcpy(d + 12, tag, 4);
	r->data = d;
	r->caplen += 4;
	r->wirelen += 4;
}

int afpacket_next(struct afpacket *a, struct afpacket_rec *r)
{
	struct tpacket3_hdr *h;

	while (!a->in_block || !a->left) {
		struct tpacket_block_desc *b = block(a, a->next_block);
		if (a->next_block - a->oldest >= a->nblocks) /* all blocks are ours: wait for release */
			return 0;
		if (!(__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			return 0;
		a->cur = a->next_block++;
		a->in_block = 1;
		a->left = b->hdr.bh1.num_pkts;
		a->pkt = (uint8_t *)b + b->hdr.bh1.offset_to_first_pkt;
	}
	h = (struct tpacket3_hdr *)(void *)a->pkt;
	r->data = a->pkt + h->tp_mac;
	r->caplen = h->tp_snaplen;
	r->wirelen = h->tp_len;
	if ((h->tp_status & TP_STATUS_VLAN_VALID) || h->hv1.tp_vlan_tci)
		put_vlan_back(h, r);
	if (r->caplen > a->snaplen)
		r->caplen = a->snaplen;
	r->ts_ns = (uint64_t)h->tp_sec * 1000000000u + h->tp_nsec;
	r->pos = a->cur * a->block_size + (uint64_t)(a->pkt - (uint8_t *)block(a, a->cur));
	a->pkt += h->tp_next_offset;
	if (!--a->left)
		a->in_block = 0; /* read out; given back at the next release */
	return 1;
}

void afpacket_release(struct afpacket *a, uint64_t keep)
{
	uint64_t upto = a->in_block ? a->cur : a->next_block;
	if (keep / a->block_size < upto)
		upto = keep / a->block_size;
	for (; a->oldest < upto; a->oldest++) {
		struct tpacket_block_desc *b = block(a, a->oldest);
		__atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
	}
	a->valid_from = a->oldest * a->block_size;
}

int afpacket_wait(struct afpacket *a, int timeout_ms)
{
	struct pollfd p = {.fd = a->fd, .events = POLLIN};
	int rc = poll(&p, 1, timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) {
		int e = 0;
		socklen_t l = sizeof(e);
		getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &e, &l);
		return e ? -e : (p.revents & POLLIN ? 1 : -ENETDOWN);
	}
	return rc > 0;
}

void afpacket_stats(struct afpacket *a)
{
	struct tpacket_stats_v3 st;
	socklen_t len = sizeof(st);
	if (a->fd >= 0 && !getsockopt(a->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len)) {
		a->kernel_drops += st.tp_drops; /* reading the statistics resets them */
		a->kernel_seen += st.tp_packets;
	}
}

void afpacket_close(struct afpacket *a)
{
	if (a->map)
		munmap(a->map, a->map_len);
	if (a->fd >= 0)
		close(a->fd);
	a->map = NULL;
	a->fd = -1;
}
