# Build configuration; override on the command line (make CC=... SIZE_BUDGET=...).
VERSION      = 0.1.0
OCI_VERSION  = 1.0.2-dev
# The compiler that the musl specs of the host architecture turn into a musl one (the
# Makefile adds -specs=...; see its ARCH notes): one mechanism for the host and every cross
# architecture.
MUSL_CC      = cc
HOSTCC       = cc
PREFIX       = /usr/local
DESTDIR      =
# Stripped size budget of build/crbox, in bytes (make size fails above it), for every
# architecture. 400 KiB: the largest build (i386, 395428 bytes, fully static) plus a little
# room; x86_64 is 377992 (docs/architectures.md).
SIZE_BUDGET  = 409600
# Third-party sources (musl for cross builds, the protobuf-c runtime) are taken from Debian
# bookworm's packages at build time by scripts/build-deps.sh and cached here.
CRBOX_CACHE  = /var/cache/crbox
MUSL_VERSION = 1.2.3
PBC_VERSION  = 1.4.1

# The architectures `make ARCH=...` builds: Debian's cross compiler triple and the qemu-user
# that runs the result (qemu-<name>-static) for each.
ARCHES          = x86_64 aarch64 armhf i386 riscv64
TRIPLE_x86_64   = x86_64-linux-gnu
TRIPLE_aarch64  = aarch64-linux-gnu
TRIPLE_armhf    = arm-linux-gnueabihf
TRIPLE_i386     = i686-linux-gnu
TRIPLE_riscv64  = riscv64-linux-gnu
QEMU_x86_64     = x86_64
QEMU_aarch64    = aarch64
QEMU_armhf      = arm
QEMU_i386       = i386
QEMU_riscv64    = riscv64

WARN    = -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration \
          -Werror=implicit-int -Werror=pointer-arith -Wshadow -Wvla
# Link-time optimisation for build/crbox only (about 8 KiB smaller); the objects keep their
# normal code too (fat), so the unit tests and tools link them without it.
LTO     = -flto=auto -ffat-lto-objects
CFLAGS  = -std=gnu11 -Os -g $(WARN) -fPIE -ffunction-sections -fdata-sections \
          -fno-asynchronous-unwind-tables -fno-unwind-tables -fstack-protector-strong \
          -D_GNU_SOURCE -DNDEBUG
# Fully static on every architecture: no program interpreter, no shared library, no dynamic
# section, no self-relocation (the kernel maps the binary where it was linked). -z norelro:
# nothing in a static musl binary applies RELRO, and its segment's page alignment would
# cost up to 48 KiB on aarch64's 64 KiB pages. docs/architectures.md has the sizes and why
# not static-pie.
STATIC_LDFLAGS = -static -Wl,-z,norelro
LDFLAGS = $(STATIC_LDFLAGS) -Wl,--gc-sections \
          -Wl,-z,noseparate-code
# Unit tests built with the host compiler under sanitizers.
SAN_CFLAGS = -std=gnu11 -O1 -g $(WARN) -D_GNU_SOURCE -fsanitize=address,undefined \
             -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# The sanitizer unit tests of a cross build: the target's glibc cross toolchain, run under
# qemu-user. aarch64 gets ASan and UBSan as the host does; armhf gets UBSan (a child that
# aborts under ASan spins in qemu-arm). i386 gets UBSan in trap mode, linked static: a
# dynamically linked i386 glibc program hangs in fork() under qemu-i386, and libubsan does
# not link statically. gcc 12 has no UBSan for riscv64 and its ASan does not start under
# qemu-riscv64, so riscv64 has none (empty). 32-bit glibc gets musl's 64-bit time_t and
# off_t, so that both builds test the same types.
SAN_UBSAN = -std=gnu11 -O1 -g $(WARN) -D_GNU_SOURCE -fsanitize=undefined \
            -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_CFLAGS_aarch64 = $(SAN_CFLAGS)
SAN_CFLAGS_armhf   = $(SAN_UBSAN) -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
SAN_CFLAGS_i386    = $(SAN_UBSAN) -fsanitize-undefined-trap-on-error \
                     -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
SAN_CFLAGS_riscv64 =
SAN_CFLAGS_x86_64  = $(SAN_CFLAGS)
SAN_LDFLAGS_i386   = -static
