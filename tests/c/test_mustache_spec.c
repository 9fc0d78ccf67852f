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
	if (mih_tpl_render(tpl, json_object_get(test, "data"), json_object_get(test, "partials"),
		&out, &outlen, &err) != 0) {
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
	tally core = {0, 0}, optional = {0, 0};
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
	return core.failed ? 1 : 0;
}
