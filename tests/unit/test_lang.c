/* test_lang.c — unit tests of the request language: parser, canonical form, AST, diagnostics. */
#include "lang/ast.h"
#include "testlib.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct ffpf_request *parse(const char *src, struct ffpf_diag *d)
{
	struct ffpf_request *r = NULL;
	int rc = ffpf_lang_parse(src, strlen(src), NULL, &r, d);
	if (rc)
		fprintf(stderr, "unexpected error for [%s]:\n%s", src, d->text);
	CHECK(rc == 0 && r != NULL);
	return r;
}

/* A valid request: canonical form as expected, and the canonical form parses to itself. */
static void ok(const char *src, const char *canon)
{
	struct ffpf_diag d;
	struct ffpf_request *r = parse(src, &d), *r2 = NULL;
	char *s = r ? ffpf_request_format(r) : NULL, *s2 = NULL;

	CHECK_STR(s, canon);
	if (s && ffpf_lang_parse(s, strlen(s), NULL, &r2, &d) == 0)
		s2 = ffpf_request_format(r2);
	CHECK_STR(s2, canon);
	free(s);
	free(s2);
	ffpf_request_free(r);
	ffpf_request_free(r2);
}

/* An invalid request: the error code, where it is, and words of the message. */
static void bad_rc(const char *src, size_t len, int rc, unsigned line, unsigned col, const char *words)
{
	struct ffpf_request *r = (struct ffpf_request *)&r; /* must be reset to NULL */
	struct ffpf_diag d;
	char head[64];
	int got = ffpf_lang_parse(src, len, NULL, &r, &d);

	CHECK_EQ_U((unsigned)-got, (unsigned)-rc);
	CHECK(r == NULL);
	CHECK_EQ_U(d.loc.line, line);
	CHECK_EQ_U(d.loc.col, col);
	tl_checks++;
	if (!strstr(d.msg, words)) {
		tl_failures++;
		fprintf(stderr, "message for [%s] is \"%s\", wanted \"%s\"\n", src, d.msg, words);
	}
	snprintf(head, sizeof head, "request:%u:%u: error: ", line, col);
	CHECK(strncmp(d.text, head, strlen(head)) == 0);
}

static void bad(const char *src, unsigned line, unsigned col, const char *words)
{
	bad_rc(src, strlen(src), -EINVAL, line, col, words);
}

static void test_paper_examples(void)
{
	ok("[[ (dev,expr=eth0)|(dev,expr=eth1) ]> (BPF,expr=\"tcp and dst port 80\") ]> "
	   "[(pktcount)|(bytecount)]",
	   "[[(dev,expr=eth0)|(dev,expr=eth1)]>(bpf,expr=\"tcp and dst port 80\")]>"
	   "[(pktcount)|(bytecount)]");
	ok("[ (file,\"a.pcap\") | (file,\"b.pcap\") ] > (bpf,\"tcp dst port 80\") > [ (count) | (bytes) ]",
	   "[(file,\"a.pcap\")|(file,\"b.pcap\")]>(bpf,\"tcp dst port 80\")>[(count)|(bytes)]");
	ok("src:(file,\"x.pcap\") > f:(bpf,\"udp\") > (count); @f > (dump,\"u.pcap\")",
	   "src:(file,\"x.pcap\")>f:(bpf,\"udp\")>(count);@f>(dump,\"u.pcap\")");
	/* the paper's own layout, across lines */
	ok("[[ (dev,expr=eth0)|(dev,expr=eth1) ]>\n (BPF,expr=\"tcp and dest 80\") ]> [(pkthcount)|(bytecount)]",
	   "[[(dev,expr=eth0)|(dev,expr=eth1)]>(bpf,expr=\"tcp and dest 80\")]>[(pkthcount)|(bytecount)]");
}

static void test_valid_forms(void)
{
	ok("(count)", "(count)");
	ok("  (count)  ;  ", "(count)");
	ok("(a);(b);", "(a);(b)");
	ok("(a, eth0, a.pcap, /tmp/x.pcap, 10.0.0.1, 1434, -5)",
	   "(a,eth0,a.pcap,/tmp/x.pcap,10.0.0.1,1434,-5)");
	ok("(a, ip6=fe80::1, port=80:90, rate=1e6, x=a+b*c)", "(a,ip6=fe80::1,port=80:90,rate=1e6,x=a+b*c)");
	ok("(a,'single',\"\",k=\"\")", "(a,\"single\",\"\",k=\"\")");
	ok("(a,\"q\\\"b\\\\s\\n\\t\\r\\x41\\'\")", "(a,\"q\\\"b\\\\s\\n\\t\\rA'\")");
	ok("(a,\"\\x01\\x7f\")", "(a,\"\\x01\\x7f\")");
	ok("[(a)]", "[(a)]");
	ok("[[[(a)]]]>(b)", "[[[(a)]]]>(b)");
	ok("x:(a) > @x", "x:(a)>@x");
	ok("@later > (b); later:(a)", "@later>(b);later:(a)");
	ok("(a) # comment (b) [ | ;\n> (b)#x", "(a)>(b)");
	ok("# only a comment first\n(a)", "(a)");
	ok("\t(a)\r\n>\r\n(b)\r\n", "(a)>(b)");
	ok("(a , k = v , \"p\" )", "(a,k=v,\"p\")");
	ok("l : ( a )", "l:(a)");
	ok("(a,caf\xc3\xa9,\"na\xc3\xafve\")", "(a,caf\xc3\xa9,\"na\xc3\xafve\")");
	ok("(a,b<c,!x,$y,%z,&w,{v},~u,?t,^s,`r)", "(a,b<c,!x,$y,%z,&w,{v},~u,?t,^s,`r)");
	ok("[(a)|(b)|(c)>(d)]>[(e)|[(f)|(g)]]", "[(a)|(b)|(c)>(d)]>[(e)|[(f)|(g)]]");
}

static void test_case_insensitive(void)
{
	struct ffpf_diag d;
	struct ffpf_request *r = parse("Lbl:(BpF, Expr=\"TCP\", Word)", &d);
	const struct ffpf_ast *el;

	if (!r)
		return;
	el = r->chains[0]->kids[0];
	CHECK_STR(el->cls, "bpf");
	CHECK_STR(el->cls_orig, "BpF");
	CHECK_STR(el->label, "Lbl");      /* labels keep their case */
	CHECK_STR(el->args[0].key, "Expr"); /* so do keys and values */
	CHECK_STR(el->args[0].value, "TCP");
	CHECK_STR(el->args[1].value, "Word");
	ffpf_request_free(r);
	ok("(COUNT)", "(count)");
}

static void test_ast_shape(void)
{
	struct ffpf_diag d;
	struct ffpf_request *r = parse("src:(file,\"x.pcap\",snap=96) > [(a)|(b)>@src]; @src", &d);
	const struct ffpf_ast *c0, *el, *g;

	if (!r)
		return;
	CHECK_EQ_U(r->nchains, 2);
	c0 = r->chains[0];
	CHECK(c0->kind == FFPF_AST_CHAIN);
	CHECK_EQ_U(c0->nkids, 2);
	el = c0->kids[0];
	CHECK(el->kind == FFPF_AST_ELEMENT);
	CHECK_STR(el->label, "src");
	CHECK_STR(el->cls, "file");
	CHECK_EQ_U(el->nargs, 2);
	CHECK(el->args[0].key == NULL);
	CHECK_STR(el->args[0].value, "x.pcap");
	CHECK_EQ_U(el->args[0].quoted, 1);
	CHECK_STR(el->args[1].key, "snap");
	CHECK_STR(el->args[1].value, "96");
	CHECK_EQ_U(el->args[1].quoted, 0);
	CHECK_EQ_U(el->args[1].vloc.col, 25);
	CHECK_EQ_U(el->args[1].vspan, 2);
	CHECK_EQ_U(el->loc.col, 1);
	CHECK_EQ_U(el->cls_loc.col, 6);
	CHECK_EQ_U(el->span, strlen("src:(file,\"x.pcap\",snap=96)"));
	g = c0->kids[1];
	CHECK(g->kind == FFPF_AST_GROUP);
	CHECK_EQ_U(g->nkids, 2);
	CHECK(g->kids[0]->kind == FFPF_AST_CHAIN && g->kids[0]->nkids == 1);
	CHECK(g->kids[1]->kind == FFPF_AST_CHAIN && g->kids[1]->nkids == 2);
	CHECK(g->kids[1]->kids[1]->kind == FFPF_AST_REF);
	CHECK_STR(g->kids[1]->kids[1]->ref, "src");
	CHECK_EQ_U(g->span, strlen("[(a)|(b)>@src]"));
	CHECK(r->chains[1]->kids[0]->kind == FFPF_AST_REF);
	CHECK_EQ_U(r->chains[1]->kids[0]->loc.col, 47);
	ffpf_request_free(r);
}

static void test_escapes(void)
{
	struct ffpf_diag d;
	struct ffpf_request *r = parse("(a,\"\\\"\\\\\\n\\t\\xff\\x20\",'\\'\"')", &d);
	if (!r)
		return;
	CHECK_STR(r->chains[0]->kids[0]->args[0].value, "\"\\\n\t\xff ");
	CHECK_STR(r->chains[0]->kids[0]->args[1].value, "'\"");
	ffpf_request_free(r);
}

static void test_line_numbers(void)
{
	struct ffpf_diag d;
	struct ffpf_request *r = parse("# header\n(a)\n  >\n\t[ (b)\n  | x:(c) ]", &d);
	const struct ffpf_ast *g;
	if (!r)
		return;
	CHECK_EQ_U(r->chains[0]->kids[0]->loc.line, 2);
	CHECK_EQ_U(r->chains[0]->kids[0]->loc.col, 1);
	g = r->chains[0]->kids[1];
	CHECK_EQ_U(g->loc.line, 4);
	CHECK_EQ_U(g->loc.col, 2);
	CHECK_EQ_U(g->kids[0]->kids[0]->loc.line, 4);
	CHECK_EQ_U(g->kids[0]->kids[0]->loc.col, 4);
	CHECK_EQ_U(g->kids[1]->kids[0]->loc.line, 5);
	CHECK_EQ_U(g->kids[1]->kids[0]->loc.col, 5);
	CHECK_EQ_U(g->kids[1]->kids[0]->cls_loc.col, 8);
	ffpf_request_free(r);
}

static void test_syntax_errors(void)
{
	bad("", 1, 1, "empty request");
	bad("  # nothing\n", 1, 1, "empty request");
	bad("[ (file,\"a.pcap\" | (file,\"b.pcap\") ]", 1, 18, "expected ')' or ',' after argument");
	bad("()", 1, 2, "expected a class name after '('");
	bad("(\"bpf\")", 1, 2, "expected a class name after '('");
	bad("(a,\"abc)", 1, 9, "unterminated string (started at 1:4)");
	bad("(a,\n  'abc\n)", 2, 7, "unterminated string (started at 2:3)");
	bad("(a) > ]", 1, 7, "unbalanced ']'");
	bad("[(a)]]", 1, 6, "unbalanced ']'");
	bad("(a) | (b)", 1, 5, "'|' is only allowed inside [ ]");
	bad("| (b)", 1, 1, "'|' is only allowed inside [ ]");
	bad("x:[(a)]", 1, 3, "label 'x' must be followed by '('");
	bad("x: @y", 1, 4, "label 'x' must be followed by '('");
	bad("count > (b)", 1, 1, "unexpected word 'count'");
	bad("(a,,b)", 1, 4, "empty argument");
	bad("(a,)", 1, 4, "empty argument");
	bad("(a,=b)", 1, 4, "missing key before '='");
	bad("(a,k=)", 1, 6, "missing value after 'k='");
	bad("(a,\"k\"=v)", 1, 4, "key must be a bare word");
	bad("(a,b=c=d)", 1, 7, "expected ')' or ',' after argument");
	bad("(a b)", 1, 4, "expected ')' or ',' after class name");
	bad("(a,\"x\\q\")", 1, 6, "unknown escape \\q");
	bad("(a,\"\\x4g\")", 1, 5, "two hex digits");
	bad("(a,\"\\x00\")", 1, 5, "cannot contain NUL");
	bad("(a", 1, 3, "missing ')' to close '(' at 1:1");
	bad("(a,\n  b  # why\n", 2, 4, "missing ')' to close '(' at 1:1");
	bad("[(a)|(b)", 1, 9, "missing ']' to close '[' at 1:1");
	bad("[(a);(b)]", 1, 5, "missing ']' before ';'");
	bad("[]", 1, 1, "empty group");
	bad("[(a)|]", 1, 6, "after '|'");
	bad("(a) >", 1, 6, "after '>'");
	bad("(a);;(b)", 1, 5, "after ';'");
	bad(";", 1, 1, "at the start of the request");
	bad("(a) (b)", 1, 5, "expected '>' or ';'");
	bad("(a))", 1, 4, "unbalanced ')'");
	bad("(a),(b)", 1, 4, "unexpected ','");
	bad("(1a)", 1, 2, "invalid class name '1a'");
	bad("(a,1k=v)", 1, 4, "invalid key '1k'");
	bad("@", 1, 2, "expected a label name after '@'");
	bad("@9 > (a)", 1, 2, "invalid label '9'");
	bad("9x:(a)", 1, 1, "invalid label '9x'");
	bad("(a)\n > (b)\n > (c d)", 3, 7, "after class name");
}

static void test_semantic_errors(void)
{
	bad("(a) > @f", 1, 7, "undefined label 'f'");
	bad("f:(a) > (b); @g", 1, 14, "undefined label 'g'");
	bad("x:(a) > (b);\n x:(c)", 2, 2, "label 'x' is already defined at 1:1");
	bad("y:(a); @nope; y:(b)", 1, 8, "undefined label 'nope'"); /* the earlier error wins */
	bad("y:(a); y:(b); @nope", 1, 8, "label 'y' is already defined at 1:1");
}

static void test_bad_bytes(void)
{
	bad_rc("(a)\0(b)", 7, -EINVAL, 1, 4, "NUL byte");
	bad_rc("(a,\"x\0\")", 8, -EINVAL, 1, 6, "NUL byte");
	bad("(a)\x01", 1, 4, "invalid byte 0x01");
	bad("(a) # c\x1b[31m", 1, 8, "invalid byte 0x1b");
	bad("(a,\x7f)", 1, 4, "invalid byte 0x7f");
}

static void test_limits(void)
{
	char *s = malloc(FFPF_LANG_MAX_INPUT + 64);
	size_t n = 0;

	if (!s)
		return;
	/* 64 levels of [ ] are fine, 65 are not */
	for (int i = 0; i < 64; i++)
		s[n++] = '[';
	memcpy(s + n, "(a)", 3);
	n += 3;
	for (int i = 0; i < 64; i++)
		s[n++] = ']';
	s[n] = '\0';
	{
		struct ffpf_diag d;
		ffpf_request_free(parse(s, &d));
	}
	memmove(s + 1, s, n + 1);
	s[0] = '[';
	bad_rc(s, n + 1, -E2BIG, 1, 65, "nesting deeper than 64");

	n = 0;
	for (int i = 0; i < FFPF_LANG_MAX_ELEMENTS + 1; i++) {
		memcpy(s + n, "(a);", 4);
		n += 4;
	}
	s[n] = '\0';
	bad_rc(s, n, -E2BIG, 1, 4 * FFPF_LANG_MAX_ELEMENTS + 1, "too many elements");
	s[4 * FFPF_LANG_MAX_ELEMENTS] = '\0';
	{
		struct ffpf_diag d;
		ffpf_request_free(parse(s, &d));
	}

	n = (size_t)sprintf(s, "(a");
	for (int i = 0; i < FFPF_LANG_MAX_ARGS + 1; i++)
		n += (size_t)sprintf(s + n, ",v");
	s[n++] = ')';
	bad_rc(s, n, -E2BIG, 1, 3 + 2 * FFPF_LANG_MAX_ARGS + 1, "too many arguments");

	memset(s, ' ', FFPF_LANG_MAX_INPUT + 1);
	bad_rc(s, FFPF_LANG_MAX_INPUT + 1, -E2BIG, 1, 1, "request too large");
	free(s);
}

/* The exact rendering, including a tab kept in the caret line and a ~ span. */
static void test_rendering(void)
{
	struct ffpf_request *r;
	struct ffpf_diag d;
	const char *src = "(a)\n\t>  (b, x y)\n";

	CHECK(ffpf_lang_parse(src, strlen(src), "req.ffpf", &r, &d) == -EINVAL);
	CHECK_STR(d.text, "req.ffpf:2:11: error: expected ')' or ',' after argument, found 'y'\n"
			  "  \t>  (b, x y)\n"
			  "  \t         ^\n"
			  "  hint: separate arguments with ','; quote values that contain spaces\n");

	/* what the graph builder will do: any message, at an element, with a span */
	src = "(file,\"a\") > (frob, 1)";
	ffpf_diag_set(&d, "request", src, strlen(src), ffpf_loc_at(src, strlen(src), 14), 4,
		      "unknown class '%s'", "frob");
	CHECK_STR(d.text, "request:1:15: error: unknown class 'frob'\n"
			  "  (file,\"a\") > (frob, 1)\n"
			  "                ^~~~\n");
	CHECK_EQ_U(d.loc.col, 15);
	CHECK_STR(d.msg, "unknown class 'frob'");

	/* UTF-8 counts as one column each */
	src = "(a,\"\xc3\xa9\xc3\xa9\" b)";
	CHECK(ffpf_lang_parse(src, strlen(src), NULL, &r, &d) == -EINVAL);
	CHECK_EQ_U(d.loc.col, 9);
	CHECK(strstr(d.text, "\n  (a,\"\xc3\xa9\xc3\xa9\" b)\n          ^\n") != NULL);
}

/* A long line is shown as a window around the caret, and the text stays bounded. */
static void test_long_line(void)
{
	char src[4096];
	struct ffpf_request *r;
	struct ffpf_diag d;
	size_t n = 0;

	n += (size_t)snprintf(src, sizeof src, "(a");
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(src + n, sizeof src - n, ",v%d", i);
	snprintf(src + n, sizeof src - n, ",]");
	CHECK(ffpf_lang_parse(src, strlen(src), NULL, &r, &d) == -EINVAL);
	CHECK(strstr(d.msg, "expected an argument after ','") != NULL);
	CHECK(strstr(d.text, "  ...") != NULL);
	CHECK(strstr(d.text, ",]\n") != NULL);
	CHECK(strlen(d.text) < 400);
}

static void test_api_edges(void)
{
	struct ffpf_request *r = NULL;
	struct ffpf_diag d;
	char *s;

	CHECK(ffpf_lang_parse(NULL, 0, NULL, &r, &d) == -EINVAL);
	CHECK(r == NULL);
	CHECK(ffpf_lang_parse("(a)", 3, NULL, NULL, &d) == -EINVAL);
	CHECK(ffpf_lang_parse("(a) > (b)", 3, NULL, &r, NULL) == 0); /* len wins; d may be NULL */
	s = ffpf_request_format(r);
	CHECK_STR(s, "(a)");
	free(s);
	ffpf_request_free(r);
	ffpf_request_free(NULL);
	CHECK(ffpf_lang_parse("(a) >", 5, NULL, &r, NULL) == -EINVAL);
	{
		struct ffpf_loc l = ffpf_loc_at("ab\ncd", 5, 4);
		CHECK_EQ_U(l.line, 2);
		CHECK_EQ_U(l.col, 2);
		CHECK_EQ_U(l.off, 4);
	}
}

int main(void)
{
	test_paper_examples();
	test_valid_forms();
	test_case_insensitive();
	test_ast_shape();
	test_escapes();
	test_line_numbers();
	test_syntax_errors();
	test_semantic_errors();
	test_bad_bytes();
	test_limits();
	test_rendering();
	test_long_line();
	test_api_edges();
	return tl_done("test_lang");
}
