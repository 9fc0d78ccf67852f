/* Unit tests of the inbound token core (ext/core/inbound.c). */
#include "unit.h"
#include "inbound.h"

static bool bearer(const char *value, const char *expected)
{
	const char *t = NULL;
	size_t n = 0;
	bool ok = mih_inbound_bearer(value, value ? strlen(value) : 0, &t, &n);

	if (!expected) {
		return !ok;
	}
	return ok && n == strlen(expected) && memcmp(t, expected, n) == 0;
}

TEST(bearer_scheme_in_any_case)
{
	CHECK(bearer("Bearer abc123", "abc123"));
	CHECK(bearer("bearer abc123", "abc123"));
	CHECK(bearer("BEARER\tabc123", "abc123"));
	CHECK(bearer("  Bearer   abc123  ", "abc123"));
	CHECK(bearer("Bearer a b", "a b"));
}

TEST(bearer_refuses_other_values)
{
	CHECK(bearer(NULL, NULL));
	CHECK(bearer("", NULL));
	CHECK(bearer("Bearer", NULL));
	CHECK(bearer("Bearer ", NULL));
	CHECK(bearer("Bearer \t ", NULL));
	CHECK(bearer("Bearerabc", NULL));
	CHECK(bearer("Basic dXNlcjpwYXNz", NULL));
	CHECK(bearer("Token abc", NULL));
	CHECK(bearer("Bear abc", NULL));
}

TEST(bearer_reads_only_the_given_length)
{
	const char *t = NULL;
	size_t n = 0;

	/* "Bearer abc" followed by bytes outside the value. */
	CHECK(mih_inbound_bearer("Bearer abcXYZ", 10, &t, &n));
	CHECK_INT(n, 3);
	CHECK(memcmp(t, "abc", 3) == 0);
	CHECK(!mih_inbound_bearer("Bearer abc", 6, &t, &n));
}

TEST(trim_blanks)
{
	size_t n = 99;
	const char *t = mih_inbound_trim(" \tkey-1 \t", 9, &n);

	CHECK_INT(n, 5);
	CHECK(memcmp(t, "key-1", 5) == 0);
	mih_inbound_trim("  ", 2, &n);
	CHECK_INT(n, 0);
	mih_inbound_trim(NULL, 0, &n);
	CHECK_INT(n, 0);
}

TEST(token_equality)
{
	CHECK(mih_inbound_token_equals("s3cret-token", 12, "s3cret-token", 12));
	CHECK(!mih_inbound_token_equals("s3cret-token", 12, "s3cret-tokeN", 12));
	CHECK(!mih_inbound_token_equals("s3cret-token", 12, "s3cret-toke", 11));
	CHECK(!mih_inbound_token_equals("s3cret-token", 12, "s3cret-token2", 13));
	CHECK(!mih_inbound_token_equals("s3cret-token", 12, "", 0));
	/* Bytes past the length are not compared; a NUL inside is. */
	CHECK(mih_inbound_token_equals("abcX", 3, "abcY", 3));
	CHECK(!mih_inbound_token_equals("a\0b", 3, "a\0c", 3));
}

TEST(empty_expected_token_never_matches)
{
	CHECK(!mih_inbound_token_equals("", 0, "", 0));
	CHECK(!mih_inbound_token_equals(NULL, 0, "x", 1));
	CHECK(!mih_inbound_token_equals("x", 1, NULL, 0));
}

int main(void)
{
	RUN(bearer_scheme_in_any_case);
	RUN(bearer_refuses_other_values);
	RUN(bearer_reads_only_the_given_length);
	RUN(trim_blanks);
	RUN(token_equality);
	RUN(empty_expected_token_never_matches);
	return UNIT_DONE("inbound");
}
