// AsyncWorker + Promise. Subclasses copy every JS value they need into plain members on the
// main thread (constructor), do the OpenVINO call in Run() on the libuv pool without touching
// JS, and build the result in Settle() back on the main thread.
#pragma once

#include <napi.h>

#include <optional>

#include "status.h"

namespace ovcache {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, const char* name)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)) {}

  // Marks the used handles busy and queues the work. The worker deletes itself after settling.
  // Call on a worker that was fully constructed; nothing after Begin() may throw.
  Napi::Promise Start() {
    Begin();
    Queue();
    return deferred_.Promise();
  }

 protected:
  // Main thread, once, right before queueing: BeginOp() on every wrap whose handle Run() uses.
  virtual void Begin() {}
  // Worker thread. Throws NativeError on failure; must not touch JS.
  virtual void Run() = 0;
  // Main thread, after Run() succeeded: the resolved value.
  virtual Napi::Value Settle(Napi::Env env) = 0;
  // Main thread, exactly once, after Settle() and before the promise settles (EndOp here).
  virtual void Finish() {}

 private:
  void Execute() final {
    try {
      Run();
    } catch (const NativeError& error) {
      error_ = error;
    } catch (const std::exception& error) {
      error_ = AddonError("OVCACHE_INTERNAL", error.what());
    } catch (...) {
      error_ = AddonError("OVCACHE_INTERNAL", "unknown C++ exception in a worker");
    }
  }

  void OnOK() final {
    Napi::Env env = Env();
    Napi::Value result;
    Napi::Value rejection;
    if (error_) {
      rejection = ToJsError(env, *error_).Value();
    } else {
      try {
        result = Settle(env);
      } catch (const Napi::Error& error) {
        rejection = error.Value();
      } catch (const NativeError& error) {
        rejection = ToJsError(env, error).Value();
      } catch (const std::exception& error) {
        rejection = ToJsError(env, AddonError("OVCACHE_INTERNAL", error.what())).Value();
      }
    }
    Finish();
    if (rejection.IsEmpty()) {
      deferred_.Resolve(result);
    } else {
      deferred_.Reject(rejection);
    }
  }

  void OnError(const Napi::Error& error) final {
    Finish();
    deferred_.Reject(error.Value());
  }

  Napi::Promise::Deferred deferred_;
  std::optional<NativeError> error_;
};

}  // namespace ovcache
