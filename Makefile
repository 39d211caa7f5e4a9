# crbox: one static binary. See README.md for the targets.
include config.mk

# The architecture: the host's unless ARCH= names another (aarch64, armhf, i386, riscv64,
# x86_64). The host build goes to build/, a cross build to build/<arch>/. Either compiles
# with gcc (the host's cc, or Debian's gcc-<triple>) turned into a musl compiler by the specs
# file that scripts/build-deps.sh writes next to that architecture's musl (the host's
# installed musl-dev, Debian's musl-dev:<arch>, or musl built from source). Unlike Debian's
# musl-gcc wrapper, these specs can link -static-pie.
HOST_ARCH := $(shell uname -m | sed 's/^armv[67].*/armhf/; s/^i[3-6]86$$/i386/')
ARCH      ?= $(HOST_ARCH)
ifeq ($(filter $(ARCH),$(ARCHES)),)
$(error unknown ARCH '$(ARCH)': one of $(ARCHES))
endif
TRIPLE    := $(TRIPLE_$(ARCH))
PBC_DIR   := $(CRBOX_CACHE)/src/protobuf-c-$(PBC_VERSION)
MUSL_DIR  := $(CRBOX_CACHE)/musl-$(MUSL_VERSION)-$(ARCH)
DEPS      := $(PBC_DIR)/.ok $(MUSL_DIR)/.ok
ifeq ($(ARCH),$(HOST_ARCH))
B         := build
CC        := $(MUSL_CC) -specs=$(MUSL_DIR)/musl-gcc.specs
STRIP     := strip
QEMU      :=
else
B         := build/$(ARCH)
CC        := $(TRIPLE)-gcc -specs=$(MUSL_DIR)/musl-gcc.specs
HOSTCC    := $(TRIPLE)-gcc
STRIP     := $(TRIPLE)-strip
QEMU      := env ASAN_OPTIONS=detect_leaks=0 CRBOX_TEST_EMULATOR=qemu-$(QEMU_$(ARCH)) \
             CRBOX_TEST_NOEXEC=1 qemu-$(QEMU_$(ARCH))-static -L /usr/$(TRIPLE)
SAN_CFLAGS := $(SAN_CFLAGS_$(ARCH))
SAN_LDFLAGS := $(SAN_LDFLAGS_$(ARCH))
endif
CORE_SRC := $(sort $(wildcard core/*.c core/*/*.c))
APP_SRC  := $(sort $(wildcard applets/*.c))
PB_SRC   := $(sort $(wildcard vendor-proto/*.pb-c.c))
SRC      := $(CORE_SRC) $(APP_SRC) $(PB_SRC)
OBJ      := $(SRC:%.c=$(B)/obj/%.o)
GITREV   := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
INC      := -I. -Icore -Ivendor-proto -I$(B)/include
DEFS     := -DCRBOX_VERSION='"$(VERSION)"' \
            -DCRBOX_OCI_VERSION='"$(OCI_VERSION)"'
# The protobuf-c runtime, compiled from Debian's source package with the same compiler and
# flags as crbox (gc-sections drops what the RPC code does not use).
PROTOBUF_C_A := $(B)/protobuf-c/libprotobuf-c.a

UNIT_SRC := $(sort $(wildcard tests/unit/t_*.c))
UNIT_ASAN := $(if $(strip $(SAN_CFLAGS)),$(UNIT_SRC:tests/unit/%.c=$(B)/unit-asan/%))
UNIT_MUSL := $(UNIT_SRC:tests/unit/%.c=$(B)/unit-musl/%)
# Objects the unit tests link: all of core/ and the generated protobuf code.
LIB_SRC  := $(CORE_SRC) $(PB_SRC)
LIB_ASAN := $(LIB_SRC:%.c=$(B)/asan/%.o)
LIB_MUSL := $(LIB_SRC:%.c=$(B)/obj/%.o)

.PHONY: all test unit cli integration check size install proto clean tools fuzz valgrind \
	unit-bins deps bench
# Keep the per-build library objects (they are intermediates of the unit binaries).
.SECONDARY:
all: $(B)/crbox

# Third-party sources and the cross musl, fetched once into $(CRBOX_CACHE).
$(PBC_DIR)/.ok:
	scripts/build-deps.sh protobuf-c >/dev/null
$(CRBOX_CACHE)/musl-$(MUSL_VERSION)-%/.ok:
	scripts/build-deps.sh musl $* >/dev/null
deps: $(DEPS)

$(B)/include/protobuf-c/protobuf-c.h: | $(PBC_DIR)/.ok
	@mkdir -p $(@D)
	cp $(PBC_DIR)/protobuf-c/protobuf-c.h $@

PBC_CFLAGS = $(filter-out -g -W%,$(CFLAGS)) -w
$(B)/protobuf-c/protobuf-c.o: $(B)/include/protobuf-c/protobuf-c.h $(B)/.flags | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(PBC_CFLAGS) -I$(B)/include/protobuf-c -c -o $@ $(PBC_DIR)/protobuf-c/protobuf-c.c
$(PROTOBUF_C_A): $(B)/protobuf-c/protobuf-c.o
	rm -f $@
	ar rcs $@ $<

# The commit goes into a header rewritten only when HEAD moves, so --version never goes
# stale and nothing else rebuilds.
.PHONY: FORCE
$(B)/include/crbox-commit.h: FORCE
	@mkdir -p $(@D)
	@echo '#define CRBOX_COMMIT "$(GITREV)"' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(B)/obj/applets/main.o $(B)/plain/applets/main.o $(B)/obj/applets/features.o $(B)/plain/applets/features.o: $(B)/include/crbox-commit.h

# The compiler and flags of the musl build, rewritten when they change (a new ARCH toolchain,
# CFLAGS or LDFLAGS on the command line), so that what depends on them is rebuilt.
$(B)/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS) $(LTO) $(LDFLAGS)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(B)/obj/%.o: %.c $(B)/include/protobuf-c/protobuf-c.h $(B)/.flags | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LTO) $(INC) $(DEFS) -MMD -MP -c -o $@ $<

$(B)/crbox.unstripped: $(OBJ) $(PROTOBUF_C_A) $(B)/.flags
	$(CC) $(CFLAGS) $(LTO) $(LDFLAGS) -o $@ $(OBJ) $(PROTOBUF_C_A)

# Fully static: no program interpreter, no needed library, no dynamic section at all (no
# self-relocation either: the kernel maps it where it was linked).
$(B)/crbox: $(B)/crbox.unstripped
	$(STRIP) -s -R .comment -R '.note*' -o $@ $<
	@if readelf -l $@ | grep -qE 'INTERP|DYNAMIC' || ! readelf -d $@ | grep -q 'no dynamic section'; then \
		echo "error: $@ is not fully static (it has a dynamic section)" >&2; rm -f $@; exit 1; fi

size: $(B)/crbox
	@sz=$$(stat -c %s $(B)/crbox); \
	echo "$(B)/crbox: $$sz bytes stripped, $(ARCH) (budget $(SIZE_BUDGET))"; \
	if [ $$sz -gt $(SIZE_BUDGET) ]; then echo "error: over the size budget" >&2; exit 1; fi

# Unit tests: once with the host compiler under ASan/UBSan, once static with musl.
# A cross build's sanitizer tests use the target's glibc cross toolchain and link the
# protobuf-c source compiled by it; the host's link Debian's libprotobuf-c.
ifeq ($(ARCH),$(HOST_ARCH))
SAN_PBC :=
SAN_LIBS := -lprotobuf-c
else
SAN_PBC := $(B)/asan/protobuf-c.o
SAN_LIBS := $(SAN_PBC)
$(SAN_PBC): $(B)/include/protobuf-c/protobuf-c.h
	@mkdir -p $(@D)
	$(HOSTCC) $(filter-out -W%,$(SAN_CFLAGS)) -w -I$(B)/include/protobuf-c -c -o $@ \
		$(PBC_DIR)/protobuf-c/protobuf-c.c
endif

$(B)/asan/%.o: %.c $(B)/include/protobuf-c/protobuf-c.h
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) $(INC) $(DEFS) -MMD -MP -c -o $@ $<

$(B)/unit-asan/%: tests/unit/%.c $(LIB_ASAN) $(SAN_PBC) tests/unit/t.h
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) $(SAN_LDFLAGS) $(INC) $(DEFS) -o $@ $< $(LIB_ASAN) $(SAN_LIBS)

$(B)/unit-musl/%: tests/unit/%.c $(LIB_MUSL) $(PROTOBUF_C_A) tests/unit/t.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(INC) $(DEFS) $(LDFLAGS) -o $@ $< $(LIB_MUSL) $(PROTOBUF_C_A)

# Cross builds run their tests under qemu-user (RUN, given to the runner as UNIT_RUNNER).
unit-bins: $(UNIT_ASAN) $(UNIT_MUSL)
unit: $(UNIT_ASAN) $(UNIT_MUSL)
	@UNIT_RUNNER="$(QEMU)" tests/run-unit.sh $(UNIT_ASAN) $(UNIT_MUSL)

# Unit tests a third time, host compiler without sanitizers, for valgrind (make valgrind).
UNIT_PLAIN := $(UNIT_SRC:tests/unit/%.c=$(B)/unit-plain/%)
LIB_PLAIN  := $(LIB_SRC:%.c=$(B)/plain/%.o)
PLAIN_CFLAGS = -std=gnu11 -O1 -g $(WARN) -D_GNU_SOURCE
$(B)/plain/%.o: %.c $(B)/include/protobuf-c/protobuf-c.h
	@mkdir -p $(@D)
	$(HOSTCC) $(PLAIN_CFLAGS) $(INC) $(DEFS) -MMD -MP -c -o $@ $<

$(B)/unit-plain/%: tests/unit/%.c $(LIB_PLAIN) tests/unit/t.h
	@mkdir -p $(@D)
	$(HOSTCC) $(PLAIN_CFLAGS) $(INC) $(DEFS) -o $@ $< $(LIB_PLAIN) -lprotobuf-c

# crbox linked dynamically against glibc from the same sources, for valgrind's leak checks
# (named crbox: it names itself by argv[0]; the static musl binary has no malloc valgrind
# can replace, so its leak checks would say nothing).
APP_PLAIN := $(APP_SRC:%.c=$(B)/plain/%.o)
$(B)/glibc/crbox: $(LIB_PLAIN) $(APP_PLAIN)
	@mkdir -p $(@D)
	$(HOSTCC) $(PLAIN_CFLAGS) -o $@ $(LIB_PLAIN) $(APP_PLAIN) -lprotobuf-c

# The valgrind layer of tests/run-all.sh: unit-plain binaries and the cli suite under valgrind.
valgrind: $(UNIT_PLAIN) $(B)/glibc/crbox
	LAYERS=valgrind tests/run-all.sh

# Every tests/fuzz/fuzz_*.c built and run for FUZZ_TIME seconds (the fuzz layer).
FUZZ_TIME ?= 30
fuzz:
	LAYERS=fuzz FUZZ_TIME=$(FUZZ_TIME) tests/run-all.sh

# Helper programs the tests use (console receiver, fake criu, ...), host-built.
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOLS    := $(TOOL_SRC:tests/tools/%.c=$(B)/tools/%)
$(B)/tools/%: tests/tools/%.c
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 -O1 -g -Wall -D_GNU_SOURCE -o $@ $<
# Tools that call core/ link it statically with musl (rootfs-probe runs core/rootfs/ on a
# bundle; seccomp-tool also runs inside a busybox container).
CORE_TOOLS := $(B)/tools/rootfs-probe $(B)/tools/seccomp-tool
$(CORE_TOOLS): $(B)/tools/%: tests/tools/%.c tests/unit/sc_interp.h $(LIB_MUSL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(INC) $(DEFS) $(LDFLAGS) -o $@ $< $(LIB_MUSL) $(PROTOBUF_C_A)
tools: $(TOOLS)

# bench/ programs (bench/run.sh): the timing/RSS harness (host cc) and the static workload.
bench: $(B)/bench/measure $(B)/bench/hog $(B)/bench/cgjoin
$(B)/bench/measure $(B)/bench/cgjoin: $(B)/bench/%: bench/%.c
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -o $@ $<
$(B)/bench/hog: bench/hog.c
	@mkdir -p $(@D)
	$(CC) -static -O2 -Wall -o $@ $<

test: all tools
	tests/run-all.sh

install: $(B)/crbox
	install -D -m 0755 $(B)/crbox $(DESTDIR)$(PREFIX)/bin/crbox
	$(DESTDIR)$(PREFIX)/bin/crbox --install $(DESTDIR)$(PREFIX)/bin

# Regenerates the committed protobuf-c code from our own .proto (needs protoc-c).
proto:
	cd vendor-proto && protoc-c --c_out=. criu-rpc.proto

clean:
	rm -rf $(B)

-include $(OBJ:.o=.d) $(LIB_ASAN:.o=.d) $(LIB_PLAIN:.o=.d) $(APP_PLAIN:.o=.d)
