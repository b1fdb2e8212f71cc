/* test_live_transfer.c — the transfer strategies of a live source (dev,transfer=...) through the
 * library: in a network namespace of its own, the test sends a generated trace over a veth pair
 * and captures it with `(dev) > (bpf,"tcp") > (export)` on a 4-block ring, so that the kernel
 * reuses ring blocks long before the exported packets are read.  It then reads them:
 *   copy-on-demand  every exported packet is intact (bytes equal to the trace) and `copied`
 *                   equals the packets exported — nothing else was copied;
 *   copy-once       every exported packet is intact, `copied` equals the packets captured;
 *   zero-copy       (the control) every exported packet is lost with its ring block.
 * Then a frame longer than a copy slot (the MTU is raised after the capture opened) is cut to
 * the slot and counted as slot_truncated, with both copying strategies.
 * Needs root and network namespaces; skipped (77) otherwise. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <ffpf/ffpf.h>
#include "testlib.h"

#define MAXPKT 4096
#define CHUNK 100 /* packets sent between captures: well below the veth backlog */
#define SLOT 1600 /* copy slot at MTU 1500: 1500 + 64 rounded up to 64 */

struct pkt {
	uint8_t *data;
	uint32_t len;
	int tcp;
};

static struct pkt trace[MAXPKT];
static unsigned ntrace;
static int tx = -1;

static int sh(const char *cmd)
{
	return system(cmd);
}

static void set_mtu(unsigned mtu)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "ip link set va mtu %u && ip link set vb mtu %u", mtu, mtu);
	CHECK(sh(cmd) == 0);
}

/* A namespace of our own with a veth pair va/vb, no IPv6 chatter; tx sends on vb.  0 or 77. */
static int setup_net(void)
{
	struct sockaddr_ll sll;
	int fd;

	if (geteuid() != 0)
		return puts("test_live_transfer: skipped: live tests need root"), 77;
	if (unshare(CLONE_NEWNET))
		return printf("test_live_transfer: skipped: the kernel refuses network namespaces (%s)\n",
			      strerror(errno)), 77;
	if ((fd = open("/proc/sys/net/ipv6/conf/default/disable_ipv6", O_WRONLY)) >= 0) {
		CHECK(write(fd, "1", 1) == 1);
		close(fd);
	}
	if (sh("ip link add va type veth peer name vb 2>/dev/null && ip link set va up && ip link set vb up"))
		return puts("test_live_transfer: skipped: cannot make a veth pair (ip, veth)"), 77;
	set_mtu(9500);
	tx = socket(AF_PACKET, SOCK_RAW, 0);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex("vb");
	CHECK(tx >= 0 && bind(tx, (struct sockaddr *)&sll, sizeof(sll)) == 0);
	return 0;
}

/* The trace's packets, and which are TCP (libpcap's own filter decides). */
static int load_trace(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct bpf_program prog;
	struct pcap_pkthdr *h;
	const u_char *d;

	if (!p || pcap_compile(p, &prog, "tcp", 1, PCAP_NETMASK_UNKNOWN))
		return fprintf(stderr, "%s: %s\n", path, p ? pcap_geterr(p) : err), -1;
	while (ntrace < MAXPKT && pcap_next_ex(p, &h, &d) == 1) {
		struct pkt *k = &trace[ntrace++];
		k->data = malloc(h->caplen);
		memcpy(k->data, d, h->caplen);
		k->len = h->caplen;
		k->tcp = pcap_offline_filter(&prog, h, d) != 0;
	}
	pcap_freecode(&prog);
	pcap_close(p);
	return 0;
}

static struct ffpf *start(const char *req)
{
	/* Everything in the host engine: every packet crosses the AF_PACKET ring to the host. */
	struct ffpf_opts o = {.sz = sizeof(o), .pbuf_slots = 2 * MAXPKT, .lowest = FFPF_LOWEST_HOST};
	struct ffpf *f = ffpf_create(&o);
	if (!f || ffpf_populate(f, req) || ffpf_instantiate(f) || ffpf_activate(f)) {
		fprintf(stderr, "start(%s): %s\n", req, f ? ffpf_errmsg(f) : "?");
		ffpf_close(f);
		return NULL;
	}
	return f;
}

/* Run until the sources have read `want` packets (or 5 s of idling), then once more while idle:
 * the last batch is done, so its ring blocks go back. */
static void capture(struct ffpf *f, uint64_t want)
{
	for (int idle = 0; ffpf_packets_read(f) < want && idle < 50; idle++)
		if (ffpf_step(f) < 0)
			break;
	CHECK_EQ_U(ffpf_packets_read(f), want);
	CHECK(ffpf_step(f) == 1);
}

static uint64_t u64(struct ffpf *f, const char *fn, const char *res)
{
	uint64_t v = UINT64_MAX;
	if (ffpf_result_u64(f, fn, res, &v))
		fprintf(stderr, "no result %s.%s\n", fn, res);
	return v;
}

static uint64_t slot_truncated(struct ffpf *f, const char *fn)
{
	const struct ffpf_fn_info *i = ffpf_fn_info(f, (unsigned)ffpf_fn_lookup(f, fn));
	return i ? i->drops[FFPF_DROP_SLOT_TRUNCATED] : UINT64_MAX;
}

/* Send the trace in chunks, capturing after each; then check what the export kept. */
static void run_strategy(const char *xfer)
{
	char req[256];
	struct ffpf *f;
	struct ffpf_packet p;
	uint64_t sent = 0, tcp = 0, pending;
	unsigned k = 0, bad = 0;

	snprintf(req, sizeof(req), "d:(dev,va,ring=4,transfer=%s) > (bpf,\"tcp\") > out:(export)", xfer);
	if (!(f = start(req))) {
		CHECK(!"flowgraph started");
		return;
	}
	for (unsigned i = 0; i < ntrace; i++) {
		CHECK(send(tx, trace[i].data, trace[i].len, 0) == (ssize_t)trace[i].len);
		sent++;
		tcp += trace[i].tcp;
		if (sent % CHUNK == 0 || i + 1 == ntrace)
			capture(f, sent);
	}
	pending = u64(f, "out", "pending");
	CHECK_EQ_U(u64(f, "out", "queued"), tcp);
	CHECK_EQ_U(u64(f, "d", "ring_full"), 0);
	if (!strcmp(xfer, "zero-copy")) { /* the control: the blocks did go back before reading */
		CHECK_EQ_U(pending, 0);
		CHECK_EQ_U(u64(f, "d", "copied"), 0);
		ffpf_close(f);
		return;
	}
	CHECK_EQ_U(pending, tcp);
	CHECK_EQ_U(u64(f, "d", "copied"), !strcmp(xfer, "copy-once") ? sent : tcp);
	for (uint64_t n = 0; n < pending && ffpf_export_next(f, "out", &p) == 1; n++) {
		while (k < ntrace && !trace[k].tcp)
			k++;
		if (k == ntrace || p.caplen != trace[k].len || p.wirelen != trace[k].len ||
		    memcmp(p.data, trace[k].data, p.caplen))
			bad++;
		k++;
	}
	printf("%s: %llu packets sent, %llu exported, %u differ from the trace\n", xfer,
	       (unsigned long long)sent, (unsigned long long)pending, bad);
	CHECK_EQ_U(bad, 0);
	CHECK_EQ_U(u64(f, "out", "delivered"), tcp);
	CHECK_EQ_U(u64(f, "out", "overrun"), 0);
	CHECK_EQ_U(slot_truncated(f, "d"), 0);
	ffpf_close(f);
}

/* Both copying strategies open at MTU 1500 (slots of 1600 bytes); the MTU is then raised and
 * one 3000-byte frame sent: each capture cuts it to the slot and counts it. */
static void run_truncation(void)
{
	uint8_t frame[3000];
	struct ffpf *f;
	struct ffpf_packet p;

	set_mtu(1500);
	f = start("once:(dev,va,transfer=copy-once) > a:(export);"
		  "demand:(dev,va,transfer=copy-on-demand) > b:(export)");
	if (!f) {
		CHECK(!"flowgraph started");
		return;
	}
	set_mtu(9000);
	for (unsigned i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7 + 1);
	memcpy(frame, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x88\xb5", 14); /* local experimental type */
	CHECK(send(tx, frame, sizeof(frame), 0) == (ssize_t)sizeof(frame));
	capture(f, 2); /* one per source */
	const char *src[2] = {"once", "demand"}, *exp[2] = {"a", "b"};
	for (int s = 0; s < 2; s++) {
		CHECK_EQ_U(slot_truncated(f, src[s]), 1);
		CHECK_EQ_U(u64(f, src[s], "copied"), 1);
		CHECK_EQ_U(u64(f, exp[s], "pending"), 1);
		CHECK(ffpf_export_next(f, exp[s], &p) == 1);
		CHECK_EQ_U(p.caplen, SLOT);
		CHECK_EQ_U(p.wirelen, sizeof(frame));
		CHECK(memcmp(p.data, frame, SLOT) == 0);
	}
	ffpf_close(f);
}

int main(void)
{
	char path[4096];
	int rc = setup_net();

	if (rc)
		return rc;
	alarm(120); /* a live run that never sees its packets fails instead of hanging */
	snprintf(path, sizeof(path), "%s/small.pcap", tl_trace_dir());
	CHECK(load_trace(path) == 0 && ntrace > 2 * CHUNK);
	if (ntrace <= 2 * CHUNK)
		return tl_done("test_live_transfer");
	run_strategy("copy-on-demand");
	run_strategy("copy-once");
	run_strategy("zero-copy");
	run_truncation();
	for (unsigned i = 0; i < ntrace; i++)
		free(trace[i].data);
	close(tx);
	return tl_done("test_live_transfer");
}
