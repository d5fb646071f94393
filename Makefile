# dbkeeper — builds the SQLite loadable extension and the PostgreSQL extension.
#
#   make            both extensions (sqlite_ext/dbkeeper.so, pg_ext/dbkeeper.so)
#   make install    the PostgreSQL extension into the server, the SQLite one into $(LIBDIR)
#                   (make install-sqlite: only the SQLite one)
#   make check      every test, PostgreSQL 15, 17 and 18 (see tests/run-all.sh, docs/testing.md);
#                   ends with "N passed, N failed"
#   make demo       a SQLite database backed up, listed and verified, step by step
#   make bench      the benchmarks of README "Performance"
#   make clean
#
# The version has one source: default_version in pg_ext/dbkeeper.control.

VERSION := $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" pg_ext/dbkeeper.control)
CC ?= cc
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib

WARNINGS = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wdeclaration-after-statement -Wformat=2 -Wno-format-nonliteral
CFLAGS ?= -O2 -g
DBK_CFLAGS = -std=c11 -D_GNU_SOURCE -fPIC -DDBKEEPER_VERSION='"$(VERSION)"' $(WARNINGS)
LIBS = -lzstd
# libcrypto is opened at the first SHA-256 (core/sha256.c), by the SONAME of
# the libcrypto this machine builds against.
LIBCRYPTO_SONAME := $(shell objdump -p "$$($(CC) -print-file-name=libcrypto.so)" 2>/dev/null | sed -n 's/^ *SONAME *//p')
DBK_CFLAGS += $(if $(LIBCRYPTO_SONAME),-DDBK_LIBCRYPTO_SONAME='"$(LIBCRYPTO_SONAME)"')

# core/<feature>/*.c; core/*.c as well, for a module not yet filed under a feature.
CORE_SRC = $(sort $(wildcard core/*.c core/*/*.c))
CORE_HDR = $(wildcard core/*.h core/*/*.h)
SQLITE_SRC = $(sort $(wildcard sqlite_ext/*.c))
SQLITE_HDR = $(wildcard sqlite_ext/*.h)

.PHONY: all sqlite pg install install-sqlite check demo bench clean deps

all: sqlite pg

sqlite: sqlite_ext/dbkeeper.so

# The SQLite library stays mapped once a process has loaded it (-z nodelete):
# SQLite unloads an extension when the connection that loaded it closes, and an
# application that opens a connection per request (Django's default) would
# otherwise pay the dynamic loader's mapping and relocation of this library and
# libzstd at every request, about 1 ms, instead of dbkeeper's own 0.04 ms.
# -z defs: every symbol it uses is resolved at link time (SQLite's come
# through the API table), so a missing library fails the build, not the load.
SQLITE_LDFLAGS = -fvisibility=hidden -Wl,-z,nodelete -Wl,--as-needed -Wl,-z,defs

sqlite_ext/dbkeeper.so: $(CORE_SRC) $(CORE_HDR) $(SQLITE_SRC) $(SQLITE_HDR) pg_ext/dbkeeper.control
	$(CC) $(CFLAGS) $(DBK_CFLAGS) $(SQLITE_LDFLAGS) -shared -o $@ $(CORE_SRC) $(SQLITE_SRC) $(LIBS)

pg:
	$(MAKE) -C pg_ext

install: all install-sqlite
	$(MAKE) -C pg_ext install

# At $(LIBDIR)/dbkeeper.so, loaded by its full path (.load /usr/local/lib/dbkeeper):
# the dynamic linker's search path has no /usr/local/lib for a name without "lib".
install-sqlite: sqlite
	install -d $(DESTDIR)$(LIBDIR)
	install -m 0755 sqlite_ext/dbkeeper.so $(DESTDIR)$(LIBDIR)/dbkeeper.so

deps:
	@tests/deps.sh

check: deps
	@tests/run-all.sh

demo: deps sqlite
	@tests/demo.sh

bench: deps all
	@tests/bench/run.sh

clean:
	$(MAKE) -C pg_ext clean
	rm -rf sqlite_ext/dbkeeper.so build core/*.o core/*/*.o
