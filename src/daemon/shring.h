/* shring.h — packets from ffpfd to its applications: the rings both sides share.
 *
 * One ABI for both sides, in the flowgroup's arena (a memfd the daemon writes and applications
 * map read-only), offsets not pointers, every field written by the daemon only (d): a reader
 * keeps its position to itself, so a slow or dead reader costs the daemon nothing.
 *
 *   - Per source of the group, one copy of each packet an export keeps: the group's PBuf
 *     (struct ffpf_shpbuf: nslots metas and slots).  Two exports of the group that keep the
 *     same packet share its copy: one copy per flowgroup.
 *   - Per export function, its own queue (struct ffpf_shring: entries {seq, class, source}),
 *     found at the arena offset in the export's MBuf word 2.
 *
 * Writing a slot: meta.seq = FFPF_SH_BUSY, bytes, lengths, then meta.seq = seq (release).
 * Reading: take entries [pos, head) (head with acquire); more than nslots behind: the oldest
 * are lost (counted by the reader).  For an entry, read meta.seq, the bytes, meta.seq again:
 * unless both equal the entry's seq the slot was reused meanwhile: lost too. */
#ifndef FFPF_DAEMON_SHRING_H
#define FFPF_DAEMON_SHRING_H

#include <stdint.h>

#define FFPF_SH_MAGIC   0x53524646u /* "FFRS" */
#define FFPF_SH_VERSION 1u
#define FFPF_SH_MAX_SRC 8
#define FFPF_SH_BUSY    UINT64_MAX

struct ffpf_shmeta {           /* one PBuf slot */
	uint64_t seq;          /* (d) the packet's sequence number; FFPF_SH_BUSY while written */
	uint64_t ts_ns;        /* (d) */
	uint32_t caplen;       /* (d) bytes in the slot */
	uint32_t wirelen;      /* (d) */
};

struct ffpf_shpbuf {           /* the group's copy of one source's packets */
	uint64_t meta_off;     /* (d) arena offset of nslots struct ffpf_shmeta */
	uint64_t data_off;     /* (d) arena offset of nslots * slot_size bytes */
	uint32_t nslots;       /* (d) power of two */
	uint32_t slot_size;    /* (d) a longer packet is cut (caplen), its wirelen kept */
	int32_t linktype;      /* (d) DLT_* */
	uint32_t pad;
};

struct ffpf_shentry {          /* one packet in an export's queue */
	uint64_t seq;          /* (d) slot seq & (nslots - 1) of src's PBuf */
	uint32_t cls;          /* (d) 32-bit class */
	uint32_t src;          /* (d) index into ffpf_shring.src */
};

struct ffpf_shring {           /* an export's queue */
	uint32_t magic;        /* (d) FFPF_SH_MAGIC */
	uint32_t version;      /* (d) FFPF_SH_VERSION */
	uint32_t nslots;       /* (d) entries, power of two */
	uint32_t nsrc;         /* (d) sources (<= FFPF_SH_MAX_SRC) */
	uint64_t entries_off;  /* (d) arena offset of nslots struct ffpf_shentry */
	uint64_t head;         /* (d) entries written so far (store-release after the entries) */
	struct ffpf_shpbuf src[FFPF_SH_MAX_SRC]; /* (d) copies of what the sources' PBufs held */
};

struct ffpf_fn;
/* Daemon side (src/fn/export.c): the eventfd an export signals after each batch it queued
 * packets in, or -1 when the export is not shared. */
int ffpf_export_eventfd(const struct ffpf_fn *fn);
/* A retired source's copy in the group's arena (made by the exports that read it) goes back
 * to the arena (export.c). */
void ffpf_export_release_source(struct ffpf_fn *src);
#endif
