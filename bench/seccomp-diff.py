#!/usr/bin/env python3
# seccomp-diff.py: developer-only differential run of crbox's compiler against libseccomp on
# random profiles of 2-3 overlapping conditional rules on one syscall (lseek, x86_64, default
# ALLOW so runc adds no stub). Both programs go through seccomp-tool cmp (BPF interpreter over
# a grid); a difference is "libseccomp-wrong" when libseccomp's verdict belongs to no rule that
# matches the input (its accumulator bug, docs/seccomp.md), else "order" (crbox's canonical
# order differs). Needs /tmp/sl built from bench/seccomp-libseccomp.c, make tools, jq.
#   python3 bench/seccomp-diff.py SEED COUNT   (run from the repository root)
import json, random, subprocess, sys, re
random.seed(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
ops = ["SCMP_CMP_EQ","SCMP_CMP_NE","SCMP_CMP_LT","SCMP_CMP_LE","SCMP_CMP_GT","SCMP_CMP_GE","SCMP_CMP_MASKED_EQ"]
vals = [0, 1, 2, 5, 0xf0, 0x10, 0xffffffff, 1<<32, (1<<32)+5]
mism = 0; bug = 0; kinds = {"order": 0, "libseccomp-wrong": 0}; total = int(sys.argv[2]) if len(sys.argv) > 2 else 100
for it in range(total):
    rules = []
    for r in range(random.randint(2, 3)):
        args = []
        used = set()
        for c in range(random.randint(1, 2)):
            idx = random.choice([0, 1])
            if idx in used: continue
            used.add(idx)
            op = random.choice(ops)
            a = {"index": idx, "op": op, "value": random.choice(vals)}
            if op == "SCMP_CMP_MASKED_EQ": a["valueTwo"] = random.choice(vals)
            args.append(a)
        rules.append({"names": ["lseek"], "action": "SCMP_ACT_ERRNO", "errnoRet": 10 + r, "args": args})
    prof = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": rules}
    json.dump(prof, open("/tmp/df.json", "w"))
    fl = subprocess.run("jq -r -f bench/seccomp-flatten.jq /tmp/df.json", shell=True, capture_output=True, text=True).stdout
    r1 = subprocess.run(["/tmp/sl"], input=fl, env={"SL_EXPORT": "/tmp/dfa.dump"}, capture_output=True, text=True)
    r2 = subprocess.run(["build/tools/seccomp-tool", "bpf", "/tmp/df.json", "/tmp/dfb.dump"], capture_output=True, text=True)
    if r2.returncode != 0:
        continue  # e.g. EEXIST
    r = subprocess.run(["build/tools/seccomp-tool", "cmp", "/tmp/dfa.dump", "/tmp/dfb.dump", "/tmp/df.json"], env={"CMP_NR": "8"}, capture_output=True, text=True)
    if r.returncode != 0:
        mism += 1
        line = r.stdout.splitlines()[0]
        m = re.search(r"args\[([-0-9,]+)\]=([0-9a-fx,]+): ([0-9a-f]+) vs ([0-9a-f]+)", line)
        a = [0]*6
        if m.group(1) != "-1":
            for i, v in zip(m.group(1).split(","), m.group(2).split(",")):
                a[int(i)] = int(v, 16)
        def holds(c):
            x = a[c["index"]]; v = c["value"]; op = c["op"]
            return {"SCMP_CMP_EQ": x == v, "SCMP_CMP_NE": x != v, "SCMP_CMP_LT": x < v, "SCMP_CMP_LE": x <= v,
                    "SCMP_CMP_GT": x > v, "SCMP_CMP_GE": x >= v,
                    "SCMP_CMP_MASKED_EQ": (x & v) == (c.get("valueTwo", 0) & v)}[op]
        ok = set(0x50000 | r_["errnoRet"] for r_ in rules if all(holds(c) for c in r_["args"]))
        lib = int(m.group(3), 16)
        if (lib == 0x7fff0000 and not ok) or lib in ok:
            kinds["order"] += 1
            if kinds["order"] <= 4:
                print(json.dumps(rules)); print(line)
        else:
            kinds["libseccomp-wrong"] += 1
print("profiles", total, "mismatching", mism, kinds)
