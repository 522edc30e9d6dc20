# zuul-ts: the console log callback.
#
# Writes the build's console log (job-output.txt) in Zuul's text format:
# every line is "<local time with microseconds> | <text>", with PLAY/TASK
# banners, one "<host> | ..." line per result and a PLAY RECAP. Each line is
# written and flushed on its own so that a reader following the file (the
# live console) sees it at once.
#
# Output of command/shell tasks on local hosts is streamed while the command
# runs: our `command` module (library/command.py) appends timestamped lines
# to a spool file /tmp/console-<log id>.log, and a thread here follows that
# file. When no spool file appears (remote hosts, `ansible.builtin.command`
# called by its full name, no_log), the output is printed from the task
# result once the task ends. See ansible/README.md.
#
# The executor reads nothing from this plugin's stdout except lines starting
# with MARKER: JSON events (early failure, unreachable host).

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = '''
    name: zuul_stream
    type: stdout
    short_description: Writes the Zuul console log (job-output.txt)
    description:
      - Writes Zuul's console text format to the file named by the
        ZUUL_JOB_OUTPUT_FILE environment variable and streams command output.
'''

import datetime
import json
import os
import re
import threading
import time

from ansible.plugins.callback import CallbackBase

MARKER = '@@zuul-ts@@ '
LOCAL_NAMES = ('localhost', '127.0.0.1', '::1')
EXIT_MARK = '[Zuul] Task exit code:'
# How long a finished task waits for its streamer to read the exit line.
STREAM_JOIN_SECONDS = 10


def now_text():
    return datetime.datetime.now().isoformat(sep=' ', timespec='microseconds')


def spool_path(log_id):
    return '/tmp/console-%s.log' % log_id


def log_id_for(task, host_name):
    # Must match action/command.py: the same task and host always give the
    # same id; a repeated run appends to the same spool file and the reader
    # keeps its offset.
    safe = re.sub(r'[^A-Za-z0-9_.-]', '_', host_name)
    return '%s-%s' % (task._uuid, safe)


def short_action(action):
    return action.rsplit('.', 1)[-1]


def in_rescuable_block(task):
    parent = getattr(task, '_parent', None)
    while parent is not None:
        if getattr(parent, 'rescue', None):
            return True
        parent = getattr(parent, '_parent', None)
    return False


class Streamer(threading.Thread):
    """Follows one spool file until the module writes its exit line."""

    def __init__(self, callback, host, path, offset):
        super(Streamer, self).__init__(daemon=True)
        self.callback = callback
        self.host = host
        self.path = path
        self.offset = offset
        self.stop_requested = threading.Event()
        self.saw_file = False

    def run(self):
        buf = b''
        fh = None
        try:
            while True:
                if fh is None:
                    try:
                        fh = open(self.path, 'rb')
                        fh.seek(self.offset)
                        self.saw_file = True
                    except (IOError, OSError):
                        if self.stop_requested.is_set():
                            return
                        time.sleep(0.05)
                        continue
                chunk = fh.read(65536)
                if chunk:
                    self.offset += len(chunk)
                    buf += chunk
                    while b'\n' in buf:
                        line, buf = buf.split(b'\n', 1)
                        if self.emit(line.decode('utf-8', 'backslashreplace')):
                            return
                    continue
                if self.stop_requested.is_set() and self.stop_deadline():
                    break
                time.sleep(0.05)
        finally:
            if buf:
                self.emit(buf.decode('utf-8', 'backslashreplace'))
            if fh is not None:
                fh.close()
            self.callback.spool_offsets[self.path] = self.offset

    def stop_deadline(self):
        # After the task result arrived, give the spool a moment to catch
        # up (the module writes its exit line before it returns).
        if not hasattr(self, '_deadline'):
            self._deadline = time.monotonic() + STREAM_JOIN_SECONDS
        return time.monotonic() >= self._deadline

    def emit(self, line):
        if line.startswith(EXIT_MARK):
            return True
        ts = None
        if ' | ' in line:
            ts, line = line.split(' | ', 1)
        self.callback.log_output(self.host, line, ts=ts)
        return False


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'zuul_stream'

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display)
        self._lock = threading.Lock()
        path = os.environ.get('ZUUL_JOB_OUTPUT_FILE')
        self._out = None
        if path:
            self._out = open(path, 'a', encoding='utf-8',
                             errors='backslashreplace', buffering=1)
        patterns = os.environ.get('ZUUL_TS_FAILURE_OUTPUT') or '[]'
        try:
            self._failure_output = [re.compile(p)
                                    for p in json.loads(patterns)]
        except (ValueError, re.error):
            self._failure_output = []
        self._play = None
        self._task = None
        self._streamers = {}
        self.spool_offsets = {}
        self._early_failure_sent = False

    # -- output ----------------------------------------------------------

    def log(self, msg, ts=None):
        line = '%s | %s\n' % (ts or now_text(), msg.rstrip())
        with self._lock:
            if self._out is not None:
                self._out.write(line)
                self._out.flush()

    def log_output(self, host, text, ts=None):
        """A line a command printed: logged, and checked against failure-output."""
        self.log('%s | %s' % (host, text), ts=ts)
        if self._failure_output and not self._early_failure_sent:
            for pattern in self._failure_output:
                if pattern.search(text):
                    self.early_failure('failure-output: %s' % pattern.pattern)
                    break

    def marker(self, event, **fields):
        fields['event'] = event
        self._display.display(MARKER + json.dumps(fields, default=str),
                              screen_only=True)

    def early_failure(self, reason):
        if self._early_failure_sent:
            return
        self._early_failure_sent = True
        self.marker('early_failure', reason=reason)

    def host_label(self, result):
        delegated = result._result.get('_ansible_delegated_vars') or {}
        name = result._host.get_name()
        if delegated.get('ansible_host'):
            return '%s -> %s' % (name, delegated['ansible_host'])
        return name

    def log_result(self, result, status, msg=None, details=None):
        host = self.host_label(result)
        if result._task.no_log or result._result.get('_ansible_no_log'):
            self.log('%s | Output suppressed because no_log was given' % host)
            return
        if msg is None and details and set(details) == {'msg', 'failed'}:
            msg, details = details['msg'], None
        if msg:
            lines = str(msg).rstrip().split('\n')
            if len(lines) > 1:
                self.log('%s | %s:' % (host, status))
                for line in lines:
                    self.log('%s | %s' % (host, line))
            else:
                self.log('%s | %s: %s' % (host, status, lines[0]))
        else:
            self.log('%s | %s' % (host, status))
        if details:
            text = json.dumps(details, indent=2, sort_keys=True, default=str)
            for line in text.split('\n'):
                self.log('%s | %s' % (host, line))

    @staticmethod
    def clean(result_dict):
        out = {}
        for key, value in result_dict.items():
            if key.startswith('_ansible') or key in (
                    'stdout', 'stdout_lines', 'stderr', 'stderr_lines',
                    'changed', 'cmd', 'invocation', 'zuul_log_id'):
                continue
            out[key] = value
        return out

    # -- command output --------------------------------------------------

    def is_local(self, host_name):
        if host_name in LOCAL_NAMES:
            return True
        try:
            hostvars = self._play._variable_manager._hostvars[host_name]
        except Exception:
            return False
        if hostvars.get('ansible_connection') == 'local':
            return True
        addr = hostvars.get('ansible_host',
                            hostvars.get('ansible_inventory_host', host_name))
        return addr in LOCAL_NAMES

    def start_streamers(self, task):
        if short_action(task.action) not in ('command', 'shell'):
            return
        if task.loop or task.async_val or task.no_log or task.delegate_to:
            return
        try:
            hosts = self._play._variable_manager._inventory.get_hosts(
                self._play.hosts)
        except Exception:
            return
        for host in hosts:
            name = host.get_name()
            if not self.is_local(name):
                continue
            path = spool_path(log_id_for(task, name))
            streamer = Streamer(self, name, path,
                                self.spool_offsets.get(path, 0))
            self._streamers[name] = streamer
            streamer.start()

    def finish_streamer(self, host_name):
        streamer = self._streamers.pop(host_name, None)
        if streamer is None:
            return False
        streamer.stop_requested.set()
        streamer.join(STREAM_JOIN_SECONDS + 5)
        return streamer.saw_file

    def stop_all_streamers(self):
        for name in list(self._streamers):
            self.finish_streamer(name)

    def command_output(self, result):
        """Prints what the streamer did not: the result's stdout lines."""
        streamed = self.finish_streamer(result._host.get_name())
        if streamed or result._task.no_log:
            return
        res = result._result
        lines = res.get('stdout_lines')
        if lines is None:
            lines = (res.get('stdout') or '').split('\n') if res.get(
                'stdout') else []
        host = self.host_label(result)
        for line in lines:
            self.log_output(host, line)
        for line in res.get('stderr_lines') or []:
            self.log_output(host, line)

    # -- playbook events -------------------------------------------------

    def v2_playbook_on_play_start(self, play):
        self._play = play
        self.log('')
        self.log('PLAY [%s]' % play.get_name().strip())

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.stop_all_streamers()
        self._task = task
        self.log('')
        name = task.get_name().strip()
        args = dict(task.args)
        if short_action(name) in ('command', 'shell'):
            if args.get('_uses_shell') and short_action(name) == 'command':
                name = 'shell'
            raw = str(args.get('_raw_params', '')).split('\n')
            if len(raw) == 1 and raw[0]:
                name = '%s: %s' % (name, raw[0])
        self.log('%s [%s]' % ('LOOP' if task.loop else 'TASK', name))
        self.start_streamers(task)

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def v2_playbook_on_cleanup_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def v2_playbook_on_include(self, included_file):
        for host in included_file._hosts:
            self.log('%s | included: %s' % (host.name, included_file._filename))

    def v2_playbook_on_no_hosts_matched(self):
        self.log('skipping: no hosts matched')

    def v2_runner_on_ok(self, result):
        res = dict(result._result)
        action = short_action(result._task.action)
        status = 'changed' if res.get('changed') else 'ok'
        if result._task.loop and 'results' in res:
            self.log_result(result, status, 'All items complete')
            return
        if action in ('command', 'shell') and not result._task.loop:
            # Every command "changes" something; Zuul's console says ok.
            self.command_output(result)
            self.log_result(result, 'ok', 'Runtime: %s' % res.get('delta'))
            return
        if res.get('_zuul_nolog_return'):
            self.log_result(result, status)
            return
        if str(res.get('msg', '')).startswith('MODULE FAILURE'):
            self.log_module_failure(result, res)
        elif action == 'debug':
            self.log_debug(result, res, status)
        elif 'msg' in res:
            self.log_result(result, status, res['msg'])
        else:
            self.log_result(result, status)

    def log_debug(self, result, res, status):
        data = dict((k, v) for k, v in res.items()
                    if not k.startswith('_ansible') and k != 'changed')
        if 'msg' in data and not result._task.no_log:
            msg = data['msg']
            if not isinstance(msg, str):
                msg = json.dumps(msg, indent=2, sort_keys=True, default=str)
            for line in msg.rstrip().split('\n'):
                self.log(line)
        else:
            self.log_result(result, status, details=data)

    def log_module_failure(self, result, res):
        for key in ('module_stdout', 'exception', 'module_stderr'):
            if res.get(key):
                self.log_result(result, 'MODULE FAILURE', res[key])
                return
        self.log_result(result, 'MODULE FAILURE', res.get('msg'))

    def v2_runner_on_failed(self, result, ignore_errors=False):
        res = dict(result._result)
        if not ignore_errors and not in_rescuable_block(result._task):
            self.early_failure('task "%s" failed on %s' % (
                result._task.get_name().strip(), result._host.get_name()))
        if result._task.loop and 'results' in res:
            self.log_result(result, 'ERROR', 'All items complete')
            return
        if short_action(result._task.action) in ('command', 'shell') \
                and not result._task.loop:
            self.command_output(result)
        if str(res.get('msg', '')).startswith('MODULE FAILURE'):
            self.log_module_failure(result, res)
        else:
            self.log_result(result, 'ERROR', details=self.clean(res))
        if ignore_errors:
            self.log_result(result, 'ERROR', 'Ignoring Errors')

    def v2_runner_on_unreachable(self, result):
        self.marker('unreachable', host=result._host.get_name())
        self.finish_streamer(result._host.get_name())
        self.log_result(result, 'UNREACHABLE',
                        details=self.clean(dict(result._result)))

    def v2_runner_on_skipped(self, result):
        if result._task.loop and 'results' in result._result:
            self.log_result(result, 'skipping', 'All items skipped')
            return
        reason = result._result.get('skip_reason')
        if reason:
            self.log_result(result, 'skipping', reason)

    def v2_runner_item_on_ok(self, result):
        res = dict(result._result)
        status = 'changed' if res.get('changed') else 'ok'
        loop_var = res.get('ansible_loop_var', 'item')
        if short_action(result._task.action) in ('command', 'shell'):
            self.command_output(result)
            self.log_result(result, 'ok', 'Item: %s Runtime: %s' % (
                res.get(loop_var), res.get('delta')))
        elif 'msg' in res:
            self.log_result(result, status, res['msg'])
        else:
            self.log_result(result, status, json.dumps(
                res.get(loop_var), indent=2, sort_keys=True, default=str))

    def v2_runner_item_on_failed(self, result):
        res = dict(result._result)
        loop_var = res.get('ansible_loop_var', 'item')
        if short_action(result._task.action) in ('command', 'shell'):
            self.command_output(result)
            self.log_result(result, 'ERROR', 'Item: %s Result: %s' % (
                res.get(loop_var), res.get('rc')))
        else:
            self.log_result(result, 'ERROR', 'Item: %s' % res.get(loop_var),
                            details=self.clean(res))

    def v2_runner_item_on_skipped(self, result):
        reason = result._result.get('skip_reason')
        self.log_result(result, 'skipping', reason)

    def v2_runner_retry(self, result):
        self.log_result(result, 'FAILED - RETRYING', '%s (%d retries left)' % (
            result._task.get_name().strip(),
            result._result.get('retries', 0) - result._result.get(
                'attempts', 0)))

    def v2_playbook_on_stats(self, stats):
        self.stop_all_streamers()
        self.log('')
        self.log('PLAY RECAP')
        for host in sorted(stats.processed.keys()):
            t = stats.summarize(host)
            self.log(
                '%s | ok: %s changed: %s unreachable: %s failed: %s '
                'skipped: %s rescued: %s ignored: %s' % (
                    host, t['ok'], t['changed'], t['unreachable'],
                    t['failures'], t.get('skipped', 0), t.get('rescued', 0),
                    t.get('ignored', 0)))
        self.log('')
