/* registry.c — the table of function classes, built from classes.def, and lookup by name. */
#include <ffpf/ffpf.h>
#include <strings.h>

#define FFPF_CLASS(x) extern const struct ffpf_class ffpf_fnclass_##x;
#include "fn/classes.def"
#undef FFPF_CLASS

static const struct ffpf_class *const registry[] = {
#define FFPF_CLASS(x) &ffpf_fnclass_##x,
#include "fn/classes.def"
#undef FFPF_CLASS
};

unsigned ffpf_class_count(void)
{
	return sizeof(registry) / sizeof(registry[0]);
}

const struct ffpf_class *ffpf_class_at(unsigned i)
{
	return i < ffpf_class_count() ? registry[i] : NULL;
}

const struct ffpf_class *ffpf_class_find(const char *name)
{
	for (unsigned i = 0; i < ffpf_class_count(); i++) {
		const struct ffpf_class *c = registry[i];
		if (!strcasecmp(c->name, name))
			return c;
		for (const char *const *a = c->aliases; a && *a; a++)
			if (!strcasecmp(*a, name))
				return c;
	}
	return NULL;
}
