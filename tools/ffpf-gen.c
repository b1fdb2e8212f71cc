/* ffpf-gen.c — deterministic generator of realistic Ethernet/IP packet traces as pcap files. */

/*
 * Traffic mix.  Every packet is drawn from one category with the weights below
 * (percent of packets).  Multi-packet conversations (TCP connections, DNS
 * query/answer, pings, ARP, fragment trains) keep a few slots open per
 * category and advance one packet per draw, so flows interleave as on a link.
 *
 *   category   default   web   worm   content
 *   http          30.0  45.0   21.5   TCP 80/8080: handshake, GET/POST, 200/301/304/404 + body, FIN or RST
 *   tls           22.0  35.0   15.5   TCP 443: ClientHello (SNI, ALPN), ServerHello, CCS, application data
 *   ssh            4.0   1.0    3.0   TCP 22: SSH-2.0 banners, KEXINIT, ECDH, encrypted packets
 *   tcp-scan       2.0   1.0    1.5   inbound SYN to a closed port answered by RST/ACK, or unanswered
 *   dns           16.0  10.0   11.5   UDP 53: A/AAAA/MX/TXT queries and answers, NXDOMAIN, EDNS0
 *   udp-other      8.0   2.0    5.5   NTP, syslog, QUIC-like Initial packets on UDP 443
 *   icmp           4.0   1.5    3.0   echo request/reply, destination unreachable, time exceeded
 *   icmpv6         3.0   1.0    2.0   echo request/reply, neighbour solicitation/advertisement
 *   arp            3.0   1.0    2.0   request/reply pairs, gratuitous ARP
 *   slammer        2.0   0.5   30.0   UDP to port 1434 with a 376-byte pseudo-worm payload
 *   fragments      4.0   1.0    3.0   fragment trains of big UDP/ICMP datagrams (80% IPv4, 20% IPv6)
 *   l2-other       1.0   0.5    0.8   802.3/LLC spanning-tree BPDUs, LLDP, experimental EtherType 0x88b5
 *   malformed      1.0   0.5    0.7   IPv4 whose total length or IHL points past the end of the frame
 *
 * Overlays, independent of the category:
 *   IPv6          12% of TCP, 15% of DNS, 10% of udp-other conversations; a quarter of
 *                 those carry extension headers (hop-by-hop, routing/SRH, fragment,
 *                 destination options) before the upper-layer header
 *   IPv4 options  3% of IPv4 conversations (Record Route, Router Alert, Timestamp, NOPs)
 *   802.1Q        5% of conversations are VLAN-tagged, a quarter of those QinQ (0x88a8+0x8100)
 *   truncation    2% of frames get caplen < len, cut in the IP header, L4 header or payload
 *   jumbo         2% of TCP connections use jumbo frames (<= 9000 bytes) if --snaplen >= 9000
 *
 * All IPv4 header, TCP, UDP, ICMP and ICMPv6 checksums are correct, except where
 * the malformed category deliberately makes the header lie about its own size.
 */
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };
enum { ETH_IPV4 = 0x0800, ETH_ARP = 0x0806, ETH_IPV6 = 0x86dd, ETH_LLDP = 0x88cc, ETH_EXP = 0x88b5 };
enum { P_ICMP = 1, P_TCP = 6, P_UDP = 17, P_ICMPV6 = 58 };
enum { MIN_FRAME = 60, STD_MTU = 1500, JUMBO_FRAME = 9000, MAX_SNAPLEN = 262144 };

/* ------------------------------------------------------------------ state */

enum mix { MIX_DEFAULT, MIX_WEB, MIX_WORM, MIX_COUNT };
static const char *const mix_names[MIX_COUNT] = {"default", "web", "worm"};

struct options {
	uint64_t seed, count;
	const char *out;
	uint32_t snaplen, start;
	double rate;
	enum mix mix;
	bool quiet;
};

static struct {
	struct options o;
	uint64_t rng[4];
	pcap_dumper_t *dump;
	uint64_t t_ns, gap_ns; /* time since --start-time, mean gap between packets */
	uint64_t written, bytes;
	bool jumbo_ok;
} G;

__attribute__((noreturn, format(printf, 2, 3)))
static void die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ffpf-gen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(status);
}

/* ------------------------------------------------------------------ PRNG: xoshiro256** seeded by splitmix64 */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static void rng_seed(uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		G.rng[i] = splitmix64(&seed);
}

static uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng64(void)
{
	uint64_t *s = G.rng;
	uint64_t out = rotl64(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return out;
}

/* Uniform in [0, n) by multiply-shift: no modulo bias worth caring about, no loop. */
static uint32_t rnd(uint32_t n)
{
	return (uint32_t)(((rng64() >> 32) * (uint64_t)n) >> 32);
}

static uint32_t rnd_in(uint32_t lo, uint32_t hi)
{
	return lo + rnd(hi - lo + 1);
}

static bool chance(uint32_t permille)
{
	return rnd(1000) < permille;
}

/* Heavy towards lo: most web objects are small, a few are big. */
static uint32_t skewed(uint32_t lo, uint32_t hi)
{
	uint64_t u = rnd(1024);
	return lo + (uint32_t)(((uint64_t)(hi - lo) * u * u * u) >> 30);
}

/* Byte-wise so the file is identical on big- and little-endian hosts. */
static void rnd_fill(uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (i % 8 == 0)
			v = rng64();
		p[i] = (uint8_t)(v >> (8 * (i % 8)));
	}
}

/* ------------------------------------------------------------------ bytes, checksums, writer */

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

/* RFC 1071 sum in native byte order (order-independent once folded and stored
 * natively); 4 bytes per step keeps jumbo payloads cheap.  Only the last piece
 * of a sum may have odd length. */
static uint64_t csum_add(uint64_t acc, const uint8_t *p, size_t n)
{
	uint32_t w32;
	uint16_t w16;
	for (; n >= 4; p += 4, n -= 4) {
		memcpy(&w32, p, 4);
		acc += w32;
	}
	if (n >= 2) {
		memcpy(&w16, p, 2);
		acc += w16;
		p += 2;
		n -= 2;
	}
	if (n) {
		uint8_t last[2] = {p[0], 0};
		memcpy(&w16, last, 2);
		acc += w16;
	}
	return acc;
}

/* UDP sends a computed 0 as 0xffff because 0 means "no checksum". */
static void csum_store(uint8_t *dst, uint64_t acc, bool udp)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	uint16_t v = (uint16_t)~acc;
	if (udp && v == 0)
		v = 0xffff;
	memcpy(dst, &v, 2);
}

struct wr {
	uint8_t *p;
	size_t n, cap;
};

static uint8_t *w_take(struct wr *w, size_t len)
{
	if (len > w->cap - w->n)
		die(EXIT_RUNTIME, "internal error: message buffer too small");
	uint8_t *at = w->p + w->n;
	w->n += len;
	return at;
}

static void w8(struct wr *w, uint32_t v)
{
	*w_take(w, 1) = (uint8_t)v;
}

static void w16(struct wr *w, uint32_t v)
{
	put16(w_take(w, 2), v);
}

static void w32(struct wr *w, uint32_t v)
{
	put32(w_take(w, 4), v);
}

static void wmem(struct wr *w, const void *src, size_t len)
{
	memcpy(w_take(w, len), src, len);
}

static void wstr(struct wr *w, const char *s)
{
	wmem(w, s, strlen(s));
}

static void wrand(struct wr *w, size_t len)
{
	rnd_fill(w_take(w, len), len);
}

__attribute__((format(printf, 2, 3)))
static void wfmt(struct wr *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf((char *)w->p + w->n, w->cap - w->n, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->cap - w->n)
		die(EXIT_RUNTIME, "internal error: message buffer too small");
	w->n += (size_t)n;
}

/* Length fields are reserved first and filled once the contents are written. */
static size_t w_mark(struct wr *w, size_t width)
{
	size_t at = w->n;
	memset(w_take(w, width), 0, width);
	return at;
}

static void w_fill16(struct wr *w, size_t at)
{
	put16(w->p + at, (uint32_t)(w->n - at - 2));
}

static void w_fill24(struct wr *w, size_t at)
{
	uint32_t len = (uint32_t)(w->n - at - 3);
	w->p[at] = (uint8_t)(len >> 16);
	put16(w->p + at + 1, len);
}

/* ------------------------------------------------------------------ payload filler */

/* Bodies are slices of these blocks, so no body is ever generated per packet. */
enum { FILL_SZ = 1 << 17, MAX_BODY = 32768 };
static uint8_t fill_text[FILL_SZ], fill_bin[FILL_SZ];

static void fill_init(void)
{
	static const char *const words[] = {
		"packet", "filter", "fairly", "fast", "network", "kernel", "buffer", "ring",
		"stream", "socket", "flow", "header", "payload", "router", "switch", "latency",
		"the", "a", "of", "and", "to", "in", "is", "for", "with", "on", "as", "by",
	};
	size_t n = 0, k = 0;
	while (n < FILL_SZ) {
		char chunk[32];
		const char *word = words[rnd(ARRAY_LEN(words))];
		int len = snprintf(chunk, sizeof chunk, "%s%s", word,
		                   ++k % 14 == 0 ? ".</p>\n<p>" : " ");
		size_t take = (size_t)len < FILL_SZ - n ? (size_t)len : FILL_SZ - n;
		memcpy(fill_text + n, chunk, take);
		n += take;
	}
	rnd_fill(fill_bin, FILL_SZ);
}

/* ------------------------------------------------------------------ frame assembly and output */

/* Layers are prepended in front of the payload, so a frame is never copied. */
enum { HEADROOM = 192, PKBUF_SZ = HEADROOM + JUMBO_FRAME + 256 };
static uint8_t pkbuf[PKBUF_SZ];
static struct {
	uint8_t *head;
	size_t len, l2, l3, l4; /* frame length and header lengths, for truncation */
} PK;

static uint8_t *pk_begin(void)
{
	PK.head = pkbuf + HEADROOM;
	PK.len = PK.l2 = PK.l3 = PK.l4 = 0;
	return PK.head;
}

static uint8_t *pk_prepend(size_t n)
{
	PK.head -= n;
	PK.len += n;
	return PK.head;
}

/* Where a deliberately short capture ends: inside IP header, L4 header, or payload. */
static size_t cut_point(void)
{
	size_t hdrs = PK.l2 + PK.l3 + PK.l4;
	uint32_t r = rnd(10);
	if (r < 3 && PK.l3 > 1)
		return PK.l2 + 1 + rnd((uint32_t)PK.l3 - 1);
	if (r < 6 && PK.l4 > 1)
		return PK.l2 + PK.l3 + 1 + rnd((uint32_t)PK.l4 - 1);
	if (PK.l3 && PK.len > hdrs + 1)
		return hdrs + 1 + rnd((uint32_t)(PK.len - hdrs - 1));
	return 14 + rnd((uint32_t)(PK.len - 14));
}

static void frame_out(void)
{
	if (G.written >= G.o.count)
		return;
	if (PK.len < MIN_FRAME) {
		memset(PK.head + PK.len, 0, MIN_FRAME - PK.len);
		PK.len = MIN_FRAME;
	}
	size_t cap = chance(20) ? cut_point() : PK.len;
	if (cap > G.o.snaplen)
		cap = G.o.snaplen;
	uint64_t us = G.t_ns / 1000;
	struct pcap_pkthdr h = {.caplen = (bpf_u_int32)cap, .len = (bpf_u_int32)PK.len};
	h.ts.tv_sec = (time_t)(G.o.start + us / 1000000);
	h.ts.tv_usec = (suseconds_t)(us % 1000000);
	pcap_dump((u_char *)G.dump, &h, PK.head);
	G.written++;
	G.bytes += 16 + cap; /* per-packet record header + data */
	G.t_ns += G.gap_ns / 2 + rng64() % (G.gap_ns + 1);
}

/* ------------------------------------------------------------------ hosts and flows */

struct host {
	uint8_t mac[6], ip4[4], ip6[16], ttl;
};

/* h[0] is the initiator; direction 0 is h[0] -> h[1]. */
struct flow {
	struct host h[2];
	uint16_t port[2], ipid[2], vlan[2]; /* vlan[] holds TCIs, outer first */
	uint32_t flowlabel;
	uint8_t v6, nvlan, v4opt, v6ext, tos;
};

enum { EXT_HBH = 1, EXT_RTG = 2, EXT_FRAG = 4, EXT_DST = 8 };

static const uint8_t client_nets[][3] = {{10, 0, 1}, {10, 0, 2}, {192, 168, 1}, {172, 16, 5}};
static const uint8_t server_nets[][3] = {{198, 51, 100}, {203, 0, 113}, {192, 0, 2}, {172, 16, 200}};
/* Everything not on the captured LAN is reached through this router. */
static const uint8_t gw_mac[6] = {0x00, 0x1c, 0x73, 0x4a, 0x10, 0x01};
static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* A LAN host's MAC, IPv6 (EUI-64) address and TTL follow from its IPv4 address,
 * so the same host looks the same in every conversation. */
static void host_local(struct host *h, uint32_t net, uint32_t id)
{
	static const uint8_t ouis[][3] = {
		{0x3c, 0xfd, 0xfe}, {0x00, 0x50, 0x56}, {0xa4, 0x83, 0xe7}, {0xf0, 0x18, 0x98}, {0x52, 0x54, 0x00},
	};
	static const uint8_t pfx[8] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0};
	memcpy(h->ip4, client_nets[net], 3);
	h->ip4[3] = (uint8_t)id;
	memcpy(h->mac, ouis[id % ARRAY_LEN(ouis)], 3);
	h->mac[3] = (uint8_t)(0x10 + net);
	h->mac[4] = (uint8_t)id;
	h->mac[5] = (uint8_t)(id * 7 + net);
	memcpy(h->ip6, pfx, 8);
	h->ip6[7] = (uint8_t)(net + 1);
	h->ip6[8] = h->mac[0] ^ 2;
	memcpy(h->ip6 + 9, h->mac + 1, 2);
	h->ip6[11] = 0xff;
	h->ip6[12] = 0xfe;
	memcpy(h->ip6 + 13, h->mac + 3, 3);
	h->ttl = id % 4 == 0 ? 128 : 64; /* a quarter of the LAN runs Windows */
}

/* Remote hosts arrive with their initial TTL minus a host-specific hop count. */
static void host_remote(struct host *h, uint32_t net, uint32_t id)
{
	static const uint8_t init_ttl[] = {64, 128, 255};
	static const uint8_t pfx[8] = {0x20, 0x01, 0x0d, 0xb8, 0xca, 0xfe, 0, 0};
	memcpy(h->ip4, server_nets[net], 3);
	h->ip4[3] = (uint8_t)id;
	memcpy(h->mac, gw_mac, 6);
	memset(h->ip6, 0, 16);
	memcpy(h->ip6, pfx, 8);
	h->ip6[7] = (uint8_t)net;
	h->ip6[15] = (uint8_t)id;
	h->ttl = (uint8_t)(init_ttl[id % 3] - 5 - (id * 13 + net) % 15);
}

static void host_public(struct host *h)
{
	static const uint8_t first[] = {23, 41, 61, 77, 89, 103, 121, 141, 185, 201, 212};
	static const uint8_t pfx[6] = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff};
	h->ip4[0] = first[rnd(ARRAY_LEN(first))];
	rnd_fill(h->ip4 + 1, 3);
	h->ip4[3] = (uint8_t)(1 + h->ip4[3] % 254);
	memcpy(h->mac, gw_mac, 6);
	memcpy(h->ip6, pfx, 6);
	rnd_fill(h->ip6 + 6, 10);
	h->ttl = (uint8_t)(128 - rnd_in(8, 25));
}

/* Note: never two PRNG draws in one argument list or expression; their order
 * would be unspecified and gcc and clang builds would write different files. */
static void pick_client(struct host *h)
{
	uint32_t net = rnd(ARRAY_LEN(client_nets));
	host_local(h, net, rnd_in(2, 61));
}

static void pick_server(struct host *h)
{
	uint32_t net = rnd(ARRAY_LEN(server_nets));
	host_remote(h, net, rnd_in(10, 25)); /* few servers, so they recur across flows */
}

static void vlan_init(struct flow *f)
{
	static const uint16_t vids[] = {10, 20, 30, 100, 200, 4001};
	if (!chance(50))
		return;
	f->nvlan = chance(250) ? 2 : 1;
	uint32_t prio = rnd(8) << 13;
	f->vlan[0] = (uint16_t)(prio | vids[rnd(ARRAY_LEN(vids))]);
	f->vlan[1] = (uint16_t)(prio | rnd_in(2, 4094));
}

static void flow_init(struct flow *f, uint32_t v6_permille)
{
	memset(f, 0, sizeof *f);
	pick_client(&f->h[0]);
	pick_server(&f->h[1]);
	f->port[0] = (uint16_t)rnd_in(1024, 65535);
	f->v6 = chance(v6_permille);
	if (f->v6 && chance(250))
		f->v6ext = (uint8_t)rnd_in(1, 15);
	if (!f->v6 && chance(30))
		f->v4opt = (uint8_t)rnd_in(1, 4);
	f->flowlabel = rnd(1u << 20);
	f->ipid[0] = (uint16_t)rng64();
	f->ipid[1] = (uint16_t)rng64();
	vlan_init(f);
}

/* ------------------------------------------------------------------ layer 2 */

/* type is an EtherType, or the length field of an 802.3 frame. */
static void l2_out(const uint8_t *dst, const uint8_t *src, const struct flow *f, uint32_t type)
{
	size_t tags = f ? f->nvlan : 0;
	uint8_t *p = pk_prepend(14 + 4 * tags);
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	p += 12;
	for (size_t i = 0; i < tags; i++, p += 4) {
		put16(p, tags == 2 && i == 0 ? 0x88a8 : 0x8100);
		put16(p + 2, f->vlan[i]);
	}
	put16(p, type);
	PK.l2 = 14 + 4 * tags;
	frame_out();
}

static void l2_ip_out(const struct flow *f, int dir)
{
	l2_out(f->h[!dir].mac, f->h[dir].mac, f, f->v6 ? ETH_IPV6 : ETH_IPV4);
}

/* ------------------------------------------------------------------ IPv4 */

static size_t v4opt_len(uint8_t kind)
{
	static const uint8_t len[] = {0, 12, 4, 12, 4};
	return len[kind];
}

static void v4opt_write(uint8_t *p, const struct flow *f, int dir)
{
	static const uint8_t ra[4] = {0x94, 4, 0, 0}, nops[4] = {1, 1, 1, 0};
	uint32_t ms = (uint32_t)((G.o.start % 86400) * 1000 + G.t_ns / 1000000) % 86400000;
	switch (f->v4opt) {
	case 1: /* NOP + Record Route with one hop recorded: the sender's router */
		memcpy(p, (const uint8_t[]){1, 7, 11, 8}, 4);
		memcpy(p + 4, f->h[dir].ip4, 3);
		p[7] = 1;
		memset(p + 8, 0, 4);
		break;
	case 2: memcpy(p, ra, 4); break;
	case 3: /* Timestamp, timestamps only, one slot filled */
		memcpy(p, (const uint8_t[]){0x44, 12, 9, 0}, 4);
		put32(p + 4, ms);
		memset(p + 8, 0, 4);
		break;
	default: memcpy(p, nops, 4); break;
	}
}

struct ip4h {
	size_t hl, tot;
	uint16_t id, frag;
	uint8_t ttl, proto, tos;
	const uint8_t *src, *dst;
};

/* Options, if any, must already be at p + 20: the checksum covers them. */
static void ipv4_write(uint8_t *p, const struct ip4h *h)
{
	p[0] = (uint8_t)(0x40 | h->hl / 4);
	p[1] = h->tos;
	put16(p + 2, (uint32_t)h->tot);
	put16(p + 4, h->id);
	put16(p + 6, h->frag);
	p[8] = h->ttl;
	p[9] = h->proto;
	p[10] = p[11] = 0;
	memcpy(p + 12, h->src, 4);
	memcpy(p + 16, h->dst, 4);
	csum_store(p + 10, csum_add(0, p, h->hl), false);
}

static void ipv4_prepend(const struct flow *f, int dir, uint8_t proto, uint16_t frag, uint16_t id)
{
	size_t hl = 20 + v4opt_len(f->v4opt);
	uint8_t *p = pk_prepend(hl);
	if (hl > 20)
		v4opt_write(p + 20, f, dir);
	struct ip4h h = {hl, PK.len, id, frag, f->h[dir].ttl, proto, f->tos, f->h[dir].ip4, f->h[!dir].ip4};
	ipv4_write(p, &h);
	PK.l3 = hl;
}

/* ------------------------------------------------------------------ IPv6 and extension headers */

struct frag6 {
	size_t off;
	bool more;
	uint32_t id;
};

/* Hop-by-hop and destination options: a single 4-byte PadN fills the 8 bytes. */
static uint8_t ext_opts(uint8_t nh, uint8_t self)
{
	uint8_t *p = pk_prepend(8);
	memcpy(p, (const uint8_t[]){nh, 0, 1, 4, 0, 0, 0, 0}, 8);
	return self;
}

static uint8_t ext_frag(uint8_t nh, const struct frag6 *fr)
{
	uint8_t *p = pk_prepend(8);
	p[0] = nh;
	p[1] = 0;
	put16(p + 2, (uint32_t)(fr->off | fr->more));
	put32(p + 4, fr->id);
	return 44;
}

/* Segment routing header (type 4) whose only segment is the final destination,
 * so the upper-layer pseudo-header still uses the IPv6 destination. */
static uint8_t ext_rtg(uint8_t nh, const uint8_t *dst)
{
	uint8_t *p = pk_prepend(24);
	memcpy(p, (const uint8_t[]){nh, 2, 4, 0, 0, 0, 0, 0}, 8);
	memcpy(p + 8, dst, 16);
	return 43;
}

static size_t v6ext_len(uint8_t mask)
{
	return (mask & EXT_HBH ? 8 : 0) + (mask & EXT_RTG ? 24 : 0) + (mask & EXT_FRAG ? 8 : 0) +
	       (mask & EXT_DST ? 8 : 0);
}

/* RFC 8200 order from the outside: hop-by-hop, routing, fragment, destination options. */
static void ipv6_prepend(const struct flow *f, int dir, uint8_t proto, const struct frag6 *fr)
{
	size_t below = PK.len;
	uint8_t nh = proto;
	if (f->v6ext & EXT_DST)
		nh = ext_opts(nh, 60);
	if (fr)
		nh = ext_frag(nh, fr);
	else if (f->v6ext & EXT_FRAG) /* atomic fragment: offset 0, no more fragments */
		nh = ext_frag(nh, &(struct frag6){0, false, (uint32_t)rng64()});
	if (f->v6ext & EXT_RTG)
		nh = ext_rtg(nh, f->h[!dir].ip6);
	if (f->v6ext & EXT_HBH)
		nh = ext_opts(nh, 0);
	size_t ext = PK.len - below;
	uint8_t *p = pk_prepend(40);
	put32(p, 0x60000000u | (uint32_t)f->tos << 20 | f->flowlabel);
	put16(p + 4, (uint32_t)(PK.len - 40));
	p[6] = nh;
	p[7] = f->h[dir].ttl;
	memcpy(p + 8, f->h[dir].ip6, 16);
	memcpy(p + 24, f->h[!dir].ip6, 16);
	PK.l3 = 40 + ext;
}

static size_t ip_hlen(const struct flow *f)
{
	return f->v6 ? 40 + v6ext_len(f->v6ext) : 20 + v4opt_len(f->v4opt);
}

/* ------------------------------------------------------------------ L4 checksums and IP send */

static uint64_t pseudo_sum(const struct flow *f, int dir, uint8_t proto, size_t len)
{
	uint8_t ph[40] = {0};
	if (!f->v6) {
		memcpy(ph, f->h[dir].ip4, 4);
		memcpy(ph + 4, f->h[!dir].ip4, 4);
		ph[9] = proto;
		put16(ph + 10, (uint32_t)len);
		return csum_add(0, ph, 12);
	}
	memcpy(ph, f->h[dir].ip6, 16);
	memcpy(ph + 16, f->h[!dir].ip6, 16);
	put32(ph + 32, (uint32_t)len);
	ph[39] = proto;
	return csum_add(0, ph, 40);
}

static void l4_csum(const struct flow *f, int dir, uint8_t proto, uint8_t *l4, size_t len, size_t off)
{
	uint64_t acc = proto == P_ICMP ? 0 : pseudo_sum(f, dir, proto, len);
	l4[off] = l4[off + 1] = 0;
	csum_store(l4 + off, csum_add(acc, l4, len), proto == P_UDP);
}

static void ip_build(struct flow *f, int dir, uint8_t proto)
{
	if (f->v6)
		ipv6_prepend(f, dir, proto, NULL);
	else /* Linux sets DF on TCP; the other protocols here go without */
		ipv4_prepend(f, dir, proto, proto == P_TCP ? 0x4000 : 0, f->ipid[dir]++);
}

/* The L4 segment is at PK.head; csum_off is where its checksum lives. */
static void ip_send(struct flow *f, int dir, uint8_t proto, size_t csum_off)
{
	l4_csum(f, dir, proto, PK.head, PK.len, csum_off);
	ip_build(f, dir, proto);
	l2_ip_out(f, dir);
}

/* The payload is already at pk_begin() + 8. */
static void udp_send(struct flow *f, int dir, size_t plen)
{
	uint8_t *p = PK.head;
	put16(p, f->port[dir]);
	put16(p + 2, f->port[!dir]);
	put16(p + 4, (uint32_t)(8 + plen));
	PK.len = 8 + plen;
	PK.l4 = 8;
	ip_send(f, dir, P_UDP, 6);
}

/* ------------------------------------------------------------------ sessions */

enum kind { K_HTTP, K_TLS, K_SSH, K_SCAN, K_DNS, K_UDP, K_ICMP, K_ICMP6, K_ARP, K_SLAMMER, K_FRAG, K_L2, K_BAD, K_COUNT };

/* One conversation slot.  TCP keeps its current application message here:
 * a rendered header in hdr[] followed by bodylen bytes from a filler block. */
struct sess {
	struct flow f;
	struct host alt;
	bool live, ts, jumbo, bin;
	uint8_t kind, phase, step, nsteps, variant, sender, unacked, closer;
	uint16_t id, name, win[2], synwin[2];
	uint32_t seq[2], tsoff[2], tslast[2];
	uint64_t aux;
	const char *qname;
	size_t hdrlen, bodylen, bodyoff, sent;
	uint8_t hdr[1600];
};

static void msg_set(struct sess *s, int sender, size_t hdrlen, size_t bodylen, bool bin)
{
	s->sender = (uint8_t)sender;
	s->hdrlen = hdrlen;
	s->bodylen = bodylen;
	s->bin = bin;
	s->bodyoff = bodylen ? rnd((uint32_t)(FILL_SZ - bodylen)) : 0;
	s->sent = 0;
	s->unacked = 0;
}

static void msg_copy(const struct sess *s, uint8_t *dst, size_t off, size_t n)
{
	if (off < s->hdrlen) {
		size_t k = n < s->hdrlen - off ? n : s->hdrlen - off;
		memcpy(dst, s->hdr + off, k);
		dst += k;
		off += k;
		n -= k;
	}
	if (n)
		memcpy(dst, (s->bin ? fill_bin : fill_text) + s->bodyoff + (off - s->hdrlen), n);
}

static struct wr hdr_writer(struct sess *s)
{
	return (struct wr){s->hdr, 0, sizeof s->hdr};
}

static const char *const web_hosts[] = {
	"www.example.com", "shop.example.net", "api.example.org", "cdn.example.com",
	"news.example.net", "static.example.org", "login.example.com", "intranet.corp.example",
};

/* ------------------------------------------------------------------ HTTP */

static void http_date(char *buf, size_t n)
{
	time_t t = (time_t)(G.o.start + G.t_ns / 1000000000u);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void http_request(struct sess *s)
{
	static const char *const agents[] = {
		"curl/8.5.0", "Wget/1.21.4", "python-requests/2.31.0",
		"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
	};
	static const struct { const char *pre, *post; bool num; } paths[] = {
		{"/", "", false}, {"/index.html", "", false}, {"/api/v1/items?id=", "", true},
		{"/static/js/app.", ".js", true}, {"/images/logo.png", "", false},
		{"/search?q=packet+filter&page=", "", true}, {"/favicon.ico", "", false}, {"/news/article-", ".html", true},
	};
	struct wr w = hdr_writer(s);
	uint32_t pi = rnd(ARRAY_LEN(paths)), num = rnd_in(1, 99999);
	bool post = chance(150);
	if (post)
		wstr(&w, "POST /api/v1/login");
	else if (paths[pi].num)
		wfmt(&w, "GET %s%u%s", paths[pi].pre, num, paths[pi].post);
	else
		wfmt(&w, "GET %s", paths[pi].pre);
	wfmt(&w, " HTTP/1.1\r\nHost: %s%s\r\nUser-Agent: %s\r\nAccept: */*\r\n"
	     "Accept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n",
	     web_hosts[s->name], s->f.port[1] == 8080 ? ":8080" : "", agents[s->id % ARRAY_LEN(agents)]);
	if (post) {
		char body[96];
		uint32_t user = rnd(1000);
		int n = snprintf(body, sizeof body, "user=user%u&password=hunter%u&remember=1", user, rnd(100));
		wfmt(&w, "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", n, body);
	} else {
		wstr(&w, "\r\n");
	}
	msg_set(s, 0, w.n, 0, false);
}

/* Short canned bodies for the error and redirect responses. */
static const char *http_small_body(int status)
{
	if (status == 404)
		return "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
		       "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";
	if (status == 301)
		return "<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n"
		       "<center><h1>301 Moved Permanently</h1></center>\r\n</body>\r\n</html>\r\n";
	return "";
}

static void http_response(struct sess *s)
{
	static const char *const servers[] = {"nginx/1.24.0", "Apache/2.4.58 (Debian)", "cloudflare", "Microsoft-IIS/10.0"};
	uint32_t r = rnd(100);
	int status = r < 85 ? 200 : r < 90 ? 304 : r < 95 ? 404 : 301;
	const char *reason = status == 200 ? "OK" : status == 304 ? "Not Modified" : status == 404 ? "Not Found" : "Moved Permanently";
	char date[64];
	http_date(date, sizeof date);
	struct wr w = hdr_writer(s);
	wfmt(&w, "HTTP/1.1 %d %s\r\nServer: %s\r\nDate: %s\r\n", status, reason, servers[s->name % ARRAY_LEN(servers)], date);
	if (status == 301)
		wfmt(&w, "Location: https://%s/\r\n", web_hosts[s->name]);
	const char *small = http_small_body(status);
	char prefix[160];
	int plen = snprintf(prefix, sizeof prefix, "<!DOCTYPE html>\n<html><head><title>%s</title></head>\n<body>\n<p>",
	                    web_hosts[s->name]);
	size_t body = status == 200 ? skewed(300, 30000) : strlen(small);
	if (status != 304)
		wfmt(&w, "Content-Type: text/html; charset=utf-8\r\nContent-Length: %zu\r\n", body);
	wfmt(&w, "Cache-Control: max-age=3600\r\nConnection: keep-alive\r\n\r\n%s", status == 200 ? prefix : small);
	msg_set(s, 1, w.n, status == 200 ? body - (size_t)plen : 0, false);
}

static void http_msg(struct sess *s)
{
	if (s->step % 2 == 0)
		http_request(s);
	else
		http_response(s);
}

/* ------------------------------------------------------------------ TLS */

static void tls_ext_sni(struct wr *w, const char *name)
{
	w16(w, 0x0000);
	size_t ext = w_mark(w, 2), list = w_mark(w, 2);
	w8(w, 0);
	w16(w, (uint32_t)strlen(name));
	wstr(w, name);
	w_fill16(w, list);
	w_fill16(w, ext);
}

/* Extensions whose body is a fixed byte string. */
static void tls_ext_fixed(struct wr *w)
{
	static const uint8_t fixed[] = {
		0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,                                     /* ec_point_formats */
		0x00, 0x0a, 0x00, 0x0a, 0x00, 0x08, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0x00, 0x19, /* groups */
		0x00, 0x23, 0x00, 0x00,                                                 /* session_ticket */
		0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 'h', '2', 0x08, 'h', 't', 't', 'p', '/', '1', '.', '1',
		0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00,                         /* etm, ems */
		0x00, 0x0d, 0x00, 0x12, 0x00, 0x10, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03,
		0x08, 0x05, 0x05, 0x01, 0x08, 0x06, 0x06, 0x01,                         /* signature_algorithms */
		0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03,                   /* supported_versions */
		0x00, 0x2d, 0x00, 0x02, 0x01, 0x01,                                     /* psk_key_exchange_modes */
	};
	wmem(w, fixed, sizeof fixed);
}

static void tls_client_hello(struct sess *s)
{
	static const uint16_t suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
	                                  0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
	struct wr w = hdr_writer(s);
	w8(&w, 0x16);
	w16(&w, 0x0301);
	size_t rec = w_mark(&w, 2);
	w8(&w, 0x01);
	size_t hs = w_mark(&w, 3);
	w16(&w, 0x0303);
	wrand(&w, 32);
	w8(&w, 32);
	wrand(&w, 32);
	w16(&w, 2 * ARRAY_LEN(suites));
	for (size_t i = 0; i < ARRAY_LEN(suites); i++)
		w16(&w, suites[i]);
	w16(&w, 0x0100); /* one compression method: null */
	size_t ext = w_mark(&w, 2);
	tls_ext_sni(&w, web_hosts[s->name]);
	tls_ext_fixed(&w);
	wmem(&w, (const uint8_t[]){0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20}, 10);
	wrand(&w, 32); /* x25519 key share */
	w_fill16(&w, ext);
	w_fill24(&w, hs);
	w_fill16(&w, rec);
	msg_set(s, 0, w.n, 0, false);
}

/* ServerHello, ChangeCipherSpec, then the encrypted handshake as one record. */
static void tls_server_flight(struct sess *s)
{
	struct wr w = hdr_writer(s);
	wmem(&w, (const uint8_t[]){0x16, 0x03, 0x03}, 3);
	size_t rec = w_mark(&w, 2);
	w8(&w, 0x02);
	size_t hs = w_mark(&w, 3);
	w16(&w, 0x0303);
	wrand(&w, 32);
	w8(&w, 32);
	wrand(&w, 32);
	wmem(&w, (const uint8_t[]){0x13, 0x01, 0x00, 0x00, 0x2e, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,
	                           0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20}, 19);
	wrand(&w, 32);
	w_fill24(&w, hs);
	w_fill16(&w, rec);
	wmem(&w, (const uint8_t[]){0x14, 0x03, 0x03, 0x00, 0x01, 0x01}, 6);
	size_t enc = rnd_in(2000, 4500);
	wmem(&w, (const uint8_t[]){0x17, 0x03, 0x03}, 3);
	w16(&w, (uint32_t)enc);
	msg_set(s, 1, w.n, enc, true);
}

static void tls_appdata(struct wr *w, size_t len)
{
	wmem(w, (const uint8_t[]){0x17, 0x03, 0x03}, 3);
	w16(w, (uint32_t)len);
	wrand(w, len);
}

/* Client's ChangeCipherSpec + Finished + first request, or a later request. */
static void tls_client_data(struct sess *s)
{
	struct wr w = hdr_writer(s);
	if (s->step == 2) {
		wmem(&w, (const uint8_t[]){0x14, 0x03, 0x03, 0x00, 0x01, 0x01}, 6);
		tls_appdata(&w, 53);
	}
	tls_appdata(&w, rnd_in(80, 700));
	msg_set(s, 0, w.n, 0, true);
}

static void tls_server_data(struct sess *s)
{
	size_t len = skewed(200, 16384);
	struct wr w = hdr_writer(s);
	wmem(&w, (const uint8_t[]){0x17, 0x03, 0x03}, 3);
	w16(&w, (uint32_t)len);
	msg_set(s, 1, w.n, len, true);
}

static void tls_msg(struct sess *s)
{
	if (s->step == 0)
		tls_client_hello(s);
	else if (s->step == 1)
		tls_server_flight(s);
	else if (s->step % 2 == 0)
		tls_client_data(s);
	else
		tls_server_data(s);
}

/* ------------------------------------------------------------------ SSH */

static size_t ssh_begin(struct wr *w)
{
	return w_mark(w, 5);
}

/* Pads the binary packet to a multiple of 8 with at least 4 bytes (RFC 4253). */
static void ssh_end(struct wr *w, size_t at)
{
	size_t len = w->n - at, pad = 8 - len % 8;
	if (pad < 4)
		pad += 8;
	wrand(w, pad);
	put32(w->p + at, (uint32_t)(len - 4 + pad));
	w->p[at + 4] = (uint8_t)pad;
}

static void ssh_string(struct wr *w, const char *s)
{
	w32(w, (uint32_t)strlen(s));
	wstr(w, s);
}

static void ssh_kexinit(struct wr *w, bool server)
{
	size_t at = ssh_begin(w);
	w8(w, 20);
	wrand(w, 16);
	ssh_string(w, server ? "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
	                       "diffie-hellman-group14-sha256,kex-strict-s-v00@openssh.com"
	                     : "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
	                       "diffie-hellman-group14-sha256,ext-info-c,kex-strict-c-v00@openssh.com");
	ssh_string(w, "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256");
	for (int i = 0; i < 2; i++)
		ssh_string(w, "chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com");
	for (int i = 0; i < 2; i++)
		ssh_string(w, "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com");
	for (int i = 0; i < 2; i++)
		ssh_string(w, "none,zlib@openssh.com");
	for (int i = 0; i < 2; i++)
		ssh_string(w, "");
	w8(w, 0);
	w32(w, 0);
	ssh_end(w, at);
}

/* KEX_ECDH_INIT from the client; KEX_ECDH_REPLY + NEWKEYS from the server. */
static void ssh_ecdh(struct wr *w, bool server)
{
	size_t at = ssh_begin(w);
	w8(w, server ? 31 : 30);
	if (server) {
		w32(w, 51);
		ssh_string(w, "ssh-ed25519");
		w32(w, 32);
		wrand(w, 32);
	}
	w32(w, 32);
	wrand(w, 32);
	if (server) {
		w32(w, 83);
		ssh_string(w, "ssh-ed25519");
		w32(w, 64);
		wrand(w, 64);
	}
	ssh_end(w, at);
	if (server) { /* NEWKEYS rides along with the reply */
		at = ssh_begin(w);
		w8(w, 21);
		ssh_end(w, at);
	}
}

static void ssh_msg(struct sess *s)
{
	static const char *const server_banners[] = {"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n",
	                                             "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n"};
	static const char *const client_banners[] = {"SSH-2.0-OpenSSH_9.2\r\n", "SSH-2.0-OpenSSH_9.6\r\n",
	                                             "SSH-2.0-PuTTY_Release_0.80\r\n"};
	struct wr w = hdr_writer(s);
	int sender = s->step == 0 || s->step == 3 || s->step == 5 || (s->step > 5 && s->step % 2 == 1);
	if (s->step == 0)
		wstr(&w, server_banners[s->id % ARRAY_LEN(server_banners)]);
	else if (s->step == 1)
		wstr(&w, client_banners[s->id % ARRAY_LEN(client_banners)]);
	else if (s->step == 2 || s->step == 3)
		ssh_kexinit(&w, sender);
	else if (s->step == 4 || s->step == 5)
		ssh_ecdh(&w, sender);
	if (s->step < 6) {
		msg_set(s, sender, w.n, 0, false);
		return;
	}
	msg_set(s, sender, 0, 36 + 16 * skewed(0, 80), true); /* encrypted: length is all we can see */
}

/* ------------------------------------------------------------------ TCP */

enum { TH_FIN = 1, TH_SYN = 2, TH_RST = 4, TH_PSH = 8, TH_ACK = 16 };
enum { P_SYN, P_SYNACK, P_ACK3, P_DATA, P_FIN1, P_FIN2, P_FIN3, P_RST, P_SCANRST, P_DONE };

static size_t tcp_hlen(const struct sess *s, uint32_t flags)
{
	if (flags & TH_RST)
		return 20;
	if (flags & TH_SYN)
		return s->ts ? 40 : 32;
	return s->ts ? 32 : 20;
}

static uint16_t tcp_mss(const struct sess *s)
{
	return s->jumbo ? 8960 : s->f.v6 ? 1440 : 1460;
}

/* Linux SYNs carry MSS, SACK-permitted, timestamps, window scale; Windows ones
 * MSS, window scale, SACK-permitted.  Later segments carry only timestamps. */
static void tcp_opts(uint8_t *p, struct sess *s, int dir, uint32_t flags)
{
	uint32_t tsval = (uint32_t)(G.t_ns / 1000000) + s->tsoff[dir];
	uint32_t tsecr = flags == TH_SYN ? 0 : s->tslast[!dir];
	if (flags & TH_RST)
		return;
	if (flags & TH_SYN) {
		memcpy(p, (const uint8_t[]){2, 4}, 2);
		put16(p + 2, tcp_mss(s));
		p += 4;
		if (!s->ts) {
			memcpy(p, (const uint8_t[]){1, 3, 3, 8, 1, 1, 4, 2}, 8);
			return;
		}
		memcpy(p, (const uint8_t[]){4, 2}, 2);
		p += 2;
	} else if (s->ts) {
		memcpy(p, (const uint8_t[]){1, 1}, 2);
		p += 2;
	}
	if (!s->ts)
		return;
	memcpy(p, (const uint8_t[]){8, 10}, 2);
	put32(p + 2, tsval);
	put32(p + 6, tsecr);
	s->tslast[dir] = tsval;
	if (flags & TH_SYN)
		memcpy(p + 10, (const uint8_t[]){1, 3, 3, 7}, 4);
}

/* One segment; payload bytes come from the current message at s->sent. */
static void tcp_send(struct sess *s, int dir, uint32_t flags, size_t dlen)
{
	size_t hl = tcp_hlen(s, flags);
	uint8_t *p = pk_begin();
	if (dlen)
		msg_copy(s, p + hl, s->sent, dlen);
	put16(p, s->f.port[dir]);
	put16(p + 2, s->f.port[!dir]);
	put32(p + 4, s->seq[dir]);
	put32(p + 8, flags & TH_ACK ? s->seq[!dir] : 0);
	p[12] = (uint8_t)(hl / 4 << 4);
	p[13] = (uint8_t)flags;
	put16(p + 14, flags & TH_RST ? 0 : flags & TH_SYN ? s->synwin[dir] : s->win[dir]);
	memset(p + 16, 0, 4);
	tcp_opts(p + 20, s, dir, flags);
	PK.len = hl + dlen;
	PK.l4 = hl;
	ip_send(&s->f, dir, P_TCP, 16);
	s->seq[dir] += (uint32_t)dlen + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0);
}

static size_t tcp_maxseg(const struct sess *s)
{
	size_t mtu = s->jumbo ? JUMBO_FRAME - 14 : STD_MTU - 4 * s->f.nvlan; /* tagged frames stay <= 1514 */
	size_t room = mtu - ip_hlen(&s->f) - tcp_hlen(s, TH_ACK);
	return room < tcp_mss(s) ? room : tcp_mss(s);
}

static bool app_next(struct sess *s)
{
	if (s->step >= s->nsteps)
		return false;
	if (s->kind == K_HTTP)
		http_msg(s);
	else if (s->kind == K_TLS)
		tls_msg(s);
	else if (s->kind == K_SSH)
		ssh_msg(s);
	else
		return false;
	s->step++;
	return true;
}

static void tcp_advance(struct sess *s)
{
	if (app_next(s)) {
		s->phase = P_DATA;
		return;
	}
	uint32_t r = rnd(100);
	s->closer = (uint8_t)rnd(2);
	s->phase = r < 85 ? P_FIN1 : r < 95 ? P_RST : P_DONE; /* the rest just stop: capture ended */
}

/* Delayed ACK: the receiver acknowledges every second segment and each message's end. */
static void tcp_data(struct sess *s)
{
	size_t total = s->hdrlen + s->bodylen;
	if (s->unacked >= 2 || (s->unacked && s->sent == total)) {
		tcp_send(s, !s->sender, TH_ACK, 0);
		s->unacked = 0;
		if (s->sent == total)
			tcp_advance(s);
		return;
	}
	size_t n = total - s->sent, max = tcp_maxseg(s);
	if (n > max)
		n = max;
	tcp_send(s, s->sender, TH_ACK | (s->sent + n == total ? TH_PSH : 0), n);
	s->sent += n;
	s->unacked++;
}

static bool tcp_step(struct sess *s)
{
	switch (s->phase) {
	case P_SYN:
		tcp_send(s, 0, TH_SYN, 0);
		s->phase = s->kind != K_SCAN ? P_SYNACK : s->variant ? P_DONE : P_SCANRST;
		break;
	case P_SYNACK: tcp_send(s, 1, TH_SYN | TH_ACK, 0); s->phase = P_ACK3; break;
	case P_ACK3: tcp_send(s, 0, TH_ACK, 0); tcp_advance(s); break;
	case P_DATA: tcp_data(s); break;
	case P_FIN1: tcp_send(s, s->closer, TH_FIN | TH_ACK, 0); s->phase = P_FIN2; break;
	case P_FIN2: tcp_send(s, !s->closer, TH_FIN | TH_ACK, 0); s->phase = P_FIN3; break;
	case P_FIN3: tcp_send(s, s->closer, TH_ACK, 0); s->phase = P_DONE; break;
	case P_RST: tcp_send(s, s->closer, TH_RST | TH_ACK, 0); s->phase = P_DONE; break;
	case P_SCANRST: tcp_send(s, 1, TH_RST | TH_ACK, 0); s->phase = P_DONE; break;
	default: s->phase = P_DONE; break;
	}
	return s->phase == P_DONE;
}

static void tcp_start(struct sess *s, uint16_t port, uint8_t nsteps)
{
	flow_init(&s->f, 120);
	s->f.port[1] = port;
	s->f.tos = port == 22 ? 0x10 : 0; /* OpenSSH asks for low delay on interactive sessions */
	s->seq[0] = (uint32_t)rng64();
	s->seq[1] = (uint32_t)rng64();
	s->tsoff[0] = (uint32_t)rng64();
	s->tsoff[1] = (uint32_t)rng64();
	s->ts = s->f.h[0].ttl == 64; /* Windows clients don't use timestamps */
	s->jumbo = G.jumbo_ok && chance(20);
	if (s->jumbo)
		s->f.nvlan = 0;
	s->synwin[0] = s->ts ? 64240 : 65535;
	s->synwin[1] = s->ts ? 65160 : 64240;
	s->win[0] = (uint16_t)rnd_in(500, 2052);
	s->win[1] = (uint16_t)rnd_in(500, 2052);
	s->id = (uint16_t)rng64();
	s->name = (uint16_t)rnd(ARRAY_LEN(web_hosts));
	s->nsteps = nsteps;
	s->phase = P_SYN;
}

static uint8_t exchanges(void)
{
	uint32_t r = rnd(10);
	return r < 7 ? 1 : r < 9 ? 2 : 3;
}

static void http_start(struct sess *s)
{
	uint16_t port = chance(250) ? 8080 : 80;
	tcp_start(s, port, (uint8_t)(2 * exchanges()));
}

static void tls_start(struct sess *s)
{
	tcp_start(s, 443, (uint8_t)(2 + 2 * exchanges()));
}

static void ssh_start(struct sess *s)
{
	tcp_start(s, 22, (uint8_t)(6 + 2 * rnd_in(1, 6)));
}

/* An outside host probing a LAN host; variant 1 means nobody answers. */
static void scan_start(struct sess *s)
{
	static const uint16_t ports[] = {22, 23, 25, 445, 1433, 3306, 3389, 5900, 6379, 8443};
	memset(&s->f, 0, sizeof s->f);
	host_public(&s->f.h[0]);
	pick_client(&s->f.h[1]);
	s->f.port[0] = (uint16_t)rnd_in(1024, 65535);
	s->f.port[1] = ports[rnd(ARRAY_LEN(ports))];
	s->f.ipid[0] = (uint16_t)rng64();
	s->seq[0] = (uint32_t)rng64();
	s->synwin[0] = 1024;
	s->variant = chance(300);
	s->phase = P_SYN;
}

/* ------------------------------------------------------------------ DNS */

struct dns_q {
	const char *name;
	uint16_t type;
};

static const struct dns_q dns_queries[] = {
	{"www.example.com", 1}, {"www.example.com", 28}, {"api.example.net", 1}, {"cdn.example.org", 28},
	{"mail.example.com", 1}, {"example.com", 15}, {"example.org", 15}, {"example.com", 16},
	{"_dmarc.example.com", 16}, {"www.wikipedia.org", 1}, {"github.com", 1}, {"ntp.ubuntu.com", 1},
	{"connectivity-check.ubuntu.com", 28}, {"time.cloudflare.com", 1}, {"login.microsoftonline.com", 1},
	{"www.google.com", 28},
};

static void dns_name(struct wr *w, const char *name)
{
	while (*name) {
		size_t len = strcspn(name, ".");
		w8(w, (uint32_t)len);
		wmem(w, name, len);
		name += len + (name[len] == '.');
	}
	w8(w, 0);
}

static void dns_header(struct wr *w, const struct sess *s, uint32_t flags, uint32_t ancount)
{
	w16(w, s->id);
	w16(w, flags);
	w16(w, 1);
	w16(w, ancount);
	w16(w, 0);
	w16(w, s->variant & 1); /* EDNS0 OPT in the additional section */
	dns_name(w, s->qname);
	w16(w, (uint32_t)s->aux);
	w16(w, 1);
}

static void dns_opt(struct wr *w, const struct sess *s)
{
	static const uint8_t opt[] = {0, 0x00, 0x29, 0x04, 0xd0, 0, 0, 0, 0, 0, 0};
	if (s->variant & 1)
		wmem(w, opt, sizeof opt);
}

/* Answer owner names point back at the question (offset 12). */
static void dns_rr(struct wr *w, uint32_t type, uint32_t rdlen)
{
	w16(w, 0xc00c);
	w16(w, type);
	w16(w, 1);
	w32(w, rnd_in(60, 86400));
	w16(w, rdlen);
}

static void dns_answer(struct wr *w, const struct sess *s, uint32_t i)
{
	static const uint8_t v6pfx[15] = {0x20, 1, 0x0d, 0xb8, 0xca, 0xfe, 0, 1};
	uint8_t rd[96];
	size_t len;
	const char *txt = s->qname[0] == '_' ? "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
	                                     : "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all";
	switch (s->aux) {
	case 1: memcpy(rd, server_nets[1], 3); rd[3] = (uint8_t)rnd_in(1, 254); len = 4; break;
	case 28: memcpy(rd, v6pfx, 15); rd[15] = (uint8_t)rnd_in(1, 254); len = 16; break;
	case 15: /* preference, then "mxN" + pointer to the queried domain */
		memcpy(rd, (const uint8_t[]){0, (uint8_t)(10 * (i + 1)), 3, 'm', 'x', (uint8_t)('1' + i), 0xc0, 0x0c}, 8);
		len = 8;
		break;
	default:
		len = strlen(txt);
		rd[0] = (uint8_t)len;
		memcpy(rd + 1, txt, len++);
		break;
	}
	dns_rr(w, (uint32_t)s->aux, (uint32_t)len);
	wmem(w, rd, len);
}

static uint32_t dns_answers(struct wr *w, const struct sess *s)
{
	uint32_t n = s->aux == 1 ? rnd_in(1, 4) : s->aux == 28 ? rnd_in(1, 2) : s->aux == 15 ? 2 : 1;
	for (uint32_t i = 0; i < n; i++)
		dns_answer(w, s, i);
	return n;
}

static void dns_send(struct sess *s, int dir)
{
	uint8_t *p = pk_begin() + 8;
	struct wr w = {p, 0, 1400};
	bool nx = s->variant & 2;
	if (dir == 0) {
		dns_header(&w, s, 0x0100, 0);
	} else {
		dns_header(&w, s, nx ? 0x8183 : 0x8180, 0);
		if (!nx)
			put16(p + 6, dns_answers(&w, s));
	}
	dns_opt(&w, s);
	udp_send(&s->f, dir, w.n);
}

static void dns_start(struct sess *s)
{
	flow_init(&s->f, 150);
	host_remote(&s->f.h[1], rnd(2), 53);
	s->f.port[1] = 53;
	s->id = (uint16_t)rng64();
	s->variant = chance(600);          /* bit 0: EDNS0 */
	s->variant |= chance(50) << 1;     /* bit 1: NXDOMAIN */
	const struct dns_q *q = &dns_queries[rnd(ARRAY_LEN(dns_queries))];
	s->qname = q->name;
	s->aux = q->type;
	if (s->variant & 2) { /* NXDOMAIN: a typo'd or random name */
		struct wr w = hdr_writer(s);
		for (int i = 0; i < 8; i++)
			w8(&w, 'a' + rnd(26));
		wstr(&w, ".example.com");
		s->hdr[w.n] = 0;
		s->qname = (const char *)s->hdr;
	}
}

static bool dns_step(struct sess *s)
{
	dns_send(s, s->step);
	return s->step++ == 1 || chance(30); /* 3% of queries time out */
}

/* ------------------------------------------------------------------ other UDP: NTP, syslog, QUIC */

static uint64_t ntp_now(void)
{
	uint64_t sec = G.o.start + G.t_ns / 1000000000u + 2208988800u;
	uint64_t frac = ((G.t_ns % 1000000000u) << 32) / 1000000000u;
	return sec << 32 | frac;
}

static void ntp_send(struct sess *s, int dir)
{
	uint8_t *p = pk_begin() + 8;
	memset(p, 0, 48);
	uint64_t now = ntp_now();
	if (dir == 0) {
		memcpy(p, (const uint8_t[]){0x23, 0, 6, 0xe9}, 4);
		s->aux = now;
	} else {
		memcpy(p, (const uint8_t[]){0x24, 2, 6, 0xe8, 0, 0, 0, 0x1c, 0, 0, 0, 0x2a}, 12);
		memcpy(p + 12, s->f.h[1].ip4, 4);
		put64(p + 16, now - (64ull << 32));
		put64(p + 24, s->aux);
		put64(p + 32, now - 4000);
	}
	put64(p + 40, now);
	udp_send(&s->f, dir, 48);
}

static void syslog_send(struct sess *s)
{
	static const char *const hosts[] = {"web01", "db02", "fw-edge", "build-07"};
	static const char *const apps[] = {"sshd", "CRON", "kernel", "nginx", "systemd"};
	static const char *const msgs[] = {
		"Accepted publickey for deploy from 10.0.1.23 port 51514 ssh2",
		"(root) CMD (run-parts /etc/cron.hourly)",
		"[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.77 DST=10.0.2.5 PROTO=TCP SPT=41234 DPT=23",
		"upstream timed out (110: Connection timed out) while reading response header",
		"Started Daily apt download activities.",
	};
	char stamp[32];
	time_t t = (time_t)(G.o.start + G.t_ns / 1000000000u);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
	uint8_t *p = pk_begin() + 8;
	struct wr w = {p, 0, 1024};
	uint32_t m = rnd(ARRAY_LEN(msgs)), pri = 8 * rnd_in(1, 23);
	pri += rnd(8);
	uint32_t host = rnd(ARRAY_LEN(hosts));
	wfmt(&w, "<%u>%s %s %s[%u]: %s", pri, stamp, hosts[host], apps[m], rnd_in(300, 60000), msgs[m]);
	udp_send(&s->f, 0, w.n);
}

/* Long-header Initial: the client pads to 1200+ bytes, the rest is ciphertext. */
static void quic_send(struct sess *s, int dir)
{
	uint8_t *p = pk_begin() + 8;
	size_t len = dir == 0 ? 1252 : rnd_in(1200, 1232);
	struct wr w = {p, 0, len};
	w8(&w, 0xc0 | rnd(4));
	w32(&w, 1);
	w8(&w, 8);
	put64(w_take(&w, 8), dir ? s->aux ^ 0x5555 : s->aux);
	w8(&w, 8);
	put64(w_take(&w, 8), dir ? s->aux : s->aux ^ 0x5555);
	w8(&w, 0);
	w16(&w, 0x4000 | (uint32_t)(len - w.n - 2));
	size_t rest = len - w.n;
	memcpy(w_take(&w, rest), fill_bin + rnd(FILL_SZ - 1300), rest);
	udp_send(&s->f, dir, len);
}

static void udp_start(struct sess *s)
{
	flow_init(&s->f, 100);
	uint32_t r = rnd(100);
	s->variant = r < 40 ? 0 : r < 65 ? 1 : 2;
	s->f.port[1] = s->variant == 0 ? 123 : s->variant == 1 ? 514 : 443;
	if (s->variant == 0 && chance(500))
		s->f.port[0] = 123; /* ntpd talks port to port; SNTP clients don't */
	s->nsteps = s->variant == 1 ? 1 : s->variant == 2 && chance(200) ? 1 : 2;
	s->aux = rng64();
}

static bool udp_step(struct sess *s)
{
	int dir = s->step++ % 2;
	if (s->variant == 0)
		ntp_send(s, dir);
	else if (s->variant == 1)
		syslog_send(s);
	else
		quic_send(s, dir);
	return s->step >= s->nsteps;
}

/* ------------------------------------------------------------------ ICMP and ICMPv6 */

/* Linux ping: struct timeval then bytes 0x10.. ; Windows ping: the alphabet. */
static size_t echo_payload(uint8_t *p, bool windows, uint64_t t_ns)
{
	if (windows) {
		memcpy(p, "abcdefghijklmnopqrstuvwabcdefghi", 32);
		return 32;
	}
	uint64_t sec = G.o.start + t_ns / 1000000000u, usec = t_ns / 1000 % 1000000;
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(sec >> (8 * i));
		p[8 + i] = (uint8_t)(usec >> (8 * i));
	}
	for (int i = 16; i < 56; i++)
		p[i] = (uint8_t)i;
	return 56;
}

static void echo_send(struct sess *s, int dir)
{
	bool v6 = s->f.v6;
	uint8_t *p = pk_begin();
	if (dir == 0)
		s->aux = G.t_ns;
	size_t n = echo_payload(p + 8, !v6 && s->f.h[0].ttl == 128, s->aux);
	p[0] = v6 ? (dir ? 129 : 128) : (dir ? 0 : 8);
	p[1] = 0;
	put16(p + 4, s->id);
	put16(p + 6, s->step / 2u + 1);
	PK.len = 8 + n;
	PK.l4 = 8;
	ip_send(&s->f, dir, v6 ? P_ICMPV6 : P_ICMP, 2);
}

/* The quoted datagram: client -> server UDP or TCP, header plus 8 bytes. */
static void icmp_quote(uint8_t *p, const struct flow *o, uint8_t proto, uint8_t ttl)
{
	size_t tot = proto == P_TCP ? rnd_in(1400, 1500) : rnd_in(48, 300); /* more than is quoted */
	struct ip4h h = {20, tot, (uint16_t)rng64(), proto == P_TCP ? 0x4000 : 0, ttl, proto, 0, o->h[0].ip4, o->h[1].ip4};
	ipv4_write(p, &h);
	put16(p + 20, o->port[0]);
	put16(p + 22, o->port[1]);
	if (proto == P_TCP) {
		put32(p + 24, (uint32_t)rng64());
		return;
	}
	put16(p + 24, (uint32_t)(tot - 20));
	put16(p + 26, (uint32_t)rng64());
}

/* Unreachable (port, host, need-frag, admin) or time-exceeded from whoever reports it. */
static void icmp_error(struct sess *s)
{
	struct flow o;
	flow_init(&o, 0);
	uint32_t r = rnd(100);
	uint8_t type = s->variant == 2 ? 11 : 3;
	uint8_t code = type == 11 ? 0 : r < 50 ? 3 : r < 75 ? 1 : r < 90 ? 4 : 13;
	s->f = o;
	s->f.v4opt = 0;
	if (code == 1) { /* our own router gives up on the next hop */
		memcpy(s->f.h[1].ip4, o.h[0].ip4, 3);
		s->f.h[1].ip4[3] = 1;
		s->f.h[1].ttl = 255;
	} else if (code != 3) { /* port unreachable comes from the server itself */
		host_public(&s->f.h[1]);
	}
	o.port[1] = type == 11 ? (uint16_t)(33434 + rnd(30)) : code == 4 ? 443 : (uint16_t)rnd_in(1024, 65535);
	uint8_t *p = pk_begin();
	memset(p, 0, 8);
	p[0] = type;
	p[1] = code;
	if (code == 4)
		put16(p + 6, 1400);
	icmp_quote(p + 8, &o, code == 4 ? P_TCP : P_UDP, type == 11 ? 1 : (uint8_t)rnd_in(40, 63));
	PK.len = 36;
	PK.l4 = 8;
	ip_send(&s->f, 1, P_ICMP, 2);
}

static void icmp_start(struct sess *s)
{
	uint32_t r = rnd(100);
	s->variant = r < 80 ? 0 : r < 95 ? 1 : 2;
	flow_init(&s->f, 0);
	s->f.ipid[1] = (uint16_t)rng64();
	s->id = (uint16_t)rng64();
	s->nsteps = (uint8_t)(2 * rnd_in(1, 4));
}

static bool icmp_step(struct sess *s)
{
	if (s->variant) {
		icmp_error(s);
		return true;
	}
	echo_send(s, s->step % 2);
	return ++s->step >= s->nsteps || (s->step % 2 == 1 && chance(20)); /* a few requests go unanswered */
}

static void link_local(uint8_t *ip6, const struct host *h)
{
	memset(ip6, 0, 8);
	ip6[0] = 0xfe;
	ip6[1] = 0x80;
	memcpy(ip6 + 8, h->ip6 + 8, 8);
}

/* NS goes to the target's solicited-node multicast group; alt keeps the real target. */
static void nd_start(struct sess *s)
{
	uint32_t net = rnd(ARRAY_LEN(client_nets));
	memset(&s->f, 0, sizeof s->f);
	s->f.v6 = 1;
	host_local(&s->f.h[0], net, rnd_in(2, 61));
	host_local(&s->alt, net, rnd_in(2, 61));
	link_local(s->f.h[0].ip6, &s->f.h[0]);
	s->f.h[0].ttl = s->alt.ttl = 255; /* ND requires hop limit 255 */
	struct host *m = &s->f.h[1];
	*m = s->alt;
	memcpy(m->ip6, (const uint8_t[]){0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff}, 13);
	memcpy(m->ip6 + 13, s->alt.ip6 + 13, 3);
	memcpy(m->mac, (const uint8_t[]){0x33, 0x33}, 2);
	memcpy(m->mac + 2, m->ip6 + 12, 4);
}

static void nd_send(struct sess *s, int dir)
{
	uint8_t *p = pk_begin();
	if (dir == 1)
		s->f.h[1] = s->alt;
	memset(p, 0, 32);
	p[0] = dir ? 136 : 135;
	if (dir)
		p[4] = 0x60; /* solicited, override */
	memcpy(p + 8, s->alt.ip6, 16);
	p[24] = dir ? 2 : 1; /* target / source link-layer address option */
	p[25] = 1;
	memcpy(p + 26, s->f.h[dir].mac, 6);
	PK.len = 32;
	PK.l4 = 8;
	ip_send(&s->f, dir, P_ICMPV6, 2);
}

static void icmp6_start(struct sess *s)
{
	s->variant = chance(350);
	s->nsteps = s->variant ? 2 : (uint8_t)(2 * rnd_in(1, 4));
	s->id = (uint16_t)rng64();
	if (s->variant)
		nd_start(s);
	else
		flow_init(&s->f, 1000);
}

static bool icmp6_step(struct sess *s)
{
	if (s->variant)
		nd_send(s, s->step % 2);
	else
		echo_send(s, s->step % 2);
	return ++s->step >= s->nsteps;
}

/* ------------------------------------------------------------------ ARP */

static void arp_send(struct sess *s, int dir)
{
	const struct host *src = &s->f.h[dir], *dst = &s->f.h[!dir];
	bool gratuitous = s->variant, request = dir == 0;
	uint8_t *p = pk_begin();
	memcpy(p, (const uint8_t[]){0, 1, 8, 0, 6, 4, 0, request ? 1 : 2}, 8);
	memcpy(p + 8, src->mac, 6);
	memcpy(p + 14, src->ip4, 4);
	if (request)
		memset(p + 18, 0, 6);
	else
		memcpy(p + 18, dst->mac, 6);
	memcpy(p + 24, gratuitous ? src->ip4 : dst->ip4, 4);
	PK.len = 28;
	l2_out(request ? bcast_mac : dst->mac, src->mac, &s->f, ETH_ARP);
}

static void arp_start(struct sess *s)
{
	uint32_t net = rnd(ARRAY_LEN(client_nets));
	memset(&s->f, 0, sizeof s->f);
	host_local(&s->f.h[0], net, rnd_in(2, 61));
	host_local(&s->f.h[1], net, chance(400) ? 1 : rnd_in(2, 61));
	vlan_init(&s->f);
	s->variant = chance(100);
}

static bool arp_step(struct sess *s)
{
	arp_send(s, s->step);
	return s->variant || s->step++ == 1;
}

/* ------------------------------------------------------------------ pseudo-Slammer */

enum { SLAMMER_LEN = 376 };

/* Shape of the 2003 worm datagram (0x04 then a run of 0x01), but the rest is an
 * invented, harmless marker pattern that filters can match on. */
static void slammer_payload(uint8_t *p)
{
	static const char marker[] = "FFPF-PSEUDO-SLAMMER:not-a-worm;";
	p[0] = 0x04;
	memset(p + 1, 0x01, 96);
	memcpy(p + 97, marker, sizeof marker - 1);
	for (size_t i = 97 + sizeof marker - 1; i < SLAMMER_LEN; i++)
		p[i] = (uint8_t)(0xa5 ^ (i * 29));
}

static bool slammer_step(struct sess *s)
{
	static uint8_t payload[SLAMMER_LEN];
	if (!payload[0])
		slammer_payload(payload);
	memset(&s->f, 0, sizeof s->f);
	int out = chance(500); /* half inbound probes, half an infected LAN host spraying */
	host_public(&s->f.h[out ? 1 : 0]);
	pick_client(&s->f.h[out ? 0 : 1]);
	vlan_init(&s->f);
	s->f.port[0] = (uint16_t)rnd_in(1024, 65535);
	s->f.port[1] = 1434;
	s->f.ipid[0] = (uint16_t)rng64();
	memcpy(pk_begin() + 8, payload, SLAMMER_LEN);
	udp_send(&s->f, 0, SLAMMER_LEN);
	return true;
}

/* ------------------------------------------------------------------ fragment trains */

/* The whole datagram is built (and checksummed) once, then sent in slices; the
 * fragment pool has a single slot so this buffer is never shared. */
static uint8_t dgram[8192];

static void frag_start(struct sess *s)
{
	flow_init(&s->f, 200);
	s->f.v4opt = 0; /* Record Route is not copied into fragments; keep it simple */
	s->f.v6ext = 0;
	bool icmp = chance(300);
	uint8_t proto = icmp ? (s->f.v6 ? P_ICMPV6 : P_ICMP) : P_UDP;
	size_t len = 8 + (icmp ? rnd_in(1600, 4000) : rnd_in(1600, 8000));
	memcpy(dgram + 8, fill_bin + rnd(FILL_SZ - 8192), len - 8);
	if (icmp) {
		memcpy(dgram, (const uint8_t[]){s->f.v6 ? 128 : 8, 0, 0, 0}, 4);
		put16(dgram + 4, (uint32_t)rng64());
		put16(dgram + 6, 1);
	} else {
		static const uint16_t ports[] = {2049, 5004, 4739, 7001};
		put16(dgram, s->f.port[0]);
		put16(dgram + 2, ports[rnd(ARRAY_LEN(ports))]);
		put16(dgram + 4, (uint32_t)len);
	}
	l4_csum(&s->f, 0, proto, dgram, len, icmp ? 2 : 6);
	s->variant = proto;
	s->hdrlen = len;
	s->sent = 0;
	s->aux = rng64();
}

static bool frag_step(struct sess *s)
{
	size_t fs = (STD_MTU - 4 * s->f.nvlan - (s->f.v6 ? 48 : 20)) & ~(size_t)7;
	size_t n = s->hdrlen - s->sent < fs ? s->hdrlen - s->sent : fs;
	bool more = s->sent + n < s->hdrlen;
	memcpy(pk_begin(), dgram + s->sent, n);
	PK.len = n;
	PK.l4 = s->sent == 0 ? 8 : 0;
	if (s->f.v6)
		ipv6_prepend(&s->f, 0, s->variant, &(struct frag6){s->sent, more, (uint32_t)s->aux});
	else
		ipv4_prepend(&s->f, 0, s->variant, (uint16_t)((more ? 0x2000 : 0) | s->sent / 8), (uint16_t)s->aux);
	l2_ip_out(&s->f, 0);
	s->sent += n;
	return !more;
}

/* ------------------------------------------------------------------ non-IP frames */

static const uint8_t switch_mac[6] = {0x00, 0x1c, 0x73, 0x4a, 0x20, 0x00};

static void stp_frame(void)
{
	static const uint8_t dst[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x00};
	bool rstp = chance(500);
	uint8_t *p = pk_begin();
	memcpy(p, (const uint8_t[]){0x42, 0x42, 0x03, 0, 0, rstp ? 2 : 0, rstp ? 2 : 0, rstp ? 0x3c : 0}, 8);
	put16(p + 8, 0x8000);
	memcpy(p + 10, gw_mac, 6);
	put32(p + 16, rstp ? 20000 : 19);
	put16(p + 20, 0x8000);
	memcpy(p + 22, switch_mac, 6);
	put16(p + 28, 0x8000 | rnd_in(1, 48));
	put16(p + 30, 256);
	put16(p + 32, 20 * 256);
	put16(p + 34, 2 * 256);
	put16(p + 36, 15 * 256);
	p[38] = 0; /* RSTP version-1 length; not counted for plain STP */
	PK.len = 38 + rstp;
	l2_out(dst, switch_mac, NULL, (uint32_t)PK.len); /* 802.3: length, not EtherType */
}

static void lldp_tlv(struct wr *w, uint32_t type, const void *val, size_t len)
{
	w16(w, type << 9 | (uint32_t)len);
	wmem(w, val, len);
}

static void lldp_frame(void)
{
	static const uint8_t dst[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e};
	uint8_t chassis[7] = {4}, port[32] = {5}, ttl[2] = {0, 120};
	memcpy(chassis + 1, switch_mac, 6);
	int plen = snprintf((char *)port + 1, sizeof port - 1, "ge-0/0/%u", rnd(48));
	struct wr w = {pk_begin(), 0, 512};
	lldp_tlv(&w, 1, chassis, sizeof chassis);
	lldp_tlv(&w, 2, port, 1 + (size_t)plen);
	lldp_tlv(&w, 3, ttl, 2);
	static const char name[] = "sw-access-03.example.net", descr[] = "ExampleOS 4.2 48-port access switch";
	lldp_tlv(&w, 5, name, sizeof name - 1);
	lldp_tlv(&w, 6, descr, sizeof descr - 1);
	w16(&w, 0);
	PK.len = w.n;
	l2_out(dst, switch_mac, NULL, ETH_LLDP);
}

static void exp_frame(void)
{
	uint8_t dst[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x00};
	dst[5] = (uint8_t)rnd(256);
	size_t len = rnd_in(46, 300);
	memcpy(pk_begin(), fill_bin + rnd(FILL_SZ - 300), len);
	PK.len = len;
	l2_out(dst, switch_mac, NULL, ETH_EXP);
}

static bool l2_step(struct sess *s)
{
	uint32_t r = rnd(100);
	(void)s;
	if (r < 50)
		stp_frame();
	else if (r < 85)
		lldp_frame();
	else
		exp_frame();
	return true;
}

/* ------------------------------------------------------------------ malformed IPv4 */

/* A small, correct UDP datagram whose IPv4 header then claims more than the frame
 * holds: total length beyond the frame, IHL = 15 on a 20-byte header, or IHL < 5. */
static bool bad_step(struct sess *s)
{
	flow_init(&s->f, 0);
	s->f.v4opt = 0;
	s->f.port[1] = chance(500) ? 53 : (uint16_t)rnd_in(1024, 65535);
	size_t plen = rnd(17);
	rnd_fill(pk_begin() + 8, plen);
	PK.len = 8 + plen;
	PK.l4 = 8;
	put16(PK.head, s->f.port[0]);
	put16(PK.head + 2, s->f.port[1]);
	put16(PK.head + 4, (uint32_t)PK.len);
	l4_csum(&s->f, 0, P_UDP, PK.head, PK.len, 6);
	ip_build(&s->f, 0, P_UDP);
	uint8_t *ip = PK.head;
	uint32_t r = rnd(10);
	if (r < 6)
		put16(ip + 2, (uint32_t)PK.len + rnd_in(40, 1400));
	else
		ip[0] = r < 9 ? 0x4f : 0x43;
	ip[10] = ip[11] = 0;
	csum_store(ip + 10, csum_add(0, ip, 20), false);
	l2_ip_out(&s->f, 0);
	return true;
}

/* ------------------------------------------------------------------ scheduler */

/* Per-mille weights per category, one row per --mix; each row sums to 1000. */
static const uint16_t mix_weights[MIX_COUNT][K_COUNT] = {
	/*            http tls ssh scan dns udp icmp icmp6 arp slam frag l2 bad */
	[MIX_DEFAULT] = {300, 220, 40, 20, 160, 80, 40, 30, 30, 20, 40, 10, 10},
	[MIX_WEB] = {450, 350, 10, 10, 100, 20, 15, 10, 10, 5, 10, 5, 5},
	[MIX_WORM] = {215, 155, 30, 15, 115, 55, 30, 20, 20, 300, 30, 8, 7},
};

struct kind_ops {
	uint8_t slots; /* concurrent conversations of this category */
	void (*start)(struct sess *);
	bool (*step)(struct sess *); /* emits one packet; true when the conversation is over */
};

static const struct kind_ops kinds[K_COUNT] = {
	[K_HTTP] = {16, http_start, tcp_step},   [K_TLS] = {16, tls_start, tcp_step},
	[K_SSH] = {4, ssh_start, tcp_step},      [K_SCAN] = {4, scan_start, tcp_step},
	[K_DNS] = {8, dns_start, dns_step},      [K_UDP] = {4, udp_start, udp_step},
	[K_ICMP] = {4, icmp_start, icmp_step},   [K_ICMP6] = {4, icmp6_start, icmp6_step},
	[K_ARP] = {4, arp_start, arp_step},      [K_SLAMMER] = {1, NULL, slammer_step},
	[K_FRAG] = {1, frag_start, frag_step},   [K_L2] = {1, NULL, l2_step},
	[K_BAD] = {1, NULL, bad_step},
};

enum { MAX_SLOTS = 16 };
static struct sess pool[K_COUNT][MAX_SLOTS];

static enum kind pick_kind(const uint16_t *w)
{
	uint32_t r = rnd(1000);
	for (int k = 0; k < K_COUNT; k++) {
		if (r < w[k])
			return (enum kind)k;
		r -= w[k];
	}
	return K_HTTP;
}

static void generate(void)
{
	const uint16_t *w = mix_weights[G.o.mix];
	while (G.written < G.o.count) {
		enum kind k = pick_kind(w);
		struct sess *s = &pool[k][rnd(kinds[k].slots)];
		if (!s->live) {
			memset(s, 0, offsetof(struct sess, hdr));
			s->kind = (uint8_t)k;
			s->live = true;
			if (kinds[k].start)
				kinds[k].start(s);
		}
		if (kinds[k].step(s))
			s->live = false;
	}
}

/* ------------------------------------------------------------------ command line */

static void usage(FILE *fp)
{
	fputs("Usage: ffpf-gen [-s|--seed N] [-c|--count N] [-o|--output FILE] [--snaplen N]\n"
	      "                [--start-time SEC] [--rate PPS] [--mix NAME] [-q]\n"
	      "Write a deterministic, realistic Ethernet packet trace as a pcap file.\n"
	      "\n"
	      "  -s, --seed N          PRNG seed (default 1); same seed and options, same bytes\n"
	      "  -c, --count N         number of packets (default 10000)\n"
	      "  -o, --output FILE     output file, - for standard output (default -)\n"
	      "      --snaplen N       capture length limit, 16..262144 (default 65535);\n"
	      "                        jumbo frames are generated only if N >= 9000\n"
	      "      --start-time SEC  time stamp of the first packet (default 1700000000)\n"
	      "      --rate PPS        mean packet rate, gaps jittered +-50% (default 100000)\n"
	      "      --mix NAME        traffic mix: default, web or worm (default: default)\n"
	      "  -q, --quiet           do not print the summary line on standard error\n"
	      "  -h, --help            show this help and exit\n"
	      "\n"
	      "Traffic mix, percent of packets:      default   web  worm\n"
	      "  http       TCP 80/8080, GET/POST          30.0  45.0  21.5\n"
	      "  tls        TCP 443, ClientHello+SNI       22.0  35.0  15.5\n"
	      "  ssh        TCP 22, banners, KEXINIT        4.0   1.0   3.0\n"
	      "  tcp-scan   SYN -> RST/ACK or silence       2.0   1.0   1.5\n"
	      "  dns        UDP 53, A/AAAA/MX/TXT          16.0  10.0  11.5\n"
	      "  udp-other  NTP, syslog, QUIC Initial       8.0   2.0   5.5\n"
	      "  icmp       echo, unreachable, time-exc     4.0   1.5   3.0\n"
	      "  icmpv6     echo, neighbour discovery       3.0   1.0   2.0\n"
	      "  arp        request/reply, gratuitous       3.0   1.0   2.0\n"
	      "  slammer    UDP 1434, 376-byte payload      2.0   0.5  30.0\n"
	      "  fragments  IPv4/IPv6 fragment trains       4.0   1.0   3.0\n"
	      "  l2-other   STP (LLC), LLDP, 0x88b5         1.0   0.5   0.8\n"
	      "  malformed  IPv4 length/IHL past frame      1.0   0.5   0.7\n"
	      "Overlays: IPv6 on 12-15% of TCP/UDP conversations (a quarter with extension\n"
	      "headers), IPv4 options on 3%, 802.1Q on 5% of conversations (a quarter QinQ),\n"
	      "2% of frames truncated (caplen < len), 2% of TCP connections jumbo.\n",
	      fp);
}

__attribute__((noreturn, format(printf, 1, 2)))
static void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ffpf-gen: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'ffpf-gen --help' for more information.\n", stderr);
	exit(EXIT_USAGE);
}

static uint64_t parse_uint(const char *opt, const char *s, uint64_t lo, uint64_t hi)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno || v < lo || v > hi)
		usage_error("invalid %s '%s' (expected an integer in %llu..%llu)", opt, s,
		            (unsigned long long)lo, (unsigned long long)hi);
	return v;
}

static double parse_rate(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (s == end || *end || errno || !(v >= 0.001 && v <= 1e9)) /* also rejects NaN */
		usage_error("invalid --rate '%s' (expected packets per second, 0.001..1e9)", s);
	return v;
}

static enum mix parse_mix(const char *s)
{
	for (int m = 0; m < MIX_COUNT; m++)
		if (strcmp(s, mix_names[m]) == 0)
			return (enum mix)m;
	usage_error("unknown --mix '%s' (expected default, web or worm)", s);
}

enum { OPT_SNAPLEN = 256, OPT_START, OPT_RATE, OPT_MIX };

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"seed", required_argument, NULL, 's'},   {"count", required_argument, NULL, 'c'},
		{"output", required_argument, NULL, 'o'}, {"snaplen", required_argument, NULL, OPT_SNAPLEN},
		{"start-time", required_argument, NULL, OPT_START}, {"rate", required_argument, NULL, OPT_RATE},
		{"mix", required_argument, NULL, OPT_MIX}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	*o = (struct options){1, 10000, "-", 65535, 1700000000, 100000.0, MIX_DEFAULT, false};
	int c;
	opterr = 0; /* report errors ourselves, with the program's name rather than argv[0] */
	while ((c = getopt_long(argc, argv, ":s:c:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->seed = parse_uint("--seed", optarg, 0, UINT64_MAX); break;
		case 'c': o->count = parse_uint("--count", optarg, 0, UINT64_MAX); break;
		case 'o': o->out = optarg; break;
		case OPT_SNAPLEN: o->snaplen = (uint32_t)parse_uint("--snaplen", optarg, 16, MAX_SNAPLEN); break;
		case OPT_START: o->start = (uint32_t)parse_uint("--start-time", optarg, 0, UINT32_MAX); break;
		case OPT_RATE: o->rate = parse_rate(optarg); break;
		case OPT_MIX: o->mix = parse_mix(optarg); break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		case ':': usage_error("option '%s' needs an argument", argv[optind - 1]);
		default: usage_error("unrecognized option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
}

/* ------------------------------------------------------------------ main */

static bool to_stdout(void)
{
	return strcmp(G.o.out, "-") == 0;
}

static void open_output(void)
{
	FILE *fp = stdout;
	if (to_stdout() && isatty(STDOUT_FILENO))
		usage_error("refusing to write a binary pcap file to a terminal; use -o FILE or a pipe");
	if (!to_stdout() && !(fp = fopen(G.o.out, "wb")))
		die(EXIT_RUNTIME, "cannot open '%s': %s", G.o.out, strerror(errno));
	setvbuf(fp, NULL, _IOFBF, 1 << 20);
	pcap_t *pd = pcap_open_dead(DLT_EN10MB, (int)G.o.snaplen);
	if (!pd)
		die(EXIT_RUNTIME, "pcap_open_dead failed");
	G.dump = pcap_dump_fopen(pd, fp);
	if (!G.dump)
		die(EXIT_RUNTIME, "cannot write pcap header to '%s': %s", G.o.out, pcap_geterr(pd));
	pcap_close(pd); /* the dumper keeps what it needs */
}

static void close_output(void)
{
	FILE *fp = pcap_dump_file(G.dump);
	bool bad = fflush(fp) != 0 || ferror(fp);
	pcap_dump_close(G.dump);
	if (bad)
		die(EXIT_RUNTIME, "write error on '%s'", to_stdout() ? "<stdout>" : G.o.out);
}

int main(int argc, char **argv)
{
	parse_args(argc, argv, &G.o);
	rng_seed(G.o.seed);
	G.gap_ns = (uint64_t)(1e9 / G.o.rate + 0.5);
	G.jumbo_ok = G.o.snaplen >= JUMBO_FRAME;
	G.bytes = 24; /* pcap file header */
	fill_init();
	open_output();
	generate();
	close_output();
	if (!G.o.quiet)
		fprintf(stderr, "ffpf-gen: wrote %llu packets (%llu bytes) to %s\n", (unsigned long long)G.written,
		        (unsigned long long)G.bytes, to_stdout() ? "<stdout>" : G.o.out);
	return 0;
}
