// The base of every wrap that owns one OpenVINO handle. Invariants:
//  - the handle is freed exactly once: dispose() or the finalizer or env teardown, first wins;
//  - while async calls use the handle (inflight_ > 0) it is never freed: dispose() only marks
//    the wrap disposed and the last EndOp() frees it;
//  - every wrap holds the Runtime (its symbol table) through a shared_ptr; the library itself
//    is never closed, so resolved function pointers stay valid for the life of the process.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "addon.h"
#include "runtime_wrap.h"
#include "status.h"

namespace ovcache {

// Wraps are only created by the addon: their constructors require this token.
Napi::Value ConstructToken(Napi::Env env);
bool IsConstructToken(const Napi::Value& value);

template <typename Derived, typename Handle>
class HandleWrap : public Napi::ObjectWrap<Derived>, public LiveHandle {
 public:
  explicit HandleWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Derived>(info) {
    if (info.Length() != 1 || !IsConstructToken(info[0])) {
      throw Napi::TypeError::New(
          info.Env(), std::string(Derived::kTypeName) + " objects are created by the addon only");
    }
    info.This().As<Napi::Object>().TypeTag(&Derived::kTypeTag);
  }

  ~HandleWrap() override { FreeHandle(); }

  static bool IsInstance(const Napi::Value& value) {
    return value.IsObject() && value.As<Napi::Object>().CheckTypeTag(&Derived::kTypeTag);
  }

  // A fresh, empty wrap; Adopt() gives it its handle.
  static Derived* NewEmpty(Napi::Env env, Napi::FunctionReference& ctor, Napi::Object* object) {
    *object = ctor.New({ConstructToken(env)});
    return Derived::Unwrap(*object);
  }

  // Takes ownership of `handle`; `parent` (may be empty) is kept alive until dispose.
  void Adopt(AddonData* data, std::shared_ptr<const Runtime> runtime, Handle* handle,
             Napi::Object parent) {
    data_ = data;
    runtime_ = std::move(runtime);
    handle_ = handle;
    if (!parent.IsEmpty()) parent_ = Napi::Persistent(parent);
    data_->live.insert(this);
  }

  // The live handle, or OVCACHE_DISPOSED.
  Handle* handle() const {
    if (disposed_ || handle_ == nullptr) {
      throw AddonError("OVCACHE_DISPOSED", std::string(Derived::kTypeName) + " has been disposed");
    }
    return handle_;
  }
  const std::shared_ptr<const Runtime>& runtime() const { return runtime_; }
  const Symbols& syms() const { return runtime_->syms; }
  AddonData* data() const { return data_; }

  // Brackets an async call that uses the handle (main thread).
  void BeginOp() { ++inflight_; }
  void EndOp() {
    if (--inflight_ == 0 && disposed_) FreeHandle();
  }
  bool busy() const { return inflight_ > 0; }

  int TeardownOrder() const override { return Derived::kTeardownOrder; }
  void Teardown() override {
    disposed_ = true;
    if (inflight_ == 0) FreeHandle();
    if (data_ != nullptr) data_->live.erase(this);
    data_ = nullptr;
  }

 protected:
  // dispose(), the `disposed` getter; added to every class.
  static void AddCommonMembers(std::vector<Napi::ClassPropertyDescriptor<Derived>>* members) {
    using Method = Napi::Value (Derived::*)(const Napi::CallbackInfo&);
    members->push_back(Derived::InstanceMethod("dispose", static_cast<Method>(&Derived::Dispose)));
    members->push_back(
        Derived::InstanceAccessor("disposed", static_cast<Method>(&Derived::IsDisposed), nullptr));
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    disposed_ = true;
    parent_.Reset();
    if (inflight_ == 0) FreeHandle();
    return info.Env().Undefined();
  }

  Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), disposed_);
  }

 private:
  void FreeHandle() {
    if (handle_ == nullptr) return;
    Derived::FreeRaw(runtime_->syms, handle_);
    handle_ = nullptr;
    if (data_ != nullptr) data_->live.erase(this);
  }

  Handle* handle_ = nullptr;
  std::shared_ptr<const Runtime> runtime_;
  AddonData* data_ = nullptr;
  Napi::ObjectReference parent_;
  int inflight_ = 0;
  bool disposed_ = false;
};

}  // namespace ovcache
