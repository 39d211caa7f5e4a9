/* sock: AF_UNIX helpers the runtime shares: connecting to a stream socket by path (the
 * console socket) and passing one fd with SCM_RIGHTS plus a data payload (which a stream
 * message needs to carry the fd at all). */
#ifndef CRBOX_SYS_SOCK_H
#define CRBOX_SYS_SOCK_H
#include "err.h"

/* A SOCK_STREAM|SOCK_CLOEXEC connection to path: the fd, or -1 ("dial unix <path>: ..."). */
int sock_connect(const char *path, struct err *e);
/* sendmsg of data (non-empty) with fd attached; retried on EINTR. 0 or -1. */
int sock_send_fd(int sock, int fd, const char *data, struct err *e);
/* recvmsg of one message carrying one fd (MSG_CMSG_CLOEXEC): the fd, or -1. */
int sock_recv_fd(int sock, struct err *e);

#endif
