/* Unit tests of the template engine (ext/core/template*.c): every mode,
 * JSON-mode typing and escaping, injection attempts, error positions, the
 * partial rules and the compiled-template cache. */
#include <math.h>
#include <jansson.h>
#include "unit.h"
#include "template.h"
#include "template_internal.h"

static char *last_out;
static mih_tpl_error last_err;

/* Compile and render; the output (NULL on error, with last_err set) stays
 * valid until the next call. */
static const char *render_data(const char *src, mih_tpl_mode mode, json_t *data, const char *partials)
{
	json_t *parts = partials ? json_loads(partials, 0, NULL) : NULL;
	mih_tpl *tpl;
	size_t len;

	free(last_out);
	last_out = NULL;
	memset(&last_err, 0, sizeof(last_err));
	tpl = mih_tpl_compile(src, strlen(src), mode, &last_err);
	if (tpl) {
		if (mih_tpl_render(tpl, data, parts, &last_out, &len, &last_err) == 0 && strlen(last_out) != len) {
			fprintf(stderr, "output length mismatch\n");
		}
		mih_tpl_free(tpl);
	}
	json_decref(parts);
	return last_out;
}

static const char *render(const char *src, mih_tpl_mode mode, const char *data, const char *partials)
{
	json_t *d = data ? json_loads(data, JSON_DECODE_ANY, NULL) : NULL;
	const char *out;

	if (data && !d) {
		fprintf(stderr, "bad test data: %s\n", data);
	}
	out = render_data(src, mode, d, partials);
	json_decref(d);
	return out;
}

#define CHECK_ERROR(line_, column_, fragment) do { \
	CHECK_INT(last_err.line, line_); \
	CHECK_INT(last_err.column, column_); \
	if (!strstr(last_err.message, fragment)) { \
		fprintf(stderr, "%s:%d: message \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, \
			last_err.message, fragment); \
		unit_failed_checks++; \
	} \
} while (0)

TEST(mode_names)
{
	mih_tpl_mode m = MIH_TPL_HTML;

	CHECK_INT(mih_tpl_mode_from_name("json", &m), 0);
	CHECK_INT(m, MIH_TPL_JSON);
	CHECK_INT(mih_tpl_mode_from_name("url", &m), 0);
	CHECK_INT(m, MIH_TPL_URL);
	CHECK_INT(mih_tpl_mode_from_name("text", &m), 0);
	CHECK_INT(m, MIH_TPL_TEXT);
	CHECK_INT(mih_tpl_mode_from_name("html", &m), 0);
	CHECK_INT(m, MIH_TPL_HTML);
	CHECK_INT(mih_tpl_mode_from_name("JSON", &m), -1);
	CHECK_INT(mih_tpl_mode_from_name("xml", &m), -1);
	CHECK_INT(mih_tpl_mode_from_name(NULL, &m), -1);
	CHECK_STR(mih_tpl_mode_name(MIH_TPL_URL), "url");
}

TEST(html_mode)
{
	CHECK_STR(render("<p>{{v}}</p>", MIH_TPL_HTML, "{\"v\": \"a&b <i> \\\"q\\\" it's\"}", NULL),
		"<p>a&amp;b &lt;i&gt; &quot;q&quot; it&#39;s</p>");
	CHECK_STR(render("{{{v}}}|{{&v}}", MIH_TPL_HTML, "{\"v\": \"<b>\"}", NULL), "<b>|<b>");
	CHECK_STR(render("{{t}} {{f}} {{n}} {{i}} {{r}} [{{m}}]", MIH_TPL_HTML,
		"{\"t\": true, \"f\": false, \"n\": null, \"i\": -7, \"r\": 2.5}", NULL), "true false  -7 2.5 []");
	CHECK_STR(render("{{l}}", MIH_TPL_HTML, "{\"l\": [1, \"<\"]}", NULL), "[1,&quot;&lt;&quot;]");
}

TEST(text_mode)
{
	CHECK_STR(render("Hi {{name}}: {{t}}/{{f}}/{{r}}/{{n}}/{{o}}", MIH_TPL_TEXT,
		"{\"name\": \"<Ann & \\\"Bo\\\">\", \"t\": true, \"f\": false, \"r\": 1e25, \"n\": null,"
		" \"o\": {\"a\": \"x\"}}", NULL),
		"Hi <Ann & \"Bo\">: true/false/1.0e+25//{\"a\":\"x\"}");
}

TEST(url_mode)
{
	CHECK_STR(render("/users/{{id}}/files/{{name}}?q={{q}}", MIH_TPL_URL,
		"{\"id\": 42, \"name\": \"a b/c?d#e&f\", \"q\": \"~._-AZaz09\\u00e9%\"}", NULL),
		"/users/42/files/a%20b%2Fc%3Fd%23e%26f?q=~._-AZaz09%C3%A9%25");
	CHECK_STR(render("/x/{{missing}}/{{r}}/{{t}}", MIH_TPL_URL, "{\"r\": 0.5, \"t\": true}", NULL),
		"/x//0.5/true");
	/* raw tags splice unencoded, for pre-built paths */
	CHECK_STR(render("/{{{path}}}", MIH_TPL_URL, "{\"path\": \"a/b c\"}", NULL), "/a/b c");
}

TEST(json_typing_value_position)
{
	CHECK_STR(render("{\"i\": {{i}}, \"r\": {{r}}, \"t\": {{t}}, \"f\": {{f}}, \"n\": {{n}}, \"s\": {{s}},"
		" \"l\": {{l}}, \"o\": {{o}}, \"e\": {{e}}, \"m\": {{missing}}}", MIH_TPL_JSON,
		"{\"i\": 42, \"r\": 0.1, \"t\": true, \"f\": false, \"n\": null, \"s\": \"123\","
		" \"l\": [1, \"a\", null, 2.0], \"o\": {\"z\": 1, \"a\": {\"k\": []}}, \"e\": []}", NULL),
		"{\"i\": 42, \"r\": 0.1, \"t\": true, \"f\": false, \"n\": null, \"s\": \"123\","
		" \"l\": [1,\"a\",null,2], \"o\": {\"z\":1,\"a\":{\"k\":[]}}, \"e\": [], \"m\": null}");
}

TEST(json_reals_match_php_json_encode)
{
	/* expected text from php -r 'echo json_encode([...]);' on PHP 8.2 */
	json_t *d = json_pack("{s:[fffffffffffffffffff]}", "v", 1.0, 0.1, 1e25, -0.0, 1.5e-7, 1e-5, 0.0001,
		1e16, 1e17, 123456789012345678.0, 0.1 + 0.2, 5e-324, 1.7976931348623157e308, -2.5, 100.25,
		3.0e-4, 2e21, 1.0 / 3, 1e15);

	CHECK_STR(render_data("{{v}}", MIH_TPL_JSON, d, NULL),
		"[1,0.1,1.0e+25,-0,1.5e-7,1.0e-5,0.0001,10000000000000000,1.0e+17,1.2345678901234568e+17,"
		"0.30000000000000004,5.0e-324,1.7976931348623157e+308,-2.5,100.25,0.0003,2.0e+21,"
		"0.3333333333333333,1000000000000000]");
	json_decref(d);
}

TEST(json_in_string)
{
	CHECK_STR(render("{\"text\": \"i={{i}} r={{r}} t={{t}} n=[{{n}}] m=[{{m}}] s={{s}} l={{l}}\"}",
		MIH_TPL_JSON, "{\"i\": 7, \"r\": 1.5, \"t\": false, \"n\": null, \"s\": \"x\", \"l\": [\"q\"]}", NULL),
		"{\"text\": \"i=7 r=1.5 t=false n=[] m=[] s=x l=[\\\"q\\\"]\"}");
	/* keys are strings too */
	CHECK_STR(render("{\"{{k}}\": 1}", MIH_TPL_JSON, "{\"k\": \"a\\\"b\"}", NULL), "{\"a\\\"b\": 1}");
}

TEST(json_escaping_matches_php)
{
	const char *expected = "{\"q\":\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\\u0001\\u001f\x7f \xc3\xa9 \\u2028\\u2029\"}";
	json_t *d = json_object();

	json_object_set_new(d, "v", json_string("a\"b\\c/d\b\f\n\r\t\x01\x1f\x7f \xc3\xa9 \xe2\x80\xa8\xe2\x80\xa9"));
	CHECK_STR(render_data("{\"q\":{{v}}}", MIH_TPL_JSON, d, NULL), expected);
	CHECK_STR(render_data("{\"q\":\"{{v}}\"}", MIH_TPL_JSON, d, NULL), expected);
	json_decref(d);
}

TEST(json_nul_byte_in_value)
{
	json_t *d = json_object();

	json_object_set_new(d, "v", json_stringn("a\0b", 3));
	CHECK_STR(render_data("[{{v}}, \"{{v}}\"]", MIH_TPL_JSON, d, NULL), "[\"a\\u0000b\", \"a\\u0000b\"]");
	json_decref(d);
}

TEST(json_invalid_utf8_is_an_error)
{
	json_t *d = json_object();

	json_object_set_new(d, "v", json_stringn_nocheck("ok\xff", 3));
	CHECK(render_data("{\n  \"a\": \"x{{v}}\"}", MIH_TPL_JSON, d, NULL) == NULL);
	CHECK_ERROR(2, 10, "value of 'v' is not valid UTF-8 (byte 0xff at offset 2)");
	CHECK(render_data("{\"a\": {{v}}}", MIH_TPL_JSON, d, NULL) == NULL);
	CHECK_ERROR(1, 7, "invalid UTF-8 (byte 0xff");
	/* text and html modes pass bytes through untouched */
	CHECK_STR(render_data("{{v}}", MIH_TPL_TEXT, d, NULL), "ok\xff");
	CHECK_STR(render_data("{{v}}", MIH_TPL_URL, d, NULL), "ok%FF");
	json_decref(d);
}

TEST(json_injection_stays_inside_its_string)
{
	const char *out = render("{\"name\": \"{{name}}\", \"admin\": false}", MIH_TPL_JSON,
		"{\"name\": \"\\\",\\\"admin\\\":true,\\\"x\\\":\\\"\"}", NULL);
	json_t *parsed = out ? json_loads(out, 0, NULL) : NULL;

	CHECK(parsed != NULL);
	CHECK_INT(json_object_size(parsed), 2);
	CHECK(json_is_false(json_object_get(parsed, "admin")));
	CHECK_STR(json_string_value(json_object_get(parsed, "name")), "\",\"admin\":true,\"x\":\"");
	json_decref(parsed);
	/* a value that looks like JSON in value position is still a string */
	CHECK_STR(render("{\"a\": {{v}}}", MIH_TPL_JSON, "{\"v\": \"1, \\\"admin\\\": true\"}", NULL),
		"{\"a\": \"1, \\\"admin\\\": true\"}");
}

TEST(no_reexpansion_of_inserted_values)
{
	CHECK_STR(render("{\"t\": \"{{a}} {{b}}\"}", MIH_TPL_JSON, "{\"a\": \"{{b}}\", \"b\": \"B\"}", NULL),
		"{\"t\": \"{{b}} B\"}");
	CHECK_STR(render("{{a}}", MIH_TPL_TEXT, "{\"a\": \"{{#x}}{{>p}}\", \"x\": true}", "{\"p\": \"P\"}"),
		"{{#x}}{{>p}}");
}

TEST(cookbook_template)
{
	CHECK_STR(render("{\n\"text\": \"User {{username}} just logged in from IP {{ip}}!\"\n}", MIH_TPL_JSON,
		"{\"username\": \"jdoe\", \"ip\": \"10.0.0.1\"}", NULL),
		"{\n\"text\": \"User jdoe just logged in from IP 10.0.0.1!\"\n}");
	CHECK_STR(render("{\"userid\": {{userid}}, \"name\": \"{{other.username}}\", \"rel\": {{relateduserid}}}",
		MIH_TPL_JSON, "{\"userid\": 5, \"other\": {\"username\": \"ann\"}, \"relateduserid\": null}", NULL),
		"{\"userid\": 5, \"name\": \"ann\", \"rel\": null}");
}

TEST(json_sections)
{
	CHECK_STR(render("[{{#items}}{\"id\": {{id}}}{{^last}},{{/last}}{{/items}}]", MIH_TPL_JSON,
		"{\"items\": [{\"id\": 1}, {\"id\": 2}, {\"id\": 3, \"last\": true}]}", NULL),
		"[{\"id\": 1},{\"id\": 2},{\"id\": 3}]");
	CHECK_STR(render("{\"x\": \"{{#admin}}admin {{/admin}}{{name}}\"}", MIH_TPL_JSON,
		"{\"admin\": true, \"name\": \"a\"}", NULL), "{\"x\": \"admin a\"}");
	CHECK_STR(render("[{{#e}}1{{/e}}{{^e}}0{{/e}}]", MIH_TPL_JSON, "{\"e\": []}", NULL), "[0]");
}

TEST(json_raw_splices_prerendered_json)
{
	CHECK_STR(render("{\"a\": {{{pre}}}, \"b\": {{&n}}, \"c\": \"{{{s}}}\", \"d\": {{{m}}}}", MIH_TPL_JSON,
		"{\"pre\": \"{\\\"k\\\": [1, 2]}\", \"n\": 3.5, \"s\": \"q\"}", NULL),
		"{\"a\": {\"k\": [1, 2]}, \"b\": 3.5, \"c\": \"q\", \"d\": null}");
}

TEST(falsy_values)
{
	CHECK_STR(render("{{#a}}A{{/a}}{{#b}}B{{/b}}{{#c}}C{{/c}}{{#d}}D{{/d}}{{#e}}E{{/e}}{{#f}}F{{/f}}"
		"{{#g}}G{{/g}}{{#h}}H{{/h}}{{#i}}I{{/i}}", MIH_TPL_TEXT,
		"{\"a\": 0, \"b\": \"\", \"c\": \"0\", \"d\": {}, \"e\": [], \"f\": 0.0, \"g\": null,"
		" \"h\": \"00\", \"i\": 1}", NULL), "HI");
}

TEST(root_data_may_be_scalar_list_or_null)
{
	CHECK_STR(render("<{{.}}>", MIH_TPL_TEXT, "\"x\"", NULL), "<x>");
	CHECK_STR(render("{{#.}}({{.}}){{/.}}", MIH_TPL_TEXT, "[1, 2]", NULL), "(1)(2)");
	CHECK_STR(render("[{{x}}]", MIH_TPL_TEXT, NULL, NULL), "[]");
	CHECK_STR(render("{{.}}", MIH_TPL_JSON, NULL, NULL), "null");
}

TEST(partials)
{
	CHECK_STR(render("{\"user\": {{>user}}, \"note\": \"by {{>name}}\"}", MIH_TPL_JSON,
		"{\"id\": 3, \"name\": \"a\\\"b\"}",
		"{\"user\": \"{\\\"id\\\": {{id}}}\", \"name\": \"{{name}}\"}"),
		"{\"user\": {\"id\": 3}, \"note\": \"by a\\\"b\"}");
	CHECK_STR(render("[{{>*which}}]", MIH_TPL_TEXT, "{\"which\": \"p\"}", "{\"p\": \"P\"}"), "[P]");
	CHECK_STR(render("[{{>missing}}]", MIH_TPL_TEXT, "{}", "{}"), "[]");
	CHECK_STR(render("[{{>p}}]", MIH_TPL_TEXT, "{}", NULL), "[]");
	CHECK(render("a\n  {{>p}}", MIH_TPL_TEXT, "{}", "{\"p\": 5}") == NULL);
	CHECK_ERROR(2, 3, "partial 'p' is not a string");
	CHECK(render("x{{>p}}", MIH_TPL_TEXT, "{}", "{\"p\": \"ok\\n{{#a}}\"}") == NULL);
	CHECK_ERROR(1, 2, "partial 'p' line 2, column 1: unclosed section 'a'");
	CHECK(render("x{{>p}}", MIH_TPL_JSON, "{}", "{\"p\": \"\\\"open\"}") == NULL);
	CHECK_ERROR(1, 2, "ends inside the JSON string");
	/* an error while rendering inside a partial points at the partial tag */
	CHECK(render("{\n {{>p}}}", MIH_TPL_JSON, "{\"x\": \"nope\"}", "{\"p\": \"\\\"a\\\":\\n  {{{x}}}\"}") == NULL);
	CHECK_ERROR(2, 2, "not valid JSON");
}

TEST(partial_recursion_is_capped)
{
	CHECK(render("{{>p}}", MIH_TPL_TEXT, "{}", "{\"p\": \"x{{>p}}\"}") == NULL);
	CHECK_ERROR(1, 1, "partials nested more than 100 deep");
	CHECK(strstr(last_err.message, "in partial 'p'") != NULL);
	/* recursion driven by the data ends by itself */
	CHECK_STR(render("{{>node}}", MIH_TPL_TEXT, "{\"c\": 1, \"kids\": [{\"c\": 2, \"kids\": [{\"c\": 3, \"kids\": []}]}]}",
		"{\"node\": \"{{c}}({{#kids}}{{>node}}{{/kids}})\"}"), "1(2(3()))");
}

TEST(template_errors_name_line_and_column)
{
	CHECK(render("ab\n  {{name", MIH_TPL_TEXT, "{}", NULL) == NULL);
	CHECK_ERROR(2, 3, "unclosed tag: no '}}' found");
	CHECK(render("{{{name}}", MIH_TPL_TEXT, "{}", NULL) == NULL);
	CHECK_ERROR(1, 1, "unclosed tag: no '}}}' found");
	CHECK(render("x\n{{#a}}y", MIH_TPL_TEXT, "{}", NULL) == NULL);
	CHECK_ERROR(2, 1, "unclosed section 'a'");
	CHECK(render("{{#a}}\n {{/b}}", MIH_TPL_TEXT, "{}", NULL) == NULL);
	CHECK_ERROR(2, 2, "section 'a' opened at line 1, column 1 is closed by 'b'");
	CHECK(render("ok {{/a}}", MIH_TPL_TEXT, "{}", NULL) == NULL);
	CHECK_ERROR(1, 4, "closing tag 'a' has no open section");
	CHECK(render("\xc3\xa9\xc3\xa9 {{ }}", MIH_TPL_TEXT, "{}", NULL) == NULL);
	CHECK_ERROR(1, 4, "empty tag name");
	CHECK(render("{{#}}", MIH_TPL_TEXT, "{}", NULL) == NULL);
	CHECK_ERROR(1, 1, "empty tag name");
	CHECK(render("a {{=<% =}}", MIH_TPL_TEXT, "{}", NULL) == NULL);
	CHECK_ERROR(1, 3, "invalid set-delimiter tag");
	CHECK(render("{{= a b c =}}", MIH_TPL_TEXT, "{}", NULL) == NULL);
	CHECK_ERROR(1, 1, "exactly two delimiters");
	CHECK(render("\n\n{{=<% %>}}", MIH_TPL_TEXT, "{}", NULL) == NULL);
	CHECK_ERROR(3, 1, "unclosed set-delimiter tag");
	CHECK(render("{{=<% %>=}}<%x}}", MIH_TPL_TEXT, "{}", NULL) == NULL);
	CHECK_ERROR(1, 12, "no '%>' found");
}

TEST(nesting_too_deep)
{
	char src[2000] = "";
	int i;

	for (i = 0; i < 101; i++) {
		strcat(src, "{{#a}}");
	}
	CHECK(render(src, MIH_TPL_TEXT, "{}", NULL) == NULL);
	CHECK_ERROR(1, 601, "sections nested more than 100 deep");
}

TEST(json_compile_errors)
{
	CHECK(render("{\"a\": \"\\{{x}}\"}", MIH_TPL_JSON, "{}", NULL) == NULL);
	CHECK_ERROR(1, 9, "inside a JSON escape sequence");
	CHECK(render("{\"a\": \"\\u00{{x}}\"}", MIH_TPL_JSON, "{}", NULL) == NULL);
	CHECK_ERROR(1, 12, "inside a JSON escape sequence");
	CHECK(render("{\"a\": {{#x}}\"{{/x}}1\"}", MIH_TPL_JSON, "{}", NULL) == NULL);
	CHECK_ERROR(1, 14, "opens outside a JSON string but closes inside a JSON string");
	CHECK(render("{\n\"a\": \"abc", MIH_TPL_JSON, "{}", NULL) == NULL);
	CHECK_ERROR(2, 6, "ends inside the JSON string literal opened here");
	/* the same text is fine in text mode */
	CHECK_STR(render("{\"a\": \"\\{{x}}\"}", MIH_TPL_TEXT, "{\"x\": 1}", NULL), "{\"a\": \"\\1\"}");
}

TEST(json_invalid_output_errors)
{
	CHECK(render("{\"a\": {{x}} \"b\": 1}", MIH_TPL_JSON, "{\"x\": 1}", NULL) == NULL);
	CHECK_ERROR(1, 13, "rendered payload is not valid JSON: ',' or '}' expected");
	CHECK(render("{\"a\":\n  {{{x}}}}", MIH_TPL_JSON, "{\"x\": \"nope\"}", NULL) == NULL);
	CHECK_ERROR(2, 3, "not valid JSON");
	CHECK(render("[1,\n2", MIH_TPL_JSON, "{}", NULL) == NULL);
	CHECK_ERROR(2, 2, "unexpected end");
	CHECK(render("", MIH_TPL_JSON, "{}", NULL) == NULL);
	CHECK_ERROR(1, 1, "the output is empty");
	CHECK(render("{{#x}}{}{{/x}}", MIH_TPL_JSON, "{}", NULL) == NULL);
	CHECK_ERROR(1, 15, "the output is empty");
	CHECK(render("{\"a\": 1} x", MIH_TPL_JSON, "{}", NULL) == NULL);
	CHECK_ERROR(1, 10, "unexpected text after the JSON value");
	CHECK(render("[{{{x}}}]", MIH_TPL_JSON, "{\"x\": \"\\\"\\u0001\\\"\"}", NULL) == NULL);
	CHECK_ERROR(1, 2, "control character inside a string");
	CHECK_STR(render(" 12 ", MIH_TPL_JSON, "{}", NULL), " 12 ");
	CHECK_STR(render("[\"\\ud83d\\ude00\", -0.5e+3, true, {}]", MIH_TPL_JSON, "{}", NULL),
		"[\"\\ud83d\\ude00\", -0.5e+3, true, {}]");
	CHECK(render("[\"\\ud83d\"]", MIH_TPL_JSON, "{}", NULL) == NULL);
	CHECK(render("[01]", MIH_TPL_JSON, "{}", NULL) == NULL);
}

/* Data the proof tests render with: sections skipped, taken once, iterated,
 * and values of every type (strings needing escapes included). */
static const char *const proof_data[] = {
	"{}",
	"{\"s\": true, \"t\": true, \"x\": 1}",
	"{\"s\": [{\"x\": \"a\\\"\\\\\\u0001\\u00e9\\u2028\"}, {\"x\": [1, {\"k\": null}]}, {\"x\": -0.5}],"
	" \"x\": 2}",
	"{\"s\": {\"x\": false}, \"t\": 0, \"x\": \"0\"}",
	"{\"s\": [1, 2], \"t\": [], \"x\": {\"a\": [true, 1e300]}}",
};

static json_t *proof_docs[sizeof(proof_data) / sizeof(proof_data[0])];

/* Compile src; when the template is proven, every render must succeed and
 * pass the full validator. Returns whether it was proven (-1: no compile). */
static int check_proof(const char *src, size_t len)
{
	mih_tpl_error err;
	mih_tpl *tpl = mih_tpl_compile(src, len, MIH_TPL_JSON, &err);
	size_t i;
	int proven;

	if (!tpl) {
		return -1;
	}
	proven = tpl->json_proven;
	for (i = 0; proven && i < sizeof(proof_docs) / sizeof(proof_docs[0]); i++) {
		char *out = NULL, why[128];
		size_t outlen = 0, bad;
		if (mih_tpl_render(tpl, proof_docs[i], NULL, &out, &outlen, &err) != 0) {
			fprintf(stderr, "proven template %.*s failed to render with %s: %s\n",
				(int)len, src, proof_data[i], err.message);
			unit_failed_checks++;
		} else if (tpl_json_validate(out, outlen, &bad, why, sizeof(why)) != 0) {
			fprintf(stderr, "proven template %.*s gave invalid JSON %s with %s: %s\n",
				(int)len, src, out, proof_data[i], why);
			unit_failed_checks++;
		}
		free(out);
	}
	mih_tpl_free(tpl);
	return proven;
}

static int is_proven(const char *src)
{
	return check_proof(src, strlen(src));
}

TEST(json_proof_examples)
{
	size_t i;

	for (i = 0; i < sizeof(proof_data) / sizeof(proof_data[0]); i++) {
		proof_docs[i] = json_loads(proof_data[i], 0, NULL);
		CHECK(proof_docs[i] != NULL);
	}
	CHECK_INT(is_proven("{\"a\": {{x}}, \"b\": \"<{{x}}>\"}"), 1);
	CHECK_INT(is_proven(" 12 "), 1);
	CHECK_INT(is_proven("{{x}}"), 1);
	CHECK_INT(is_proven("[\"\\u00e9\\n\xc3\xa9{{x}}\", -0.5e+3, true, null, {}]"), 1);
	/* sections that come back to where they started, in a string or between members */
	CHECK_INT(is_proven("{\"t\": \"a{{#s}} b {{x}}{{/s}}{{^t}}c{{/t}}\"}"), 1);
	CHECK_INT(is_proven("{\"a\": 1, {{#s}}\"k\": {{x}}, {{/s}}\"z\": 0}"), 1);
	CHECK_INT(is_proven("[0{{#s}}, {{x}}{{#t}}, [{{x}}]{{/t}}{{/s}}]"), 1);
	/* a body that leaves '[' for ',' comes back to another state: validated */
	CHECK_INT(is_proven("[{{#s}}{{x}}, {{/s}}0]"), 0);
	/* not provable: the validation stays */
	CHECK_INT(is_proven("{\"a\": {{{x}}}}"), 0);
	CHECK_INT(is_proven("[{{& x}}]"), 0);
	CHECK_INT(is_proven("[{{>p}}]"), 0);
	CHECK_INT(is_proven("[{{#s}}{{x}},{{/s}}]"), 0);		/* [1,] */
	CHECK_INT(is_proven("{ {{#s}}\"a\": 1,{{/s}} }"), 0);	/* {"a": 1,} */
	CHECK_INT(is_proven("[{{#s}}1{{/s}}]"), 0);		/* [11] */
	CHECK_INT(is_proven("{{#s}}{}{{/s}}"), 0);		/* empty output */
	CHECK_INT(is_proven("[1{{x}}]"), 0);
	CHECK_INT(is_proven("[tr{{#s}}{{/s}}ue]"), 0);
	CHECK_INT(is_proven("[\"\\u00{{x}}41\"]"), -1);	/* inside an escape: refused */
	CHECK_INT(is_proven("[\"\xc3{{x}}\xa9\"]"), 0);		/* inside a UTF-8 sequence */
	CHECK_INT(is_proven("[\"\\ud83d\\ude00\"]"), 0);	/* surrogates: left to the validator */
	CHECK_INT(is_proven("[\"\x01\"]"), 0);
	CHECK_INT(is_proven("[01]"), 0);
	CHECK_INT(is_proven("{\"a\": 1} x"), 0);
	CHECK_INT(is_proven(""), 0);
}

/* Every template of up to PROOF_PIECES pieces over an alphabet of JSON
 * punctuation, tags and sections: whenever the proof says "always valid",
 * renders over data taking each section 0, 1 and several times must pass
 * the validator. */
#define PROOF_PIECES 5

TEST(json_proof_exhaustive)
{
	static const char *const pieces[] = {
		"{", "}", "[", "]", "\"", ":", ",", "1", " ", "{{x}}", "{{#s}}", "{{/s}}", "{{^t}}",
		"{{/t}}", "\\", "\xc3",
	};
	const size_t npieces = sizeof(pieces) / sizeof(pieces[0]);
	size_t idx[PROOF_PIECES], count, n, i;
	unsigned long compiled = 0, proven = 0;
	char src[PROOF_PIECES * 8];

	for (count = 1; count <= PROOF_PIECES; count++) {
		memset(idx, 0, sizeof(idx));
		for (;;) {
			int r;
			n = 0;
			for (i = 0; i < count; i++) {
				size_t l = strlen(pieces[idx[i]]);
				memcpy(src + n, pieces[idx[i]], l);
				n += l;
			}
			r = check_proof(src, n);
			compiled += r >= 0;
			proven += r == 1;
			for (i = 0; i < count && ++idx[i] == npieces; i++) {
				idx[i] = 0;
			}
			if (i == count) {
				break;
			}
		}
	}
	/* the proof must not be vacuous: many of these templates are provable */
	printf("json proof: %lu of %lu compiled templates proven always valid\n", proven, compiled);
	CHECK(compiled > 100000);
	CHECK(proven > 2000);
	for (i = 0; i < sizeof(proof_docs) / sizeof(proof_docs[0]); i++) {
		json_decref(proof_docs[i]);
	}
}

TEST(deep_values_are_refused)
{
	json_t *d = json_array(), *cur = d;
	int i;

	for (i = 0; i < 600; i++) {
		json_t *inner = json_array();
		json_array_append_new(cur, inner);
		cur = inner;
	}
	{
		json_t *root = json_pack("{s:o}", "v", d);
		CHECK(render_data("{{v}}", MIH_TPL_JSON, root, NULL) == NULL);
		CHECK_ERROR(1, 1, "nested deeper than 512 levels");
		json_decref(root);
	}
}

TEST(runaway_rendering_is_stopped)
{
	char src[400] = "";
	int i;

	for (i = 0; i < 12; i++) {
		strcat(src, "{{#l}}");
	}
	strcat(src, "x");
	for (i = 0; i < 12; i++) {
		strcat(src, "{{/l}}");
	}
	CHECK(render(src, MIH_TPL_TEXT, "{\"l\": [1, 2, 3, 4, 5, 6, 7, 8]}", NULL) == NULL);
	CHECK(strstr(last_err.message, "rendering stopped after") != NULL);
}

TEST(standalone_partial_indentation)
{
	CHECK_STR(render("a\n  {{>p}}\nb", MIH_TPL_TEXT, "{\"v\": \"1\\n2\"}", "{\"p\": \"x\\n{{v}}\\n\"}"),
		"a\n  x\n  1\n2\nb");
}

TEST(inheritance_and_blocks)
{
	CHECK_STR(render("{{<base}}{{$body}}{\"user\": {{u}}}{{/body}}{{/base}}", MIH_TPL_JSON, "{\"u\": \"a\"}",
		"{\"base\": \"{\\\"v\\\": 1, \\\"data\\\": {{$body}}null{{/body}}}\"}"),
		"{\"v\": 1, \"data\": {\"user\": \"a\"}}");
	CHECK_STR(render("{{<base}}{{/base}}", MIH_TPL_JSON, "{}",
		"{\"base\": \"{\\\"data\\\": {{$body}}null{{/body}}}\"}"), "{\"data\": null}");
	/* an override written inside a string cannot fill a block outside one */
	CHECK(render("{{<base}}{{$b}}1{{/b}}{{/base}}", MIH_TPL_JSON, "{}",
		"{\"base\": \"[\\\"{{$b}}x{{/b}}\\\"]\"}") == NULL);
	CHECK_ERROR(1, 1, "block 'b' is overridden in a different JSON context");
	CHECK_STR(render("{{$t}}default{{/t}}", MIH_TPL_TEXT, "{}", NULL), "default");
}

TEST(compiled_template_renders_many_times)
{
	mih_tpl_error err;
	mih_tpl *tpl = mih_tpl_compile("{\"n\": {{n}}}", 12, MIH_TPL_JSON, &err);
	json_t *d = json_object();
	char *out;
	size_t len;
	int i;

	CHECK(tpl != NULL);
	CHECK_INT(mih_tpl_get_mode(tpl), MIH_TPL_JSON);
	for (i = 0; i < 3; i++) {
		char expected[32];
		json_object_set_new(d, "n", json_integer(i));
		CHECK_INT(mih_tpl_render(tpl, d, NULL, &out, &len, &err), 0);
		snprintf(expected, sizeof(expected), "{\"n\": %d}", i);
		CHECK_STR(out, expected);
		free(out);
	}
	CHECK_INT(mih_tpl_render(tpl, d, NULL, &out, &len, NULL), 0);
	free(out);
	json_decref(d);
	mih_tpl_free(tpl);
	mih_tpl_free(NULL);
}

TEST(cache_hits_and_lru_bound)
{
	mih_tpl_cache *c = mih_tpl_cache_new(2);
	mih_tpl_error err;
	const mih_tpl *a, *b, *a2, *html;

	a = mih_tpl_cache_get(c, "A{{x}}", 6, MIH_TPL_TEXT, &err);
	b = mih_tpl_cache_get(c, "B{{x}}", 6, MIH_TPL_TEXT, &err);
	CHECK(a && b && a != b);
	a2 = mih_tpl_cache_get(c, "A{{x}}", 6, MIH_TPL_TEXT, &err);
	CHECK(a2 == a);
	CHECK_INT(mih_tpl_cache_hits(c), 1);
	/* same source, other mode: a separate entry; evicts B (least recent) */
	html = mih_tpl_cache_get(c, "A{{x}}", 6, MIH_TPL_HTML, &err);
	CHECK(html != NULL && html != a);
	CHECK_INT(mih_tpl_cache_size(c), 2);
	CHECK(mih_tpl_cache_get(c, "A{{x}}", 6, MIH_TPL_TEXT, &err) == a);
	CHECK_INT(mih_tpl_cache_hits(c), 2);
	mih_tpl_cache_get(c, "B{{x}}", 6, MIH_TPL_TEXT, &err);
	CHECK_INT(mih_tpl_cache_hits(c), 2);	/* B was evicted: compiled again */
	CHECK_INT(mih_tpl_cache_size(c), 2);
	/* errors are reported and not cached */
	CHECK(mih_tpl_cache_get(c, "{{#x}}", 6, MIH_TPL_TEXT, &err) == NULL);
	CHECK_INT(err.line, 1);
	CHECK(strstr(err.message, "unclosed section") != NULL);
	CHECK_INT(mih_tpl_cache_size(c), 2);
	mih_tpl_cache_free(c);

	c = mih_tpl_cache_new(0);
	mih_tpl_cache_get(c, "1", 1, MIH_TPL_JSON, &err);
	mih_tpl_cache_get(c, "2", 1, MIH_TPL_JSON, &err);
	CHECK_INT(mih_tpl_cache_size(c), 1);
	mih_tpl_cache_free(c);
}

TEST(cache_with_callers_hash)
{
	mih_tpl_cache *c = mih_tpl_cache_new(8);
	mih_tpl_error err;
	const mih_tpl *a, *b, *a_html;

	/* a deliberately colliding hash: the bytes decide */
	a = mih_tpl_cache_get_hashed(c, "[{{x}}]", 7, 42, MIH_TPL_JSON, &err);
	b = mih_tpl_cache_get_hashed(c, "[{{y}}]", 7, 42, MIH_TPL_JSON, &err);
	CHECK(a && b && a != b);
	CHECK(mih_tpl_cache_get_hashed(c, "[{{x}}]", 7, 42, MIH_TPL_JSON, &err) == a);
	CHECK(mih_tpl_cache_get_hashed(c, "[{{y}}]", 7, 42, MIH_TPL_JSON, &err) == b);
	CHECK_INT(mih_tpl_cache_hits(c), 2);
	a_html = mih_tpl_cache_get_hashed(c, "[{{x}}]", 7, 42, MIH_TPL_HTML, &err);
	CHECK(a_html && a_html != a && mih_tpl_get_mode(a_html) == MIH_TPL_HTML);
	CHECK_INT(mih_tpl_cache_size(c), 3);
	CHECK(mih_tpl_cache_get_hashed(c, NULL, 3, 7, MIH_TPL_JSON, &err) == NULL);
	CHECK(strstr(err.message, "no template source") != NULL);
	CHECK(mih_tpl_cache_get_hashed(c, "[{{#x}}]", 8, 9, MIH_TPL_JSON, &err) == NULL);
	CHECK(strstr(err.message, "unclosed section") != NULL);
	CHECK_INT(mih_tpl_cache_size(c), 3);
	mih_tpl_cache_free(c);
}

TEST(cache_many_entries)
{
	mih_tpl_cache *c = mih_tpl_cache_new(50);
	mih_tpl_error err;
	char src[32];
	int i;

	for (i = 0; i < 500; i++) {
		snprintf(src, sizeof(src), "{{v%d}}", i % 120);
		CHECK(mih_tpl_cache_get(c, src, strlen(src), MIH_TPL_TEXT, &err) != NULL);
		CHECK(mih_tpl_cache_size(c) <= 50);
	}
	mih_tpl_cache_free(c);
}

/* The reference the word-at-a-time escaper must equal: one byte at a time. */
static size_t reference_escape(tpl_buf *b, const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		char tmp[8];
		if (c >= 0x80) {
			/* the sequence length the lead byte announces, then all of it valid */
			size_t k = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
			if (k == 0 || i + k > len || tpl_utf8_valid_prefix(s + i, k) != k) {
				return i;
			}
			if (k == 3 && c == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
				tpl_buf_append(b, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
			} else {
				tpl_buf_append(b, (const char *)s + i, k);
			}
			i += k;
			continue;
		}
		if (c == '"' || c == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)c;
			tpl_buf_append(b, tmp, 2);
		} else if (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
			tmp[0] = '\\';
			tmp[1] = c == '\b' ? 'b' : c == '\f' ? 'f' : c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			tpl_buf_append(b, tmp, 2);
		} else if (c < 0x20) {
			snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			tpl_buf_append(b, tmp, 6);
		} else {
			tpl_buf_append(b, (const char *)s + i, 1);
		}
		i++;
	}
	return len;
}

TEST(json_escape_matches_bytewise_reference)
{
	/* bytes that matter to the escaper, and the first position of each
	 * word lane: every string of up to 40 of them, drawn at random */
	static const unsigned char alphabet[] = {'a', 'Z', ' ', '~', '"', '\\', '/', 0x00, 0x1F,
		0x20, 0x7F, '\n', 0xC3, 0xA9, 0xE2, 0x80, 0xA8, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0xFF, 0xED};
	unsigned char s[48];
	unsigned seed = 12345;
	int round, bad = 0;

	for (round = 0; round < 50000; round++) {
		size_t len, i, ra, rb;
		tpl_buf a = {0}, b = {0};
		seed = seed * 1103515245u + 12345u;
		len = (seed >> 8) % 41;
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			/* mostly plain letters, so long plain runs occur too */
			s[i] = (seed >> 16) % 3 ? (unsigned char)('a' + (seed >> 20) % 26)
				: alphabet[(seed >> 20) % sizeof(alphabet)];
		}
		/* a prefix already in the buffer, as when rendering */
		tpl_buf_append(&a, "x", 1);
		tpl_buf_append(&b, "x", 1);
		ra = tpl_json_escape(&a, (const char *)s, len);
		rb = reference_escape(&b, s, len);
		if (ra != rb || (ra == len && (a.len != b.len || memcmp(a.data, b.data, a.len) != 0))) {
			if (bad++ < 3) {
				fprintf(stderr, "escape mismatch at round %d (len %zu): %zu vs %zu\n", round, len, ra, rb);
			}
		}
		free(a.data);
		free(b.data);
	}
	CHECK_INT(bad, 0);
}

/* Shortest digits that read back, the slow way: %.{p}e for p = 1..17. */
static int shortest_significant_digits(double v)
{
	char tmp[40];
	int p;

	for (p = 1; p < 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, v);
		if (strtod(tmp, NULL) == v) {
			return p;
		}
	}
	return 17;
}

static int significant_digits(const char *text)
{
	int n = 0, leading = 1, pending_zeros = 0;
	const char *p;

	for (p = text; *p && *p != 'e'; p++) {
		if (*p < '0' || *p > '9') {
			continue;
		}
		if (*p == '0' && leading) {
			continue;
		}
		leading = 0;
		if (*p == '0') {
			pending_zeros++;
		} else {
			n += pending_zeros + 1;
			pending_zeros = 0;
		}
	}
	return n ? n : 1;
}

TEST(json_reals_are_shortest_round_trip)
{
	static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
		1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
	unsigned long long seed = 99;
	int round, bad = 0;

	for (round = 0; round < 50000; round++) {
		char text[32];
		double v;
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		if (round % 2) {
			/* decimals of a few digits at many scales: the fast path */
			unsigned long long m = (seed >> 20) % (round % 4 == 1 ? 100000ULL : 1000000000000000ULL);
			v = (double)m / pow10[(seed >> 8) % 19];
		} else {
			/* any finite double */
			uint64_t bits = seed;
			memcpy(&v, &bits, sizeof(v));
			if (!isfinite(v)) {
				continue;
			}
		}
		tpl_format_real(v, text);
		if (strtod(text, NULL) != v || (v != 0 && significant_digits(text) != shortest_significant_digits(v))) {
			if (bad++ < 3) {
				fprintf(stderr, "real %.17g written as %s\n", v, text);
			}
		}
	}
	CHECK_INT(bad, 0);
	/* the forms json_encode uses, through both paths */
	{
		char text[32];
		tpl_format_real(87.5, text);
		CHECK_STR(text, "87.5");
		tpl_format_real(1e14, text);
		CHECK_STR(text, "100000000000000");
		tpl_format_real(123456789012345.0, text);
		CHECK_STR(text, "123456789012345");
		tpl_format_real(1e25, text);
		CHECK_STR(text, "1.0e+25");
		tpl_format_real(0.000123, text);
		CHECK_STR(text, "0.000123");
		tpl_format_real(1.5e-5, text);
		CHECK_STR(text, "1.5e-5");
	}
}

TEST(remembered_lookups_follow_the_context)
{
	/* the same names before, inside and after sections that shadow them */
	CHECK_STR(render("{{a}}{{#l}}{{a}}{{b.c}}|{{/l}}{{a}}{{b.c}}{{#b}}{{c}}{{a}}{{/b}}{{a}}", MIH_TPL_TEXT,
		"{\"a\": 0, \"b\": {\"c\": 5, \"a\": 7}, \"l\": [{\"a\": 1}, {}, {\"b\": {\"c\": 6}}]}", NULL),
		"015|05|06|05570");
	/* frames that are not maps (list items, truthy scalars) leave lookups as they were */
	CHECK_STR(render("{{a}}{{#l}}{{a}}{{/l}}{{#s}}{{a}}{{/s}}", MIH_TPL_TEXT,
		"{\"a\": 0, \"l\": [1, {\"a\": 2}, \"x\", {\"b\": 1}], \"s\": \"str\"}", NULL), "002000");
	/* a partial has its own names */
	CHECK_STR(render("{{a}}{{>p}}{{a}}", MIH_TPL_TEXT, "{\"a\": 1}", "{\"p\": \"{{a}}{{#x}}{{a}}{{/x}}\"}"),
		"111");
	CHECK_STR(render("{{#x}}{{a}}{{>p}}{{/x}}", MIH_TPL_TEXT, "{\"a\": 1, \"x\": [{\"a\": 2}, {}]}",
		"{\"p\": \"{{a}}\"}"), "2211");
}

TEST(name_hash_is_djbx33a_with_top_bit)
{
	uint64_t h = 5381;
	const char *s = "contextinstanceid";
	size_t i;

	for (i = 0; s[i]; i++) {
		h = h * 33 + (uint64_t)(int64_t)s[i];
	}
	CHECK(mih_tpl_name_hash(s, strlen(s)) == (h | 0x8000000000000000ULL));
	CHECK(mih_tpl_name_hash("", 0) == (5381ULL | 0x8000000000000000ULL));
}

TEST(normalise_newlines)
{
	struct { const char *in, *out; } cases[] = {
		{ "", "" },
		{ "{\"a\": 1}", "{\"a\": 1}" },
		{ "{\r\n\"text\": \"x\"\r\n}", "{\n\"text\": \"x\"\n}" },
		{ "\r\n\r\n", "\n\n" },
		{ "a\rb", "a\rb" },           /* a lone CR is the admin's, kept */
		{ "a\r", "a\r" },
		{ "\r\r\n", "\r\n" },
		{ "x\n\r", "x\n\r" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];
		size_t len = strlen(cases[i].in);
		memcpy(buf, cases[i].in, len + 1);
		size_t got = mih_tpl_normalise_newlines(buf, len);
		CHECK_INT(got, strlen(cases[i].out));
		CHECK(memcmp(buf, cases[i].out, got) == 0);
		CHECK_INT(buf[got], 0);
	}
}

int main(void)
{
	RUN(normalise_newlines);
	RUN(mode_names);
	RUN(html_mode);
	RUN(text_mode);
	RUN(url_mode);
	RUN(json_typing_value_position);
	RUN(json_reals_match_php_json_encode);
	RUN(json_in_string);
	RUN(json_escaping_matches_php);
	RUN(json_nul_byte_in_value);
	RUN(json_invalid_utf8_is_an_error);
	RUN(json_injection_stays_inside_its_string);
	RUN(no_reexpansion_of_inserted_values);
	RUN(cookbook_template);
	RUN(json_sections);
	RUN(json_raw_splices_prerendered_json);
	RUN(falsy_values);
	RUN(root_data_may_be_scalar_list_or_null);
	RUN(partials);
	RUN(partial_recursion_is_capped);
	RUN(template_errors_name_line_and_column);
	RUN(nesting_too_deep);
	RUN(json_compile_errors);
	RUN(json_invalid_output_errors);
	RUN(json_proof_examples);
	RUN(json_proof_exhaustive);
	RUN(deep_values_are_refused);
	RUN(runaway_rendering_is_stopped);
	RUN(json_escape_matches_bytewise_reference);
	RUN(json_reals_are_shortest_round_trip);
	RUN(remembered_lookups_follow_the_context);
	RUN(name_hash_is_djbx33a_with_top_bit);
	RUN(standalone_partial_indentation);
	RUN(inheritance_and_blocks);
	RUN(compiled_template_renders_many_times);
	RUN(cache_hits_and_lru_bound);
	RUN(cache_with_callers_hash);
	RUN(cache_many_entries);
	free(last_out);
	return UNIT_DONE("template");
}
