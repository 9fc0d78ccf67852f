/* Secrets at rest: the keyring of this process, read from mih.secret_key
 * and mih.secret_keys_old once at startup (PHP_INI_SYSTEM; under PHP-FPM the
 * master reads a key file before the workers fork), given to every store it
 * opens, and mih::rotate_secrets(). The keys never reach PHP: phpinfo()
 * shows key ids only. */
#include "mih_private.h"
#include "seal.h"
#include "ext/standard/info.h"

static mih_keyring keyring;
/* Non-empty when the settings are invalid: no store opens, so that nothing
 * meant to be encrypted is ever written in clear. */
static char keyring_error[256];

void php_mih_secrets_minit(void)
{
	keyring_error[0] = '\0';
	if (mih_keyring_load(&keyring, MIH_G(secret_key), MIH_G(secret_keys_old), keyring_error,
			sizeof(keyring_error)) != 0) {
		php_error_docref(NULL, E_WARNING, "%s; the mih store will not open", keyring_error);
	}
}

void php_mih_secrets_mshutdown(void)
{
	mih_keyring_wipe(&keyring);
}

int php_mih_secrets_check(char *err, size_t errlen)
{
	if (keyring_error[0]) {
		snprintf(err, errlen, "%s", keyring_error);
		return -1;
	}
	return 0;
}

void php_mih_secrets_attach(mih_store *st)
{
	mih_store_set_keyring(st, &keyring);
}

/* phpinfo(): what the settings amount to, never the keys (or paths) themselves. */
ZEND_INI_DISP(php_mih_display_secret_key)
{
	zend_string *value = type == ZEND_INI_DISPLAY_ORIG && ini_entry->modified
		? ini_entry->orig_value : ini_entry->value;
	const char *id = mih_keyring_current_id(&keyring);
	char text[64];

	if (!value || ZSTR_LEN(value) == 0) {
		snprintf(text, sizeof(text), "no value");
	} else if (keyring_error[0]) {
		snprintf(text, sizeof(text), "invalid");
	} else if (strcmp(ZSTR_VAL(ini_entry->name), "mih.secret_key") == 0) {
		snprintf(text, sizeof(text), "key id %s", id ? id : "?");
	} else {
		snprintf(text, sizeof(text), "%zu old key(s)", keyring.count - (id ? 1 : 0));
	}
	php_printf("%s", text);
}

void php_mih_secrets_minfo(void)
{
	const char *id = mih_keyring_current_id(&keyring);
	char text[128];

	if (keyring_error[0]) {
		snprintf(text, sizeof(text), "disabled: the key settings are invalid");
	} else if (id) {
		snprintf(text, sizeof(text), "AES-256-GCM, key id %s, %zu old key(s)", id, keyring.count - 1);
	} else if (keyring.count) {
		snprintf(text, sizeof(text), "decrypting only (%zu old key(s), no mih.secret_key)", keyring.count);
	} else {
		snprintf(text, sizeof(text), "not encrypted (no mih.secret_key)");
	}
	php_info_print_table_row(2, "Secrets at rest", text);
}
