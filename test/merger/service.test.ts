// The merger service in-process, on every store backend: it registers as a
// `merger` component, answers requests made through MergerClient from real
// git repositories, reports failures to the requester, leaves kinds it
// cannot do to other mergers, and leaves the registry when stopped.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { mergeWorkerFor } from '../../src/cli/merger.js';
import { MergerClient, RequestFailedError, RequestTimeoutError } from '../../src/merger/client.js';
import { MERGER_KINDS } from '../../src/merger/protocol.js';
import { MergerService } from '../../src/merger/service.js';
import { ComponentsStore } from '../../src/store/components.js';
import { openStore, type Store, type StoreOptions } from '../../src/store/db.js';
import { RequestQueue } from '../../src/store/requests.js';
import { RequestSignals } from '../../src/store/requests-signals.js';
import { git, tempDir } from '../helpers/git-repos.js';
import { BACKENDS, dropStore } from '../helpers/store.js';
import { newMerger, Project } from './merger-helpers.js';

const log = pino({ level: 'silent' });

for (const backend of BACKENDS) {
  describe(`merger service on ${backend.name}`, { skip: backend.skip }, () => {
    let opts: StoreOptions;
    let store: Store;
    let signals: RequestSignals;
    let dir: ReturnType<typeof tempDir>;
    let upstream: Project;
    before(async () => {
      opts = backend.fresh();
      store = await openStore(opts);
      signals = await RequestSignals.open(store, { uri: opts.uri });
      dir = tempDir('zuul-ts-merger-service-');
      upstream = new Project(join(dir.path, 'upstream'), 'org/project');
      upstream.commit('stable/1.0', { VERSION: '1.0\n' }, 'Release branch');
      upstream.tag('v1.0');
      upstream.setHead('main');
    });
    after(async () => {
      signals.close();
      await dropStore(store);
      dir.cleanup();
    });

    const locator = () => ({ connection: 'gerrit', project: 'org/project', url: upstream.url });

    it('registers, answers from the real repository, and leaves the registry on stop', async () => {
      const service = new MergerService({
        store,
        signals,
        worker: mergeWorkerFor(newMerger(join(dir.path, 'a'))),
        version: '1.2.3',
        hostname: 'merger-host',
        log,
      });
      const components = new ComponentsStore(store.db);
      await service.start();
      try {
        const listed = await components.listing(60_000);
        assert.deepEqual(listed.merger, [
          { hostname: 'merger-host', state: 'running', version: '1.2.3' },
        ]);
        const client = new MergerClient({ store, signals, timeoutMs: 20_000 });
        const refs = await client.refs(locator());
        assert.deepEqual(refs, {
          branches: {
            main: git(upstream.path, 'rev-parse', 'main'),
            'stable/1.0': git(upstream.path, 'rev-parse', 'stable/1.0'),
          },
          tags: { 'v1.0': git(upstream.path, 'rev-parse', 'v1.0') },
          head: 'main',
        });
        // A new branch upstream is seen by the next request (it fetches).
        const feature = upstream.commit('feature', { 'f.txt': 'x\n' });
        upstream.setHead('main');
        const again = await client.refs(locator());
        assert.equal(again.branches.feature, feature);
      } finally {
        await service.stop();
      }
      assert.equal((await components.listing(60_000)).merger, undefined);
    });

    it('merges, lists changed files and reads files as the merge engine does', async () => {
      const service = new MergerService({
        store,
        signals,
        worker: mergeWorkerFor(newMerger(join(dir.path, 'm'))),
        version: null,
        log,
      });
      await service.start();
      try {
        const one = upstream.change({ 'zuul.yaml': '- job:\n    name: one\n' });
        const two = upstream.change({ 'src/two.txt': '2\n' });
        const clash = upstream.change({ 'zuul.yaml': '- job:\n    name: clash\n' });
        const items = [
          upstream.item(one.ref),
          upstream.item(two.ref, 'cherry-pick'),
          upstream.item(clash.ref),
        ];
        const client = new MergerClient({ store, signals, timeoutMs: 30_000 });
        const viaStore = await client.merge({
          items,
          options: { configFiles: { files: ['zuul.yaml'], dirs: ['zuul.d'] }, bundle: false },
        });
        // The same request run by a merger in this process gives the same commits.
        const direct = await newMerger(join(dir.path, 'direct')).mergeChanges(items, {
          configFiles: { files: ['zuul.yaml'], dirs: ['zuul.d'] },
          bundle: false,
        });
        assert.deepEqual(viaStore, direct);
        assert.deepEqual(
          viaStore.items.map((i) => i.status),
          ['MERGED', 'MERGED', 'MERGE_CONFLICT'],
        );
        const second = viaStore.items[1]!;
        assert.ok(second.status === 'MERGED');
        assert.equal(second.files?.['zuul.yaml'], '- job:\n    name: one\n');

        const changed = await client.filesChanges({ ...locator(), ref: two.ref, tosha: 'main' });
        assert.deepEqual(changed.files, ['src/two.txt']);
        const cat = await client.cat({
          ...locator(),
          branch: 'main',
          files: ['README.md', 'zuul.yaml'],
          dirs: [],
        });
        assert.deepEqual(cat.files, { 'README.md': '# org/project\n', 'zuul.yaml': null });
        const state = await client.repoState({ items: [locator()] });
        assert.equal(
          state.repoState.gerrit?.['org/project']?.refs['refs/heads/main'],
          upstream.rev('main'),
        );
      } finally {
        await service.stop();
      }
    });

    it('reports a failed operation, and a malformed request, to the requester', async () => {
      const service = new MergerService({
        store,
        signals,
        worker: mergeWorkerFor(newMerger(join(dir.path, 'b'))),
        version: null,
        log,
      });
      await service.start();
      try {
        const client = new MergerClient({ store, signals, timeoutMs: 20_000 });
        await assert.rejects(
          client.refs({ ...locator(), url: `file://${join(dir.path, 'no-such-repo')}` }),
          (err: Error) =>
            err instanceof RequestFailedError &&
            /merger:refs request .* failed: .*does not appear to be a git repository/s.test(
              err.message,
            ),
        );
        await assert.rejects(
          client.request('refs', { connection: 'git' } as never),
          /merger:refs request .* failed: project is missing/,
        );
        await assert.rejects(
          client.request('merge', { changes: [] } as never),
          /A merge request needs a list of items/,
        );
      } finally {
        await service.stop();
      }
    });

    it('leaves request kinds it cannot do to a merger that can', async () => {
      const service = new MergerService({
        store,
        signals,
        // A merger that can only list refs.
        worker: { refs: mergeWorkerFor(newMerger(join(dir.path, 'c'))).refs },
        version: null,
        pollMs: 50,
        log,
      });
      assert.deepEqual(service.kinds, [MERGER_KINDS.refs]);
      await service.start();
      try {
        const queue = new RequestQueue(store);
        const id = await queue.submit({ kind: MERGER_KINDS.merge, payload: { items: [] } });
        await new Promise((r) => setTimeout(r, 300));
        assert.equal((await queue.get(id))?.state, 'requested', 'nobody took it');
        await queue.cancel(id);
        const client = new MergerClient({ store, signals, timeoutMs: 300 });
        await assert.rejects(
          client.merge({ items: [] }),
          (err: Error) => err instanceof RequestTimeoutError,
        );
      } finally {
        await service.stop();
      }
    });
  });
}
