/* The template renderer's work limits, built with them lowered (see the
 * Makefile: 1000 steps, 4096 bytes of output) so that reaching them takes
 * little data: where each limit is checked, what a step is, and that a
 * limit reached where a template without ops (an empty partial) starts
 * gives an error, not a crash. */
#include <jansson.h>
#include "unit.h"
#include "template.h"

static mih_tpl_error err;

/* NULL on a render error (err filled), else the output (free it). */
static char *render(const char *src, json_t *data, const char *partials)
{
	json_t *parts = partials ? json_loads(partials, 0, NULL) : NULL;
	mih_tpl *tpl = mih_tpl_compile(src, strlen(src), MIH_TPL_TEXT, &err);
	char *out = NULL;
	size_t len;

	if (tpl) {
		mih_tpl_render(tpl, data, parts, &out, &len, &err);
		mih_tpl_free(tpl);
	}
	json_decref(parts);
	json_decref(data);
	return out;
}

static json_t *list_of(size_t n, json_t *item)
{
	json_t *l = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_array_append(l, item);
	}
	json_decref(item);
	return json_pack("{s:o}", "l", l);
}

TEST(steps_limit_reached_at_an_empty_partial)
{
	/* 1 step for the top level, then per item 1 for the body and 1 for the
	 * partial: the 1001st step is the partial of item 500 */
	CHECK(render("{{#l}}{{>e}}{{/l}}", list_of(600, json_integer(1)), "{\"e\": \"\"}") == NULL);
	CHECK(strstr(err.message, "in partial 'e' at line 1, column 1: rendering stopped after") != NULL);
	CHECK_INT(err.line, 1);
	CHECK_INT(err.column, 7);
	CHECK(render("{{#l}}{{>e}}{{/l}}", list_of(600, json_integer(1)), "{\"e\": \"{{! only a comment }}\"}") == NULL);
	CHECK(strstr(err.message, "steps") != NULL);
}

TEST(output_limit_reached_at_an_empty_partial)
{
	char src[6000];

	memset(src, 'a', 5000);
	strcpy(src + 5000, "{{>e}}");
	CHECK(render(src, json_object(), "{\"e\": \"\"}") == NULL);
	CHECK(strstr(err.message, "in partial 'e' at line 1, column 1: rendering stopped after") != NULL);
	CHECK(strstr(err.message, "of output") != NULL);
	CHECK_INT(err.column, 5001);
}

TEST(output_limit_checked_after_every_tag)
{
	char big[1001];
	char *out;

	memset(big, 'b', 1000);
	big[1000] = '\0';
	CHECK(render("{{x}}{{x}}{{x}}{{x}}{{x}}{{x}}{{x}}{{x}}", json_pack("{s:s}", "x", big), NULL) == NULL);
	CHECK(strstr(err.message, "of output") != NULL);
	CHECK_INT(err.column, 21);	/* the fifth tag crosses 4096 bytes */
	out = render("{{x}}{{x}}{{x}}{{x}}", json_pack("{s:s}", "x", big), NULL);
	CHECK(out && strlen(out) == 4000);
	free(out);
}

TEST(skipped_bodies_cost_no_steps)
{
	char src[1000] = "{{#l}}{{#n}}";
	char *out;
	int i;

	for (i = 0; i < 100; i++) {
		strcat(src, "x{{a}}");
	}
	strcat(src, "{{/n}}{{/l}}");
	/* 1 + 400 steps: each item's body is one op, the falsy section */
	out = render(src, list_of(400, json_pack("{s:b}", "n", 0)), NULL);
	CHECK(out && strcmp(out, "") == 0);
	free(out);
}

TEST(empty_bodies_still_cost_a_step)
{
	/* 1 + 100 * (1 + 100): bounded although nothing is ever written */
	CHECK(render("{{#l}}{{#l}}{{/l}}{{/l}}", list_of(100, json_integer(1)), NULL) == NULL);
	CHECK(strstr(err.message, "steps") != NULL);
}

int main(void)
{
	RUN(steps_limit_reached_at_an_empty_partial);
	RUN(output_limit_reached_at_an_empty_partial);
	RUN(output_limit_checked_after_every_tag);
	RUN(skipped_bodies_cost_no_steps);
	RUN(empty_bodies_still_cost_a_step);
	return UNIT_DONE("template limits");
}
