/* pkt.h — packets as functions see them, and bounds-checked accessors in network byte order.
 *
 * A packet is a view of captured bytes: data[0..caplen) is readable, wirelen is the length it had
 * on the wire.  Accessors never read outside data[0..caplen): a read past the captured length
 * yields 0, as in BPF and FPL (paper §III-C: buffers signal their byte order and accessors
 * convert; packet bytes are always big-endian here).
 */
#ifndef FFPF_PKT_H
#define FFPF_PKT_H

#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One packet of a batch.  Owned by the PBuf it lives in; valid for the batch's lifetime. */
struct ffpf_pkt {
	const uint8_t *data; /**< first captured byte */
	uint32_t caplen;     /**< bytes captured (readable) */
	uint32_t wirelen;    /**< bytes on the wire (>= caplen for honest traces) */
};

/** Byte at off, or 0 past the captured length. */
static inline uint32_t ffpf_pkt_u8(const struct ffpf_pkt *p, uint32_t off)
{
	return off < p->caplen ? p->data[off] : 0;
}

/** Big-endian 16-bit word at off, or 0 if any byte lies past the captured length. */
static inline uint32_t ffpf_pkt_u16(const struct ffpf_pkt *p, uint32_t off)
{
	if (off > p->caplen || p->caplen - off < 2)
		return 0;
	return (uint32_t)p->data[off] << 8 | p->data[off + 1];
}

/** Big-endian 32-bit word at off, or 0 if any byte lies past the captured length. */
static inline uint32_t ffpf_pkt_u32(const struct ffpf_pkt *p, uint32_t off)
{
	uint32_t v;
	if (off > p->caplen || p->caplen - off < 4)
		return 0;
	memcpy(&v, p->data + off, 4);
	return __builtin_bswap32(v);
}

#ifdef __cplusplus
}
#endif
#endif
