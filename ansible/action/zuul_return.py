# zuul-ts: the zuul_return action.
#
# Merges data into the build's results file (default
# $ZUUL_JOBDIR/work/results.json), which the executor reads after each
# playbook. The file holds {"data": {...}, "secret_data": {...}}.
#
# Merge rules (each call onto what earlier calls left):
#   - mappings merge recursively, the later value wins at the leaves;
#   - zuul.artifacts and zuul.warnings lists are concatenated;
#   - zuul.file_comments are concatenated per file;
#   - anything else (including zuul.child_jobs, zuul.retry, zuul.pause,
#     zuul.log_url) is replaced by the later call.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = '''
    name: zuul_return
    short_description: Return data to Zuul
    options:
      data: {description: Data for Zuul and child jobs, type: dict}
      secret_data: {description: Data passed to children as secrets, type: dict}
      file: {description: JSON file on the executor merged as data, type: path}
      secret_file: {description: JSON file merged as secret_data, type: path}
      path: {description: Results file (default work/results.json), type: path}
'''

import fcntl
import json
import os

from ansible.errors import AnsibleError
from ansible.module_utils.six import string_types
from ansible.plugins.action import ActionBase

CONCAT_LISTS = ('artifacts', 'warnings')


def plain(value):
    """Turns Ansible's wrapped values into plain JSON data."""
    return json.loads(json.dumps(value, default=str))


def deep_merge(base, new, path=()):
    for key, value in new.items():
        here = path + (key,)
        old = base.get(key)
        if here[:1] == ('zuul',) and len(here) == 2 and key in CONCAT_LISTS \
                and isinstance(old, list) and isinstance(value, list):
            base[key] = old + value
        elif here == ('zuul', 'file_comments') and isinstance(old, dict) \
                and isinstance(value, dict):
            merged = dict(old)
            for fn, comments in value.items():
                if isinstance(merged.get(fn), list) and \
                        isinstance(comments, list):
                    merged[fn] = merged[fn] + comments
                else:
                    merged[fn] = comments
            base[key] = merged
        elif isinstance(old, dict) and isinstance(value, dict):
            deep_merge(old, value, here)
        else:
            base[key] = value
    return base


def check_zuul_keys(data):
    """Rejects malformed artifacts/warnings/file_comments at once, so the
    task that returned them fails rather than the build's reporting."""
    zuul = data.get('zuul')
    if zuul is None:
        return
    if not isinstance(zuul, dict):
        raise AnsibleError('zuul_return: "zuul" must be a mapping')
    artifacts = zuul.get('artifacts')
    if artifacts is not None:
        if not isinstance(artifacts, list):
            raise AnsibleError('zuul_return: zuul.artifacts must be a list')
        for art in artifacts:
            if not isinstance(art, dict) or not isinstance(
                    art.get('name'), string_types) or not isinstance(
                    art.get('url'), string_types):
                raise AnsibleError(
                    'zuul_return: every artifact needs a "name" and a "url" '
                    'string: %r' % (art,))
            if 'metadata' in art and not isinstance(art['metadata'], dict):
                raise AnsibleError(
                    'zuul_return: artifact metadata must be a mapping: %r'
                    % (art,))
    warnings = zuul.get('warnings')
    if warnings is not None and (not isinstance(warnings, list) or not all(
            isinstance(w, string_types) for w in warnings)):
        raise AnsibleError('zuul_return: zuul.warnings must be a list of '
                           'strings')
    comments = zuul.get('file_comments')
    if comments is not None and not isinstance(comments, dict):
        raise AnsibleError('zuul_return: zuul.file_comments must be a mapping '
                           'of file names to lists of comments')
    child_jobs = zuul.get('child_jobs')
    if child_jobs is not None and (not isinstance(child_jobs, list) or not all(
            isinstance(j, string_types) for j in child_jobs)):
        raise AnsibleError('zuul_return: zuul.child_jobs must be a list of '
                           'job names')


def read_json_file(path):
    try:
        with open(path) as fh:
            value = json.load(fh)
    except (IOError, OSError, ValueError) as e:
        raise AnsibleError('zuul_return: cannot read JSON from %s: %s'
                           % (path, e))
    if not isinstance(value, dict):
        raise AnsibleError('zuul_return: %s must hold a JSON object' % path)
    return value


class ActionModule(ActionBase):

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        path = args.get('path')
        if not path:
            jobdir = os.environ.get('ZUUL_JOBDIR')
            if not jobdir:
                raise AnsibleError('zuul_return: no path given and '
                                   'ZUUL_JOBDIR is not set')
            path = os.path.join(jobdir, 'work', 'results.json')

        updates = {}
        for key, file_key in (('data', 'file'), ('secret_data', 'secret_file')):
            value = {}
            if args.get(file_key):
                value = read_json_file(args[file_key])
            given = args.get(key)
            if given is not None:
                if not isinstance(given, dict):
                    raise AnsibleError('zuul_return: %s must be a mapping'
                                       % key)
                value = deep_merge(value, plain(given))
            if value:
                check_zuul_keys(value)
                updates[key] = value

        with open(path, 'a+') as fh:
            # Several hosts (forks) may return at once: one writer at a time.
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.seek(0)
            text = fh.read()
            try:
                current = json.loads(text) if text.strip() else {}
            except ValueError:
                current = {}
            if not isinstance(current, dict):
                current = {}
            for key, value in updates.items():
                current[key] = deep_merge(current.get(key) or {}, value)
            fh.seek(0)
            fh.truncate()
            json.dump(current, fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())

        result['changed'] = False
        # Tell zuul_stream not to print the returned data on the console.
        result['_zuul_nolog_return'] = True
        return result
