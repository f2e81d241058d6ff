#include "runtime_wrap.h"

#include "addon.h"
#include "core_wrap.h"
#include "handle_wrap.h"
#include "platform_dl.h"

namespace ovcache {

Napi::Function RuntimeWrap::Init(Napi::Env env) {
  return DefineClass(env, "Runtime",
                     {
                         InstanceAccessor<&RuntimeWrap::LibraryPath>("libraryPath"),
                         InstanceAccessor<&RuntimeWrap::BuildNumber>("buildNumber"),
                         InstanceAccessor<&RuntimeWrap::Description>("description"),
                         InstanceAccessor<&RuntimeWrap::Numbering>("elementNumbering"),
                         InstanceMethod<&RuntimeWrap::HasSymbol>("hasSymbol"),
                         InstanceMethod<&RuntimeWrap::CreateCore>("createCore"),
                     });
}

RuntimeWrap::RuntimeWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<RuntimeWrap>(info) {
  if (info.Length() != 1 || !IsConstructToken(info[0])) {
    throw Napi::TypeError::New(info.Env(), "Runtime objects are created by loadRuntime() only");
  }
}

Napi::Value RuntimeWrap::Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guard(env, [&]() -> Napi::Value {
    std::string path = info[0].As<Napi::String>().Utf8Value();
    std::string error;
    void* library = dl::Open(path, &error);
    if (library == nullptr) {
      throw AddonError("OVCACHE_RUNTIME_LOAD_FAILED",
                       "Could not load the OpenVINO C API library " + path + ": " + error);
    }
    auto runtime = std::make_shared<Runtime>();
    runtime->syms.Load(library, path);
    const Symbols& syms = runtime->syms;

    ov_version_t version{};
    OV_CHECK(syms, ov_get_openvino_version, &version);
    runtime->build_number = version.buildNumber != nullptr ? version.buildNumber : "";
    runtime->description = version.description != nullptr ? version.description : "";
    if (syms.ov_version_free != nullptr) syms.ov_version_free(&version);
    runtime->numbering = NumberingForBuild(runtime->build_number);

    Napi::Object object = GetAddonData(env)->runtime_ctor.New({ConstructToken(env)});
    Unwrap(object)->runtime_ = std::move(runtime);
    return object;
  });
}

Napi::Value RuntimeWrap::LibraryPath(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), runtime_->syms.library_path);
}

Napi::Value RuntimeWrap::BuildNumber(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), runtime_->build_number);
}

Napi::Value RuntimeWrap::Description(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), runtime_->description);
}

Napi::Value RuntimeWrap::Numbering(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), NumberingName(runtime_->numbering));
}

Napi::Value RuntimeWrap::HasSymbol(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  return Napi::Boolean::New(info.Env(), runtime_->syms.Has(name.c_str()));
}

Napi::Value RuntimeWrap::CreateCore(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    return CoreWrap::Create(info.Env(), runtime_, info.This().As<Napi::Object>());
  });
}

}  // namespace ovcache
