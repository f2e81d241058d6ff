#include "compiled_model_wrap.h"

#include <memory>
#include <string>
#include <vector>

#include "async_work.h"
#include "infer_request_wrap.h"
#include "ports.h"
#include "properties.h"

namespace ovcache {

namespace {

class ExportWorker : public PromiseWorker {
 public:
  ExportWorker(const Napi::CallbackInfo& info, CompiledModelWrap* compiled)
      : PromiseWorker(info.Env(), "ovcache.exportModel"),
        compiled_(compiled),
        handle_(compiled->handle()),
        runtime_(compiled->runtime()),
        object_(Napi::Persistent(info.This().As<Napi::Object>())),
        path_(info[0].As<Napi::String>().Utf8Value()) {}

 protected:
  void Begin() override { compiled_->BeginOp(); }
  void Run() override {
    const Symbols& syms = runtime_->syms;
    auto export_model = OV_FN(syms, ov_compiled_model_export_model);
    // export_model returns a bare GENERAL_ERROR when its file does not open: compare the text.
    std::optional<std::string> before = ReadLastError(syms);
    ov_status_e status = export_model(handle_, path_.c_str());
    if (status == OK) return;
    NativeError error = StatusError(syms, status, "ov_compiled_model_export_model", &before);
    if (!error.ov_message && status == GENERAL_ERROR) {
      error.message += " (OpenVINO could not open " + path_ + " for writing)";
    }
    throw error;
  }
  Napi::Value Settle(Napi::Env env) override { return env.Undefined(); }
  void Finish() override { compiled_->EndOp(); }

 private:
  CompiledModelWrap* compiled_;
  const ov_compiled_model_t* handle_;
  std::shared_ptr<const Runtime> runtime_;
  Napi::ObjectReference object_;  // keeps compiled_ alive while the work runs
  std::string path_;
};

}  // namespace

Napi::Function CompiledModelWrap::Init(Napi::Env env) {
  std::vector<Napi::ClassPropertyDescriptor<CompiledModelWrap>> members = {
      InstanceMethod<&CompiledModelWrap::Inputs>("inputs"),
      InstanceMethod<&CompiledModelWrap::Outputs>("outputs"),
      InstanceMethod<&CompiledModelWrap::GetProperty>("getProperty"),
      InstanceMethod<&CompiledModelWrap::SetProperty>("setProperty"),
      InstanceMethod<&CompiledModelWrap::ExportModel>("exportModel"),
      InstanceMethod<&CompiledModelWrap::CreateInferRequest>("createInferRequest"),
  };
  AddCommonMembers(&members);
  return DefineClass(env, "CompiledModel", members);
}

Napi::Object CompiledModelWrap::Create(Napi::Env env, const std::shared_ptr<const Runtime>& runtime,
                                       ov_compiled_model_t* compiled, Napi::Object core_object) {
  AddonData* data = GetAddonData(env);
  Napi::Object object;
  CompiledModelWrap* wrap = nullptr;
  try {
    wrap = NewEmpty(env, data->compiled_model_ctor, &object);
  } catch (...) {
    FreeRaw(runtime->syms, compiled);
    throw;
  }
  wrap->Adopt(data, runtime, compiled, core_object);
  return object;
}

Napi::Value CompiledModelWrap::Inputs(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ov_compiled_model_t* compiled = handle();
    size_t count = 0;
    OV_CHECK(syms(), ov_compiled_model_inputs_size, compiled, &count);
    Napi::Array result = Napi::Array::New(info.Env(), count);
    for (size_t i = 0; i < count; ++i) {
      ov_output_const_port_t* port = nullptr;
      OV_CHECK(syms(), ov_compiled_model_input_by_index, compiled, i, &port);
      result.Set(static_cast<uint32_t>(i), PortToJs(info.Env(), *runtime(), port));
    }
    return result;
  });
}

Napi::Value CompiledModelWrap::Outputs(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ov_compiled_model_t* compiled = handle();
    size_t count = 0;
    OV_CHECK(syms(), ov_compiled_model_outputs_size, compiled, &count);
    Napi::Array result = Napi::Array::New(info.Env(), count);
    for (size_t i = 0; i < count; ++i) {
      ov_output_const_port_t* port = nullptr;
      OV_CHECK(syms(), ov_compiled_model_output_by_index, compiled, i, &port);
      result.Set(static_cast<uint32_t>(i), PortToJs(info.Env(), *runtime(), port));
    }
    return result;
  });
}

Napi::Value CompiledModelWrap::GetProperty(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ov_compiled_model_t* compiled = handle();
    std::string key = info[0].As<Napi::String>().Utf8Value();
    char* value = nullptr;
    OV_CHECK(syms(), ov_compiled_model_get_property, compiled, key.c_str(), &value);
    std::string result = value != nullptr ? value : "";
    if (value != nullptr) OV_FN(syms(), ov_free)(value);
    return Napi::String::New(info.Env(), result);
  });
}

Napi::Value CompiledModelWrap::SetProperty(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ov_compiled_model_t* compiled = handle();
    std::string key = info[0].As<Napi::String>().Utf8Value();
    std::string value = info[1].As<Napi::String>().Utf8Value();
    CheckStringValuedKey(key, "ov_compiled_model_set_property");
    // Exactly one key/value pair of `const char*` per call.
    OV_CHECK(syms(), ov_compiled_model_set_property, compiled, key.c_str(), value.c_str());
    return info.Env().Undefined();
  });
}

Napi::Value CompiledModelWrap::ExportModel(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    auto worker = std::make_unique<ExportWorker>(info, this);
    return worker.release()->Start();
  });
}

Napi::Value CompiledModelWrap::CreateInferRequest(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ov_compiled_model_t* compiled = handle();
    // Output names are fixed for a compiled model: read them once, here.
    size_t count = 0;
    OV_CHECK(syms(), ov_compiled_model_outputs_size, compiled, &count);
    std::vector<std::string> output_names;
    for (size_t i = 0; i < count; ++i) {
      ov_output_const_port_t* raw_port = nullptr;
      OV_CHECK(syms(), ov_compiled_model_output_by_index, compiled, i, &raw_port);
      PortHolder port(syms(), raw_port);
      output_names.push_back(PortName(syms(), port.get()));
    }
    return InferRequestWrap::Create(info.Env(), runtime(), compiled, std::move(output_names),
                                    info.This().As<Napi::Object>());
  });
}

}  // namespace ovcache
