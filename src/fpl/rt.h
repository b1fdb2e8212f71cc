/* rt.h — FPL's run-time library: bounded packet reads, header resolution for named fields, HASH,
 * shifts, and the context EXTERN calls go through.
 *
 * ONE definition for both executions of a program: the interpreter (interp.c) includes this
 * file, and the C emitter hands this very text to generated code (ffpf_fpl_runtime_c(), kept
 * byte-identical by test_fpl), so compiled and interpreted programs cannot disagree on what a
 * field means.  Self-contained C17 with only <stdint.h> and <string.h>: struct ffpf_pkt is
 * defined here unless <ffpf/pkt.h> (FFPF_PKT_H) or another prelude (FFPF_HAVE_PKT) did it first.
 */
#ifndef FFPF_FPL_RT_H
#define FFPF_FPL_RT_H
#include <stdint.h>
#include <string.h>

#if !defined(FFPF_PKT_H) && !defined(FFPF_HAVE_PKT)
#define FFPF_HAVE_PKT 1
struct ffpf_pkt {
	const uint8_t *data;
	uint32_t caplen;
	uint32_t wirelen;
};
#endif

/* Run-time errors: the program stops, its packet is dropped (class 0) and counted. */
enum { FFPF_FPL_OK, FFPF_FPL_EDIV, FFPF_FPL_EMOD, FFPF_FPL_EHASH, FFPF_FPL_ECALL };

/* Distinct EXTERN callees a program may have (call sites are not limited). */
#define FFPF_FPL_MAX_CALLEES 16

struct ffpf_fn;

/* One EXTERN callee: a function and its class's call op (paper §V-A function-call semantics:
 * it runs with the caller's packet and MBuf words as arguments and results). */
struct ffpf_fpl_callee {
	struct ffpf_fn *fn;
	uint32_t (*call)(struct ffpf_fn *fn, const struct ffpf_pkt *pkt, const uint64_t *in,
			 uint64_t *out);
};

/* What a running program needs beyond packet and MBuf: the link type its fields are resolved
 * for (DLT_*) and its callees, in the order of ffpf_fpl_callee_element(). */
struct ffpf_fpl_xctx {
	int linktype;
	unsigned ncallees;
	struct ffpf_fpl_callee callee[FFPF_FPL_MAX_CALLEES];
};

/* Named fields, in the order of the names table in lexer.c. */
enum ffpf_fpl_field {
	FFPF_FPL_F_LEN, FFPF_FPL_F_CAPLEN, FFPF_FPL_F_ETH_TYPE, FFPF_FPL_F_VLAN_ID,
	FFPF_FPL_F_L3_OFF, FFPF_FPL_F_IP_VER, FFPF_FPL_F_IP_HL, FFPF_FPL_F_IP_LEN,
	FFPF_FPL_F_IP_TTL, FFPF_FPL_F_IP_PROTO, FFPF_FPL_F_IP_FRAG, FFPF_FPL_F_IP_SRC,
	FFPF_FPL_F_IP_DST, FFPF_FPL_F_IP6_SRC_HI, FFPF_FPL_F_IP6_SRC_LO, FFPF_FPL_F_IP6_DST_HI,
	FFPF_FPL_F_IP6_DST_LO, FFPF_FPL_F_L4_OFF, FFPF_FPL_F_TCP_SPORT, FFPF_FPL_F_TCP_DPORT,
	FFPF_FPL_F_TCP_FLAGS, FFPF_FPL_F_UDP_SPORT, FFPF_FPL_F_UDP_DPORT, FFPF_FPL_F_ICMP_TYPE,
	FFPF_FPL_F_ICMP_CODE, FFPF_FPL_F_PAYLOAD_OFF, FFPF_FPL_F_PAYLOAD_LEN, FFPF_FPL_NFIELDS
};

/* Where the headers of one packet are, found once on the first field read (lazily: programs
 * that read no field pay nothing).  Offsets are bytes from the first captured byte. */
struct ffpf_fpl_hdr {
	int done;
	uint64_t ethtype; /* EtherType of the network layer, after VLAN tags; 0: none */
	uint64_t vlan;    /* VID of the outermost 802.1Q/802.1ad tag; 0: none */
	uint64_t l3;      /* network header */
	uint64_t ipver;   /* 4 or 6 when l3 holds a plausible IP header; else 0 */
	uint64_t iphl;    /* IP header bytes, IPv6 extension headers included */
	uint64_t proto;   /* upper-layer protocol (IPv6: after the extension headers) */
	uint64_t frag;    /* 0: not a fragment, 1: first fragment, 2: a later one */
	uint64_t l4;      /* transport header; 0: none (not IP, or a later fragment) */
	uint64_t payoff;  /* data after the transport header; 0: none */
	uint64_t ipend;   /* l3 + the datagram length the IP header states */
};

/* Bounded reads at 64-bit offsets: past the captured length they yield 0. */
static inline uint64_t ffpf_fpl_b(const struct ffpf_pkt *p, uint64_t off)
{
	return off < p->caplen ? p->data[off] : 0;
}

static inline uint64_t ffpf_fpl_w(const struct ffpf_pkt *p, uint64_t off)
{
	if (off >= p->caplen || p->caplen - off < 2)
		return 0;
	return (uint64_t)p->data[off] << 8 | p->data[off + 1];
}

static inline uint64_t ffpf_fpl_dw(const struct ffpf_pkt *p, uint64_t off)
{
	if (off >= p->caplen || p->caplen - off < 4)
		return 0;
	return (uint64_t)p->data[off] << 24 | (uint64_t)p->data[off + 1] << 16 |
	       (uint64_t)p->data[off + 2] << 8 | p->data[off + 3];
}

static inline uint64_t ffpf_fpl_qw(const struct ffpf_pkt *p, uint64_t off)
{
	return ffpf_fpl_dw(p, off) << 32 | ffpf_fpl_dw(p, off + 4);
}

/* C leaves shifts by 64 or more undefined; FPL defines them as 0. */
static inline uint64_t ffpf_fpl_shl(uint64_t a, uint64_t b)
{
	return b < 64 ? a << b : 0;
}

static inline uint64_t ffpf_fpl_shr(uint64_t a, uint64_t b)
{
	return b < 64 ? a >> b : 0;
}

/* HASH(off, len, n): 64-bit FNV-1a of the captured bytes in [off, off+len), mod n (n != 0).
 * Bytes past the capture are left out rather than read as 0, so the work is bounded by caplen. */
static inline uint64_t ffpf_fpl_hash(const struct ffpf_pkt *p, uint64_t off, uint64_t len,
				     uint64_t n)
{
	uint64_t h = 0xcbf29ce484222325u, end;
	if (off < p->caplen) {
		end = len < p->caplen - off ? off + len : p->caplen;
		for (uint64_t i = off; i < end; i++)
			h = (h ^ p->data[i]) * 0x100000001b3u;
	}
	return h % n;
}

/* Link layer: offset and EtherType of what follows it.  DLT_NULL/LOOP and raw IP carry no
 * EtherType: the IP version nibble stands in for it. */
static inline int ffpf_fpl_link(const struct ffpf_pkt *p, int linktype, uint64_t *off,
				uint64_t *type)
{
	switch (linktype) {
	case 1: /* DLT_EN10MB */
		*off = 14, *type = ffpf_fpl_w(p, 12);
		return 1;
	case 113: /* DLT_LINUX_SLL */
		*off = 16, *type = ffpf_fpl_w(p, 14);
		return 1;
	case 276: /* DLT_LINUX_SLL2 */
		*off = 20, *type = ffpf_fpl_w(p, 0);
		return 1;
	case 0: case 108: /* DLT_NULL, DLT_LOOP: a 4-byte address family */
		*off = 4;
		break;
	case 12: case 101: case 228: case 229: /* DLT_RAW, LINKTYPE_RAW, DLT_IPV4, DLT_IPV6 */
		*off = 0;
		break;
	default:
		return 0;
	}
	switch (ffpf_fpl_b(p, *off) >> 4) {
	case 4: *type = 0x0800; return 1;
	case 6: *type = 0x86dd; return 1;
	default: *type = 0; return 1;
	}
}

/* 802.1Q, 802.1ad and the old 0x9100 QinQ tags, up to four deep. */
static inline void ffpf_fpl_vlan(const struct ffpf_pkt *p, struct ffpf_fpl_hdr *h, uint64_t *off)
{
	for (int n = 0; n < 4; n++) {
		if (h->ethtype != 0x8100 && h->ethtype != 0x88a8 && h->ethtype != 0x9100)
			return;
		if (!n)
			h->vlan = ffpf_fpl_w(p, *off) & 0xfff;
		h->ethtype = ffpf_fpl_w(p, *off + 2);
		*off += 4;
	}
}

/* IPv4: version 4 and IHL >= 5, or it is not taken as IP.  A later fragment has no L4 header. */
static inline void ffpf_fpl_ip4(const struct ffpf_pkt *p, struct ffpf_fpl_hdr *h)
{
	uint64_t b0 = ffpf_fpl_b(p, h->l3), fo;
	if (b0 >> 4 != 4 || (b0 & 15) < 5)
		return;
	h->ipver = 4;
	h->iphl = (b0 & 15) * 4;
	h->proto = ffpf_fpl_b(p, h->l3 + 9);
	h->ipend = h->l3 + ffpf_fpl_w(p, h->l3 + 2);
	fo = ffpf_fpl_w(p, h->l3 + 6);
	h->frag = (fo & 0x1fff) ? 2 : (fo & 0x2000) ? 1 : 0;
	if (h->frag != 2)
		h->l4 = h->l3 + h->iphl;
}

static inline int ffpf_fpl_ip6ext(uint64_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60;
}

/* IPv6: walk hop-by-hop (0), routing (43), fragment (44) and destination options (60), at most
 * eight of them, to the upper-layer header.  An extension header cut off by the capture, a ninth
 * one, or a later fragment end the walk without an L4 header. */
static inline void ffpf_fpl_ip6(const struct ffpf_pkt *p, struct ffpf_fpl_hdr *h)
{
	uint64_t nh, next, fo, off = h->l3 + 40;
	if (ffpf_fpl_b(p, h->l3) >> 4 != 6)
		return;
	h->ipver = 6;
	h->ipend = h->l3 + 40 + ffpf_fpl_w(p, h->l3 + 4);
	nh = ffpf_fpl_b(p, h->l3 + 6);
	for (int n = 0; n < 8 && ffpf_fpl_ip6ext(nh); n++) {
		if (off >= p->caplen || p->caplen - off < 2)
			break;
		next = ffpf_fpl_b(p, off);
		if (nh == 44) {
			fo = ffpf_fpl_w(p, off + 2);
			h->frag = (fo & 0xfff8) ? 2 : (fo & 1) ? 1 : 0;
			off += 8;
			if (h->frag == 2) {
				nh = next;
				break;
			}
		} else {
			off += (ffpf_fpl_b(p, off + 1) + 1) * 8;
		}
		nh = next;
	}
	h->proto = nh;
	h->iphl = off - h->l3;
	if (!ffpf_fpl_ip6ext(nh) && h->frag != 2)
		h->l4 = off;
}

/* Where the data after the transport header begins: TCP by its data offset (0 if that is cut
 * off or below 5 words), UDP and ICMP after 8 bytes, anything else right at the L4 header. */
static inline void ffpf_fpl_l4(const struct ffpf_pkt *p, struct ffpf_fpl_hdr *h)
{
	uint64_t doff;
	switch (h->proto) {
	case 6:
		doff = ffpf_fpl_b(p, h->l4 + 12) >> 4;
		h->payoff = doff >= 5 ? h->l4 + doff * 4 : 0;
		break;
	case 17: case 1: case 58:
		h->payoff = h->l4 + 8;
		break;
	default:
		h->payoff = h->l4;
	}
}

static inline void ffpf_fpl_parse(const struct ffpf_pkt *p, int linktype, struct ffpf_fpl_hdr *h)
{
	uint64_t off = 0, type = 0;
	memset(h, 0, sizeof(*h));
	h->done = 1;
	if (!ffpf_fpl_link(p, linktype, &off, &type))
		return;
	h->ethtype = type;
	ffpf_fpl_vlan(p, h, &off);
	if (h->ethtype < 0x0600) /* an 802.3 length, not a type */
		h->ethtype = 0;
	h->l3 = off;
	if (h->ethtype == 0x0800)
		ffpf_fpl_ip4(p, h);
	else if (h->ethtype == 0x86dd)
		ffpf_fpl_ip6(p, h);
	if (h->l4)
		ffpf_fpl_l4(p, h);
}

/* A field of the transport header, 0 unless the packet has that transport. */
static inline uint64_t ffpf_fpl_l4field(const struct ffpf_pkt *p, const struct ffpf_fpl_hdr *h,
					uint64_t proto, uint64_t proto2, uint64_t at, int size)
{
	if (!h->l4 || (h->proto != proto && h->proto != proto2))
		return 0;
	return size == 1 ? ffpf_fpl_b(p, h->l4 + at) : ffpf_fpl_w(p, h->l4 + at);
}

static inline uint64_t ffpf_fpl_ipfield(const struct ffpf_pkt *p, const struct ffpf_fpl_hdr *h,
					unsigned f)
{
	uint64_t v4 = h->ipver == 4, v6 = h->ipver == 6;
	switch (f) {
	case FFPF_FPL_F_IP_VER: return h->ipver;
	case FFPF_FPL_F_IP_HL: return h->iphl;
	case FFPF_FPL_F_IP_LEN: return v4 ? ffpf_fpl_w(p, h->l3 + 2) : v6 ? 40 + ffpf_fpl_w(p, h->l3 + 4) : 0;
	case FFPF_FPL_F_IP_TTL: return v4 ? ffpf_fpl_b(p, h->l3 + 8) : v6 ? ffpf_fpl_b(p, h->l3 + 7) : 0;
	case FFPF_FPL_F_IP_PROTO: return h->proto;
	case FFPF_FPL_F_IP_FRAG: return h->frag;
	case FFPF_FPL_F_IP_SRC: return v4 ? ffpf_fpl_dw(p, h->l3 + 12) : 0;
	case FFPF_FPL_F_IP_DST: return v4 ? ffpf_fpl_dw(p, h->l3 + 16) : 0;
	case FFPF_FPL_F_IP6_SRC_HI: return v6 ? ffpf_fpl_qw(p, h->l3 + 8) : 0;
	case FFPF_FPL_F_IP6_SRC_LO: return v6 ? ffpf_fpl_qw(p, h->l3 + 16) : 0;
	case FFPF_FPL_F_IP6_DST_HI: return v6 ? ffpf_fpl_qw(p, h->l3 + 24) : 0;
	case FFPF_FPL_F_IP6_DST_LO: return v6 ? ffpf_fpl_qw(p, h->l3 + 32) : 0;
	default: return 0;
	}
}

/* The value of named field f of packet p; h caches the header walk for the packet. */
static inline uint64_t ffpf_fpl_field(const struct ffpf_pkt *p, int linktype,
				      struct ffpf_fpl_hdr *h, unsigned f)
{
	if (f == FFPF_FPL_F_LEN)
		return p->wirelen;
	if (f == FFPF_FPL_F_CAPLEN)
		return p->caplen;
	if (!h->done)
		ffpf_fpl_parse(p, linktype, h);
	switch (f) {
	case FFPF_FPL_F_ETH_TYPE: return h->ethtype;
	case FFPF_FPL_F_VLAN_ID: return h->vlan;
	case FFPF_FPL_F_L3_OFF: return h->ethtype ? h->l3 : 0;
	case FFPF_FPL_F_L4_OFF: return h->l4;
	case FFPF_FPL_F_TCP_SPORT: return ffpf_fpl_l4field(p, h, 6, 6, 0, 2);
	case FFPF_FPL_F_TCP_DPORT: return ffpf_fpl_l4field(p, h, 6, 6, 2, 2);
	case FFPF_FPL_F_TCP_FLAGS: return ffpf_fpl_l4field(p, h, 6, 6, 13, 1);
	case FFPF_FPL_F_UDP_SPORT: return ffpf_fpl_l4field(p, h, 17, 17, 0, 2);
	case FFPF_FPL_F_UDP_DPORT: return ffpf_fpl_l4field(p, h, 17, 17, 2, 2);
	case FFPF_FPL_F_ICMP_TYPE: return ffpf_fpl_l4field(p, h, 1, 58, 0, 1);
	case FFPF_FPL_F_ICMP_CODE: return ffpf_fpl_l4field(p, h, 1, 58, 1, 1);
	case FFPF_FPL_F_PAYLOAD_OFF: return h->payoff;
	case FFPF_FPL_F_PAYLOAD_LEN: return h->payoff && h->ipend > h->payoff ? h->ipend - h->payoff : 0;
	default: return ffpf_fpl_ipfield(p, h, f);
	}
}
#endif
