dnl config.m4 for the mih extension (Integration Hub for Moodle, native)

PHP_ARG_ENABLE([mih],
  [whether to enable the mih extension],
  [AS_HELP_STRING([--enable-mih], [Enable mih (Integration Hub for Moodle)])],
  [yes])

PHP_ARG_WITH([mih-amqp],
  [for AMQP support in mih (librabbitmq)],
  [AS_HELP_STRING([[--with-mih-amqp[=auto]]], [mih: AMQP services with librabbitmq (yes, no or auto: when pkg-config finds it)])],
  [auto],
  [no])

if test "$PHP_MIH" != "no"; then
  PKG_PROG_PKG_CONFIG

  dnl One block per library; variables are prefixed MIH_ so they never clash
  dnl with php-src's own CURL_CFLAGS and friends in a static build.
  PKG_CHECK_MODULES([MIH_CURL], [libcurl >= 7.61.0], [],
    [AC_MSG_ERROR([libcurl >= 7.61.0 not found by pkg-config: on Debian install libcurl4-openssl-dev])])
  PHP_EVAL_LIBLINE($MIH_CURL_LIBS, MIH_SHARED_LIBADD)
  PHP_EVAL_INCLINE($MIH_CURL_CFLAGS)

  PKG_CHECK_MODULES([MIH_JANSSON], [jansson >= 2.11], [],
    [AC_MSG_ERROR([jansson >= 2.11 not found by pkg-config: on Debian install libjansson-dev])])
  PHP_EVAL_LIBLINE($MIH_JANSSON_LIBS, MIH_SHARED_LIBADD)
  PHP_EVAL_INCLINE($MIH_JANSSON_CFLAGS)

  PKG_CHECK_MODULES([MIH_SQLITE], [sqlite3 >= 3.22.0], [],
    [AC_MSG_ERROR([sqlite3 >= 3.22.0 not found by pkg-config: on Debian install libsqlite3-dev])])
  PHP_EVAL_LIBLINE($MIH_SQLITE_LIBS, MIH_SHARED_LIBADD)
  PHP_EVAL_INCLINE($MIH_SQLITE_CFLAGS)

  PKG_CHECK_MODULES([MIH_CRYPTO], [libcrypto >= 1.1.1], [],
    [AC_MSG_ERROR([libcrypto >= 1.1.1 not found by pkg-config: on Debian install libssl-dev])])
  PHP_EVAL_LIBLINE($MIH_CRYPTO_LIBS, MIH_SHARED_LIBADD)
  PHP_EVAL_INCLINE($MIH_CRYPTO_CFLAGS)

  dnl Link tests: a header found but a library that does not link is a broken install.
  PHP_CHECK_LIBRARY(curl, curl_url_set,
    [], [AC_MSG_ERROR([libcurl does not link (curl_url_set missing): install libcurl4-openssl-dev])],
    [$MIH_CURL_LIBS])
  PHP_CHECK_LIBRARY(jansson, json_loadb,
    [], [AC_MSG_ERROR([jansson does not link: install libjansson-dev])],
    [$MIH_JANSSON_LIBS])

  dnl AMQP services (optional): librabbitmq, found with pkg-config. auto (the
  dnl default) builds with it when found; a build without it reports
  dnl "AMQP support => disabled" in phpinfo() and sends amqp deliveries to the DLQ.
  MIH_AMQP_FLAGS=""
  if test "$PHP_MIH_AMQP" != "no"; then
    PKG_CHECK_MODULES([MIH_RABBITMQ], [librabbitmq >= 0.10.0], [mih_have_amqp=yes], [mih_have_amqp=no])
    if test "$mih_have_amqp" = "yes"; then
      PHP_EVAL_LIBLINE($MIH_RABBITMQ_LIBS, MIH_SHARED_LIBADD)
      PHP_EVAL_INCLINE($MIH_RABBITMQ_CFLAGS)
      AC_DEFINE([HAVE_MIH_AMQP], [1], [AMQP services with librabbitmq])
      MIH_AMQP_FLAGS="-DHAVE_MIH_AMQP=1"
    elif test "$PHP_MIH_AMQP" = "yes"; then
      AC_MSG_ERROR([--with-mih-amqp: librabbitmq >= 0.10.0 not found by pkg-config: on Debian install librabbitmq-dev])
    else
      AC_MSG_NOTICE([librabbitmq not found: building without AMQP support (install librabbitmq-dev)])
    fi
  fi

  PHP_SUBST(MIH_SHARED_LIBADD)

  dnl Zend glue first (ext/<area>/mih_*.c beside the module file), then the
  dnl Zend-free cores (ext/core/<area>/) it sits on. One folder per subsystem;
  dnl files include each other by name, so every folder is on the include path
  dnl and is a build dir (keep the -I and PHP_ADD_BUILD_DIR lists in step).
  MIH_SOURCES="ext/mih.c \
    ext/common/mih_exceptions.c ext/common/mih_args.c ext/common/mih_json.c \
    ext/call/mih_class.c ext/call/mih_call.c ext/call/mih_headers.c ext/call/mih_request.c ext/call/mih_response.c \
    ext/template/mih_template.c ext/template/mih_tpl_data.c \
    ext/state/mih_store_bind.c ext/state/mih_host.c ext/state/mih_service_cache.c ext/state/mih_secrets.c \
    ext/store/mih_store_api.c ext/store/mih_dbstore.c ext/store/mih_privacy_api.c \
    ext/queue/mih_emit.c ext/queue/mih_queue_api.c ext/queue/mih_worker.c \
    ext/resilience/mih_breaker.c \
    ext/net/mih_policy.c ext/net/mih_proxy.c ext/net/mih_sign_api.c ext/net/mih_inbound_api.c ext/net/mih_amqp.c ext/net/mih_soap.c ext/net/mih_soap_client.c \
    ext/core/template/template.c ext/core/template/template_parse.c ext/core/template/template_render.c \
    ext/core/template/template_json.c ext/core/template/template_json_check.c \
    ext/core/template/template_json_proof.c ext/core/template/template_buf.c ext/core/template/template_utf8.c \
    ext/core/store/store.c ext/core/store/store_services.c ext/core/store/store_rules.c ext/core/store/store_queue.c \
    ext/core/store/store_dedupe.c ext/core/store/store_dlq.c ext/core/store/store_log.c ext/core/store/store_privacy.c ext/core/store/store_secrets.c \
    ext/core/store/store_sqlite.c ext/core/store/store_sqlite_file.c \
    ext/core/service/service.c \
    ext/core/resilience/breaker.c ext/core/resilience/shm.c ext/core/resilience/retry.c ext/core/resilience/clock.c \
    ext/core/net/netpolicy.c ext/core/net/proxy.c ext/core/net/proxy_bypass.c ext/core/net/sign.c ext/core/net/sign_base64.c ext/core/net/inbound.c ext/core/net/mih_http.c \
    ext/core/net/amqp_url.c ext/core/net/amqp_confirm.c \
    ext/core/secrets/seal.c \
    ext/core/common/err.c ext/core/common/text.c"
  PHP_NEW_EXTENSION(mih, $MIH_SOURCES, $ext_shared,,
    [-Wall -Wextra $MIH_AMQP_FLAGS -DZEND_ENABLE_STATIC_TSRMLS_CACHE=1 -I$ext_srcdir/ext \
     -I$ext_srcdir/ext/common -I$ext_srcdir/ext/state -I$ext_srcdir/ext/call -I$ext_srcdir/ext/template -I$ext_srcdir/ext/store \
     -I$ext_srcdir/ext/queue -I$ext_srcdir/ext/resilience -I$ext_srcdir/ext/net \
     -I$ext_srcdir/ext/core/template -I$ext_srcdir/ext/core/store -I$ext_srcdir/ext/core/service \
     -I$ext_srcdir/ext/core/resilience -I$ext_srcdir/ext/core/net -I$ext_srcdir/ext/core/secrets \
     -I$ext_srcdir/ext/core/common])
  PHP_ADD_BUILD_DIR([$ext_builddir/ext])
  PHP_ADD_BUILD_DIR([$ext_builddir/ext/common $ext_builddir/ext/state $ext_builddir/ext/call $ext_builddir/ext/template \
    $ext_builddir/ext/store $ext_builddir/ext/queue $ext_builddir/ext/resilience $ext_builddir/ext/net])
  PHP_ADD_BUILD_DIR([$ext_builddir/ext/core/template $ext_builddir/ext/core/store $ext_builddir/ext/core/service \
    $ext_builddir/ext/core/resilience $ext_builddir/ext/core/net $ext_builddir/ext/core/secrets \
    $ext_builddir/ext/core/common])
fi
