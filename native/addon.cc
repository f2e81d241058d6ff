// Module init: per-env instance data (constructors, live handles), the env cleanup hook that
// frees what a worker thread's env still holds, and the two binding functions.
#include "addon.h"

#include <algorithm>
#include <vector>

#include "compiled_model_wrap.h"
#include "core_wrap.h"
#include "handle_wrap.h"
#include "infer_request_wrap.h"
#include "model_wrap.h"
#include "runtime_wrap.h"

namespace ovcache {

namespace {

int construct_token_target = 0;  // only its address matters

Napi::Value LiveHandles(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(GetAddonData(info.Env())->live.size()));
}

}  // namespace

Napi::Value ConstructToken(Napi::Env env) {
  return Napi::External<int>::New(env, &construct_token_target);
}

bool IsConstructToken(const Napi::Value& value) {
  return value.IsExternal() && value.As<Napi::External<int>>().Data() == &construct_token_target;
}

void AddonData::FreeAll() {
  // Children before parents: requests, compiled models, models, cores.
  std::vector<LiveHandle*> handles(live.begin(), live.end());
  std::stable_sort(handles.begin(), handles.end(), [](LiveHandle* a, LiveHandle* b) {
    return a->TeardownOrder() < b->TeardownOrder();
  });
  for (LiveHandle* handle : handles) handle->Teardown();
  live.clear();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);  // deleted (FreeAll) when the env goes away
  data->runtime_ctor = Napi::Persistent(RuntimeWrap::Init(env));
  data->core_ctor = Napi::Persistent(CoreWrap::Init(env));
  data->model_ctor = Napi::Persistent(ModelWrap::Init(env));
  data->compiled_model_ctor = Napi::Persistent(CompiledModelWrap::Init(env));
  data->infer_request_ctor = Napi::Persistent(InferRequestWrap::Init(env));
  // Runs before the env's own finalizers, so handles are freed while the runtime is usable
  // and before any wrap's destructor could run in an unknown order.
  env.AddCleanupHook([data]() { data->FreeAll(); });

  exports.Set("loadRuntime", Napi::Function::New<RuntimeWrap::Load>(env, "loadRuntime"));
  exports.Set("liveHandles", Napi::Function::New<LiveHandles>(env, "liveHandles"));
  return exports;
}

}  // namespace ovcache

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  return ovcache::Init(env, exports);
}

NODE_API_MODULE(ovcache, InitAddon)
