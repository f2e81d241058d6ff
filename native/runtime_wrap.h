// Runtime: one opened OpenVINO C library, its symbol table, version and element numbering.
// The library is never dlclose()d: handles and finalizers may outlive every JS reference to
// the Runtime (worker teardown, GC order), and resolved pointers must stay callable.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "element_types.h"
#include "symbols.h"

namespace ovcache {

struct AddonData;

struct Runtime {
  Symbols syms;
  std::string build_number;
  std::string description;
  ElementNumbering numbering = ElementNumbering::kModern;
};

class RuntimeWrap : public Napi::ObjectWrap<RuntimeWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  // binding.loadRuntime(libraryPath)
  static Napi::Value Load(const Napi::CallbackInfo& info);

  explicit RuntimeWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value LibraryPath(const Napi::CallbackInfo& info);
  Napi::Value BuildNumber(const Napi::CallbackInfo& info);
  Napi::Value Description(const Napi::CallbackInfo& info);
  Napi::Value Numbering(const Napi::CallbackInfo& info);
  Napi::Value HasSymbol(const Napi::CallbackInfo& info);
  Napi::Value CreateCore(const Napi::CallbackInfo& info);

  std::shared_ptr<const Runtime> runtime_;
};

}  // namespace ovcache
