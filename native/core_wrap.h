// Core: ov_core_t. Reads, compiles and imports models on the libuv pool.
#pragma once

#include <napi.h>

#include "handle_wrap.h"

namespace ovcache {

class CoreWrap : public HandleWrap<CoreWrap, ov_core_t> {
 public:
  static constexpr const char* kTypeName = "Core";
  static constexpr napi_type_tag kTypeTag = {0x6f7663616368650aULL, 0x0000000000000001ULL};
  static constexpr int kTeardownOrder = 3;
  static void FreeRaw(const Symbols& syms, ov_core_t* core) {
    if (syms.ov_core_free != nullptr) syms.ov_core_free(core);
  }

  static Napi::Function Init(Napi::Env env);
  // runtime.createCore(); `runtime_object` is kept alive by the core.
  static Napi::Object Create(Napi::Env env, const std::shared_ptr<const Runtime>& runtime,
                             Napi::Object runtime_object);

  using HandleWrap::HandleWrap;

 private:
  Napi::Value ReadModel(const Napi::CallbackInfo& info);
  Napi::Value CompileModel(const Napi::CallbackInfo& info);
  Napi::Value CompileModelFromFile(const Napi::CallbackInfo& info);
  Napi::Value ImportModel(const Napi::CallbackInfo& info);
  Napi::Value SetProperty(const Napi::CallbackInfo& info);
  Napi::Value GetProperty(const Napi::CallbackInfo& info);
  Napi::Value AvailableDevices(const Napi::CallbackInfo& info);
  Napi::Value Versions(const Napi::CallbackInfo& info);
};

}  // namespace ovcache
