# capsa — build.  `make` builds build/capsa (+ the capsa-oci link);
# `make check` runs every test; `make install` honours PREFIX and DESTDIR.

CC       ?= gcc
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DESTDIR  ?=
# Static by default: exec of a static binary skips the dynamic loader,
# which is most of what a container start costs above the kernel
# (DESIGN.md, performance rule 1).  STATIC=0 links dynamically.
STATIC   ?= 1

WARN     := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wformat=2 -Wvla
CFLAGS   ?= -O2 -g
override CFLAGS += -std=gnu11 -D_GNU_SOURCE -Isrc $(WARN) -MMD -MP -fno-strict-aliasing
LIBS     := -ljson-c -lseccomp
ifeq ($(STATIC),1)
override LDFLAGS += -static
endif

B        := build
# Every .c under these layers is part of the library; cli/main.c holds main().
LIB_SRC  := $(wildcard src/base/*.c src/runtime/*.c src/engine/*.c src/image/*.c src/net/*.c)
CLI_SRC  := $(wildcard src/cli/*.c src/cli/*/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
# capsa-pull: the helper with the heavy libraries (DESIGN.md), linked
# dynamically; it also uses the library's base/ and image/ code.
PULL_SRC := $(wildcard src/pull/*.c)
PULL_OBJ := $(PULL_SRC:%.c=$(B)/obj/%.o)
PULL_LIBS := -lisal -larchive -ljson-c -lcurl -lssl -lcrypto -lseccomp
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(B)/tests/%)

.PHONY: all clean check check-vm unit integration install uninstall format bench fixtures

all: $(B)/capsa $(B)/capsa-oci $(B)/capsa-pull

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libcapsa.a: $(LIB_OBJ)
	@mkdir -p $(B)
	rm -f $@ && ar rcs $@ $^

# capsa's ELF entry maps the whole image before the C library starts
# (src/base/prefault.h); x86-64 only.
ENTRY    := $(if $(filter x86_64,$(shell uname -m)),-e prefault_entry)

# With lld, the functions a `capsa run` executes go first and together
# (src/capsa.order, made by scripts/order.sh): a start touches ~25% fewer
# pages of code (docs/ARCHITECTURE.md, "Code layout").  Without lld the
# default linker lays the binary out as before.  LLD= turns it off.
LLD      ?= $(shell command -v ld.lld 2>/dev/null)
ORDER_FILE := $(wildcard src/capsa.order)
ORDER_LD := -fuse-ld=lld -Wl,--symbol-ordering-file=$(ORDER_FILE) -Wl,--no-warn-symbol-ordering
ORDER    := $(if $(and $(LLD),$(ORDER_FILE)),$(ORDER_LD))

$(B)/capsa: $(CLI_OBJ) $(B)/libcapsa.a $(ORDER_FILE)
	$(CC) $(CFLAGS) $(LDFLAGS) $(ENTRY) $(ORDER) -o $@ $(CLI_OBJ) $(B)/libcapsa.a $(LIBS)

$(B)/capsa-pull: $(PULL_OBJ) $(B)/libcapsa.a
	$(CC) $(CFLAGS) -o $@ $(PULL_OBJ) $(B)/libcapsa.a $(PULL_LIBS)

$(B)/capsa-oci: $(B)/capsa
	ln -sf capsa $@

# Unit tests link the library dynamically against cmocka.
$(B)/tests/test_%: tests/unit/test_%.c $(B)/libcapsa.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-unused-function -o $@ $< $(B)/libcapsa.a $(LIBS) -lcmocka

# Unit tests of capsa-pull's code (test_unpack*) also link its objects.
PULL_LIB_OBJ := $(filter-out $(B)/obj/src/pull/main.o,$(PULL_OBJ))
$(B)/tests/test_unpack: tests/unit/test_unpack.c $(PULL_LIB_OBJ) $(B)/libcapsa.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-unused-function -o $@ $< $(PULL_LIB_OBJ) $(B)/libcapsa.a $(LIBS) $(PULL_LIBS) -lcmocka

$(B)/tests/test_pull_%: tests/unit/test_pull_%.c $(PULL_LIB_OBJ) $(B)/libcapsa.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-unused-function -o $@ $< $(PULL_LIB_OBJ) $(B)/libcapsa.a $(PULL_LIBS) $(LIBS) -lcmocka

$(B)/tests/%: tests/helpers/%.c $(B)/libcapsa.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libcapsa.a $(LIBS)

unit: $(UNIT_BIN)
integration: all $(HELPER_BIN)

# The one test command (README, .ci/run): unit + integration, root and
# rootless, ending in "N passed, N failed, N skipped".
check: all $(UNIT_BIN) $(HELPER_BIN)
	tests/run.sh

# Integration tests on a pure cgroup v2 host, in a qemu VM (tests/vm/);
# VM_TESTS="cgroup basic" picks the files.
check-vm: all $(HELPER_BIN)
	tests/vm/check.sh $(VM_TESTS)

fixtures: all
	tests/fixtures/mkbundle.sh

bench: all
	bench/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(B)/capsa $(DESTDIR)$(BINDIR)/capsa
	ln -sf capsa $(DESTDIR)$(BINDIR)/capsa-oci
	install -m 0755 $(B)/capsa-pull $(DESTDIR)$(BINDIR)/capsa-pull

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/capsa $(DESTDIR)$(BINDIR)/capsa-oci $(DESTDIR)$(BINDIR)/capsa-pull

format:
	clang-format -i $$(find src tests bench -name '*.[ch]')

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
