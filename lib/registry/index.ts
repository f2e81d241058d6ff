// Public surface of the model registry (compiled models kept in memory and served).
export {
  ModelRegistry,
  type ModelRegistryOptions,
  type RegistryGetOptions,
  type RegistryLoadEvent,
  type RegistryUnloadEvent,
  type RegistryEvents,
  type RegistryLoader,
  type LoadedModel,
  type ModelDefinition,
  type RegistryStats,
  type RegistryEntryInfo,
  type LoadOutcome,
} from './registry';
