# An OCI linux.seccomp object -> the line format bench/seccomp-libseccomp.c reads.
"DEFAULT \(.defaultAction) \(.defaultErrnoRet // -1)",
(.architectures // [] | .[] | "ARCH \(.)"),
(.syscalls[] | . as $r | .names[] |
  "RULE \(.) \($r.action) \($r.errnoRet // -1) \($r.args // [] | length) \($r.args // [] | map("\(.index) \(.op) \(.value // 0) \(.valueTwo // 0)") | join(" "))")
