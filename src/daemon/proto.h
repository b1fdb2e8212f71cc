/* proto.h — the ffpfd control protocol: framing, encoding, decoding and transport of the
 * messages between applications and the daemon (docs/protocol.md is the reference).
 *
 * Transport: AF_UNIX SOCK_SEQPACKET, one message per datagram.  File descriptors (memfds of the
 * shared buffers, eventfds) travel with the message that announces them, as SCM_RIGHTS.
 *
 * Wire format, all integers little-endian:
 *
 *   header (16 bytes)  u32 magic = 0x46465044 ("FFPD" as a number; the bytes are "DPFF")
 *                      u16 version, u16 type, u32 payload length, u32 seq
 *   payload            the message's fields in order: u8 u16 u32 u64, and str = u32 length +
 *                      that many bytes (no NUL on the wire, none inside)
 *
 * The messages, their fields and fds are listed below (FFPF_FOREACH_MSG and the structs).
 *
 * Strictness: a receiver accepts exactly one encoding per message.  Short datagrams, bad magic,
 * versions it does not speak, unknown types, a length field that disagrees with the datagram,
 * oversize datagrams, a field that runs past the payload, bytes left after the last field,
 * strings over their limit or with a NUL inside, fds the message does not carry, and sequence
 * numbers that do not increase are all rejected, with a message saying what was expected and
 * what came.  Fds that came with a rejected message are closed.  A rejected message is consumed
 * and the connection stays usable (datagrams keep their boundaries): whether to answer with
 * ERROR and go on, or hang up, is the caller's decision.
 *
 * Memory: nothing is allocated per message.  A receiver owns a struct ffpf_proto_buf (~256 KiB:
 * the datagram and the decoded strings and arrays), usually one per thread, shared by all the
 * connections that thread serves; a decoded message points into it and is valid until the next
 * receive that uses the same buffer.  Sending encodes into a per-thread buffer.
 *
 * Errors: functions return 0 or a negative errno (and set errno), and fill err (a message
 * without a trailing newline) when one is given.
 */
#ifndef FFPF_DAEMON_PROTO_H
#define FFPF_DAEMON_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define FFPF_PROTO_MAGIC        0x46465044u /* "FFPD" */
#define FFPF_PROTO_VERSION      2u          /* the newest version this code speaks (2: RESULT
                                              * carries table results) */
#define FFPF_PROTO_VERSION_MIN  1u          /* the oldest version this code speaks */
#define FFPF_PROTO_HDR_SIZE     16u
#define FFPF_PROTO_MAX_PAYLOAD  65536u
#define FFPF_PROTO_MAX_MSG      (FFPF_PROTO_HDR_SIZE + FFPF_PROTO_MAX_PAYLOAD)
#define FFPF_PROTO_MAX_STR      16384u      /* bytes of a str field ... */
#define FFPF_PROTO_MAX_TEXT     (FFPF_PROTO_MAX_PAYLOAD - 4u) /* ... except STATUS_TEXT.text */
#define FFPF_PROTO_MAX_FDS      2u          /* the most fds a message carries (EXPORTING) */
/* Decoded strings and arrays of one message never need more than 3 bytes per payload byte
 * (static assertions in proto.c prove it for every element type). */
#define FFPF_PROTO_SCRATCH      (3u * FFPF_PROTO_MAX_PAYLOAD)

/* Who sends a message. */
enum ffpf_proto_role {
	FFPF_PROTO_ANY = 0,    /* (as a connection's role) accept messages from either side */
	FFPF_PROTO_APP = 1,    /* an application */
	FFPF_PROTO_DAEMON = 2, /* ffpfd */
	FFPF_PROTO_BOTH = 3,   /* (as a sender) either side may send it */
};

/* Every message: _(SYM, type number, sender, fds carried).  Numbers are part of the wire
 * format and are never reused.  Fields per message are in the structs below. */
#define FFPF_FOREACH_MSG(_)                                                                  \
	_(HELLO, 1, APP, 0)        /* first message of a connection: max_version, app_name */ \
	_(WELCOME, 2, DAEMON, 0)   /* HELLO accepted: version, app_id, group_id, group_name */ \
	_(POPULATE, 3, APP, 0)     /* a request: request text, origin */                       \
	_(POPULATED, 4, DAEMON, 1) /* the request's functions; fd: the MBuf arena memfd */     \
	_(ERROR, 5, DAEMON, 0)     /* a request failed (or HELLO refused): err, message */     \
	_(RESULTS, 6, APP, 0)      /* ask for a function's results: fn_id */                   \
	_(RESULT, 7, DAEMON, 0)    /* in, passed, drops, typed values of fn_id */              \
	_(EXPORT, 8, APP, 0)       /* ask for an export function's ring: fn_id */              \
	_(EXPORTING, 9, DAEMON, 2) /* fds: the arena memfd, the wake-up eventfd (shring.h) */ \
	_(STATUS, 10, APP, 0)      /* ask for the daemon's status: no fields */                \
	_(STATUS_TEXT, 11, DAEMON, 0) /* the status as JSON text */                            \
	_(BYE, 12, BOTH, 0)        /* the sender closes the connection: no fields */

enum ffpf_msg_type {
#define FFPF_MSG_ENUM(sym, num, from, nfds) FFPF_MSG_##sym = num,
	FFPF_FOREACH_MSG(FFPF_MSG_ENUM)
#undef FFPF_MSG_ENUM
	FFPF_MSG_MAX_TYPE = 12,
};

/* Strings: when encoding, NUL-terminated C strings (NULL is sent as ""); when decoding,
 * NUL-terminated copies in the receive buffer's scratch area (never NULL, no NUL inside, so
 * strlen() is the wire length).  Arrays likewise: the caller's when encoding, the scratch
 * area's when decoding. */

struct ffpf_msg_hello {          /* app → daemon; framed with the app's lowest version */
	uint32_t max_version;    /* the highest version the app speaks */
	const char *app_name;    /* for logs and status, e.g. "tcpdump[4711]" */
};

struct ffpf_msg_welcome {        /* daemon → app */
	uint32_t version;        /* the version both now speak (ffpf_proto_negotiate) */
	uint32_t app_id;         /* the daemon's number for this application */
	uint32_t group_id;       /* its flowgroup */
	const char *group_name;  /* e.g. "uid:1000" */
};

struct ffpf_msg_populate {       /* app → daemon */
	const char *request;     /* request-language text (at most FFPF_PROTO_MAX_STR bytes) */
	const char *origin;      /* names the text in error messages, e.g. a file name */
};

struct ffpf_proto_fn {           /* one function of a POPULATED */
	uint32_t fn_id;          /* the daemon's id, for RESULTS and EXPORT */
	const char *name;        /* e.g. "count#4" */
	const char *cls;         /* class name */
	const char *params;      /* canonical parameters */
	uint32_t flags;          /* defined by the daemon */
	uint64_t mbuf_off;       /* where its MBuf starts in the arena */
	uint64_t mbuf_size;      /* and how long it is */
	const char *inputs;      /* fn_ids of its inputs, comma-separated ("" for a source) */
};

struct ffpf_msg_populated {      /* daemon → app, with 1 fd: the group's MBuf arena (memfd),
				  * to be mapped read-only, arena_size bytes */
	uint32_t n;
	const struct ffpf_proto_fn *fns;
	uint64_t arena_size;
};

struct ffpf_msg_error {          /* daemon → app */
	uint32_t err;            /* a positive errno value */
	const char *message;     /* what went wrong, for a human */
};

struct ffpf_msg_fn {             /* RESULTS, EXPORT: app → daemon */
	uint32_t fn_id;
};

struct ffpf_proto_drop {         /* one drop reason of a RESULT */
	const char *reason;      /* a name of FFPF_FOREACH_DROP, e.g. "rejected" */
	uint64_t n;
};

enum { FFPF_PROTO_V_U64 = 0, FFPF_PROTO_V_STR = 1 }; /* = FFPF_V_U64, FFPF_V_STR */

struct ffpf_proto_value {        /* one typed result of a RESULT */
	const char *name;
	uint8_t type;            /* FFPF_PROTO_V_*: which member holds the value */
	union {
		uint64_t u64;
		const char *str;
	};
};

#define FFPF_RESULT_FINAL 1u     /* RESULT.flags: every source feeding it has ended: final */

#define FFPF_PROTO_MAX_COLS 16u  /* columns of a table result */
#define FFPF_TABLE_TRUNCATED 1u  /* ffpf_proto_table.flags: rows left out to fit the message */

struct ffpf_proto_table {        /* one table result of a RESULT (version 2 on) */
	const char *name;
	uint32_t ncols, nrows;   /* 1..FFPF_PROTO_MAX_COLS columns */
	const char *cols;        /* the column names, each followed by '\n' */
	uint32_t flags;          /* FFPF_TABLE_* */
};

struct ffpf_msg_result {         /* daemon → app */
	uint32_t fn_id;
	uint64_t in, passed;
	uint32_t flags;          /* FFPF_RESULT_* */
	uint32_t ndrops;
	const struct ffpf_proto_drop *drops;
	uint32_t nvalues;
	const struct ffpf_proto_value *values;
	uint32_t ntables;        /* version 2 on: the table results, whose rows x columns */
	const struct ffpf_proto_table *tables;
	uint32_t ncells;         /* cells follow one another in `cells`, row by row: ncells is */
	const uint64_t *cells;   /* the sum of nrows x ncols (checked when decoding) */
};

struct ffpf_msg_exporting {      /* daemon → app, with 2 fds: the flowgroup's arena (memfd, to be
				  * mapped read-only, ring_bytes long; the queue's header is at
				  * the offset in the export's MBuf word 2, see shring.h) and an
				  * eventfd signalled after each batch that queued packets;
				  * ring_slots and slot_size are 0: the geometry is in the header */
	uint32_t fn_id;
	uint32_t ring_slots;
	uint32_t slot_size;
	uint64_t ring_bytes;
};

struct ffpf_msg_status_text {    /* daemon → app */
	const char *text;        /* JSON, at most FFPF_PROTO_MAX_TEXT bytes */
};

/* One message.  STATUS and BYE have no fields. */
struct ffpf_msg {
	uint16_t type;           /* enum ffpf_msg_type */
	uint16_t version;        /* header version; 0 when encoding means FFPF_PROTO_VERSION */
	uint32_t seq;            /* from 1, strictly increasing per connection and direction */
	union {
		struct ffpf_msg_hello hello;
		struct ffpf_msg_welcome welcome;
		struct ffpf_msg_populate populate;
		struct ffpf_msg_populated populated;
		struct ffpf_msg_error error;
		struct ffpf_msg_fn results, export;
		struct ffpf_msg_result result;
		struct ffpf_msg_exporting exporting;
		struct ffpf_msg_status_text status_text;
	};
};

/* The receiver's buffers.  Large: allocate once, share between the connections a thread
 * serves. */
struct ffpf_proto_buf {
	uint8_t wire[FFPF_PROTO_MAX_MSG];
	_Alignas(16) uint8_t scratch[FFPF_PROTO_SCRATCH];
};

/* One end of a connection. */
struct ffpf_conn {
	struct ffpf_proto_buf *buf; /* the caller's; decoded messages point into it */
	uint8_t role;            /* enum ffpf_proto_role of this end: messages only the other side
				  * may send are accepted (FFPF_PROTO_ANY: all) */
	uint16_t version;        /* agreed version, 0 until then; set it after WELCOME */
	uint32_t rx_seq;         /* seq of the last message accepted (0: none yet) */
	uint32_t tx_seq;         /* seq of the last message sent (see ffpf_conn_next_seq) */
};

/* Name of a message type ("HELLO"), or "?" for a type that does not exist. */
const char *ffpf_msg_name(unsigned type);
/* Fds a message of this type carries (0 for unknown types). */
unsigned ffpf_msg_nfds(unsigned type);
/* Who sends it: FFPF_PROTO_APP, _DAEMON or _BOTH; FFPF_PROTO_ANY for unknown types. */
enum ffpf_proto_role ffpf_msg_sender(unsigned type);

/* Encode m (header and payload) into buf[cap]; *len gets the datagram's size.  The encoder
 * enforces what the decoder checks (string limits, array pointers, seq != 0).  0, or -EINVAL
 * (bad message) / -EMSGSIZE (over cap or FFPF_PROTO_MAX_PAYLOAD) with err filled. */
int ffpf_msg_encode(const struct ffpf_msg *m, uint8_t *buf, size_t cap, size_t *len, char *err,
		    size_t errlen);
/* Decode the datagram buf[len] into m: header checks (magic, version, type, length), then the
 * fields.  Strings and arrays are copied into scratch[scap] (FFPF_PROTO_SCRATCH is always
 * enough); m points there.  Connection checks (seq, direction, fds) are ffpf_proto_recv's.
 * 0, or -EPROTO with err filled (m's fields are then unspecified); -ENOBUFS if scap was too
 * small. */
int ffpf_msg_decode(const uint8_t *buf, size_t len, struct ffpf_msg *m, void *scratch,
		    size_t scap, char *err, size_t errlen);

/* Versions: the app frames HELLO with its lowest version (app_min) and states its highest
 * (max_version).  HELLO and ERROR keep their layout in every version, and a receiver takes them
 * in any version >= 1, so a refusal can always be read.  Returns the highest version both
 * speak (> 0), or -EPROTONOSUPPORT with err naming both ranges. */
int ffpf_proto_negotiate(uint32_t app_min, uint32_t app_max, char *err, size_t errlen);

/* Start a connection's state: buf is the caller's (see struct ffpf_proto_buf). */
void ffpf_conn_init(struct ffpf_conn *c, struct ffpf_proto_buf *buf, enum ffpf_proto_role role);
/* The seq for the next message sent on c. */
static inline uint32_t ffpf_conn_next_seq(struct ffpf_conn *c)
{
	return ++c->tx_seq;
}

/* Send m on socket fd with fds[nfds] attached; nfds must be ffpf_msg_nfds(m->type).  The fds
 * stay the caller's.  No SIGPIPE.  0; -EPIPE if the peer has gone; -EAGAIN if a non-blocking
 * socket is full (nothing sent); -EINVAL/-EMSGSIZE for a message that cannot be encoded; other
 * -errno from sendmsg.  err filled on failure. */
int ffpf_proto_send(int fd, const struct ffpf_msg *m, const int *fds, unsigned nfds, char *err,
		    size_t errlen);
/* Send the datagram p[len] as it is, with fds[nfds] (at most FFPF_PROTO_RAW_MAX_FDS), no
 * checks: what ffpf_proto_send does after encoding, and what tests and fuzzers use to send
 * what a well-behaved peer never would.  Returns as ffpf_proto_send. */
#define FFPF_PROTO_RAW_MAX_FDS 16u
int ffpf_proto_send_raw(int fd, const uint8_t *p, size_t len, const int *fds, unsigned nfds,
			char *err, size_t errlen);

/* Receive one message from socket fd into m, waiting up to timeout_ms (-1: forever; EINTR
 * does not shorten the wait).  Beyond decoding, checks the connection rules: seq greater than
 * c->rx_seq, version equal to c->version once agreed, a sender other than c->role, and exactly
 * ffpf_msg_nfds(type) fds, at most maxfds.  On success c->rx_seq = m->seq and fds[0..*nfds)
 * are the caller's (close-on-exec, in the message's order).  On any failure no fd is returned:
 * those that came are closed, *nfds = 0.
 * Returns 0; -ETIMEDOUT (nothing came); -EPIPE (the peer has gone: EOF or reset);
 * -EPROTO (the message broke the protocol; it is consumed, c is unchanged); other -errno. */
int ffpf_proto_recv(int fd, struct ffpf_conn *c, struct ffpf_msg *m, int *fds, unsigned maxfds,
		    unsigned *nfds, int timeout_ms, char *err, size_t errlen);

/* A listening socket at path (SOCK_SEQPACKET, close-on-exec, backlog 64).  The caller removes
 * a stale socket file first if it wants to (and the file when done).  fd >= 0, or -errno. */
int ffpf_proto_listen(const char *path, char *err, size_t errlen);
/* A socket connected to the daemon at path.  fd >= 0, or -errno (-ENOENT, -ECONNREFUSED: no
 * daemon there). */
int ffpf_proto_connect(const char *path, char *err, size_t errlen);
#endif
