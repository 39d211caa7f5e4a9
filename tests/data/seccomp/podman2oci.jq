# Podman's seccomp.json (containers-common, with archMap/includes/excludes) -> the OCI
# linux.seccomp Podman would send for a container with capabilities $caps on Go arch $arch
# (amd64), as containers/common's seccomp setup filters it (minKernel: this host is newer).
def has($l; $x): $l | index($x) != null;
def goarch: {"SCMP_ARCH_X86_64": "amd64", "SCMP_ARCH_AARCH64": "arm64"}[.];
. as $p
| {
  defaultAction: .defaultAction,
  architectures: ([.archMap[] | select(.architecture | goarch == $arch) | [.architecture] + (.subArchitectures // [])] | add // []),
  syscalls: [.syscalls[]
    | select(((.includes.caps // []) | all(. as $c | has($caps; $c))))
    | select(((.excludes.caps // []) | any(. as $c | has($caps; $c))) | not)
    | select(((.includes.arches // []) | length == 0) or has(.includes.arches; $arch))
    | select(has(.excludes.arches // []; $arch) | not)
    | {names, action} + (if .errnoRet then {errnoRet} else {} end)
      + (if (.args // []) | length > 0 then {args} else {} end)]
} + (if $p.defaultErrnoRet then {defaultErrnoRet: $p.defaultErrnoRet} else {} end)
