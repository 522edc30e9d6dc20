#!/usr/bin/python
# zuul-ts: the command module, with console spooling.
#
# Runs a command like ansible.builtin.command (and, with _uses_shell, like
# shell), taking the same options. Differences, as in Zuul: stderr is merged
# into stdout (so the console shows both in order), and with `zuul_log_id`
# every output line is also appended, timestamped, to
# /tmp/console-<zuul_log_id>.log while the command runs, ending with a
# "[Zuul] Task exit code: N" line, so the executor can stream it live.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: command
short_description: Run a command, streaming its output to the Zuul console
description:
  - Same options as ansible.builtin.command; stderr is merged into stdout.
options:
  _raw_params: {type: str}
  _uses_shell: {type: bool, default: false}
  argv: {type: list, elements: str}
  chdir: {type: path}
  executable: {type: path}
  creates: {type: path}
  removes: {type: path}
  stdin: {type: str}
  stdin_add_newline: {type: bool, default: true}
  strip_empty_ends: {type: bool, default: true}
  expand_argument_vars: {type: bool, default: true}
  zuul_log_id: {type: str}
  zuul_ansible_split_streams: {type: bool, default: false}
'''

import datetime
import glob
import os
import shlex
import subprocess
import threading

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text

EXIT_MARK = '[Zuul] Task exit code: %s\n'


def now_text():
    return datetime.datetime.now().isoformat(sep=' ', timespec='microseconds')


class Spool(object):
    """Appends timestamped lines to the console spool file, if any."""

    def __init__(self, log_id):
        self.fh = None
        if log_id:
            path = '/tmp/console-%s.log' % log_id
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self.fh = os.fdopen(fd, 'ab', buffering=0)

    def line(self, raw):
        if self.fh is not None:
            self.fh.write(to_bytes(now_text()) + b' | ' + raw.rstrip(b'\n')
                          + b'\n')

    def close(self, rc):
        if self.fh is not None:
            self.fh.write(to_bytes(EXIT_MARK % rc))
            self.fh.close()
            self.fh = None


def read_stream(stream, spool, sink):
    for raw in iter(stream.readline, b''):
        sink.append(raw)
        spool.line(raw)
    stream.close()


def strip_ends(text, enabled):
    if enabled:
        return text.rstrip('\r\n')
    return text


def main():
    module = AnsibleModule(
        argument_spec=dict(
            _raw_params=dict(type='str'),
            _uses_shell=dict(type='bool', default=False),
            argv=dict(type='list', elements='str'),
            chdir=dict(type='path'),
            executable=dict(type='path'),
            creates=dict(type='path'),
            removes=dict(type='path'),
            stdin=dict(type='str'),
            stdin_add_newline=dict(type='bool', default=True),
            strip_empty_ends=dict(type='bool', default=True),
            expand_argument_vars=dict(type='bool', default=True),
            zuul_log_id=dict(type='str'),
            zuul_ansible_split_streams=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    p = module.params
    shell = p['_uses_shell']
    raw = p['_raw_params']
    argv = p['argv']
    result = dict(changed=False, rc=None, stdout='', stderr='', cmd=None,
                  zuul_log_id=p['zuul_log_id'])

    if raw is not None and argv:
        module.fail_json(rc=256, msg='parameters are mutually exclusive: '
                         '_raw_params|argv', **result)
    if not (raw and raw.strip()) and not argv:
        module.fail_json(rc=256, msg='no command given', **result)

    if shell:
        args = raw if raw is not None else ' '.join(
            shlex.quote(a) for a in argv)
    elif argv:
        args = list(argv)
    else:
        args = shlex.split(raw)
    if not shell and p['expand_argument_vars']:
        args = [os.path.expanduser(os.path.expandvars(a)) for a in args]
    result['cmd'] = args

    if p['chdir']:
        chdir = os.path.abspath(p['chdir'])
        try:
            os.chdir(chdir)
        except OSError as e:
            module.fail_json(msg='Unable to change directory before execution:'
                             ' %s' % to_text(e), **result)
    for key, exists in (('creates', True), ('removes', False)):
        path = p[key]
        if path and bool(glob.glob(path)) == exists:
            result['rc'] = 0
            result['stdout'] = 'skipped, since %s %s' % (
                path, 'exists' if exists else 'does not exist')
            result['msg'] = 'Did not run command since \'%s\' %s' % (
                path, 'exists' if exists else 'does not exist')
            module.exit_json(**result)
    if module.check_mode:
        result['skipped'] = True
        result['msg'] = 'Command would have run if not in check mode'
        module.exit_json(**result)

    stdin = p['stdin']
    if stdin is not None and p['stdin_add_newline']:
        stdin += '\n'
    split = p['zuul_ansible_split_streams']
    spool = Spool(p['zuul_log_id'])
    start = datetime.datetime.now()
    out, err = [], []
    rc = None
    try:
        try:
            proc = subprocess.Popen(
                args, shell=shell,
                executable=(p['executable'] if shell else None),
                stdin=subprocess.PIPE if stdin is not None else None,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE if split else subprocess.STDOUT)
        except OSError as e:
            rc = 2
            spool.line(to_bytes(to_text(e)))
            result.update(rc=rc, msg=to_text(e), failed=True,
                          start=str(start), end=str(datetime.datetime.now()),
                          delta=str(datetime.datetime.now() - start))
            module.fail_json(**result)
        readers = [threading.Thread(target=read_stream,
                                    args=(proc.stdout, spool, out))]
        if split:
            readers.append(threading.Thread(target=read_stream,
                                            args=(proc.stderr, spool, err)))
        for t in readers:
            t.daemon = True
            t.start()
        if stdin is not None:
            try:
                proc.stdin.write(to_bytes(stdin))
                proc.stdin.close()
            except (IOError, OSError):
                pass
        for t in readers:
            t.join()
        rc = proc.wait()
    finally:
        spool.close(rc if rc is not None else -1)
    end = datetime.datetime.now()
    result.update(
        changed=True,
        rc=rc,
        start=str(start),
        end=str(end),
        delta=str(end - start),
        stdout=strip_ends(to_text(b''.join(out), errors='surrogate_or_replace'),
                          p['strip_empty_ends']),
        stderr=strip_ends(to_text(b''.join(err), errors='surrogate_or_replace'),
                          p['strip_empty_ends']),
    )
    if rc != 0:
        result['msg'] = 'non-zero return code'
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
