/* seccomp-probe.c: makes a list of system calls and prints what each one gave, for comparing
 * seccomp filters on the real kernel (tests/integration/seccomp.bats). Built static with
 * musl at test time and run as a container's process.
 *   seccomp-probe CASES     one case a line: "ABI NR A0 A1 A2 A3 A4 A5" (ABI 64: the syscall
 *                           instruction, NR as given, x32 bit included; ABI 32: int $0x80)
 *   seccomp-probe --pause   waits (for PTRACE_SECCOMP_GET_FILTER from outside)
 * Each call runs in its own child. Output per case: "ABI NR A0..A5 = RESULT" where RESULT is
 * "ok" (returned >= 0), "-N" (returned -N), "trap" (SIGSYS caught), "sig N" (killed by
 * signal N), "exit N" or "stopped". No libc stdio or malloc: only the calls this file makes
 * (read, write, openat, close, fork, wait4, rt_sigaction, rt_sigprocmask, setitimer, setrlimit,
 * exit_group, kill, pause) need the filter's permission. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static char out[1 << 16];
static size_t outn;

static void flush(void)
{
	size_t o = 0;
	while (o < outn) {
		ssize_t n = write(1, out + o, outn - o);
		if (n <= 0)
			break;
		o += (size_t)n;
	}
	outn = 0;
}

static void puts_(const char *s)
{
	size_t n = strlen(s);
	if (outn + n > sizeof out)
		flush();
	memcpy(out + outn, s, n);
	outn += n;
}

static void putu(unsigned long long v, int hex)
{
	char b[32];
	int i = sizeof b;
	b[--i] = 0;
	do {
		b[--i] = "0123456789abcdef"[v % (hex ? 16 : 10)];
		v /= hex ? 16 : 10;
	} while (v);
	if (hex) {
		b[--i] = 'x';
		b[--i] = '0';
	}
	puts_(b + i);
}

#if defined(__x86_64__)
static long raw64(long nr, const unsigned long long *a)
{
	register long r10 __asm__("r10") = (long)a[3];
	register long r8 __asm__("r8") = (long)a[4];
	register long r9 __asm__("r9") = (long)a[5];
	long r;
	__asm__ volatile("syscall" : "=a"(r)
	                 : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
	                 : "rcx", "r11", "memory");
	return r;
}

static long raw32(long nr, const unsigned long long *a)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r)
	                 : "a"(nr), "b"((long)a[0]), "c"((long)a[1]), "d"((long)a[2]),
	                   "S"((long)a[3]), "D"((long)a[4])
	                 : "memory");
	return (int)r;
}
#else
/* Elsewhere: the native ABI through libc's syscall(); no compat ABI. */
static long raw64(long nr, const unsigned long long *a)
{
	long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	return r < 0 ? -errno : r;
}

static long raw32(long nr, const unsigned long long *a)
{
	(void)nr;
	(void)a;
	return -ENOSYS;
}
#endif

static int res_fd;

static void on_sigsys(int sig)
{
	long v = 0x7fff1111;
	(void)sig;
	(void)!write(res_fd, &v, sizeof v);
	_exit(0);
}

static void one(int abi, unsigned long long nr, const unsigned long long *a)
{
	int p[2];
	long r = 0;
	if (pipe(p) < 0)
		_exit(2);
	pid_t pid = fork();
	if (pid < 0)
		_exit(3);
	if (!pid) {
		struct sigaction sa;
		struct itimerval it = { { 0, 0 }, { 0, 300000 } };
		close(p[0]);
		res_fd = p[1];
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_sigsys;
		sigaction(SIGSYS, &sa, NULL);
		setitimer(ITIMER_REAL, &it, NULL);
		r = abi == 32 ? raw32((long)nr, a) : raw64((long)nr, a);
		(void)!write(p[1], &r, sizeof r);
		_exit(0);
	}
	close(p[1]);
	long v;
	ssize_t n = read(p[0], &v, sizeof v);
	close(p[0]);
	int st;
	while (waitpid(pid, &st, __WALL) < 0)
		;
	while (WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, __WALL) < 0)
			;
	}
	putu((unsigned)abi, 0);
	puts_(" ");
	putu(nr, 1);
	for (int i = 0; i < 6; i++) {
		puts_(" ");
		putu(a[i], 1);
	}
	puts_(" = ");
	if (n == sizeof v && v == 0x7fff1111) {
		puts_("trap");
	} else if (n == sizeof v) {
		if (v >= 0) {
			puts_("ok");
		} else {
			puts_("-");
			putu((unsigned long long)-v, 0);
		}
	} else if (WIFSIGNALED(st)) {
		puts_("sig ");
		putu((unsigned)WTERMSIG(st), 0);
	} else {
		puts_("exit ");
		putu((unsigned)WEXITSTATUS(st), 0);
	}
	puts_("\n");
}

static unsigned long long num(const char **s)
{
	unsigned long long v = 0;
	while (**s == ' ')
		(*s)++;
	if ((*s)[0] == '0' && (*s)[1] == 'x') {
		*s += 2;
		for (;; (*s)++) {
			char c = **s;
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
			if (d < 0)
				break;
			v = v * 16 + (unsigned)d;
		}
	} else {
		while (**s >= '0' && **s <= '9')
			v = v * 10 + (unsigned)(*(*s)++ - '0');
	}
	return v;
}

static char in[1 << 22];

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--pause")) {
		for (;;)
			pause();
	}
	if (argc != 2)
		return 2;
	struct rlimit rl = { 0, 0 };
	setrlimit(RLIMIT_CORE, &rl);
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return 4;
	size_t len = 0;
	ssize_t n;
	while ((n = read(fd, in + len, sizeof in - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	in[len] = 0;
	for (const char *s = in; *s;) {
		unsigned long long a[6];
		int abi = (int)num(&s);
		unsigned long long nr = num(&s);
		for (int i = 0; i < 6; i++)
			a[i] = num(&s);
		while (*s && *s != '\n')
			s++;
		if (*s)
			s++;
		if (abi)
			one(abi, nr, a);
	}
	flush();
	return 0;
}
