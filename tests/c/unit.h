/* Minimal unit-test harness for the pure C cores (no Zend). Each test_*.c
 * defines tests with TEST(name) and lists them in main() via RUN(name).
 * The binary prints one line per failure and a closing "N passed, N failed"
 * line, and exits non-zero when anything failed. */
#ifndef MIH_UNIT_H
#define MIH_UNIT_H

#include <stdio.h>
#include <string.h>
#include <stdlib.h>

static int unit_failed_checks;
static int unit_passed, unit_failed;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		unit_failed_checks++; \
	} \
} while (0)

#define CHECK_INT(a, b) do { \
	long long _a = (long long)(a), _b = (long long)(b); \
	if (_a != _b) { \
		fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, _a, _b); \
		unit_failed_checks++; \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *_a = (a), *_b = (b); \
	if (!_a || !_b || strcmp(_a, _b) != 0) { \
		fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
			_a ? _a : "(null)", _b ? _b : "(null)"); \
		unit_failed_checks++; \
	} \
} while (0)

#define TEST(name) static void test_##name(void)

#define RUN(name) do { \
	int _before = unit_failed_checks; \
	test_##name(); \
	if (unit_failed_checks == _before) { \
		unit_passed++; \
	} else { \
		unit_failed++; \
		fprintf(stderr, "FAIL %s\n", #name); \
	} \
} while (0)

#define UNIT_DONE(suite) ( \
	printf("%s: %d passed, %d failed\n", (suite), unit_passed, unit_failed), \
	unit_failed ? 1 : 0)

#endif
