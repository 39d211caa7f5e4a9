# Build configuration; override on the command line (make CC=... SIZE_BUDGET=...).
VERSION      = 0.1.0
OCI_VERSION  = 1.0.2-dev
CC           = musl-gcc
HOSTCC       = cc
PREFIX       = /usr/local
DESTDIR      =
# Stripped size budget of build/crbox, in bytes (make size fails above it). 400 KiB is the
# ceiling for the whole runtime (docs/benchmarks.md); keep it as low as the features allow.
SIZE_BUDGET  = 409600
# protobuf-c runtime: Debian's libprotobuf-c-dev (static archive needs only libc symbols).
PROTOBUF_C_A = /usr/lib/x86_64-linux-gnu/libprotobuf-c.a
PROTOBUF_C_H = /usr/include/protobuf-c/protobuf-c.h

WARN    = -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration \
          -Werror=implicit-int -Werror=pointer-arith -Wshadow -Wvla
CFLAGS  = -std=gnu11 -Os -g $(WARN) -ffunction-sections -fdata-sections \
          -fno-asynchronous-unwind-tables -fno-unwind-tables -fstack-protector-strong \
          -D_GNU_SOURCE -DNDEBUG
LDFLAGS = -static -Wl,--gc-sections -Wl,-z,noseparate-code
# Unit tests built with the host compiler under sanitizers.
SAN_CFLAGS = -std=gnu11 -O1 -g $(WARN) -D_GNU_SOURCE -fsanitize=address,undefined \
             -fno-omit-frame-pointer -fno-sanitize-recover=undefined
