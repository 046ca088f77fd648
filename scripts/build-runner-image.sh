#!/usr/bin/env bash
# Builds the local runner image `scaleset-fake-runner:local` offline (no registry is reachable):
# a `docker import` of a small root filesystem holding
#   /usr/local/bin/node        this machine's node binary, plus the shared libraries ldd lists
#   /bin/sh                    dash (and its libraries), so run.sh scripts work
#   /etc/passwd, /etc/group    root and `runner` (uid 1001, as in the official runner image)
#   /home/runner/run.sh        execs node on the fake runner (dist/emulator/fake-runner/main.js)
#
# Idempotent and fast: the image carries a label with a hash of everything that went into it and
# is rebuilt only when that hash changes. Builds dist/ first (npm run build) when the fake runner
# is missing there. Env: SCALESET_RUNNER_IMAGE (tag, default scaleset-fake-runner:local),
# SCALESET_FORCE_REBUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."

image="${SCALESET_RUNNER_IMAGE:-scaleset-fake-runner:local}"
# Parallel callers (several test files) build once between them.
exec 9>/tmp/scaleset-build-runner-image.lock
flock 9

fake_dir="dist/emulator/fake-runner"
node_bin="$(readlink -f "$(command -v node)")"
shell_bin="$(readlink -f /bin/sh)"
[ -x "$shell_bin" ] || shell_bin="$(readlink -f "$(command -v dash || command -v bash)")"

stale=""
if [ -f "$fake_dir/main.js" ] && [ -d src/emulator/fake-runner ]; then
  stale="$(find src/emulator/fake-runner -name '*.ts' -newer "$fake_dir/main.js" | head -n 1)"
fi
if [ ! -f "$fake_dir/main.js" ] || [ -n "$stale" ]; then
  echo "== $fake_dir/main.js missing or older than its source; running npm run build" >&2
  npm run build >&2 || echo "!! build failed" >&2
fi
have_fake=0
[ -f "$fake_dir/main.js" ] && have_fake=1

hash="$({
  echo "v1 $node_bin $shell_bin have_fake=$have_fake"
  sha256sum "$0" "$node_bin" "$shell_bin"
  if [ "$have_fake" = 1 ]; then
    find "$fake_dir" -type f ! -name '*.map' ! -name '*.d.ts' -print0 | sort -z | xargs -0 sha256sum
  fi
} | sha256sum | cut -c1-32)"

current="$(docker image inspect --format '{{ index .Config.Labels "dev.scaleset.content-hash" }}' "$image" 2>/dev/null || true)"
if [ "$current" = "$hash" ] && [ "${SCALESET_FORCE_REBUILD:-0}" != "1" ]; then
  echo "== $image is up to date ($hash)"
  exit 0
fi

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,etc,tmp,usr/local/bin,home/runner} "$root/home/runner/fake-runner"
chmod 1777 "$root/tmp"
cp "$node_bin" "$root/usr/local/bin/node"
cp "$shell_bin" "$root/bin/sh"
# Shared libraries and the dynamic loader, at the paths the binaries expect.
for lib in $( (ldd "$node_bin"; ldd "$shell_bin") | grep -oE '/[^ ]+' | sort -u); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
runner:x:1001:1001:runner:/home/runner:/bin/sh
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
runner:x:1001:
EOF
echo "hosts: files dns" >"$root/etc/nsswitch.conf"

if [ "$have_fake" = 1 ]; then
  cp -R "$fake_dir/." "$root/home/runner/fake-runner/"
  find "$root/home/runner/fake-runner" -type f \( -name '*.map' -o -name '*.d.ts' \) -delete
  # dist/ is ESM; the copy lives outside the package, so mark it as a module again.
  echo '{"type":"module"}' >"$root/home/runner/fake-runner/package.json"
  cat >"$root/home/runner/run.sh" <<'EOF'
#!/bin/sh
# Fake runner entry point: reads ACTIONS_RUNNER_INPUT_JITCONFIG (or --jitconfig) like the real runner.
exec /usr/local/bin/node /home/runner/fake-runner/main.js "$@"
EOF
else
  echo "!! $fake_dir/main.js not found: the image's run.sh only reports that" >&2
  cat >"$root/home/runner/run.sh" <<'EOF'
#!/bin/sh
echo "scaleset fake runner was not built into this image (rebuild: npm run build:runner-image)" >&2
exit 2
EOF
fi
chmod 755 "$root/home/runner/run.sh"
chown -R 1001:1001 "$root/home/runner"

echo "== importing $image ($hash)"
tar -C "$root" -c . | docker import \
  --change 'USER runner' \
  --change 'WORKDIR /home/runner' \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin HOME=/home/runner' \
  --change 'CMD ["/home/runner/run.sh"]' \
  --change "LABEL dev.scaleset.content-hash=$hash" \
  - "$image" >/dev/null
echo "== built $image"
