// Model: ov_model_t, as read by Core.readModel. Reshaped in place.
#pragma once

#include <napi.h>

#include "handle_wrap.h"

namespace ovcache {

class ModelWrap : public HandleWrap<ModelWrap, ov_model_t> {
 public:
  static constexpr const char* kTypeName = "Model";
  static constexpr napi_type_tag kTypeTag = {0x6f7663616368650aULL, 0x0000000000000002ULL};
  static constexpr int kTeardownOrder = 2;
  static void FreeRaw(const Symbols& syms, ov_model_t* model) {
    if (syms.ov_model_free != nullptr) syms.ov_model_free(model);
  }

  static Napi::Function Init(Napi::Env env);
  // Takes ownership of `model`, also when creating the object fails.
  static Napi::Object Create(Napi::Env env, const std::shared_ptr<const Runtime>& runtime,
                             ov_model_t* model, Napi::Object core_object);

  using HandleWrap::HandleWrap;

 private:
  Napi::Value Inputs(const Napi::CallbackInfo& info);
  Napi::Value Outputs(const Napi::CallbackInfo& info);
  Napi::Value Reshape(const Napi::CallbackInfo& info);
  Napi::Value FriendlyName(const Napi::CallbackInfo& info);
  Napi::Value IsDynamic(const Napi::CallbackInfo& info);
};

}  // namespace ovcache
