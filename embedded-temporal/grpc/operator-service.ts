import type { Logger } from 'pino';
import type { temporal, P } from '../proto';
import type { Engine } from '../engine/engine';
import { handlers as asRpc, type Handler } from './handler';
import type { RpcHandler } from './bind';
import { SYSTEM_SEARCH_ATTRIBUTES } from '../engine/system-search-attributes';

/** The OperatorService subset for search attributes (the SDK's createLocal passes them as CLI flags instead). */
export function operatorService(engine: Engine, logger: Logger): Record<string, RpcHandler> {
  const handlers: Record<string, Handler> = {
    AddSearchAttributes: async (r: P<temporal.api.operatorservice.v1.IAddSearchAttributesRequest>) => {
      for (const [name, type] of Object.entries(r.searchAttributes ?? {}))
        await engine.namespaces.addSearchAttribute(name, type);
      return {};
    },
    ListSearchAttributes: async () => ({
      customAttributes: Object.fromEntries(engine.namespaces.searchAttributes),
      systemAttributes: SYSTEM_SEARCH_ATTRIBUTES,
      storageSchema: {},
    }),
    RemoveSearchAttributes: async () => ({}),
  };
  void logger;
  return asRpc(handlers);
}
