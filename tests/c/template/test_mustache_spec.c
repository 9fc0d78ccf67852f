/* Runs the official Mustache spec (JSON files of mustache/spec v1.4.2)
 * against the template engine in HTML mode. The spec directory is argv[1],
 * by default ../../../shared/mustache-spec (relative to tests/c). The core
 * modules must all pass; the optional ~inheritance and ~dynamic-names
 * modules are reported but do not fail the run; ~lambdas is skipped (no
 * callable data). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>
#include "template.h"

static const char *const core_files[] = {
	"comments.json", "delimiters.json", "interpolation.json",
	"inverted.json", "partials.json", "sections.json"
};
static const char *const optional_files[] = {
	"~inheritance.json", "~dynamic-names.json"
};

typedef struct {
	int passed, failed;
} tally;

/* The same jansson data behind the value interface's optional callbacks
 * (lookup_hashed, scalar), as the PHP value provider uses them: the spec
 * runs a second time through that path. A wrong hash counts as a failure. */
static int bad_hashes;

static mih_tpl_value_type j_type(const json_t *v)
{
	switch (json_typeof(v)) {
		case JSON_OBJECT: return MIH_TPL_VALUE_MAP;
		case JSON_ARRAY: return MIH_TPL_VALUE_LIST;
		case JSON_STRING: return MIH_TPL_VALUE_STRING;
		case JSON_INTEGER: return MIH_TPL_VALUE_INT;
		case JSON_REAL: return MIH_TPL_VALUE_REAL;
		case JSON_TRUE: case JSON_FALSE: return MIH_TPL_VALUE_BOOL;
		default: return MIH_TPL_VALUE_NULL;
	}
}

static mih_tpl_value_type h_type_of(void *ctx, const void *v)
{
	(void)ctx;
	return j_type(v);
}

static int h_bool(void *ctx, const void *v)
{
	(void)ctx;
	return json_is_true((const json_t *)v);
}

static int64_t h_int(void *ctx, const void *v)
{
	(void)ctx;
	return json_integer_value(v);
}

static double h_real(void *ctx, const void *v)
{
	(void)ctx;
	return json_real_value(v);
}

static const char *h_string(void *ctx, const void *v, size_t *len)
{
	(void)ctx;
	*len = json_string_length(v);
	return json_string_value(v);
}

static size_t h_size(void *ctx, const void *v)
{
	(void)ctx;
	return json_is_array((const json_t *)v) ? json_array_size(v) : json_object_size(v);
}

static const void *h_item(void *ctx, const void *list, size_t i)
{
	(void)ctx;
	return json_array_get(list, i);
}

static const void *h_lookup(void *ctx, const void *map, const char *name, size_t len)
{
	(void)ctx;
	return json_object_getn(map, name, len);
}

static const void *h_lookup_hashed(void *ctx, const void *map, const char *name, size_t len, uint64_t hash)
{
	bad_hashes += hash != mih_tpl_name_hash(name, len);
	return h_lookup(ctx, map, name, len);
}

static int h_map_each(void *ctx, const void *map, mih_tpl_map_visit visit, void *arg)
{
	const char *key;
	json_t *value;
	int rc;

	(void)ctx;
	json_object_foreach((json_t *)map, key, value) {
		if ((rc = visit(arg, key, strlen(key), value)) != 0) {
			return rc;
		}
	}
	return 0;
}

static void h_scalar(void *ctx, const void *v, mih_tpl_scalar *out)
{
	out->type = h_type_of(ctx, v);
	switch (out->type) {
		case MIH_TPL_VALUE_STRING:
			out->u.string.bytes = h_string(ctx, v, &out->u.string.len);
			break;
		case MIH_TPL_VALUE_INT:
			out->u.integer = h_int(ctx, v);
			break;
		case MIH_TPL_VALUE_REAL:
			out->u.real = h_real(ctx, v);
			break;
		case MIH_TPL_VALUE_BOOL:
			out->u.boolean = h_bool(ctx, v);
			break;
		default:
			break;
	}
}

static const mih_tpl_value_ops hashed_ops = {
	h_type_of, h_bool, h_int, h_real, h_string, h_size, h_item, h_lookup, h_map_each,
	h_lookup_hashed, h_scalar
};

static int through_hashed_ops;

static void print_quoted(const char *s)
{
	json_t *str = json_string(s);

	json_dumpf(str, stderr, JSON_ENCODE_ANY);
	json_decref(str);
}

static void show_failure(const char *file, const char *name, const char *template,
	const char *expected, const char *got)
{
	fprintf(stderr, "FAIL %s: %s\n  template: ", file, name);
	print_quoted(template);
	fprintf(stderr, "\n  expected: ");
	print_quoted(expected);
	fprintf(stderr, "\n  got:      %s\n", got);
}

static int run_case(const char *file, json_t *test)
{
	const char *name = json_string_value(json_object_get(test, "name"));
	json_t *tmpl = json_object_get(test, "template");
	json_t *expected = json_object_get(test, "expected");
	mih_tpl_error err;
	mih_tpl *tpl;
	char *out = NULL, shown[400];
	size_t outlen = 0;
	int ok;

	tpl = mih_tpl_compile(json_string_value(tmpl), json_string_length(tmpl), MIH_TPL_HTML, &err);
	if (!tpl) {
		snprintf(shown, sizeof(shown), "(compile error at %u:%u: %s)", err.line, err.column, err.message);
		show_failure(file, name, json_string_value(tmpl), json_string_value(expected), shown);
		return 0;
	}
	if ((through_hashed_ops
			? mih_tpl_render_values(tpl, &hashed_ops, NULL, json_object_get(test, "data"),
				json_object_get(test, "partials"), &out, &outlen, &err)
			: mih_tpl_render(tpl, json_object_get(test, "data"), json_object_get(test, "partials"),
				&out, &outlen, &err)) != 0) {
		snprintf(shown, sizeof(shown), "(render error at %u:%u: %s)", err.line, err.column, err.message);
		show_failure(file, name, json_string_value(tmpl), json_string_value(expected), shown);
		mih_tpl_free(tpl);
		return 0;
	}
	ok = outlen == json_string_length(expected) && memcmp(out, json_string_value(expected), outlen) == 0;
	if (!ok) {
		json_t *got = json_stringn(out, outlen);
		char *dumped = json_dumps(got, JSON_ENCODE_ANY);
		show_failure(file, name, json_string_value(tmpl), json_string_value(expected), dumped);
		free(dumped);
		json_decref(got);
	}
	free(out);
	mih_tpl_free(tpl);
	return ok;
}

static int run_file(const char *dir, const char *file, tally *t)
{
	char path[1024];
	json_error_t jerr;
	json_t *doc, *tests, *test;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	doc = json_load_file(path, 0, &jerr);
	if (!doc) {
		fprintf(stderr, "cannot read %s: %s\n", path, jerr.text);
		return -1;
	}
	tests = json_object_get(doc, "tests");
	json_array_foreach(tests, i, test) {
		if (run_case(file, test)) {
			t->passed++;
		} else {
			t->failed++;
		}
	}
	json_decref(doc);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "../../../shared/mustache-spec";
	tally core = {0, 0}, optional = {0, 0}, hashed = {0, 0};
	struct stat sb;
	size_t i;

	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		printf("mustache spec: skipped, no spec directory at %s (pass its path as the first argument)\n", dir);
		return 0;
	}
	for (i = 0; i < sizeof(core_files) / sizeof(core_files[0]); i++) {
		if (run_file(dir, core_files[i], &core) != 0) {
			core.failed++;
		}
	}
	for (i = 0; i < sizeof(optional_files) / sizeof(optional_files[0]); i++) {
		run_file(dir, optional_files[i], &optional);
	}
	printf("mustache spec: %d passed, %d failed\n", core.passed, core.failed);
	printf("mustache spec optional modules (~inheritance, ~dynamic-names; ~lambdas skipped): "
		"%d passed, %d failed\n", optional.passed, optional.failed);
	/* again, through the hashed-lookup and scalar callbacks */
	through_hashed_ops = 1;
	for (i = 0; i < sizeof(core_files) / sizeof(core_files[0]); i++) {
		if (run_file(dir, core_files[i], &hashed) != 0) {
			hashed.failed++;
		}
	}
	for (i = 0; i < sizeof(optional_files) / sizeof(optional_files[0]); i++) {
		run_file(dir, optional_files[i], &hashed);
	}
	printf("mustache spec (core and optional) through lookup_hashed and scalar: %d passed, %d failed, "
		"%d wrong name hashes\n", hashed.passed, hashed.failed, bad_hashes);
	return core.failed || bad_hashes || hashed.failed > optional.failed ? 1 : 0;
}
