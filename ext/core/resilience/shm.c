/* Host-wide breaker table in a file-backed shared mapping; see shm.h.
 *
 * Opening: the path is opened (created empty with O_EXCL if missing, then
 * fchmod'ed to the exact mode). A header with our magic and layout is
 * mapped right away. Anything else is settled under flock(LOCK_EX) after
 * checking the path still names the inode we locked: an empty or all-zero
 * header (new file, or a creator that died mid-way) is initialised in place
 * with the magic written last, so nobody maps it half-built; a file of
 * ours with another layout is replaced by a fresh file renamed over it.
 *
 * Why this file is long: the mapping, its lock (robust, recovered after a
 * holder is killed), the slot table and the operations on it (breaker
 * transitions, version counters) are one file format; every operation runs
 * under the same lock protocol and the same slot lookup, kept static so that
 * no caller can touch the mapping unlocked. */
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "shm.h"

#define SHM_MAGIC "MIHSHM01"
#define SHM_MAGIC_OWNER_LEN 6   /* "MIHSHM": the file is ours, whatever its version */
#define SHM_LAYOUT_VERSION 1
#define SHM_OPEN_TRIES 8

typedef struct shm_header {
	char magic[8];
	uint32_t layout_version;
	uint32_t header_size;
	uint32_t slot_size;
	uint32_t slot_count;
	uint64_t file_size;
	uint64_t id_clock;          /* source of counter values and breaker periods */
	uint64_t lock_recoveries;
	uint64_t evictions;
	pthread_mutex_t lock;
} shm_header;

#define SHM_HEADER_SIZE ((sizeof(shm_header) + 63) / 64 * 64)

enum { SLOT_KIND_BREAKER = 1, SLOT_KIND_COUNTER = 2 };

typedef struct shm_slot {
	uint32_t used;              /* written last when a slot is taken */
	uint32_t kind;
	uint32_t key_len;
	uint32_t reserved;
	uint64_t hash;
	int64_t last_used_ms;
	uint64_t version;           /* counters */
	char key[MIH_SHM_KEY_MAX];
	mih_breaker_state breaker;  /* breakers */
} shm_slot;

/* The hashes of the last keys this process used: a synchronous call asks
 * for the same circuit and the same change counter every time, and hashing
 * a key (store identity and name, often 60 bytes and more) byte by byte is
 * most of a lookup. Per process, never in the mapping. */
#define SHM_HASH_MEMO 2

typedef struct shm_hash_memo {
	uint32_t kind;
	uint32_t len;                /* 0: empty */
	uint64_t hash;
	char key[MIH_SHM_KEY_MAX];
} shm_hash_memo;

struct mih_shm {
	shm_header *hdr;
	shm_slot *slots;
	size_t size;
	unsigned count;
	char *path;
	shm_hash_memo memo[SHM_HASH_MEMO];
	unsigned memo_next;
};

typedef enum {
	FILE_VALID,
	FILE_BLANK,                 /* empty or zero header: initialise in place */
	FILE_STALE,                 /* ours, other layout: replace */
	FILE_FOREIGN                /* not ours: refuse */
} shm_file_kind;

static uint64_t file_size_for(unsigned slots)
{
	return SHM_HEADER_SIZE + (uint64_t)slots * sizeof(shm_slot);
}

static shm_file_kind classify_file(int fd, uint64_t file_size)
{
	shm_header h;
	static const char zeros[sizeof(h.magic)];
	ssize_t n;

	if (file_size == 0) {
		return FILE_BLANK;
	}
	n = pread(fd, &h, sizeof(h), 0);
	if (n < (ssize_t)sizeof(h.magic)) {
		return FILE_FOREIGN;
	}
	if (memcmp(h.magic, zeros, sizeof(zeros)) == 0 && file_size <= file_size_for(MIH_SHM_MAX_SLOTS)) {
		return FILE_BLANK;
	}
	if (memcmp(h.magic, SHM_MAGIC, SHM_MAGIC_OWNER_LEN) != 0) {
		return FILE_FOREIGN;
	}
	if (n != (ssize_t)sizeof(h) || memcmp(h.magic, SHM_MAGIC, sizeof(h.magic)) != 0
		|| h.layout_version != SHM_LAYOUT_VERSION || h.header_size != SHM_HEADER_SIZE
		|| h.slot_size != sizeof(shm_slot) || h.slot_count < MIH_SHM_MIN_SLOTS
		|| h.slot_count > MIH_SHM_MAX_SLOTS || h.file_size != file_size_for(h.slot_count)
		|| h.file_size != file_size) {
		return FILE_STALE;
	}
	return FILE_VALID;
}

static int init_mutex(pthread_mutex_t *m)
{
	pthread_mutexattr_t attr;
	int rc;

	if ((rc = pthread_mutexattr_init(&attr)) != 0) {
		return rc;
	}
	rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (rc == 0) {
		rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	}
	if (rc == 0) {
		rc = pthread_mutex_init(m, &attr);
	}
	pthread_mutexattr_destroy(&attr);
	return rc;
}

/* Sizes fd for slots, builds the header and publishes it by writing the
 * magic last. fd must be flock'ed or private to us. */
static int init_file(int fd, unsigned slots, const char *path, char *err, size_t errlen)
{
	uint64_t size = file_size_for(slots);
	shm_header *h;
	int rc;

	/* Reserve the pages now: on a full tmpfs a later write would SIGBUS. */
	rc = ftruncate(fd, 0) != 0 ? errno : posix_fallocate(fd, 0, (off_t)size);
	if (rc != 0) {
		snprintf(err, errlen, "cannot size shared memory file %s to %llu bytes: %s", path,
			(unsigned long long)size, strerror(rc));
		return -1;
	}
	h = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED) {
		snprintf(err, errlen, "cannot map shared memory file %s: %s", path, strerror(errno));
		return -1;
	}
	h->layout_version = SHM_LAYOUT_VERSION;
	h->header_size = SHM_HEADER_SIZE;
	h->slot_size = sizeof(shm_slot);
	h->slot_count = slots;
	h->file_size = size;
	/* Counter values start from the clock so a re-created file does not
	 * hand out values that processes cached from the previous one. */
	h->id_clock = (uint64_t)mih_clock_real_ms(NULL) * 1000;
	if ((rc = init_mutex(&h->lock)) != 0) {
		snprintf(err, errlen, "cannot create the lock of shared memory file %s: %s", path, strerror(rc));
		munmap(h, size);
		return -1;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	memcpy(h->magic, SHM_MAGIC, sizeof(h->magic));
	munmap(h, size);
	return 0;
}

/* A fresh file under a temporary name, renamed over path: processes that
 * mapped the old layout keep their copy, new ones get this one. */
static int replace_file(const char *path, unsigned slots, unsigned mode, char *err, size_t errlen)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + sizeof(".XXXXXX"));
	int fd, rc = -1;

	if (tmp == NULL) {
		snprintf(err, errlen, "out of memory replacing shared memory file %s", path);
		return -1;
	}
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".XXXXXX", sizeof(".XXXXXX"));
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a replacement for shared memory file %s: %s", path,
			strerror(errno));
		free(tmp);
		return -1;
	}
	if (fchmod(fd, mode) != 0) {
		snprintf(err, errlen, "cannot set mode %04o on %s: %s", mode, tmp, strerror(errno));
	} else if (init_file(fd, slots, path, err, errlen) == 0) {
		if (rename(tmp, path) == 0) {
			rc = 0;
		} else {
			snprintf(err, errlen, "cannot replace shared memory file %s: %s", path, strerror(errno));
		}
	}
	if (rc != 0) {
		unlink(tmp);
	}
	close(fd);
	free(tmp);
	return rc;
}

static int open_or_create(const char *path, unsigned mode, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

	if (fd >= 0) {
		/* Exactly mode, whatever the umask. */
		if (fchmod(fd, mode) != 0) {
			snprintf(err, errlen, "cannot set mode %04o on shared memory file %s: %s", mode, path,
				strerror(errno));
			close(fd);
			return -1;
		}
		return fd;
	}
	if (errno == EEXIST) {
		fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open shared memory file %s: %s", path, strerror(errno));
	}
	return fd;
}

static int same_inode(const char *path, int fd)
{
	struct stat a, b;

	return lstat(path, &a) == 0 && fstat(fd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Under flock: whatever is still needed to make the file at path valid. */
static int settle_file(int fd, const char *path, unsigned slots, unsigned mode,
	char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot stat shared memory file %s: %s", path, strerror(errno));
		return -1;
	}
	switch (classify_file(fd, (uint64_t)st.st_size)) {
	case FILE_VALID:
		return 0;
	case FILE_BLANK:
		return init_file(fd, slots, path, err, errlen);
	case FILE_STALE:
		return replace_file(path, slots, mode, err, errlen);
	default:
		snprintf(err, errlen, "%s is not a mih shared memory file (unknown header); refusing to "
			"overwrite it: remove it or point mih.shm_path elsewhere", path);
		return -1;
	}
}

static int map_valid_file(mih_shm *shm, int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;
	void *base;

	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot stat shared memory file %s: %s", path, strerror(errno));
		return -1;
	}
	base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		snprintf(err, errlen, "cannot map shared memory file %s: %s", path, strerror(errno));
		return -1;
	}
	shm->hdr = base;
	shm->size = (size_t)st.st_size;
	shm->count = shm->hdr->slot_count;
	shm->slots = (shm_slot *)((char *)base + SHM_HEADER_SIZE);
	return 0;
}

/* One round: 1 = mapped, 0 = the file changed under us (try again). */
static int open_round(mih_shm *shm, const char *path, unsigned slots, unsigned mode,
	char *err, size_t errlen)
{
	struct stat st;
	int fd = open_or_create(path, mode, err, errlen);
	int rc = -1;

	if (fd < 0) {
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "shared memory file %s is not a regular file", path);
	} else if (classify_file(fd, (uint64_t)st.st_size) == FILE_VALID) {
		rc = map_valid_file(shm, fd, path, err, errlen) == 0 ? 1 : -1;
	} else if (flock(fd, LOCK_EX) != 0) {
		snprintf(err, errlen, "cannot lock shared memory file %s: %s", path, strerror(errno));
	} else {
		/* The path may have been replaced while we waited for the lock. */
		rc = same_inode(path, fd) ? settle_file(fd, path, slots, mode, err, errlen) : 0;
		flock(fd, LOCK_UN);
	}
	close(fd);
	return rc;
}

int mih_shm_open(mih_shm **out, const char *path, unsigned slots, unsigned mode,
	char *err, size_t errlen)
{
	mih_shm *shm;
	int tries, rc = 0;

	*out = NULL;
	if (path == NULL || path[0] == '\0') {
		snprintf(err, errlen, "shared memory path is empty");
		return -1;
	}
	if (slots == 0) {
		slots = MIH_SHM_DEFAULT_SLOTS;
	}
	if (slots < MIH_SHM_MIN_SLOTS || slots > MIH_SHM_MAX_SLOTS) {
		snprintf(err, errlen, "shared memory slot count must be between %d and %d, got %u",
			MIH_SHM_MIN_SLOTS, MIH_SHM_MAX_SLOTS, slots);
		return -1;
	}
	if ((mode & ~0777u) != 0 || (mode & 0600u) != 0600u) {
		snprintf(err, errlen, "shared memory file mode must be permission bits including 0600 "
			"(e.g. 0600 or 0660), got %04o", mode);
		return -1;
	}
	shm = calloc(1, sizeof(*shm));
	if (shm == NULL || (shm->path = strdup(path)) == NULL) {
		free(shm);
		snprintf(err, errlen, "out of memory opening shared memory file %s", path);
		return -1;
	}
	for (tries = 0; tries < SHM_OPEN_TRIES && rc != 1; tries++) {
		rc = open_round(shm, path, slots, mode, err, errlen);
		if (rc < 0) {
			break;
		}
	}
	if (rc != 1) {
		if (rc == 0) {
			snprintf(err, errlen, "shared memory file %s kept changing while being opened", path);
		}
		free(shm->path);
		free(shm);
		return -1;
	}
	*out = shm;
	return 0;
}

void mih_shm_close(mih_shm *shm)
{
	if (shm == NULL) {
		return;
	}
	munmap(shm->hdr, shm->size);
	free(shm->path);
	free(shm);
}

unsigned mih_shm_slot_count(const mih_shm *shm)
{
	return shm->count;
}

/* ---- locking ---- */

static int shm_lock(mih_shm *shm, char *err, size_t errlen)
{
	struct timespec until;
	int rc = pthread_mutex_trylock(&shm->hdr->lock);

	/* Free (the usual case): no deadline to compute. */
	if (rc == 0) {
		return 0;
	}
	if (rc == EOWNERDEAD) {
		/* The owner died mid-update; the POD state is valid as it stands. */
		pthread_mutex_consistent(&shm->hdr->lock);
		shm->hdr->lock_recoveries++;
		return 0;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += MIH_SHM_LOCK_TIMEOUT_MS / 1000;
	until.tv_nsec += (long)(MIH_SHM_LOCK_TIMEOUT_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	rc = pthread_mutex_timedlock(&shm->hdr->lock, &until);
	if (rc == EOWNERDEAD) {
		/* The owner died mid-update; the POD state is valid as it stands. */
		pthread_mutex_consistent(&shm->hdr->lock);
		shm->hdr->lock_recoveries++;
		return 0;
	}
	if (rc == 0) {
		return 0;
	}
	if (rc == ETIMEDOUT) {
		snprintf(err, errlen, "timed out after %d ms waiting for the lock of shared memory file %s",
			MIH_SHM_LOCK_TIMEOUT_MS, shm->path);
	} else {
		snprintf(err, errlen, "cannot lock shared memory file %s: %s", shm->path, strerror(rc));
	}
	return -1;
}

static void shm_unlock(mih_shm *shm)
{
	pthread_mutex_unlock(&shm->hdr->lock);
}

/* ---- slots ---- */

static uint64_t key_hash(uint32_t kind, const char *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	h = (h ^ kind) * 0x100000001b3ULL;
	for (i = 0; i < len; i++) {
		h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
	}
	return h;
}

static uint64_t key_hash_memo(mih_shm *shm, uint32_t kind, const char *key, size_t len)
{
	shm_hash_memo *m;
	unsigned i;

	for (i = 0; i < SHM_HASH_MEMO; i++) {
		m = &shm->memo[i];
		if (m->len == len && m->kind == kind && memcmp(m->key, key, len) == 0) {
			return m->hash;
		}
	}
	m = &shm->memo[shm->memo_next];
	shm->memo_next = (shm->memo_next + 1) % SHM_HASH_MEMO;
	m->kind = kind;
	m->len = (uint32_t)len;   /* callers checked: 1 to MIH_SHM_KEY_MAX */
	memcpy(m->key, key, len);
	m->hash = key_hash(kind, key, len);
	return m->hash;
}

static int slot_is(const shm_slot *s, uint32_t kind, const char *key, size_t len, uint64_t h)
{
	return s->kind == kind && s->hash == h && s->key_len == len && memcmp(s->key, key, len) == 0;
}

static shm_slot *slot_find_hashed(mih_shm *shm, uint32_t kind, const char *key, size_t len, uint64_t h)
{
	unsigned i;

	for (i = 0; i < shm->count; i++) {
		shm_slot *s = &shm->slots[(h + i) % shm->count];

		if (!s->used) {
			return NULL;
		}
		if (slot_is(s, kind, key, len, h)) {
			return s;
		}
	}
	return NULL;
}

static shm_slot *slot_find(mih_shm *shm, uint32_t kind, const char *key, size_t len)
{
	return slot_find_hashed(shm, kind, key, len, key_hash_memo(shm, kind, key, len));
}

/* A circuit that protects nothing right now: closed, or open past its
 * cooldown with no live probe permit (its next call would be a probe anyway). */
static int breaker_idle(const mih_breaker_state *b, int64_t now_ms)
{
	unsigned i;

	if (b->status == MIH_BREAKER_CLOSED) {
		return 1;
	}
	if (now_ms < b->open_until_ms) {
		return 0;
	}
	for (i = 0; i < MIH_BREAKER_MAX_PROBES; i++) {
		if (b->probes[i].token != 0 && b->probes[i].expires_ms > now_ms) {
			return 0;
		}
	}
	return 1;
}

/* The slot a new key may take when the table is full: the least recently
 * used idle circuit or counter. An evicted counter reads 0 afterwards, which
 * differs from any value a process cached, so caches reload: the safe
 * direction. A circuit still cooling down or probing is never evicted. */
static shm_slot *least_recently_used_evictable(mih_shm *shm, int64_t now_ms)
{
	shm_slot *best = NULL;
	unsigned i;

	for (i = 0; i < shm->count; i++) {
		shm_slot *s = &shm->slots[i];
		int evictable = s->used && (s->kind == SLOT_KIND_COUNTER
			|| (s->kind == SLOT_KIND_BREAKER && breaker_idle(&s->breaker, now_ms)));

		if (evictable && (best == NULL || s->last_used_ms < best->last_used_ms)) {
			best = s;
		}
	}
	return best;
}

/* Slots are never marked unused again (that would cut the probe chains of
 * other keys); an evicted slot is rewritten while still marked used. */
static void slot_fill(mih_shm *shm, shm_slot *s, uint32_t kind, const char *key, size_t len,
	int64_t now_ms)
{
	s->kind = kind;
	s->key_len = (uint32_t)len;
	memcpy(s->key, key, len);
	s->hash = key_hash(kind, key, len);
	s->last_used_ms = now_ms;
	s->version = 0;
	memset(&s->breaker, 0, sizeof(s->breaker));
	/* Unique periods: a permit from an evicted circuit never matches. */
	s->breaker.period = ++shm->hdr->id_clock;
	__atomic_store_n(&s->used, 1, __ATOMIC_RELEASE);
}

static shm_slot *slot_get(mih_shm *shm, uint32_t kind, const char *key, size_t len, int64_t now_ms,
	char *err, size_t errlen)
{
	uint64_t h = key_hash_memo(shm, kind, key, len);
	shm_slot *s = slot_find_hashed(shm, kind, key, len, h);
	unsigned i;

	if (s != NULL) {
		s->last_used_ms = now_ms;
		return s;
	}
	for (i = 0; i < shm->count; i++) {
		s = &shm->slots[(h + i) % shm->count];
		if (!s->used) {
			slot_fill(shm, s, kind, key, len, now_ms);
			return s;
		}
	}
	s = least_recently_used_evictable(shm, now_ms);
	if (s == NULL) {
		snprintf(err, errlen, "shared memory table %s is full: all %u slots hold circuits still cooling down or probing",
			shm->path, shm->count);
		return NULL;
	}
	shm->hdr->evictions++;
	slot_fill(shm, s, kind, key, len, now_ms);
	return s;
}

static int check_key(const mih_shm *shm, const char *key, size_t len, char *err, size_t errlen)
{
	if (key == NULL || len == 0 || len > MIH_SHM_KEY_MAX) {
		snprintf(err, errlen, "shared memory key must be 1 to %d bytes, got %zu (table %s)",
			MIH_SHM_KEY_MAX, key == NULL ? (size_t)0 : len, shm->path);
		return -1;
	}
	return 0;
}

/* Locks and finds (create: or takes) the breaker slot of key. On success
 * the caller owns the lock; *slot is NULL for an unknown key when !create. */
static int breaker_begin(mih_shm *shm, const char *key, size_t len, int create, int64_t now_ms,
	shm_slot **slot, char *err, size_t errlen)
{
	if (check_key(shm, key, len, err, errlen) != 0 || shm_lock(shm, err, errlen) != 0) {
		return -1;
	}
	*slot = create ? slot_get(shm, SLOT_KIND_BREAKER, key, len, now_ms, err, errlen)
		: slot_find(shm, SLOT_KIND_BREAKER, key, len);
	if (create && *slot == NULL) {
		shm_unlock(shm);
		return -1;
	}
	return 0;
}

/* ---- breaker operations ---- */

int mih_shm_breaker_allow(mih_shm *shm, const char *key, size_t keylen,
	const mih_breaker_config *cfg, int64_t now_ms, mih_breaker_decision *decision,
	mih_breaker_permit *permit, int64_t *retry_after_ms, mih_breaker_transition *transition,
	char *err, size_t errlen)
{
	shm_slot *s;

	if (breaker_begin(shm, key, keylen, 1, now_ms, &s, err, errlen) != 0) {
		return -1;
	}
	*decision = mih_breaker_allow(&s->breaker, cfg, now_ms, permit, retry_after_ms, transition);
	shm_unlock(shm);
	return 0;
}

int mih_shm_breaker_record(mih_shm *shm, const char *key, size_t keylen,
	const mih_breaker_config *cfg, int64_t now_ms, int failure, const mih_breaker_permit *permit,
	int *applied, mih_breaker_transition *transition, char *err, size_t errlen)
{
	shm_slot *s;
	int rc;

	if (breaker_begin(shm, key, keylen, 1, now_ms, &s, err, errlen) != 0) {
		return -1;
	}
	rc = mih_breaker_record(&s->breaker, cfg, now_ms, failure, permit, transition);
	shm_unlock(shm);
	if (applied != NULL) {
		*applied = rc;
	}
	return 0;
}

int mih_shm_breaker_info(mih_shm *shm, const char *key, size_t keylen,
	const mih_breaker_config *cfg, int64_t now_ms, mih_breaker_snapshot *out,
	char *err, size_t errlen)
{
	static const mih_breaker_state closed;
	shm_slot *s;

	if (breaker_begin(shm, key, keylen, 0, now_ms, &s, err, errlen) != 0) {
		return -1;
	}
	mih_breaker_info(s != NULL ? &s->breaker : &closed, cfg, now_ms, out);
	shm_unlock(shm);
	return 0;
}

int mih_shm_breaker_next_allowed(mih_shm *shm, const char *key, size_t keylen,
	const mih_breaker_config *cfg, int64_t now_ms, int64_t *next_ms, char *err, size_t errlen)
{
	shm_slot *s;

	if (breaker_begin(shm, key, keylen, 0, now_ms, &s, err, errlen) != 0) {
		return -1;
	}
	*next_ms = s != NULL ? mih_breaker_next_allowed_ms(&s->breaker, cfg, now_ms) : now_ms;
	shm_unlock(shm);
	return 0;
}

int mih_shm_breaker_reset(mih_shm *shm, const char *key, size_t keylen, char *err, size_t errlen)
{
	shm_slot *s;

	if (breaker_begin(shm, key, keylen, 0, 0, &s, err, errlen) != 0) {
		return -1;
	}
	if (s != NULL) {
		mih_breaker_reset(&s->breaker);
	}
	shm_unlock(shm);
	return 0;
}

static int breaker_key_has_prefix(const shm_slot *s, const char *prefix, size_t len)
{
	return s->used && s->kind == SLOT_KIND_BREAKER && s->key_len >= len
		&& s->key_len <= MIH_SHM_KEY_MAX && memcmp(s->key, prefix, len) == 0;
}

int mih_shm_breaker_reset_prefix(mih_shm *shm, const char *prefix, size_t prefixlen,
	unsigned *count, char *err, size_t errlen)
{
	unsigned i, n = 0;

	if (prefix == NULL && prefixlen != 0) {
		snprintf(err, errlen, "shared memory key prefix is NULL");
		return -1;
	}
	if (shm_lock(shm, err, errlen) != 0) {
		return -1;
	}
	for (i = 0; i < shm->count; i++) {
		if (breaker_key_has_prefix(&shm->slots[i], prefix, prefixlen)) {
			mih_breaker_reset(&shm->slots[i].breaker);
			n++;
		}
	}
	shm_unlock(shm);
	if (count != NULL) {
		*count = n;
	}
	return 0;
}

int mih_shm_breaker_update(mih_shm *shm, const char *key, size_t keylen, int64_t now_ms,
	mih_shm_breaker_fn fn, void *ctx, char *err, size_t errlen)
{
	shm_slot *s;

	if (breaker_begin(shm, key, keylen, 1, now_ms, &s, err, errlen) != 0) {
		return -1;
	}
	fn(&s->breaker, ctx);
	shm_unlock(shm);
	return 0;
}

int mih_shm_breaker_each(mih_shm *shm, const char *prefix, size_t prefixlen,
	mih_shm_each_fn fn, void *ctx, char *err, size_t errlen)
{
	char key[MIH_SHM_KEY_MAX];
	mih_breaker_state *copy;
	size_t keylen;
	unsigned i;
	int found;

	if (prefix == NULL && prefixlen != 0) {
		snprintf(err, errlen, "shared memory key prefix is NULL");
		return -1;
	}
	copy = malloc(sizeof(*copy));
	if (copy == NULL) {
		snprintf(err, errlen, "out of memory listing shared memory table %s", shm->path);
		return -1;
	}
	/* One slot per lock hold: fn runs unlocked and may take its time. */
	for (i = 0; i < shm->count; i++) {
		if (shm_lock(shm, err, errlen) != 0) {
			free(copy);
			return -1;
		}
		found = breaker_key_has_prefix(&shm->slots[i], prefix, prefixlen);
		if (found) {
			keylen = shm->slots[i].key_len;
			memcpy(key, shm->slots[i].key, keylen);
			*copy = shm->slots[i].breaker;
		}
		shm_unlock(shm);
		if (found) {
			fn(key, keylen, copy, ctx);
		}
	}
	free(copy);
	return 0;
}

int mih_shm_stats_get(mih_shm *shm, mih_shm_stats *out, char *err, size_t errlen)
{
	unsigned i;

	memset(out, 0, sizeof(*out));
	if (shm_lock(shm, err, errlen) != 0) {
		return -1;
	}
	for (i = 0; i < shm->count; i++) {
		if (shm->slots[i].used) {
			if (shm->slots[i].kind == SLOT_KIND_COUNTER) {
				out->counters++;
			} else {
				out->breakers++;
			}
		}
	}
	out->slots = shm->count;
	out->lock_recoveries = shm->hdr->lock_recoveries;
	out->evictions = shm->hdr->evictions;
	out->file_size = shm->size;
	shm_unlock(shm);
	return 0;
}

/* ---- version counters ---- */

uint64_t mih_shm_bump_version(mih_shm *shm, const char *name, size_t namelen,
	char *err, size_t errlen)
{
	shm_slot *s;
	uint64_t v = 0;

	if (check_key(shm, name, namelen, err, errlen) != 0 || shm_lock(shm, err, errlen) != 0) {
		return 0;
	}
	s = slot_get(shm, SLOT_KIND_COUNTER, name, namelen, mih_clock_real_ms(NULL), err, errlen);
	if (s != NULL) {
		v = (s->version > shm->hdr->id_clock ? s->version : shm->hdr->id_clock) + 1;
		shm->hdr->id_clock = v;
		s->version = v;
	}
	shm_unlock(shm);
	return v;
}

uint64_t mih_shm_version(mih_shm *shm, const char *name, size_t namelen)
{
	char err[256];
	shm_slot *s;
	uint64_t v = 0;

	if (check_key(shm, name, namelen, err, sizeof(err)) != 0 || shm_lock(shm, err, sizeof(err)) != 0) {
		return 0;
	}
	s = slot_find(shm, SLOT_KIND_COUNTER, name, namelen);
	if (s != NULL) {
		v = s->version;
		s->last_used_ms = mih_clock_real_ms(NULL);
	}
	shm_unlock(shm);
	return v;
}
