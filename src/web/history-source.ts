// The web server's build history: the store of `[database] dburi`, opened
// on the first history request (so a database that is down at start only
// affects the history endpoints, with 503s, until it answers).

import type { ZuulConf } from '../config/zuul-conf.js';
import { openStore, type Store, storeOptionsFromConf } from '../store/db.js';
import { type HistoryReader, StoreHistory } from '../store/history/reader.js';
import { HttpError } from './http.js';

export class ConfHistory implements HistoryReader {
  private opened?: Promise<{ store: Store; history: StoreHistory }>;

  constructor(private readonly conf: ZuulConf) {}

  /** A history when zuul.conf names a database, else undefined. */
  static fromConf(conf: ZuulConf): ConfHistory | undefined {
    return conf.get('database', 'dburi') ? new ConfHistory(conf) : undefined;
  }

  private history(): Promise<StoreHistory> {
    this.opened ??= openStore(storeOptionsFromConf(this.conf)).then((store) => ({
      store,
      history: new StoreHistory(store),
    }));
    const opened = this.opened;
    return opened.then(
      (o) => o.history,
      (err: Error) => {
        if (this.opened === opened) this.opened = undefined;
        throw new HttpError(503, `The build history is not available: ${err.message}`);
      },
    );
  }

  builds: HistoryReader['builds'] = async (...a) => (await this.history()).builds(...a);
  build: HistoryReader['build'] = async (...a) => (await this.history()).build(...a);
  buildsets: HistoryReader['buildsets'] = async (...a) => (await this.history()).buildsets(...a);
  buildset: HistoryReader['buildset'] = async (...a) => (await this.history()).buildset(...a);
  buildTimes: HistoryReader['buildTimes'] = async (...a) => (await this.history()).buildTimes(...a);
  latestResult: HistoryReader['latestResult'] = async (...a) =>
    (await this.history()).latestResult(...a);
  systemEvents: HistoryReader['systemEvents'] = async (...a) =>
    (await this.history()).systemEvents(...a);

  async close(): Promise<void> {
    const o = this.opened;
    this.opened = undefined;
    if (o) await o.then((x) => x.store.close()).catch(() => {});
  }
}
