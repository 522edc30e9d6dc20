#!/usr/bin/env bash
# Installs everything zuul-ts needs on a fresh Debian machine and builds it.
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    echo "Please install: ${need_apt[*]}" >&2
    exit 1
  fi
fi

npm ci --no-audit --no-fund
npm run build

# The executor runs jobs with ansible-core 2.16 (Zuul's default Ansible 9)
# from a project-local venv, and sandboxes them with bubblewrap. Skipped
# when the pinned version is already installed.
ANSIBLE_CORE_VERSION=2.16.14
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
need_apt=()
command -v bwrap >/dev/null 2>&1 || need_apt+=(bubblewrap)
"$PY" -c 'import ensurepip, venv' >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    echo "Please install: ${need_apt[*]}" >&2
    exit 1
  fi
fi
if ! .venv-ansible/bin/python -c "import sys, ansible.release as r; sys.exit(r.__version__ != '$ANSIBLE_CORE_VERSION')" >/dev/null 2>&1; then
  rm -rf .venv-ansible
  "$PY" -m venv .venv-ansible
  .venv-ansible/bin/pip install --quiet --disable-pip-version-check "ansible-core==$ANSIBLE_CORE_VERSION"
fi
