/* libFuzzer harness for the template engine. The first byte picks the mode,
 * the rest is the template, then (after the first NUL, if any) a JSON data
 * document; data that does not parse is replaced by a fixed sample. Checks
 * that JSON-mode output always passes the engine's validator (which a
 * template proven valid at compile time skips, so this tests the proof) and
 * parses with jansson too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "template.h"
#include "template_internal.h"

static const char sample_data[] =
	"{\"a\": \"x\\\"y\", \"b\": [1, 2.5, true, null, {\"c\": \"\\u2028\"}], \"n\": 0,"
	" \"o\": {\"a\": {\"b\": \"deep\"}}, \"s\": \"{{a}}\", \"name\": \"p\"}";
static const char sample_partials[] =
	"{\"p\": \"{{a}}-{{>q}}\", \"q\": \"{{#b}}{{.}},{{/b}}\", \"r\": \"x{{>r}}\","
	" \"j\": \"\\\"{{a}}\\\"\", \"bad\": \"{{#x}}\", \"parent\": \"[{{$blk}}d{{/blk}}]\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *fallback, *partials;
	const char *src, *nul;
	size_t src_len;
	json_t *doc = NULL;
	mih_tpl_error err;
	mih_tpl *tpl;
	char *out = NULL;
	size_t outlen = 0;

	if (size < 1) {
		return 0;
	}
	if (!fallback) {
		fallback = json_loads(sample_data, 0, NULL);
		partials = json_loads(sample_partials, 0, NULL);
	}
	src = (const char *)data + 1;
	src_len = size - 1;
	nul = memchr(src, '\0', src_len);
	if (nul) {
		doc = json_loadb(nul + 1, src_len - (size_t)(nul - src) - 1, JSON_DECODE_ANY, NULL);
		src_len = (size_t)(nul - src);
	}
	tpl = mih_tpl_compile(src, src_len, (mih_tpl_mode)(data[0] % 4), &err);
	if (tpl) {
		if (mih_tpl_render(tpl, doc ? doc : fallback, partials, &out, &outlen, &err) == 0) {
			if (out[outlen] != '\0') {
				abort();
			}
			if (mih_tpl_get_mode(tpl) == MIH_TPL_JSON) {
				json_error_t jerr;
				char why[128];
				size_t bad;
				json_t *parsed;
				if (tpl_json_validate(out, outlen, &bad, why, sizeof(why)) != 0) {
					fprintf(stderr, "JSON output (proven: %d) fails the validator: %s\n",
						tpl->json_proven, why);
					abort();
				}
				parsed = json_loadb(out, outlen, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
				/* jansson alone refuses numbers out of its range */
				if (!parsed && !strstr(jerr.text, "too big") && !strstr(jerr.text, "overflow")) {
					fprintf(stderr, "JSON output jansson refuses: %s\n", jerr.text);
					abort();
				}
				json_decref(parsed);
			}
			free(out);
		} else if (out || err.line == 0 || err.column == 0) {
			abort();
		}
		mih_tpl_free(tpl);
	} else if (err.line == 0 || err.column == 0) {
		abort();
	}
	json_decref(doc);
	return 0;
}
