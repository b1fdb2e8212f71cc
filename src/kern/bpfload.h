/* bpfload.h — load a compiled eBPF unit with libbpf, map its state, attach it to a device (XDP,
 * or tc in both directions through tcx; a socket filter is attached by afpacket_open, before the
 * socket binds), replace it in place, detach it again.
 *
 * XDP and tc programs are attached through BPF links: the kernel detaches it when the link's last
 * descriptor closes, which happens however the process ends (SIGKILL included), so a dead run
 * leaves nothing behind.  A program of ours attached the old way (netlink, no link: an older
 * tool, or by hand with `ip link set dev D xdp obj ...`) is recognised by its name and removed
 * before attaching (ffpf_bpf_clear_stale). */
#ifndef FFPF_KERN_BPFLOAD_H
#define FFPF_KERN_BPFLOAD_H

#include <stddef.h>
#include <stdint.h>

#define FFPF_BPF_XDP_NAME  "ffpf_xdp"   /* the program name every XDP unit of ours has */
#define FFPF_BPF_SOCK_NAME "ffpf_sock"
#define FFPF_BPF_TC_NAME   "ffpf_tc"

struct bpf_object;

struct ffpf_bpf {
	struct bpf_object *obj;
	int prog_fd;          /* the program (XDP, tc or socket filter) */
	int link_fd;          /* XDP, tc ingress: the link; closing it detaches (-1: not attached) */
	int link2_fd;         /* tc egress: the link, or -1 */
	int ring_fd;          /* XDP, tc: the ring to the host, or -1 */
	uint8_t *mem;         /* the state map's value, mapped read/write */
	size_t mem_len;       /* bytes mapped */
	int ifindex;          /* XDP, tc: where it is attached */
	int generic;          /* XDP: attached in generic (skb) mode, the driver refused native */
	char mode_why[160];   /* XDP: why not native, when generic */
	char stale[160];      /* XDP: what was left by a dead run and removed, or "" */
};

/* Open and load the object at path (the verifier runs here), map its state of mem_size bytes.
 * ring_fd >= 0: the object's ring is that existing map (a program replacing another keeps its
 * ring, and the host's reader with it), else a new one.  0, or -errno with why: the
 * libbpf/verifier message, trimmed to its last lines. */
int ffpf_bpf_open(struct ffpf_bpf *b, const char *path, size_t mem_size, int ring_fd, char *why,
		  size_t n);

/* Attach the XDP program to ifindex: native mode, else generic (b->generic, b->mode_why).
 * A stale program of ours is removed first; anyone else's is left alone and is an error. */
int ffpf_bpf_attach_xdp(struct ffpf_bpf *b, int ifindex, char *why, size_t n);

/* Whether the kernel can attach tc programs through tcx links (Linux 6.6 and later) to
 * ifindex: 1 (also when we may not ask: attaching will tell), or 0 with why. */
int ffpf_bpf_tcx_ok(int ifindex, char *why, size_t n);

/* Attach the tc program to ifindex's ingress and egress (tcx links), first among the device's
 * tc programs: it then sees what a packet socket on the device would see, both directions
 * (see docs/hierarchy.md for where the two differ).  0, or -errno with why. */
int ffpf_bpf_attach_tc(struct ffpf_bpf *b, int ifindex, char *why, size_t n);

/* Put b's program in place of from's on from's links, atomically per link (each packet runs
 * one of the two), and move the links to b.  0, or -errno with why (nothing moved). */
int ffpf_bpf_take_links(struct ffpf_bpf *b, struct ffpf_bpf *from, char *why, size_t n);

/* Remove an XDP program named FFPF_BPF_XDP_NAME attached to ifindex without a link (left by a
 * dead run or by hand).  1 if one was removed, 0 if none, -errno.  msg says what was done. */
int ffpf_bpf_clear_stale(int ifindex, char *msg, size_t n);

/* Detach, unmap, unload.  Safe on a zeroed or half-opened b, and twice. */
void ffpf_bpf_close(struct ffpf_bpf *b);
#endif
