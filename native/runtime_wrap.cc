#include "runtime_wrap.h"

#include "addon.h"
#include "core_wrap.h"
#include "handle_wrap.h"
#include "platform_dl.h"

namespace ovcache {

namespace {

std::string FileName(const std::string& path) {
  size_t slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// How to provide a dependency, by what it is.
std::string DependencyFix(const std::string& soname) {
  if (soname.rfind("libtbb", 0) == 0 || soname.rfind("libhwloc", 0) == 0) {
    return "TBB ships with OpenVINO: keep the archive's runtime/3rdparty/tbb/lib folder beside "
           "runtime/lib (ovcache searches it), or put " +
           soname +
           " beside the C library; a system install needs the TBB package (Debian/Ubuntu: apt "
           "install libtbb12; conda: conda install tbb); or source <root>/setupvars.sh (it sets "
           "LD_LIBRARY_PATH) in the shell that starts node.";
  }
  if (soname.rfind("libopenvino", 0) == 0) {
    return soname +
           " ships beside the C library in every OpenVINO package: keep the runtime folder "
           "whole (every libopenvino*.so* file, not only libopenvino_c), or reinstall the "
           "package; or add its folder to LD_LIBRARY_PATH (source <root>/setupvars.sh does this "
           "for the archive).";
  }
  return "install the package that provides " + soname +
         ", or add the folder holding it to LD_LIBRARY_PATH.";
}

NativeError LoadError(const std::string& path, const dl::OpenError& error) {
  std::string message = "Could not load the OpenVINO C API library " + path + ": ";
  if (error.missing.empty()) {
    NativeError out("OVCACHE_RUNTIME_LOAD_FAILED", message + error.text);
    return out;
  }
  std::string folders;
  for (const std::string& folder : error.searched)
    folders += (folders.empty() ? "" : ", ") + folder;
  message += "its dependency " + error.missing +
             (error.needed_by.empty() ? "" : " (needed by " + FileName(error.needed_by) + ")") +
             " was found neither in the runtime's folders (" + folders +
             ") nor by the system loader. To fix: " + DependencyFix(error.missing) +
             " Loader said: " + error.text;
  NativeError out("OVCACHE_RUNTIME_LOAD_FAILED", message);
  out.missing = error.missing;
  if (!error.needed_by.empty()) out.needed_by = error.needed_by;
  return out;
}

}  // namespace

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
    dl::OpenError error;
    void* library = dl::Open(path, &error);
    if (library == nullptr) throw LoadError(path, error);
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
