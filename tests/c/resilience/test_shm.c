/* Host-wide breaker table: file handling, slots, counters, and real
 * processes racing on it (forked children, some SIGKILLed mid-way). */
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "shm.h"
#include "clock.h"

#define T0 1700000000000LL
#define KEY "store-1\0svc-a"
#define KEYLEN (sizeof(KEY) - 1)
#define CHILDREN 4

static char path[128];
static char err[512];

static void new_path(const char *tag)
{
	snprintf(path, sizeof(path), "/tmp/mih-test-shm-%d-%s.shm", (int)getpid(), tag);
	unlink(path);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static mih_shm *open_ok(unsigned slots, unsigned mode)
{
	mih_shm *shm = NULL;

	if (mih_shm_open(&shm, path, slots, mode, err, sizeof(err)) != 0) {
		fprintf(stderr, "mih_shm_open(%s): %s\n", path, err);
	}
	return shm;
}

static mih_breaker_config count_config(void)
{
	mih_breaker_config c;

	mih_breaker_config_default(&c);
	return c;
}

static mih_breaker_decision allow(mih_shm *shm, const char *key, size_t len,
	const mih_breaker_config *c, int64_t now, mih_breaker_permit *p)
{
	mih_breaker_decision d = MIH_BREAKER_REJECT;

	if (mih_shm_breaker_allow(shm, key, len, c, now, &d, p, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "allow: %s\n", err);
		return (mih_breaker_decision)-1;
	}
	return d;
}

static void open_circuit(mih_shm *shm, const char *key, size_t len, const mih_breaker_config *c)
{
	int i;

	for (i = 0; i < (int)c->failure_threshold; i++) {
		mih_shm_breaker_record(shm, key, len, c, T0, 1, NULL, NULL, NULL, err, sizeof(err));
	}
}

TEST(creates_with_exact_mode)
{
	struct stat sb;
	mih_shm *shm;
	mode_t old = umask(0777);

	new_path("mode");
	shm = open_ok(0, 0660);
	umask(old);
	CHECK(shm != NULL);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0660);
	CHECK_INT(mih_shm_slot_count(shm), MIH_SHM_DEFAULT_SLOTS);
	mih_shm_close(shm);
	unlink(path);

	old = umask(0);
	shm = open_ok(16, 0600);
	umask(old);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0600);
	CHECK_INT(mih_shm_slot_count(shm), 16);
	mih_shm_close(shm);
	unlink(path);
}

TEST(bad_arguments)
{
	mih_shm *shm = (mih_shm *)1;
	char key[MIH_SHM_KEY_MAX + 1];
	mih_breaker_decision d;

	new_path("args");
	CHECK_INT(mih_shm_open(&shm, "", 0, 0600, err, sizeof(err)), -1);
	CHECK(shm == NULL);
	CHECK(strstr(err, "empty") != NULL);
	CHECK_INT(mih_shm_open(&shm, path, 3, 0600, err, sizeof(err)), -1);
	CHECK(strstr(err, "slot count") != NULL);
	CHECK_INT(mih_shm_open(&shm, path, 100000, 0600, err, sizeof(err)), -1);
	CHECK_INT(mih_shm_open(&shm, path, 0, 0400, err, sizeof(err)), -1);
	CHECK(strstr(err, "mode") != NULL);
	CHECK_INT(mih_shm_open(&shm, path, 0, 01600, err, sizeof(err)), -1);
	CHECK_INT(mih_shm_open(&shm, "/nonexistent-dir/x.shm", 0, 0600, err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent-dir/x.shm") != NULL);
	CHECK_INT(access(path, F_OK), -1);

	shm = open_ok(8, 0600);
	memset(key, 'k', sizeof(key));
	CHECK_INT(mih_shm_breaker_allow(shm, key, sizeof(key), NULL, T0, &d, NULL, NULL, NULL,
		err, sizeof(err)), -1);
	CHECK(strstr(err, "key") != NULL);
	CHECK_INT(mih_shm_breaker_allow(shm, key, 0, NULL, T0, &d, NULL, NULL, NULL,
		err, sizeof(err)), -1);
	CHECK_INT(mih_shm_breaker_allow(shm, key, MIH_SHM_KEY_MAX, NULL, T0, &d, NULL, NULL, NULL,
		err, sizeof(err)), 0);
	CHECK_INT(mih_shm_bump_version(shm, key, sizeof(key), err, sizeof(err)), 0);
	CHECK_INT(mih_shm_version(shm, key, sizeof(key)), 0);
	mih_shm_close(shm);
	unlink(path);
}

TEST(existing_file_keeps_its_slot_count)
{
	mih_breaker_config c = count_config();
	mih_shm *a, *b;

	new_path("reopen");
	a = open_ok(32, 0600);
	b = open_ok(64, 0600);
	CHECK(a != NULL && b != NULL);
	CHECK_INT(mih_shm_slot_count(b), 32);
	/* Both mappings see the same circuits. */
	open_circuit(a, KEY, KEYLEN, &c);
	CHECK_INT(allow(b, KEY, KEYLEN, &c, T0 + 1, NULL), MIH_BREAKER_REJECT);
	mih_shm_close(a);
	mih_shm_close(b);
	unlink(path);
}

TEST(foreign_file_refused)
{
	static const char text[] = "precious data, not ours";
	char back[sizeof(text)];
	mih_shm *shm = NULL;
	int fd;

	new_path("foreign");
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	CHECK_INT(write(fd, text, sizeof(text)), sizeof(text));
	close(fd);
	CHECK_INT(mih_shm_open(&shm, path, 0, 0600, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a mih shared memory file") != NULL);
	CHECK(strstr(err, path) != NULL);
	fd = open(path, O_RDONLY);
	CHECK_INT(read(fd, back, sizeof(back)), sizeof(text));
	close(fd);
	CHECK(memcmp(back, text, sizeof(text)) == 0);
	unlink(path);

	CHECK_INT(mkdir(path, 0700), 0);
	CHECK_INT(mih_shm_open(&shm, path, 0, 0600, err, sizeof(err)), -1);
	rmdir(path);
}

TEST(stale_layout_replaced_old_mapping_survives)
{
	mih_breaker_config c = count_config();
	struct stat before, after;
	uint32_t bogus = 999;
	mih_shm *old, *fresh;
	int fd;

	new_path("stale");
	old = open_ok(16, 0600);
	open_circuit(old, KEY, KEYLEN, &c);
	stat(path, &before);
	fd = open(path, O_WRONLY);
	CHECK_INT(pwrite(fd, &bogus, sizeof(bogus), 8), sizeof(bogus));
	close(fd);
	fresh = open_ok(16, 0600);
	CHECK(fresh != NULL);
	stat(path, &after);
	CHECK(before.st_ino != after.st_ino);
	CHECK_INT(after.st_mode & 0777, 0600);
	/* The new file starts empty; the old mapping still works. */
	CHECK_INT(allow(fresh, KEY, KEYLEN, &c, T0 + 1, NULL), MIH_BREAKER_ALLOW);
	CHECK_INT(allow(old, KEY, KEYLEN, &c, T0 + 1, NULL), MIH_BREAKER_REJECT);
	mih_shm_close(old);
	mih_shm_close(fresh);

	/* Truncated: ours by magic, wrong size -> replaced too. */
	fd = open(path, O_WRONLY);
	CHECK_INT(ftruncate(fd, 4096), 0);
	close(fd);
	fresh = open_ok(16, 0600);
	CHECK(fresh != NULL);
	CHECK_INT(allow(fresh, KEY, KEYLEN, &c, T0 + 1, NULL), MIH_BREAKER_ALLOW);
	mih_shm_close(fresh);
	unlink(path);
}

TEST(precreated_empty_file_initialised_in_place)
{
	struct stat before, after;
	mih_shm *shm;
	int fd;

	new_path("precreated");
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	fchmod(fd, 0664);
	close(fd);
	stat(path, &before);
	shm = open_ok(8, 0600);
	CHECK(shm != NULL);
	stat(path, &after);
	CHECK(before.st_ino == after.st_ino);
	CHECK_INT(after.st_mode & 0777, 0664);
	CHECK_INT(mih_shm_slot_count(shm), 8);
	mih_shm_close(shm);
	unlink(path);
}

TEST(breaker_operations)
{
	mih_breaker_config c = count_config();
	mih_breaker_snapshot info;
	mih_breaker_transition t;
	mih_breaker_permit p;
	mih_breaker_decision d;
	mih_shm_stats stats;
	int64_t next, wait;
	unsigned n;
	int applied;
	mih_shm *shm;

	new_path("ops");
	shm = open_ok(16, 0600);
	/* Unknown circuits read as closed without taking a slot. */
	CHECK_INT(mih_shm_breaker_info(shm, KEY, KEYLEN, &c, T0, &info, err, sizeof(err)), 0);
	CHECK_INT(info.state, MIH_BREAKER_CLOSED);
	CHECK_INT(mih_shm_breaker_next_allowed(shm, KEY, KEYLEN, &c, T0, &next, err, sizeof(err)), 0);
	CHECK_INT(next, T0);
	CHECK_INT(mih_shm_stats_get(shm, &stats, err, sizeof(err)), 0);
	CHECK_INT(stats.breakers, 0);

	CHECK_INT(mih_shm_breaker_allow(shm, KEY, KEYLEN, &c, T0, &d, &p, &wait, &t, err,
		sizeof(err)), 0);
	CHECK_INT(d, MIH_BREAKER_ALLOW);
	CHECK_INT(mih_shm_breaker_record(shm, KEY, KEYLEN, &c, T0, 1, &p, &applied, &t, err,
		sizeof(err)), 0);
	CHECK_INT(applied, 1);
	open_circuit(shm, KEY, KEYLEN, &c);
	CHECK_INT(mih_shm_breaker_info(shm, KEY, KEYLEN, &c, T0, &info, err, sizeof(err)), 0);
	CHECK_INT(info.state, MIH_BREAKER_OPEN);
	CHECK_INT(info.retry_after, 300);
	/* The same service name under another store is another circuit. */
	CHECK_INT(allow(shm, "store-2\0svc-a", 13, &c, T0, NULL), MIH_BREAKER_ALLOW);
	CHECK_INT(mih_shm_breaker_next_allowed(shm, KEY, KEYLEN, &c, T0, &next, err, sizeof(err)), 0);
	CHECK_INT(next, T0 + 300000);
	CHECK_INT(mih_shm_breaker_reset(shm, KEY, KEYLEN, err, sizeof(err)), 0);
	CHECK_INT(allow(shm, KEY, KEYLEN, &c, T0, NULL), MIH_BREAKER_ALLOW);
	/* The outcome of a call allowed before the reset is stale. */
	CHECK_INT(mih_shm_breaker_record(shm, KEY, KEYLEN, &c, T0, 1, &p, &applied, NULL, err,
		sizeof(err)), 0);
	CHECK_INT(applied, 0);

	open_circuit(shm, KEY, KEYLEN, &c);
	open_circuit(shm, "store-1\0svc-b", 13, &c);
	open_circuit(shm, "store-2\0svc-a", 13, &c);
	CHECK_INT(mih_shm_breaker_reset_prefix(shm, "store-1\0", 8, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);
	CHECK_INT(allow(shm, KEY, KEYLEN, &c, T0, NULL), MIH_BREAKER_ALLOW);
	CHECK_INT(allow(shm, "store-1\0svc-b", 13, &c, T0, NULL), MIH_BREAKER_ALLOW);
	CHECK_INT(allow(shm, "store-2\0svc-a", 13, &c, T0, NULL), MIH_BREAKER_REJECT);
	CHECK_INT(mih_shm_stats_get(shm, &stats, err, sizeof(err)), 0);
	CHECK_INT(stats.breakers, 3);
	CHECK_INT(stats.slots, 16);
	mih_shm_close(shm);
	unlink(path);
}

typedef struct listing {
	int count;
	int open;
	char keys[4][32];
} listing;

static void list_one(const char *key, size_t keylen, const mih_breaker_state *state, void *ctx)
{
	listing *l = ctx;
	mih_breaker_snapshot info;

	mih_breaker_info(state, NULL, T0, &info);
	if (l->count < 4 && keylen < 32) {
		memcpy(l->keys[l->count], key, keylen);
		l->keys[l->count][keylen] = '\0';
	}
	l->count++;
	l->open += info.state == MIH_BREAKER_OPEN;
}

static void force_open(mih_breaker_state *state, void *ctx)
{
	(void)ctx;
	state->status = MIH_BREAKER_OPEN;
	state->open_until_ms = INT64_MAX;
}

TEST(each_and_update)
{
	mih_breaker_config c = count_config();
	listing l = {0};
	mih_shm *shm;

	new_path("each");
	shm = open_ok(16, 0600);
	allow(shm, "s1\0a", 4, &c, T0, NULL);
	allow(shm, "s1\0b", 4, &c, T0, NULL);
	allow(shm, "s2\0a", 4, &c, T0, NULL);
	mih_shm_bump_version(shm, "s1\0rules", 8, err, sizeof(err));
	CHECK_INT(mih_shm_breaker_update(shm, "s1\0b", 4, T0, force_open, NULL, err, sizeof(err)), 0);
	CHECK_INT(mih_shm_breaker_each(shm, "s1\0", 3, list_one, &l, err, sizeof(err)), 0);
	CHECK_INT(l.count, 2);
	CHECK_INT(l.open, 1);
	CHECK_STR(l.keys[0], "s1");
	memset(&l, 0, sizeof(l));
	CHECK_INT(mih_shm_breaker_each(shm, NULL, 0, list_one, &l, err, sizeof(err)), 0);
	CHECK_INT(l.count, 3);
	mih_shm_close(shm);
	unlink(path);
}

TEST(version_counters)
{
	uint64_t v1, v2, v3;
	mih_shm *shm;

	new_path("versions");
	shm = open_ok(8, 0600);
	CHECK_INT(mih_shm_version(shm, "rules:s1", 8), 0);
	v1 = mih_shm_bump_version(shm, "rules:s1", 8, err, sizeof(err));
	CHECK(v1 > 0);
	CHECK(mih_shm_version(shm, "rules:s1", 8) == v1);
	v2 = mih_shm_bump_version(shm, "rules:s2", 8, err, sizeof(err));
	v3 = mih_shm_bump_version(shm, "rules:s1", 8, err, sizeof(err));
	CHECK(v2 != v1 && v3 != v1 && v3 != v2);
	CHECK(mih_shm_version(shm, "rules:s1", 8) == v3);
	CHECK(mih_shm_version(shm, "rules:s2", 8) == v2);
	/* Counters and circuits are separate namespaces. */
	CHECK_INT(allow(shm, "rules:s1", 8, NULL, T0, NULL), MIH_BREAKER_ALLOW);
	CHECK(mih_shm_version(shm, "rules:s1", 8) == v3);
	mih_shm_close(shm);
	/* Seeded from the clock: far above small numbers a cache may hold. */
	CHECK(v1 > 1000000000000ULL);
	unlink(path);
}

/* Keys of one length that differ in their last byte, used in turn (more
 * of them than the process remembers hashes for): each keeps its own
 * counter and its own circuit. */
TEST(similar_keys_in_turn)
{
	char key[16];
	uint64_t v[5];
	mih_shm *shm;

	new_path("similar");
	shm = open_ok(16, 0600);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 5; i++) {
			snprintf(key, sizeof(key), "rules:site%d", i);
			if (round == 0) {
				v[i] = mih_shm_bump_version(shm, key, strlen(key), err, sizeof(err));
			}
			CHECK(mih_shm_version(shm, key, strlen(key)) == v[i]);
			CHECK(i == 0 || v[i] != v[i - 1]);
		}
	}
	CHECK_INT(mih_shm_version(shm, "rules:site5", 11), 0);
	CHECK_INT(allow(shm, "rules:site1", 11, NULL, T0, NULL), MIH_BREAKER_ALLOW);
	CHECK(mih_shm_version(shm, "rules:site1", 11) == v[1]);
	mih_shm_close(shm);
	unlink(path);
}

/* Counters are evictable like closed circuits (an evicted counter reads 0,
 * which makes every cache reload), so per-store counters never fill the
 * table; open circuits still survive. */
TEST(full_table_evicts_lru_counters)
{
	mih_breaker_config c = count_config();
	char key[32];
	uint64_t first;
	mih_shm *shm;
	int i;

	int64_t now = mih_clock_real_ms(NULL);

	new_path("counters");
	shm = open_ok(8, 0600);
	/* Counters use the real clock: open this circuit on it too. */
	for (i = 0; i < (int)c.failure_threshold; i++) {
		mih_shm_breaker_record(shm, "open-svc", 8, &c, now, 1, NULL, NULL, NULL, err, sizeof(err));
	}
	first = mih_shm_bump_version(shm, "rules:0", 7, err, sizeof(err));
	CHECK(first != 0);
	for (i = 1; i < 40; i++) {
		/* Counters are stamped with the real clock: keep their uses apart. */
		usleep(2000);
		snprintf(key, sizeof(key), "rules:%d", i);
		CHECK(mih_shm_bump_version(shm, key, strlen(key), err, sizeof(err)) != 0);
	}
	/* rules:0 was evicted long ago: it reads 0, unlike the value cached. */
	CHECK_INT(mih_shm_version(shm, "rules:0", 7), 0);
	CHECK(mih_shm_version(shm, "rules:39", 8) != 0);
	CHECK_INT(allow(shm, "open-svc", 8, &c, mih_clock_real_ms(NULL), NULL), MIH_BREAKER_REJECT);
	mih_shm_close(shm);
	unlink(path);
}

/* An open circuit whose cooldown has ended and holds no probe permit is idle:
 * a new key may take its slot (otherwise stale open circuits of long-gone
 * stores would fill the table for good). */
TEST(full_table_evicts_open_circuits_past_cooldown)
{
	mih_breaker_config c = count_config();
	char key[16];
	mih_shm *shm;
	int i;

	new_path("stale");
	shm = open_ok(8, 0600);
	for (i = 0; i < 8; i++) {
		snprintf(key, sizeof(key), "old-%d", i);
		open_circuit(shm, key, strlen(key), &c);
	}
	/* Still cooling down: no room. */
	{
		mih_breaker_decision d;
		CHECK_INT(mih_shm_breaker_allow(shm, "new-a", 5, &c, T0 + 1, &d, NULL, NULL, NULL,
			err, sizeof(err)), -1);
		CHECK(strstr(err, "full") != NULL);
	}
	/* After the cooldown the stale open circuits are evictable. */
	CHECK_INT(allow(shm, "new-a", 5, &c, T0 + c.cooldown_ms + 1, NULL), MIH_BREAKER_ALLOW);
	mih_shm_close(shm);
	unlink(path);
}

TEST(full_table_evicts_lru_closed_never_open)
{
	mih_breaker_config c = count_config();
	mih_shm_stats stats;
	mih_breaker_decision d;
	char key[16];
	mih_shm *shm;
	int i;

	new_path("full");
	shm = open_ok(8, 0600);
	for (i = 0; i < 8; i++) {
		snprintf(key, sizeof(key), "svc-%d", i);
		allow(shm, key, strlen(key), &c, T0 + i, NULL);
	}
	/* svc-0 is the least recently used closed circuit. */
	allow(shm, "svc-0", 5, &c, T0 + 100, NULL);
	CHECK_INT(allow(shm, "svc-new", 7, &c, T0 + 200, NULL), MIH_BREAKER_ALLOW);
	CHECK_INT(mih_shm_stats_get(shm, &stats, err, sizeof(err)), 0);
	CHECK_INT(stats.evictions, 1);
	CHECK_INT(stats.breakers, 8);
	/* svc-1 was evicted; svc-0 kept. Open everything: no more room. */
	for (i = 0; i < 8; i++) {
		snprintf(key, sizeof(key), "svc-%d", i);
		if (i == 1) {
			snprintf(key, sizeof(key), "svc-new");
		}
		open_circuit(shm, key, strlen(key), &c);
	}
	CHECK_INT(mih_shm_breaker_allow(shm, "svc-x", 5, &c, T0 + 300, &d, NULL, NULL, NULL,
		err, sizeof(err)), -1);
	CHECK(strstr(err, "full") != NULL);
	/* Open circuits survived. (Counters stamp the real clock, which this
	 * test's fake clock cannot be compared with: see the counters test.) */
	CHECK_INT(allow(shm, "svc-0", 5, &c, T0 + 400, NULL), MIH_BREAKER_REJECT);
	CHECK_INT(allow(shm, "svc-new", 7, &c, T0 + 400, NULL), MIH_BREAKER_REJECT);
	mih_shm_close(shm);
	unlink(path);
}

/* ---- multi-process ---- */

typedef struct tally {
	int allows;
	int probes;
	int applied;
	int opened;
	int errors;
} tally;

typedef void (*child_fn)(int go_fd, int out_fd, void *arg);

/* Forks a child that waits until the go pipe closes (every child is
 * released at once), runs fn and exits. */
static pid_t spawn(child_fn fn, const int go[2], int out_fd, void *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		char b;

		close(go[1]);
		while (read(go[0], &b, 1) > 0) {
		}
		fn(go[0], out_fd, arg);
		_exit(0);
	}
	return pid;
}

static int reap(pid_t pid)
{
	int status = 0;

	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

typedef struct hammer_arg {
	mih_breaker_config cfg;
	int64_t now;
	int rounds;
	int record_failures;
} hammer_arg;

static void hammer(int go_fd, int out_fd, void *arg)
{
	hammer_arg *h = arg;
	tally t = {0};
	mih_shm *shm = NULL;
	char e[512];
	int i;

	(void)go_fd;
	if (mih_shm_open(&shm, path, 0, 0600, e, sizeof(e)) != 0) {
		t.errors++;
	}
	for (i = 0; shm != NULL && i < h->rounds; i++) {
		mih_breaker_decision d;
		mih_breaker_permit p;
		mih_breaker_transition tr;
		int applied = 0;

		if (mih_shm_breaker_allow(shm, KEY, KEYLEN, &h->cfg, h->now, &d, &p, NULL, NULL,
				e, sizeof(e)) != 0) {
			t.errors++;
			continue;
		}
		t.allows += d == MIH_BREAKER_ALLOW;
		t.probes += d == MIH_BREAKER_ALLOW_PROBE;
		if (d == MIH_BREAKER_REJECT || !h->record_failures) {
			continue;
		}
		if (mih_shm_breaker_record(shm, KEY, KEYLEN, &h->cfg, h->now, 1, &p, &applied, &tr,
				e, sizeof(e)) != 0) {
			t.errors++;
		}
		t.applied += applied;
		t.opened += tr.from != tr.to && tr.to == MIH_BREAKER_OPEN;
	}
	mih_shm_close(shm);
	if (write(out_fd, &t, sizeof(t)) != (ssize_t)sizeof(t)) {
		_exit(3);
	}
}

/* Runs CHILDREN hammer children released at once; sums their tallies. */
static tally run_hammers(hammer_arg *h)
{
	int go[2], out[2], i, bad = 0;
	pid_t pids[CHILDREN];
	tally sum = {0}, t;

	CHECK_INT(pipe(go), 0);
	CHECK_INT(pipe(out), 0);
	for (i = 0; i < CHILDREN; i++) {
		pids[i] = spawn(hammer, go, out[1], h);
	}
	close(go[0]);
	close(go[1]);
	close(out[1]);
	for (i = 0; i < CHILDREN; i++) {
		if (read(out[0], &t, sizeof(t)) != (ssize_t)sizeof(t)) {
			bad++;
			continue;
		}
		sum.allows += t.allows;
		sum.probes += t.probes;
		sum.applied += t.applied;
		sum.opened += t.opened;
		sum.errors += t.errors;
	}
	close(out[0]);
	for (i = 0; i < CHILDREN; i++) {
		CHECK_INT(reap(pids[i]), 0);
	}
	CHECK_INT(bad, 0);
	return sum;
}

TEST(processes_open_circuit_once)
{
	hammer_arg h = {0};
	mih_breaker_snapshot info;
	mih_shm *shm;
	tally t;

	new_path("hammer");
	shm = open_ok(0, 0600);
	h.cfg = count_config();
	h.now = T0;
	h.rounds = 500;
	h.record_failures = 1;
	t = run_hammers(&h);
	CHECK_INT(t.errors, 0);
	/* Exactly threshold failures count; the one that opens is reported
	 * once host-wide; calls already in flight at the opening are the only
	 * extra ALLOWs, and after it no ALLOW at all is handed out. */
	CHECK_INT(t.applied, 5);
	CHECK_INT(t.opened, 1);
	CHECK(t.allows >= 5 && t.allows <= 5 + CHILDREN - 1);
	CHECK_INT(t.probes, 0);
	CHECK_INT(mih_shm_breaker_info(shm, KEY, KEYLEN, &h.cfg, T0, &info, err, sizeof(err)), 0);
	CHECK_INT(info.state, MIH_BREAKER_OPEN);

	/* Half-open at a fixed instant: exactly halfopen_probes permits across
	 * every process, however hard they race. */
	h.cfg.halfopen_probes = 3;
	h.now = T0 + h.cfg.cooldown_ms;
	h.record_failures = 0;
	t = run_hammers(&h);
	CHECK_INT(t.errors, 0);
	CHECK_INT(t.probes, 3);
	CHECK_INT(t.allows, 0);
	mih_shm_close(shm);
	unlink(path);
}

TEST(concurrent_creation)
{
	hammer_arg h = {0};
	mih_breaker_snapshot info;
	mih_shm *shm;
	tally t;

	/* Every child creates/opens the missing file at the same moment; all
	 * must land in one table (8 failures recorded in one circuit). */
	new_path("create");
	h.cfg = count_config();
	h.cfg.failure_threshold = 1000;
	h.now = T0;
	h.rounds = 2;
	h.record_failures = 1;
	t = run_hammers(&h);
	CHECK_INT(t.errors, 0);
	CHECK_INT(t.applied, CHILDREN * 2);
	shm = open_ok(0, 0600);
	CHECK_INT(mih_shm_breaker_info(shm, KEY, KEYLEN, &h.cfg, T0, &info, err, sizeof(err)), 0);
	CHECK_INT(info.calls, CHILDREN * 2);
	mih_shm_close(shm);
	unlink(path);
}

static void take_probe_and_hang(int go_fd, int out_fd, void *arg)
{
	hammer_arg *h = arg;
	mih_breaker_decision d;
	mih_breaker_permit p;
	mih_shm *shm;
	char e[512];
	char ok;

	(void)go_fd;
	if (mih_shm_open(&shm, path, 0, 0600, e, sizeof(e)) != 0
		|| mih_shm_breaker_allow(shm, KEY, KEYLEN, &h->cfg, h->now, &d, &p, NULL, NULL,
			e, sizeof(e)) != 0) {
		_exit(2);
	}
	ok = d == MIH_BREAKER_ALLOW_PROBE ? 'P' : 'x';
	if (write(out_fd, &ok, 1) != 1) {
		_exit(3);
	}
	for (;;) {
		pause();
	}
}

TEST(killed_probe_expires)
{
	hammer_arg h = {0};
	mih_shm *shm;
	int go[2], out[2];
	char got = 0;
	pid_t pid;

	new_path("probe");
	shm = open_ok(0, 0600);
	h.cfg = count_config();
	h.cfg.probe_ttl_ms = 30000;
	open_circuit(shm, KEY, KEYLEN, &h.cfg);
	h.now = T0 + h.cfg.cooldown_ms;
	CHECK_INT(pipe(go), 0);
	CHECK_INT(pipe(out), 0);
	pid = spawn(take_probe_and_hang, go, out[1], &h);
	close(go[0]);
	close(go[1]);
	close(out[1]);
	CHECK_INT(read(out[0], &got, 1), 1);
	CHECK_INT(got, 'P');
	kill(pid, SIGKILL);
	CHECK_INT(reap(pid), 128 + SIGKILL);
	close(out[0]);
	CHECK_INT(allow(shm, KEY, KEYLEN, &h.cfg, h.now + 29999, NULL), MIH_BREAKER_REJECT);
	CHECK_INT(allow(shm, KEY, KEYLEN, &h.cfg, h.now + 30000, NULL), MIH_BREAKER_ALLOW_PROBE);
	mih_shm_close(shm);
	unlink(path);
}

static void signal_and_hang(mih_breaker_state *state, void *ctx)
{
	int fd = *(int *)ctx;
	char b = 'L';

	/* Leave a half-written update behind: the state must stay usable. */
	state->status = MIH_BREAKER_OPEN;
	if (write(fd, &b, 1) != 1) {
		_exit(3);
	}
	for (;;) {
		pause();
	}
}

static void hold_lock_and_hang(int go_fd, int out_fd, void *arg)
{
	mih_shm *shm;
	char e[512];

	(void)go_fd;
	(void)arg;
	if (mih_shm_open(&shm, path, 0, 0600, e, sizeof(e)) != 0) {
		_exit(2);
	}
	mih_shm_breaker_update(shm, KEY, KEYLEN, T0, signal_and_hang, &out_fd, e, sizeof(e));
	_exit(4);
}

TEST(lock_owner_killed_does_not_wedge)
{
	mih_breaker_config c = count_config();
	mih_shm_stats stats;
	mih_shm *shm;
	int round;

	new_path("lockkill");
	shm = open_ok(0, 0600);
	for (round = 0; round < 3; round++) {
		int go[2], out[2];
		int64_t started;
		char got = 0;
		pid_t pid;

		CHECK_INT(pipe(go), 0);
		CHECK_INT(pipe(out), 0);
		pid = spawn(hold_lock_and_hang, go, out[1], NULL);
		close(go[0]);
		close(go[1]);
		close(out[1]);
		CHECK_INT(read(out[0], &got, 1), 1);
		close(out[0]);
		kill(pid, SIGKILL);
		CHECK_INT(reap(pid), 128 + SIGKILL);
		started = mono_ms();
		CHECK(allow(shm, KEY, KEYLEN, &c, T0, NULL) != (mih_breaker_decision)-1);
		CHECK(mono_ms() - started < 1000);
	}
	CHECK_INT(mih_shm_stats_get(shm, &stats, err, sizeof(err)), 0);
	CHECK_INT(stats.lock_recoveries, 3);
	mih_shm_close(shm);
	unlink(path);
}

static void hammer_forever(int go_fd, int out_fd, void *arg)
{
	hammer_arg *h = arg;
	mih_shm *shm;
	char e[512];
	char b = 'R';
	int64_t now = h->now;

	(void)go_fd;
	if (mih_shm_open(&shm, path, 0, 0600, e, sizeof(e)) != 0) {
		_exit(2);
	}
	for (;;) {
		mih_breaker_decision d;
		mih_breaker_permit p;

		now += 1000;
		mih_shm_breaker_allow(shm, KEY, KEYLEN, &h->cfg, now, &d, &p, NULL, NULL, e, sizeof(e));
		if (d != MIH_BREAKER_REJECT) {
			mih_shm_breaker_record(shm, KEY, KEYLEN, &h->cfg, now, (now / 1000) % 3 != 0, &p,
				NULL, NULL, e, sizeof(e));
		}
		mih_shm_bump_version(shm, "rules:s", 7, e, sizeof(e));
		/* Ready once one full round is done; the parent kills at random. */
		if (b != 0 && write(out_fd, &b, 1) == 1) {
			b = 0;
		}
	}
}

TEST(killed_mid_loop_repeatedly)
{
	hammer_arg h = {0};
	mih_breaker_snapshot info;
	mih_shm_stats stats;
	mih_shm *shm;
	int round;

	new_path("loopkill");
	shm = open_ok(0, 0600);
	h.cfg = count_config();
	h.cfg.cooldown_ms = 5000;
	h.now = T0;
	for (round = 0; round < 20; round++) {
		int go[2], out[2];
		int64_t started;
		char got = 0;
		pid_t pid;

		CHECK_INT(pipe(go), 0);
		CHECK_INT(pipe(out), 0);
		pid = spawn(hammer_forever, go, out[1], &h);
		close(go[0]);
		close(go[1]);
		close(out[1]);
		CHECK_INT(read(out[0], &got, 1), 1);
		close(out[0]);
		usleep(1000 + (round % 5) * 700);
		kill(pid, SIGKILL);
		CHECK_INT(reap(pid), 128 + SIGKILL);
		started = mono_ms();
		CHECK(allow(shm, KEY, KEYLEN, &h.cfg, T0, NULL) != (mih_breaker_decision)-1);
		CHECK(mih_shm_version(shm, "rules:s", 7) != 0);
		CHECK(mono_ms() - started < 1000);
	}
	CHECK_INT(mih_shm_breaker_info(shm, KEY, KEYLEN, &h.cfg, T0, &info, err, sizeof(err)), 0);
	CHECK_INT(mih_shm_stats_get(shm, &stats, err, sizeof(err)), 0);
	fprintf(stderr, "killed_mid_loop_repeatedly: %llu of 20 kills landed inside the lock\n",
		(unsigned long long)stats.lock_recoveries);
	mih_shm_close(shm);
	unlink(path);
}

int main(void)
{
	RUN(creates_with_exact_mode);
	RUN(bad_arguments);
	RUN(existing_file_keeps_its_slot_count);
	RUN(foreign_file_refused);
	RUN(stale_layout_replaced_old_mapping_survives);
	RUN(precreated_empty_file_initialised_in_place);
	RUN(breaker_operations);
	RUN(each_and_update);
	RUN(version_counters);
	RUN(similar_keys_in_turn);
	RUN(full_table_evicts_lru_closed_never_open);
	RUN(full_table_evicts_lru_counters);
	RUN(full_table_evicts_open_circuits_past_cooldown);
	RUN(processes_open_circuit_once);
	RUN(concurrent_creation);
	RUN(killed_probe_expires);
	RUN(lock_owner_killed_does_not_wedge);
	RUN(killed_mid_loop_repeatedly);
	return UNIT_DONE("shm");
}
