/* test_fpl.c — FPL: lexer, parser and checker diagnostics (exact line:col), semantics on crafted
 * packets, the runtime text against rt.h, every program of tests/data/fpl run by the interpreter
 * and by the emitted C (cc + dlopen) over every trace with identical classes, errors and MBufs,
 * and the class `fpl` end to end through the library. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <ffpf/ffpf.h>
#include "fpl/fpl.h"
#include "testlib.h"

enum { QUICK_SHARED_FILES = 50, MAX_PRINTED = 12, MAX_PCAP = 4 };

/* ------------------------------------------------------------------ compile helpers */

static struct ffpf_fpl *compile_w(const char *src, unsigned words, struct ffpf_diag *d, int *rc)
{
	struct ffpf_fpl_opts o = {.mbuf_words = words, .origin = "t", .find_class = ffpf_class_find};
	struct ffpf_fpl *p = NULL;
	*rc = ffpf_fpl_compile(src, strlen(src), &o, &p, d);
	return p;
}

/* A valid program: it compiles (the diagnostic is printed if not). */
static struct ffpf_fpl *ok(const char *src)
{
	struct ffpf_diag d;
	int rc;
	struct ffpf_fpl *p = compile_w(src, 1024, &d, &rc);
	if (rc)
		fprintf(stderr, "unexpected error for [%s]:\n%s", src, d.text);
	CHECK(rc == 0 && p);
	return p;
}

/* An invalid program: error code, line:col, words of the message and of the whole rendering. */
static void bad_rc(const char *src, unsigned words, int rc, unsigned line, unsigned col,
		   const char *msg, const char *text)
{
	struct ffpf_diag d;
	char head[64];
	int got;
	struct ffpf_fpl *p = compile_w(src, words, &d, &got);

	CHECK(p == NULL);
	CHECK_EQ_U((unsigned)-got, (unsigned)-rc);
	CHECK_EQ_U(d.loc.line, line);
	CHECK_EQ_U(d.loc.col, col);
	tl_checks++;
	if (!strstr(d.msg, msg) || (text && !strstr(d.text, text))) {
		tl_failures++;
		fprintf(stderr, "for [%.60s] got:\n%s(wanted \"%s\" / \"%s\")\n", src, d.text, msg, text ? text : "");
	} else if (d.loc.line != line || d.loc.col != col) {
		fprintf(stderr, "for [%.60s] got %u:%u, wanted %u:%u\n", src, d.loc.line, d.loc.col, line, col);
	}
	snprintf(head, sizeof(head), "t:%u:%u: error: ", line, col);
	CHECK(strncmp(d.text, head, strlen(head)) == 0);
	ffpf_fpl_free(p);
}

static void bad(const char *src, unsigned line, unsigned col, const char *msg, const char *text)
{
	bad_rc(src, 1024, -EINVAL, line, col, msg, text);
}

/* ------------------------------------------------------------------ diagnostics */

static void test_valid(void)
{
	static const char *const progs[] = {
		"", "// nothing but a comment\n", "RETURN(1);", "RETURN 1;",
		"IF (PKT.IP_PROTO == PROTO_TCP && PKT.TCP_DPORT == 80) THEN\n  M[0]++;\n  RETURN(1);\nFI\nRETURN(0);\n",
		"IF (PKT.ETH_TYPE == ETH_IP) THEN\n  M[HASH(26, 4, 1024)]++;\nFI\nRETURN(1);\n",
		"R[1] = 0;\nFOR (R[0] = 0; R[0] < 64; R[0]++)\n  IF (PKT.B[PKT.PAYLOAD_OFF + R[0]] == 0x90) THEN R[1] = R[0] + 1; BREAK; FI\nROF\nRETURN(R[1]);\n",
		"IF (PKT.IP_PROTO == PROTO_TCP && PKT.TCP_DPORT == 80 && (PKT.TCP_FLAGS & TCP_SYN)) THEN RETURN(1); FI\n"
		"IF (PKT.IP_PROTO == PROTO_UDP && PKT.UDP_DPORT == 1434) THEN\n  EXTERN(bpf(\"udp[8] == 4\"), 0, 2);\n"
		"  IF (M[2] > 0) THEN RETURN(2); FI\nFI\nRETURN(0);\n",
		"R[0] = 10.0.0.1; R[1] = 0b1010; R[2] = 0xFFffFFffFFffFFff; R[3] = 18446744073709551615;",
		"M[0] <<= 3; M[1] >>= 2; M[2] ^= 1; M[3] |= 2; M[4] &= 3; M[5] *= 4; M[6] -= 5; M[7] /= 6; M[8] %= 7; M[9]--;",
		"FOR (R[0] = 0; R[0] <= 65535; R[0]++) ROF",
		"FOR (R[0] = 5; R[0] < 5; R[0]++) FOR (R[1] = 0; R[1] < 65536; R[1]++) ROF ROF",
		"FOR (R[0] = 0; R[0] < 256; R[0] += 1) FOR (R[1] = 0; R[1] < 256; R[1] += 1) ROF ROF",
		"FOR (R[0] = 18446744073709551610; R[0] < 18446744073709551615; R[0] += 1) ROF",
		"FOR (R[0] = 0; R[0] < 60000; R[0]++) ROF FOR (R[1] = 0; R[1] < 60000; R[1]++) ROF",
		"M[0] = EXTERN(count, 0, 1023) + EXTERN(bytes, 1023, 1022);",
		"M[0] = -+-~!R[0];",
		"IF R[0] THEN ELSE FI",
	};
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		ffpf_fpl_free(ok(progs[i]));
}

static void test_syntax_errors(void)
{
	bad("RETURN(1)", 1, 10, "expected ';', found end of program", NULL);
	bad("IF (R[0] == 1) THEN RETURN(1); ", 1, 32, "expected 'FI', found end of program", "the IF at 1:1 needs its FI");
	bad("M[0] = 1;\nIF (R[0]) THEN\n  M[1] = PKT.FOO;\nFI\n", 3, 14, "unknown packet field 'FOO'", NULL);
	bad("M[0] = PKT.IP_PROT;", 1, 12, "unknown packet field 'IP_PROT'", "did you mean PKT.IP_PROTO?");
	bad("M[0] = FOO;", 1, 8, "unknown name 'FOO'", NULL);
	bad("M[0] = PROTO_TPC;", 1, 8, "unknown name 'PROTO_TPC'", "did you mean PROTO_TCP?");
	bad("M[0] = IP_PROTO;", 1, 8, "unknown name 'IP_PROTO'", "PKT.IP_PROTO");
	bad("if (R[0]) THEN FI", 1, 1, "expected a statement, found name 'if'", "did you mean IF?");
	bad("{ M[0] = 1; }", 1, 1, "expected a statement, found '{'", "no braces");
	bad("R[0] = 1 R[1] = 2;", 1, 10, "expected ';' after the assignment, found name 'R'", NULL);
	bad("M[0] = (1 + 2;", 1, 14, "expected ')', found ';'", NULL);
	bad("ROF", 1, 1, "ROF without FOR", NULL);
	bad("IF 1 THEN FI FI", 1, 14, "FI without IF", NULL);
	bad("M[0] = 0x;", 1, 8, "number without digits", NULL);
	bad("M[0] = 99999999999999999999;", 1, 8, "number too large", NULL);
	bad("M[0] = 12ab;", 1, 8, "invalid number", NULL);
	bad("M[0] = 1.2.3;", 1, 8, "incomplete IPv4 address", NULL);
	bad("M[0] = 1.2.3.256;", 1, 8, "IPv4 address part 256 is above 255", NULL);
	bad("M[0] = \"abc\";", 1, 8, "expected an expression, found a string", NULL);
	bad("M[0] = \"abc;", 1, 8, "unterminated string", NULL);
	bad("M[0] = 1;\n\x01", 2, 1, "invalid byte 0x01 in program", NULL);
	bad("R[0] == 1;", 1, 6, "expected '=', a compound assignment", "'==' compares");
	bad("PKT.B[0] = 1;", 1, 1, "the packet is read-only", NULL);
	bad("M[0] = R[0] = 1;", 1, 13, "unexpected '=' inside an expression", NULL);
	bad("M[0] = R;", 1, 9, "expected '[' after R, found ';'", NULL);
	bad("M[0] = PKT.Q[1];", 1, 12, "unknown packet field 'Q'", NULL);
	bad("M[0] = PKT[1];", 1, 11, "expected '.' after PKT, found '['", NULL);
	bad("M[0] = HASH(1, 2);", 1, 17, "expected ',' after HASH's length, found ')'", NULL);
	bad("EXTERN(bpf(udp), 0, 1);", 1, 12, "expected the callee's parameters as a string", NULL);
	bad("M[0] = 1 @ 2;", 1, 10, "expected ';' after the assignment, found '@'", NULL);
	bad("M[0] = IF;", 1, 8, "expected an expression, found name 'IF'", NULL);
	bad("M[0] = \"\\q\";", 1, 10, "invalid escape in string", NULL);
	bad("BREAK;", 1, 1, "BREAK outside a loop", NULL);
	bad("FOR (R[0] = 0; R[0] < 2; R[0]++) ROF BREAK;", 1, 38, "BREAK outside a loop", NULL);
	bad("FOR (R[0] = 0; R[0] < 2; R[0]++) IF 1 THEN RETURN 1; ", 1, 54, "expected 'FI', found end", NULL);
	bad("FOR (R[0] = 0; R[0] < 2; R[0]++) M[0] = 1;", 1, 43, "expected 'ROF', found end", "the FOR at 1:1 needs its ROF");
}

static void test_check_errors(void)
{
	bad("R[16] = 1;", 1, 3, "register R[16] does not exist", "R[0] .. R[15]");
	bad("M[0] = R[8 * 2];", 1, 12, "register R[16] does not exist", NULL);
	bad("R[R[0]] = 1;", 1, 3, "register index is not a constant", NULL);
	bad("M[0] = 1 / 0;", 1, 10, "division by zero", NULL);
	bad("M[0] = R[1] % (2 - 2);", 1, 13, "modulo by zero", NULL);
	bad("R[0] /= 0;", 1, 6, "division by zero", NULL);
	bad("M[1] %= 3 - 3;", 1, 6, "modulo by zero", NULL);
	bad("M[0] = HASH(0, 4, 0);", 1, 19, "HASH modulo 0", NULL);
	bad("IF (0 && 1 / 0) THEN FI", 1, 12, "division by zero", NULL);
	bad("TX(1);", 1, 1, "TX is not available: the host flowspace has no output ports", "RETURN");
	bad("FOR (R[0] = 0; R[0] < PKT.LEN; R[0]++) ROF", 1, 21, "the loop's condition is not R[0] < constant", "FOR (R[i] = start");
	bad("FOR (R[0] = 0; R[1] < 10; R[0]++) ROF", 1, 21, "the loop's condition is not R[0] < constant", NULL);
	bad("FOR (R[0] = 0; R[0] != 10; R[0]++) ROF", 1, 21, "the loop's condition is not", NULL);
	bad("FOR (R[0] = 0; R[0] < 10; R[0]++) R[0] = 5; ROF", 1, 35, "R[0] cannot be assigned inside its loop", "counter of the FOR loop at 1:1");
	bad("FOR (R[0] = 0; R[0] < 10; R[0]++)\n  FOR (R[0] = 0; R[0] < 10; R[0]++) ROF\nROF", 2, 8, "R[0] cannot be assigned inside its loop", NULL);
	bad("FOR (R[0] = 0; R[0] < 10; R[0]++) IF 1 THEN R[0]--; FI ROF", 1, 45, "R[0] cannot be assigned", NULL);
	bad("FOR (R[0] = 0; R[0] < 100000; R[0]++) ROF", 1, 1, "loop runs more than 65536 times", NULL);
	bad("FOR (R[0] = 0; R[0] <= 65536; R[0]++) ROF", 1, 1, "loop runs more than 65536 times", NULL);
	bad("FOR (R[0] = 0; R[0] < 300; R[0]++) FOR (R[1] = 0; R[1] < 300; R[1]++) ROF ROF", 1, 36,
	    "loop runs 90000 times per packet with its enclosing loops", "multiplied");
	bad("FOR (R[0] = 0; R[0] < 60000; R[0]++) ROF\nFOR (R[1] = 0; R[1] < 60000; R[1]++) ROF\n"
	    "FOR (R[2] = 0; R[2] < 60000; R[2]++) ROF\nFOR (R[3] = 0; R[3] < 60000; R[3]++) ROF\n"
	    "FOR (R[4] = 0; R[4] < 60000; R[4]++) ROF\n", 5, 1, "the program's loops run up to 300000 times", "262144");
	bad("FOR (R[0] = 18446744073709551610; R[0] < 18446744073709551615; R[0] += 2) ROF", 1, 1,
	    "the loop counter would wrap around", NULL);
	bad("FOR (R[0] = 0; R[0] < 10; R[0] += 0) ROF", 1, 32, "the loop's step is not R[0]++", NULL);
	bad("FOR (R[0] = 0; R[0] < 10; R[0] -= 1) ROF", 1, 32, "the loop's step is not", NULL);
	bad("FOR (R[0] = 0; R[0] < 10; R[1]++) ROF", 1, 31, "the loop's step is not", NULL);
	bad("FOR (R[0] = 0; R[0] < 10; ) ROF", 1, 1, "the loop has no step", NULL);
	bad("FOR (R[0] = R[1]; R[0] < 10; R[0]++) ROF", 1, 13, "the loop's start is not a constant", NULL);
	bad("FOR (M[0] = 0; M[0] < 10; M[0]++) ROF", 1, 6, "a loop counts in a register", NULL);
	bad("FOR (R[0] = 18446744073709551614; R[0] <= 18446744073709551615; R[0]++) ROF", 1, 1,
	    "the loop counter would wrap around", NULL);
	bad("EXTERN(nosuch, 0, 1);", 1, 8, "unknown function class 'nosuch'", "bpf, count or bytes");
	bad("EXTERN(file(\"x.pcap\"), 0, 1);", 1, 8, "function class 'file' cannot be called from FPL", NULL);
	bad("EXTERN(bpf(\"udp\"), 0, 1024);", 1, 23, "bpf writes 1 word at M[1024], past the end of the MBuf", "1024 words");
	bad("EXTERN(bytes, 0, 1023);", 1, 18, "bytes writes 2 words at M[1023]", NULL);
	bad("EXTERN(count, R[0], 0);", 1, 15, "EXTERN's in offset is not a constant", NULL);
	bad("M[0] = EXTERN(count, 0, PKT.LEN);", 1, 25, "EXTERN's out offset is not a constant", NULL);
	bad_rc("EXTERN(count, 0, 4);", 4, -EINVAL, 1, 18, "count writes 1 word at M[4]", "4 words");
}

static void test_limits(void)
{
	char *big = malloc(FFPF_FPL_MAX_SRC + 2), *deep = malloc(1024);
	size_t n = 0;

	memset(big, ' ', FFPF_FPL_MAX_SRC + 1);
	big[FFPF_FPL_MAX_SRC + 1] = '\0';
	bad_rc(big, 1024, -E2BIG, 1, 1, "at most 65536", NULL);
	n += (size_t)sprintf(deep, "M[0] = ");
	for (int i = 0; i < 100; i++)
		deep[n++] = '(';
	deep[n++] = '1';
	for (int i = 0; i < 100; i++)
		deep[n++] = ')';
	strcpy(deep + n, ";");
	bad_rc(deep, 1024, -E2BIG, 1, 71, "nesting deeper than 64 levels", NULL);
	for (n = 0; n + 7 <= FFPF_FPL_MAX_SRC; n += 7) /* 9362 statements of 4 nodes: too many */
		memcpy(big + n, "M[0]=1;", 7);
	big[n] = '\0';
	bad_rc(big, 1024, -E2BIG, 1, 7 * 4096 + 1, "more than 16384 syntax nodes", NULL);
	bad_rc("M[0] = 1;", 1000, -EINVAL, 1, 1, "power of two", NULL);
	bad_rc("M[0] = 1;", 0, -EINVAL, 1, 1, "power of two", NULL);
	bad_rc("M[0] = 1;", 1u << 21, -EINVAL, 1, 1, "power of two", NULL);
	free(big);
	free(deep);
}

/* ------------------------------------------------------------------ semantics on crafted packets */

struct craft {
	uint8_t b[256];
	uint32_t caplen, wirelen;
	int linktype;
};

/* Bytes from hex text (blanks ignored); wire length = caplen unless wire is larger. */
static struct craft hex(int linktype, const char *s, uint32_t cut, uint32_t wire)
{
	struct craft c = {.linktype = linktype};
	unsigned v;
	for (; *s; s++) {
		if (*s == ' ')
			continue;
		sscanf(s, "%2x", &v);
		c.b[c.caplen++] = (uint8_t)v;
		s++;
	}
	c.wirelen = wire > c.caplen ? wire : c.caplen;
	if (cut && cut < c.caplen)
		c.caplen = cut;
	return c;
}

static struct ffpf_pkt view(const struct craft *c, uint8_t **copy)
{
	/* its own allocation of exactly caplen bytes, so ASan sees any read past it */
	*copy = malloc(c->caplen ? c->caplen : 1);
	memcpy(*copy, c->b, c->caplen);
	return (struct ffpf_pkt){*copy, c->caplen, c->wirelen};
}

static uint64_t mem[1024];

/* Run src once on c with a zeroed 1024-word MBuf (callees made for c's link type). */
static uint32_t run1(const char *src, const struct craft *c, int *err)
{
	struct ffpf_fpl_xctx x = {.linktype = c->linktype};
	char msg[512];
	uint8_t *copy;
	struct ffpf_pkt pkt = view(c, &copy);
	struct ffpf_fpl *p = ok(src);
	uint32_t cls = 0;

	memset(mem, 0, sizeof(mem));
	*err = -1;
	for (unsigned i = 0; p && i < ffpf_fpl_ncallees(p); i++) {
		x.callee[i].fn = ffpf_fn_make(ffpf_fpl_callee_element(p, i), c->linktype, msg, sizeof(msg));
		x.callee[i].call = x.callee[i].fn ? ffpf_fn_class(x.callee[i].fn)->call : NULL;
		x.ncallees = i + 1;
	}
	if (p)
		cls = ffpf_fpl_run(p, &pkt, mem, &x, err);
	for (unsigned i = 0; i < x.ncallees; i++)
		ffpf_fn_destroy(x.callee[i].fn);
	ffpf_fpl_free(p);
	free(copy);
	return cls;
}

static uint64_t field(const struct craft *c, const char *name)
{
	char src[80];
	int err;
	snprintf(src, sizeof(src), "M[0] = PKT.%s;", name);
	run1(src, c, &err);
	CHECK_EQ_U(err, 0);
	return mem[0];
}

/* "NAME=value NAME=value ...": every named field must have that value, all others 0. */
static void fields(const char *what, const struct craft *c, const char *expect)
{
	static const char *const all[] = {
		"LEN", "CAPLEN", "ETH_TYPE", "VLAN_ID", "L3_OFF", "IP_VER", "IP_HL", "IP_LEN", "IP_TTL",
		"IP_PROTO", "IP_FRAG", "IP_SRC", "IP_DST", "IP6_SRC_HI", "IP6_SRC_LO", "IP6_DST_HI",
		"IP6_DST_LO", "L4_OFF", "TCP_SPORT", "TCP_DPORT", "TCP_FLAGS", "UDP_SPORT", "UDP_DPORT",
		"ICMP_TYPE", "ICMP_CODE", "PAYLOAD_OFF", "PAYLOAD_LEN",
	};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		char key[32];
		const char *at;
		uint64_t want = 0, got = field(c, all[i]);
		snprintf(key, sizeof(key), " %s=", all[i]);
		if ((at = strstr(expect, key)))
			want = strtoull(at + strlen(key), NULL, 0);
		tl_checks++;
		if (got != want) {
			tl_failures++;
			fprintf(stderr, "%s: PKT.%s is %llu (0x%llx), expected %llu\n", what, all[i],
				(unsigned long long)got, (unsigned long long)got, (unsigned long long)want);
		}
	}
}

#define ETH "000000000001 000000000002 "
#define V6SRC "20010db8000000000000000000000001"
#define V6DST "20010db8000000000000000000000002"

#define TCP_OPTS ETH "0800 4600003d 12344000 40060000 0a000001 c0a80102 01010101" \
	" 30390050 00000001 00000000 8002ffff 00000000 010101010101010101010101 474554202f"

static struct craft pk_tcp_opts(void)
{
	return hex(1, TCP_OPTS, 0, 0);
}

/* Crafted packets and every field's value on them (fields not named are 0). */
static const struct {
	const char *what;
	int linktype;
	const char *hex;
	uint32_t cut, wire;
	const char *expect;
} crafts[] = {
	{"IPv4 options + TCP options", 1, TCP_OPTS, 0, 0,
	 " LEN=75 CAPLEN=75 ETH_TYPE=0x800 L3_OFF=14 IP_VER=4 IP_HL=24 IP_LEN=61 IP_TTL=64 IP_PROTO=6"
	 " IP_SRC=0x0a000001 IP_DST=0xc0a80102 L4_OFF=38 TCP_SPORT=12345 TCP_DPORT=80 TCP_FLAGS=2"
	 " PAYLOAD_OFF=70 PAYLOAD_LEN=5"},
	{"802.1Q + UDP, padded frame", 1,
	 ETH "8100 0064 0800 4500001e 00010000 80110000 0a000002 08080808 d4310035 000a0000 abcd"
	 "000000000000000000000000", 0, 0,
	 " LEN=60 CAPLEN=60 ETH_TYPE=0x800 VLAN_ID=100 L3_OFF=18 IP_VER=4 IP_HL=20 IP_LEN=30 IP_TTL=128"
	 " IP_PROTO=17 IP_SRC=0x0a000002 IP_DST=0x08080808 L4_OFF=38 UDP_SPORT=54321 UDP_DPORT=53"
	 " PAYLOAD_OFF=46 PAYLOAD_LEN=2"},
	{"QinQ + IPv6 hop-by-hop + routing + TCP", 1,
	 ETH "88a8 0007 8100 00c8 86dd 60000000 00340040 " V6SRC V6DST " 2b000104 00000000"
	 " 06020400 00000000 " V6DST " 00501f90 00000000 00000000 5012ffff 00000000", 0, 0,
	 " LEN=114 CAPLEN=114 ETH_TYPE=0x86dd VLAN_ID=7 L3_OFF=22 IP_VER=6 IP_HL=72 IP_LEN=92 IP_TTL=64"
	 " IP_PROTO=6 IP6_SRC_HI=0x20010db800000000 IP6_SRC_LO=1 IP6_DST_HI=0x20010db800000000"
	 " IP6_DST_LO=2 L4_OFF=94 TCP_SPORT=80 TCP_DPORT=8080 TCP_FLAGS=0x12 PAYLOAD_OFF=114"},
	{"IPv6 later fragment", 1,
	 ETH "86dd 60000000 0010 2c 40 " V6SRC V6DST " 110005c9 00000001 0102030405060708", 0, 0,
	 " LEN=70 CAPLEN=70 ETH_TYPE=0x86dd L3_OFF=14 IP_VER=6 IP_HL=48 IP_LEN=56 IP_TTL=64 IP_PROTO=17"
	 " IP_FRAG=2 IP6_SRC_HI=0x20010db800000000 IP6_SRC_LO=1 IP6_DST_HI=0x20010db800000000 IP6_DST_LO=2"},
	{"IPv6 first fragment, ICMPv6 echo", 1,
	 ETH "86dd 60000000 0014 2c 40 " V6SRC V6DST " 3a000001 00000001 80000000 00010001 61626364", 0, 0,
	 " LEN=74 CAPLEN=74 ETH_TYPE=0x86dd L3_OFF=14 IP_VER=6 IP_HL=48 IP_LEN=60 IP_TTL=64 IP_PROTO=58"
	 " IP_FRAG=1 IP6_SRC_HI=0x20010db800000000 IP6_SRC_LO=1 IP6_DST_HI=0x20010db800000000 IP6_DST_LO=2"
	 " L4_OFF=62 ICMP_TYPE=128 PAYLOAD_OFF=70 PAYLOAD_LEN=4"},
	{"IPv4 later fragment", 1,
	 ETH "0800 45000024 000100b9 40110000 0a000001 0a000002 0035003500100000 0102030405060708", 0, 0,
	 " LEN=50 CAPLEN=50 ETH_TYPE=0x800 L3_OFF=14 IP_VER=4 IP_HL=20 IP_LEN=36 IP_TTL=64 IP_PROTO=17"
	 " IP_FRAG=2 IP_SRC=0x0a000001 IP_DST=0x0a000002"},
	{"IPv4 first fragment", 1,
	 ETH "0800 45000024 00012000 40110000 0a000001 0a000002 0035003500100000 0102030405060708", 0, 0,
	 " LEN=50 CAPLEN=50 ETH_TYPE=0x800 L3_OFF=14 IP_VER=4 IP_HL=20 IP_LEN=36 IP_TTL=64 IP_PROTO=17"
	 " IP_FRAG=1 IP_SRC=0x0a000001 IP_DST=0x0a000002 L4_OFF=34 UDP_SPORT=53 UDP_DPORT=53"
	 " PAYLOAD_OFF=42 PAYLOAD_LEN=8"},
	{"IPv4 truncated inside the header", 1,
	 ETH "0800 45000028 00014000 40060000 0a000001 0a000002 30390050", 28, 60,
	 " LEN=60 CAPLEN=28 ETH_TYPE=0x800 L3_OFF=14 IP_VER=4 IP_HL=20 IP_LEN=40 IP_TTL=64 IP_PROTO=6"
	 " L4_OFF=34"},
	{"ARP", 1,
	 "ffffffffffff 000000000002 0806 0001 0800 0604 0001 000000000002 0a000001 000000000000 0a000002", 0, 0,
	 " LEN=42 CAPLEN=42 ETH_TYPE=0x806 L3_OFF=14"},
	{"802.3 length frame", 1, ETH "0026 424203000000000000", 0, 0,
	 " LEN=23 CAPLEN=23"},
	{"EtherType IPv4, version 6 inside", 1,
	 ETH "0800 65000028 00014000 40060000 0a000001 0a000002", 0, 0,
	 " LEN=34 CAPLEN=34 ETH_TYPE=0x800 L3_OFF=14"},
	{"nothing captured", 1, "", 0, 60,
	 " LEN=60"},
	{"raw IPv4", 12, "4500001c 00010000 40110000 0a000001 0a000002 00430044 00080000", 0, 0,
	 " LEN=28 CAPLEN=28 ETH_TYPE=0x800 IP_VER=4 IP_HL=20 IP_LEN=28 IP_TTL=64"
	 " IP_PROTO=17 IP_SRC=0x0a000001 IP_DST=0x0a000002 L4_OFF=20 UDP_SPORT=67 UDP_DPORT=68 PAYLOAD_OFF=28"},
	{"Linux SLL IPv6 UDP", 113,
	 "0000 0001 0006 000000000002 0000 86dd 60000000 000a1120 " V6SRC V6DST " 0035d431 000a0000 6162", 0, 0,
	 " LEN=66 CAPLEN=66 ETH_TYPE=0x86dd L3_OFF=16 IP_VER=6 IP_HL=40 IP_LEN=50"
	 " IP_TTL=32 IP_PROTO=17 IP6_SRC_HI=0x20010db800000000 IP6_SRC_LO=1 IP6_DST_HI=0x20010db800000000"
	 " IP6_DST_LO=2 L4_OFF=56 UDP_SPORT=53 UDP_DPORT=54321 PAYLOAD_OFF=64 PAYLOAD_LEN=2"},
	{"unknown link type", 147,
	 "4500001c 00010000 40110000 0a000001 0a000002 00430044 00080000", 0, 0,
	 " LEN=28 CAPLEN=28"},
};

#define NCRAFTS (sizeof(crafts) / sizeof(crafts[0]))

static struct craft craft(size_t i)
{
	return hex(crafts[i].linktype, crafts[i].hex, crafts[i].cut, crafts[i].wire);
}

static void test_fields(void)
{
	for (size_t i = 0; i < NCRAFTS; i++) {
		struct craft c = craft(i);
		fields(crafts[i].what, &c, crafts[i].expect);
	}
}

/* 64-bit FNV-1a, independently of rt.h. */
static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static void expect_run(const char *src, const struct craft *c, uint32_t cls, int err)
{
	int got_err;
	uint32_t got = run1(src, c, &got_err);
	tl_checks++;
	if (got != cls || got_err != err) {
		tl_failures++;
		fprintf(stderr, "[%s]: class %u err %d, expected class %u err %d\n", src, got, got_err, cls, err);
	}
}

static void test_semantics(void)
{
	struct craft c = pk_tcp_opts();
	int err;

	expect_run("", &c, 0, 0);
	expect_run("M[0] = 1;", &c, 0, 0);
	expect_run("RETURN(0x100000001);", &c, 1, 0);
	expect_run("R[0] = 0x100000000; RETURN(R[0]);", &c, 0, 0);
	expect_run("RETURN(1 << 64);", &c, 0, 0);
	expect_run("R[0] = 64; RETURN((1 << R[0]) + (~0 >> R[0]) + 1);", &c, 1, 0);
	expect_run("R[0] = 63; RETURN((1 << R[0]) >> 62);", &c, 2, 0);
	expect_run("RETURN(-1 == 18446744073709551615 && 0 - 1 > 5 && !0 == 1 && !7 == 0);", &c, 1, 0);
	expect_run("RETURN(7 / 2 + 7 % 2 * 10 + (2 - 3) * 0 + (3 ^ 5) * 100);", &c, 613, 0);
	expect_run("RETURN(1 + 2 * 3 << 1 == 14 & 1 | 0);", &c, 1, 0);
	expect_run("RETURN(10.0.0.1 == PKT.IP_SRC && 192.168.1.2 == PKT.IP_DST);", &c, 1, 0);
	expect_run("RETURN(PKT.DW[PKT.PAYLOAD_OFF] == 0x47455420);", &c, 1, 0);
	expect_run("RETURN(PKT.B[75] + PKT.W[74] + PKT.DW[72] + PKT.B[1 << 40] + PKT.B[0 - 1]);", &c, 0, 0);
	expect_run("R[0] = 74; RETURN(PKT.B[R[0]] + PKT.W[R[0] - 1] + PKT.DW[71]);", &c, 0x2f + 0x202f + 0x4554202f, 0);
	expect_run("M[0] = 7; M[1] = 1 / R[0]; M[2] = 9;", &c, 0, FFPF_FPL_EDIV);
	CHECK(mem[0] == 7 && mem[1] == 0 && mem[2] == 0);
	expect_run("R[0] = 3; M[5] = R[0] % R[1];", &c, 0, FFPF_FPL_EMOD);
	expect_run("M[0] %= R[1];", &c, 0, FFPF_FPL_EMOD);
	expect_run("R[1] /= R[2];", &c, 0, FFPF_FPL_EDIV);
	expect_run("RETURN(HASH(0, 4, R[0]));", &c, 0, FFPF_FPL_EHASH);
	expect_run("IF (R[0] && 1 / R[0]) THEN RETURN(1); FI RETURN(2);", &c, 2, 0);
	expect_run("RETURN(1 || 1 / R[0]);", &c, 1, 0);
	expect_run("R[1] = 1; RETURN(R[1] || 1 / R[0]);", &c, 1, 0);
	expect_run("RETURN(R[1] || 1 / R[0]);", &c, 0, FFPF_FPL_EDIV);
	expect_run("RETURN(5 && 7);", &c, 1, 0);
	run1("R[0] = HASH(14, 4, 1000003); M[0] = R[0]; M[1] = HASH(0, 0, 10); M[2] = HASH(70, 100, 0xffffffffffffffff);", &c, &err);
	CHECK_EQ_U(mem[0], fnv(c.b + 14, 4) % 1000003);
	CHECK_EQ_U(mem[1], fnv(c.b, 0) % 10);
	CHECK_EQ_U(mem[2], fnv(c.b + 70, 5) % 0xffffffffffffffffull);
	run1("M[1025] = 3; M[0 - 1] = 4; M[2048 + 7] += 5;", &c, &err);
	CHECK(mem[1] == 3 && mem[1023] == 4 && mem[7] == 5);
	run1("R[1] = 0; FOR (R[0] = 0; R[0] < 64; R[0]++) IF (PKT.B[PKT.PAYLOAD_OFF + R[0]] == 0x2f) THEN R[1] = R[0] + 1; BREAK; FI ROF M[0] = R[1]; M[1] = R[0];", &c, &err);
	CHECK(mem[0] == 5 && mem[1] == 4);
	run1("FOR (R[0] = 0; R[0] < 10; R[0]++) FOR (R[1] = 0; R[1] < 10; R[1]++) IF (R[1] == R[0]) THEN BREAK; FI M[0]++; ROF M[1]++; ROF M[2] = R[0];", &c, &err);
	CHECK(mem[0] == 45 && mem[1] == 10 && mem[2] == 10);
	run1("FOR (R[0] = 3; R[0] <= 20; R[0] += 4) M[R[0]] = 1; ROF M[0] = R[0];", &c, &err);
	CHECK(mem[3] && mem[7] && mem[11] && mem[15] && mem[19] && !mem[4] && mem[0] == 23);
	run1("M[0] = EXTERN(count, 0, 1); M[2] = EXTERN(bytes, 0, 3); M[5] = EXTERN(bpf(\"tcp dst port 80\"), 0, 6);"
	     "M[7] = EXTERN(bpf(\"udp\"), 0, 8);", &c, &err);
	CHECK(mem[0] == 1 && mem[1] == 1 && mem[2] == 1 && mem[3] == 75 && mem[4] == 75);
	CHECK(mem[5] == 1 && mem[6] == 1 && mem[7] == 0 && mem[8] == 0 && err == 0);
	run1("M[4] = 10; M[4] += EXTERN(count, 0, 4); M[5] = M[5] * 2 + EXTERN(count, 0, 5);", &c, &err);
	CHECK(mem[4] == 11 && mem[5] == 1); /* the old value is read before the call runs */
}

/* A program with EXTERN but no callee in its context: a run-time error, not a crash. */
static void test_unbound_callee(void)
{
	struct ffpf_fpl *p = ok("M[0] = 1; EXTERN(count, 0, 1); M[2] = 1;");
	struct ffpf_fpl_xctx x = {.linktype = 1};
	struct craft c = pk_tcp_opts();
	struct ffpf_pkt pkt = {c.b, c.caplen, c.wirelen};
	int err;

	memset(mem, 0, sizeof(mem));
	CHECK_EQ_U(ffpf_fpl_run(p, &pkt, mem, &x, &err), 0);
	CHECK_EQ_U(err, FFPF_FPL_ECALL);
	CHECK(mem[0] == 1 && mem[2] == 0);
	CHECK(strstr(ffpf_fpl_strerror(err), "callee") != NULL);
	CHECK_EQ_U(ffpf_fpl_ncallees(p), 1);
	CHECK_STR(ffpf_fpl_callee_element(p, 0), "(count)");
	ffpf_fpl_free(p);
	p = ok("EXTERN(bpf(\"udp \\\"x\\\"\"), 0, 1); EXTERN(bpf(\"udp \\\"x\\\"\"), 0, 2); EXTERN(count, 0, 3);");
	CHECK_EQ_U(ffpf_fpl_ncallees(p), 2);
	CHECK_STR(ffpf_fpl_callee_element(p, 0), "(bpf,\"udp \\\"x\\\"\")");
	ffpf_fpl_free(p);
}

/* The runtime text given to generated code is rt.h, byte for byte. */
static void test_runtime_text(void)
{
	const char *data = getenv("FFPF_TEST_DATA");
	char path[4096];
	FILE *f;
	char *buf = malloc(1 << 20);
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/../../src/fpl/rt.h", data ? data : "tests/data");
	f = fopen(path, "rb");
	CHECK(f != NULL);
	if (f) {
		n = fread(buf, 1, (1 << 20) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	tl_checks++;
	if (strcmp(buf, ffpf_fpl_runtime_c()) != 0) {
		tl_failures++;
		fprintf(stderr, "src/fpl/rt_text.inc is stale: regenerate it with\n  cmake -DIN=src/fpl/rt.h "
			"-DOUT=src/fpl/rt_text.inc -P src/fpl/rt_text.cmake\n");
	}
	free(buf);
}

/* ------------------------------------------------------------------ programs: interpreter vs C */

typedef uint32_t (*native_fn)(const struct ffpf_pkt *, uint64_t *, const struct ffpf_fpl_xctx *, int *);

struct prog {
	char name[64];
	unsigned words;
	struct ffpf_fpl *p;
	native_fn native;
	char *pcap[MAX_PCAP];  /* on generated traces: class != 0 iff one of these matches */
	unsigned npcap;
	char expect[64];       /* " errors>0", " errors=0", " passed>0": over the generated traces */
	uint64_t passed, errors, pcap_mismatch, runs, skipped;
	uint64_t *mi, *mn;     /* the interpreter's and the native code's MBuf */
};

struct trace {
	const char *path;
	pcap_t *handle;        /* kept open: pcap_compile needs its link type */
	int linktype, generated;
	struct ffpf_pkt *pkt;  /* each packet in its own allocation of exactly caplen bytes */
	struct pcap_pkthdr *hdr;
	size_t n, cap;
};

static struct {
	struct prog *v;
	size_t n;
	void *so;
	unsigned long files, packets, comparisons, mismatches, printed;
} P;

static void directive(struct prog *pr, const char *line)
{
	if (!strncmp(line, "// mbuf:", 8))
		pr->words = (unsigned)strtoul(line + 8, NULL, 0);
	else if (!strncmp(line, "// pcap:", 8) && pr->npcap < MAX_PCAP)
		pr->pcap[pr->npcap++] = strndup(line + 9, strcspn(line + 9, "\n"));
	else if (!strncmp(line, "// expect:", 10) && strlen(pr->expect) + 16 < sizeof(pr->expect))
		snprintf(pr->expect + strlen(pr->expect), 16, " %.*s", (int)strcspn(line + 11, "\n"), line + 11);
}

static int load_prog(const char *dir, const char *file, struct prog *pr)
{
	char path[4096], *src = malloc(FFPF_FPL_MAX_SRC + 1);
	struct ffpf_fpl_opts o = {.origin = file, .find_class = ffpf_class_find};
	struct ffpf_diag d;
	size_t len;
	FILE *f;

	memset(pr, 0, sizeof(*pr));
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return free(src), -1;
	snprintf(pr->name, sizeof(pr->name), "%s", file);
	pr->words = 1024;
	if (!(f = fopen(path, "rb")))
		return free(src), -1;
	len = fread(src, 1, FFPF_FPL_MAX_SRC, f);
	fclose(f);
	src[len] = '\0';
	for (const char *l = src; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		directive(pr, l);
	o.mbuf_words = pr->words;
	if (ffpf_fpl_compile(src, len, &o, &pr->p, &d))
		fprintf(stderr, "%s does not compile:\n%s", path, d.text);
	free(src);
	pr->mi = calloc(pr->words, 8);
	pr->mn = calloc(pr->words, 8);
	return pr->p ? 0 : -1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void load_progs(void)
{
	const char *data = getenv("FFPF_TEST_DATA");
	char dir[4096];
	struct dirent **ents;
	int n;

	snprintf(dir, sizeof(dir), "%s/fpl", data ? data : "tests/data");
	n = scandir(dir, &ents, NULL, by_name);
	P.v = calloc(n > 0 ? (size_t)n : 1, sizeof(*P.v));
	for (int i = 0; i < n; i++) {
		size_t l = strlen(ents[i]->d_name);
		if (l > 4 && !strcmp(ents[i]->d_name + l - 4, ".fpl"))
			CHECK(load_prog(dir, ents[i]->d_name, &P.v[P.n++]) == 0);
		free(ents[i]);
	}
	free(ents);
	printf("programs: %zu in %s\n", P.n, dir);
	CHECK(P.n >= 30);
}

/* Every program as C in one file, compiled with the system cc and loaded. */
static int build_native(void)
{
	char dir[] = "/tmp/test_fpl.XXXXXX", csrc[512], so[512], cmd[1400];
	struct strbuf sb = {0};
	FILE *f;
	int rc;

	if (!mkdtemp(dir))
		return -1;
	sb_puts(&sb, "#include <stdint.h>\n#include <string.h>\n");
	sb_puts(&sb, ffpf_fpl_runtime_c());
	for (size_t i = 0; i < P.n; i++) {
		char fn[32];
		snprintf(fn, sizeof(fn), "prog%zu", i);
		sb_printf(&sb, "/* %s */\n", P.v[i].name);
		if (P.v[i].p)
			CHECK(ffpf_fpl_emit_c(P.v[i].p, fn, &sb) == 0);
		else
			sb_printf(&sb, "static uint32_t %s(const struct ffpf_pkt *pkt, uint64_t *M, const struct ffpf_fpl_xctx *x, int *err) { (void)pkt, (void)M, (void)x; *err = 0; return 0; }\n", fn);
	}
	sb_puts(&sb, "typedef uint32_t (*fpl_fn)(const struct ffpf_pkt *, uint64_t *, const struct ffpf_fpl_xctx *, int *);\n");
	sb_printf(&sb, "const fpl_fn fpl_table[%zu] = {", P.n);
	for (size_t i = 0; i < P.n; i++)
		sb_printf(&sb, "%sprog%zu", i ? ", " : "", i);
	sb_puts(&sb, "};\n");
	snprintf(csrc, sizeof(csrc), "%s/progs.c", dir);
	snprintf(so, sizeof(so), "%s/progs.so", dir);
	f = fopen(csrc, "w");
	fputs(sb.s, f);
	fclose(f);
	sb_free(&sb);
	/* Odd programs can draw harmless warnings (0 <= x is always true), so only real errors fail. */
	snprintf(cmd, sizeof(cmd), "cc -std=c17 -O2 -shared -fPIC -Wall -Werror=implicit-function-declaration "
		 "-Werror=incompatible-pointer-types -Werror=int-conversion -o %s %s", so, csrc);
	rc = system(cmd);
	P.so = rc ? NULL : dlopen(so, RTLD_NOW | RTLD_LOCAL);
	unlink(so);
	unlink(csrc);
	rmdir(dir);
	if (rc) {
		printf("note: `%s` failed (%d): emitted code not tested\n", cmd, rc);
		return WEXITSTATUS(rc) == 127 ? 1 : -1; /* 127: no cc on this system */
	}
	if (!P.so)
		return printf("dlopen: %s\n", dlerror()), -1;
	native_fn *table = (native_fn *)dlsym(P.so, "fpl_table");
	for (size_t i = 0; table && i < P.n; i++)
		P.v[i].native = table[i];
	return table ? 0 : -1;
}

static void add_packet(struct trace *t, const struct pcap_pkthdr *h, const uint8_t *bytes)
{
	uint8_t *copy;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->pkt = realloc(t->pkt, t->cap * sizeof(*t->pkt));
		t->hdr = realloc(t->hdr, t->cap * sizeof(*t->hdr));
	}
	copy = malloc(h->caplen ? h->caplen : 1);
	memcpy(copy, bytes, h->caplen);
	t->hdr[t->n] = *h;
	t->pkt[t->n++] = (struct ffpf_pkt){copy, h->caplen, h->len};
}

static int load_trace(const char *path, struct trace *t)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;

	memset(t, 0, sizeof(*t));
	t->path = path;
	if (!(t->handle = pcap_open_offline(path, errbuf)))
		return -1;
	t->linktype = pcap_datalink(t->handle);
	while (pcap_next_ex(t->handle, &h, &bytes) == 1)
		add_packet(t, h, bytes);
	return 0;
}

static void free_trace(struct trace *t)
{
	for (size_t i = 0; i < t->n; i++)
		free((void *)t->pkt[i].data);
	free(t->pkt);
	free(t->hdr);
	if (t->handle)
		pcap_close(t->handle);
}

/* Callees of pr for t's link type; 0, or -1 if one cannot be made (e.g. bpf on USB). */
static int bind_callees(const struct prog *pr, const struct trace *t, struct ffpf_fpl_xctx *x)
{
	char err[768];
	memset(x, 0, sizeof(*x));
	x->linktype = t->linktype;
	for (unsigned i = 0; i < ffpf_fpl_ncallees(pr->p); i++) {
		struct ffpf_fn *fn = ffpf_fn_make(ffpf_fpl_callee_element(pr->p, i), t->linktype, err, sizeof(err));
		if (!fn)
			return -1;
		x->callee[i] = (struct ffpf_fpl_callee){fn, ffpf_fn_class(fn)->call};
		x->ncallees = i + 1;
	}
	return 0;
}

static void unbind(struct ffpf_fpl_xctx *x)
{
	for (unsigned i = 0; i < x->ncallees; i++)
		ffpf_fn_destroy(x->callee[i].fn);
}

static void mismatch(const struct prog *pr, const struct trace *t, size_t i, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void mismatch(const struct prog *pr, const struct trace *t, size_t i, const char *fmt, ...)
{
	va_list ap;
	P.mismatches++;
	if (P.printed++ >= MAX_PRINTED)
		return;
	printf("MISMATCH %s on %s packet %zu: ", pr->name, t->path, i);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Which packets of t match pr's pcap lines (their OR); NULL if pr has none or t is not
 * generated. */
static uint8_t *pcap_truth(const struct prog *pr, const struct trace *t)
{
	uint8_t *m;
	if (!pr->npcap || !t->generated)
		return NULL;
	m = calloc(t->n + 1, 1);
	for (unsigned k = 0; k < pr->npcap; k++) {
		struct bpf_program bp;
		if (pcap_compile(t->handle, &bp, pr->pcap[k], 1, PCAP_NETMASK_UNKNOWN)) {
			printf("FAIL %s: pcap line \"%s\": %s\n", pr->name, pr->pcap[k], pcap_geterr(t->handle));
			CHECK(0);
			continue;
		}
		for (size_t i = 0; i < t->n; i++)
			m[i] |= pcap_offline_filter(&bp, &t->hdr[i], t->pkt[i].data) != 0;
		pcap_freecode(&bp);
	}
	return m;
}

static void run_prog(struct prog *pr, const struct trace *t)
{
	struct ffpf_fpl_xctx x;
	uint8_t *truth;
	int ei, en;

	memset(&x, 0, sizeof(x));
	if (!pr->p || bind_callees(pr, t, &x)) {
		pr->skipped++;
		unbind(&x);
		return;
	}
	truth = pcap_truth(pr, t);
	memset(pr->mi, 0, pr->words * 8ul);
	memset(pr->mn, 0, pr->words * 8ul);
	for (size_t i = 0; i < t->n; i++) {
		uint32_t ci = ffpf_fpl_run(pr->p, &t->pkt[i], pr->mi, &x, &ei);
		uint32_t cn = pr->native ? pr->native(&t->pkt[i], pr->mn, &x, &en) : ci;
		if (!pr->native)
			en = ei;
		P.comparisons++;
		if (ci != cn || ei != en)
			mismatch(pr, t, i, "interpreter class %u err %d, native class %u err %d", ci, ei, cn, en);
		if (t->generated)
			pr->passed += ci != 0, pr->errors += ei != 0;
		if (truth && (ci != 0) != truth[i]) {
			if (pr->pcap_mismatch++ < 3)
				printf("PCAP %s on %s packet %zu: class %u, libpcap %s\n", pr->name, t->path, i, ci,
				       truth[i] ? "matches" : "does not match");
		}
	}
	if (pr->native && memcmp(pr->mi, pr->mn, pr->words * 8ul))
		mismatch(pr, t, t->n, "final MBufs differ");
	pr->runs++;
	free(truth);
	unbind(&x);
}

static void run_trace(struct trace *t)
{
	P.files++;
	P.packets += t->n;
	for (size_t k = 0; k < P.n; k++)
		run_prog(&P.v[k], t);
}

static void run_dir(const char *dir, int generated, size_t limit)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, by_name);
	size_t done = 0;

	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t l = strlen(nm);
		char path[4096];
		struct trace t;
		if (done < limit && ((l > 5 && !strcmp(nm + l - 5, ".pcap")) || (l > 7 && !strcmp(nm + l - 7, ".pcapng")))) {
			snprintf(path, sizeof(path), "%s/%s", dir, nm);
			if (!load_trace(path, &t)) {
				t.generated = generated;
				run_trace(&t);
				done++;
			}
			free_trace(&t);
		}
		free(ents[i]);
	}
	if (n > 0)
		free(ents);
}

/* The crafted packets (Ethernet ones) as one more trace. */
static void run_crafted(void)
{
	struct trace t = {.path = "crafted", .linktype = 1};
	for (size_t i = 0; i < NCRAFTS; i++) {
		struct craft c = craft(i);
		struct pcap_pkthdr h = {.caplen = c.caplen, .len = c.wirelen};
		if (c.linktype == 1)
			add_packet(&t, &h, c.b);
	}
	run_trace(&t);
	free_trace(&t);
}

static void check_expectations(void)
{
	for (size_t k = 0; k < P.n; k++) {
		const struct prog *pr = &P.v[k];
		int good = 1;
		if (strstr(pr->expect, "errors>0"))
			good &= pr->errors > 0;
		if (strstr(pr->expect, "errors=0"))
			good &= pr->errors == 0;
		if (strstr(pr->expect, "passed>0"))
			good &= pr->passed > 0;
		if (!good || pr->pcap_mismatch)
			printf("FAIL %s: expect \"%s\", passed %llu, errors %llu, pcap mismatches %llu\n", pr->name,
			       pr->expect, (unsigned long long)pr->passed, (unsigned long long)pr->errors,
			       (unsigned long long)pr->pcap_mismatch);
		CHECK(good);
		CHECK_EQ_U(pr->pcap_mismatch, 0);
	}
}

static void free_progs(void)
{
	for (size_t k = 0; k < P.n; k++) {
		ffpf_fpl_free(P.v[k].p);
		for (unsigned j = 0; j < P.v[k].npcap; j++)
			free(P.v[k].pcap[j]);
		free(P.v[k].mi);
		free(P.v[k].mn);
	}
	free(P.v);
	if (P.so)
		dlclose(P.so);
}

static void test_programs(void)
{
	const char *quick = getenv("FFPF_TEST_QUICK"), *shared = tl_shared_dir();
	unsigned long skipped = 0;
	int rc;

	load_progs();
	rc = build_native();
	CHECK(rc >= 0);
	run_crafted();
	run_dir(tl_trace_dir(), 1, SIZE_MAX);
	CHECK(P.files >= 4); /* never pass having tested nothing */
	if (shared)
		run_dir(shared, 0, quick && *quick == '1' ? QUICK_SHARED_FILES : SIZE_MAX);
	else
		printf("note: no shared traces (FFPF_SHARED_TRACES unset or missing)\n");
	check_expectations();
	for (size_t k = 0; k < P.n; k++)
		skipped += P.v[k].skipped;
	printf("programs %zu, %s, files %lu, packets %lu, comparisons %lu, (program, file) skipped %lu "
	       "(callee not available for the link type), mismatches %lu\n", P.n,
	       P.so ? "interpreter vs native" : "interpreter only", P.files, P.packets, P.comparisons,
	       skipped, P.mismatches);
	CHECK_EQ_U(P.mismatches, 0);
	free_progs();
}

/* ------------------------------------------------------------------ the class, end to end */

struct outcome {
	int rc;
	uint64_t count, passed, errors, in, rt_drops, rejected, nrows, rowsum, m0;
	char mode[16];
};

/* Run "(file,trace) > (fpl,...) > (count)"-shaped req; fpl is function 1, count 2. */
static void run_request(const char *req, int no_compile, struct outcome *o)
{
	struct ffpf_opts opts = {.sz = sizeof(opts), .no_compile = no_compile};
	struct ffpf *f = ffpf_create(&opts);
	const struct ffpf_fn_info *fi;
	struct ffpf_value v;

	memset(o, 0, sizeof(*o));
	if ((o->rc = ffpf_populate(f, req)) || (o->rc = ffpf_instantiate(f)) || (o->rc = ffpf_activate(f)) ||
	    (o->rc = ffpf_run(f))) {
		printf("request failed: %s\n", ffpf_errmsg(f));
		ffpf_close(f);
		return;
	}
	ffpf_result_u64(f, "count#2", "packets", &o->count);
	ffpf_result_u64(f, "fpl#1", "passed", &o->passed);
	ffpf_result_u64(f, "fpl#1", "errors", &o->errors);
	fi = ffpf_fn_info(f, 1);
	o->in = fi->in;
	o->rt_drops = fi->drops[FFPF_DROP_RUNTIME_ERROR];
	o->rejected = fi->drops[FFPF_DROP_REJECTED];
	snprintf(o->mode, sizeof(o->mode), "%s", fi->mode);
	if (ffpf_result(f, 1, 0, &v) == 0 && v.type == FFPF_V_TABLE) {
		o->nrows = v.table.nrows;
		CHECK(v.table.ncols == 2 && !strcmp(v.table.cols[0], "index") && !strcmp(v.table.cols[1], "value"));
		for (size_t r = 0; r < v.table.nrows; r++) {
			o->rowsum += v.table.cells[2 * r + 1];
			if (v.table.cells[2 * r] == 0)
				o->m0 = v.table.cells[2 * r + 1];
			CHECK(v.table.cells[2 * r + 1] != 0);
		}
	}
	ffpf_close(f);
}

/* libpcap's count of what FPL calls TCP: IPv4 protocol 6, or IPv6 whose header chain ends in
 * TCP, untagged or under one or two VLAN tags (separate programs: `vlan` moves libpcap's
 * offsets for the rest of an expression). */
static uint64_t pcap_tcp_count(const char *path)
{
	static const char *const exprs[] = {
		"ip proto 6 or ip6 protochain 6", "vlan and (ip proto 6 or ip6 protochain 6)",
		"vlan and vlan and (ip proto 6 or ip6 protochain 6)",
	};
	struct trace t;
	uint8_t *m;
	uint64_t n = 0;
	struct prog pr = {.npcap = 3};

	if (load_trace(path, &t))
		return UINT64_MAX;
	t.generated = 1;
	memcpy(pr.pcap, exprs, sizeof(exprs));
	m = pcap_truth(&pr, &t);
	for (size_t i = 0; i < t.n; i++)
		n += m[i];
	free(m);
	free_trace(&t);
	return n;
}

static void test_class_tcp(void)
{
	static const char *const traces[] = {"small.pcap", "mixed.pcap"};
	for (size_t k = 0; k < 2; k++) {
		char path[4096], req[8192];
		struct outcome c, i;
		uint64_t want;
		snprintf(path, sizeof(path), "%s/%s", tl_trace_dir(), traces[k]);
		want = pcap_tcp_count(path);
		snprintf(req, sizeof(req), "(file,\"%s\") > (fpl, \"IF (PKT.IP_PROTO == PROTO_TCP) THEN M[0]++; "
			 "RETURN(1); FI RETURN(0);\") > (count)", path);
		run_request(req, 0, &c);
		run_request(req, 1, &i);
		printf("%s: fpl TCP count %llu (%s), %llu (%s); libpcap %llu\n", traces[k],
		       (unsigned long long)c.count, c.mode, (unsigned long long)i.count, i.mode,
		       (unsigned long long)want);
		CHECK(c.rc == 0 && i.rc == 0 && c.count > 0);
		CHECK_EQ_U(c.count, want);
		CHECK_EQ_U(i.count, want);
		CHECK(c.m0 == want && i.m0 == want && c.passed == want && i.passed == want);
		CHECK(c.nrows == 1 && c.rejected == c.in - want && !c.errors && !c.rt_drops);
		CHECK_STR(i.mode, "interpreted");
	}
}

/* Run-time errors: counted as `errors` and as runtime_error drops, the same compiled or not. */
static void test_class_errors(void)
{
	char req[8192];
	struct outcome c, i;

	snprintf(req, sizeof(req), "(file,\"%s/small.pcap\") > (fpl, \"M[PKT.IP_PROTO] += 1000 / "
		 "PKT.B[PKT.L4_OFF + 13]; M[300] = EXTERN(count, 0, 301); RETURN(PKT.IP_PROTO);\", mbuf=512) "
		 "> (count)", tl_trace_dir());
	run_request(req, 0, &c);
	run_request(req, 1, &i);
	CHECK(c.rc == 0 && i.rc == 0);
	CHECK(c.errors > 0 && c.errors == c.rt_drops && c.in == c.passed + c.errors + c.rejected);
	CHECK(c.count == c.passed && c.count == i.count && c.errors == i.errors && c.rt_drops == i.rt_drops);
	CHECK(c.nrows == i.nrows && c.rowsum == i.rowsum && c.rejected == i.rejected);
	printf("run-time errors: %llu of %llu packets (%s and interpreted agree)\n",
	       (unsigned long long)c.errors, (unsigned long long)c.in, c.mode);
}

static void populate_fails(const char *req, const char *words)
{
	struct ffpf *f = ffpf_create(NULL);
	int rc = ffpf_populate(f, req);
	CHECK(rc == -EINVAL);
	tl_checks++;
	if (!strstr(ffpf_errmsg(f), words)) {
		tl_failures++;
		fprintf(stderr, "populate [%s]: got\n%s\n(wanted \"%s\")\n", req, ffpf_errmsg(f), words);
	}
	ffpf_close(f);
}

static void test_class_params(void)
{
	char path[] = "/tmp/test_fpl_prog.XXXXXX", req[8192], words[128];
	struct outcome o;
	int fd = mkstemp(path);
	const char *prog = "// from a file\nM[0]++;\nRETURN(PKT.LEN > 100);\n";

	CHECK(fd >= 0 && write(fd, prog, strlen(prog)) == (ssize_t)strlen(prog));
	close(fd);
	snprintf(req, sizeof(req), "(file,\"%s/small.pcap\") > (fpl, file=\"%s\", mbuf=1) > (count)", tl_trace_dir(), path);
	run_request(req, 0, &o);
	CHECK(o.rc == 0 && o.m0 == 2000 && o.count > 0 && o.count < 2000 && o.nrows == 1);
	populate_fails("(fpl,\"M[0] = PKT.FOO;\")", "expr:1:12: error: unknown packet field 'FOO'");
	populate_fails("(fpl,\"M[0] = PKT.FOO;\")", "M[0] = PKT.FOO;\n");
	populate_fails("(fpl)", "give the program inline (expr) or in a file (file=...), one of them");
	populate_fails("(fpl,\"RETURN 1;\",file=\"x.fpl\")", "not both");
	populate_fails("(fpl,\"RETURN 1;\",mbuf=1000)", "power of two");
	populate_fails("(fpl,\"RETURN 1;\",mbuf=0)", "mbuf");
	populate_fails("(fpl,\"EXTERN(bpf(\\\"nonsense (\\\"), 0, 1);\")", "expr:1:8: error: EXTERN callee (bpf,\"nonsense (\")");
	populate_fails("(fpl,\"EXTERN(bpf, 0, 1);\")", "missing required parameter 'expr'");
	populate_fails("(fpl,file=\"/nonexistent.fpl\")", "cannot open FPL program '/nonexistent.fpl'");
	snprintf(req, sizeof(req), "(fpl,file=\"%s\",mbuf=1)", path);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, "M[0] = 1;\nM[1] = PKT.FOO;\n", 26) == 26);
	close(fd);
	snprintf(words, sizeof(words), "%s:2:12: error: unknown packet field 'FOO'", path);
	populate_fails(req, words);
	unlink(path);
}

/* ------------------------------------------------------------------ no allocation per packet */

#include "alloccount.h"

#if FFPF_ALLOCCOUNT

static void test_noalloc(void)
{
	struct ffpf_fpl *p = ok("IF (EXTERN(bpf(\"tcp\"), 0, 1)) THEN M[2] += HASH(PKT.L4_OFF, 4, 1024); FI "
				"EXTERN(count, 0, 3); EXTERN(bytes, 0, 4); M[PKT.IP_PROTO + 10]++; RETURN(PKT.TCP_DPORT);");
	struct ffpf_fpl_xctx x = {.linktype = 1, .ncallees = 3};
	struct ffpf_pkt pk[NCRAFTS];
	struct craft c[NCRAFTS];
	char err[256];
	unsigned long before;
	int e;

	for (unsigned i = 0; i < 3; i++) {
		x.callee[i].fn = ffpf_fn_make(ffpf_fpl_callee_element(p, i), 1, err, sizeof(err));
		x.callee[i].call = ffpf_fn_class(x.callee[i].fn)->call;
	}
	for (size_t i = 0; i < NCRAFTS; i++)
		c[i] = craft(i), pk[i] = (struct ffpf_pkt){c[i].b, c[i].caplen, c[i].wirelen};
	memset(mem, 0, sizeof(mem));
	before = allocs;
	for (unsigned r = 0; r < 1000; r++)
		for (size_t i = 0; i < NCRAFTS; i++)
			ffpf_fpl_run(p, &pk[i], mem, &x, &e);
	CHECK_EQ_U(allocs - before, 0);
	CHECK_EQ_U(mem[3], 1000 * NCRAFTS);
	for (unsigned i = 0; i < 3; i++)
		ffpf_fn_destroy(x.callee[i].fn);
	ffpf_fpl_free(p);
}
#else
static void test_noalloc(void)
{
	printf("note: allocation counting skipped under AddressSanitizer\n");
}
#endif

int main(void)
{
	test_valid();
	test_syntax_errors();
	test_check_errors();
	test_limits();
	test_fields();
	test_semantics();
	test_unbound_callee();
	test_runtime_text();
	test_noalloc();
	test_class_tcp();
	test_class_errors();
	test_class_params();
	test_programs();
	return tl_done("test_fpl");
}
