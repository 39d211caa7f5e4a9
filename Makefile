# crbox: one static binary. See README.md for the targets.
include config.mk

B        := build
CORE_SRC := $(sort $(wildcard core/*.c core/*/*.c))
APP_SRC  := $(sort $(wildcard applets/*.c))
PB_SRC   := $(sort $(wildcard vendor-proto/*.pb-c.c))
SRC      := $(CORE_SRC) $(APP_SRC) $(PB_SRC)
OBJ      := $(SRC:%.c=$(B)/obj/%.o)
GITREV   := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
INC      := -I. -Icore -Ivendor-proto -I$(B)/include
DEFS     := -DCRBOX_VERSION='"$(VERSION)"' \
            -DCRBOX_OCI_VERSION='"$(OCI_VERSION)"'

UNIT_SRC := $(sort $(wildcard tests/unit/t_*.c))
UNIT_ASAN := $(UNIT_SRC:tests/unit/%.c=$(B)/unit-asan/%)
UNIT_MUSL := $(UNIT_SRC:tests/unit/%.c=$(B)/unit-musl/%)
# Objects the unit tests link: all of core/ and the generated protobuf code.
LIB_SRC  := $(CORE_SRC) $(PB_SRC)
LIB_ASAN := $(LIB_SRC:%.c=$(B)/asan/%.o)
LIB_MUSL := $(LIB_SRC:%.c=$(B)/obj/%.o)

.PHONY: all test unit cli integration check size install proto clean tools fuzz valgrind bench
all: $(B)/crbox

$(B)/include/protobuf-c/protobuf-c.h: $(PROTOBUF_C_H)
	@mkdir -p $(@D)
	cp $< $@

# The commit goes into a header rewritten only when HEAD moves, so --version never goes
# stale and nothing else rebuilds.
.PHONY: FORCE
$(B)/include/crbox-commit.h: FORCE
	@mkdir -p $(@D)
	@echo '#define CRBOX_COMMIT "$(GITREV)"' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(B)/obj/applets/main.o $(B)/plain/applets/main.o: $(B)/include/crbox-commit.h

$(B)/obj/%.o: %.c $(B)/include/protobuf-c/protobuf-c.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(INC) $(DEFS) -MMD -MP -c -o $@ $<

$(B)/crbox.unstripped: $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(PROTOBUF_C_A)

$(B)/crbox: $(B)/crbox.unstripped
	strip -s -R .comment -R '.note*' -o $@ $<
	@if readelf -d $@ | grep -q 'Dynamic section' || readelf -l $@ | grep -q INTERP; then \
		echo "error: $@ is not fully static" >&2; rm -f $@; exit 1; fi

size: $(B)/crbox
	@sz=$$(stat -c %s $(B)/crbox); echo "build/crbox: $$sz bytes stripped (budget $(SIZE_BUDGET))"; \
	if [ $$sz -gt $(SIZE_BUDGET) ]; then echo "error: over the size budget" >&2; exit 1; fi

# Unit tests: once with the host compiler under ASan/UBSan, once static with musl.
$(B)/asan/%.o: %.c $(B)/include/protobuf-c/protobuf-c.h
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) $(INC) $(DEFS) -MMD -MP -c -o $@ $<

$(B)/unit-asan/%: tests/unit/%.c $(LIB_ASAN) tests/unit/t.h
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) $(INC) $(DEFS) -o $@ $< $(LIB_ASAN) -lprotobuf-c

$(B)/unit-musl/%: tests/unit/%.c $(LIB_MUSL) tests/unit/t.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(INC) $(DEFS) $(LDFLAGS) -o $@ $< $(LIB_MUSL) $(PROTOBUF_C_A)

unit: $(UNIT_ASAN) $(UNIT_MUSL)
	@tests/run-unit.sh $(UNIT_ASAN) $(UNIT_MUSL)

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
# Tools that call core/ (e.g. rootfs-probe runs core/rootfs/ on a bundle) link it statically.
CORE_TOOLS := $(B)/tools/rootfs-probe
$(CORE_TOOLS): $(B)/tools/%: tests/tools/%.c $(LIB_MUSL)
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
