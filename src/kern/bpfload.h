/* bpfload.h — load a compiled eBPF unit with libbpf, map its state, attach it to a device (XDP;
 * a socket filter is attached by afpacket_open, before the socket binds), detach it again.
 *
 * XDP programs are attached through a BPF link: the kernel detaches it when the link's last
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

struct bpf_object;

struct ffpf_bpf {
	struct bpf_object *obj;
	int prog_fd;          /* the program (XDP or socket filter) */
	int link_fd;          /* XDP: the link; closing it detaches (-1: not attached) */
	int ring_fd;          /* XDP: the ring to the host, or -1 */
	uint8_t *mem;         /* the state map's value, mapped read/write */
	size_t mem_len;       /* bytes mapped */
	int ifindex;          /* XDP: where it is attached */
	int generic;          /* XDP: attached in generic (skb) mode, the driver refused native */
	char mode_why[160];   /* XDP: why not native, when generic */
	char stale[160];      /* XDP: what was left by a dead run and removed, or "" */
};

/* Open and load the object at path (the verifier runs here), map its state of mem_size bytes.
 * 0, or -errno with why: the libbpf/verifier message, trimmed to its last lines. */
int ffpf_bpf_open(struct ffpf_bpf *b, const char *path, size_t mem_size, char *why, size_t n);

/* Attach the XDP program to ifindex: native mode, else generic (b->generic, b->mode_why).
 * A stale program of ours is removed first; anyone else's is left alone and is an error. */
int ffpf_bpf_attach_xdp(struct ffpf_bpf *b, int ifindex, char *why, size_t n);

/* Remove an XDP program named FFPF_BPF_XDP_NAME attached to ifindex without a link (left by a
 * dead run or by hand).  1 if one was removed, 0 if none, -errno.  msg says what was done. */
int ffpf_bpf_clear_stale(int ifindex, char *msg, size_t n);

/* Detach, unmap, unload.  Safe on a zeroed or half-opened b, and twice. */
void ffpf_bpf_close(struct ffpf_bpf *b);
#endif
