#!/usr/bin/env bash
# Sets zuul-ts up and runs it on a small local deployment: two git
# repositories made from examples/quickstart, a zuul.conf pointing at them,
# the tenant file check and a full configuration check, one real run of
# the demo job with ansible-playbook (`zuul-ts run-job`), then `zuul-ts
# serve` (one process, SQLite) until interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

work="${ZUUL_TS_QUICKSTART_DIR:-$PWD/.quickstart}"
rm -rf "$work"
mkdir -p "$work/upstream"
for repo in examples/quickstart/repos/*/; do
  name=$(basename "$repo")
  cp -r "$repo" "$work/upstream/$name"
  git -C "$work/upstream/$name" init -q -b master
  git -C "$work/upstream/$name" add -A
  git -C "$work/upstream/$name" -c user.name=quickstart -c user.email=quickstart@example.com \
    commit -q -m "Initial commit"
done
cp examples/quickstart/main.yaml "$work/main.yaml"
cat > "$work/zuul.conf" <<CONF
[scheduler]
tenant_config=main.yaml
state_dir=$work/state

[web]
listen_address=127.0.0.1
port=${ZUUL_TS_QUICKSTART_PORT:-9000}
root=http://127.0.0.1:${ZUUL_TS_QUICKSTART_PORT:-9000}/

[merger]
git_dir=$work/git

[executor]
state_dir=$work/executor

[database]
dburi=sqlite:///$work/zuul.db

[keystore]
password=quickstart-only

[connection local]
driver=git
baseurl=file://$work/upstream
CONF

mkdir -p "$work/state"
npx zuul-ts tenant-conf-check -c "$work/zuul.conf"
npx zuul-ts config-check -c "$work/zuul.conf"
# The demo project's job, frozen as the post pipeline would, run for real.
npx zuul-ts run-job -c "$work/zuul.conf" --tenant example --project demo-project \
  --branch master --pipeline post demo-hello

# Then run zuul-ts itself, every component in one process on SQLite.
# Try: curl http://127.0.0.1:${ZUUL_TS_QUICKSTART_PORT:-9000}/api/tenant/example/jobs
# Stop it with Ctrl-C.
echo "Serving the REST API on http://127.0.0.1:${ZUUL_TS_QUICKSTART_PORT:-9000}/api (Ctrl-C stops)"
exec npx zuul-ts serve -c "$work/zuul.conf"
