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
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(B)/tests/%)

.PHONY: all clean check check-vm unit integration install uninstall format bench fixtures

all: $(B)/capsa $(B)/capsa-oci

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libcapsa.a: $(LIB_OBJ)
	@mkdir -p $(B)
	rm -f $@ && ar rcs $@ $^

$(B)/capsa: $(CLI_OBJ) $(B)/libcapsa.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libcapsa.a $(LIBS)

$(B)/capsa-oci: $(B)/capsa
	ln -sf capsa $@

# Unit tests link the library dynamically against cmocka.
$(B)/tests/test_%: tests/unit/test_%.c $(B)/libcapsa.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-unused-function -o $@ $< $(B)/libcapsa.a $(LIBS) -lcmocka

$(B)/tests/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<

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

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/capsa $(DESTDIR)$(BINDIR)/capsa-oci

format:
	clang-format -i $$(find src tests bench -name '*.[ch]')

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
