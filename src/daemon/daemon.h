/* daemon.h — ffpfd: one process owns the sources and runs every application's requests as one
 * overlaid flowgraph per flowgroup (paper §IV-A, §VI-B, §VII; docs/daemon.md).
 *
 * Roadmap:
 *   ffpfd_open()   listen on the control socket (protocol: proto.h)
 *   ffpfd_run()    one thread: poll the socket, the applications and the sources; answer
 *                  requests between batches; run batches while packets wait
 *   ffpfd_close()  every application is told BYE, every function finishes, sockets go
 *
 * Flowgroups: an application belongs to the group of its uid, gid or pid, or to the one group
 * of all (ffpfd_opts.group_by), from its socket's peer credentials.  Each group has its own
 * flowgraph, sources and buffers: identical requests within a group share functions (overlay,
 * reference-counted), across groups they do not, so no process ever receives another group's
 * buffers.  A function whose last user leaves (BYE, exit, crash) is retired.
 */
#ifndef FFPF_DAEMON_DAEMON_H
#define FFPF_DAEMON_DAEMON_H

#include <signal.h>

enum ffpfd_group_by { FFPFD_BY_UID, FFPFD_BY_GID, FFPFD_BY_PID, FFPFD_BY_ALL };

struct ffpfd_opts {
	const char *socket;          /* control socket path */
	int group_by;                /* enum ffpfd_group_by */
	unsigned mode;               /* permissions of the socket file (e.g. 0666) */
	int mode_set;                /* mode is given (else 0666) */
	int verbose;                 /* log each request, not only connections and errors */
	unsigned max_apps;           /* applications at once (0: 256) */
	int allow_capture;           /* any user may capture on live devices (else root only) */
	int lowest;                  /* FFPF_LOWEST_KERNEL (socket filters) or FFPF_LOWEST_HOST */
	unsigned settle_ms;          /* after a request or a departure, compile the group's graph
	                              * when no other came for this long (at most 4x after the
	                              * first); trace files a request adds wait as long, so that
	                              * applications started together share one reading.  0: at once */
};

struct ffpfd;

/* Listen on opts->socket (a stale socket file there is replaced; a live daemon there is an
 * error).  NULL with a message in err. */
struct ffpfd *ffpfd_open(const struct ffpfd_opts *opts, char *err, size_t n);
/* Serve until *stop becomes non-zero (a signal handler sets it).  0, or -errno. */
int ffpfd_run(struct ffpfd *d, volatile sig_atomic_t *stop);
/* Say BYE to every application, finish every function, remove the socket file. */
void ffpfd_close(struct ffpfd *d);

/* Name of a group-by policy ("uid") and back (-1 if unknown). */
const char *ffpfd_group_by_name(int by);
int ffpfd_group_by_parse(const char *s);
#endif
