// CompiledModel: ov_compiled_model_t, from compileModel / compileModelFromFile / importModel.
#pragma once

#include <napi.h>

#include "handle_wrap.h"

namespace ovcache {

class CompiledModelWrap : public HandleWrap<CompiledModelWrap, ov_compiled_model_t> {
 public:
  static constexpr const char* kTypeName = "CompiledModel";
  static constexpr napi_type_tag kTypeTag = {0x6f7663616368650aULL, 0x0000000000000003ULL};
  static constexpr int kTeardownOrder = 1;
  static void FreeRaw(const Symbols& syms, ov_compiled_model_t* compiled) {
    if (syms.ov_compiled_model_free != nullptr) syms.ov_compiled_model_free(compiled);
  }

  static Napi::Function Init(Napi::Env env);
  // Takes ownership of `compiled`, also when creating the object fails.
  static Napi::Object Create(Napi::Env env, const std::shared_ptr<const Runtime>& runtime,
                             ov_compiled_model_t* compiled, Napi::Object core_object);

  using HandleWrap::HandleWrap;

 private:
  Napi::Value Inputs(const Napi::CallbackInfo& info);
  Napi::Value Outputs(const Napi::CallbackInfo& info);
  Napi::Value GetProperty(const Napi::CallbackInfo& info);
  Napi::Value SetProperty(const Napi::CallbackInfo& info);
  Napi::Value ExportModel(const Napi::CallbackInfo& info);
  Napi::Value CreateInferRequest(const Napi::CallbackInfo& info);
};

}  // namespace ovcache
