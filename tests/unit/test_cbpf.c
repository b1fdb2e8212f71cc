/* test_cbpf.c — unit tests for the classic BPF checker and interpreter (src/filter/cbpf.c). */
#include "filter/cbpf.h"
#include "testlib.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (unsigned)(sizeof(a) / sizeof((a)[0]))
#define S(code, k) BPF_STMT(code, k)
#define J(code, k, jt, jf) BPF_JUMP(code, k, jt, jf)
/* Linux ancillary-data loads live at negative offsets: SKF_AD_OFF (-0x1000) + n. */
#define SKF_AD_BASE 0xfffff000u

/* A packet copied into a malloc'd buffer of exactly caplen bytes, so ASan flags any over-read. */
static uint8_t *exact(const uint8_t *src, uint32_t caplen)
{
	uint8_t *p = malloc(caplen ? caplen : 1);
	if (p && caplen)
		memcpy(p, src, caplen);
	return p;
}

/* run: check (must pass) then run prog over the first caplen bytes of pkt. */
static uint32_t run_n(const struct bpf_insn *prog, unsigned len, const uint8_t *pkt,
		      uint32_t wirelen, uint32_t caplen)
{
	char err[128];
	uint8_t *copy;
	uint32_t r;

	if (ffpf_cbpf_check(prog, len, err, sizeof err) != 0) {
		fprintf(stderr, "unexpected reject: %s\n", err);
		CHECK(0);
		return 0xdeadbeef;
	}
	copy = exact(pkt, caplen);
	r = ffpf_cbpf_run(prog, caplen ? copy : NULL, wirelen, caplen);
	free(copy);
	return r;
}
#define RUN(prog, pkt, wl, cl) run_n(prog, N(prog), pkt, wl, cl)

static const uint8_t PKT[16] = {0x01, 0x02, 0x03, 0x04, 0x45, 0x06, 0x07, 0x08,
				0x89, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0xf0};

static void test_loads(void)
{
	struct bpf_insn w[] = {S(BPF_LD | BPF_W | BPF_ABS, 1), S(BPF_RET | BPF_A, 0)};
	struct bpf_insn h[] = {S(BPF_LD | BPF_H | BPF_ABS, 7), S(BPF_RET | BPF_A, 0)};
	struct bpf_insn b[] = {S(BPF_LD | BPF_B | BPF_ABS, 15), S(BPF_RET | BPF_A, 0)};
	struct bpf_insn ind[] = {S(BPF_LDX | BPF_IMM, 2), S(BPF_LD | BPF_W | BPF_IND, 1),
				 S(BPF_RET | BPF_A, 0)};
	struct bpf_insn indh[] = {S(BPF_LDX | BPF_IMM, 2), S(BPF_LD | BPF_H | BPF_IND, 1),
				  S(BPF_RET | BPF_A, 0)};
	struct bpf_insn indb[] = {S(BPF_LDX | BPF_IMM, 2), S(BPF_LD | BPF_B | BPF_IND, 1),
				  S(BPF_RET | BPF_A, 0)};
	struct bpf_insn msh[] = {S(BPF_LDX | BPF_MSH | BPF_B, 4), S(BPF_MISC | BPF_TXA, 0),
				 S(BPF_RET | BPF_A, 0)};
	struct bpf_insn len[] = {S(BPF_LD | BPF_W | BPF_LEN, 0), S(BPF_RET | BPF_A, 0)};
	struct bpf_insn xlen[] = {S(BPF_LDX | BPF_W | BPF_LEN, 0), S(BPF_MISC | BPF_TXA, 0),
				  S(BPF_RET | BPF_A, 0)};
	struct bpf_insn imm[] = {S(BPF_LD | BPF_IMM, 0xcafebabe), S(BPF_RET | BPF_A, 0)};

	CHECK_EQ_U(RUN(w, PKT, 16, 16), 0x02030445u);
	CHECK_EQ_U(RUN(h, PKT, 16, 16), 0x0889u);
	CHECK_EQ_U(RUN(b, PKT, 16, 16), 0xf0u);
	CHECK_EQ_U(RUN(ind, PKT, 16, 16), 0x04450607u);
	CHECK_EQ_U(RUN(indh, PKT, 16, 16), 0x0445u);
	CHECK_EQ_U(RUN(indb, PKT, 16, 16), 0x04u);
	CHECK_EQ_U(RUN(msh, PKT, 16, 16), 20u); /* (0x45 & 0xf) << 2: an IPv4 header length */
	CHECK_EQ_U(RUN(len, PKT, 1500, 16), 1500u);
	CHECK_EQ_U(RUN(xlen, PKT, 60000, 16), 60000u);
	CHECK_EQ_U(RUN(imm, PKT, 16, 16), 0xcafebabeu);
}

static void test_mem(void)
{
	struct bpf_insn st[] = {
		S(BPF_LD | BPF_IMM, 7),   S(BPF_ST, 0),	       S(BPF_LDX | BPF_IMM, 9),
		S(BPF_STX, 15),		  S(BPF_LD | BPF_MEM, 15), S(BPF_LDX | BPF_MEM, 0),
		S(BPF_ALU | BPF_SUB | BPF_X, 0), S(BPF_RET | BPF_A, 0)};
	struct bpf_insn fresh[] = {S(BPF_LD | BPF_MEM, 5), S(BPF_RET | BPF_A, 0)};

	CHECK_EQ_U(RUN(st, PKT, 16, 16), 2u);
	CHECK_EQ_U(RUN(fresh, PKT, 16, 16), 0u); /* scratch memory starts zeroed */
}

/* alu: A = a; X = x; A op= (k or X); return A. */
static uint32_t alu(uint16_t op, uint32_t a, uint32_t x, uint32_t k)
{
	struct bpf_insn p[] = {S(BPF_LD | BPF_IMM, a), S(BPF_LDX | BPF_IMM, x),
			       S(BPF_ALU | op, k), S(BPF_RET | BPF_A, 0)};
	return RUN(p, PKT, 16, 16);
}

static void test_alu(void)
{
	CHECK_EQ_U(alu(BPF_ADD | BPF_K, 0xffffffff, 0, 2), 1u);
	CHECK_EQ_U(alu(BPF_ADD | BPF_X, 5, 6, 0), 11u);
	CHECK_EQ_U(alu(BPF_SUB | BPF_K, 1, 0, 2), 0xffffffffu);
	CHECK_EQ_U(alu(BPF_SUB | BPF_X, 10, 3, 0), 7u);
	CHECK_EQ_U(alu(BPF_MUL | BPF_K, 0x10000, 0, 0x10000), 0u);
	CHECK_EQ_U(alu(BPF_MUL | BPF_X, 6, 7, 0), 42u);
	CHECK_EQ_U(alu(BPF_DIV | BPF_K, 100, 0, 7), 14u);
	CHECK_EQ_U(alu(BPF_DIV | BPF_X, 100, 9, 0), 11u);
	CHECK_EQ_U(alu(BPF_MOD | BPF_K, 100, 0, 7), 2u);
	CHECK_EQ_U(alu(BPF_MOD | BPF_X, 100, 9, 0), 1u);
	CHECK_EQ_U(alu(BPF_AND | BPF_K, 0xf0f0, 0, 0xff00), 0xf000u);
	CHECK_EQ_U(alu(BPF_AND | BPF_X, 0xf0f0, 0x0ff0, 0), 0x00f0u);
	CHECK_EQ_U(alu(BPF_OR | BPF_K, 0xf000, 0, 0x000f), 0xf00fu);
	CHECK_EQ_U(alu(BPF_OR | BPF_X, 0xf000, 0x0f00, 0), 0xff00u);
	CHECK_EQ_U(alu(BPF_XOR | BPF_K, 0xff, 0, 0x0f), 0xf0u);
	CHECK_EQ_U(alu(BPF_XOR | BPF_X, 0xff, 0xf0, 0), 0x0fu);
	CHECK_EQ_U(alu(BPF_LSH | BPF_K, 1, 0, 31), 0x80000000u);
	CHECK_EQ_U(alu(BPF_LSH | BPF_X, 3, 4, 0), 48u);
	CHECK_EQ_U(alu(BPF_LSH | BPF_X, 3, 32, 0), 0u); /* libpcap: shift by X >= 32 gives 0 */
	CHECK_EQ_U(alu(BPF_RSH | BPF_K, 0x80000000, 0, 31), 1u);
	CHECK_EQ_U(alu(BPF_RSH | BPF_X, 0x100, 4, 0), 0x10u);
	CHECK_EQ_U(alu(BPF_RSH | BPF_X, 0x100, 0xffffffff, 0), 0u);
	CHECK_EQ_U(alu(BPF_NEG, 1, 0, 0), 0xffffffffu);
	CHECK_EQ_U(alu(BPF_NEG, 0x80000000, 0, 0), 0x80000000u); /* no signed overflow */
}

static void test_div_zero(void)
{
	/* Division or modulo by X == 0 ends the program with 0 (drop), as in libpcap. */
	struct bpf_insn d[] = {S(BPF_LD | BPF_IMM, 5), S(BPF_LDX | BPF_IMM, 0),
			       S(BPF_ALU | BPF_DIV | BPF_X, 0), S(BPF_RET | BPF_K, 99)};
	struct bpf_insn m[] = {S(BPF_LD | BPF_IMM, 5), S(BPF_LDX | BPF_IMM, 0),
			       S(BPF_ALU | BPF_MOD | BPF_X, 0), S(BPF_RET | BPF_K, 99)};

	CHECK_EQ_U(RUN(d, PKT, 16, 16), 0u);
	CHECK_EQ_U(RUN(m, PKT, 16, 16), 0u);
}

static void test_misc_ret(void)
{
	struct bpf_insn tax[] = {S(BPF_LD | BPF_IMM, 3), S(BPF_MISC | BPF_TAX, 0),
				 S(BPF_LD | BPF_IMM, 0), S(BPF_MISC | BPF_TXA, 0),
				 S(BPF_RET | BPF_A, 0)};
	struct bpf_insn retk[] = {S(BPF_RET | BPF_K, 0xffffffff)};
	struct bpf_insn ret0[] = {S(BPF_RET | BPF_K, 0)};

	CHECK_EQ_U(RUN(tax, PKT, 16, 16), 3u);
	CHECK_EQ_U(RUN(retk, PKT, 16, 16), 0xffffffffu);
	CHECK_EQ_U(RUN(ret0, PKT, 16, 16), 0u);
}

/* jmp: A = a; X = x; if (A op k/X) return 1 else return 2. */
static uint32_t jmp(uint16_t op, uint32_t a, uint32_t x, uint32_t k)
{
	struct bpf_insn p[] = {S(BPF_LD | BPF_IMM, a), S(BPF_LDX | BPF_IMM, x),
			       J(BPF_JMP | op, k, 0, 1), S(BPF_RET | BPF_K, 1),
			       S(BPF_RET | BPF_K, 2)};
	return RUN(p, PKT, 16, 16);
}

static void test_jumps(void)
{
	struct bpf_insn ja[] = {S(BPF_JMP | BPF_JA, 2), S(BPF_RET | BPF_K, 1),
				S(BPF_RET | BPF_K, 2), S(BPF_RET | BPF_K, 3)};

	CHECK_EQ_U(RUN(ja, PKT, 16, 16), 3u);
	CHECK_EQ_U(jmp(BPF_JEQ | BPF_K, 5, 0, 5), 1u);
	CHECK_EQ_U(jmp(BPF_JEQ | BPF_K, 5, 0, 6), 2u);
	CHECK_EQ_U(jmp(BPF_JEQ | BPF_X, 5, 5, 0), 1u);
	CHECK_EQ_U(jmp(BPF_JEQ | BPF_X, 5, 4, 0), 2u);
	CHECK_EQ_U(jmp(BPF_JGT | BPF_K, 6, 0, 5), 1u);
	CHECK_EQ_U(jmp(BPF_JGT | BPF_K, 5, 0, 5), 2u);
	CHECK_EQ_U(jmp(BPF_JGT | BPF_X, 0xffffffff, 1, 0), 1u); /* unsigned compare */
	CHECK_EQ_U(jmp(BPF_JGT | BPF_X, 1, 1, 0), 2u);
	CHECK_EQ_U(jmp(BPF_JGE | BPF_K, 5, 0, 5), 1u);
	CHECK_EQ_U(jmp(BPF_JGE | BPF_K, 4, 0, 5), 2u);
	CHECK_EQ_U(jmp(BPF_JGE | BPF_X, 5, 5, 0), 1u);
	CHECK_EQ_U(jmp(BPF_JGE | BPF_X, 4, 5, 0), 2u);
	CHECK_EQ_U(jmp(BPF_JSET | BPF_K, 0x12, 0, 0x02), 1u);
	CHECK_EQ_U(jmp(BPF_JSET | BPF_K, 0x12, 0, 0x04), 2u);
	CHECK_EQ_U(jmp(BPF_JSET | BPF_X, 0x12, 0x10, 0), 1u);
	CHECK_EQ_U(jmp(BPF_JSET | BPF_X, 0x12, 0x01, 0), 2u);
}

/* oob1: one load of the given opcode/offset (X preset) then RET 77; 0 means out of bounds. */
static uint32_t oob1(uint16_t code, uint32_t x, uint32_t k, uint32_t caplen)
{
	struct bpf_insn p[] = {S(BPF_LDX | BPF_IMM, x), S(code, k), S(BPF_RET | BPF_K, 77)};
	return RUN(p, PKT, 1000, caplen);
}

static void test_out_of_bounds(void)
{
	const uint16_t W = BPF_LD | BPF_W | BPF_ABS, H = BPF_LD | BPF_H | BPF_ABS;
	const uint16_t B = BPF_LD | BPF_B | BPF_ABS, WI = BPF_LD | BPF_W | BPF_IND;
	const uint16_t HI = BPF_LD | BPF_H | BPF_IND, BI = BPF_LD | BPF_B | BPF_IND;
	const uint16_t MSH = BPF_LDX | BPF_MSH | BPF_B;

	/* Last in-bounds offset passes, one further fails; ASan watches the exact-size buffer. */
	CHECK_EQ_U(oob1(W, 0, 12, 16), 77u);
	CHECK_EQ_U(oob1(W, 0, 13, 16), 0u);
	CHECK_EQ_U(oob1(H, 0, 14, 16), 77u);
	CHECK_EQ_U(oob1(H, 0, 15, 16), 0u);
	CHECK_EQ_U(oob1(B, 0, 15, 16), 77u);
	CHECK_EQ_U(oob1(B, 0, 16, 16), 0u);
	CHECK_EQ_U(oob1(WI, 10, 2, 16), 77u);
	CHECK_EQ_U(oob1(WI, 10, 3, 16), 0u);
	CHECK_EQ_U(oob1(HI, 13, 1, 16), 77u);
	CHECK_EQ_U(oob1(HI, 14, 1, 16), 0u);
	CHECK_EQ_U(oob1(BI, 14, 1, 16), 77u);
	CHECK_EQ_U(oob1(BI, 15, 1, 16), 0u);
	CHECK_EQ_U(oob1(MSH, 0, 15, 16), 77u);
	CHECK_EQ_U(oob1(MSH, 0, 16, 16), 0u);
	/* X + k wrapping around 2^32 must not turn into a small, in-bounds offset. */
	CHECK_EQ_U(oob1(WI, 0xffffffff, 2, 16), 0u);
	CHECK_EQ_U(oob1(HI, 0xfffffffe, 3, 16), 0u);
	CHECK_EQ_U(oob1(BI, 1, 0xffffffff, 16), 0u);
	CHECK_EQ_U(oob1(W, 0, 0xfffffffe, 16), 0u);
	CHECK_EQ_U(oob1(H, 0, 0xffffffff, 16), 0u);
	/* Packets shorter than the load, down to an empty capture with no buffer at all. */
	CHECK_EQ_U(oob1(W, 0, 0, 3), 0u);
	CHECK_EQ_U(oob1(H, 0, 0, 1), 0u);
	CHECK_EQ_U(oob1(B, 0, 0, 0), 0u);
	CHECK_EQ_U(oob1(BI, 0, 0, 0), 0u);
	CHECK_EQ_U(oob1(MSH, 0, 0, 0), 0u);
	/* wirelen larger than caplen does not widen what may be read. */
	CHECK_EQ_U(oob1(B, 0, 500, 16), 0u);
}

/* Linux ancillary loads (vlan tag, ...) are out of range in userland, as in bpf_filter(). */
static void test_ancillary(void)
{
	static const uint32_t ad[] = {44 /* VLAN_TAG */, 48 /* VLAN_TAG_PRESENT */, 0 /* PROTOCOL */};
	for (unsigned i = 0; i < N(ad); i++) {
		struct bpf_insn p[] = {S(BPF_LD | BPF_B | BPF_ABS, SKF_AD_BASE + ad[i]),
				       S(BPF_RET | BPF_K, 5)};
		struct bpf_insn pw[] = {S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_BASE + ad[i]),
					S(BPF_RET | BPF_K, 5)};
		uint8_t *copy = exact(PKT, 16);
		CHECK_EQ_U(RUN(p, PKT, 16, 16), 0u);
		CHECK_EQ_U(RUN(pw, PKT, 16, 16), 0u);
		CHECK_EQ_U(bpf_filter(p, copy, 16, 16), 0u);
		free(copy);
	}
}

/* expect_reject: the checker says -EINVAL and its message starts with want. */
static void expect_reject(const struct bpf_insn *p, unsigned len, const char *want)
{
	char err[128] = "";
	int rc = ffpf_cbpf_check(p, len, err, sizeof err);

	CHECK_EQ_U((unsigned)-rc, (unsigned)EINVAL);
	if (strncmp(err, want, strlen(want)) != 0) {
		fprintf(stderr, "checker said \"%s\", expected \"%s...\"\n", err, want);
		CHECK(0);
	}
}
#define REJECT(prog, want) expect_reject(prog, N(prog), want)

static void test_checker(void)
{
	struct bpf_insn ok[] = {S(BPF_LD | BPF_IMM, 1), S(BPF_RET | BPF_A, 0)};
	struct bpf_insn far[] = {J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), S(BPF_RET | BPF_K, 1),
				 S(BPF_RET | BPF_K, 0)};
	struct bpf_insn far_jt[] = {J(BPF_JMP | BPF_JGT | BPF_X, 0, 5, 0), S(BPF_RET | BPF_K, 1)};
	struct bpf_insn ja_far[] = {S(BPF_JMP | BPF_JA, 1), S(BPF_RET | BPF_K, 1)};
	struct bpf_insn ja_back[] = {S(BPF_RET | BPF_K, 1), S(BPF_JMP | BPF_JA, 0xfffffffe),
				     S(BPF_RET | BPF_K, 1)};
	struct bpf_insn ja_self[] = {S(BPF_JMP | BPF_JA, 0xffffffff), S(BPF_RET | BPF_K, 1)};
	struct bpf_insn bad_op[] = {S(BPF_LD | BPF_IMM, 1), S(0xffff, 0), S(BPF_RET | BPF_A, 0)};
	struct bpf_insn ret_x[] = {S(BPF_RET | BPF_X, 0)};
	struct bpf_insn ldx_abs[] = {S(BPF_LDX | BPF_W | BPF_ABS, 0), S(BPF_RET | BPF_K, 0)};
	struct bpf_insn neg_x[] = {S(BPF_ALU | BPF_NEG | BPF_X, 0), S(BPF_RET | BPF_K, 0)};
	struct bpf_insn no_ret[] = {S(BPF_LD | BPF_IMM, 1)};
	struct bpf_insn no_ret2[] = {S(BPF_RET | BPF_K, 1), S(BPF_MISC | BPF_TAX, 0)};
	struct bpf_insn div0[] = {S(BPF_ALU | BPF_DIV | BPF_K, 0), S(BPF_RET | BPF_A, 0)};
	struct bpf_insn mod0[] = {S(BPF_ALU | BPF_MOD | BPF_K, 0), S(BPF_RET | BPF_A, 0)};
	struct bpf_insn lsh32[] = {S(BPF_ALU | BPF_LSH | BPF_K, 32), S(BPF_RET | BPF_A, 0)};
	struct bpf_insn rsh99[] = {S(BPF_ALU | BPF_RSH | BPF_K, 99), S(BPF_RET | BPF_A, 0)};
	static const uint16_t memops[] = {BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM, BPF_ST, BPF_STX};
	char tiny[8];

	CHECK_EQ_U(ffpf_cbpf_check(ok, N(ok), NULL, 0), 0u);
	CHECK_EQ_U(ffpf_cbpf_check(far, N(far), NULL, 0), 0u); /* jump to the last insn */
	far[0].jf = 2;
	REJECT(far, "insn 0: conditional jump out of range");
	REJECT(far_jt, "insn 0: conditional jump out of range");
	REJECT(ja_far, "insn 0: jump out of range");
	REJECT(ja_back, "insn 1: jump out of range");
	REJECT(ja_self, "insn 0: jump out of range");
	REJECT(bad_op, "insn 1: unknown opcode 0xffff");
	REJECT(ret_x, "insn 0: unknown opcode");
	REJECT(ldx_abs, "insn 0: unknown opcode");
	REJECT(neg_x, "insn 0: unknown opcode");
	REJECT(no_ret, "insn 0: last instruction is not a RET");
	REJECT(no_ret2, "insn 1: last instruction is not a RET");
	REJECT(div0, "insn 0: division by constant zero");
	REJECT(mod0, "insn 0: division by constant zero");
	REJECT(lsh32, "insn 0: shift by constant >= 32");
	REJECT(rsh99, "insn 0: shift by constant >= 32");
	for (unsigned i = 0; i < N(memops); i++) {
		struct bpf_insn m[] = {S(memops[i], 15), S(memops[i], BPF_MEMWORDS),
				       S(BPF_RET | BPF_A, 0)};
		REJECT(m, "insn 1: scratch memory index out of range");
	}
	expect_reject(ok, 0, "insn 0: empty program");
	expect_reject(NULL, 3, "insn 0: empty program");
	CHECK_EQ_U((unsigned)-ffpf_cbpf_check(bad_op, N(bad_op), tiny, sizeof tiny), (unsigned)EINVAL);
	CHECK_STR(tiny, "insn 1:"); /* truncated, still terminated */
}

static void test_batch(void)
{
	struct bpf_insn p[] = {S(BPF_LD | BPF_B | BPF_ABS, 0), J(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
			       S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_K, 0)};
	uint8_t bytes[8];
	struct ffpf_cbpf_pkt pk[8];
	uint16_t sel[] = {7, 0, 3, 4, 5}, out[8];
	unsigned n;

	for (unsigned i = 0; i < 8; i++) {
		bytes[i] = (uint8_t)i;
		pk[i] = (struct ffpf_cbpf_pkt){.data = &bytes[i], .caplen = i == 5 ? 0 : 1, .wirelen = 1};
	}
	CHECK_EQ_U(ffpf_cbpf_check(p, N(p), NULL, 0), 0u);
	n = ffpf_cbpf_run_batch(p, pk, sel, N(sel), out); /* odd bytes pass; pkt 5 is empty */
	CHECK_EQ_U(n, 2u);
	CHECK_EQ_U(out[0], 7u);
	CHECK_EQ_U(out[1], 3u);
	n = ffpf_cbpf_run_batch(p, pk, sel, N(sel), sel); /* in place */
	CHECK_EQ_U(n, 2u);
	CHECK_EQ_U(sel[0], 7u);
	CHECK_EQ_U(sel[1], 3u);
	CHECK_EQ_U(ffpf_cbpf_run_batch(p, pk, sel, 0, out), 0u);
}

/* A tagged (802.1Q, vid 100) IPv4/TCP frame and an untagged IPv4/UDP frame, headers only. */
static const uint8_t VLAN_TCP[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00,
	0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
	0x30, 0x39, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0, 0, 0, 0, 0};
static const uint8_t PLAIN_UDP[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00,
	0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
	0x04, 0x01, 0x05, 0x9a, 0, 8, 0, 0};

/* vlan expressions on an offline Ethernet handle: plain loads, same verdicts as libpcap. */
static void test_vlan_offline(void)
{
	static const char *exprs[] = {"vlan", "vlan 100", "vlan 101", "vlan and tcp",
				      "vlan and udp", "not vlan", "vlan 100 and tcp dst port 80"};
	const uint8_t *pkts[] = {VLAN_TCP, PLAIN_UDP};
	const uint32_t lens[] = {sizeof VLAN_TCP, sizeof PLAIN_UDP};
	pcap_t *h = pcap_open_dead(DLT_EN10MB, 65535);

	CHECK(h != NULL);
	for (unsigned e = 0; h && e < N(exprs); e++) {
		struct bpf_program bp;
		if (pcap_compile(h, &bp, exprs[e], 1, PCAP_NETMASK_UNKNOWN) != 0) {
			fprintf(stderr, "%s: %s\n", exprs[e], pcap_geterr(h));
			CHECK(0);
			continue;
		}
		for (unsigned i = 0; i < bp.bf_len; i++)
			CHECK(BPF_CLASS(bp.bf_insns[i].code) != BPF_LD ||
			      bp.bf_insns[i].k < SKF_AD_BASE);
		for (unsigned i = 0; i < N(pkts); i++) {
			struct pcap_pkthdr hdr = {.caplen = lens[i], .len = lens[i]};
			uint8_t *copy = exact(pkts[i], lens[i]);
			uint32_t ours = run_n(bp.bf_insns, bp.bf_len, pkts[i], lens[i], lens[i]);
			CHECK_EQ_U(ours, (uint32_t)pcap_offline_filter(&bp, &hdr, copy));
			free(copy);
		}
		pcap_freecode(&bp);
	}
	if (h)
		pcap_close(h);
}

/* ----------------------------------------------- random differential vs bpf_filter() */

static uint32_t rng_state = 0x9e3779b9u;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Every opcode the interpreter knows except RET, for the generator to pick from. */
static const uint16_t BODY_OPS[] = {
	BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_H | BPF_ABS, BPF_LD | BPF_B | BPF_ABS,
	BPF_LD | BPF_W | BPF_IND, BPF_LD | BPF_H | BPF_IND, BPF_LD | BPF_B | BPF_IND,
	BPF_LD | BPF_W | BPF_LEN, BPF_LDX | BPF_W | BPF_LEN, BPF_LDX | BPF_MSH | BPF_B,
	BPF_LD | BPF_IMM, BPF_LDX | BPF_IMM, BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM, BPF_ST, BPF_STX,
	BPF_JMP | BPF_JA, BPF_JMP | BPF_JGT | BPF_K, BPF_JMP | BPF_JGE | BPF_K,
	BPF_JMP | BPF_JEQ | BPF_K, BPF_JMP | BPF_JSET | BPF_K, BPF_JMP | BPF_JGT | BPF_X,
	BPF_JMP | BPF_JGE | BPF_X, BPF_JMP | BPF_JEQ | BPF_X, BPF_JMP | BPF_JSET | BPF_X,
	BPF_ALU | BPF_ADD | BPF_K, BPF_ALU | BPF_SUB | BPF_K, BPF_ALU | BPF_MUL | BPF_K,
	BPF_ALU | BPF_DIV | BPF_K, BPF_ALU | BPF_MOD | BPF_K, BPF_ALU | BPF_AND | BPF_K,
	BPF_ALU | BPF_OR | BPF_K, BPF_ALU | BPF_XOR | BPF_K, BPF_ALU | BPF_LSH | BPF_K,
	BPF_ALU | BPF_RSH | BPF_K, BPF_ALU | BPF_ADD | BPF_X, BPF_ALU | BPF_SUB | BPF_X,
	BPF_ALU | BPF_MUL | BPF_X, BPF_ALU | BPF_DIV | BPF_X, BPF_ALU | BPF_MOD | BPF_X,
	BPF_ALU | BPF_AND | BPF_X, BPF_ALU | BPF_OR | BPF_X, BPF_ALU | BPF_XOR | BPF_X,
	BPF_ALU | BPF_LSH | BPF_X, BPF_ALU | BPF_RSH | BPF_X, BPF_ALU | BPF_NEG,
	BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA};

/* rand_k: an operand that the checker accepts, biased towards interesting packet offsets. */
static uint32_t rand_k(uint16_t code, unsigned i, unsigned len)
{
	uint32_t r = rnd();
	switch (code) {
	case BPF_LD | BPF_MEM: case BPF_LDX | BPF_MEM: case BPF_ST: case BPF_STX:
		return r % BPF_MEMWORDS;
	case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_K:
		return r % 32;
	case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_MOD | BPF_K:
		return r % 4 ? r % 17 + 1 : r | 1;
	case BPF_JMP | BPF_JA:
		return r % (len - i - 1);
	default:
		return r % 4 == 0 ? rnd() : r % 4 == 1 ? 0xfffffff0u + r % 16 : r % 80;
	}
}

/* rand_prog: st M[0..15] prologue (libpcap 1.10 leaves scratch memory uninitialised), a
   random body with forward jumps only, and a RET K / RET A tail. */
static unsigned rand_prog(struct bpf_insn *p, unsigned len)
{
	unsigned i = 0;
	for (; i < BPF_MEMWORDS; i++)
		p[i] = (struct bpf_insn)S(BPF_ST, i);
	for (; i < len - 2; i++) {
		uint16_t code = BODY_OPS[rnd() % N(BODY_OPS)];
		unsigned room = len - i - 1;
		p[i] = (struct bpf_insn)J(code, rand_k(code, i, len), (uint8_t)(rnd() % room % 256),
					  (uint8_t)(rnd() % room % 256));
	}
	p[len - 2] = (struct bpf_insn)S(BPF_RET | BPF_A, 0);
	p[len - 1] = (struct bpf_insn)S(BPF_RET | BPF_K, rnd());
	return len;
}

static void test_random_vs_libpcap(void)
{
	enum { PROGS = 3000, PKTS = 12 };
	struct bpf_insn prog[64];
	unsigned mismatches = 0;

	for (unsigned n = 0; n < PROGS; n++) {
		unsigned len = rand_prog(prog, BPF_MEMWORDS + 2 + rnd() % 40);
		if (ffpf_cbpf_check(prog, len, NULL, 0) != 0) {
			CHECK(0);
			continue;
		}
		for (unsigned t = 0; t < PKTS; t++) {
			uint32_t caplen = rnd() % 72, wirelen = caplen + rnd() % 3 * (rnd() % 2000);
			uint8_t *pkt = malloc(caplen ? caplen : 1);
			for (uint32_t b = 0; b < caplen; b++)
				pkt[b] = (uint8_t)(rnd() % 3 ? rnd() % 16 : rnd());
			uint32_t ours = ffpf_cbpf_run(prog, pkt, wirelen, caplen);
			uint32_t theirs = bpf_filter(prog, pkt, wirelen, caplen);
			if (ours != theirs && mismatches++ < 5)
				fprintf(stderr, "random prog %u pkt %u: ffpf %u, libpcap %u\n", n, t,
					ours, theirs);
			free(pkt);
		}
	}
	CHECK_EQ_U(mismatches, 0u);
}

int main(void)
{
	test_loads();
	test_mem();
	test_alu();
	test_div_zero();
	test_misc_ret();
	test_jumps();
	test_out_of_bounds();
	test_ancillary();
	test_checker();
	test_batch();
	test_vlan_offline();
	test_random_vs_libpcap();
	return tl_done("test_cbpf");
}
