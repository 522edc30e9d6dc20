# zuul-ts: the structured build log callback.
#
# Appends one record per ansible-playbook run to job-output.json (beside
# job-output.txt), in Zuul's shape: a JSON list of playbooks, each
#   {playbook, phase, index, trusted, branch,
#    plays: [{play: {name, id, duration: {start, end}},
#             tasks: [{task: {name, id, duration}, role?: {name, id, path},
#                      hosts: {<host>: <result> + {action}}}]}],
#    stats: {<host>: {ok, changed, unreachable, failures, skipped,
#                     rescued, ignored}}}
# Times are UTC ISO 8601 with a trailing Z. The file is rewritten through a
# temporary file so it is valid JSON at every moment.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = '''
    name: zuul_json
    type: aggregate
    short_description: Writes Zuul's job-output.json
    description:
      - Appends the playbook's plays, tasks and per-host results to the JSON
        file beside ZUUL_JOB_OUTPUT_FILE.
'''

import copy
import datetime
import json
import os

from ansible.plugins.callback import CallbackBase

try:
    from ansible.vars.clean import strip_internal_keys
except ImportError:  # pragma: no cover - very old Ansible
    def strip_internal_keys(d):
        return dict((k, v) for k, v in d.items()
                    if not str(k).startswith('_ansible'))

CENSORED = ("the output has been hidden due to the fact that 'no_log: true' "
            "was specified for this result")


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        '%Y-%m-%dT%H:%M:%S.%fZ')


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'zuul_json'

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display)
        out = os.environ.get('ZUUL_JOB_OUTPUT_FILE')
        self.output_path = (os.path.splitext(out)[0] + '.json') if out else None
        self.playbook = {}
        self.plays = []

    def v2_playbook_on_play_start(self, play):
        if not self.playbook:
            extra = play._variable_manager._extra_vars
            self.playbook = {
                'playbook': extra.get('zuul_execution_canonical_name_and_path'),
                'phase': extra.get('zuul_execution_phase'),
                'index': extra.get('zuul_execution_phase_index'),
                'trusted': str(extra.get('zuul_execution_trusted')) == 'True',
                'branch': extra.get('zuul_execution_branch'),
            }
        self.plays.append({
            'play': {
                'name': play.get_name(),
                'id': str(play._uuid),
                'duration': {'start': utc_now()},
            },
            'tasks': [],
        })

    def v2_playbook_on_task_start(self, task, is_conditional):
        if not self.plays:
            return
        entry = {
            'task': {
                'name': task.get_name(),
                'id': str(task._uuid),
                'duration': {'start': utc_now()},
            },
            'hosts': {},
        }
        if task._role:
            entry['role'] = {
                'name': task._role.get_name(),
                'id': str(task._role._uuid),
                'path': task._role._role_path,
            }
        self.plays[-1]['tasks'].append(entry)

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def record(self, result, extra=None):
        if not self.plays or not self.plays[-1]['tasks']:
            return
        if result._task.no_log or result._result.get('_ansible_no_log'):
            data = {'censored': CENSORED}
        else:
            data = strip_internal_keys(copy.deepcopy(result._result))
            for i, item in enumerate(data.get('results') or []):
                if isinstance(item, dict) and item.get('_ansible_no_log'):
                    data['results'][i] = {'censored': CENSORED}
        data['action'] = result._task.action
        if extra:
            for key, value in extra.items():
                data.setdefault(key, value)
        end = utc_now()
        task = self.plays[-1]['tasks'][-1]
        task['hosts'][result._host.get_name()] = data
        task['task']['duration']['end'] = end
        self.plays[-1]['play']['duration']['end'] = end

    def v2_runner_on_ok(self, result):
        self.record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self.record(result, {'failed': True})

    def v2_runner_on_skipped(self, result):
        self.record(result, {'skipped': True})

    def v2_runner_on_unreachable(self, result):
        self.record(result, {'unreachable': True})

    def v2_playbook_on_stats(self, stats):
        if not self.output_path:
            return
        summary = {}
        for host in sorted(stats.processed.keys()):
            summary[host] = stats.summarize(host)
        self.playbook['plays'] = self.plays
        self.playbook['stats'] = summary
        try:
            with open(self.output_path) as fh:
                records = json.load(fh)
            if not isinstance(records, list):
                records = []
        except (IOError, OSError, ValueError):
            records = []
        records.append(self.playbook)
        tmp = self.output_path + '.tmp'
        with open(tmp, 'w') as fh:
            json.dump(records, fh, indent=4, sort_keys=True, default=str,
                      separators=(',', ': '))
            fh.write('\n')
        os.rename(tmp, self.output_path)
