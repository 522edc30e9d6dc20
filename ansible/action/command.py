# zuul-ts: command/shell with live console output.
#
# Gives our `command` module (library/command.py) a log id so it spools its
# output to /tmp/console-<log id>.log, which the zuul_stream callback
# follows. The builtin `shell` action runs `ansible.legacy.command`, so this
# plugin serves both command and shell. Tasks with no_log, loops or async
# are not spooled (their output is shown from the result, or not at all),
# and neither are remote hosts.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash


# Ansible loads this file under the builtin plugin's module name, so the
# builtin cannot be imported and subclassed: its few lines are redone here.
class ActionModule(ActionBase):

    def run(self, tmp=None, task_vars=None):
        task = self._task
        # Only local hosts are followed by the callback; a spool file on a
        # remote node would need a console daemon to be read (see README).
        local = getattr(self._connection, 'transport', None) == 'local'
        if local and not (task.no_log or task.loop or task.async_val or
                          task.delegate_to):
            host = (task_vars or {}).get('inventory_hostname', 'localhost')
            safe = re.sub(r'[^A-Za-z0-9_.-]', '_', str(host))
            task.args['zuul_log_id'] = '%s-%s' % (task._uuid, safe)
        self._supports_async = True
        result = super(ActionModule, self).run(tmp, task_vars)
        wrap_async = task.async_val and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(
            module_name='ansible.legacy.command', task_vars=task_vars,
            wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
