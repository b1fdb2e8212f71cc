/* class.h — the function-class API: how an expert adds a new kind of function to ffpf.
 *
 * A function class (paper §VI-A) is a descriptor: a name, the parameters it takes, the results it
 * exposes, and callbacks split by plane:
 *
 *   control plane  init()         parse/validate parameters, declare the MBuf size   (populate)
 *                  instantiate()  open files, compile, allocate                      (instantiate)
 *   data plane     run()          one call per batch over a selection vector; must not allocate
 *                  fill()         sources only: deliver the next batch of packets
 *   read-out       read()         typed results: integers, strings, tables (not raw bytes)
 *   teardown       finish()       end of input (flush, publish files); fini() frees
 *
 * Adding a class is one file under src/fn/ defining `const struct ffpf_class ffpf_fnclass_NAME`
 * plus one line `FFPF_CLASS(NAME)` in src/fn/classes.def.  Nothing else needs editing.
 *
 * Cost model: run() is called once per batch (up to FFPF_BATCH_MAX packets) with the indices of
 * the packets its inputs passed; it writes the indices it passes (and their 32-bit class) to out.
 * Packets it does not pass are counted as dropped with the class's drop reason, so every packet
 * that does not reach a reader is accounted for.
 */
#ifndef FFPF_CLASS_H
#define FFPF_CLASS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <ffpf/pkt.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Packets per batch: the unit of work of the engine (VPP's frame size). */
#define FFPF_BATCH_MAX 256

/** Reasons a packet does not go on; one X-macro so every drop has a name (VPP style). */
#define FFPF_FOREACH_DROP(_)                                                                     \
	_(REJECTED, "rejected", "the function decided not to pass the packet (e.g. filter mismatch)") \
	_(SAMPLED_OUT, "sampled_out", "not chosen by the sampler")                                    \
	_(OVER_LIMIT, "over_limit", "beyond the first N packets (head)")                              \
	_(READER_OVERRUN, "reader_overrun", "a reader fell behind: its oldest entries were overwritten") \
	_(WRITE_ERROR, "write_error", "the packet could not be written (disk full, I/O error)")     \
	_(SLOT_TRUNCATED, "slot_truncated", "the record was longer than a PBuf slot and was cut")   \
	_(RUNTIME_ERROR, "runtime_error", "the function hit a run-time error (e.g. FPL division by zero)") \
	_(RING_FULL, "ring_full", "the kernel's capture ring was full: lost before ffpf saw it")

enum ffpf_drop {
#define FFPF_DROP_ENUM(sym, name, help) FFPF_DROP_##sym,
	FFPF_FOREACH_DROP(FFPF_DROP_ENUM)
#undef FFPF_DROP_ENUM
	FFPF_DROP_MAX
};

struct ffpf_pbuf;

/** A batch of packets from one source.  Packets live in the source's PBuf (pbuf). */
struct ffpf_batch {
	unsigned n;                           /**< packets in the batch */
	int linktype;                         /**< DLT_* of every packet in the batch */
	unsigned cap;                         /**< sources: fill at most this many (<= FFPF_BATCH_MAX) */
	struct ffpf_pbuf *pbuf;               /**< PBuf holding the packets */
	struct ffpf_pkt pkt[FFPF_BATCH_MAX];  /**< the packets */
	uint64_t ts_ns[FFPF_BATCH_MAX];       /**< capture time, ns since the epoch */
	uint64_t seq[FFPF_BATCH_MAX];         /**< PBuf sequence number (slot = seq & mask) */
};

/** A selection vector: which packets of a batch are in a stream, and their classes. */
struct ffpf_sel {
	unsigned n;                    /**< entries used */
	uint16_t idx[FFPF_BATCH_MAX];  /**< indices into the batch, strictly ascending */
	uint32_t cls[FFPF_BATCH_MAX];  /**< 32-bit classification result, never 0 */
};

/** Pass every packet of in on unchanged (for functions that only observe). */
static inline unsigned ffpf_sel_pass_all(const struct ffpf_sel *in, struct ffpf_sel *out)
{
	memcpy(out->idx, in->idx, in->n * sizeof(in->idx[0]));
	memcpy(out->cls, in->cls, in->n * sizeof(in->cls[0]));
	return out->n = in->n;
}

/** Parameter types, checked by the framework before init() sees them. */
enum ffpf_ptype {
	FFPF_P_STR,  /**< any string */
	FFPF_P_U64,  /**< unsigned integer (decimal, 0x hex), range [min,max] */
	FFPF_P_BOOL, /**< true/false/yes/no/on/off/1/0 */
	FFPF_P_ENUM, /**< one of the '|'-separated choices */
};

/** One parameter of a class.  The first positional argument binds to params[0] (`expr`). */
struct ffpf_param {
	const char *name;    /**< key in key=value form */
	enum ffpf_ptype type;
	const char *def;     /**< default as text; NULL: the parameter is required */
	const char *help;    /**< one line for `ffpf classes` */
	const char *choices; /**< FFPF_P_ENUM: e.g. "det|random" */
	uint64_t min, max;   /**< FFPF_P_U64: accepted range (max 0 = no limit) */
};

/** Types of results a class exposes. */
enum ffpf_vtype {
	FFPF_V_U64,   /**< an integer (counter) */
	FFPF_V_STR,   /**< a string (e.g. a file name) */
	FFPF_V_TABLE, /**< rows of u64 cells with named columns */
};

/** Description of one result (the class's result schema). */
struct ffpf_result_desc {
	const char *name;
	enum ffpf_vtype type;
	const char *help;
	size_t mbuf_off; /**< FFPF_V_U64 without a read() callback: host-order u64 at this MBuf offset */
	unsigned flags;  /**< FFPF_R_* */
};

/** Result flags. */
enum {
	FFPF_R_SUM = 1u << 0, /**< a counter at mbuf_off: the values of several workers (one
	                       *   flowgraph per PACKET_FANOUT member) add up (ffpf_absorb()) */
};

/** A result value, as returned by read().  Strings and cells stay owned by the function. */
struct ffpf_value {
	enum ffpf_vtype type;
	uint64_t u64;
	const char *str;
	struct {
		unsigned ncols;
		const char *const *cols;
		size_t nrows;
		const uint64_t *cells; /**< nrows * ncols, row-major */
		int truncated;         /**< rows were left out: a served table larger than one
		                        *   daemon message (docs/protocol.md) */
	} table;
};

/** Class flags. */
enum {
	FFPF_CLASS_SOURCE = 1u << 0, /**< produces packets (fill()); takes no input */
	FFPF_CLASS_EBPF = 1u << 1,   /**< emit_c() also emits eBPF-safe C (FFPF_TARGET_XDP/SOCKET/TC):
	                              *   the function can run in the kernel and XDP flowspaces */
};

/** What a unit being emitted is compiled for (ffpf_emit_target()). */
enum ffpf_target {
	FFPF_TARGET_HOST,   /**< the host engine's fused unit (cc, dlopen) */
	FFPF_TARGET_XDP,    /**< an XDP program (clang -target bpf), one packet per call */
	FFPF_TARGET_SOCKET, /**< an eBPF socket filter on an AF_PACKET socket */
	FFPF_TARGET_TC,     /**< a tc program (tcx ingress and egress); reads packets as a
	                     *   socket filter does */
};

struct ffpf_fn;   /* a function: an instance of a class, owned by the framework */
struct ffpf_args; /* parsed, type-checked parameters of one function */
struct ffpf_emit; /* a C unit being generated (codegen) */

/** The class descriptor.  All callbacks except run() and fill() are control-plane only. */
struct ffpf_class {
	const char *name;            /**< canonical lower-case name */
	const char *const *aliases;  /**< NULL-terminated other names, or NULL */
	const char *summary;         /**< one line for `ffpf classes` */
	unsigned flags;              /**< FFPF_CLASS_* */
	const struct ffpf_param *params;
	unsigned nparams;
	const struct ffpf_result_desc *results;
	unsigned nresults;
	size_t priv_size;            /**< private state, zeroed, freed by the framework */
	enum ffpf_drop drop_reason;  /**< reason for the packets run() does not pass */

	/** Populate: validate arguments, ffpf_fn_set_mbuf() the state size.  0 or -errno with
	 *  ffpf_fn_error() saying what is wrong with which parameter. */
	int (*init)(struct ffpf_fn *fn, const struct ffpf_args *args);
	/** Instantiate: the MBuf exists and the input link type is known; open, compile, allocate. */
	int (*instantiate)(struct ffpf_fn *fn);
	/** Datapath: process in (indices of b), write passed indices+classes to out, return out->n. */
	unsigned (*run)(struct ffpf_fn *fn, const struct ffpf_batch *b, const struct ffpf_sel *in,
			struct ffpf_sel *out);
	/** Sources: put up to b->cap packets with timestamp <= until_ns into b (b->n).
	 *  Returns 1 if a batch was made, 0 at end of input, 2 if a live source has nothing now,
	 *  -errno on error (ffpf_fn_error()).  The previous batch is done when fill() is called. */
	int (*fill)(struct ffpf_fn *fn, struct ffpf_batch *b, uint64_t until_ns);
	/** Sources: timestamp of the next packet; 0 and *ts set, 1 at end of input, 2 if a live
	 *  source has nothing now, or -errno. */
	int (*peek)(struct ffpf_fn *fn, uint64_t *ts_ns);
	/** Live sources: a descriptor to poll() for input while every source is idle, or -1. */
	int (*poll_fd)(const struct ffpf_fn *fn);
	/** Sources: fraction of the input consumed so far, [0,1], or -1 if unknown. */
	double (*progress)(const struct ffpf_fn *fn);
	/** Typed read-out of result idx; NULL: u64 results come from mbuf_off. */
	int (*read)(const struct ffpf_fn *fn, unsigned idx, struct ffpf_value *v);
	/** End of input, all packets processed: flush and publish (e.g. rename a dump file). */
	int (*finish)(struct ffpf_fn *fn);
	/** Teardown; also called after a failed init/instantiate.  Must tolerate partial state. */
	void (*fini)(struct ffpf_fn *fn);

	/** Function-call semantics (paper §V-A, FPL's EXTERN): run this function on one packet in
	 *  the caller's memory context.  in points at call_in_words words of the caller's MBuf
	 *  (arguments), out at call_out_words words (results).  Returns the callee's verdict
	 *  (non-zero: match/pass).  Datapath: must not allocate.  NULL: not callable. */
	uint32_t (*call)(struct ffpf_fn *fn, const struct ffpf_pkt *pkt, const uint64_t *in,
			 uint64_t *out);
	unsigned call_in_words, call_out_words;

	/** Native code (paper §VI-B translators): emit C for this function's per-packet work into a
	 *  fused unit, after instantiate.  The statement emitted with ffpf_emit_body() runs for each
	 *  packet that reached the function, with these names in scope:
	 *    pkt  const struct ffpf_pkt *   the packet
	 *    D    const uint8_t *restrict   its bytes (pkt->data); read packets through D so that
	 *                                   the compiler can keep fields in registers
	 *    in   uint32_t                  the class it arrived with (non-zero)
	 *    out  uint32_t                  set it: 0 drops the packet, non-zero passes it with that class
	 *    M    unsigned char *           this function's MBuf
	 *    ERR  a statement that counts a run-time error (the packet is then dropped)
	 *  File-scope helpers go in with ffpf_emit_decl(), named with ffpf_emit_id() as prefix.
	 *  Update counters with ffpf_add64(p, v) / ffpf_fetch_add64(p, v) (returns the old value):
	 *  in eBPF units they are atomic, as several CPUs run the program at once.
	 *  eBPF units (ffpf_emit_target() != FFPF_TARGET_HOST; only for FFPF_CLASS_EBPF classes):
	 *  the verifier's C — no loops without a constant bound, no libc, no pointers into the
	 *  packet: D is not there; read bytes with FFPF_LOAD(off, buf, n), which is non-zero when
	 *  the bytes are not in the packet.  pkt has caplen and wirelen only.
	 *  Return 0, or -ENOTSUP to stay interpreted (the plan then says so).  NULL: interpreted. */
	int (*emit_c)(struct ffpf_fn *fn, struct ffpf_emit *e);
};

/** Codegen: append to the unit's file-scope declarations. */
void ffpf_emit_decl(struct ffpf_emit *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Codegen: append to this function's per-packet statement. */
void ffpf_emit_body(struct ffpf_emit *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Codegen: a pointer the emitted code can use as `X` (e.g. callees for FPL's EXTERN). */
void ffpf_emit_set_ctx(struct ffpf_emit *e, void *ctx);
/** Codegen: what the unit is compiled for (host engine, XDP program, socket filter). */
enum ffpf_target ffpf_emit_target(const struct ffpf_emit *e);
/** Codegen: a C identifier unique to this function in the unit (e.g. "f3"), for helper names. */
const char *ffpf_emit_id(const struct ffpf_emit *e);
/** Codegen: declare once per unit a block of file-scope text identified by key (e.g. a
 *  runtime library several functions share).  Returns 1 if added now, 0 if already there. */
int ffpf_emit_once(struct ffpf_emit *e, const char *key, const char *text);

/* ---- what a class may ask of its function ---------------------------------------------- */

/** Class-private state (priv_size bytes, zeroed at populate). */
void *ffpf_fn_priv(const struct ffpf_fn *fn);
/** The function's MBuf: persistent state, zeroed, allocated at instantiate (NULL before). */
uint8_t *ffpf_fn_mbuf(const struct ffpf_fn *fn);
/** Declare the MBuf size (init() only). */
void ffpf_fn_set_mbuf(struct ffpf_fn *fn, size_t bytes);
/** The function's parameters, as bound at populate (valid until teardown). */
const struct ffpf_args *ffpf_fn_args(const struct ffpf_fn *fn);
/** The function's instance name, e.g. "count#3" or its label. */
const char *ffpf_fn_name(const struct ffpf_fn *fn);
/** Link type (DLT_*) of the packets the function receives; valid from instantiate on. */
int ffpf_fn_linktype(const struct ffpf_fn *fn);
/** Largest caplen the function can receive (the inputs' snaplen); valid from instantiate on. */
uint32_t ffpf_fn_snaplen(const struct ffpf_fn *fn);
/** Count n packets dropped for reason (datapath-safe: one add). */
void ffpf_fn_drop(struct ffpf_fn *fn, enum ffpf_drop reason, uint64_t n);
/** Set the function's error message (control plane).  Returns -EINVAL for convenience. */
int ffpf_fn_error(struct ffpf_fn *fn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** The function's last error message (set by ffpf_fn_error()), "" if none. */
const char *ffpf_fn_errmsg(const struct ffpf_fn *fn);
/** Sources: the PBuf size the application asked for (ffpf_opts.pbuf_slots). */
unsigned ffpf_fn_pbuf_hint(const struct ffpf_fn *fn);
/** Whether the framework asked for interpreters only (--no-compile). */
int ffpf_fn_no_compile(const struct ffpf_fn *fn);

/** Sources: declare the PBuf geometry (instantiate() only); nslots (0: the default) is rounded
 *  up to 2^k; slot_size 0 asks for a zero-copy PBuf (packets stay in the source's memory);
 *  snaplen is the largest caplen the source delivers, linktype its DLT_*. */
int ffpf_fn_set_pbuf(struct ffpf_fn *fn, unsigned nslots, uint32_t slot_size, uint32_t snaplen,
		     int linktype);
/** Sources: the PBuf declared with ffpf_fn_set_pbuf(). */
struct ffpf_pbuf *ffpf_fn_pbuf(const struct ffpf_fn *fn);

/** A standalone function for a call site (FPL EXTERN): element is request-language text such as
 *  "(bpf,\"udp port 53\")"; it is bound, initialised and instantiated for packets of linktype,
 *  outside any flowgraph.  NULL with a message in err (what is wrong, naming the element).
 *  The function is the caller's: free it with ffpf_fn_destroy(). */
struct ffpf_fn *ffpf_fn_make(const char *element, int linktype, char *err, size_t errlen);
/** Free a function made by ffpf_fn_make(); NULL is fine. */
void ffpf_fn_destroy(struct ffpf_fn *fn);
/** The function's class. */
const struct ffpf_class *ffpf_fn_class(const struct ffpf_fn *fn);

/* ---- parameters ------------------------------------------------------------------------- */

/** Value of a string/enum parameter (default applied); NULL if absent and optional. */
const char *ffpf_arg_str(const struct ffpf_args *a, const char *name);
/** Value of an integer/bool parameter (default applied; range already checked). */
uint64_t ffpf_arg_u64(const struct ffpf_args *a, const char *name);
/** Whether the user gave the parameter explicitly. */
int ffpf_arg_given(const struct ffpf_args *a, const char *name);

#ifdef __cplusplus
}
#endif
#endif
