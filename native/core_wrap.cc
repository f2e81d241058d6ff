#include "core_wrap.h"

#include <memory>
#include <string>
#include <vector>

#include "async_work.h"
#include "compiled_model_wrap.h"
#include "model_wrap.h"
#include "properties.h"

namespace ovcache {

namespace {

std::vector<std::string> StringList(const Napi::Value& value) {
  Napi::Array array = value.As<Napi::Array>();
  std::vector<std::string> result;
  result.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) {
    result.push_back(array.Get(i).As<Napi::String>().Utf8Value());
  }
  return result;
}

// Base for work that runs on a core: keeps the core object alive and its handle unfreed.
// Constructors only copy arguments (they may throw); Begin() marks the handles in use.
class CoreWorker : public PromiseWorker {
 public:
  CoreWorker(const Napi::CallbackInfo& info, CoreWrap* core, const char* name)
      : PromiseWorker(info.Env(), name),
        core_(core),
        handle_(core->handle()),
        runtime_(core->runtime()),
        core_object_(Napi::Persistent(info.This().As<Napi::Object>())) {}

 protected:
  void Begin() override { core_->BeginOp(); }
  void Finish() override { core_->EndOp(); }
  const Symbols& syms() const { return runtime_->syms; }

  CoreWrap* core_;
  const ov_core_t* handle_;
  std::shared_ptr<const Runtime> runtime_;
  Napi::ObjectReference core_object_;
};

// Work whose result is a compiled model; the handle is freed here if it was never adopted.
class CompileWorker : public CoreWorker {
 public:
  using CoreWorker::CoreWorker;
  ~CompileWorker() override {
    if (compiled_ != nullptr) CompiledModelWrap::FreeRaw(syms(), compiled_);
  }

 protected:
  Napi::Value Settle(Napi::Env env) override {
    ov_compiled_model_t* compiled = compiled_;
    compiled_ = nullptr;
    return CompiledModelWrap::Create(env, runtime_, compiled, core_object_.Value());
  }

  ov_compiled_model_t* compiled_ = nullptr;
};

class ReadModelWorker : public CoreWorker {
 public:
  ReadModelWorker(const Napi::CallbackInfo& info, CoreWrap* core)
      : CoreWorker(info, core, "ovcache.readModel"),
        xml_(info[0].As<Napi::String>().Utf8Value()),
        bin_(info[1].As<Napi::String>().Utf8Value()) {}
  ~ReadModelWorker() override {
    if (model_ != nullptr) ModelWrap::FreeRaw(syms(), model_);
  }

 protected:
  void Run() override {
    // "" lets OpenVINO find the .bin beside the .xml (NULL and "" are equivalent upstream).
    OV_CHECK(syms(), ov_core_read_model, handle_, xml_.c_str(),
             bin_.empty() ? nullptr : bin_.c_str(), &model_);
  }
  Napi::Value Settle(Napi::Env env) override {
    ov_model_t* model = model_;
    model_ = nullptr;
    return ModelWrap::Create(env, runtime_, model, core_object_.Value());
  }

 private:
  std::string xml_;
  std::string bin_;
  ov_model_t* model_ = nullptr;
};

class CompileModelWorker : public CompileWorker {
 public:
  CompileModelWorker(const Napi::CallbackInfo& info, CoreWrap* core, ModelWrap* model,
                     std::vector<std::string> props)
      : CompileWorker(info, core, "ovcache.compileModel"),
        model_(model),
        model_handle_(model->handle()),
        model_object_(Napi::Persistent(info[0].As<Napi::Object>())),
        device_(info[1].As<Napi::String>().Utf8Value()),
        props_(std::move(props)) {}

 protected:
  void Begin() override {
    CompileWorker::Begin();
    model_->BeginOp();
  }
  void Run() override {
    CheckStatus(syms(),
                CompileModelWithProperties(OV_FN(syms(), ov_core_compile_model), handle_,
                                           model_handle_, device_.c_str(), props_, &compiled_),
                "ov_core_compile_model");
  }
  void Finish() override {
    model_->EndOp();
    CompileWorker::Finish();
  }

 private:
  ModelWrap* model_;
  const ov_model_t* model_handle_;
  Napi::ObjectReference model_object_;  // keeps model_ alive while the work runs
  std::string device_;
  std::vector<std::string> props_;
};

class CompileFileWorker : public CompileWorker {
 public:
  CompileFileWorker(const Napi::CallbackInfo& info, CoreWrap* core, std::vector<std::string> props)
      : CompileWorker(info, core, "ovcache.compileModelFromFile"),
        path_(info[0].As<Napi::String>().Utf8Value()),
        device_(info[1].As<Napi::String>().Utf8Value()),
        props_(std::move(props)) {}

 protected:
  void Run() override {
    CheckStatus(syms(),
                CompileFileWithProperties(OV_FN(syms(), ov_core_compile_model_from_file), handle_,
                                          path_.c_str(), device_.c_str(), props_, &compiled_),
                "ov_core_compile_model_from_file");
  }

 private:
  std::string path_;
  std::string device_;
  std::vector<std::string> props_;
};

class ImportModelWorker : public CompileWorker {
 public:
  ImportModelWorker(const Napi::CallbackInfo& info, CoreWrap* core)
      : CompileWorker(info, core, "ovcache.importModel"),
        device_(info[1].As<Napi::String>().Utf8Value()) {
    // The C call streams from the buffer without copying: own the bytes until it returns.
    Napi::Uint8Array data = info[0].As<Napi::Uint8Array>();
    const uint8_t* begin = data.Data();
    bytes_.assign(begin, begin + data.ByteLength());
  }

 protected:
  void Run() override {
    // A non-null pointer even for an empty blob, so the runtime judges the content itself.
    static const char kEmpty[1] = {0};
    const char* content = bytes_.empty() ? kEmpty : reinterpret_cast<const char*>(bytes_.data());
    OV_CHECK(syms(), ov_core_import_model, handle_, content, bytes_.size(), device_.c_str(),
             &compiled_);
  }

 private:
  std::string device_;
  std::vector<uint8_t> bytes_;
};

}  // namespace

Napi::Function CoreWrap::Init(Napi::Env env) {
  std::vector<Napi::ClassPropertyDescriptor<CoreWrap>> members = {
      InstanceMethod<&CoreWrap::ReadModel>("readModel"),
      InstanceMethod<&CoreWrap::CompileModel>("compileModel"),
      InstanceMethod<&CoreWrap::CompileModelFromFile>("compileModelFromFile"),
      InstanceMethod<&CoreWrap::ImportModel>("importModel"),
      InstanceMethod<&CoreWrap::SetProperty>("setProperty"),
      InstanceMethod<&CoreWrap::GetProperty>("getProperty"),
      InstanceMethod<&CoreWrap::AvailableDevices>("availableDevices"),
      InstanceMethod<&CoreWrap::Versions>("versions"),
  };
  AddCommonMembers(&members);
  return DefineClass(env, "Core", members);
}

Napi::Object CoreWrap::Create(Napi::Env env, const std::shared_ptr<const Runtime>& runtime,
                              Napi::Object runtime_object) {
  AddonData* data = GetAddonData(env);
  Napi::Object object;
  CoreWrap* wrap = NewEmpty(env, data->core_ctor, &object);
  ov_core_t* core = nullptr;
  OV_CHECK(runtime->syms, ov_core_create, &core);
  wrap->Adopt(data, runtime, core, runtime_object);
  return object;
}

Napi::Value CoreWrap::ReadModel(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    auto worker = std::make_unique<ReadModelWorker>(info, this);
    return worker.release()->Start();
  });
}

Napi::Value CoreWrap::CompileModel(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    if (!ModelWrap::IsInstance(info[0])) {
      throw AddonError("OVCACHE_INVALID_ARGUMENT",
                       "Expected a Model for model but received another value",
                       "ov_core_compile_model");
    }
    ModelWrap* model = ModelWrap::Unwrap(info[0].As<Napi::Object>());
    std::vector<std::string> props = StringList(info[2]);
    CheckPropertyCount(props, "ov_core_compile_model");
    auto worker = std::make_unique<CompileModelWorker>(info, this, model, std::move(props));
    return worker.release()->Start();
  });
}

Napi::Value CoreWrap::CompileModelFromFile(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    std::vector<std::string> props = StringList(info[2]);
    CheckPropertyCount(props, "ov_core_compile_model_from_file");
    auto worker = std::make_unique<CompileFileWorker>(info, this, std::move(props));
    return worker.release()->Start();
  });
}

Napi::Value CoreWrap::ImportModel(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    auto worker = std::make_unique<ImportModelWorker>(info, this);
    return worker.release()->Start();
  });
}

Napi::Value CoreWrap::SetProperty(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ov_core_t* core = handle();
    bool core_wide = info[0].IsNull() || info[0].IsUndefined();
    std::string device = core_wide ? std::string() : info[0].As<Napi::String>().Utf8Value();
    std::string key = info[1].As<Napi::String>().Utf8Value();
    std::string value = info[2].As<Napi::String>().Utf8Value();
    CheckStringValuedKey(key, "ov_core_set_property");
    // Exactly one key/value pair of `const char*` per call; NULL device = core-wide.
    OV_CHECK(syms(), ov_core_set_property, core, core_wide ? nullptr : device.c_str(), key.c_str(),
             value.c_str());
    return info.Env().Undefined();
  });
}

Napi::Value CoreWrap::GetProperty(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ov_core_t* core = handle();
    std::string device = info[0].As<Napi::String>().Utf8Value();  // "" = core-level
    std::string key = info[1].As<Napi::String>().Utf8Value();
    char* value = nullptr;
    OV_CHECK(syms(), ov_core_get_property, core, device.c_str(), key.c_str(), &value);
    std::string result = value != nullptr ? value : "";
    if (value != nullptr) OV_FN(syms(), ov_free)(value);
    return Napi::String::New(info.Env(), result);
  });
}

Napi::Value CoreWrap::AvailableDevices(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ov_core_t* core = handle();
    ov_available_devices_t devices{};
    OV_CHECK(syms(), ov_core_get_available_devices, core, &devices);
    std::vector<std::string> names;
    for (size_t i = 0; i < devices.size; ++i) {
      if (devices.devices != nullptr && devices.devices[i] != nullptr) {
        names.push_back(devices.devices[i]);
      }
    }
    OV_FN(syms(), ov_available_devices_free)(&devices);
    Napi::Array result = Napi::Array::New(info.Env(), names.size());
    for (size_t i = 0; i < names.size(); ++i) result.Set(static_cast<uint32_t>(i), names[i]);
    return result;
  });
}

Napi::Value CoreWrap::Versions(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ov_core_t* core = handle();
    std::string device = info[0].As<Napi::String>().Utf8Value();
    ov_core_version_list_t list{};
    OV_CHECK(syms(), ov_core_get_versions_by_device_name, core, device.c_str(), &list);
    struct Entry {
      std::string device, build_number, description;
    };
    std::vector<Entry> entries;
    auto text = [](const char* s) { return s != nullptr ? std::string(s) : std::string(); };
    for (size_t i = 0; i < list.size && list.versions != nullptr; ++i) {
      const ov_core_version_t& v = list.versions[i];
      entries.push_back(
          {text(v.device_name), text(v.version.buildNumber), text(v.version.description)});
    }
    OV_FN(syms(), ov_core_versions_free)(&list);
    Napi::Array result = Napi::Array::New(info.Env(), entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
      Napi::Object entry = Napi::Object::New(info.Env());
      entry.Set("device", entries[i].device);
      entry.Set("buildNumber", entries[i].build_number);
      entry.Set("description", entries[i].description);
      result.Set(static_cast<uint32_t>(i), entry);
    }
    return result;
  });
}

}  // namespace ovcache
