/* ffpfd.c — the ffpf daemon: owns the sources and runs the requests of every application as one
 * overlaid flowgraph per flowgroup (src/daemon/daemon.h; ffpfd(8)). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ffpf/ffpf.h>
#include "daemon/daemon.h"

#define DEFAULT_SOCKET "/run/ffpf/ffpfd.sock"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	g_stop = sig;
}

static void usage(FILE *out)
{
	fputs("usage: ffpfd [--socket PATH] [--group uid|gid|pid|all] [--mode OCTAL] [--allow-capture]\n"
	      "             [--lowest kernel|host] [--settle MS] [-v]\n"
	      "       ffpfd --help | --version\n\n"
	      "Serve ffpf applications: their requests run as one overlaid flowgraph per flowgroup.\n\n"
	      "  --socket PATH  control socket (default $FFPF_SOCKET, else " DEFAULT_SOCKET ")\n"
	      "  --group BY     flowgroups by uid (default), gid, pid, or one for all\n"
	      "  --mode OCTAL   permissions of the socket file (default 0666: any user may connect;\n"
	      "                 flowgroups keep users apart)\n"
	      "  --allow-capture  any user may capture on live devices (default: root only)\n"
	      "  --lowest L     kernel (default): functions of live devices run in each device's\n"
	      "                 tc program (no bound packet socket) where they can; host: all in the\n"
	      "                 daemon's engine\n"
	      "  --settle MS    compile a flowgroup's graph once no request or departure came for MS\n"
	      "                 milliseconds (default 150; at most 4 x MS after the first); a trace\n"
	      "                 file a request adds waits as long, so that applications started\n"
	      "                 together share one reading of it; 0: compile at once\n"
	      "  -v, --verbose  log every request, not only connections and errors\n\n"
	      "Applications find the daemon through $FFPF_SOCKET (or ffpf run --daemon PATH).\n"
	      "Logs go to standard error.  SIGINT, SIGTERM and SIGHUP stop it cleanly.  See ffpfd(8).\n",
	      out);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"socket", required_argument, NULL, 's'}, {"group", required_argument, NULL, 'g'},
		{"mode", required_argument, NULL, 'm'},   {"verbose", no_argument, NULL, 'v'},
		{"allow-capture", no_argument, NULL, 'a'}, {"lowest", required_argument, NULL, 'l'},
		{"settle", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *env = getenv("FFPF_SOCKET");
	struct ffpfd_opts o = {.socket = env && *env ? env : DEFAULT_SOCKET, .mode = 0666, .mode_set = 1,
			       .lowest = FFPF_LOWEST_KERNEL, .settle_ms = 150};
	struct ffpfd *d;
	char err[512], *end;
	int opt;

	while ((opt = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (opt) {
		case 's': o.socket = optarg; break;
		case 'g':
			if ((o.group_by = ffpfd_group_by_parse(optarg)) < 0) {
				fprintf(stderr, "ffpfd: --group wants uid, gid, pid or all, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'm':
			o.mode = (unsigned)strtoul(optarg, &end, 8);
			if (*end || !*optarg || o.mode > 0777) {
				fprintf(stderr, "ffpfd: --mode wants octal permissions such as 0660, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'v': o.verbose = 1; break;
		case 'a': o.allow_capture = 1; break;
		case 'l':
			if (strcmp(optarg, "kernel") && strcmp(optarg, "host")) {
				fprintf(stderr, "ffpfd: --lowest wants kernel or host, not '%s'\n", optarg);
				return 2;
			}
			o.lowest = strcmp(optarg, "kernel") ? FFPF_LOWEST_HOST : FFPF_LOWEST_KERNEL;
			break;
		case 'S': {
			unsigned long ms = strtoul(optarg, &end, 10);
			if (*end || !*optarg || *optarg == '-' || ms > 10000) {
				fprintf(stderr, "ffpfd: --settle wants milliseconds from 0 to 10000, not '%s'\n", optarg);
				return 2;
			}
			o.settle_ms = (unsigned)ms;
			break;
		}
		case 'h': usage(stdout); return 0;
		case 'V': printf("ffpfd %s\n", ffpf_version()); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ffpfd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	unsetenv("FFPF_SOCKET"); /* the daemon's own flowgraphs run here, not in a daemon */
	if (!(d = ffpfd_open(&o, err, sizeof(err)))) {
		fprintf(stderr, "ffpfd: %s\n", err);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);
	ffpfd_run(d, &g_stop);
	ffpfd_close(d);
	return 0;
}
