#!/bin/sh
# Build and run every libFuzzer harness fuzz/fuzz_*.c over the Zend-free cores
# for a bounded time each (default 60 s; FUZZ_SECONDS overrides).
# Needs clang and libclang-rt-14-dev. Exits non-zero on the first crash.
set -eu
cd "$(dirname "$0")"
SECONDS_EACH="${FUZZ_SECONDS:-60}"
CORE=../ext/core
mkdir -p build
for src in fuzz_*.c; do
	name="${src%.c}"
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I"$CORE" $(pkg-config --cflags jansson libcrypto sqlite3 libcurl) \
		-o "build/$name" "$src" "$CORE"/*.c $(pkg-config --libs jansson libcrypto sqlite3 libcurl) -lm -lpthread
	corpus="corpus/${name#fuzz_}"
	mkdir -p "build/$name.corpus"
	echo "== $name for ${SECONDS_EACH}s (seeds: $corpus)"
	"build/$name" -max_total_time="$SECONDS_EACH" -timeout=10 -max_len=4096 \
		"build/$name.corpus" "$corpus"
done
echo "fuzz: all harnesses ran without a crash"
