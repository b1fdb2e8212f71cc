/* args.c — bind request arguments to a class's parameter table (control plane). */
#include "graph/args.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "util/strbuf.h"

static int find_param(const struct ffpf_class *cls, const char *key)
{
	for (unsigned i = 0; i < cls->nparams; i++)
		if (!strcasecmp(cls->params[i].name, key))
			return (int)i;
	return -1;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return (errno || *end) ? -1 : 0;
}

static int parse_bool(const char *s, uint64_t *v)
{
	static const char *yes[] = {"1", "true", "yes", "on"}, *no[] = {"0", "false", "no", "off"};
	for (unsigned i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i]))
			return *v = 1, 0;
		if (!strcasecmp(s, no[i]))
			return *v = 0, 0;
	}
	return -1;
}

/* Index of s among the '|'-separated choices (case-insensitive), or -1. */
static int enum_index(const char *choices, const char *s)
{
	size_t n = strlen(s);
	int i = 0;
	for (const char *p = choices; p && *p; i++) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && !strncasecmp(p, s, n))
			return i;
		p = bar ? bar + 1 : NULL;
	}
	return -1;
}

/* The choice's own spelling, so that classes compare with strcmp and "RANDOM" and "random"
 * are one function to the overlay. */
static char *canonical_choice(const char *choices, const char *s)
{
	int k = enum_index(choices, s);
	const char *p = choices;
	while (k-- > 0)
		p = strchr(p, '|') + 1;
	return strndup(p, strcspn(p, "|"));
}

/* Check and convert one value; writes the reason to err on failure. */
static int check_value(const struct ffpf_param *p, const char *s, uint64_t *v, char *err, size_t n)
{
	*v = 0;
	switch (p->type) {
	case FFPF_P_STR:
		return 0;
	case FFPF_P_ENUM:
		if (enum_index(p->choices, s) >= 0)
			return 0;
		snprintf(err, n, "parameter '%s' must be one of %s, not \"%s\"", p->name, p->choices, s);
		return -1;
	case FFPF_P_BOOL:
		if (!parse_bool(s, v))
			return 0;
		snprintf(err, n, "parameter '%s' must be true or false, not \"%s\"", p->name, s);
		return -1;
	case FFPF_P_U64:
		if (parse_u64(s, v)) {
			snprintf(err, n, "parameter '%s' must be a non-negative integer, not \"%s\"", p->name, s);
			return -1;
		}
		if (*v < p->min || (p->max && *v > p->max)) {
			if (p->max)
				snprintf(err, n, "parameter '%s' must be between %llu and %llu, not %s", p->name,
					 (unsigned long long)p->min, (unsigned long long)p->max, s);
			else
				snprintf(err, n, "parameter '%s' must be at least %llu, not %s", p->name,
					 (unsigned long long)p->min, s);
			return -1;
		}
		return 0;
	}
	return -1;
}

static void list_params(const struct ffpf_class *cls, char *err, size_t n)
{
	size_t len = strlen(err);
	if (!cls->nparams) {
		snprintf(err + len, n - len, " (class '%s' takes no parameters)", cls->name);
		return;
	}
	snprintf(err + len, n - len, " (class '%s' takes:", cls->name);
	for (unsigned i = 0; i < cls->nparams; i++) {
		len = strlen(err);
		snprintf(err + len, n - len, " %s", cls->params[i].name);
	}
	len = strlen(err);
	snprintf(err + len, n - len, ")");
}

static struct ffpf_args *args_alloc(const struct ffpf_class *cls)
{
	struct ffpf_args *a = calloc(1, sizeof(*a));
	unsigned n = cls->nparams ? cls->nparams : 1;
	if (!a)
		return NULL;
	a->cls = cls;
	a->str = calloc(n, sizeof(*a->str));
	a->u64 = calloc(n, sizeof(*a->u64));
	a->given = calloc(n, 1);
	if (!a->str || !a->u64 || !a->given) {
		ffpf_args_free(a);
		return NULL;
	}
	return a;
}

/* Place argument k of the element: positional ones fill parameters in declaration order. */
static int bind_one(struct ffpf_args *a, const struct ffpf_arg *arg, unsigned *next_pos, char *err,
		    size_t n)
{
	const struct ffpf_class *cls = a->cls;
	int i;

	if (arg->key) {
		i = find_param(cls, arg->key);
		if (i < 0) {
			snprintf(err, n, "unknown parameter '%s'", arg->key);
			list_params(cls, err, n);
			return -1;
		}
	} else {
		while (*next_pos < cls->nparams && a->given[*next_pos])
			(*next_pos)++;
		if (*next_pos >= cls->nparams) {
			snprintf(err, n, "too many arguments: \"%s\" has no parameter to go to", arg->value);
			list_params(cls, err, n);
			return -1;
		}
		i = (int)(*next_pos)++;
	}
	if (a->given[i]) {
		snprintf(err, n, "parameter '%s' given twice", cls->params[i].name);
		return -1;
	}
	if (check_value(&cls->params[i], arg->value, &a->u64[i], err, n))
		return -1;
	a->given[i] = 1;
	if (cls->params[i].type == FFPF_P_ENUM)
		a->str[i] = canonical_choice(cls->params[i].choices, arg->value);
	else
		a->str[i] = strdup(arg->value);
	return a->str[i] ? 0 : -1;
}

static int apply_defaults(struct ffpf_args *a, char *err, size_t n)
{
	for (unsigned i = 0; i < a->cls->nparams; i++) {
		const struct ffpf_param *p = &a->cls->params[i];
		if (a->given[i])
			continue;
		if (!p->def) {
			snprintf(err, n, "missing required parameter '%s' (%s)", p->name, p->help);
			return -1;
		}
		if (check_value(p, p->def, &a->u64[i], err, n))
			return -1;
		a->str[i] = strdup(p->def);
		if (!a->str[i])
			return -1;
	}
	return 0;
}

/* Canonical text: every parameter in declaration order, so equal settings compare equal
 * whether given positionally, by key, or left at their defaults. */
static int make_canon(struct ffpf_args *a)
{
	struct strbuf sb = {0};
	for (unsigned i = 0; i < a->cls->nparams; i++) {
		const struct ffpf_param *p = &a->cls->params[i];
		if (i)
			sb_putc(&sb, ',');
		sb_printf(&sb, "%s=", p->name);
		if (p->type == FFPF_P_U64 || p->type == FFPF_P_BOOL)
			sb_printf(&sb, "%llu", (unsigned long long)a->u64[i]);
		else
			sb_quote(&sb, a->str[i]);
	}
	a->canon = sb_take(&sb);
	return a->canon ? 0 : -1;
}

int ffpf_args_bind(const struct ffpf_class *cls, const struct ffpf_ast *el, struct ffpf_args **out,
		   char *err, size_t errlen, struct ffpf_loc *bad_loc)
{
	struct ffpf_args *a = args_alloc(cls);
	unsigned next_pos = 0;

	*out = NULL;
	*bad_loc = el->loc;
	if (!a)
		return snprintf(err, errlen, "out of memory"), -ENOMEM;
	for (size_t k = 0; k < el->nargs; k++) {
		if (bind_one(a, &el->args[k], &next_pos, err, errlen)) {
			*bad_loc = el->args[k].loc;
			ffpf_args_free(a);
			return -EINVAL;
		}
	}
	if (apply_defaults(a, err, errlen) || make_canon(a)) {
		ffpf_args_free(a);
		return -EINVAL;
	}
	*out = a;
	return 0;
}

void ffpf_args_free(struct ffpf_args *a)
{
	if (!a)
		return;
	for (unsigned i = 0; a->str && i < a->cls->nparams; i++)
		free(a->str[i]);
	free(a->str);
	free(a->u64);
	free(a->given);
	free(a->canon);
	free(a);
}

static int idx_of(const struct ffpf_args *a, const char *name)
{
	int i = find_param(a->cls, name);
	return i;
}

const char *ffpf_arg_str(const struct ffpf_args *a, const char *name)
{
	int i = idx_of(a, name);
	return i < 0 ? NULL : a->str[i];
}

uint64_t ffpf_arg_u64(const struct ffpf_args *a, const char *name)
{
	int i = idx_of(a, name);
	return i < 0 ? 0 : a->u64[i];
}

int ffpf_arg_given(const struct ffpf_args *a, const char *name)
{
	int i = idx_of(a, name);
	return i < 0 ? 0 : a->given[i];
}
