/* The host-wide table (ext/core/resilience/shm.c) as this process sees it:
 * opened on first use at mih.shm_path, and the change counters in it that
 * tell every process on the host that a store's rules or services changed.
 * The circuits in the same table are the breaker glue's (mih_breaker.c). */
#include "mih_private.h"
#include "shm.h"

#include <unistd.h>

mih_shm *php_mih_shm_table(void)
{
	char path[MAXPATHLEN], err[512];
	unsigned mode;
	mih_shm *shm;

	if (MIH_G(shm) && MIH_G(shm_path_open) && strcmp(MIH_G(shm_path_open), MIH_G(shm_path) ? MIH_G(shm_path) : "") == 0) {
		return MIH_G(shm);
	}
	php_mih_shm_release();
	if (MIH_G(shm_path) && *MIH_G(shm_path)) {
		snprintf(path, sizeof(path), "%s", MIH_G(shm_path));
	} else {
		snprintf(path, sizeof(path), "/dev/shm/mih-%u.shm", (unsigned)getuid());
	}
	mode = (unsigned)strtoul(MIH_G(shm_mode) ? MIH_G(shm_mode) : "0600", NULL, 8);
	if (mih_shm_open(&shm, path, 0, mode, err, sizeof(err)) != 0) {
		if (!MIH_G(shm_warned)) {
			/* Fail open, but say so once: circuits then protect nothing. */
			php_error_docref(NULL, E_WARNING, "mih: the circuit breaker table is unavailable: %s", err);
			MIH_G(shm_warned) = true;
		}
		return NULL;
	}
	MIH_G(shm) = shm;
	MIH_G(shm_path_open) = strdup(MIH_G(shm_path) ? MIH_G(shm_path) : "");
	return shm;
}

void php_mih_shm_release(void)
{
	if (MIH_G(shm)) {
		mih_shm_close(MIH_G(shm));
		MIH_G(shm) = NULL;
	}
	free(MIH_G(shm_path_open));
	MIH_G(shm_path_open) = NULL;
}

/* "rules:<identity>", cut to outlen - 1 bytes like snprintf would, built
 * with copies: every synchronous call asks for this counter. */
static size_t version_key(char *out, size_t outlen, const char *identity)
{
	size_t n = MIN(sizeof("rules:") - 1, outlen - 1), ilen = strlen(identity);

	memcpy(out, "rules:", n);
	ilen = MIN(ilen, outlen - 1 - n);
	memcpy(out + n, identity, ilen);
	out[n + ilen] = '\0';
	return n + ilen;
}

uint64_t php_mih_host_version(const char *identity)
{
	char key[MIH_SHM_KEY_MAX];
	mih_shm *shm = php_mih_shm_table();

	return shm ? mih_shm_version(shm, key, version_key(key, sizeof(key), identity)) : 0;
}

void php_mih_host_version_bump(const char *identity)
{
	char key[MIH_SHM_KEY_MAX], err[256];
	mih_shm *shm = php_mih_shm_table();

	if (shm) {
		mih_shm_bump_version(shm, key, version_key(key, sizeof(key), identity), err, sizeof(err));
	}
}
