// InferRequest: ov_infer_request_t. One infer() at a time per request.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "handle_wrap.h"

namespace ovcache {

class InferRequestWrap : public HandleWrap<InferRequestWrap, ov_infer_request_t> {
 public:
  static constexpr const char* kTypeName = "InferRequest";
  static constexpr napi_type_tag kTypeTag = {0x6f7663616368650aULL, 0x0000000000000004ULL};
  static constexpr int kTeardownOrder = 0;
  static void FreeRaw(const Symbols& syms, ov_infer_request_t* request) {
    if (syms.ov_infer_request_free != nullptr) syms.ov_infer_request_free(request);
  }

  static Napi::Function Init(Napi::Env env);
  // Creates the request on `compiled` (kept alive by the request).
  static Napi::Object Create(Napi::Env env, const std::shared_ptr<const Runtime>& runtime,
                             ov_compiled_model_t* compiled, std::vector<std::string> output_names,
                             Napi::Object compiled_object);

  using HandleWrap::HandleWrap;

  const std::vector<std::string>& output_names() const { return output_names_; }

 private:
  Napi::Value Infer(const Napi::CallbackInfo& info);

  std::vector<std::string> output_names_;
};

}  // namespace ovcache
