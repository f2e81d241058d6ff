// Per-env instance data: the class constructors and the set of live OpenVINO handles, so that
// a worker thread's env can free everything it still holds when it exits.
#pragma once

#include <napi.h>

#include <unordered_set>

namespace ovcache {

// One wrap that owns one OpenVINO handle, registered while the handle is live.
class LiveHandle {
 public:
  virtual ~LiveHandle() = default;
  // Lower values are freed first at teardown: requests, compiled models, models, cores.
  virtual int TeardownOrder() const = 0;
  // Env teardown: mark disposed, free the handle unless a call is still running on it, and
  // forget the AddonData (which is about to go away).
  virtual void Teardown() = 0;
};

struct AddonData {
  Napi::FunctionReference runtime_ctor;
  Napi::FunctionReference core_ctor;
  Napi::FunctionReference model_ctor;
  Napi::FunctionReference compiled_model_ctor;
  Napi::FunctionReference infer_request_ctor;

  // Handles not yet freed (liveHandles()). Main thread only.
  std::unordered_set<LiveHandle*> live;

  // Frees every live handle; idempotent. Runs from the env cleanup hook and the destructor.
  void FreeAll();
  ~AddonData() { FreeAll(); }
};

inline AddonData* GetAddonData(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

}  // namespace ovcache
